// Host functions: the data a host import is made of, free of any V8 type.
//
// A HostFunc names an import (module, name), gives its Wasm signature and a
// callback. The engine binds it to the instance; WASI, the MPI bridge and tests
// build HostFuncs without V8. Thread safety: a HostContext belongs to one
// instance and one thread.
#ifndef WASMHPC_ENGINE_HOST_FUNC_H_
#define WASMHPC_ENGINE_HOST_FUNC_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "engine/guest_memory.h"

namespace wasmhpc::engine {

// Wasm value types. Host functions use only the four numeric ones; the rest
// appear when describing a module's imports.
enum class ValType : uint8_t {
  kI32,
  kI64,
  kF32,
  kF64,
  kV128,
  kFuncRef,
  kExternRef
};

// A Wasm function signature. At most one result.
struct FuncType {
  std::vector<ValType> params;
  std::vector<ValType> results;

  bool operator==(const FuncType&) const = default;
};

// "(i32, i64) -> i32"
std::string ToString(const FuncType& type);

// What a host callback sees of the calling instance.
class HostContext {
 public:
  virtual ~HostContext() = default;

  // The instance's exported linear memory ("memory").
  virtual GuestMemory& memory() = 0;

  // Ends the guest run with `code` once the callback returns (WASI
  // proc_exit). The callback's return value is then ignored.
  virtual void RequestExit(int32_t code) = 0;

  // Calls the guest function at `table_index` of the module's exported
  // function table ("__indirect_function_table"), with raw argument slots.
  // Returns the result slot (0 without a result). Errors: InvalidArgument
  // if the index holds no function of exactly `type` (the message names
  // the index and both types); Aborted with the trap message if the guest
  // trapped. The guest may call host functions again meanwhile.
  virtual absl::StatusOr<uint64_t> CallIndirect(
      uint32_t table_index, const FuncType& type,
      const std::vector<uint64_t>& args) = 0;

  // The value of the module's exported global `name`: an i32 zero-extended,
  // an i64 as is. (The host calls guest functions only through the table:
  // wasm-ld wraps every function export of a command module in the
  // module's static constructors and destructors, so calling an export
  // other than _start would run them again.) Errors: NotFound if the module
  // exports no global `name`, InvalidArgument if it is not an integer.
  virtual absl::StatusOr<uint64_t> ExportedGlobal(const std::string& name) = 0;
};

// Arguments and the result travel as raw 64-bit slots: i32 zero-extended,
// i64 as is, f32/f64 as their bit patterns.
//
// A callback returns the result slot (ignored for functions without a
// result) or a non-OK status, which becomes a Wasm trap whose message is the
// status message (name the call and the offending value in it).
using HostCallback =
    std::function<absl::StatusOr<uint64_t>(HostContext&, const uint64_t* args)>;

// What a fast entry returns to hand the call to the host function's
// callback (see HostFastEntry).
inline constexpr int64_t kHandToCallback = -1;

// The optional fast entry of a host function with i32 parameters and an i32
// result: the same function, called from guest code without V8's API
// callback machinery (V8's fast API calls; see engine/fast_calls.h).
// It runs where neither guest code nor V8 may run: it must not call
// CallIndirect or ExportedGlobal (they fail) and cannot fail itself. It returns
// the result slot (the i32 zero-extended) when the call is done
// (RequestExit works as in a callback), or kHandToCallback to hand the call
// to `callback` with the same arguments, which the engine then makes before
// the guest runs on. Hand a call over only before it has had any effect, or
// keep what `callback` needs to finish the call instead of doing it again.
//
// A plain function and its data, not a std::function: this is the path of
// every hot MPI call, and a result that is one register keeps it short.
struct HostFastEntry {
  int64_t (*call)(const void* data, HostContext& host,
                  const uint64_t* args) = nullptr;
  std::shared_ptr<const void> data;

  // Wraps `f`, callable as int64_t(HostContext&, const uint64_t* args).
  template <typename F>
  static HostFastEntry Of(F f) {
    return {[](const void* data, HostContext& host, const uint64_t* args) {
              return static_cast<int64_t>(
                  (*static_cast<const F*>(data))(host, args));
            },
            std::make_shared<const F>(std::move(f))};
  }

  explicit operator bool() const { return call != nullptr; }
  int64_t operator()(HostContext& host, const uint64_t* args) const {
    return call(data.get(), host, args);
  }
};

struct HostFunc {
  std::string module;
  std::string name;
  FuncType type;
  HostCallback callback;
  // Optional (see HostFastEntry); ignored for other signatures.
  HostFastEntry fast = {};
};

}  // namespace wasmhpc::engine

#endif  // WASMHPC_ENGINE_HOST_FUNC_H_
