#include "engine/module_info.h"

#include <algorithm>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace wasmhpc::engine {
namespace {

constexpr uint8_t kTypeSection = 1;
constexpr uint8_t kImportSection = 2;
constexpr uint8_t kFunctionSection = 3;
constexpr uint8_t kTableSection = 4;
constexpr uint8_t kMemorySection = 5;
constexpr uint8_t kExportSection = 7;
constexpr uint8_t kElementSection = 9;

// A bounds-checked reader over the module bytes; the first error sticks.
class Reader {
 public:
  explicit Reader(absl::Span<const uint8_t> bytes) : bytes_(bytes) {}

  bool ok() const { return error_.empty(); }
  bool done() const { return pos_ >= bytes_.size(); }
  size_t pos() const { return pos_; }
  absl::Status status() const {
    return ok() ? absl::OkStatus() : absl::InvalidArgumentError(error_);
  }

  uint8_t Byte() {
    if (pos_ >= bytes_.size()) return Fail("unexpected end"), 0;
    return bytes_[pos_++];
  }

  uint32_t U32() {
    uint64_t value = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      uint8_t b = Byte();
      value |= uint64_t{b & 0x7fu} << shift;
      if (!(b & 0x80)) return static_cast<uint32_t>(value);
    }
    return Fail("LEB128 too long"), 0;
  }

  // A count of entries that follow: each takes at least `min_entry_bytes`,
  // so a count the remaining bytes cannot hold is malformed. Callers size
  // containers from counts only through this (the bytes are untrusted).
  uint32_t Count(size_t min_entry_bytes = 1) {
    uint32_t n = U32();
    if (n > (bytes_.size() - pos_) / min_entry_bytes) {
      return Fail("count larger than the bytes left"), 0;
    }
    return n;
  }

  std::string Name() {
    uint32_t len = U32();
    if (len > bytes_.size() - pos_) return Fail("name past end"), "";
    std::string s(reinterpret_cast<const char*>(bytes_.data() + pos_), len);
    pos_ += len;
    return s;
  }

  void Skip(size_t n) {
    if (n > bytes_.size() - pos_) return Fail("section past end");
    pos_ += n;
  }

  // Reads limits: the minimum, and the maximum if present.
  uint32_t Limits(std::optional<uint32_t>* max = nullptr) {
    uint8_t flags = Byte();
    uint32_t min = U32();
    if (flags & 1) {
      uint32_t m = U32();
      if (max != nullptr) *max = m;
    }
    return min;
  }

  ValType Type() {
    switch (Byte()) {
      case 0x7f:
        return ValType::kI32;
      case 0x7e:
        return ValType::kI64;
      case 0x7d:
        return ValType::kF32;
      case 0x7c:
        return ValType::kF64;
      case 0x7b:
        return ValType::kV128;
      case 0x70:
        return ValType::kFuncRef;
      case 0x6f:
        return ValType::kExternRef;
    }
    return Fail("unknown value type"), ValType::kI32;
  }

  void Fail(std::string_view what) {
    if (ok())
      error_ = absl::StrFormat("malformed module at byte %d: %s", pos_, what);
    pos_ = bytes_.size();
  }

 private:
  absl::Span<const uint8_t> bytes_;
  size_t pos_ = 0;
  std::string error_;
};

std::vector<FuncType> ReadTypes(Reader& r) {
  // A type is at least 3 bytes: 0x60 and two empty vectors.
  std::vector<FuncType> types(r.Count(3));
  for (FuncType& t : types) {
    if (r.Byte() != 0x60) r.Fail("expected func type");
    t.params.resize(r.Count());
    for (ValType& v : t.params) v = r.Type();
    t.results.resize(r.Count());
    for (ValType& v : t.results) v = r.Type();
    if (!r.ok()) break;
  }
  return types;
}

// A table type: element type and limits.
TableInfo ReadTable(Reader& r) {
  TableInfo table;
  r.Type();
  table.initial = r.Limits(&table.maximum);
  return table;
}

// Active segments for table 0 with an i32.const offset (what wasm-ld
// emits); other segment forms are skipped.
void ReadElements(Reader& r, absl::flat_hash_map<uint32_t, uint32_t>& table) {
  for (uint32_t n = r.Count(); n > 0 && r.ok(); --n) {
    uint32_t flags = r.U32();
    if (flags != 0) return;  // Not needed for wasm-ld output; stop here.
    if (r.Byte() != 0x41) return r.Fail("element offset is not i32.const");
    uint32_t offset = r.U32();  // LEB i32: table bases are small positives
    if (r.Byte() != 0x0b) return r.Fail("element offset not terminated");
    uint32_t count = r.Count();
    if (offset + uint64_t{count} > (uint64_t{1} << 32)) {
      return r.Fail("element segment past the end of the table");
    }
    for (uint32_t i = 0; i < count && r.ok(); ++i) {
      table[offset + i] = r.U32();
    }
  }
}

