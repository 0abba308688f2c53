#include "worker/pool/interruptible_transport.h"

namespace wasmhpc::pool {
int InterruptibleTransport::Await(MPI_Request* r, MPI_Status* s,
                                  Abandon abandon, const WaitOn& on) {
  PeerCheck check(peers_, on);
  for (;;) {
    int done = 0;
    int rc = MPI_Test(r, &done, s);
    if (rc != MPI_SUCCESS || done) return rc;
    if (!stopped() && !check.Stuck()) continue;
    bool cancelled =
        abandon == Abandon::kCancel && MPI_Cancel(r) == MPI_SUCCESS;
    if (cancelled || abandon == Abandon::kSettle) {
      done = mpi::CompletesWithin(*this, r, mpi::kCancelGrace);
    }
    return abandon == Abandon::kSettle && done ? MPI_SUCCESS : MPI_ERR_OTHER;
  }
}

int InterruptibleTransport::Started(int rc, MPI_Request* r, MPI_Status* s,
                                    Abandon abandon, const WaitOn& on) {
  return rc == MPI_SUCCESS ? Await(r, s, abandon, on) : rc;
}

// Point to point.

int InterruptibleTransport::Send(const void* b, int n, MPI_Datatype t, int dst,
                                 int tag, MPI_Comm c) {
  MPI_Request r;
  return Started(MPI_Isend(b, n, t, dst, tag, c, &r), &r, MPI_STATUS_IGNORE,
                 Abandon::kLeave, WaitOn{c, dst, "MPI_Send"});
}

int InterruptibleTransport::Ssend(const void* b, int n, MPI_Datatype t, int dst,
                                  int tag, MPI_Comm c) {
  MPI_Request r;
  return Started(MPI_Issend(b, n, t, dst, tag, c, &r), &r, MPI_STATUS_IGNORE,
                 Abandon::kLeave, WaitOn{c, dst, "MPI_Ssend"});
}

int InterruptibleTransport::Rsend(const void* b, int n, MPI_Datatype t, int dst,
                                  int tag, MPI_Comm c) {
  MPI_Request r;
  return Started(MPI_Irsend(b, n, t, dst, tag, c, &r), &r, MPI_STATUS_IGNORE,
                 Abandon::kLeave, WaitOn{c, dst, "MPI_Rsend"});
}

int InterruptibleTransport::Recv(void* b, int n, MPI_Datatype t, int src,
                                 int tag, MPI_Comm c, MPI_Status* s) {
  MPI_Request r;
  return Started(MPI_Irecv(b, n, t, src, tag, c, &r), &r, s, Abandon::kCancel,
                 WaitOn{c, src, "MPI_Recv"});
}

int InterruptibleTransport::Sendrecv(const void* sb, int sn, MPI_Datatype st,
                                     int dst, int stag, void* rb, int rn,
                                     MPI_Datatype rt, int src, int rtag,
                                     MPI_Comm c, MPI_Status* s) {
  MPI_Request recv;
  if (int rc = MPI_Irecv(rb, rn, rt, src, rtag, c, &recv); rc != MPI_SUCCESS) {
    return rc;
  }
  MPI_Request send;
  if (int rc = MPI_Isend(sb, sn, st, dst, stag, c, &send); rc != MPI_SUCCESS) {
    MPI_Cancel(&recv);
    MPI_Wait(&recv, MPI_STATUS_IGNORE);  // a fresh receive cancels at once
    return rc;
  }
  int rc = Await(&recv, s, Abandon::kCancel, WaitOn{c, src, "MPI_Sendrecv"});
  if (rc != MPI_SUCCESS) return rc;
  return Await(&send, MPI_STATUS_IGNORE, Abandon::kLeave,
               WaitOn{c, dst, "MPI_Sendrecv"});
}

int InterruptibleTransport::Probe(int src, int tag, MPI_Comm c, MPI_Status* s) {
  PeerCheck check(peers_, WaitOn{c, src, "MPI_Probe"});
  for (;;) {
    int found = 0;
    int rc = MPI_Iprobe(src, tag, c, &found, s);
    if (rc != MPI_SUCCESS || found) return rc;
    if (stopped() || check.Stuck()) return MPI_ERR_OTHER;
  }
}

int InterruptibleTransport::Mprobe(int src, int tag, MPI_Comm c, MPI_Message* m,
                                   MPI_Status* s) {
  PeerCheck check(peers_, WaitOn{c, src, "MPI_Mprobe"});
  for (;;) {
    int found = 0;
    int rc = MPI_Improbe(src, tag, c, &found, m, s);
    if (rc != MPI_SUCCESS || found) return rc;
    if (stopped() || check.Stuck()) return MPI_ERR_OTHER;
  }
}

int InterruptibleTransport::Mrecv(void* b, int n, MPI_Datatype t,
                                  MPI_Message* m, MPI_Status* s) {
  MPI_Request r;
  // A matched message cannot be cancelled.
  return Started(MPI_Imrecv(b, n, t, m, &r), &r, s, Abandon::kLeave,
                 WaitOn{.call = "MPI_Mrecv"});
}

// Waits on the guest's requests: on a stop they stay the guest's.

int InterruptibleTransport::Wait(MPI_Request* r, MPI_Status* s) {
  PeerCheck check(peers_, WaitOn{.call = "MPI_Wait"});
  for (;;) {
    int done = 0;
    int rc = MPI_Test(r, &done, s);
    if (rc != MPI_SUCCESS || done) return rc;
    if (stopped() || check.Stuck()) return MPI_ERR_OTHER;
  }
}

int InterruptibleTransport::Waitall(int n, MPI_Request* r, MPI_Status* s) {
  PeerCheck check(peers_, WaitOn{.call = "MPI_Waitall"});
  for (;;) {
    int done = 0;
    int rc = MPI_Testall(n, r, &done, s);
    if (rc != MPI_SUCCESS || done) return rc;
    if (stopped() || check.Stuck()) return MPI_ERR_OTHER;
  }
}

int InterruptibleTransport::Waitany(int n, MPI_Request* r, int* index,
                                    MPI_Status* s) {
  PeerCheck check(peers_, WaitOn{.call = "MPI_Waitany"});
  for (;;) {
    int done = 0;
    int rc = MPI_Testany(n, r, index, &done, s);
    if (rc != MPI_SUCCESS || done) return rc;
    if (stopped() || check.Stuck()) return MPI_ERR_OTHER;
  }
}

int InterruptibleTransport::Waitsome(int n, MPI_Request* r, int* outcount,
                                     int* indices, MPI_Status* s) {
  PeerCheck check(peers_, WaitOn{.call = "MPI_Waitsome"});
  for (;;) {
    int rc = MPI_Testsome(n, r, outcount, indices, s);
    // outcount is 0 while nothing completed, MPI_UNDEFINED if nothing is
    // active: both but the first end the wait.
    if (rc != MPI_SUCCESS || *outcount != 0) return rc;
    if (stopped() || check.Stuck()) return MPI_ERR_OTHER;
  }
}

// Collectives: the nonblocking twin, left to the host MPI on a stop.

// `blocking` unless collectives are to be interruptible, else `nonblocking`
// (which starts request `r`) and a wait that a stop ends.
#define WASMHPC_POOL_COLLECTIVE(blocking, nonblocking)                \
  if (!collectives_) {                                                \
    BlockingScope in(blocking_call_, __func__);                       \
    return blocking;                                                  \
  }                                                                   \
  MPI_Request r;                                                      \
  return Started(nonblocking, &r, MPI_STATUS_IGNORE, Abandon::kLeave, \
                 WaitOn{c, WaitOn::kAllPeers, __func__})

int InterruptibleTransport::Barrier(MPI_Comm c) {
  if (!collectives_) {
    BlockingScope in(blocking_call_, __func__);
    return MPI_Barrier(c);
  }
  MPI_Request r;
  return Started(MPI_Ibarrier(c, &r), &r, MPI_STATUS_IGNORE, Abandon::kSettle,
                 WaitOn{c, WaitOn::kAllPeers, "MPI_Barrier"});
}

int InterruptibleTransport::Bcast(void* b, int n, MPI_Datatype t, int root,
                                  MPI_Comm c) {
  WASMHPC_POOL_COLLECTIVE(MPI_Bcast(b, n, t, root, c),
                          MPI_Ibcast(b, n, t, root, c, &r));
}

int InterruptibleTransport::Gather(const void* sb, int sn, MPI_Datatype st,
                                   void* rb, int rn, MPI_Datatype rt, int root,
                                   MPI_Comm c) {
  WASMHPC_POOL_COLLECTIVE(MPI_Gather(sb, sn, st, rb, rn, rt, root, c),
                          MPI_Igather(sb, sn, st, rb, rn, rt, root, c, &r));
}

int InterruptibleTransport::Gatherv(const void* sb, int sn, MPI_Datatype st,
                                    void* rb, const int* rns, const int* rds,
                                    MPI_Datatype rt, int root, MPI_Comm c) {
  WASMHPC_POOL_COLLECTIVE(
      MPI_Gatherv(sb, sn, st, rb, rns, rds, rt, root, c),
      MPI_Igatherv(sb, sn, st, rb, rns, rds, rt, root, c, &r));
}

int InterruptibleTransport::Scatter(const void* sb, int sn, MPI_Datatype st,
                                    void* rb, int rn, MPI_Datatype rt, int root,
                                    MPI_Comm c) {
  WASMHPC_POOL_COLLECTIVE(MPI_Scatter(sb, sn, st, rb, rn, rt, root, c),
                          MPI_Iscatter(sb, sn, st, rb, rn, rt, root, c, &r));
}

int InterruptibleTransport::Scatterv(const void* sb, const int* sns,
                                     const int* sds, MPI_Datatype st, void* rb,
                                     int rn, MPI_Datatype rt, int root,
                                     MPI_Comm c) {
  WASMHPC_POOL_COLLECTIVE(
      MPI_Scatterv(sb, sns, sds, st, rb, rn, rt, root, c),
      MPI_Iscatterv(sb, sns, sds, st, rb, rn, rt, root, c, &r));
}

int InterruptibleTransport::Allgather(const void* sb, int sn, MPI_Datatype st,
                                      void* rb, int rn, MPI_Datatype rt,
                                      MPI_Comm c) {
  WASMHPC_POOL_COLLECTIVE(MPI_Allgather(sb, sn, st, rb, rn, rt, c),
                          MPI_Iallgather(sb, sn, st, rb, rn, rt, c, &r));
}

int InterruptibleTransport::Allgatherv(const void* sb, int sn, MPI_Datatype st,
                                       void* rb, const int* rns, const int* rds,
                                       MPI_Datatype rt, MPI_Comm c) {
  WASMHPC_POOL_COLLECTIVE(MPI_Allgatherv(sb, sn, st, rb, rns, rds, rt, c),
                          MPI_Iallgatherv(sb, sn, st, rb, rns, rds, rt, c, &r));
}

int InterruptibleTransport::Alltoall(const void* sb, int sn, MPI_Datatype st,
                                     void* rb, int rn, MPI_Datatype rt,
                                     MPI_Comm c) {
  WASMHPC_POOL_COLLECTIVE(MPI_Alltoall(sb, sn, st, rb, rn, rt, c),
                          MPI_Ialltoall(sb, sn, st, rb, rn, rt, c, &r));
}

int InterruptibleTransport::Alltoallv(const void* sb, const int* sns,
                                      const int* sds, MPI_Datatype st, void* rb,
                                      const int* rns, const int* rds,
                                      MPI_Datatype rt, MPI_Comm c) {
  WASMHPC_POOL_COLLECTIVE(
      MPI_Alltoallv(sb, sns, sds, st, rb, rns, rds, rt, c),
      MPI_Ialltoallv(sb, sns, sds, st, rb, rns, rds, rt, c, &r));
}

int InterruptibleTransport::Alltoallw(const void* sb, const int* sns,
                                      const int* sds, const MPI_Datatype* sts,
                                      void* rb, const int* rns, const int* rds,
                                      const MPI_Datatype* rts, MPI_Comm c) {
  WASMHPC_POOL_COLLECTIVE(
      MPI_Alltoallw(sb, sns, sds, sts, rb, rns, rds, rts, c),
      MPI_Ialltoallw(sb, sns, sds, sts, rb, rns, rds, rts, c, &r));
}

// Reductions (a user-defined op runs on the guest's thread: only it calls
// MPI).

int InterruptibleTransport::Reduce(const void* sb, void* rb, int n,
                                   MPI_Datatype t, MPI_Op op, int root,
                                   MPI_Comm c) {
  WASMHPC_POOL_COLLECTIVE(MPI_Reduce(sb, rb, n, t, op, root, c),
                          MPI_Ireduce(sb, rb, n, t, op, root, c, &r));
}

int InterruptibleTransport::Allreduce(const void* sb, void* rb, int n,
                                      MPI_Datatype t, MPI_Op op, MPI_Comm c) {
  WASMHPC_POOL_COLLECTIVE(MPI_Allreduce(sb, rb, n, t, op, c),
                          MPI_Iallreduce(sb, rb, n, t, op, c, &r));
}

int InterruptibleTransport::Reduce_scatter(const void* sb, void* rb,
                                           const int* rns, MPI_Datatype t,
                                           MPI_Op op, MPI_Comm c) {
  WASMHPC_POOL_COLLECTIVE(MPI_Reduce_scatter(sb, rb, rns, t, op, c),
                          MPI_Ireduce_scatter(sb, rb, rns, t, op, c, &r));
}

int InterruptibleTransport::Reduce_scatter_block(const void* sb, void* rb,
                                                 int n, MPI_Datatype t,
                                                 MPI_Op op, MPI_Comm c) {
  WASMHPC_POOL_COLLECTIVE(MPI_Reduce_scatter_block(sb, rb, n, t, op, c),
                          MPI_Ireduce_scatter_block(sb, rb, n, t, op, c, &r));
}

int InterruptibleTransport::Scan(const void* sb, void* rb, int n,
                                 MPI_Datatype t, MPI_Op op, MPI_Comm c) {
  WASMHPC_POOL_COLLECTIVE(MPI_Scan(sb, rb, n, t, op, c),
                          MPI_Iscan(sb, rb, n, t, op, c, &r));
}

int InterruptibleTransport::Exscan(const void* sb, void* rb, int n,
                                   MPI_Datatype t, MPI_Op op, MPI_Comm c) {
  WASMHPC_POOL_COLLECTIVE(MPI_Exscan(sb, rb, n, t, op, c),
                          MPI_Iexscan(sb, rb, n, t, op, c, &r));
}

#undef WASMHPC_POOL_COLLECTIVE

// One-sided: the target's wait for its origins' MPI_Win_complete.

int InterruptibleTransport::Win_wait(MPI_Win w) {
  PeerCheck check(peers_, WaitOn{.call = "MPI_Win_wait"});
  for (;;) {
    int done = 0;
    int rc = MPI_Win_test(w, &done);
    if (rc != MPI_SUCCESS || done) return rc;
    if (stopped() || check.Stuck()) return MPI_ERR_OTHER;
  }
}

}  // namespace wasmhpc::pool
