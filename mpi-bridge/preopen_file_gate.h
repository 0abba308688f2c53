// PreopenFileGate: the FileSystemGate of a guest with WASI preopens. MPI-IO
// reaches exactly the directories WASI gives the guest (--dir, a job's
// dirs), with the same confinement and the same read-only flags.
//
// Guest paths: an absolute path belongs to the preopen whose guest name is
// its longest component-wise prefix ("/data/x" -> "/data", never
// "/database"); a relative path belongs to a preopen named "." (else it is
// taken as "/" + path, like wasi-libc's default working directory). An
// absolute host path not under a guest name matches nothing: MPI_ERR_ACCESS.
//
// Resolution: the rest of the path is resolved beneath the preopen's
// directory fd with openat2(RESOLVE_BENEATH) (wasi/sandbox_path.h), up to
// its parent directory; ".." or symlinks that leave the preopen fail with
// MPI_ERR_ACCESS. The last component must not be a symlink (MPI_ERR_ACCESS)
// nor a directory (MPI_ERR_BAD_FILE). The host MPI gets
// "/proc/self/fd/P/NAME", P the resolved parent held open by the
// GatedPath: the kernel follows P to that very directory whatever happens
// to the path above it, and Open MPI's side files (shared file pointers'
// "NAME...lock" files) land beside the file, as natively.
//
// TOCTOU: the one step not done on a held fd is the last component, which
// Open MPI opens by name. Between the gate's check and that open, a
// process with write access to the same directory (another rank of the
// same job through WASI path_symlink, or a host process) could replace NAME
// with a symlink that leads out. Closing that window would mean handing
// Open MPI an fd ("/proc/self/fd/F" of the file itself), which breaks its
// shared-file-pointer side files and MPI_MODE_DELETE_ON_CLOSE; we accept
// the window and document it. The guest of one rank runs on one thread and
// cannot race itself.
//
// Thread safety: Resolve() is thread-compatible (const state, fds only
// read).
#ifndef WASMHPC_MPI_BRIDGE_PREOPEN_FILE_GATE_H_
#define WASMHPC_MPI_BRIDGE_PREOPEN_FILE_GATE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "mpi-bridge/file_gate.h"
#include "wasi/sandbox_path.h"
#include "wasi/wasi.h"

namespace wasmhpc::mpi {

class PreopenFileGate final : public FileSystemGate {
 public:
  // Opens each preopen's host directory (O_PATH). Errors: NotFound or
  // another code naming the directory if one cannot be opened;
  // FailedPrecondition without openat2 (Linux < 5.6) or without /proc.
  // An empty list is fine: every path is then refused.
  static absl::StatusOr<std::unique_ptr<PreopenFileGate>> Create(
      const std::vector<wasi::Preopen>& preopens);

  GateResult Resolve(std::string_view guest_path, FileAccess access) override;

 private:
  struct Root {
    std::string guest;  // "/data", "/", "." or a relative name; no '/' tail
    wasi::UniqueFd dir;
    bool read_only;
  };
  explicit PreopenFileGate(std::vector<Root> roots)
      : roots_(std::move(roots)) {}

  // The root `path` belongs to and the rest of the path beneath it, or
  // nullptr.
  const Root* Match(std::string_view path, std::string* rest) const;

  std::vector<Root> roots_;
};

}  // namespace wasmhpc::mpi

#endif  // WASMHPC_MPI_BRIDGE_PREOPEN_FILE_GATE_H_
