// The wasmhpc embedder API: Engine -> Store -> Module -> Instance, in the
// spirit of wasm-c-api. No V8 type appears here; V8 lives in the .cc files.
//
// Thread safety: the Engine is process-wide and thread-safe. A Store (one V8
// isolate) and everything made from it belong to the thread that created it.
// Errors are absl::Status values; a guest trap is a value (Trap), not an
// error.
#ifndef WASMHPC_ENGINE_ENGINE_H_
#define WASMHPC_ENGINE_ENGINE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "engine/guest_memory.h"
#include "engine/host_func.h"
#include "engine/module_info.h"

namespace wasmhpc::engine {

// Which V8 compiler produces the code.
enum class Tier {
  kTurbofan,  // Optimizing compiler, whole module compiled before the run.
  kLiftoff,   // Baseline compiler only: fast compile, slower code.
  kDynamic,   // Liftoff first, hot functions tier up to TurboFan.
};

// "turbofan" | "liftoff" | "dynamic".
absl::StatusOr<Tier> ParseTier(std::string_view name);
const char* ToString(Tier tier);

inline constexpr uint64_t kWasmPageSize = 64 * 1024;
// What one table entry costs in V8 10.2, about: the table's entry, and for
// funcref tables the instance's signature id, call target and reference.
inline constexpr uint64_t kTableEntryBytes = 32;
// The most entries one table may have or grow to (V8's own bound is 10M).
inline constexpr uint32_t kMaxTableEntries = 10'000'000;

struct EngineOptions {
  // Default: kTurbofan.
  Tier tier = Tier::kTurbofan;
  // Largest linear memory any instance may have; memory.grow beyond it
  // fails (the guest sees -1). Rounded down to whole pages. Instances may
  // have a lower limit (InstanceOptions). Also the default V8 heap limit of
  // a store (StoreOptions). Default: 4 GiB, the wasm32 maximum.
  uint64_t max_memory_bytes = uint64_t{4} << 30;
  // Call host functions that have a fast entry (HostFunc::fast) through
  // V8's Wasm -> fast API call path, where this V8 supports it (10.2).
  // Default: true.
  bool fast_host_calls = true;
};

// The process-wide V8 platform, configured once.
class Engine {
 public:
  // Initializes V8 on first call. Later calls return the same engine if the
  // options are equal, else FailedPrecondition (V8 flags are per process).
  static absl::StatusOr<Engine*> Get(const EngineOptions& options = {});

  const EngineOptions& options() const { return options_; }
  // What compiled code depends on: V8 version, the code-affecting flags and
  // the CPU features V8 uses. Cached code is only valid for an equal
  // fingerprint.
  std::string Fingerprint() const;

 private:
  explicit Engine(const EngineOptions& options) : options_(options) {}
  EngineOptions options_;
};

struct StoreOptions {
  // The store's V8 heap limit (tables, JS objects, everything of V8's but
  // linear memory). Guest code that reaches it is stopped: RunStart
  // returns a Trap "out of memory: ..." (Instance::Create an error), and
  // the process goes on (V8 would otherwise abort it). 0: the engine's
  // max_memory_bytes. At least 16 MiB.
  uint64_t max_heap_bytes = 0;
};

// One V8 isolate with its context: the unit of isolation and of threading.
class Store {
 public:
  static std::unique_ptr<Store> Create(Engine& engine,
                                       const StoreOptions& options = {});
  ~Store();

  // Stops the guest code running in this store as soon as possible (a
  // compute loop included): RunStart then returns with `terminated` set.
  // Thread-safe: meant for a watchdog or cancel thread. Called while
  // nothing runs, it stops the next run at its first instruction: callers
  // terminate only a run they know is in progress.
  void Terminate();

  // Frees now what instances that are gone left behind (their linear
  // memory and tables, which V8 frees only at a garbage collection), so
  // that the next Instance::Create does not collect them first. Call
  // between runs, off the path a caller waits on; same thread as the runs.
  void CollectGarbage();

  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A compiled module. Owned by the caller; must not outlive its Store.
class Module {
 public:
  // Validates and compiles `bytes` with the engine's tier. Errors:
  // InvalidArgument "not a WebAssembly module ..." when the magic number is
  // missing, InvalidArgument "invalid module: <V8 validator message>".
  static absl::StatusOr<std::unique_ptr<Module>> Compile(
      Store& store, absl::Span<const uint8_t> bytes);

