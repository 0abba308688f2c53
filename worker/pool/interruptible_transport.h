// InterruptibleTransport: the host MPI for a pool executor's guests, with
// the calls a guest blocks in made stoppable, so that cancel, timeout and
// the failure of another rank reach a guest that waits in MPI_Recv,
// MPI_Wait or a collective, not only one that computes.
//
// Each blocking call the bridge makes runs as its nonblocking twin plus a
// test loop (MPI_Test & co., as busy as the host MPI's own wait) that also
// watches the stop flag. Once the flag is set, the waiting call gives up and
// returns MPI_ERR_OTHER; Store::Terminate (issued with the flag) then ends
// the guest as soon as the host call returns. What stays behind:
//  - a receive is cancelled (MPI_Cancel) and completed when the host MPI
//    lets it within kCancelGrace; else, like sends and collectives (which
//    MPI cannot cancel), its request is left to the host MPI and never
//    waited for. The job's communicator is freed right after; the peers of
//    a stopped job are stopped too, so nothing matches these requests.
//  - one-sided: MPI_Win_wait polls MPI_Win_test; the bridge precedes
//    MPI_Win_fence with a Barrier (stoppable()). Other RMA waits stay
//    blocking (mpi-bridge/win.h says which and why).
//  - MPI_Sendrecv_replace, MPI_Bsend (local) and the calls the bridge makes
//    from non-blocking guest calls are unchanged.
// Only the guest's thread calls MPI (the pool's control plane is off MPI),
// so a user-defined MPI_Op runs on it, in whichever MPI call progresses
// the reduction, as under wasmhpc-run.
//
// Calls that complete never look at the flag: a stop only ends waits.
//
// The same waits also give up (MPI_ERR_OTHER, and the PeerWatch tells the
// executor, which stops the job) when only a rank of the job that has
// ended could complete them (peer_watch.h): a rank that returned after
// MPI_Finalize while its peer waits in MPI_Recv for it.
//
// Cost, measured natively with Open MPI 4.1 on this 2-core host (shared
// memory, 4-byte messages): point to point barely changes (half round trip
// 0.95 us blocking vs 1.09 us as Isend/Irecv + MPI_Test); small collectives
// through libnbc cost much more (MPI_Allreduce on 2 ranks 0.78 us vs
// 3.0 us). So collectives stay the host's tuned blocking ones by default
// (collectives = false): a stop does not end their wait, and a rank whose
// peers were stopped before entering one is stuck (the executor reports
// it; pool_controller.h). wasmhpc-worker --interruptible-collectives turns
// them into nonblocking + test loops.
//
// Thread safety: as the host MPI; the flag is read with relaxed loads.
#ifndef WASMHPC_WORKER_POOL_INTERRUPTIBLE_TRANSPORT_H_
#define WASMHPC_WORKER_POOL_INTERRUPTIBLE_TRANSPORT_H_

#include <atomic>

#include "mpi-bridge/ompi_transport.h"
#include "worker/pool/peer_watch.h"

namespace wasmhpc::pool {

// The host MPI (OmpiTransport) with waits that a stop ends.
class InterruptibleTransport final : public mpi::OmpiTransport {
 public:
  // `stop`: polled while a call waits; null means never stop. Not owned.
  // `collectives`: false keeps collectives blocking (the host MPI's tuned
  // algorithms; a stop does not end their wait).
  // `peers`: the job's ended ranks; a wait that only they could complete
  // gives up like a stopped one (peer_watch.h). Null: none. Not owned.
  InterruptibleTransport(const std::atomic<bool>* stop, bool collectives,
                         PeerWatch* peers = nullptr)
      : stop_(stop), collectives_(collectives), peers_(peers) {}

  // Point to point.
  int Send(const void* b, int n, MPI_Datatype t, int dst, int tag,
           MPI_Comm c) override;
  int Ssend(const void* b, int n, MPI_Datatype t, int dst, int tag,
            MPI_Comm c) override;
  int Rsend(const void* b, int n, MPI_Datatype t, int dst, int tag,
            MPI_Comm c) override;
  int Recv(void* b, int n, MPI_Datatype t, int src, int tag, MPI_Comm c,
           MPI_Status* s) override;
  int Sendrecv(const void* sb, int sn, MPI_Datatype st, int dst, int stag,
               void* rb, int rn, MPI_Datatype rt, int src, int rtag, MPI_Comm c,
               MPI_Status* s) override;
  int Probe(int src, int tag, MPI_Comm c, MPI_Status* s) override;
  int Mprobe(int src, int tag, MPI_Comm c, MPI_Message* m,
             MPI_Status* s) override;
  int Mrecv(void* b, int n, MPI_Datatype t, MPI_Message* m,
            MPI_Status* s) override;

