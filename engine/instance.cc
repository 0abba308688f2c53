#include <algorithm>
#include <array>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "engine/engine.h"
#include "engine/fast_calls.h"
#include "engine/v8_fast_api.h"
#include "engine/v8_internal.h"

namespace wasmhpc::engine {
namespace {

// Linear memory through the backing store V8 keeps across memory.grow: the
// base stays put (full-range reservation), the length is re-read per call.
class V8Memory : public GuestMemory {
 public:
  void Reset(std::shared_ptr<v8::BackingStore> store) {
    store_ = std::move(store);
    Refresh();
  }

 protected:
  void Refresh() const override {
    base_ = store_ ? static_cast<uint8_t*>(store_->Data()) : nullptr;
    size_ = store_ ? store_->ByteLength() : 0;
  }

 private:
  std::shared_ptr<v8::BackingStore> store_;
};

struct Binding;

// An i32 argument arrives as a Smi (x64 without pointer compression has
// 32-bit Smis): read it inline, as V8's own inline accessors do, instead of
// calling into libnode for every argument of every host call.
inline uint32_t I32Arg(v8::Local<v8::Value> value) {
  using v8::internal::Internals;
  v8::internal::Address tagged =
      *reinterpret_cast<const v8::internal::Address*>(*value);
  if (!Internals::HasHeapObjectTag(tagged)) {
    return static_cast<uint32_t>(Internals::SmiValue(tagged));
  }
  return static_cast<uint32_t>(value.As<v8::Int32>()->Value());
}

inline uint64_t ToSlot(v8::Local<v8::Value> value, ValType type) {
  switch (type) {
    case ValType::kI32:
      return I32Arg(value);
    case ValType::kI64:
      return value.As<v8::BigInt>()->Uint64Value();
    case ValType::kF32: {
      float f = static_cast<float>(value.As<v8::Number>()->Value());
      return std::bit_cast<uint32_t>(f);
    }
    case ValType::kF64:
      return std::bit_cast<uint64_t>(value.As<v8::Number>()->Value());
    default:
      return 0;  // Host functions never take other types (checked at link).
  }
}

v8::Local<v8::Value> FromSlot(v8::Isolate* isolate, uint64_t slot,
                              ValType type) {
  switch (type) {
    case ValType::kI32:
      return v8::Integer::New(isolate, static_cast<int32_t>(slot));
    case ValType::kI64:
      return v8::BigInt::NewFromUnsigned(isolate, slot);
    case ValType::kF32:
      return v8::Number::New(isolate,
                             std::bit_cast<float>(static_cast<uint32_t>(slot)));
    case ValType::kF64:
      return v8::Number::New(isolate, std::bit_cast<double>(slot));
    default:
      return v8::Undefined(isolate);
  }
}

bool IsNumeric(const FuncType& type) {
  auto numeric = [](ValType v) { return v <= ValType::kF64; };
  return std::all_of(type.params.begin(), type.params.end(), numeric) &&
         std::all_of(type.results.begin(), type.results.end(), numeric) &&
         type.results.size() <= 1;
}

// "    at fib (wasm://wasm/8c5a:wasm-function[3]:0x8a)"
//   -> "fib (wasm-function[3]:0x8a)"
std::vector<std::string> StackFrames(absl::string_view stack) {
  std::vector<std::string> frames;
  for (absl::string_view line : absl::StrSplit(stack, '\n')) {
    constexpr absl::string_view kAt = "    at ";
    if (!absl::StartsWith(line, kAt)) continue;
    std::string frame(line.substr(kAt.size()));
    size_t url = frame.find("wasm://wasm/");
    if (url != std::string::npos) {
      size_t colon = frame.find(':', url + 12);
      if (colon != std::string::npos) frame.erase(url, colon + 1 - url);
    }
    frames.push_back(std::move(frame));
  }
  return frames;
}

}  // namespace

struct Instance::Impl : public HostContext {
  Store::Impl* store = nullptr;
  const ModuleInfo* info = nullptr;  // owned by the Module
  v8::Global<v8::Object> exports;
  v8::Global<v8::Object> table;  // "__indirect_function_table", if exported
  std::vector<std::unique_ptr<Binding>> bindings;
  V8Memory linear_memory;
  bool exit_requested = false;
  int32_t exit_code = 0;
  // Fast imports by slot (fast_calls.h); this thread's slot table while
  // guest code of this instance runs.
  std::array<void*, kMaxFastSlots> fast_slots{};
  // Set while a fast entry runs: it may not call the guest.
  bool in_fast_call = false;
  // A fast entry's result (or exit) that the guard's slow import delivers.
  Binding* pending_binding = nullptr;
  uint64_t pending_result = 0;

