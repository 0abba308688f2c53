#include "engine/engine.h"

#include <algorithm>
#include <mutex>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "engine/v8_internal.h"
#include "libplatform/libplatform.h"

namespace wasmhpc::engine {
namespace {

// Each tier's name and the V8 flags that make its code (part of the
// fingerprint).
struct TierInfo {
  Tier tier;
  const char* name;
  const char* flags;
};
constexpr TierInfo kTiers[] = {
    {Tier::kTurbofan, "turbofan", "--no-liftoff --no-wasm-tier-up"},
    {Tier::kLiftoff, "liftoff", "--liftoff --no-wasm-tier-up"},
    {Tier::kDynamic, "dynamic", "--liftoff --wasm-tier-up"},
};

const TierInfo* FindTier(Tier tier) {
  for (const TierInfo& info : kTiers) {
    if (info.tier == tier) return &info;
  }
  return nullptr;
}

std::string TierFlags(Tier tier) {
  const TierInfo* info = FindTier(tier);
  return info ? info->flags : "";
}

std::string Flags(const EngineOptions& options) {
  return absl::StrCat(
      TierFlags(options.tier),
      options.fast_host_calls ? " --turbo-fast-api-calls" : "",
      " --wasm-max-mem-pages=", options.max_memory_bytes / kWasmPageSize,
      " --wasm-max-table-size=", kMaxTableEntries, " --stack-trace-limit=32",
      // For Store::CollectGarbage's young-generation collection; contexts
      // run no JavaScript, so the gc() it also defines is never reachable.
      " --expose-gc");
}

// V8 calls this when the store's heap is nearly full; V8 would abort the
// process if it stayed full. Stops the running code instead, and gives the
// heap room to finish what it does meanwhile (the initial limit comes back
// once usage drops: AutomaticallyRestoreInitialHeapLimit).
size_t NearHeapLimit(void* data, size_t current_limit, size_t) {
  auto* store = static_cast<Store::Impl*>(data);
  if (current_limit < store->heap_limit) {
    return store->heap_limit;  // a lower limit an earlier instance had
  }
  store->heap_exhausted = store->heap_exhausted_before = true;
  store->isolate->TerminateExecution();
  // Room for the largest single allocation a guest makes: a table of
  // kMaxTableEntries grown (old and new entry arrays, 80 MB each).
  return current_limit + std::max<size_t>(current_limit / 2, size_t{256} << 20);
}

}  // namespace

std::string HeapExhaustedMessage(const Store::Impl& store) {
  return absl::StrCat(
      "out of memory: the engine heap (tables and other V8 memory) reached "
      "its limit of ",
      store.heap_limit_named >> 20, " MiB");
}

void LimitHeap(Store::Impl& store, uint64_t bytes) {
  const bool limited = bytes != 0 && bytes < store.max_heap_bytes;
  v8::HeapStatistics heap;
  store.isolate->GetHeapStatistics(&heap);
  // What an earlier instance left (its tables, or the room a heap-exhausted
  // run was given) must not count for this one: collect it first.
  if (store.heap_exhausted_before ||
      (limited && heap.used_heap_size() > bytes / 2)) {
    store.isolate->LowMemoryNotification();
    store.isolate->GetHeapStatistics(&heap);
    store.heap_exhausted_before = false;
  }
  store.heap_limit =
      limited ? std::min(heap.used_heap_size() + bytes, store.max_heap_bytes)
              : store.max_heap_bytes;
  store.heap_limit_named = limited ? bytes : store.max_heap_bytes;
  // Removing the callback with a limit lowers V8's limit to it (never below
  // the live heap).
  store.isolate->RemoveNearHeapLimitCallback(NearHeapLimit, store.heap_limit);
  store.isolate->AddNearHeapLimitCallback(NearHeapLimit, &store);
}

std::unique_ptr<v8::Platform>& Platform() {
  static std::unique_ptr<v8::Platform> platform;
  return platform;
}

absl::StatusOr<Tier> ParseTier(std::string_view name) {
  for (const TierInfo& info : kTiers) {
    if (name == info.name) return info.tier;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unknown tier '", std::string(name),
                   "' (expected turbofan, liftoff or dynamic)"));
}

const char* ToString(Tier tier) {
  const TierInfo* info = FindTier(tier);
  return info ? info->name : "?";
}

