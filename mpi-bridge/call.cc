#include "mpi-bridge/call.h"

#include <algorithm>
#include <iterator>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "mpi-bridge/errhandler.h"
#include "mpi-bridge/win.h"

namespace wasmhpc::mpi {

int32_t Call::Fail(int32_t error_class, std::string message) {
  if (error_class_ == 0) {
    error_class_ = error_class;
    message_ = std::move(message);
  }
  return error_class;
}

int32_t Call::Trap(std::string message) {
  trap_ = true;
  error_class_ = abi::kErrOther;
  message_ = std::move(message);
  return abi::kErrOther;
}

int32_t Call::HostError(int rc) {
  int host_class = MPI_ERR_OTHER;
  mpi().Error_class(rc, &host_class);
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  mpi().Error_string(rc, text, &len);
  return Fail(GuestErrorClass(host_class),
              absl::StrCat("host MPI: ", absl::string_view(text, len)));
}

bool Call::NotInitialized() {
  Fail(abi::kErrOther, bridge_.state() == Bridge::State::kFinalized
                           ? "called after MPI_Finalize"
                           : "called before MPI_Init");
  return false;
}

void Call::NoSuchHandle(Kind table_kind, abi::Handle h, int32_t err_class) {
  std::optional<Kind> kind = KindOfHandle(h);
  if (kind && *kind != table_kind) {
    Fail(err_class, absl::StrFormat("invalid %s 0x%x (it is a %s handle)",
                                    KindName(table_kind), h, KindName(*kind)));
  } else {
    Fail(err_class, absl::StrFormat("invalid %s 0x%x (null, freed or never "
                                    "created)",
                                    KindName(table_kind), h));
  }
}

WinEntry* Call::Win(abi::Handle h) {
  std::shared_ptr<WinEntry>* win = Lookup(bridge_.wins(), h, abi::kErrWin);
  if (!win) return nullptr;
  errhandler_ = (*win)->errhandler;
  comm_ = h;
  return win->get();
}

bool Call::NegativeCount(int32_t count, const char* what) {
  Fail(abi::kErrCount, absl::StrFormat("negative %s %d", what, count));
  return false;
}

void* Call::OutOfMemory(uint64_t p, uint64_t length, const char* what) {
  Fail(abi::kErrBuffer,
       std::string(memory_.Span(p, length, what).status().message()));
  return nullptr;
}

bool Call::AnyBuffer(abi::Ptr p, int32_t count, const DatatypeEntry& type,
                     const char* what, void** out) {
  if (!Count(count, "count")) return false;
  if (!type.committed) {
    Fail(abi::kErrType, "datatype is not committed");
    return false;
  }
  if (count == 0 || type.size == 0) {
    // Nothing is accessed; any address (NULL included) is fine. (Data()
    // first: memory_.size() asks the engine.)
    *out = memory_.Data(p, 0);
    if (*out == nullptr) *out = Bytes(memory_.size(), 0, what);
    return *out != nullptr;
  }
  // The bytes touched: from the first element's true lower bound to the
  // last element's true upper bound (extent may be negative).
  int64_t span = (int64_t{count} - 1) * type.extent;
  int64_t lo = int64_t{p} + type.true_lb + std::min<int64_t>(0, span);
  int64_t hi =
      int64_t{p} + type.true_lb + type.true_extent + std::max<int64_t>(0, span);
  if (lo < 0) {
    Fail(abi::kErrBuffer,
         absl::StrFormat("%s [0x%x%+d elements) starts below address 0", what,
                         p, count));
    return false;
  }
  uint8_t* base = static_cast<uint8_t*>(Bytes(lo, hi - lo, what));
  if (base == nullptr) return false;
  *out = base + (int64_t{p} - lo);
  return true;
}

bool Call::SendBuffer(abi::Ptr p, int32_t count, const DatatypeEntry& type,
                      const char* what, const void** out) {
  if (p == abi::kInPlace) {
    *out = MPI_IN_PLACE;
    return true;
  }
  void* buffer;
  if (!Buffer(p, count, type, what, &buffer)) return false;
  *out = buffer;
  return true;
}

bool Call::WriteStatus(abi::Ptr p, const MPI_Status& status) {
  if (p == abi::kStatusIgnore) return true;
  abi::Status* guest = Ref<abi::Status>(p, "status");
  if (guest) ToGuestStatus(status, /*set_error=*/false, guest);
  return guest != nullptr;
}

int64_t Call::FinishErrorWithoutGuest(int32_t rc) const {
  if (trap_) return engine::kHandToCallback;
  abi::Handle handler = errhandler_;
  if (handler == 0) {
    const CommEntry* world = bridge_.comms().Find(abi::kCommWorld);
    handler = world ? world->errhandler : abi::kErrorsAreFatal;
  }
  if (handler == abi::kErrorsReturn) return static_cast<uint32_t>(rc);
  return engine::kHandToCallback;
}

bool FastCallAllowed(std::string_view name) {
  // The table's fast calls (sdk/abi/mpi_abi.txt): hot calls, read for guest
  // calls. Waits and tests may complete a nonblocking reduction: its user
  // op is covered by the user_ops_live() check in Bind().
  static_assert(
      std::is_sorted(std::begin(abi::kFastCalls), std::end(abi::kFastCalls)));
  return std::binary_search(std::begin(abi::kFastCalls),
                            std::end(abi::kFastCalls), name);
}

absl::StatusOr<uint64_t> Call::Finish(int32_t rc) {
  if (rc == abi::kSuccess && !trap_) return 0;
  abi::Handle comm = comm_, handler = errhandler_;
  if (handler == 0) {
    comm = abi::kCommWorld;
    CommEntry* world = bridge_.comms().Find(abi::kCommWorld);
    handler = world ? world->errhandler : abi::kErrorsAreFatal;
  }
  std::string message =
      message_.empty() ? absl::StrCat("error class ", rc) : message_;
  if (!trap_ && handler == abi::kErrorsReturn) return static_cast<uint32_t>(rc);
  if (!trap_ && handler >= abi::kPredefinedLimit) {
    // A user handler: MPI returns the error once the handler returns.
    absl::Status called = CallCommErrhandler(*this, comm, handler, rc);
    if (called.ok()) return static_cast<uint32_t>(rc);
    absl::StrAppend(&message,
                    "; then its error handler failed: ", called.message());
  }
  return absl::AbortedError(absl::StrCat(name_, ": ", message));
}

}  // namespace wasmhpc::mpi