  GuestMemory& memory() override { return linear_memory; }
  void RequestExit(int32_t code) override {
    exit_requested = true;
    exit_code = code;
  }
  absl::StatusOr<uint64_t> CallIndirect(
      uint32_t index, const FuncType& type,
      const std::vector<uint64_t>& args) override;
  absl::StatusOr<uint64_t> ExportedGlobal(const std::string& name) override;
};

namespace {

struct Binding {
  HostFunc func;
  Instance::Impl* instance;
};

v8::Local<v8::Function> WebAssemblyMember(v8::Isolate* isolate,
                                          v8::Local<v8::Context> context,
                                          const char* name);

// The V8 callback behind every host import.
void CallBinding(Binding* binding,
                 const v8::FunctionCallbackInfo<v8::Value>& info) {
  const FuncType& type = binding->func.type;
  Instance::Impl& instance = *binding->instance;
  if (instance.pending_binding == binding) {
    // The guard's slow call right after a fast entry that finished.
    instance.pending_binding = nullptr;
    if (instance.exit_requested) {
      info.GetIsolate()->ThrowException(v8::Undefined(info.GetIsolate()));
    } else {
      info.GetReturnValue().Set(static_cast<int32_t>(instance.pending_result));
    }
    return;
  }
  std::array<uint64_t, 16> small;
  std::vector<uint64_t> large;
  uint64_t* args = small.data();
  if (type.params.size() > small.size()) {
    large.resize(type.params.size());
    args = large.data();
  }
  for (size_t i = 0; i < type.params.size(); ++i) {
    args[i] = ToSlot(info[static_cast<int>(i)], type.params[i]);
  }
  absl::StatusOr<uint64_t> result =
      binding->func.callback(*binding->instance, args);
  v8::Isolate* isolate = info.GetIsolate();
  if (binding->instance->exit_requested) {
    // Unwinds the guest; RunStart turns it into the exit code.
    isolate->ThrowException(v8::Undefined(isolate));
  } else if (!result.ok()) {
    isolate->ThrowException(
        v8::Exception::Error(V8String(isolate, result.status().message())));
  } else if (!type.results.empty()) {
    if (type.results[0] == ValType::kI32) {
      info.GetReturnValue().Set(static_cast<int32_t>(*result));  // no handle
    } else {
      info.GetReturnValue().Set(FromSlot(isolate, *result, type.results[0]));
    }
  }
}

// The V8 callback behind every slow-path import.
void CallHost(const v8::FunctionCallbackInfo<v8::Value>& info) {
  CallBinding(static_cast<Binding*>(info.Data().As<v8::External>()->Value()),
              info);
}

// The V8 callback of the slot-`data` functions of fast imports (the slow
// import of the guard, and V8's own fallback for the fast function).
void CallHostSlot(const v8::FunctionCallbackInfo<v8::Value>& info) {
  CallBinding(static_cast<Binding*>(
                  CurrentFastTarget(info.Data().As<v8::Integer>()->Value())),
              info);
}

}  // namespace

// The fast entry of a binding, called by its trampoline inside a V8 fast
// API call: no V8 calls, no guest calls. kSlowPathMark hands the call to the
// guard's slow import: with pending_binding set it delivers this result
// (or the exit), else it runs the callback as for any slow call.
int32_t FastCall(void* target, const uint64_t* args) {
  auto* binding = static_cast<Binding*>(target);
  Instance::Impl& instance = *binding->instance;
  instance.in_fast_call = true;
  const int64_t result = binding->func.fast(instance, args);
  instance.in_fast_call = false;
  const bool done = result != kHandToCallback;
  if (done && !instance.exit_requested &&
      static_cast<int32_t>(result) != kSlowPathMark) {
    return static_cast<int32_t>(result);
  }
  if (done || instance.exit_requested) {
    instance.pending_binding = binding;
    instance.pending_result = done ? static_cast<uint64_t>(result) : 0;
  }
  return kSlowPathMark;
}

namespace {

// Whether `f` can be a fast import: a fast entry, i32 parameters only,
// one i32 result.
bool FastEligible(const HostFunc& f) {
  return f.fast && f.type.params.size() <= kMaxFastArity &&
         std::all_of(f.type.params.begin(), f.type.params.end(),
                     [](ValType v) { return v == ValType::kI32; }) &&
         f.type.results == std::vector<ValType>{ValType::kI32};
}

v8::Local<v8::Function> SlotFunction(v8::Isolate* isolate,
                                     v8::Local<v8::Context> context,
                                     size_t slot, size_t arity,
                                     const v8::CFunction* fast) {
  return v8::FunctionTemplate::New(
             isolate, CallHostSlot,
             v8::Integer::New(isolate, static_cast<int32_t>(slot)),
             v8::Local<v8::Signature>(), static_cast<int>(arity),
             v8::ConstructorBehavior::kThrow,
             v8::SideEffectType::kHasSideEffect, fast)
      ->GetFunction(context)
      .ToLocalChecked();
}

// The guard functions for fast slots 0..arities.size()-1 (one per slot,
// see fast_calls.h), made once per store and arity list: they reach the
// instance only through the slot table.
absl::StatusOr<v8::Local<v8::Object>> Guards(
    Store::Impl& store, v8::Local<v8::Context> context,
    const std::vector<size_t>& arities) {
  v8::Isolate* isolate = store.isolate;
  auto cached = store.fast_guards.find(arities);
  if (cached != store.fast_guards.end()) return cached->second.Get(isolate);
  v8::Local<v8::Object> fast = v8::Object::New(isolate);
  v8::Local<v8::Object> slow = v8::Object::New(isolate);
  for (size_t slot = 0; slot < arities.size(); ++slot) {
    v8::Local<v8::String> name = V8String(isolate, std::to_string(slot));
    fast->Set(context, name,
              SlotFunction(isolate, context, slot, arities[slot],
                           FastTrampoline(slot, arities[slot])))
        .Check();
    slow->Set(context, name,
              SlotFunction(isolate, context, slot, arities[slot], nullptr))
        .Check();
  }
  std::vector<uint8_t> bytes = GuardModuleBytes(arities);
  v8::TryCatch try_catch(isolate);
  v8::Local<v8::WasmModuleObject> module;
  if (!v8::WasmModuleObject::Compile(
           isolate, v8::MemorySpan<const uint8_t>(bytes.data(), bytes.size()))
           .ToLocal(&module)) {
    return absl::InternalError(
        absl::StrCat("fast import guards: ",
                     ExceptionMessage(isolate, try_catch.Exception())));
  }
  v8::Local<v8::Object> imports = v8::Object::New(isolate);
  imports->Set(context, V8String(isolate, "f"), fast).Check();
  imports->Set(context, V8String(isolate, "s"), slow).Check();
  v8::Local<v8::Value> argv[] = {module, imports};
  v8::Local<v8::Object> instance;
  if (!WebAssemblyMember(isolate, context, "Instance")
           ->NewInstance(context, 2, argv)
           .ToLocal(&instance)) {
    return absl::InternalError(
        absl::StrCat("fast import guards: ",
                     ExceptionMessage(isolate, try_catch.Exception())));
  }
  v8::Local<v8::Object> exports =
      instance->Get(context, V8String(isolate, "exports"))
          .ToLocalChecked()
          .As<v8::Object>();
  store.fast_guards[arities].Reset(isolate, exports);
  return exports;
}

// Checks every import against `host` and builds the JS import object.
absl::StatusOr<v8::Local<v8::Object>> BuildImports(
    v8::Isolate* isolate, v8::Local<v8::Context> context,
    const ModuleInfo& info, std::vector<HostFunc>& host,
    Instance::Impl& instance) {
  absl::flat_hash_map<std::pair<std::string, std::string>, HostFunc*> by_name;
  for (HostFunc& f : host) by_name[{f.module, f.name}] = &f;
  const bool fast_imports =
      instance.store->engine->options().fast_host_calls && UsableFastApi();
  std::vector<size_t> arities;  // of the fast imports, by slot
  v8::Local<v8::Object> imports = v8::Object::New(isolate);
  for (const ImportInfo& imp : info.imports) {
    auto it = by_name.find(std::make_pair(imp.module, imp.name));
    if (imp.kind != ExternKind::kFunction || it == by_name.end()) {
      return absl::NotFoundError(absl::StrCat("unknown import ", imp.module,
                                              ".", imp.name, " (",
                                              ToString(imp.kind), ")"));
    }
    HostFunc& f = *it->second;
    const FuncType& type = info.ImportType(imp);
    if (type != f.type || !IsNumeric(f.type)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "import ", imp.module, ".", imp.name, " has type ", ToString(type),
          " but the host provides ", ToString(f.type)));
    }
    auto binding = std::make_unique<Binding>(Binding{f, &instance});
    v8::Local<v8::Value> fn;
    if (fast_imports && FastEligible(f) && arities.size() < kMaxFastSlots) {
      instance.fast_slots[arities.size()] = binding.get();
      arities.push_back(f.type.params.size());
      fn = v8::Integer::New(isolate, static_cast<int32_t>(arities.size() - 1));
    } else {
      fn = v8::Function::New(context, CallHost,
                             v8::External::New(isolate, binding.get()),
                             static_cast<int>(f.type.params.size()))
               .ToLocalChecked();
    }
    instance.bindings.push_back(std::move(binding));
    v8::Local<v8::String> module_name = V8String(isolate, imp.module);
    v8::Local<v8::Value> ns;
    if (!imports->Get(context, module_name).ToLocal(&ns) || !ns->IsObject()) {
      ns = v8::Object::New(isolate);
      imports->Set(context, module_name, ns).Check();
    }
    ns.As<v8::Object>()->Set(context, V8String(isolate, imp.name), fn).Check();
  }
  if (arities.empty()) return imports;
  // Fast imports: the slot number placed above becomes the slot's guard.
  absl::StatusOr<v8::Local<v8::Object>> guards =
      Guards(*instance.store, context, arities);
  if (!guards.ok()) return guards.status();
  for (const ImportInfo& imp : info.imports) {
    v8::Local<v8::Object> ns =
        imports->Get(context, V8String(isolate, imp.module))
            .ToLocalChecked()
            .As<v8::Object>();
    v8::Local<v8::String> name = V8String(isolate, imp.name);
    v8::Local<v8::Value> fn = ns->Get(context, name).ToLocalChecked();
    if (!fn->IsInt32()) continue;
    v8::Local<v8::Value> guard =
        (*guards)
            ->Get(context, fn->ToString(context).ToLocalChecked())
            .ToLocalChecked();
    ns->Set(context, name, guard).Check();
  }
  return imports;
}

