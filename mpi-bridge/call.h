// Call: one guest MPI call in progress: argument translation (handles,
// guest pointers, status), error recording, and the error handler policy
// applied when the call returns. Bind() turns a typed bridge function
// `R F(Call&, Args...)` into an engine::HostFunc.
//
// Bridge functions return an int32_t MPI error code (ABI class), or a
// plain value as uint32_t / double. Lookups return nullptr and record the
// error; the function then returns call.error().
#ifndef WASMHPC_MPI_BRIDGE_CALL_H_
#define WASMHPC_MPI_BRIDGE_CALL_H_

#include <bit>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "absl/status/statusor.h"
#include "engine/host_func.h"
#include "mpi-bridge/bridge.h"
#include "mpi-bridge/translate.h"

namespace wasmhpc::mpi {

class Call {
 public:
  Call(Bridge& bridge, engine::HostContext& host, const char* name)
      : bridge_(bridge), host_(host), memory_(host.memory()), name_(name) {}

  Bridge& bridge() { return bridge_; }
  MpiTransport& mpi() { return bridge_.mpi(); }
  engine::HostContext& host() { return host_; }
  const char* name() const { return name_; }

  // Records an error of ABI class `error_class`; returns the class.
  int32_t Fail(int32_t error_class, std::string message);
  // Passes host MPI_SUCCESS through; records any other host error code.
  int32_t Host(int host_rc) {
    return host_rc == MPI_SUCCESS ? abi::kSuccess : HostError(host_rc);
  }
  // The recorded error class (MPI_ERR_OTHER if none was recorded).
  int32_t error() const { return error_class_ ? error_class_ : abi::kErrOther; }
  // Records a failure no error handler may take back (the guest trapped
  // in a callback the bridge called): the call then traps with `message`
  // whatever the error handler. Returns MPI_ERR_OTHER.
  int32_t Trap(std::string message);
  // Whether Trap() was called: run no more guest code in this call.
  bool trapped() const { return trap_; }

  // Fails unless the guest has called MPI_Init and not MPI_Finalize.
  bool CheckInitialized() {
    return bridge_.state() == Bridge::State::kInitialized || NotInitialized();
  }

  // Handle lookups (inline: every hot call makes some). Comm() also makes
  // the communicator's error handler the one this call reports to.
  CommEntry* Comm(abi::Handle h) {
    CommEntry* comm = Lookup(bridge_.comms(), h, abi::kErrComm);
    if (comm) {
      errhandler_ = comm->errhandler;
      comm_ = h;
    }
    return comm;
  }
  DatatypeEntry* Datatype(abi::Handle h) {
    return Lookup(bridge_.datatypes(), h, abi::kErrType);
  }
  OpEntry* Op(abi::Handle h) { return Lookup(bridge_.ops(), h, abi::kErrOp); }
  RequestEntry* Request(abi::Handle h) {
    return Lookup(bridge_.requests(), h, abi::kErrRequest);
  }
  GroupEntry* Group(abi::Handle h) {
    return Lookup(bridge_.groups(), h, abi::kErrGroup);
  }
  // Makes `errhandler`, the handler of file or window `object`, the one
  // this call reports to.
  void ReportTo(abi::Handle object, abi::Handle errhandler) {
    comm_ = object;
    errhandler_ = errhandler;
  }
  // Also makes the window's error handler the one this call reports to.
  WinEntry* Win(abi::Handle h);

  // Checks a count argument (>= 0).
  bool Count(int32_t count, const char* what) {
    return count >= 0 || NegativeCount(count, what);
  }

  // Host pointer to `n` objects of type T at guest address `p`.
  template <typename T>
  T* Ref(abi::Ptr p, const char* what, size_t n = 1) {
    return static_cast<T*>(Bytes(p, sizeof(T) * n, what));
  }
  // Host pointer to [p, p + length) of guest memory, or nullptr + error.
  void* Bytes(uint64_t p, uint64_t length, const char* what) {
    if (uint8_t* data = memory_.Data(p, length)) return data;
    return OutOfMemory(p, length, what);
  }

  // Host pointer for a message buffer of `count` elements of `type` at `p`,
  // after checking the whole extent (derived layouts included). MPI_BOTTOM
  // (0) is the base of guest memory, so absolute addresses from
  // MPI_Get_address work. Returns false + error when out of range.
  bool Buffer(abi::Ptr p, int32_t count, const DatatypeEntry& type,
              const char* what, void** out) {
    // Inline, the usual layout: elements forward from p, each within its
    // extent (every predefined type), at most 4 GiB apart (so the length
    // cannot wrap).
    if (count > 0 && type.committed && type.true_lb == 0 &&
        type.true_extent <= type.extent && type.extent <= kMaxInlineExtent) {
      const uint64_t length =
          static_cast<uint64_t>(count - 1) * type.extent + type.true_extent;
      if (uint8_t* data = memory_.Data(p, length)) {
        *out = data;
        return true;
      }
    }
    return AnyBuffer(p, count, type, what, out);
  }
  // As Buffer(), but MPI_IN_PLACE becomes the host's MPI_IN_PLACE.
  bool SendBuffer(abi::Ptr p, int32_t count, const DatatypeEntry& type,
                  const char* what, const void** out);

