// Bridge: the guest's MPI (env.MPI_* imports, standard ABI on wasm32) on
// the host MPI, zero-copy: guest buffers go to the host MPI as host
// pointers after one bounds check of their whole extent.
//
// Thread safety: one Bridge per guest instance, used from the instance's
// thread only; no locks on the call path. Handle tables are per bridge.
#ifndef WASMHPC_MPI_BRIDGE_BRIDGE_H_
#define WASMHPC_MPI_BRIDGE_BRIDGE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mpi-bridge/abi.h"
#include "mpi-bridge/handle_table.h"
#include "mpi-bridge/transport.h"
#include "worker/engine/host_func.h"

namespace wasmhpc::mpi {

struct CommEntry {
  MPI_Comm host;
  abi::Handle errhandler = abi::kErrorsAreFatal;
  int32_t rank = 0;  // of this process; cached at creation
  int32_t size = 0;
};

struct DatatypeEntry {
  MPI_Datatype host;
  int64_t size = 0;         // bytes of data in one element
  int64_t lb = 0, extent = 0;
  int64_t true_lb = 0, true_extent = 0;
  bool predefined = false;
  bool committed = true;
  // False for types V8 guests and the host disagree on arithmetically
  // (long double is binary128 on wasm32, x87 extended on x86-64).
  bool reducible = true;
};

struct OpEntry {
  MPI_Op host;
  bool commute = true;
};

struct RequestEntry {
  MPI_Request host;
  bool persistent = false;
  // Host-side arrays (widened displacements, host datatypes) that the host
  // MPI reads until the request completes; released with the entry.
  std::shared_ptr<void> keep_alive;
};

struct GroupEntry {
  MPI_Group host;
};

struct MessageEntry {
  MPI_Message host;
};

struct InfoEntry {
  MPI_Info host;
};

// A user error handler: the guest function's table index.
struct ErrhandlerEntry {
  uint32_t function = 0;
  Kind object_kind = Kind::kComm;  // comm, win or file handler
};

struct BridgeOptions {
  // The host MPI. Required; not owned.
  MpiTransport* transport = nullptr;
  // The host communicator the guest sees as MPI_COMM_WORLD.
  // Default: the host's MPI_COMM_WORLD.
  MPI_Comm world = MPI_COMM_WORLD;
  // Thread level the host MPI provides (host MPI_THREAD_* value).
  // Default: MPI_THREAD_MULTIPLE.
  int host_thread_level = MPI_THREAD_MULTIPLE;
};

class Bridge {
 public:
  enum class State { kNotInitialized, kInitialized, kFinalized };

  // Sets MPI_ERRORS_RETURN on the host world (errors come back as codes
  // and the guest's error handler decides).
  explicit Bridge(const BridgeOptions& options);

  // Every env.MPI_* function the bridge provides.
  std::vector<engine::HostFunc> Imports();

  // Names of the MPI functions the bridge provides, sorted.
  static const std::vector<std::string>& ProvidedFunctions();

  MpiTransport& mpi() { return *options_.transport; }
  const BridgeOptions& options() const { return options_; }

  State state = State::kNotInitialized;
  int thread_level = abi::kThreadSingle;  // the guest's, as ABI value
  // Set by MPI_Abort: the run ends with `abort_code` and the embedder
  // aborts the whole job.
  bool aborted = false;
  int32_t abort_code = 0;

  // A CommEntry for host communicator `host`, rank and size filled in.
  CommEntry NewComm(MPI_Comm host);

  HandleTable<CommEntry> comms{Kind::kComm};
  HandleTable<DatatypeEntry> datatypes{Kind::kDatatype};
  HandleTable<OpEntry> ops{Kind::kOp};
  HandleTable<RequestEntry> requests{Kind::kRequest};
  HandleTable<GroupEntry> groups{Kind::kGroup};
  HandleTable<MessageEntry> messages{Kind::kMessage};
  HandleTable<InfoEntry> infos{Kind::kInfo};
  HandleTable<ErrhandlerEntry> errhandlers{Kind::kErrhandler};

 private:
  void DefinePredefined();

  BridgeOptions options_;
};

}  // namespace wasmhpc::mpi

#endif  // WASMHPC_MPI_BRIDGE_BRIDGE_H_
