// FileSystemGate: where the guest's MPI-IO may reach on the host.
//
// Open MPI's MPI_File_open and MPI_File_delete take a path, not a
// directory fd, so confinement is decided before the host call: the gate
// turns a guest path into a host path the host MPI may be given, or into
// an MPI error class, without touching the file. The bridge calls it on
// every rank (BridgeOptions::files); PreopenFileGate
// (preopen_file_gate.h) implements it over the WASI preopens, tests use
// a fake.
//
// Thread safety: implementations are used from one guest instance's
// thread only.
#ifndef WASMHPC_MPI_BRIDGE_FILE_GATE_H_
#define WASMHPC_MPI_BRIDGE_FILE_GATE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "mpi-bridge/abi.h"

namespace wasmhpc::mpi {

// What the guest means to do with the file.
enum class FileAccess {
  kRead,    // open an existing file read-only
  kWrite,   // open an existing file for writing
  kCreate,  // open for writing, creating the file if it does not exist
  kDelete,  // MPI_File_delete, or MPI_MODE_DELETE_ON_CLOSE
};

// A guest path resolved for the host MPI. Whatever keeps host_path()
// meaning the resolved file (an open directory fd) lives as long as this
// object: keep it until the host file is closed.
class GatedPath {
 public:
  virtual ~GatedPath() = default;
  // The path to hand the host MPI; it names the file the gate checked.
  virtual const std::string& host_path() const = 0;
};

// A Resolve() result: `path` on success, else `error_class` (an ABI MPI
// error class: MPI_ERR_ACCESS, MPI_ERR_NO_SUCH_FILE, MPI_ERR_READ_ONLY,
// MPI_ERR_BAD_FILE, MPI_ERR_IO) and a message naming the guest path.
struct GateResult {
  std::unique_ptr<GatedPath> path = nullptr;
  int32_t error_class = 0;
  std::string message = {};
};

class FileSystemGate {
 public:
  virtual ~FileSystemGate() = default;

  // Resolves `guest_path` for `access`. Fails with MPI_ERR_ACCESS for a
  // path outside every directory the guest may use (absolute host paths,
  // ".." or symlinks that leave it), MPI_ERR_READ_ONLY for anything but
  // kRead beneath a read-only directory, MPI_ERR_NO_SUCH_FILE when the
  // file (or, for kCreate, its directory) does not exist.
  virtual GateResult Resolve(std::string_view guest_path,
                             FileAccess access) = 0;
};

}  // namespace wasmhpc::mpi

#endif  // WASMHPC_MPI_BRIDGE_FILE_GATE_H_