  // Writes a host status to the guest (no-op for MPI_STATUS_IGNORE) as a
  // single-completion call does: the guest's MPI_ERROR stays as it was.
  bool WriteStatus(abi::Ptr p, const MPI_Status& status);
  // Writes a guest value (int32_t, uint32_t, int64_t, double).
  template <typename T>
  bool Write(abi::Ptr p, T value, const char* what) {
    T* ref = Ref<T>(p, what);
    if (ref) *ref = value;
    return ref != nullptr;
  }

  // Ends the call: success and errors under MPI_ERRORS_RETURN become the
  // return value; under MPI_ERRORS_ARE_FATAL / MPI_ERRORS_ABORT the error
  // becomes a trap naming the call; a user error handler is called first
  // and the error then returned.
  absl::StatusOr<uint64_t> Finish(int32_t rc);
  // Finish() where it needs no guest code and no trap (success, or an error
  // under MPI_ERRORS_RETURN): the result slot; engine::kHandToCallback
  // otherwise.
  int64_t FinishWithoutGuest(int32_t rc) const {
    if (rc == abi::kSuccess && !trap_) return 0;
    return FinishErrorWithoutGuest(rc);
  }

 private:
  int64_t FinishErrorWithoutGuest(int32_t rc) const;
  bool NotInitialized();                                // records why; false
  int32_t HostError(int host_rc);                       // Host()'s failure
  bool NegativeCount(int32_t count, const char* what);  // records it; false
  static constexpr int64_t kMaxInlineExtent = int64_t{1} << 32;
  // Buffer() for any layout, count and error.
  bool AnyBuffer(abi::Ptr p, int32_t count, const DatatypeEntry& type,
                 const char* what, void** out);
  template <typename Entry>
  Entry* Lookup(HandleTable<Entry>& table, abi::Handle h, int32_t err_class) {
    if (Entry* e = table.Find(h)) return e;
    NoSuchHandle(table.kind(), h, err_class);
    return nullptr;
  }
  // Record the error of a failed lookup or memory access.
  void NoSuchHandle(Kind kind, abi::Handle h, int32_t err_class);
  void* OutOfMemory(uint64_t p, uint64_t length, const char* what);

