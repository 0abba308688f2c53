// Error handlers and user error codes. See errhandler.h.
#include "mpi-bridge/errhandler.h"

#include <cstring>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "mpi-bridge/guest_data.h"
#include "mpi-bridge/win.h"

namespace wasmhpc::mpi {
namespace {

using abi::Handle;
using abi::Ptr;
using engine::ValType;

const engine::FuncType kVariadicHandler{
    {ValType::kI32, ValType::kI32, ValType::kI32}, {}};
const engine::FuncType kPlainHandler{{ValType::kI32, ValType::kI32}, {}};

// User error codes: abi::kErrLastcode + 1 and up.
constexpr size_t kMaxUserErrors = 1 << 16;

bool IsPredefinedHandler(Handle h) {
  return h == abi::kErrorsAreFatal || h == abi::kErrorsReturn ||
         h == abi::kErrorsAbort;
}

// Calls the handler at table index `fn` with guest pointers to a handle
// and a code.
absl::Status CallHandler(engine::HostContext& host, uint32_t fn, Handle object,
                         int32_t code) {
  absl::StatusOr<Ptr> args = GuestMalloc(host, 8);
  if (!args.ok()) {
    return absl::Status(args.status().code(),
                        absl::StrCat("no guest memory for its arguments: ",
                                     args.status().message()));
  }
  absl::StatusOr<absl::Span<uint8_t>> span =
      host.memory().Span(*args, 8, "error handler arguments");
  if (!span.ok()) return span.status();
  std::memcpy(span->data(), &object, 4);
  std::memcpy(span->data() + 4, &code, 4);
  absl::StatusOr<uint64_t> r =
      host.CallIndirect(fn, kVariadicHandler, {*args, *args + 4, 0});
  if (absl::IsInvalidArgument(r.status())) {
    absl::StatusOr<uint64_t> plain =
        host.CallIndirect(fn, kPlainHandler, {*args, *args + 4});
    if (!absl::IsInvalidArgument(plain.status())) r = std::move(plain);
  }
  if (absl::IsAborted(r.status())) return r.status();  // no more guest code
  absl::Status freed = GuestFree(host, *args);
  return r.ok() ? freed : r.status();
}

bool ErrhandlerInUse(Bridge& b, Handle h) {
  bool used = false;
  for (Handle predefined : {abi::kCommWorld, abi::kCommSelf}) {
    CommEntry* cm = b.comms().Find(predefined);
    used |= cm != nullptr && cm->errhandler == h;
  }
  b.comms().ForEachUser(
      [&](Handle, const CommEntry& cm) { used |= cm.errhandler == h; });
  const FileEntry* file_null = b.files().Find(abi::kFileNull);
  used |= file_null != nullptr && file_null->errhandler == h;
  b.files().ForEachUser(
      [&](Handle, const FileEntry& f) { used |= f.errhandler == h; });
  used |= WinErrhandlerInUse(b, h);
  return used;
}

// A handler the guest may attach to a communicator.
bool CheckCommHandler(Call& c, Handle h) {
  if (IsPredefinedHandler(h)) return true;
  ErrhandlerEntry* e = c.bridge().errhandlers().Find(h);
  if (e && e->object_kind == Kind::kComm) return true;
  c.Fail(abi::kErrArg,
         e ? absl::StrFormat("error handler 0x%x is not a communicator's", h)
           : absl::StrFormat("invalid error handler 0x%x", h));
  return false;
}

int32_t CommCreateErrhandler(Call& c, uint32_t fn, Ptr errhandler) {
  Handle* out = c.Ref<Handle>(errhandler, "errhandler");
  if (!out) return c.error();
  if (fn == 0) return c.Fail(abi::kErrArg, "error handler function is NULL");
  std::optional<Handle> h = c.bridge().errhandlers().Insert(
      {.function = fn, .object_kind = Kind::kComm});
  if (!h) return c.Fail(abi::kErrNoMem, "too many error handlers");
  *out = *h;
  return abi::kSuccess;
}

int32_t CommSetErrhandler(Call& c, Handle comm, Handle errhandler) {
  CommEntry* cm = c.Comm(comm);
  if (!cm || !CheckCommHandler(c, errhandler)) return c.error();
  Handle old = cm->errhandler;
  cm->errhandler = errhandler;
  DropErrhandlerIfUnused(c.bridge(), old);
  return abi::kSuccess;
}

// The caller gets a handle of its own to free with MPI_Errhandler_free.
int32_t CommGetErrhandler(Call& c, Handle comm, Ptr errhandler) {
  CommEntry* cm = c.Comm(comm);
  if (!cm || !c.Write<Handle>(errhandler, cm->errhandler, "errhandler")) {
    return c.error();
  }
  if (ErrhandlerEntry* e = c.bridge().errhandlers().Find(cm->errhandler)) {
    ++e->guest_refs;
  }
  return abi::kSuccess;
}

// Returns MPI_SUCCESS once the handler returned, as MPI specifies; the
// fatal handlers end the run.
int32_t CommCallErrhandler(Call& c, Handle comm, int32_t code) {
  CommEntry* cm = c.Comm(comm);
  if (!cm) return c.error();
  Handle h = cm->errhandler;
  if (h == abi::kErrorsReturn) return abi::kSuccess;
  if (IsPredefinedHandler(h)) {
    return c.Fail(code,
                  absl::StrFormat("error code %d raised by the guest", code));
  }
  absl::Status called = CallCommErrhandler(c, comm, h, code);
  return called.ok()
             ? abi::kSuccess
             : c.Trap(absl::StrCat("error handler failed: ", called.message()));
}

int32_t ErrhandlerFree(Call& c, Ptr errhandler) {
  Handle* slot = c.Ref<Handle>(errhandler, "errhandler");
  if (!slot) return c.error();
  Handle h = *slot;
  if (!IsPredefinedHandler(h)) {
    ErrhandlerEntry* e = c.bridge().errhandlers().Find(h);
    if (!e) {
      return c.Fail(abi::kErrArg,
                    absl::StrFormat("invalid error handler 0x%x", h));
    }
    --e->guest_refs;
    DropErrhandlerIfUnused(c.bridge(), h);
  }
  *slot = abi::kErrhandlerNull;
  return abi::kSuccess;
}

// New codes and classes count up from MPI_ERR_LASTCODE + 1.
int32_t AddUserError(Call& c, int32_t error_class, Ptr out) {
  int32_t* slot = c.Ref<int32_t>(out, "errorcode");
  if (!slot) return c.error();
  std::optional<int32_t> code = c.bridge().user_errors().Add(error_class);
  if (!code) return c.Fail(abi::kErrNoMem, "too many user error codes");
  *slot = *code;
  return abi::kSuccess;
}

int32_t AddErrorClass(Call& c, Ptr errorclass) {
  return AddUserError(c, 0, errorclass);
}

int32_t AddErrorCode(Call& c, int32_t errorclass, Ptr errorcode) {
  const UserError* user = c.bridge().user_errors().Find(errorclass);
  bool is_class = (errorclass > 0 && errorclass <= abi::kErrLastClass) ||
                  (user && user->error_class == errorclass);
  if (!is_class) {
    return c.Fail(abi::kErrArg,
                  absl::StrFormat("%d is not an error class", errorclass));
  }
  return AddUserError(c, errorclass, errorcode);
}

int32_t AddErrorString(Call& c, int32_t code, Ptr string) {
  UserError* user = c.bridge().user_errors().Find(code);
  if (!user) {
    return c.Fail(abi::kErrArg,
                  absl::StrFormat("%d is not a user error code", code));
  }
  std::optional<std::string> text =
      ReadCString(c, string, abi::kMaxErrorString - 1, "string");
  if (!text) return c.error();
  if (text->size() > abi::kMaxErrorString - 1) {
    return c.Fail(abi::kErrArg,
                  "error string longer than "
                  "MPI_MAX_ERROR_STRING - 1");
  }
  user->text = *text;
  return abi::kSuccess;
}

}  // namespace

absl::Status CallCommErrhandler(Call& c, Handle comm, Handle errhandler,
                                int32_t code) {
  ErrhandlerEntry* e = c.bridge().errhandlers().Find(errhandler);
  if (!e) {
    return absl::FailedPreconditionError(
        absl::StrFormat("error handler 0x%x no longer exists", errhandler));
  }
  absl::Status s = CallHandler(c.host(), e->function, comm, code);
  if (s.ok()) return s;
  return absl::Status(s.code(),
                      absl::StrFormat("error handler at table index %d: %s",
                                      e->function, s.message()));
}

void DropErrhandlerIfUnused(Bridge& b, Handle h) {
  ErrhandlerEntry* e = b.errhandlers().Find(h);
  if (e && e->guest_refs <= 0 && !ErrhandlerInUse(b, h))
    b.errhandlers().Erase(h);
}

std::optional<int32_t> UserErrors::Add(int32_t error_class) {
  if (errors_.size() >= kMaxUserErrors) return std::nullopt;
  int32_t code = last_code() + 1;
  errors_.push_back({.error_class = error_class ? error_class : code});
  return code;
}

UserError* UserErrors::Find(int32_t code) {
  int64_t i = int64_t{code} - abi::kErrLastcode - 1;
  if (i < 0 || i >= static_cast<int64_t>(errors_.size())) return nullptr;
  return &errors_[i];
}

const UserError* UserErrors::Find(int32_t code) const {
  return const_cast<UserErrors*>(this)->Find(code);
}

void AddErrorHandlers(Bridge& b, std::vector<engine::HostFunc>& out) {
  out.push_back(Bind(b, "MPI_Comm_create_errhandler", CommCreateErrhandler));
  out.push_back(Bind(b, "MPI_Comm_set_errhandler", CommSetErrhandler));
  out.push_back(Bind(b, "MPI_Comm_get_errhandler", CommGetErrhandler));
  out.push_back(Bind(b, "MPI_Comm_call_errhandler", CommCallErrhandler));
  out.push_back(Bind(b, "MPI_Errhandler_free", ErrhandlerFree));
  out.push_back(Bind(b, "MPI_Add_error_class", AddErrorClass));
  out.push_back(Bind(b, "MPI_Add_error_code", AddErrorCode));
  out.push_back(Bind(b, "MPI_Add_error_string", AddErrorString));
}

}  // namespace wasmhpc::mpi
