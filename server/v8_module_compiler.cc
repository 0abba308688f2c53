#include "server/v8_module_compiler.h"

#include <cstdint>
#include <string>
#include <vector>

namespace wasmhpc::server {
namespace {

class V8ModuleCompiler final : public ModuleCompiler {
 public:
  explicit V8ModuleCompiler(engine::Engine& engine)
      : engine_(engine), fingerprint_(engine.Fingerprint()) {}

  const std::string& fingerprint() const override { return fingerprint_; }

  absl::StatusOr<std::string> Compile(absl::string_view bytes) override {
    std::unique_ptr<engine::Store> store = engine::Store::Create(engine_);
    absl::Span<const uint8_t> span(
        reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    absl::StatusOr<std::unique_ptr<engine::Module>> module =
        engine::Module::Compile(*store, span);
    if (!module.ok()) return module.status();
    std::vector<uint8_t> code = (*module)->Serialize();
    module->reset();  // Before its store goes.
    return std::string(code.begin(), code.end());
  }

 private:
  engine::Engine& engine_;
  const std::string fingerprint_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<ModuleCompiler>> NewV8ModuleCompiler(
    const engine::EngineOptions& options) {
  absl::StatusOr<engine::Engine*> engine = engine::Engine::Get(options);
  if (!engine.ok()) return engine.status();
  return std::make_unique<V8ModuleCompiler>(**engine);
}

}  // namespace wasmhpc::server