  Bridge& bridge_;
  engine::HostContext& host_;
  engine::GuestMemory& memory_;  // host_.memory()
  const char* name_;
  abi::Handle errhandler_ = 0;  // 0: the world's
  abi::Handle comm_ = 0;        // whose error handler errhandler_ is
  bool trap_ = false;
  int32_t error_class_ = 0;
  std::string message_;
};

// When a bridge function may be called.
enum class When { kInitialized, kAnyTime };

namespace internal {

template <typename T>
struct Slot;
template <>
struct Slot<int32_t> {
  static constexpr engine::ValType kType = engine::ValType::kI32;
  static int32_t Get(uint64_t v) { return static_cast<int32_t>(v); }
  static uint64_t Put(int32_t v) { return static_cast<uint32_t>(v); }
};
template <>
struct Slot<uint32_t> {
  static constexpr engine::ValType kType = engine::ValType::kI32;
  static uint32_t Get(uint64_t v) { return static_cast<uint32_t>(v); }
  static uint64_t Put(uint32_t v) { return v; }
};
template <>
struct Slot<int64_t> {
  static constexpr engine::ValType kType = engine::ValType::kI64;
  static int64_t Get(uint64_t v) { return static_cast<int64_t>(v); }
  static uint64_t Put(int64_t v) { return static_cast<uint64_t>(v); }
};
template <>
struct Slot<double> {
  static constexpr engine::ValType kType = engine::ValType::kF64;
  static double Get(uint64_t v) { return std::bit_cast<double>(v); }
  static uint64_t Put(double v) { return std::bit_cast<uint64_t>(v); }
};

template <typename... A>
inline constexpr bool kAllI32 = ((std::is_same_v<A, int32_t> ||
                                  std::is_same_v<A, uint32_t>)&&...);

// Runs `fn` with the guest arguments in `args`, converted to its parameters.
template <typename R, typename... A>
R Invoke(R (*fn)(Call&, A...), Call& call, const uint64_t* args) {
  return [&]<size_t... I>(std::index_sequence<I...>) {
    return fn(call, Slot<A>::Get(args[I])...);
  }
  (std::index_sequence_for<A...>{});
}

// A call whose fast entry ran and that its slow callback finishes (the
// error handler or the trap).
struct DeferredFinish {
  Call call;
  int32_t rc;
};

}  // namespace internal

// Whether the bridge function `name` may run as a fast host call
// (engine::HostFastCallback): it calls no guest code (no attribute
// callbacks, no guest malloc/free, no MPI_Abort). User ops are checked
// per call (Bridge::user_ops_live) and the error handler runs in the slow
// callback.
bool FastCallAllowed(std::string_view name);

// A bridge function bound to its import name.
template <typename R, typename... A>
engine::HostFunc Bind(Bridge& bridge, const char* name, R (*fn)(Call&, A...),
                      When when = When::kInitialized) {
  using internal::Slot;
  engine::FuncType type{{Slot<A>::kType...}, {Slot<R>::kType}};
  constexpr bool kFastSignature =
      std::is_same_v<R, int32_t> && internal::kAllI32<A...>;
  const bool fast = kFastSignature && FastCallAllowed(name);
  auto deferred =
      fast ? std::make_shared<std::optional<internal::DeferredFinish>>()
           : nullptr;
  auto callback = [&bridge, name, fn, when, deferred](
                      engine::HostContext& host,
                      const uint64_t* args) -> absl::StatusOr<uint64_t> {
    if (deferred && deferred->has_value()) {
      internal::DeferredFinish d = std::move(**deferred);
      deferred->reset();
      return d.call.Finish(d.rc);
    }
    Call call(bridge, host, name);
    if (when == When::kInitialized && !call.CheckInitialized()) {
      return call.Finish(call.error());
    }
    R result = internal::Invoke(fn, call, args);
    if constexpr (std::is_same_v<R, int32_t>) {
      return call.Finish(result);
    } else {
      return Slot<R>::Put(result);
    }
  };
  engine::HostFunc f{"env", name, std::move(type), std::move(callback)};
  if constexpr (kFastSignature) {
    if (fast) {
      f.fast = engine::HostFastEntry::Of(
          [&bridge, name, fn, when, deferred](engine::HostContext& host,
                                              const uint64_t* args) {
            // Any MPI progress may run a user op, which calls the guest.
            if (bridge.user_ops_live()) return engine::kHandToCallback;
            Call call(bridge, host, name);
            if (when == When::kInitialized && !call.CheckInitialized()) {
              // Nothing done yet: the slow call redoes it.
              return engine::kHandToCallback;
            }
            int32_t rc = internal::Invoke(fn, call, args);
            int64_t done = call.FinishWithoutGuest(rc);
            if (done == engine::kHandToCallback) {
              deferred->emplace(internal::DeferredFinish{call, rc});
            }
            return done;
          });
    }
  }
  return f;
}

// Adds the bridge functions of one family (env.cc, p2p.cc, ...).
using Family = void (*)(Bridge& bridge, std::vector<engine::HostFunc>& out);
void AddEnvironment(Bridge& bridge, std::vector<engine::HostFunc>& out);
void AddPointToPoint(Bridge& bridge, std::vector<engine::HostFunc>& out);
void AddCollectives(Bridge& bridge, std::vector<engine::HostFunc>& out);
void AddCommunicators(Bridge& bridge, std::vector<engine::HostFunc>& out);
void AddDatatypes(Bridge& bridge, std::vector<engine::HostFunc>& out);
void AddOps(Bridge& bridge, std::vector<engine::HostFunc>& out);
void AddGroups(Bridge& bridge, std::vector<engine::HostFunc>& out);
void AddTopologies(Bridge& bridge, std::vector<engine::HostFunc>& out);
void AddInfo(Bridge& bridge, std::vector<engine::HostFunc>& out);
void AddFiles(Bridge& bridge, std::vector<engine::HostFunc>& out);
void AddWindows(Bridge& bridge, std::vector<engine::HostFunc>& out);

// MPI_Status accessors (status.cc) and MPI_Grequest_start /
// MPI_Grequest_complete (grequest.cc), added by AddPointToPoint.
void AddStatusFunctions(Bridge& bridge, std::vector<engine::HostFunc>& out);
void AddGeneralizedRequests(Bridge& bridge, std::vector<engine::HostFunc>& out);

// Neighbor collectives (neighbor.cc), added by AddTopologies.
void AddNeighborCollectives(Bridge& bridge, std::vector<engine::HostFunc>& out);

}  // namespace wasmhpc::mpi

#endif  // WASMHPC_MPI_BRIDGE_CALL_H_