v8::Local<v8::Function> WebAssemblyMember(v8::Isolate* isolate,
                                          v8::Local<v8::Context> context,
                                          const char* name) {
  v8::Local<v8::Object> wasm =
      context->Global()
          ->Get(context, V8String(isolate, "WebAssembly"))
          .ToLocalChecked()
          .As<v8::Object>();
  return wasm->Get(context, V8String(isolate, name))
      .ToLocalChecked()
      .As<v8::Function>();
}

}  // namespace

namespace {

// Calls guest function `fn` with raw slots; a trap becomes Aborted.
absl::StatusOr<uint64_t> CallGuest(void* const* slots, v8::Isolate* isolate,
                                   v8::Local<v8::Context> context,
                                   v8::Local<v8::Function> fn,
                                   const FuncType& type,
                                   const std::vector<uint64_t>& args) {
  v8::TryCatch try_catch(isolate);
  FastSlotScope fast_slots(slots);
  std::vector<v8::Local<v8::Value>> argv;
  for (size_t i = 0; i < args.size() && i < type.params.size(); ++i) {
    argv.push_back(FromSlot(isolate, args[i], type.params[i]));
  }
  v8::Local<v8::Value> result;
  if (!fn->Call(context, v8::Undefined(isolate), static_cast<int>(argv.size()),
                argv.data())
           .ToLocal(&result)) {
    return absl::AbortedError(
        try_catch.HasCaught() ? ExceptionMessage(isolate, try_catch.Exception())
                              : "guest function failed");
  }
  return type.results.empty() ? 0 : ToSlot(result, type.results[0]);
}

}  // namespace

