// ControlChannel: protobuf messages (control.proto) between the controller
// and the executors over the pool's control communicator.
//
// One MPI tag carries every message, so the messages from one sender arrive
// in the order they were sent (MPI's non-overtaking rule). Receiving never
// blocks: callers poll TryReceive with their own pauses, because a thread
// blocked in MPI_Recv spins a whole core in Open MPI.
//
// Thread safety: as the host MPI, which the pool initializes with
// MPI_THREAD_MULTIPLE: any thread may send or receive.
#ifndef WASMHPC_WORKER_POOL_CONTROL_CHANNEL_H_
#define WASMHPC_WORKER_POOL_CONTROL_CHANNEL_H_

#include <mpi.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/message_lite.h"

namespace wasmhpc::pool {

class ControlChannel {
 public:
  // `comm`: the control communicator; not owned, must outlive this.
  explicit ControlChannel(MPI_Comm comm) : comm_(comm) {}

  // Sends `message` to `rank`; returns once MPI holds the bytes (small
  // messages are buffered, large ones wait until the receiver takes them).
  // Errors: InvalidArgument for a message of 2 GiB or more, Internal for an
  // MPI error.
  absl::Status Send(int rank, const google::protobuf::MessageLite& message);

  // Receives one message from `source` (or MPI_ANY_SOURCE) if one has
  // arrived; never waits. True with *from set to the sender if one was
  // received, false if none. Errors: DataLoss if the bytes do not parse,
  // Internal for an MPI error.
  absl::StatusOr<bool> TryReceive(int source,
                                  google::protobuf::MessageLite* message,
                                  int* from);

 private:
  MPI_Comm comm_;
};

// The pause between polls that found nothing: 50 us right after a message,
// doubling while nothing comes, up to `max`. Keeps an idle pool's polling
// near 1000 wakeups per second per thread while staying quick in traffic.
// Thread safety: one thread.
class PollPause {
 public:
  explicit PollPause(absl::Duration max) : max_(max) {}
  // A message came: the next pause is the shortest again.
  void Reset() { next_ = kFirst; }
  // Sleeps for the current pause and lengthens the next one.
  void Wait();

 private:
  static constexpr absl::Duration kFirst = absl::Microseconds(50);
  absl::Duration max_;
  absl::Duration next_ = kFirst;
};

// Broadcasts `message` from `root` of `comm` to every rank of it (each
// passes its own `message`; non-roots' are replaced). Collective over
// `comm`. Errors: DataLoss if the bytes do not parse, Internal for an MPI
// error.
absl::Status BroadcastMessage(MPI_Comm comm, int root,
                              google::protobuf::MessageLite* message);

}  // namespace wasmhpc::pool

#endif  // WASMHPC_WORKER_POOL_CONTROL_CHANNEL_H_
