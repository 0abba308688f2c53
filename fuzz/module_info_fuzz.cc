// ParseModuleInfo on arbitrary bytes: never crashes, never allocates more
// than the input's size justifies (the test runs with -malloc_limit_mb),
// and what it accepts is consistent: every type index it stores is in
// range, so the accessors (ImportType, ExportedFunctionType,
// TableFunctionType, ToString) are safe on any module it returns.
#include <cstddef>
#include <cstdint>

#include "engine/module_info.h"
#include "fuzz/fuzz_check.h"

using wasmhpc::engine::ExternKind;

namespace {

bool ValidKind(ExternKind kind) {
  return static_cast<uint8_t>(kind) <= static_cast<uint8_t>(ExternKind::kTag);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::StatusOr<wasmhpc::engine::ModuleInfo> info =
      wasmhpc::engine::ParseModuleInfo(absl::MakeConstSpan(data, size));
  if (!info.ok()) {
    FUZZ_CHECK(absl::IsInvalidArgument(info.status()));
    return 0;
  }
  // Memory proportional to the input: every entry stored took input bytes.
  size_t entries = info->imports.size() + info->exports.size() +
                   info->types.size() + info->tables.size() +
                   info->table_functions.size();
  for (const auto& type : info->types) {
    entries += type.params.size() + type.results.size();
  }
  FUZZ_CHECK(entries <= size);
  FUZZ_CHECK(info->function_types.size() <= size);

  for (uint32_t type : info->function_types) {
    FUZZ_CHECK(type < info->types.size());
  }
  for (const auto& imp : info->imports) {
    FUZZ_CHECK(ValidKind(imp.kind));
    (void)wasmhpc::engine::ToString(imp.kind);
    if (imp.kind == ExternKind::kFunction) {
      FUZZ_CHECK(imp.type_index < info->types.size());
      (void)wasmhpc::engine::ToString(info->ImportType(imp));
    }
  }
  for (const auto& exp : info->exports) {
    FUZZ_CHECK(ValidKind(exp.kind));
    (void)wasmhpc::engine::ToString(exp.kind);
    FUZZ_CHECK(info->FindExport(exp.name, exp.kind) != nullptr);
    if (const auto* type = info->ExportedFunctionType(exp.name)) {
      (void)wasmhpc::engine::ToString(*type);
    }
  }
  for (const auto& [slot, function] : info->table_functions) {
    if (const auto* type = info->TableFunctionType(slot)) {
      (void)wasmhpc::engine::ToString(*type);
    }
  }
  (void)info->InitialTableEntries();
  return 0;
}