  // As Compile(), but first offers V8 `cached_code` through streaming
  // compilation; V8 falls back to compiling if its version or flags differ.
  // from_cache() tells which happened.
  // REQUIRES: `cached_code` is exactly what Serialize() produced for these
  // bytes under an equal Engine::Fingerprint(). V8 trusts it: corrupt or
  // foreign code crashes the process (verified on V8 10.2), so callers load
  // it only from a checksummed store keyed by (module digest, fingerprint).
  static absl::StatusOr<std::unique_ptr<Module>> CompileWithCache(
      Store& store, absl::Span<const uint8_t> bytes,
      absl::Span<const uint8_t> cached_code);

  ~Module();

  const ModuleInfo& info() const { return info_; }
  // True if the code came from the cached code given to CompileWithCache.
  bool from_cache() const { return from_cache_; }
  // The compiled code, serialized for a later CompileWithCache. Empty when
  // V8 cannot serialize it (Liftoff code is not serializable).
  std::vector<uint8_t> Serialize() const;

  // The same compiled code as a module of `other` (another isolate of this
  // process): nothing is compiled or copied, V8 shares the native code.
  // Warm executors keep modules this way. REQUIRES: called on `other`'s
  // thread; this module outlives nothing it shares (V8 refcounts the code).
  std::unique_ptr<Module> ShareWith(Store& other) const;

  struct Impl;
  Impl& impl() const { return *impl_; }

 private:
  friend class StreamingCompile;
  Module(std::unique_ptr<Impl> impl, ModuleInfo info);
  // Wraps compiled code (impl) with the info parsed from `bytes`.
  static absl::StatusOr<std::unique_ptr<Module>> FromImpl(
      std::unique_ptr<Impl> impl, absl::Span<const uint8_t> bytes);

  std::unique_ptr<Impl> impl_;
  ModuleInfo info_;
  bool from_cache_ = false;
};

// A module compiled while its bytes arrive (V8 streaming compilation): V8
// decodes, validates and compiles functions in background threads as their
// bytes come in, so an upload's compile overlaps its transfer.
// Thread safety: one thread, the one that uses `store`; the store outlives
// this. Destroying it before Finish abandons the compile.
class StreamingCompile {
 public:
  static std::unique_ptr<StreamingCompile> Start(Store& store);
  ~StreamingCompile();

  // Hands V8 the next bytes of the module (V8 copies them).
  void Feed(absl::Span<const uint8_t> bytes);

  // Ends the byte stream and waits for the compile. `all_bytes`: everything
  // fed, in order (for the module's import/export info). Errors as
  // Module::Compile. Called at most once.
  absl::StatusOr<std::unique_ptr<Module>> Finish(
      absl::Span<const uint8_t> all_bytes);

  struct Impl;

 private:
  explicit StreamingCompile(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A guest fault: the trap message and the Wasm stack, innermost first
// ("fib (wasm-function[3]:0x8a)", names from the name section if present).
struct Trap {
  std::string message;
  std::vector<std::string> frames;
};

// How a run ended: the guest returned from _start (exit code 0), called
// proc_exit (its code), trapped (or ran the store's heap out: a Trap whose
// message starts "out of memory"), or was stopped by Store::Terminate().
struct RunResult {
  int32_t exit_code = 0;
  std::optional<Trap> trap;
  bool terminated = false;
};

struct InstanceOptions {
  // The most memory the instance may have: its linear memory (memory.grow
  // beyond it fails, the guest sees -1) plus its tables at the start
  // (kTableEntryBytes per entry). Separately, how far the store's V8 heap
  // may grow while the instance exists (tables grown, other engine memory;
  // the store's max_heap_bytes at most): a run that reaches it traps "out of
  // memory: the engine heap ...", as StoreOptions::max_heap_bytes says. 0
  // or more than the engine's max_memory_bytes: the engine's.
  uint64_t max_memory_bytes = 0;
};

class Instance {
 public:
  // Instantiates `module` with `host` functions. Every import must be a
  // function matched by module, name and signature, else NotFound
  // "unknown import <module>.<name> (<kind>)" or InvalidArgument naming both
  // signatures. A start-function trap is InvalidArgument with its message.
  // ResourceExhausted when the module's initial memory and tables exceed
  // the limit (options), or it defines a memory it does not export (which
  // the limit could not hold) while the limit is below the engine's, or
  // the store's heap ran out while instantiating.
  static absl::StatusOr<std::unique_ptr<Instance>> Create(
      Store& store, const Module& module, std::vector<HostFunc> host,
      const InstanceOptions& options = {});
  ~Instance();

  // Runs the exported `_start`. NotFound if the module has no such export.
  absl::StatusOr<RunResult> RunStart();

  // The exported "memory" (empty, size 0, if the module exports none).
  GuestMemory& memory();

  struct Impl;

 private:
  explicit Instance(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace wasmhpc::engine

#endif  // WASMHPC_ENGINE_ENGINE_H_
