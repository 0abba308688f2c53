#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "worker/engine/engine.h"
#include "worker/engine/v8_internal.h"

namespace wasmhpc::engine {

Module::Module(std::unique_ptr<Impl> impl, ModuleInfo info)
    : impl_(std::move(impl)), info_(std::move(info)) {}

Module::~Module() { impl_->module.Reset(); }

absl::StatusOr<std::unique_ptr<Module>> Module::Compile(
    Store& store, absl::Span<const uint8_t> bytes) {
  if (!HasWasmMagic(bytes)) {
    return absl::InvalidArgumentError(
        "not a WebAssembly module (it does not start with \\0asm)");
  }
  Store::Impl& s = store.impl();
  StoreScope scope(s);
  v8::TryCatch try_catch(s.isolate);
  v8::Local<v8::WasmModuleObject> compiled;
  if (!v8::WasmModuleObject::Compile(
           s.isolate, v8::MemorySpan<const uint8_t>(bytes.data(), bytes.size()))
           .ToLocal(&compiled)) {
    std::string message =
        try_catch.HasCaught()
            ? ExceptionMessage(s.isolate, try_catch.Exception())
            : "compilation failed";
    constexpr std::string_view kPrefix = "WebAssembly.Module(): ";
    if (message.starts_with(kPrefix)) message.erase(0, kPrefix.size());
    return absl::InvalidArgumentError(absl::StrCat("invalid module: ", message));
  }
  absl::StatusOr<ModuleInfo> info = ParseModuleInfo(bytes);
  if (!info.ok()) return info.status();
  auto impl = std::make_unique<Impl>();
  impl->store = &s;
  impl->module.Reset(s.isolate, compiled);
  return std::unique_ptr<Module>(new Module(std::move(impl), *std::move(info)));
}

}  // namespace wasmhpc::engine
