#include "server/v8_module_compiler.h"

#include <cstdint>
#include <string>
#include <vector>

namespace wasmhpc::server {
namespace {

absl::Span<const uint8_t> Bytes(absl::string_view bytes) {
  return {reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()};
}

// A streaming compile in an isolate of its own (one per upload).
class V8Session final : public ModuleCompiler::Session {
 public:
  explicit V8Session(engine::Engine& engine)
      : store_(engine::Store::Create(engine)),
        compile_(engine::StreamingCompile::Start(*store_)) {}

  void Feed(absl::string_view bytes) override { compile_->Feed(Bytes(bytes)); }

  absl::StatusOr<std::string> Finish(absl::string_view all_bytes) override {
    absl::StatusOr<std::unique_ptr<engine::Module>> module =
        compile_->Finish(Bytes(all_bytes));
    if (!module.ok()) return module.status();
    std::vector<uint8_t> code = (*module)->Serialize();
    return std::string(code.begin(), code.end());
  }

 private:
  // Members go in reverse order: the compile before its store.
  std::unique_ptr<engine::Store> store_;
  std::unique_ptr<engine::StreamingCompile> compile_;
};

class V8ModuleCompiler final : public ModuleCompiler {
 public:
  explicit V8ModuleCompiler(engine::Engine& engine)
      : engine_(engine), fingerprint_(engine.Fingerprint()) {}

  const std::string& fingerprint() const override { return fingerprint_; }

  std::unique_ptr<Session> Start() override {
    return std::make_unique<V8Session>(engine_);
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
