// ModuleInfo: what a Wasm binary imports and exports, read from its type,
// import and export sections without V8.
//
// Used to check imports against the host functions (with signatures, which
// V8 10.2's JS API does not expose) and to name missing exports.
#ifndef WASMHPC_ENGINE_MODULE_INFO_H_
#define WASMHPC_ENGINE_MODULE_INFO_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "engine/host_func.h"

namespace wasmhpc::engine {

enum class ExternKind : uint8_t { kFunction, kTable, kMemory, kGlobal, kTag };

const char* ToString(ExternKind kind);

struct ImportInfo {
  std::string module;
  std::string name;
  ExternKind kind;
  uint32_t type_index = 0;  // Only for kFunction: into ModuleInfo::types.
};

struct ExportInfo {
  std::string name;
  ExternKind kind;
  uint32_t index = 0;  // in the index space of `kind`
};

struct TableInfo {
  uint32_t initial = 0;             // entries
  std::optional<uint32_t> maximum;  // entries, if declared
};

struct ModuleInfo {
  std::vector<ImportInfo> imports;
  std::vector<ExportInfo> exports;
  // Initial pages of the memory the module defines (0 if it defines none).
  uint32_t initial_memory_pages = 0;
  // Whether the module defines or imports a memory.
  bool has_memory = false;
  // The type section.
  std::vector<FuncType> types;
  // Type of every function, imported ones first (the function index
  // space), as indices into `types` (a type is stored once however many
  // functions have it: memory stays proportional to the module's size).
  std::vector<uint32_t> function_types;
  // Function index at each table-0 slot set by active element segments
  // (absent where none is set).
  absl::flat_hash_map<uint32_t, uint32_t> table_functions;
  // Every table, imported ones first.
  std::vector<TableInfo> tables;

  // The type of exported function `name`, or nullptr.
  const FuncType* ExportedFunctionType(std::string_view name) const;
  // The type of import `imp` (a function).
  const FuncType& ImportType(const ImportInfo& imp) const {
    return types[imp.type_index];
  }
  // The type of the function at table slot `index`, or nullptr.
  const FuncType* TableFunctionType(uint32_t index) const;

  // The sum of the tables' initial sizes.
  uint64_t InitialTableEntries() const;

  // The export called `name` of kind `kind`, or nullptr.
  const ExportInfo* FindExport(std::string_view name, ExternKind kind) const;
};

// Returns true if `bytes` starts with the Wasm magic number "\0asm".
bool HasWasmMagic(absl::Span<const uint8_t> bytes);

// Parses the type, import, function, table, memory, export and element
// sections. Returns InvalidArgument with the byte offset on malformed input
// (V8's validator gives better messages: call this after the module
// compiled where possible). Safe on untrusted bytes: every count is checked
// against the bytes left before anything is sized from it, so memory use is
// proportional to the module's size.
absl::StatusOr<ModuleInfo> ParseModuleInfo(absl::Span<const uint8_t> bytes);

}  // namespace wasmhpc::engine

#endif  // WASMHPC_ENGINE_MODULE_INFO_H_
