#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "libplatform/libplatform.h"
#include "worker/engine/engine.h"
#include "worker/engine/v8_internal.h"

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
};

}  // namespace

// V8 calls this for WebAssembly.compileStreaming(source); our source is an
// External pointing at the StreamingRequest.
void FeedStreaming(const v8::FunctionCallbackInfo<v8::Value>& info) {
  auto* request =
      static_cast<StreamingRequest*>(info[0].As<v8::External>()->Value());
  std::shared_ptr<v8::WasmStreaming> streaming =
      v8::WasmStreaming::Unpack(info.GetIsolate(), info.Data());
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
  v8::Isolate* isolate = s.isolate;
  v8::Local<v8::Context> context = scope.context();
  StreamingRequest request{bytes, cached_code};
  v8::TryCatch try_catch(isolate);
  v8::Local<v8::Object> wasm = context->Global()
                                   ->Get(context, V8String(isolate, "WebAssembly"))
                                   .ToLocalChecked()
                                   .As<v8::Object>();
  v8::Local<v8::Value> compile_streaming =
      wasm->Get(context, V8String(isolate, "compileStreaming")).ToLocalChecked();
  v8::Local<v8::Value> argv[] = {v8::External::New(isolate, &request)};
  v8::Local<v8::Value> promise_value;
  if (!compile_streaming.As<v8::Function>()
           ->Call(context, wasm, 1, argv)
           .ToLocal(&promise_value)) {
    return CompileError(isolate, try_catch);
  }
  // Background threads compile; their results arrive as foreground tasks.
  v8::Local<v8::Promise> promise = promise_value.As<v8::Promise>();
  while (promise->State() == v8::Promise::kPending) {
    v8::platform::PumpMessageLoop(
        Platform().get(), isolate,
                                  v8::platform::MessageLoopBehavior::kWaitForWork);
    isolate->PerformMicrotaskCheckpoint();
  }
  if (promise->State() == v8::Promise::kRejected) {
    return CompileError(isolate, try_catch, promise->Result());
  }
  auto impl = std::make_unique<Impl>();
  impl->store = &s;
  impl->module.Reset(isolate, promise->Result().As<v8::WasmModuleObject>());
  absl::StatusOr<std::unique_ptr<Module>> module =
      FromImpl(std::move(impl), bytes);
  if (module.ok()) (*module)->from_cache_ = request.cache_accepted;
  return module;
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
