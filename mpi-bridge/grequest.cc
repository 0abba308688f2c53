// Generalized requests. See grequest.h.
#include "mpi-bridge/grequest.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "mpi-bridge/call.h"
#include "mpi-bridge/guest_data.h"
#include "mpi-bridge/op.h"
#include "mpi-bridge/request_util.h"

namespace wasmhpc::mpi {
namespace {

using abi::Handle;
using abi::Ptr;
using engine::FuncType;
using engine::ValType;

// MPI_Grequest_query_function (extra_state, status) -> int,
// MPI_Grequest_free_function (extra_state) -> int,
// MPI_Grequest_cancel_function (extra_state, complete) -> int.
const FuncType kQueryType{{ValType::kI32, ValType::kI32}, {ValType::kI32}};
const FuncType kFreeType{{ValType::kI32}, {ValType::kI32}};
const FuncType kCancelType{{ValType::kI32, ValType::kI32}, {ValType::kI32}};

// What the host MPI holds as extra_state: a reference to the request,
// dropped after free_fn.
using Box = std::shared_ptr<GeneralizedRequest>;

// Runs guest callback `fn` (0: none, MPI_SUCCESS) of `g` and returns its
// code as a host error class. A callback that cannot run or traps is
// reported to the current UserOpScope (MPI_ERR_OTHER to the host); after
// a failure no more guest code runs in this MPI call.
int RunCallback(GeneralizedRequest& g, const char* what, uint32_t fn,
                const FuncType& type, std::vector<uint64_t> args) {
  if (fn == 0) return MPI_SUCCESS;
  UserOpScope* scope = UserOpScope::Current();
  if (scope != nullptr && scope->failed()) return MPI_ERR_OTHER;
  absl::StatusOr<uint64_t> rc = g.host->CallIndirect(fn, type, args);
  if (rc.ok()) return HostErrorClass(static_cast<int32_t>(*rc));
  const bool not_a_function = absl::IsInvalidArgument(rc.status());
  ReportCallbackFailure(
      *g.bridge, *g.host, abi::kErrArg, !not_a_function,
      not_a_function
          ? absl::StrFormat("generalized request %s 0x%x is not a function "
                            "of type %s",
                            what, fn, engine::ToString(type))
          : absl::StrFormat("generalized request %s 0x%x trapped: %s", what, fn,
                            rc.status().message()));
  return MPI_ERR_OTHER;
}

int HostQuery(void* extra_state, MPI_Status* status) {
  GeneralizedRequest& g = **static_cast<Box*>(extra_state);
  engine::GuestMemory& memory = g.host->memory();
  auto* guest = reinterpret_cast<abi::Status*>(
      memory.Data(g.status, sizeof(abi::Status)));
  if (guest == nullptr) return MPI_ERR_OTHER;
  ToGuestStatus(*status, /*set_error=*/true, guest);
  int rc = RunCallback(g, "query_fn", g.query_fn, kQueryType,
                       {g.extra_state, g.status});
  // The guest may have grown its memory: look again.
  guest = reinterpret_cast<abi::Status*>(
      memory.Data(g.status, sizeof(abi::Status)));
  if (guest != nullptr) ToHostStatus(*guest, status);
  return rc;
}

int HostFree(void* extra_state) {
  auto* box = static_cast<Box*>(extra_state);
  GeneralizedRequest& g = **box;
  int rc = RunCallback(g, "free_fn", g.free_fn, kFreeType, {g.extra_state});
  UserOpScope* scope = UserOpScope::Current();
  if (g.status != 0 && !(scope != nullptr && scope->trapped)) {
    GuestFree(*g.host, g.status).IgnoreError();
  }
  g.status = 0;
  delete box;  // the host's reference
  return rc;
}

int HostCancel(void* extra_state, int complete) {
  GeneralizedRequest& g = **static_cast<Box*>(extra_state);
  return RunCallback(g, "cancel_fn", g.cancel_fn, kCancelType,
                     {g.extra_state, static_cast<uint32_t>(complete != 0)});
}

int32_t GrequestStart(Call& c, uint32_t query_fn, uint32_t free_fn,
                      uint32_t cancel_fn, Ptr extra_state, Ptr request) {
  Handle* out = c.Ref<Handle>(request, "request");
  if (!out) return c.error();
  auto g = std::make_shared<GeneralizedRequest>(c.bridge(), c.host());
  g->query_fn = query_fn;
  g->free_fn = free_fn;
  g->cancel_fn = cancel_fn;
  g->extra_state = extra_state;
  absl::StatusOr<Ptr> status = GuestMalloc(c.host(), sizeof(abi::Status));
  if (!status.ok()) {
    std::string message =
        absl::StrFormat("no guest memory for the query function's status: %s",
                        status.status().message());
    if (absl::IsAborted(status.status())) return c.Trap(std::move(message));
    return c.Fail(abi::kErrNoMem, std::move(message));
  }
  g->status = *status;
  auto* box = new Box(g);
  if (int32_t rc = c.Host(c.mpi().Grequest_start(
          HostQuery, HostFree, HostCancel, box, &g->host_request))) {
    GuestFree(c.host(), g->status).IgnoreError();
    delete box;
    return rc;
  }
  if (int32_t rc = NewRequest(c, g->host_request, false, out)) return rc;
  c.bridge().requests().Find(*out)->generalized = std::move(g);
  return abi::kSuccess;
}

int32_t GrequestComplete(Call& c, Handle request) {
  RequestEntry* r = c.Request(request);
  if (!r) return c.error();
  std::shared_ptr<GeneralizedRequest> g = r->generalized;
  if (!g || g->completed) {
    return c.Fail(abi::kErrRequest,
                  absl::StrFormat("request 0x%x is not a generalized request "
                                  "waiting to be completed (MPI_Grequest_start "
                                  "makes them; complete each once)",
                                  request));
  }
  g->completed = true;
  // After MPI_Request_free the guest's handle lived on for this call.
  if (g->guest_freed) c.bridge().requests().Erase(request);
  return UserOpResult(c, c.Host(c.mpi().Grequest_complete(g->host_request)));
}

}  // namespace

GeneralizedRequest::GeneralizedRequest(Bridge& b, engine::HostContext& h)
    : bridge(&b), host(&h) {
  bridge->UserOpMade();
}

GeneralizedRequest::~GeneralizedRequest() { bridge->UserOpFreed(); }

void AddGeneralizedRequests(Bridge& b, std::vector<engine::HostFunc>& out) {
  out.push_back(Bind(b, "MPI_Grequest_start", GrequestStart));
  out.push_back(
      WithUserOps(Bind(b, "MPI_Grequest_complete", GrequestComplete)));
}

}  // namespace wasmhpc::mpi
