// Command line of wasmhpc-run: options first, then the module, then the
// guest's argv (as in `mpirun -np N ./app args`).
#ifndef WASMHPC_WORKER_RUN_RUN_OPTIONS_H_
#define WASMHPC_WORKER_RUN_RUN_OPTIONS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "wasi/wasi.h"

namespace wasmhpc::run {

struct RunOptions {
  std::vector<wasi::Preopen> dirs;      // --dir HOST[:GUEST][:ro]
  std::vector<std::string> env;         // --env K=V
  std::string tier = "turbofan";        // --tier turbofan|liftoff|dynamic
  uint64_t max_memory_mib = 4096;       // --max-memory MiB
  std::string cache_dir;                // --cache DIR ("" after --no-cache)
  bool timings = false;                 // --timings
  bool fast_calls = true;               // --no-fast-calls
  std::string exit_text;                // --help, --version: print, exit 0
  std::string module_path;              // the first non-option argument
  std::vector<std::string> guest_args;  // module path, then what follows it
};

// Parses argv (argv[0] is the program): options up to the first argument
// that is none (or up to "--"); that one is the module, and it and all after
// it are the guest's argv, never parsed. Errors are InvalidArgument naming
// the offending argument. `default_cache_dir` is the cache used without
// --cache / --no-cache.
absl::StatusOr<RunOptions> ParseRunOptions(const std::vector<std::string>& argv,
                                           std::string default_cache_dir = "");

// $XDG_CACHE_HOME/wasmhpc, else $HOME/.cache/wasmhpc, else "" (no cache).
std::string DefaultCacheDir();

}  // namespace wasmhpc::run

#endif  // WASMHPC_WORKER_RUN_RUN_OPTIONS_H_
