#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "engine/engine.h"
#include "engine/v8_internal.h"
#include "libplatform/libplatform.h"

namespace wasmhpc::engine {
namespace {

absl::Status CompileError(v8::Isolate* isolate, const v8::TryCatch& try_catch,
                          v8::Local<v8::Value> error = {}) {
  if (error.IsEmpty() && try_catch.HasCaught()) error = try_catch.Exception();
  std::string message =
      error.IsEmpty() ? "compilation failed" : ExceptionMessage(isolate, error);
  for (std::string_view prefix :
       {"WebAssembly.Module(): ", "WebAssembly.compileStreaming(): "}) {
    if (message.starts_with(prefix)) message.erase(0, prefix.size());
  }
  return absl::InvalidArgumentError(absl::StrCat("invalid module: ", message));
}

absl::Status CheckMagic(absl::Span<const uint8_t> bytes) {
  if (HasWasmMagic(bytes)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      "not a WebAssembly module (it does not start with \\0asm)");
}

// One streaming compilation: what the callback feeds V8.
struct StreamingRequest {
  absl::Span<const uint8_t> bytes;
  absl::Span<const uint8_t> cached_code;
  bool cache_accepted = false;
  // Set: the callback hands the stream over here instead of feeding it.
  std::shared_ptr<v8::WasmStreaming>* hold = nullptr;
};

// Calls WebAssembly.compileStreaming(External(request)); V8 runs
// FeedStreaming before this returns. The compile's promise, or its error.
absl::StatusOr<v8::Local<v8::Promise>> StartStreaming(
    v8::Isolate* isolate, v8::Local<v8::Context> context,
    StreamingRequest* request) {
  v8::TryCatch try_catch(isolate);
  v8::Local<v8::Object> wasm =
      context->Global()
          ->Get(context, V8String(isolate, "WebAssembly"))
          .ToLocalChecked()
          .As<v8::Object>();
  v8::Local<v8::Value> compile_streaming =
      wasm->Get(context, V8String(isolate, "compileStreaming"))
          .ToLocalChecked();
  v8::Local<v8::Value> argv[] = {v8::External::New(isolate, request)};
  v8::Local<v8::Value> promise;
  if (!compile_streaming.As<v8::Function>()
           ->Call(context, wasm, 1, argv)
           .ToLocal(&promise)) {
    return CompileError(isolate, try_catch);
  }
  return promise.As<v8::Promise>();
}

// Waits for a streaming compile: background threads compile, their results
// arrive as foreground tasks. The compiled module, or the validator's error.
absl::StatusOr<std::unique_ptr<Module::Impl>> AwaitModule(
    Store::Impl& s, v8::Local<v8::Promise> promise) {
  v8::TryCatch try_catch(s.isolate);
  while (promise->State() == v8::Promise::kPending) {
    v8::platform::PumpMessageLoop(
        Platform().get(), s.isolate,
        v8::platform::MessageLoopBehavior::kWaitForWork);
    s.isolate->PerformMicrotaskCheckpoint();
  }
  if (promise->State() == v8::Promise::kRejected) {
    return CompileError(s.isolate, try_catch, promise->Result());
  }
  auto impl = std::make_unique<Module::Impl>();
  impl->store = &s;
  impl->module.Reset(s.isolate, promise->Result().As<v8::WasmModuleObject>());
  return impl;
}

}  // namespace

// V8 calls this for WebAssembly.compileStreaming(source); our source is an
// External pointing at the StreamingRequest.
void FeedStreaming(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto* request =
      static_cast<StreamingRequest*>(info[0].As<v8::External>()->Value());
  std::shared_ptr<v8::WasmStreaming> streaming =
      v8::WasmStreaming::Unpack(info.GetIsolate(), info.Data());
  if (request->hold != nullptr) {
    *request->hold = std::move(streaming);
    return;
  }
  if (!request->cached_code.empty()) {
    request->cache_accepted = streaming->SetCompiledModuleBytes(
        request->cached_code.data(), request->cached_code.size());
  }
  streaming->OnBytesReceived(request->bytes.data(), request->bytes.size());
  streaming->Finish();
}

Module::Module(std::unique_ptr<Impl> impl, ModuleInfo info)
    : impl_(std::move(impl)), info_(std::move(info)) {}

Module::~Module() { impl_->module.Reset(); }

absl::StatusOr<std::unique_ptr<Module>> Module::FromImpl(
    std::unique_ptr<Impl> impl, absl::Span<const uint8_t> bytes) {
  absl::StatusOr<ModuleInfo> info = ParseModuleInfo(bytes);
  if (!info.ok()) return info.status();
  impl->compiled = std::make_shared<v8::CompiledWasmModule>(
      impl->module.Get(impl->store->isolate)->GetCompiledModule());
  return std::unique_ptr<Module>(new Module(std::move(impl), *std::move(info)));
}

absl::StatusOr<std::unique_ptr<Module>> Module::Compile(
    Store& store, absl::Span<const uint8_t> bytes) {
  if (absl::Status s = CheckMagic(bytes); !s.ok()) return s;
  Store::Impl& s = store.impl();
  StoreScope scope(s);
  v8::TryCatch try_catch(s.isolate);
  v8::Local<v8::WasmModuleObject> compiled;
  if (!v8::WasmModuleObject::Compile(
           s.isolate, v8::MemorySpan<const uint8_t>(bytes.data(), bytes.size()))
           .ToLocal(&compiled)) {
    return CompileError(s.isolate, try_catch);
  }
  auto impl = std::make_unique<Impl>();
  impl->store = &s;
  impl->module.Reset(s.isolate, compiled);
  return FromImpl(std::move(impl), bytes);
}

absl::StatusOr<std::unique_ptr<Module>> Module::CompileWithCache(
    Store& store, absl::Span<const uint8_t> bytes,
    absl::Span<const uint8_t> cached_code) {
  if (absl::Status s = CheckMagic(bytes); !s.ok()) return s;
  Store::Impl& s = store.impl();
  StoreScope scope(s);
  StreamingRequest request{bytes, cached_code};
  absl::StatusOr<v8::Local<v8::Promise>> promise =
      StartStreaming(s.isolate, scope.context(), &request);
  if (!promise.ok()) return promise.status();
  absl::StatusOr<std::unique_ptr<Impl>> impl = AwaitModule(s, *promise);
  if (!impl.ok()) return impl.status();
  absl::StatusOr<std::unique_ptr<Module>> module =
      FromImpl(*std::move(impl), bytes);
  if (module.ok()) (*module)->from_cache_ = request.cache_accepted;
  return module;
}

// --- StreamingCompile --------------------------------------------------------

struct StreamingCompile::Impl {
  Store::Impl* store = nullptr;
  std::shared_ptr<v8::WasmStreaming> streaming;
  v8::Global<v8::Promise> promise;
  absl::Status start_error;  // compileStreaming itself failed.
};

StreamingCompile::StreamingCompile(std::unique_ptr<Impl> impl)
    : impl_(std::move(impl)) {}

std::unique_ptr<StreamingCompile> StreamingCompile::Start(Store& store) {
  auto impl = std::make_unique<Impl>();
  impl->store = &store.impl();
  StoreScope scope(*impl->store);
  StreamingRequest request;
  request.hold = &impl->streaming;
  absl::StatusOr<v8::Local<v8::Promise>> promise =
      StartStreaming(impl->store->isolate, scope.context(), &request);
  if (promise.ok() && impl->streaming == nullptr) {
    promise = absl::InternalError("V8 did not start a streaming compile");
  }
  if (promise.ok()) {
    impl->promise.Reset(impl->store->isolate, *promise);
  } else {
    impl->start_error = promise.status();
    impl->streaming.reset();
  }
  return std::unique_ptr<StreamingCompile>(
      new StreamingCompile(std::move(impl)));
}

StreamingCompile::~StreamingCompile() {
  if (impl_->streaming == nullptr) return;
  StoreScope scope(*impl_->store);
  // No exception: the promise just never settles; V8 drops the job.
  impl_->streaming->Abort(v8::MaybeLocal<v8::Value>());
  impl_->streaming.reset();
  impl_->promise.Reset();
}

void StreamingCompile::Feed(absl::Span<const uint8_t> bytes) {
  if (impl_->streaming == nullptr || bytes.empty()) return;
  StoreScope scope(*impl_->store);
  impl_->streaming->OnBytesReceived(bytes.data(), bytes.size());
}

absl::StatusOr<std::unique_ptr<Module>> StreamingCompile::Finish(
    absl::Span<const uint8_t> all_bytes) {
  if (!impl_->start_error.ok()) return impl_->start_error;
  if (impl_->streaming == nullptr) {
    return absl::FailedPreconditionError("streaming compile already finished");
  }
  if (absl::Status s = CheckMagic(all_bytes); !s.ok()) return s;  // ~ aborts
  Store::Impl& s = *impl_->store;
  StoreScope scope(s);
  impl_->streaming->Finish();
  impl_->streaming.reset();
  absl::StatusOr<std::unique_ptr<Module::Impl>> impl =
      AwaitModule(s, impl_->promise.Get(s.isolate));
  impl_->promise.Reset();
  if (!impl.ok()) return impl.status();
  return Module::FromImpl(*std::move(impl), all_bytes);
}

std::unique_ptr<Module> Module::ShareWith(Store& other) const {
  Store::Impl& s = other.impl();
  StoreScope scope(s);
  auto impl = std::make_unique<Impl>();
  impl->store = &s;
  impl->compiled = impl_->compiled;
  impl->module.Reset(s.isolate, v8::WasmModuleObject::FromCompiledModule(
                                    s.isolate, *impl_->compiled)
                                    .ToLocalChecked());
  auto module = std::unique_ptr<Module>(new Module(std::move(impl), info_));
  module->from_cache_ = from_cache_;
  return module;
}

std::vector<uint8_t> Module::Serialize() const {
  StoreScope scope(*impl_->store);
  v8::OwnedBuffer buffer =
      impl_->module.Get(impl_->store->isolate)->GetCompiledModule().Serialize();
  return std::vector<uint8_t>(buffer.buffer.get(),
                              buffer.buffer.get() + buffer.size);
}

}  // namespace wasmhpc::engine