absl::StatusOr<uint64_t> Instance::Impl::CallIndirect(
    uint32_t index, const FuncType& type, const std::vector<uint64_t>& args) {
  if (in_fast_call) {
    return absl::FailedPreconditionError(absl::StrCat(
        "table index ", index, ": a fast host call cannot call the guest"));
  }
  const FuncType* actual = info->TableFunctionType(index);
  if (actual == nullptr || !(*actual == type) || table.IsEmpty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "table index ", index, " is not a function of type ", ToString(type),
        actual ? absl::StrCat(" (it is ", ToString(*actual), ")") : ""));
  }
  v8::Isolate* isolate = store->isolate;
  v8::HandleScope handles(isolate);
  v8::Local<v8::Context> context = isolate->GetCurrentContext();
  v8::Local<v8::Value> get_argv[] = {
      v8::Integer::NewFromUnsigned(isolate, index)};
  v8::Local<v8::Value> get, fn;
  v8::Local<v8::Object> t = table.Get(isolate);
  if (!t->Get(context, V8String(isolate, "get")).ToLocal(&get) ||
      !get.As<v8::Function>()->Call(context, t, 1, get_argv).ToLocal(&fn) ||
      !fn->IsFunction()) {
    return absl::InvalidArgumentError(
        absl::StrCat("table index ", index, " holds no function"));
  }
  return CallGuest(fast_slots.data(), isolate, context, fn.As<v8::Function>(),
                   type, args);
}

