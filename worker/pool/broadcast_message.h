// BroadcastMessage: a protobuf message from one rank to every rank of a
// communicator (a job's module and code, from its rank 0).
#ifndef WASMHPC_WORKER_POOL_BROADCAST_MESSAGE_H_
#define WASMHPC_WORKER_POOL_BROADCAST_MESSAGE_H_

#include <mpi.h>

#include "absl/status/status.h"
#include "google/protobuf/message_lite.h"

namespace wasmhpc::pool {

// Broadcasts `message` from `root` of `comm` to every rank of it (each
// passes its own `message`; non-roots' are replaced). Collective over
// `comm`. Errors: DataLoss if the bytes do not parse, Internal for an MPI
// error.
absl::Status BroadcastMessage(MPI_Comm comm, int root,
                              google::protobuf::MessageLite* message);

}  // namespace wasmhpc::pool

#endif  // WASMHPC_WORKER_POOL_BROADCAST_MESSAGE_H_