absl::StatusOr<Engine*> Engine::Get(const EngineOptions& options) {
  static std::mutex mu;
  static Engine* engine = nullptr;
  std::lock_guard<std::mutex> lock(mu);
  if (engine != nullptr) {
    if (Flags(engine->options_) != Flags(options)) {
      return absl::FailedPreconditionError(
          "engine already initialized with other options");
    }
    return engine;
  }
  if (options.max_memory_bytes < kWasmPageSize ||
      options.max_memory_bytes > (uint64_t{4} << 30)) {
    return absl::InvalidArgumentError(
        "max memory must be between 64 KiB and 4 GiB");
  }
  std::string flags = Flags(options);
  v8::V8::SetFlagsFromString(flags.c_str(), flags.size());
  Platform() = v8::platform::NewDefaultPlatform();
  v8::V8::InitializePlatform(Platform().get());
  v8::V8::Initialize();
  engine = new Engine(options);
  return engine;
}

std::string Engine::Fingerprint() const {
  // The x86-64 features V8's code generators test for.
  std::string cpu;
  __builtin_cpu_init();
#define WASMHPC_CPU(feature) \
  if (__builtin_cpu_supports(feature)) absl::StrAppend(&cpu, " ", feature);
  WASMHPC_CPU("sse3")
  WASMHPC_CPU("ssse3")
  WASMHPC_CPU("sse4.1")
  WASMHPC_CPU("sse4.2")
  WASMHPC_CPU("popcnt")
  WASMHPC_CPU("avx")
  WASMHPC_CPU("avx2")
  WASMHPC_CPU("fma")
  WASMHPC_CPU("bmi")
  WASMHPC_CPU("bmi2")
#undef WASMHPC_CPU
  return absl::StrCat("v8 ", v8::V8::GetVersion(), " ", Flags(options_), " cpu",
                      cpu);
}

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

std::unique_ptr<Store> Store::Create(Engine& engine,
                                     const StoreOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->engine = &engine;
  impl->max_heap_bytes = std::max<uint64_t>(
      options.max_heap_bytes > 0 ? options.max_heap_bytes
                                 : engine.options().max_memory_bytes,
      uint64_t{16} << 20);
  impl->allocator.reset(v8::ArrayBuffer::Allocator::NewDefaultAllocator());
  v8::Isolate::CreateParams params;
  params.array_buffer_allocator = impl->allocator.get();
  params.constraints.set_max_old_generation_size_in_bytes(impl->max_heap_bytes);
  impl->isolate = v8::Isolate::New(params);
  impl->heap_limit = impl->heap_limit_named = impl->max_heap_bytes;
  impl->isolate->AddNearHeapLimitCallback(NearHeapLimit, impl.get());
  impl->isolate->AutomaticallyRestoreInitialHeapLimit(0.5);
  impl->isolate->SetWasmStreamingCallback(FeedStreaming);
  {
    v8::Isolate::Scope isolate_scope(impl->isolate);
    v8::HandleScope handles(impl->isolate);
    impl->context.Reset(impl->isolate, v8::Context::New(impl->isolate));
  }
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

void Store::Terminate() { impl_->isolate->TerminateExecution(); }

void Store::CollectGarbage() {
  v8::Isolate::Scope isolate_scope(impl_->isolate);
  impl_->isolate->RequestGarbageCollectionForTesting(
      v8::Isolate::kMinorGarbageCollection);
}

Store::~Store() {
  impl_->fast_guards.clear();
  impl_->context.Reset();
  impl_->isolate->Dispose();
}

std::string ExceptionMessage(v8::Isolate* isolate, v8::Local<v8::Value> error) {
  v8::Local<v8::Context> context = isolate->GetCurrentContext();
  v8::Local<v8::Value> text = error;
  if (error->IsObject()) {
    v8::Local<v8::Value> message;
    if (error.As<v8::Object>()
            ->Get(context, V8String(isolate, "message"))
            .ToLocal(&message) &&
        message->IsString()) {
      text = message;
    }
  }
  v8::String::Utf8Value utf8(isolate, text);
  return *utf8 ? std::string(*utf8, utf8.length()) : "unknown error";
}

v8::Local<v8::String> V8String(v8::Isolate* isolate, absl::string_view text) {
  return v8::String::NewFromUtf8(isolate, text.data(),
                                 v8::NewStringType::kNormal,
                                 static_cast<int>(text.size()))
      .ToLocalChecked();
}

}  // namespace wasmhpc::engine
