// Environment: init/finalize, abort, time, versions, thread levels, errors.
#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "mpi-bridge/attr.h"
#include "mpi-bridge/call.h"
#include "mpi-bridge/errhandler.h"
#include "mpi-bridge/guest_data.h"
#include "mpi-bridge/release.h"

namespace wasmhpc::mpi {
namespace {

int32_t Start(Call& c, int32_t required) {
  if (c.bridge().state() != Bridge::State::kNotInitialized) {
    return c.Fail(abi::kErrOther,
                  c.bridge().state() == Bridge::State::kFinalized
                      ? "called after MPI_Finalize"
                      : "MPI is already initialized");
  }
  c.bridge().set_state(Bridge::State::kInitialized);
  // The guest is one thread, and the embedder runs it where the host MPI
  // takes its calls (BridgeOptions): it gets the level it asks for.
  c.bridge().set_thread_level(required);
  return abi::kSuccess;
}

int32_t Init(Call& c, abi::Ptr, abi::Ptr) {
  return Start(c, abi::kThreadSingle);
}

int32_t InitThread(Call& c, abi::Ptr, abi::Ptr, int32_t required,
                   abi::Ptr provided) {
  if (required != abi::kThreadSingle && required != abi::kThreadFunneled &&
      required != abi::kThreadSerialized && required != abi::kThreadMultiple) {
    return c.Fail(abi::kErrArg,
                  absl::StrFormat("invalid thread level %d", required));
  }
  int32_t* out = c.Ref<int32_t>(provided, "provided");
  if (!out) return c.error();
  int32_t rc = Start(c, required);
  *out = c.bridge().thread_level();
  return rc;
}

// MPI-2.0 cleanup hook: MPI_COMM_SELF's attributes are deleted first, so
// libraries' delete callbacks run while MPI is still usable. Then the
// windows and files the guest left open are freed (release.h).
int32_t Finalize(Call& c) {
  int32_t rc = DeleteCommAttributes(c, abi::kCommSelf);
  if (rc == abi::kSuccess) rc = ReleaseWindowsAndFiles(c);
  c.bridge().set_state(Bridge::State::kFinalized);
  return rc;
}

int32_t Initialized(Call& c, abi::Ptr flag) {
  return c.Write<int32_t>(
             flag, c.bridge().state() != Bridge::State::kNotInitialized, "flag")
             ? abi::kSuccess
             : c.error();
}

int32_t Finalized(Call& c, abi::Ptr flag) {
  return c.Write<int32_t>(flag, c.bridge().state() == Bridge::State::kFinalized,
                          "flag")
             ? abi::kSuccess
             : c.error();
}

int32_t Abort(Call& c, abi::Handle comm, int32_t code) {
  if (!c.Comm(comm)) return c.error();
  c.bridge().Abort(code);
  c.host().RequestExit(code);
  return abi::kSuccess;
}

double Wtime(Call&) { return MPI_Wtime(); }
double Wtick(Call&) { return MPI_Wtick(); }

int32_t GetVersion(Call& c, abi::Ptr version, abi::Ptr subversion) {
  return c.Write<int32_t>(version, 3, "version") &&
                 c.Write<int32_t>(subversion, 1, "subversion")
             ? abi::kSuccess
             : c.error();
}

// Copies `text` into a guest char[max] and its length into *len.
int32_t WriteString(Call& c, abi::Ptr buffer, abi::Ptr len,
                    absl::string_view text, int32_t max) {
  int32_t n = std::min<int32_t>(text.size(), max - 1);
  char* out = c.Ref<char>(buffer, "string buffer", n + 1);
  if (!out || !c.Write<int32_t>(len, n, "length")) return c.error();
  std::memcpy(out, text.data(), n);
  out[n] = '\0';
  return abi::kSuccess;
}

int32_t GetLibraryVersion(Call& c, abi::Ptr version, abi::Ptr len) {
  char host[MPI_MAX_LIBRARY_VERSION_STRING];
  int host_len = 0;
  c.mpi().Get_library_version(host, &host_len);
  std::string text =
      absl::StrFormat("wasmhpc MPI bridge (MPI 5.0 ABI on wasm32) over %s",
                      absl::string_view(host, host_len));
  return WriteString(c, version, len, text, abi::kMaxLibraryVersionString);
}

int32_t GetProcessorName(Call& c, abi::Ptr name, abi::Ptr len) {
  char host[MPI_MAX_PROCESSOR_NAME];
  int host_len = 0;
  if (int32_t rc = c.Host(c.mpi().Get_processor_name(host, &host_len))) {
    return rc;
  }
  return WriteString(c, name, len, absl::string_view(host, host_len),
                     abi::kMaxProcessorName);
}

int32_t QueryThread(Call& c, abi::Ptr provided) {
  return c.Write<int32_t>(provided, c.bridge().thread_level(), "provided")
             ? abi::kSuccess
             : c.error();
}

int32_t IsThreadMain(Call& c, abi::Ptr flag) {
  // The guest has a single thread: the one that called MPI_Init.
  return c.Write<int32_t>(flag, 1, "flag") ? abi::kSuccess : c.error();
}

// Predefined classes, and user classes and codes (errhandler.cc).
int32_t ErrorClass(Call& c, int32_t code, abi::Ptr cls) {
  const UserError* user = c.bridge().user_errors().Find(code);
  if (!user && (code < 0 || code > abi::kErrLastClass)) {
    return c.Fail(abi::kErrArg, absl::StrFormat("invalid error code %d", code));
  }
  return c.Write<int32_t>(cls, user ? user->error_class : code, "errorclass")
             ? abi::kSuccess
             : c.error();
}

// The host's text for predefined classes; MPI_Add_error_string's (empty
// by default) for user classes and codes.
int32_t ErrorString(Call& c, int32_t code, abi::Ptr text, abi::Ptr len) {
  if (const UserError* user = c.bridge().user_errors().Find(code)) {
    return WriteString(c, text, len, user->text, abi::kMaxErrorString);
  }
  if (code < 0 || code > abi::kErrLastClass) {
    return c.Fail(abi::kErrArg, absl::StrFormat("invalid error code %d", code));
  }
  char host[MPI_MAX_ERROR_STRING];
  int host_len = 0;
  c.mpi().Error_string(HostErrorClass(code), host, &host_len);
  return WriteString(c, text, len, absl::string_view(host, host_len),
                     abi::kMaxErrorString);
}

// MPI_Abi_get_version(int* major, int* minor)
int32_t AbiGetVersion(Call& c, abi::Ptr major, abi::Ptr minor) {
  return c.Write<int32_t>(major, 1, "abi_major") &&
                 c.Write<int32_t>(minor, 0, "abi_minor")
             ? abi::kSuccess
             : c.error();
}

// MPI_Alloc_mem / MPI_Free_mem: memory inside the guest, from the module's
// own malloc and free (guest_data.h).
int32_t AllocMem(Call& c, int32_t size, abi::Handle, abi::Ptr baseptr) {
  abi::Ptr* out = c.Ref<abi::Ptr>(baseptr, "baseptr");
  if (!out || !c.Count(size, "size")) return c.error();
  // malloc(0) may return NULL; MPI_Alloc_mem(0) gives a pointer to free.
  absl::StatusOr<abi::Ptr> p =
      GuestMalloc(c.host(), static_cast<uint32_t>(std::max(size, 1)));
  if (!p.ok()) return c.Fail(abi::kErrNoMem, std::string(p.status().message()));
  *out = *p;
  return abi::kSuccess;
}

int32_t FreeMem(Call& c, abi::Ptr base) {
  absl::Status freed = GuestFree(c.host(), base);
  return freed.ok() ? abi::kSuccess
                    : c.Fail(abi::kErrOther, std::string(freed.message()));
}

// MPI_<Handle>_toint / _fromint: guest handles are already integers.
uint32_t SameHandle(Call&, uint32_t handle) { return handle; }

// "MPI_Comm_toint", "MPI_Comm_fromint", ... (static: Bind keeps the name).
const std::vector<std::string>& HandleConversionNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const char* kind :
         {"Comm", "Errhandler", "Group", "Info", "Message", "Op", "Request",
          "Session", "Type", "Win", "File"}) {
      out.push_back(absl::StrCat("MPI_", kind, "_toint"));
      out.push_back(absl::StrCat("MPI_", kind, "_fromint"));
    }
    return out;
  }();
  return names;
}

