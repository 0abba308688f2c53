// PeerWatch: which ranks of an executor's current job have ended, so that
// a wait in MPI that can only complete with one of them gives up instead
// of holding the job forever.
//
// A rank whose guest ended cleanly (exit code 0 after MPI_Finalize, or a
// guest that never used MPI) may leave its peers running: they may compute
// on, or talk among themselves. The controller tells them (ToExecutor.
// PeerEnded) and the executor's InterruptibleTransport asks Blocker() while
// a call waits. A wait is blocked by an ended rank when
//  - it names that rank: a send to it, a receive or probe from it, a
//    collective on a communicator it belongs to (it can no longer take
//    part: MPI_Finalize ends its MPI), or
//  - every other rank of the job has ended (nobody is left to match any
//    wait: MPI_ANY_SOURCE, a guest's request, a window).
// A message the ended rank sent before it ended still completes such a
// wait: the transport gives up only after the wait stayed blocked for
// kPeerEndedGrace while testing.
//
// A rank that ends without MPI_Finalize fails its job at the controller
// (pool_controller.h); it is never announced here.
//
// Thread safety: BeginJob, EndJob, Blocker and Stuck on the executor's main
// thread (the guest's); Ended and ended_count from any thread.
#ifndef WASMHPC_WORKER_POOL_PEER_WATCH_H_
#define WASMHPC_WORKER_POOL_PEER_WATCH_H_

#include <mpi.h>

#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace wasmhpc::pool {

// How long a wait stays blocked by an ended rank before it gives up.
inline constexpr absl::Duration kPeerEndedGrace = absl::Milliseconds(200);

// What a wait needs besides its own rank: `peer` is a rank of `comm` (of
// its remote group for an intercommunicator), or one of the constants.
struct WaitOn {
  static constexpr int kAllPeers = -1001;     // a collective on `comm`
  static constexpr int kUnknownPeer = -1002;  // a guest's request, a window
  MPI_Comm comm = MPI_COMM_NULL;
  int peer = kUnknownPeer;
  const char* call = "";  // "MPI_Recv"
};

class PeerWatch {
 public:
  // `on_stuck` is called (on the main thread) with a reason and the ended
  // rank when a wait gives up; the executor stops its job with it.
  explicit PeerWatch(std::function<void(std::string, int)> on_stuck)
      : on_stuck_(std::move(on_stuck)) {}
  ~PeerWatch();

  // Job `job_id` runs on `job_comm` (the guest's MPI_COMM_WORLD), this
  // process being job rank `my_rank`. Forgets the previous job's ranks.
  void BeginJob(const std::string& job_id, MPI_Comm job_comm, int my_rank);
  void EndJob();

  // Rank `job_rank` of job `job_id` ended as `how` says. Dropped unless
  // `job_id` is the current job.
  void Ended(const std::string& job_id, int job_rank, const std::string& how);
  // Ranks of the current job reported ended so far (cheap: for test loops).
  int ended_count() const { return count_.load(std::memory_order_acquire); }

  // The ended job rank that blocks a wait on `on` (see above), if any.
  std::optional<int> Blocker(const WaitOn& on);
  // A wait on `on` gave up because of ended rank `rank`: reports it.
  void Stuck(const WaitOn& on, int rank);

 private:
  // Job ranks of the members of `group`, in order.
  std::vector<int> JobRanks(MPI_Group group) const;
  bool IsEnded(int job_rank);

  std::function<void(std::string, int)> on_stuck_;
  std::atomic<int> count_{0};
  MPI_Group job_group_ = MPI_GROUP_NULL;  // main thread
  int job_size_ = 0, my_rank_ = 0;        // main thread

  absl::Mutex mu_;
  std::string job_id_ ABSL_GUARDED_BY(mu_);
  std::map<int, std::string> ended_ ABSL_GUARDED_BY(mu_);  // rank -> how
};

// Tests a wait's blocker as the wait goes on: Stuck() is true once the
// wait has been blocked by an ended rank for kPeerEndedGrace (and then
// reports it to the watch). Null `watch`: never stuck.
class PeerCheck {
 public:
  PeerCheck(PeerWatch* watch, const WaitOn& on) : watch_(watch), on_(on) {}
  bool Stuck();

 private:
  PeerWatch* watch_;
  WaitOn on_;
  int seen_ = 0;  // ended_count at the last Blocker()
  std::optional<int> blocker_;
  absl::Time since_;
};

}  // namespace wasmhpc::pool

#endif  // WASMHPC_WORKER_POOL_PEER_WATCH_H_
