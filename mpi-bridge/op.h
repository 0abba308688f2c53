// User-defined reduction ops (MPI_Op_create): the host MPI calls a host
// trampoline, which calls the guest's MPI_User_function through the
// module's function table.
//
// Execution model: Open MPI's MPI_User_function(in, inout, len, type) has
// no user-data pointer, so the process has a fixed pool of kTrampolines
// distinct host functions; each live UserOp holds one, which finds the op
// (and through it the bridge, the instance and the guest function index).
// A trampoline hands the guest function guest addresses: buffers inside
// linear memory as they are (zero copy); host temporaries of Open MPI's
// algorithms copied into a guest scratch area, and back for inoutvec.
// len and the guest's datatype handle (the one the guest passed to the
// reduction, not the host's) live in the scratch area too. The scratch
// area comes from the guest's malloc (GuestMalloc, guest_data.h) and is
// reused; MPI_Op_free gives it back.
//
// Failures: a guest trap, a table index that is not a function of type
// (i32, i32, i32, i32) -> (), or no scratch memory. Inside a
// UserOpScope (every reduction import runs in one, and so does every
// completion call, MPI_Wait & co.: see WithUserOps) the first failure is
// recorded, later calls of the collective are skipped so the host
// collective still completes, and the import then fails: a trap becomes a
// trap of that MPI function, anything else an MPI error (see
// UserOpResult). Outside a scope (a nonblocking reduction progressed by
// another MPI call, e.g. MPI_Send) the failure is printed and the job is
// aborted (Bridge::aborted + exit), since nothing can report it.
//
// Thread safety: the trampoline pool is process-wide and locked; a UserOp
// belongs to one bridge and is used on its instance's thread only.
#ifndef WASMHPC_MPI_BRIDGE_OP_H_
#define WASMHPC_MPI_BRIDGE_OP_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "engine/host_func.h"
#include "mpi-bridge/bridge.h"
#include "mpi-bridge/call.h"

namespace wasmhpc::mpi {

class UserOp {
 public:
  // How many user ops can exist at once in the process (all bridges).
  static constexpr int kTrampolines = 128;

  // The guest's MPI_User_function: (i32, i32, i32, i32) -> ().
  static const engine::FuncType& FunctionType();

  // Takes a free trampoline for guest function `function` (a table index)
  // of the instance behind `host`. Returns nullptr when every trampoline is
  // taken. `bridge`, `host` and the bridge's transport must outlive the op.
  static std::shared_ptr<UserOp> Create(Bridge& bridge,
                                        engine::HostContext& host,
                                        uint32_t function);

  // Frees the host op unless MPI_Op_free did or the host MPI is finalized,
  // and gives the trampoline back.
  ~UserOp();
  UserOp(const UserOp&) = delete;
  UserOp& operator=(const UserOp&) = delete;

  // What to pass to the host's MPI_Op_create.
  MPI_User_function* trampoline() const;
  uint32_t function() const { return function_; }
  int slot() const { return slot_; }

  // The host op made from trampoline(); MPI_OP_NULL once freed.
  MPI_Op host = MPI_OP_NULL;

  // The next calls with host type `host` show the guest datatype `guest`
  // (the host type alone is ambiguous: MPI_LONG and MPI_INT are both the
  // host's MPI_INT). Every reduction with this op calls it first.
  void UseType(MPI_Datatype host, abi::Handle guest);

  // Gives the scratch area back to the guest (its exported free). Only
  // while the instance runs (MPI_Op_free); a later call allocates again.
  void FreeScratch();

  // Called by the trampoline of slot(): runs the guest function.
  void Run(void* in, void* inout, int len, MPI_Datatype type);

 private:
  struct Buffer;
  struct Frame;

  UserOp(Bridge& bridge, engine::HostContext& host, uint32_t function,
         int slot);
  absl::Status Invoke(void* in, void* inout, int len, MPI_Datatype type);
  // Finds the guest address of each buffer or marks it for copying;
  // returns the scratch bytes the call needs.
  absl::StatusOr<uint32_t> Locate(Frame& f);
  // Copies host temporaries in, calls the guest, copies inoutvec back.
  absl::Status CallGuest(Frame& f, abi::Ptr scratch);
  absl::StatusOr<abi::Ptr> Scratch(uint32_t bytes, bool* temporary);
  void Report(const absl::Status& failure);

  Bridge* bridge_;
  engine::HostContext* host_;
  MpiTransport* mpi_;
  uint32_t function_;
  int slot_;
  std::vector<std::pair<MPI_Datatype, abi::Handle>> types_;
  abi::Ptr scratch_ = 0;
  uint32_t scratch_bytes_ = 0;
  bool scratch_busy_ = false;  // a nested reduction takes its own area
};

// Collects user-op failures on this thread while alive (they nest).
class UserOpScope {
 public:
  UserOpScope();
  ~UserOpScope();
  UserOpScope(const UserOpScope&) = delete;
  UserOpScope& operator=(const UserOpScope&) = delete;

  // The innermost live scope of this thread, or nullptr.
  static UserOpScope* Current();

  bool failed() const { return error_class != 0; }

  // The first failure: its ABI error class (0: none), whether the guest
  // trapped, and a message naming the function.
  int32_t error_class = 0;
  bool trapped = false;
  std::string message;

 private:
  UserOpScope* outer_;
};

// Reports a guest callback that failed during a host MPI call (a user op,
// a generalized request's callback): recorded in the current UserOpScope
// (the first failure only), else printed and the job aborted
// (Bridge::Abort and HostContext::RequestExit), since nothing can report
// it. `error_class`: the ABI class the MPI call then fails with, unless
// `trapped` (the call traps with `message`).
void ReportCallbackFailure(Bridge& bridge, engine::HostContext& host,
                           int32_t error_class, bool trapped,
                           const std::string& message);

// `f` running inside a UserOpScope; a recorded trap becomes a trap of `f`.
engine::HostFunc WithUserOps(engine::HostFunc f);

// The result of a host call that may have run user ops: a failure recorded
// in the current scope (not a trap) is reported on `c` instead of `rc`.
int32_t UserOpResult(Call& c, int32_t rc);

}  // namespace wasmhpc::mpi

#endif  // WASMHPC_MPI_BRIDGE_OP_H_
