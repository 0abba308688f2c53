// ModuleLoader: gets a compiled module for wasmhpc-run: from the code cache
// (RocksDB keyed by module digest and engine fingerprint), else by
// compiling and then caching the serialized code; or from code a node
// peer already loaded (one rank per node touches the cache).
//
// The cache is opened read-only for the lookup (no lock, nothing written:
// a hit costs no fsync and leaves no file behind) and reopened for writing
// only to store new code after a miss. A cache that cannot be opened or
// written is reported once through `warn` and the run goes on without it;
// one that another process holds open for writing is read but not written.
// Thread safety: one thread (the cache lookup runs on helper threads of its
// own, which Load() waits for).
#ifndef WASMHPC_WORKER_RUN_MODULE_LOADER_H_
#define WASMHPC_WORKER_RUN_MODULE_LOADER_H_

#include <functional>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "cache-store/cache_store.h"
#include "engine/engine.h"

namespace wasmhpc::run {

// Where a module's code came from and what getting it cost. On a cache hit
// `milliseconds` is what Load() cost the caller: waiting for the cache
// lookup (helper threads that open the cache and hash the module, then read
// the code; started by Prepare() during the caller's start-up, or by Load()
// itself), then V8's deserialization.
struct LoadReport {
  enum class Source { kCompiled, kCache, kNodePeer } source;
  double milliseconds = 0;         // Load() all told
  double open_milliseconds = 0;    // opening the cache (helper thread)
  double digest_milliseconds = 0;  // the module's digest (another helper)
  double read_milliseconds = 0;    // then: store read + checks (helper)
  double wait_milliseconds = 0;    // Load() waiting for the helpers
  // then: compiling, or V8 taking the cached code
  double compile_milliseconds = 0;
};

const char* ToString(LoadReport::Source source);

class ModuleLoader {
 public:
  // `cache_dir` empty: no cache. `warn` receives one line per problem.
  ModuleLoader(engine::Engine& engine, std::string cache_dir,
               std::function<void(std::string)> warn);
  ~ModuleLoader();

  // Starts the cache lookup of `bytes` on helper threads (open the cache
  // and hash the module at once, then read the code), so that it overlaps
  // what the caller does before Load() (MPI start-up, creating the V8
  // isolate). Optional: Load() starts it itself otherwise.
  // REQUIRES: `bytes` stays valid and unchanged until Load() returns.
  void Prepare(absl::Span<const uint8_t> bytes);

  // Loads from the cache or compiles (and caches) into `store`. `code`, if
  // not null, receives the serialized code (empty when the tier's code
  // cannot be serialized), to share with node peers.
  absl::StatusOr<std::unique_ptr<engine::Module>> Load(
      engine::Store& store, absl::Span<const uint8_t> bytes,
      std::vector<uint8_t>* code, LoadReport* report);

  // Loads from code that a node peer's Load() produced (compiles if empty).
  absl::StatusOr<std::unique_ptr<engine::Module>> LoadFromPeer(
      engine::Store& store, absl::Span<const uint8_t> bytes,
      absl::Span<const uint8_t> code, LoadReport* report);

 private:
  // The cache opened read-only (on first use), or the writable one if
  // already open; nullptr if there is none yet or it is unusable.
  CacheStore* CacheForReading();
  // The cache opened for writing (replacing a read-only one); nullptr if
  // unusable or another process holds it.
  CacheStore* CacheForWriting();
  // Keeps an opened store; reports a failure once and gives up on the cache.
  CacheStore* Keep(absl::StatusOr<std::unique_ptr<CacheStore>> store);
  // The store's diagnostics, through warn_.
  std::function<void(absl::string_view)> Log();

  // What Prepare()'s helpers produce.
  struct Digested {
    std::string digest;
    double milliseconds = 0;
  };
  struct Lookup {
    CacheStore* cache = nullptr;  // nullptr: no usable cache
    double open_milliseconds = 0;
    absl::StatusOr<SharedBytes> code = absl::NotFoundError("not looked up");
    double read_milliseconds = 0;
  };

  engine::Engine& engine_;
  std::string cache_dir_;
  std::function<void(std::string)> warn_;
  std::unique_ptr<CacheStore> cache_;
  bool cache_unusable_ = false;
  // Prepare()'s helpers (declared last: destroying them waits for them).
  absl::Span<const uint8_t> prepared_bytes_;
  std::shared_future<Digested> digested_;
  std::future<Lookup> lookup_;
};

}  // namespace wasmhpc::run

#endif  // WASMHPC_WORKER_RUN_MODULE_LOADER_H_
