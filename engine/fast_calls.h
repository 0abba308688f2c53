// Internal to engine: host imports called through V8's Wasm -> fast
// API call path instead of the API callback path (see v8_fast_api.h).
//
// How a fast import works. V8 10.2 calls a fast C function with the
// import's arguments only: no callback data, no way back to the slow
// callback (no FastApiCallbackOptions from Wasm), and it may not throw. So:
//  - Per-import data: the C function is one of a fixed table of
//    trampolines, one per (slot, arity); an instance gives each of its
//    fast imports a slot, and the trampoline finds the import through
//    this thread's current slot table (FastSlotScope), set whenever the
//    engine runs guest code of that instance.
//  - Traps, exits and guest callbacks: the guest does not import the fast
//    function itself but a guard, from a small Wasm module the engine
//    generates (GuardModuleBytes): `r = fast(args); if (r != kSlowPathMark)
//    return r; return slow(args);`. A fast entry that cannot finish the
//    call returns kSlowPathMark and the slow import (the API callback,
//    which can throw) runs with the same arguments before any other guest
//    code. Wasm -> Wasm import calls are direct calls, so the guard costs a
//    call and a compare.
// Thread safety: the slot table is per thread; an instance runs on one
// thread.
#ifndef WASMHPC_ENGINE_FAST_CALLS_H_
#define WASMHPC_ENGINE_FAST_CALLS_H_

#include <cstddef>
#include <cstdint>
#include <vector>

namespace v8 {
class CFunction;
}

namespace wasmhpc::engine {

// Fast imports per instance and their most parameters (all i32).
inline constexpr size_t kMaxFastSlots = 64;
inline constexpr size_t kMaxFastArity = 12;

// What a fast entry returns to hand the call to the slow import. A result
// that really is this value is delivered through the slow import too.
inline constexpr int32_t kSlowPathMark = INT32_MIN;

// Runs the fast import `target` (an engine binding) with the arguments as
// zero-extended 64-bit slots and returns the i32 result. Defined by the
// engine (instance.cc); the trampolines call it directly.
int32_t FastCall(void* target, const uint64_t* args);

// Makes `slots` (kMaxFastSlots targets) this thread's slot table while
// alive; restores the previous one after (guest code nests).
class FastSlotScope {
 public:
  explicit FastSlotScope(void* const* slots);
  ~FastSlotScope();
  FastSlotScope(const FastSlotScope&) = delete;
  FastSlotScope& operator=(const FastSlotScope&) = delete;

 private:
  void* const* previous_;
};

// The target of `slot` in this thread's slot table.
void* CurrentFastTarget(size_t slot);

// The V8 C function of the trampoline for `slot` with `arity` i32
// parameters and an i32 result. REQUIRES: slot < kMaxFastSlots, arity <=
// kMaxFastArity. Static storage; V8 keeps the pointer.
const v8::CFunction* FastTrampoline(size_t slot, size_t arity);

// A Wasm module with, for each i in [0, arities.size()): imports "f" "<i>"
// (the fast function) and "s" "<i>" (the slow one), both of type
// (i32 x arities[i]) -> i32, and exports "<i>", the guard that calls
// the fast one and, on kSlowPathMark, the slow one.
std::vector<uint8_t> GuardModuleBytes(const std::vector<size_t>& arities);

}  // namespace wasmhpc::engine

#endif  // WASMHPC_ENGINE_FAST_CALLS_H_