void ReadImports(Reader& r, const std::vector<FuncType>& types,
                 std::vector<ImportInfo>& out, std::vector<TableInfo>& tables) {
  for (uint32_t n = r.Count(); n > 0 && r.ok(); --n) {
    ImportInfo imp;
    imp.module = r.Name();
    imp.name = r.Name();
    imp.kind = static_cast<ExternKind>(r.Byte());
    switch (imp.kind) {
      case ExternKind::kFunction: {
        imp.type_index = r.U32();
        if (imp.type_index >= types.size()) return r.Fail("bad type index");
        break;
      }
      case ExternKind::kTable:
        tables.push_back(ReadTable(r));
        break;
      case ExternKind::kMemory:
        r.Limits();
        break;
      case ExternKind::kGlobal:
        r.Type(), r.Byte();
        break;
      case ExternKind::kTag:
        r.Byte(), r.U32();
        break;
      default:
        return r.Fail("unknown import kind");
    }
    out.push_back(std::move(imp));
  }
}

// The sections ParseModuleInfo reads (custom and other ones are skipped).
bool IsReadSection(uint8_t id) {
  return id == kTypeSection || id == kImportSection || id == kFunctionSection ||
         id == kTableSection || id == kMemorySection || id == kExportSection ||
         id == kElementSection;
}

}  // namespace

std::string ToString(const FuncType& type) {
  auto name = [](std::string* out, ValType v) {
    static constexpr const char* kNames[] = {
        "i32", "i64", "f32", "f64", "v128", "funcref", "externref"};
    out->append(kNames[static_cast<int>(v)]);
  };
  return absl::StrCat(
      "(", absl::StrJoin(type.params, ", ", name), ") -> ",
      type.results.empty() ? "()" : absl::StrJoin(type.results, ", ", name));
}

const char* ToString(ExternKind kind) {
  static constexpr const char* kNames[] = {"function", "table", "memory",
                                           "global", "tag"};
  return kNames[static_cast<int>(kind)];
}

const FuncType* ModuleInfo::TableFunctionType(uint32_t index) const {
  auto it = table_functions.find(index);
  if (it == table_functions.end() || it->second >= function_types.size()) {
    return nullptr;
  }
  return &types[function_types[it->second]];
}

uint64_t ModuleInfo::InitialTableEntries() const {
  uint64_t entries = 0;
  for (const TableInfo& t : tables) entries += t.initial;
  return entries;
}

const FuncType* ModuleInfo::ExportedFunctionType(std::string_view name) const {
  const ExportInfo* e = FindExport(name, ExternKind::kFunction);
  if (e == nullptr || e->index >= function_types.size()) return nullptr;
  return &types[function_types[e->index]];
}

const ExportInfo* ModuleInfo::FindExport(std::string_view name,
                                         ExternKind kind) const {
  for (const ExportInfo& e : exports) {
    if (e.name == name && e.kind == kind) return &e;
  }
  return nullptr;
}

bool HasWasmMagic(absl::Span<const uint8_t> bytes) {
  return bytes.size() >= 4 && std::memcmp(bytes.data(), "\0asm", 4) == 0;
}

absl::StatusOr<ModuleInfo> ParseModuleInfo(absl::Span<const uint8_t> bytes) {
  if (!HasWasmMagic(bytes) || bytes.size() < 8) {
    return absl::InvalidArgumentError("not a WebAssembly module");
  }
  Reader r(bytes);
  r.Skip(8);
  ModuleInfo info;
  std::vector<FuncType>& types = info.types;
  uint8_t last_read = 0;  // The sections read here, in the spec's order.
  while (!r.done() && r.ok()) {
    uint8_t id = r.Byte();
    uint32_t size = r.U32();
    size_t end = r.pos() + size;
    // Once each, in order (their ids increase): a second type section
    // would leave the indices stored from the first dangling.
    if (IsReadSection(id)) {
      if (id <= last_read) r.Fail("section repeated or out of order");
      last_read = id;
    }
    if (id == kTypeSection) {
      types = ReadTypes(r);
    } else if (id == kImportSection) {
      ReadImports(r, types, info.imports, info.tables);
      info.has_memory |= std::any_of(info.imports.begin(), info.imports.end(),
                                     [](const ImportInfo& imp) {
                                       return imp.kind == ExternKind::kMemory;
                                     });
      for (const ImportInfo& imp : info.imports) {
        if (imp.kind == ExternKind::kFunction) {
          info.function_types.push_back(imp.type_index);
        }
      }
    } else if (id == kTableSection) {
      for (uint32_t n = r.Count(); n > 0 && r.ok(); --n) {
        info.tables.push_back(ReadTable(r));
      }
    } else if (id == kFunctionSection) {
      for (uint32_t n = r.Count(); n > 0 && r.ok(); --n) {
        uint32_t index = r.U32();
        if (index >= types.size())
          r.Fail("bad type index");
        else
          info.function_types.push_back(index);
      }
    } else if (id == kElementSection) {
      ReadElements(r, info.table_functions);
      r.Skip(end - std::min(end, r.pos()));
    } else if (id == kMemorySection) {
      if (r.U32() > 0) {
        info.has_memory = true;
        info.initial_memory_pages = r.Limits();
      }
      r.Skip(end - r.pos());
    } else if (id == kExportSection) {
      for (uint32_t n = r.Count(); n > 0 && r.ok(); --n) {
        ExportInfo e;
        e.name = r.Name();
        e.kind = static_cast<ExternKind>(r.Byte());
        if (e.kind > ExternKind::kTag) r.Fail("unknown export kind");
        e.index = r.U32();
        info.exports.push_back(std::move(e));
      }
    } else {
      r.Skip(size);
    }
    if (r.ok() && r.pos() != end) r.Fail("section size mismatch");
  }
  if (!r.ok()) return r.status();
  return info;
}

}  // namespace wasmhpc::engine
