// ModuleLoader: gets a compiled module for wasmhpc-run: from the code cache
// (RocksDB keyed by module digest and engine fingerprint), else by
// compiling and then caching the serialized code; or from code a node
// peer already loaded (one rank per node touches the cache).
//
// A cache that cannot be opened or written is reported once through `warn`
// and the run goes on without it. Thread safety: one thread.
#ifndef WASMHPC_WORKER_RUN_MODULE_LOADER_H_
#define WASMHPC_WORKER_RUN_MODULE_LOADER_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "worker/engine/engine.h"

namespace wasmhpc {
class CacheStore;
}

namespace wasmhpc::run {

struct LoadReport {
  enum class Source { kCompiled, kCache, kNodePeer } source;
  double milliseconds = 0;         // getting the code, all told
  double lookup_milliseconds = 0;  // of which: digest + cache lookup
};

const char* ToString(LoadReport::Source source);

class ModuleLoader {
 public:
  // `cache_dir` empty: no cache. `warn` receives one line per problem.
  ModuleLoader(engine::Engine& engine, engine::Store& store,
               std::string cache_dir, std::function<void(std::string)> warn);
  ~ModuleLoader();

  // Loads from the cache or compiles (and caches). `code`, if not null,
  // receives the serialized code (empty when the tier's code cannot be
  // serialized), to share with node peers.
  absl::StatusOr<std::unique_ptr<engine::Module>> Load(
      absl::Span<const uint8_t> bytes, std::vector<uint8_t>* code,
      LoadReport* report);

  // Loads from code that a node peer's Load() produced (compiles if empty).
  absl::StatusOr<std::unique_ptr<engine::Module>> LoadFromPeer(
      absl::Span<const uint8_t> bytes, absl::Span<const uint8_t> code,
      LoadReport* report);

 private:
  // Opens the cache on first use; nullptr (reported once) if unavailable.
  CacheStore* Cache();

  engine::Engine& engine_;
  engine::Store& store_;
  std::string cache_dir_;
  std::function<void(std::string)> warn_;
  std::unique_ptr<CacheStore> cache_;
  bool cache_tried_ = false;
};

}  // namespace wasmhpc::run

#endif  // WASMHPC_WORKER_RUN_MODULE_LOADER_H_
