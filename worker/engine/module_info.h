// ModuleInfo: what a Wasm binary imports and exports, read from its type,
// import and export sections without V8.
//
// Used to check imports against the host functions (with signatures, which
// V8 10.2's JS API does not expose) and to name missing exports.
#ifndef WASMHPC_WORKER_ENGINE_MODULE_INFO_H_
#define WASMHPC_WORKER_ENGINE_MODULE_INFO_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "worker/engine/host_func.h"

namespace wasmhpc::engine {

enum class ExternKind : uint8_t { kFunction, kTable, kMemory, kGlobal, kTag };

const char* ToString(ExternKind kind);

struct ImportInfo {
  std::string module;
  std::string name;
  ExternKind kind;
  FuncType func_type;  // Only for kFunction.
};

struct ExportInfo {
  std::string name;
  ExternKind kind;
  uint32_t index = 0;  // in the index space of `kind`
};

struct ModuleInfo {
  std::vector<ImportInfo> imports;
  std::vector<ExportInfo> exports;
  // Initial pages of the memory the module defines (0 if it defines none).
  uint32_t initial_memory_pages = 0;
  // Type of every function, imported ones first (the function index space).
  std::vector<FuncType> function_types;
  // Function index at each table-0 slot set by active element segments
  // (-1 where none is set).
  std::vector<int64_t> table_functions;

  // The type of exported function `name`, or nullptr.
  const FuncType* ExportedFunctionType(std::string_view name) const;
  // The type of the function at table slot `index`, or nullptr.
  const FuncType* TableFunctionType(uint32_t index) const;

  // The export called `name` of kind `kind`, or nullptr.
  const ExportInfo* FindExport(std::string_view name, ExternKind kind) const;
};

// Returns true if `bytes` starts with the Wasm magic number "\0asm".
bool HasWasmMagic(absl::Span<const uint8_t> bytes);

// Parses the type, import, function, memory, export and element sections. Returns InvalidArgument with
// the byte offset on malformed input (V8's validator gives better messages:
// call this after the module compiled).
absl::StatusOr<ModuleInfo> ParseModuleInfo(absl::Span<const uint8_t> bytes);

}  // namespace wasmhpc::engine

#endif  // WASMHPC_WORKER_ENGINE_MODULE_INFO_H_