absl::StatusOr<uint64_t> Instance::Impl::ExportedGlobal(
    const std::string& name) {
  if (in_fast_call) {
    return absl::FailedPreconditionError(absl::StrCat(
        "global ", name, ": a fast host call cannot read the guest's globals"));
  }
  auto none = [&] {
    return absl::NotFoundError(
        absl::StrCat("the module exports no global ", name));
  };
  if (info->FindExport(name, ExternKind::kGlobal) == nullptr) return none();
  v8::Isolate* isolate = store->isolate;
  v8::HandleScope handles(isolate);
  v8::Local<v8::Context> context = isolate->GetCurrentContext();
  v8::Local<v8::Value> global, value;
  if (!exports.Get(isolate)
           ->Get(context, V8String(isolate, name))
           .ToLocal(&global) ||
      !global->IsObject() ||
      !global.As<v8::Object>()
           ->Get(context, V8String(isolate, "value"))
           .ToLocal(&value)) {
    return none();
  }
  if (value->IsBigInt()) return value.As<v8::BigInt>()->Uint64Value();
  if (value->IsInt32()) {
    return static_cast<uint32_t>(value.As<v8::Int32>()->Value());
  }
  return absl::InvalidArgumentError(
      absl::StrCat("global ", name, " is not an i32 or i64"));
}

