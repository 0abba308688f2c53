// The ModuleCompiler of the real head: V8 through the worker engine
// (engine/engine.h), TurboFan code serialized for the pools.
//
// Execution model: each Compile call makes its own Store (V8 isolate) on the
// calling thread and drops it before returning, so concurrent uploads compile
// in parallel and no isolate outlives its thread.
#ifndef WASMHPC_SERVER_V8_MODULE_COMPILER_H_
#define WASMHPC_SERVER_V8_MODULE_COMPILER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "engine/engine.h"
#include "server/handlers/module_compiler.h"

namespace wasmhpc::server {

// Initializes the process's engine with `options` (Engine::Get). Pools must
// use equal options for their fingerprint to match. Fails like Engine::Get.
absl::StatusOr<std::unique_ptr<ModuleCompiler>> NewV8ModuleCompiler(
    const engine::EngineOptions& options = {});

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_V8_MODULE_COMPILER_H_
