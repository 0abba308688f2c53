// WASI (wasi_snapshot_preview1) for one guest instance: arguments,
// environment, clocks, randomness, stdio and preopened host directories.
//
// Wasi builds the host functions the engine binds as the module's
// "wasi_snapshot_preview1" imports; it holds no V8 type. Every call returns a
// WASI errno to the guest: a bad fd is EBADF, a guest pointer outside linear
// memory EFAULT (never a trap), a path that would leave its preopen
// ENOTCAPABLE, a write beneath a read-only preopen EROFS.
//
// Sandbox: guest paths are resolved with openat2(RESOLVE_BENEATH) beneath the
// directory fd the guest names (see sandbox_path.h). Needs Linux >= 5.6;
// Create() refuses preopens on an older kernel.
//
// Thread safety: a Wasi belongs to one instance and its thread. It must
// outlive every use of the HostFuncs that Imports() returns.
#ifndef WASMHPC_WASI_WASI_H_
#define WASMHPC_WASI_WASI_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "engine/host_func.h"

namespace wasmhpc::wasi {

// A host directory the guest may use, under the path the guest sees.
struct Preopen {
  std::string host_path;
  std::string guest_path;
  bool read_only = false;
  // Pool jobs (paths the head resolved): host_path is opened with openat2
  // without following any symbolic link, and, when `roots` is not empty,
  // only below one of them (the pool's --allow-dir), so nothing swapped in
  // after the head's check is reached. See OpenPreopenDir.
  bool strict = false;
  std::vector<std::string> roots;
};

// Parses a --dir value "HOST[:GUEST][:ro]" (GUEST defaults to HOST). Errors
// are InvalidArgument naming the value.
absl::StatusOr<Preopen> ParseDirFlag(std::string_view spec);

// Source of time for clock_res_get, clock_time_get and poll_oneoff.
// Implementations must be thread-safe (one may serve many instances).
class Clock {
 public:
  virtual ~Clock() = default;

  // Now, in ns, on WASI clock `id` (0 realtime, 1 monotonic, 2 process CPU
  // time, 3 thread CPU time). InvalidArgument for another id.
  virtual absl::StatusOr<uint64_t> Now(uint32_t id) = 0;

  // Resolution of clock `id` in ns. InvalidArgument for an unknown id.
  virtual absl::StatusOr<uint64_t> Resolution(uint32_t id) = 0;

  // Blocks the calling thread for `ns` nanoseconds.
  virtual void SleepFor(uint64_t ns) = 0;
};

// The host's clocks: clock_gettime, clock_getres, nanosleep.
std::shared_ptr<Clock> SystemClock();

struct WasiOptions {
  // The guest's argv, argv[0] included. Default: none.
  std::vector<std::string> args;

  // The guest's environment, "K=V" strings. Default: none.
  std::vector<std::string> env;

  // Directories opened by Create(), guest fds 3, 4, ... in order.
  std::vector<Preopen> preopens;

  // Receives what the guest writes to fds 1 and 2 (`fd` is 1 or 2, also
  // after fd_renumber). Called on the guest's thread, once per fd_write.
  // Default (empty): written to host fds 1 and 2 directly.
  std::function<void(int fd, std::string_view bytes)> output;

  // Host fd that guest fd 0 reads; -1 for none (reads return end of file).
  // Borrowed: never closed. Default: 0.
  int stdin_fd = 0;

  // Time source. Default (null): SystemClock().
  std::shared_ptr<Clock> clock;

  // Fills random_get buffers; a non-OK status becomes EIO.
  // Default (empty): getrandom(2).
  std::function<absl::Status(absl::Span<uint8_t>)> random;

  // Most guest fds open at once, stdio and preopens included; path_open
  // beyond it fails with EMFILE. Guest files share the host process's fd
  // limit with the embedder. Default: 1024, a native process's usual soft
  // RLIMIT_NOFILE.
  size_t max_open_fds = 1024;

  // Polled about every 100 ms while poll_oneoff waits; returning true ends
  // the wait early with EINTR (job cancellation). Default (empty): waits
  // run to completion.
  std::function<bool()> interrupted;
};

class Preview1;

class Wasi {
 public:
  // Validates `options` and opens the preopened directories. Errors:
  // NotFound "--dir /x: No such file or directory" for a missing host
  // directory (other open failures likewise name the flag and the host
  // error); InvalidArgument for a NUL byte in an argument or env string;
  // FailedPrecondition if the kernel lacks openat2 and preopens are given.
  static absl::StatusOr<std::unique_ptr<Wasi>> Create(WasiOptions options);

  Wasi(const Wasi&) = delete;
  Wasi& operator=(const Wasi&) = delete;
  ~Wasi();

  // All 46 functions of wasi_snapshot_preview1 with their exact Wasm
  // signatures, module "wasi_snapshot_preview1". The callbacks refer to this
  // Wasi and share its fd table.
  std::vector<engine::HostFunc> Imports();

 private:
  explicit Wasi(std::unique_ptr<Preview1> calls);

  std::unique_ptr<Preview1> calls_;
};

}  // namespace wasmhpc::wasi

#endif  // WASMHPC_WASI_WASI_H_