// MPI_Pcontrol(level, ...): profiling control, a no-op without a profiler.
int32_t Pcontrol(Call&, int32_t, abi::Ptr) { return abi::kSuccess; }

}  // namespace

void AddEnvironment(Bridge& b, std::vector<engine::HostFunc>& out) {
  out.push_back(Bind(b, "MPI_Init", Init, When::kAnyTime));
  out.push_back(Bind(b, "MPI_Init_thread", InitThread, When::kAnyTime));
  out.push_back(Bind(b, "MPI_Finalize", Finalize));
  out.push_back(Bind(b, "MPI_Initialized", Initialized, When::kAnyTime));
  out.push_back(Bind(b, "MPI_Finalized", Finalized, When::kAnyTime));
  out.push_back(Bind(b, "MPI_Abort", Abort, When::kAnyTime));
  out.push_back(Bind(b, "MPI_Wtime", Wtime, When::kAnyTime));
  out.push_back(Bind(b, "MPI_Wtick", Wtick, When::kAnyTime));
  out.push_back(Bind(b, "MPI_Get_version", GetVersion, When::kAnyTime));
  out.push_back(
      Bind(b, "MPI_Get_library_version", GetLibraryVersion, When::kAnyTime));
  out.push_back(Bind(b, "MPI_Get_processor_name", GetProcessorName));
  out.push_back(Bind(b, "MPI_Query_thread", QueryThread));
  out.push_back(Bind(b, "MPI_Is_thread_main", IsThreadMain));
  out.push_back(Bind(b, "MPI_Error_class", ErrorClass, When::kAnyTime));
  out.push_back(Bind(b, "MPI_Error_string", ErrorString, When::kAnyTime));
  out.push_back(Bind(b, "MPI_Abi_get_version", AbiGetVersion, When::kAnyTime));
  for (const std::string& name : HandleConversionNames()) {
    out.push_back(Bind(b, name.c_str(), SameHandle, When::kAnyTime));
  }
  out.push_back(Bind(b, "MPI_Pcontrol", Pcontrol, When::kAnyTime));
  out.push_back(Bind(b, "MPI_Alloc_mem", AllocMem));
  out.push_back(Bind(b, "MPI_Free_mem", FreeMem));
}

}  // namespace wasmhpc::mpi
