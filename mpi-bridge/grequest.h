// Generalized requests (MPI_Grequest_start / MPI_Grequest_complete): a
// host generalized request whose query, free and cancel callbacks call the
// guest's functions through its function table, with the guest's
// extra_state. The host MPI calls them in MPI_Wait/Test (and the
// all/any/some forms), MPI_Request_get_status, MPI_Cancel, MPI_Request_free
// and MPI_Grequest_complete, as the standard says; each of those imports
// runs in a UserOpScope (op.h), so a callback that traps makes that call
// trap, and one that cannot run (no such function, wrong type) fails it.
//
// The query function fills a guest status (guest memory from the module's
// malloc, one per request) that the bridge copies to the host's, MPI_ERROR
// included; the code a callback returns goes to the host MPI as the host's
// error class (a user error code, MPI_Add_error_code's, becomes
// MPI_ERR_OTHER), which the host MPI then returns as the standard says.
//
// Thread safety: the instance's thread only, as the bridge.
#ifndef WASMHPC_MPI_BRIDGE_GREQUEST_H_
#define WASMHPC_MPI_BRIDGE_GREQUEST_H_

#include <cstdint>

#include "engine/host_func.h"
#include "mpi-bridge/bridge.h"

namespace wasmhpc::mpi {

// One generalized request. Alive while the guest's handle or the host
// request refers to it (the host lets go after calling free_fn); while
// alive it counts as a user op (Bridge::user_ops_live): MPI calls may run
// guest code, so none takes the fast path.
struct GeneralizedRequest {
  GeneralizedRequest(Bridge& bridge, engine::HostContext& host);
  ~GeneralizedRequest();
  GeneralizedRequest(const GeneralizedRequest&) = delete;
  GeneralizedRequest& operator=(const GeneralizedRequest&) = delete;

  Bridge* bridge;
  engine::HostContext* host;
  uint32_t query_fn = 0, free_fn = 0, cancel_fn = 0;  // table indices
  abi::Ptr extra_state = 0;
  abi::Ptr status = 0;  // guest status for query_fn
  MPI_Request host_request = MPI_REQUEST_NULL;
  bool completed = false;    // MPI_Grequest_complete was called
  bool guest_freed = false;  // MPI_Request_free was called before that
};

}  // namespace wasmhpc::mpi

#endif  // WASMHPC_MPI_BRIDGE_GREQUEST_H_
