#include "engine/fast_calls.h"

#include <array>
#include <string>
#include <utility>

#include "engine/v8_fast_api.h"

namespace wasmhpc::engine {
namespace {

thread_local void* const* current_slots = nullptr;

// The C function V8 calls for slot kSlot with sizeof...(I) i32 arguments
// (the receiver, V8's global proxy, is not used).
template <size_t kSlot, typename Indices>
struct Trampoline;
template <size_t kSlot, size_t... I>
struct Trampoline<kSlot, std::index_sequence<I...>> {
  template <size_t>
  using I32 = int32_t;
  static int32_t Call(v8::Local<v8::Value> /*receiver*/, I32<I>... args) {
    const uint64_t slots[] = {static_cast<uint32_t>(args)..., 0};
    return FastCall(current_slots[kSlot], slots);
  }
};

using Row = std::array<const void*, kMaxFastSlots>;

template <size_t kArity, size_t... kSlot>
Row TrampolineRow(std::index_sequence<kSlot...>) {
  return {reinterpret_cast<const void*>(
      &Trampoline<kSlot, std::make_index_sequence<kArity>>::Call)...};
}

template <size_t... kArity>
std::array<Row, sizeof...(kArity)> TrampolineTable(
    std::index_sequence<kArity...>) {
  return {TrampolineRow<kArity>(std::make_index_sequence<kMaxFastSlots>())...};
}

// (receiver, i32 x arity) -> i32, for every arity.
template <size_t... I>
std::array<v8::CTypeInfo, sizeof...(I)> ArgumentTypes(
    std::index_sequence<I...>) {
  return {v8::CTypeInfo(I == 0 ? v8::CTypeInfo::Type::kV8Value
                               : v8::CTypeInfo::Type::kInt32)...};
}

class Signatures {
 public:
  Signatures() {
    const v8::CTypeInfo result(v8::CTypeInfo::Type::kInt32);
    infos_.reserve(kMaxFastArity + 1);
    for (size_t arity = 0; arity <= kMaxFastArity; ++arity) {
      infos_.emplace_back(result, static_cast<unsigned>(arity + 1),
                          types_.data());
    }
  }
  const v8::CFunctionInfo* Get(size_t arity) const { return &infos_[arity]; }

 private:
  const std::array<v8::CTypeInfo, kMaxFastArity + 1> types_ =
      ArgumentTypes(std::make_index_sequence<kMaxFastArity + 1>());
  std::vector<v8::CFunctionInfo> infos_;
};

class Trampolines {
 public:
  Trampolines() {
    auto table = TrampolineTable(std::make_index_sequence<kMaxFastArity + 1>());
    functions_.reserve(table.size() * kMaxFastSlots);
    for (size_t arity = 0; arity < table.size(); ++arity) {
      for (size_t slot = 0; slot < kMaxFastSlots; ++slot) {
        functions_.emplace_back(table[arity][slot], signatures_.Get(arity));
      }
    }
  }
  const v8::CFunction* Get(size_t slot, size_t arity) const {
    return &functions_[arity * kMaxFastSlots + slot];
  }

 private:
  Signatures signatures_;
  std::vector<v8::CFunction> functions_;
};

// Wasm binary encoding.
void Leb(std::string& out, uint32_t v) {
  do {
    uint8_t byte = v & 0x7f;
    v >>= 7;
    out.push_back(static_cast<char>(v ? byte | 0x80 : byte));
  } while (v);
}

void Sleb(std::string& out, int32_t v) {
  bool more = true;
  while (more) {
    uint8_t byte = v & 0x7f;
    v >>= 7;  // arithmetic
    more = !((v == 0 && !(byte & 0x40)) || (v == -1 && (byte & 0x40)));
    out.push_back(static_cast<char>(more ? byte | 0x80 : byte));
  }
}

void Name(std::string& out, const std::string& name) {
  Leb(out, static_cast<uint32_t>(name.size()));
  out += name;
}

void Section(std::string& out, uint8_t id, const std::string& body) {
  out.push_back(static_cast<char>(id));
  Leb(out, static_cast<uint32_t>(body.size()));
  out += body;
}

constexpr char kI32 = 0x7f;

}  // namespace

FastSlotScope::FastSlotScope(void* const* slots) : previous_(current_slots) {
  current_slots = slots;
}

FastSlotScope::~FastSlotScope() { current_slots = previous_; }

void* CurrentFastTarget(size_t slot) { return current_slots[slot]; }

const v8::CFunction* FastTrampoline(size_t slot, size_t arity) {
  static const Trampolines* trampolines = new Trampolines();
  return trampolines->Get(slot, arity);
}

std::vector<uint8_t> GuardModuleBytes(const std::vector<size_t>& arities) {
  const uint32_t n = static_cast<uint32_t>(arities.size());
  std::string types, imports, functions, exports, code;
  // Type i: (i32 x i) -> i32.
  Leb(types, kMaxFastArity + 1);
  for (size_t arity = 0; arity <= kMaxFastArity; ++arity) {
    types += '\x60';
    Leb(types, static_cast<uint32_t>(arity));
    types.append(arity, kI32);
    types += '\x01';
    types += kI32;
  }
  // Imports: function 2i is f.<i>, 2i + 1 is s.<i>.
  Leb(imports, 2 * n);
  for (uint32_t i = 0; i < n; ++i) {
    for (const char* module : {"f", "s"}) {
      Name(imports, module);
      Name(imports, std::to_string(i));
      imports += '\x00';
      Leb(imports, static_cast<uint32_t>(arities[i]));
    }
  }
  // Guard i is function 2n + i.
  Leb(functions, n);
  Leb(exports, n);
  Leb(code, n);
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t arity = static_cast<uint32_t>(arities[i]);
    Leb(functions, arity);
    Name(exports, std::to_string(i));
    exports += '\x00';
    Leb(exports, 2 * n + i);
    std::string body;
    body += "\x01\x01";  // one local: the result (local `arity`)
    body += kI32;
    auto push_args = [&] {
      for (uint32_t a = 0; a < arity; ++a) {
        body += '\x20';  // local.get
        Leb(body, a);
      }
    };
    push_args();
    body += '\x10';  // call fast
    Leb(body, 2 * i);
    body += '\x22';  // local.tee
    Leb(body, arity);
    body += '\x41';  // i32.const
    Sleb(body, kSlowPathMark);
    body += '\x47';  // i32.ne
    body += '\x04';  // if (result i32)
    body += kI32;
    body += '\x20';
    Leb(body, arity);
    body += '\x05';  // else
    push_args();
    body += '\x10';  // call slow
    Leb(body, 2 * i + 1);
    body += "\x0b\x0b";  // end if, end function
    Leb(code, static_cast<uint32_t>(body.size()));
    code += body;
  }
  std::string module("\0asm\x01\0\0\0", 8);
  Section(module, 1, types);
  Section(module, 2, imports);
  Section(module, 3, functions);
  Section(module, 7, exports);
  Section(module, 10, code);
  return std::vector<uint8_t>(module.begin(), module.end());
}

}  // namespace wasmhpc::engine