Instance::Instance(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Instance::~Instance() {
  impl_->exports.Reset();
  impl_->table.Reset();
}

GuestMemory& Instance::memory() { return impl_->linear_memory; }

namespace {

// Lowers the maximum of the module's exported memory to `max_pages`, so
// that memory.grow past it fails (returns -1) in this instance only.
// V8 10.2 keeps a memory's maximum in the WasmMemoryObject (a Smi after
// its ArrayBuffer; WasmMemoryObject::Grow checks it) and offers no API to
// set it: the field is written in place, after checking that the object
// has the expected layout (its buffer there, a Smi maximum next to it).
absl::Status CapMemory(v8::Isolate* isolate, v8::Local<v8::Context> context,
                       const ModuleInfo& info, v8::Local<v8::Object> exports,
                       uint32_t max_pages) {
  using v8::internal::Address;
  using v8::internal::Internals;
  static_assert(v8::internal::kApiTaggedSize == sizeof(Address),
                "tagged fields are full words (no pointer compression)");
  for (const ExportInfo& e : info.exports) {
    if (e.kind != ExternKind::kMemory) continue;
    v8::Local<v8::Value> value;
    if (!exports->Get(context, V8String(isolate, e.name)).ToLocal(&value) ||
        !value->IsWasmMemoryObject()) {
      continue;
    }
    v8::Local<v8::WasmMemoryObject> memory = value.As<v8::WasmMemoryObject>();
    v8::Local<v8::ArrayBuffer> buffer = memory->Buffer();
    const Address object = *reinterpret_cast<const Address*>(*memory);
    const Address buffer_object = *reinterpret_cast<const Address*>(*buffer);
    constexpr int kBufferOffset = Internals::kJSObjectHeaderSize;
    constexpr int kMaximumOffset = kBufferOffset + v8::internal::kApiTaggedSize;
    auto* slots =
        reinterpret_cast<Address*>(object - v8::internal::kHeapObjectTag);
    const Address buffer_slot = slots[kBufferOffset / sizeof(Address)];
    Address& maximum = slots[kMaximumOffset / sizeof(Address)];
    if (buffer_slot != buffer_object || Internals::HasHeapObjectTag(maximum)) {
      return absl::InternalError(
          "this V8 keeps a Wasm memory's maximum where wasmhpc does not look "
          "for it: per-instance memory limits are not available");
    }
    const int current = Internals::SmiValue(maximum);
    if (current < 0 || static_cast<uint32_t>(current) > max_pages) {
      maximum = Internals::IntToSmi(static_cast<int>(max_pages));
    }
  }
  return absl::OkStatus();
}

// The instance's memory limit: the engine's, or a lower one from options.
uint64_t MemoryLimit(const Store::Impl& s, const InstanceOptions& options) {
  const uint64_t engine_max = s.engine->options().max_memory_bytes;
  if (options.max_memory_bytes == 0) return engine_max;
  return std::min(options.max_memory_bytes, engine_max);
}

// What the module needs at the start (linear memory and tables) against
// `limit`: ResourceExhausted naming both when it does not fit.
absl::Status CheckInitialMemory(const ModuleInfo& info, uint64_t limit,
                                bool below_engine_max) {
  const uint64_t memory = uint64_t{info.initial_memory_pages} * kWasmPageSize;
  if (memory > limit) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "the module starts with ", memory >> 20,
        " MiB of linear memory, more than the limit of ", limit >> 20, " MiB"));
  }
  const uint64_t tables = info.InitialTableEntries() * kTableEntryBytes;
  if (memory + tables > limit) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the module's ", info.tables.size(), " tables start with ",
                     info.InitialTableEntries(), " entries (", tables >> 20,
                     " MiB of engine memory, ", kTableEntryBytes,
                     " bytes each), which with its ", memory >> 20,
                     " MiB of linear memory is more than the limit of ",
                     limit >> 20, " MiB"));
  }
  if (below_engine_max && info.has_memory &&
      std::none_of(
          info.exports.begin(), info.exports.end(),
          [](const ExportInfo& e) { return e.kind == ExternKind::kMemory; })) {
    return absl::ResourceExhaustedError(
        "the module does not export its memory, so its memory limit cannot "
        "be applied; export it (WASI modules export \"memory\")");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Instance>> Instance::Create(
    Store& store, const Module& module, std::vector<HostFunc> host,
    const InstanceOptions& options) {
  Store::Impl& s = store.impl();
  StoreScope scope(s);
  v8::Isolate* isolate = s.isolate;
  v8::Local<v8::Context> context = scope.context();
  const uint64_t limit = MemoryLimit(s, options);
  const bool below_engine_max = limit < s.engine->options().max_memory_bytes;
  if (absl::Status fits =
          CheckInitialMemory(module.info(), limit, below_engine_max);
      !fits.ok()) {
    return fits;
  }
  // Tables and other engine memory count against the same limit.
  LimitHeap(s, limit);
  auto impl = std::make_unique<Impl>();
  impl->store = &s;
  impl->info = &module.info();
  absl::StatusOr<v8::Local<v8::Object>> imports =
      BuildImports(isolate, context, module.info(), host, *impl);
  if (!imports.ok()) return imports.status();

  v8::TryCatch try_catch(isolate);
  FastSlotScope fast_slots(impl->fast_slots.data());  // the start function
  v8::Local<v8::Value> argv[] = {module.impl().module.Get(isolate), *imports};
  v8::Local<v8::Object> instance;
  if (!WebAssemblyMember(isolate, context, "Instance")
           ->NewInstance(context, 2, argv)
           .ToLocal(&instance)) {
    if (try_catch.HasTerminated() && s.heap_exhausted) {
      isolate->CancelTerminateExecution();
      s.heap_exhausted = false;
      return absl::ResourceExhaustedError(HeapExhaustedMessage(s));
    }
    return absl::InvalidArgumentError(
        absl::StrCat("instantiation failed: ",
                     ExceptionMessage(isolate, try_catch.Exception())));
  }
  v8::Local<v8::Object> exports =
      instance->Get(context, V8String(isolate, "exports"))
          .ToLocalChecked()
          .As<v8::Object>();
  impl->exports.Reset(isolate, exports);
  if (below_engine_max) {
    absl::Status capped =
        CapMemory(isolate, context, module.info(), exports,
                  static_cast<uint32_t>(limit / kWasmPageSize));
    if (!capped.ok()) return capped;
  }
  v8::Local<v8::Value> table;
  if (exports->Get(context, V8String(isolate, "__indirect_function_table"))
          .ToLocal(&table) &&
      table->IsObject()) {
    impl->table.Reset(isolate, table.As<v8::Object>());
  }
  v8::Local<v8::Value> memory;
  if (exports->Get(context, V8String(isolate, "memory")).ToLocal(&memory) &&
      memory->IsWasmMemoryObject()) {
    impl->linear_memory.Reset(
        memory.As<v8::WasmMemoryObject>()->Buffer()->GetBackingStore());
  }
  return std::unique_ptr<Instance>(new Instance(std::move(impl)));
}

absl::StatusOr<RunResult> Instance::RunStart() {
  Store::Impl& s = *impl_->store;
  StoreScope scope(s);
  v8::Isolate* isolate = s.isolate;
  v8::Local<v8::Context> context = scope.context();
  v8::Local<v8::Value> start;
  if (!impl_->exports.Get(isolate)
           ->Get(context, V8String(isolate, "_start"))
           .ToLocal(&start) ||
      !start->IsFunction()) {
    return absl::NotFoundError(
        "the module exports no _start function (is it a WASI command?)");
  }
  v8::TryCatch try_catch(isolate);
  FastSlotScope fast_slots(impl_->fast_slots.data());
  v8::MaybeLocal<v8::Value> returned =
      start.As<v8::Function>()->Call(context, context->Global(), 0, nullptr);
  RunResult result;
  if (try_catch.HasTerminated() && s.heap_exhausted) {
    isolate->CancelTerminateExecution();
    s.heap_exhausted = false;
    result.exit_code = -1;
    result.trap = Trap{HeapExhaustedMessage(s), {}};
  } else if (try_catch.HasTerminated()) {
    isolate->CancelTerminateExecution();
    result.exit_code = -1;
    result.terminated = true;
  } else if (impl_->exit_requested) {
    result.exit_code = impl_->exit_code;
  } else if (returned.IsEmpty()) {
    Trap trap;
    v8::Local<v8::Value> error = try_catch.Exception();
    trap.message = ExceptionMessage(isolate, error);
    v8::Local<v8::Value> stack;
    if (try_catch.StackTrace(context).ToLocal(&stack) && stack->IsString()) {
      v8::String::Utf8Value utf8(isolate, stack);
      trap.frames = StackFrames(absl::string_view(*utf8, utf8.length()));
    }
    result.exit_code = -1;
    result.trap = std::move(trap);
  }
  return result;
}

}  // namespace wasmhpc::engine
