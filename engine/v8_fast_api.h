// Internal to engine: the part of V8's fast API call interface that
// the engine uses, declared here because Debian's libnode-dev (V8 10.2)
// does not ship include/v8-fast-api-calls.h.
//
// These declarations match V8 10.2 (libnode108, V8 10.2.154) byte for
// byte; they are checked against the library, not just the headers:
//  - CTypeInfo is {Type, SequenceType, Flags}, one byte each; the Type
//    values come from V8 10.2's enum (no kUint8 yet: kInt32 is 2 and
//    kV8Value is 8, which is what node's own CFunction for
//    `void f(Local<Value>)` stores in libnode.so.108).
//  - CFunctionInfo is {CTypeInfo return_info_; unsigned arg_count_;
//    const CTypeInfo* arg_info_;} (16 bytes); its constructor is exported by
//    libnode and only stores the three fields.
//  - CFunction is {const void* address_; const CFunctionInfo* type_info_;};
//    its exported constructor CHECKs both are non-null.
// Another V8 may lay these out differently: UsableFastApi() refuses the
// fast path unless both the headers and the loaded library are V8 10.2.
//
// What V8 10.2 does with them for Wasm (verified with a counter in the C
// function, see instance.cc): a Wasm import that is an API function built
// from a FunctionTemplate with a CFunction whose signature is
// (receiver, i32...) -> i32|void, exactly the import's Wasm signature
// after the receiver, is called through a fast-call wrapper (kWasmToJSFastApi)
// when --turbo-fast-api-calls is set, from TurboFan and Liftoff code alike.
// The receiver is the global proxy (also for bound functions), so it
// carries no per-import data. A CFunction with a FastApiCallbackOptions
// argument is never called fast from Wasm in 10.2 (the slow callback is
// always used), so there is no `fallback` either.
#ifndef WASMHPC_ENGINE_V8_FAST_API_H_
#define WASMHPC_ENGINE_V8_FAST_API_H_

#include <cstdint>
#include <string_view>

#include "v8-version.h"
#include "v8.h"

#define WASMHPC_V8_FAST_API_LAYOUT \
  (V8_MAJOR_VERSION == 10 && V8_MINOR_VERSION == 2)

#if WASMHPC_V8_FAST_API_LAYOUT

namespace v8 {

class CTypeInfo {
 public:
  enum class Type : uint8_t {
    kVoid,
    kBool,
    kInt32,
    kUint32,
    kInt64,
    kUint64,
    kFloat32,
    kFloat64,
    kV8Value,
    kApiObject,
  };
  enum class SequenceType : uint8_t { kScalar };
  enum class Flags : uint8_t { kNone = 0 };

  explicit constexpr CTypeInfo(Type type)
      : type_(type),
        sequence_type_(SequenceType::kScalar),
        flags_(Flags::kNone) {}

 private:
  // Read by libnode only (never by this tree), hence [[maybe_unused]].
  [[maybe_unused]] Type type_;
  [[maybe_unused]] SequenceType sequence_type_;
  [[maybe_unused]] Flags flags_;
};

class V8_EXPORT CFunctionInfo {
 public:
  // Defined in libnode (stores the three fields).
  CFunctionInfo(const CTypeInfo& return_info, unsigned int arg_count,
                const CTypeInfo* arg_info);

 private:
  const CTypeInfo return_info_;
  const unsigned int arg_count_;
  const CTypeInfo* arg_info_;
};

class V8_EXPORT CFunction {
 public:
  // Defined in libnode (CHECKs both pointers are non-null).
  CFunction(const void* address, const CFunctionInfo* type_info);

 private:
  const void* address_;
  const CFunctionInfo* type_info_;
};

}  // namespace v8

static_assert(sizeof(v8::CTypeInfo) == 3);
static_assert(sizeof(v8::CFunctionInfo) == 16);
static_assert(sizeof(v8::CFunction) == 16);

#endif  // WASMHPC_V8_FAST_API_LAYOUT

namespace wasmhpc::engine {

// Whether the declarations above match both the V8 headers compiled
// against and the V8 library loaded at run time (v8::V8::GetVersion()).
inline bool UsableFastApi() {
#if WASMHPC_V8_FAST_API_LAYOUT
  std::string_view version = v8::V8::GetVersion();
  return version.substr(0, 5) == "10.2.";
#else
  return false;
#endif
}

}  // namespace wasmhpc::engine

#endif  // WASMHPC_ENGINE_V8_FAST_API_H_
