// Internal to engine: the V8 state behind the public engine types.
#ifndef WASMHPC_ENGINE_V8_INTERNAL_H_
#define WASMHPC_ENGINE_V8_INTERNAL_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "engine/engine.h"
#include "v8.h"

namespace wasmhpc::engine {

struct Store::Impl {
  Engine* engine = nullptr;
  std::unique_ptr<v8::ArrayBuffer::Allocator> allocator;
  v8::Isolate* isolate = nullptr;
  uint64_t max_heap_bytes = 0;
  // V8's heap limit for the instance created last (LimitHeap): the heap in
  // use when it was created plus its memory limit, at most max_heap_bytes.
  uint64_t heap_limit = 0;
  // The limit a heap-exhausted trap names: that instance's memory limit, or
  // max_heap_bytes when it has none (or a larger one).
  uint64_t heap_limit_named = 0;
  // Set by the near-heap-limit callback, which also terminates the running
  // code; whoever catches the termination reports it and clears this.
  bool heap_exhausted = false;
  // Set with heap_exhausted, cleared by the next LimitHeap: V8's limit was
  // raised to let the stopped run finish, and its garbage is still there.
  bool heap_exhausted_before = false;
  v8::Global<v8::Context> context;
  // Exports of the guard instance for each list of fast import arities
  // (instance.cc, fast_calls.h); instance-independent, so made once.
  absl::flat_hash_map<std::vector<size_t>, v8::Global<v8::Object>> fast_guards;
};

// Enters a store's isolate, a handle scope and its context.
class StoreScope {
 public:
  explicit StoreScope(Store::Impl& store)
      : isolate_scope_(store.isolate),
        handles_(store.isolate),
        context_(store.context.Get(store.isolate)),
        context_scope_(context_) {}

  v8::Local<v8::Context> context() const { return context_; }

 private:
  v8::Isolate::Scope isolate_scope_;
  v8::HandleScope handles_;
  v8::Local<v8::Context> context_;
  v8::Context::Scope context_scope_;
};

struct Module::Impl {
  Store::Impl* store = nullptr;
  v8::Global<v8::WasmModuleObject> module;
  // The isolate-independent compiled code, for ShareWith().
  std::shared_ptr<v8::CompiledWasmModule> compiled;
};

// The isolate's streaming callback (Module::CompileWithCache). V8 only
// installs WebAssembly.compileStreaming in contexts created after it is set.
void FeedStreaming(const v8::FunctionCallbackInfo<v8::Value>& info);

// The message for a run stopped because the store's heap ran out.
std::string HeapExhaustedMessage(const Store::Impl& store);

// Lets the instance about to be created grow the store's heap by at most
// `bytes` (0: up to max_heap_bytes): V8's limit is lowered at once, and
// raised back by the near-heap-limit callback when an instance allowed more
// reaches a lower limit left by an earlier one.
void LimitHeap(Store::Impl& store, uint64_t bytes);

// The process's V8 platform (set by Engine::Get).
std::unique_ptr<v8::Platform>& Platform();

// The text of a caught exception: its "message" property if it has one.
std::string ExceptionMessage(v8::Isolate* isolate, v8::Local<v8::Value> error);

// A V8 string from UTF-8 text.
v8::Local<v8::String> V8String(v8::Isolate* isolate, absl::string_view text);

}  // namespace wasmhpc::engine

#endif  // WASMHPC_ENGINE_V8_INTERNAL_H_