  // Waits on the guest's requests.
  int Wait(MPI_Request* r, MPI_Status* s) override;
  int Waitall(int n, MPI_Request* r, MPI_Status* s) override;
  int Waitany(int n, MPI_Request* r, int* index, MPI_Status* s) override;
  int Waitsome(int n, MPI_Request* r, int* outcount, int* indices,
               MPI_Status* s) override;

  // Collectives.
  int Barrier(MPI_Comm c) override;
  int Bcast(void* b, int n, MPI_Datatype t, int root, MPI_Comm c) override;
  int Gather(const void* sb, int sn, MPI_Datatype st, void* rb, int rn,
             MPI_Datatype rt, int root, MPI_Comm c) override;
  int Gatherv(const void* sb, int sn, MPI_Datatype st, void* rb, const int* rns,
              const int* rds, MPI_Datatype rt, int root, MPI_Comm c) override;
  int Scatter(const void* sb, int sn, MPI_Datatype st, void* rb, int rn,
              MPI_Datatype rt, int root, MPI_Comm c) override;
  int Scatterv(const void* sb, const int* sns, const int* sds, MPI_Datatype st,
               void* rb, int rn, MPI_Datatype rt, int root,
               MPI_Comm c) override;
  int Allgather(const void* sb, int sn, MPI_Datatype st, void* rb, int rn,
                MPI_Datatype rt, MPI_Comm c) override;
  int Allgatherv(const void* sb, int sn, MPI_Datatype st, void* rb,
                 const int* rns, const int* rds, MPI_Datatype rt,
                 MPI_Comm c) override;
  int Alltoall(const void* sb, int sn, MPI_Datatype st, void* rb, int rn,
               MPI_Datatype rt, MPI_Comm c) override;
  int Alltoallv(const void* sb, const int* sns, const int* sds, MPI_Datatype st,
                void* rb, const int* rns, const int* rds, MPI_Datatype rt,
                MPI_Comm c) override;
  int Alltoallw(const void* sb, const int* sns, const int* sds,
                const MPI_Datatype* sts, void* rb, const int* rns,
                const int* rds, const MPI_Datatype* rts, MPI_Comm c) override;
  int Reduce(const void* sb, void* rb, int n, MPI_Datatype t, MPI_Op op,
             int root, MPI_Comm c) override;
  int Allreduce(const void* sb, void* rb, int n, MPI_Datatype t, MPI_Op op,
                MPI_Comm c) override;
  int Reduce_scatter(const void* sb, void* rb, const int* rns, MPI_Datatype t,
                     MPI_Op op, MPI_Comm c) override;
  int Reduce_scatter_block(const void* sb, void* rb, int n, MPI_Datatype t,
                           MPI_Op op, MPI_Comm c) override;
  int Scan(const void* sb, void* rb, int n, MPI_Datatype t, MPI_Op op,
           MPI_Comm c) override;
  int Exscan(const void* sb, void* rb, int n, MPI_Datatype t, MPI_Op op,
             MPI_Comm c) override;

  // One-sided: MPI_Win_wait polls MPI_Win_test. (The bridge puts a
  // Barrier before MPI_Win_fence where stoppable(); see mpi-bridge/win.h.)
  int Win_wait(MPI_Win w) override;
  bool stoppable() const override { return stop_ != nullptr && collectives_; }

  // The blocking collective the guest's thread waits in now ("Allreduce";
  // with collectives off), else null. Any thread may ask.
  const char* blocking_call() const {
    return blocking_call_.load(std::memory_order_acquire);
  }

 private:
  // What to do with an operation's request when a stop ends its wait:
  // cancel it, leave it, or give it kCancelGrace to complete (a barrier:
  // once it completes on one rank it does on all, and the bridge's fence
  // after it must be entered by all or none).
  enum class Abandon { kCancel, kLeave, kSettle };

  bool stopped() const {
    return stop_ && stop_->load(std::memory_order_relaxed);
  }
  // Completes `r` (started by this transport) unless a stop comes first,
  // or the wait, which is `on`, is stuck on an ended rank.
  int Await(MPI_Request* r, MPI_Status* s, Abandon abandon, const WaitOn& on);
  // `rc` from starting a nonblocking operation, then Await.
  int Started(int rc, MPI_Request* r, MPI_Status* s, Abandon abandon,
              const WaitOn& on);

  // Names the call in blocking_call_ while it lasts.
  class BlockingScope {
   public:
    BlockingScope(std::atomic<const char*>& slot, const char* call)
        : slot_(slot) {
      slot_.store(call, std::memory_order_release);
    }
    ~BlockingScope() { slot_.store(nullptr, std::memory_order_release); }

   private:
    std::atomic<const char*>& slot_;
  };

  const std::atomic<bool>* stop_;
  bool collectives_;
  PeerWatch* peers_;
  std::atomic<const char*> blocking_call_{nullptr};
};

}  // namespace wasmhpc::pool

#endif  // WASMHPC_WORKER_POOL_INTERRUPTIBLE_TRANSPORT_H_
