// Collectives without reductions: barrier, broadcast, gather/scatter,
// allgather, all-to-all (-v, -w), blocking and nonblocking. Reductions are
// in coll_reduce.cc; argument rules in coll_args.h.
#include <memory>

#include "mpi-bridge/call.h"
#include "mpi-bridge/coll_args.h"

namespace wasmhpc::mpi {
namespace coll {
namespace {

using T = MpiTransport;

int32_t Barrier(Call& c, Pending* p, Handle comm) {
  CommEntry* cm = c.Comm(comm);
  if (cm == nullptr) return c.error();
  return Issue<&T::Barrier, &T::Ibarrier>(c, p, cm->host);
}

int32_t Bcast(Call& c, Pending* p, Ptr buf, int32_t count, Handle type,
              int32_t root, Handle comm) {
  CommEntry* cm = c.Comm(comm);
  Side s;
  // Everybody's buffer is significant but an intercommunicator's
  // MPI_PROC_NULL ranks'; the host checks the root.
  if (cm == nullptr || !LoadPlain(c, root != abi::kProcNull, buf, count, type,
                                  1, "buffer", &s)) {
    return c.error();
  }
  return Issue<&T::Bcast, &T::Ibcast>(c, p, s.buf, s.count, s.type,
                                      HostRank(root), cm->host);
}

// Shape, role and rooted sides of a gather or scatter.
bool LoadRootedCall(Call& c, Handle comm, int32_t root, Ptr leaf_buf,
                    const char* leaf_what, Shape* s, Rooted* r) {
  Role role;
  return LoadShape(c, comm, s) && LoadRole(c, *s, root, &role) &&
         LoadRooted(c, *s, role, leaf_buf, leaf_what, r);
}

int32_t Gather(Call& c, Pending* p, Ptr sbuf, int32_t scount, Handle stype,
               Ptr rbuf, int32_t rcount, Handle rtype, int32_t root,
               Handle comm) {
  Shape s;
  Rooted r;
  Side snd, rcv;
  if (!LoadRootedCall(c, comm, root, sbuf, "sendbuf", &s, &r) ||
      !LoadPlain(c, r.leaf_side, sbuf, scount, stype, 1, "sendbuf", &snd) ||
      !LoadPlain(c, r.root_side, rbuf, rcount, rtype, s.peers, "recvbuf",
                 &rcv)) {
    return c.error();
  }
  if (r.in_place) snd.buf = MPI_IN_PLACE;
  return Issue<&T::Gather, &T::Igather>(c, p, snd.buf, snd.count, snd.type,
                                        rcv.buf, rcv.count, rcv.type,
                                        HostRank(root), s.comm->host);
}

int32_t Gatherv(Call& c, Pending* p, Ptr sbuf, int32_t scount, Handle stype,
                Ptr rbuf, Ptr rcounts, Ptr displs, Handle rtype, int32_t root,
                Handle comm) {
  Shape s;
  Rooted r;
  Side snd, rcv;
  auto args = std::make_shared<HostArgs>();
  if (!LoadRootedCall(c, comm, root, sbuf, "sendbuf", &s, &r) ||
      !LoadPlain(c, r.leaf_side, sbuf, scount, stype, 1, "sendbuf", &snd) ||
      !LoadV(c, r.root_side, rbuf, rcounts, displs, s.peers, rtype, "recvbuf",
             &args->recv, &rcv)) {
    return c.error();
  }
  if (r.in_place) snd.buf = MPI_IN_PLACE;
  if (p) p->keep = args;
  return Issue<&T::Gatherv, &T::Igatherv>(
      c, p, snd.buf, snd.count, snd.type, rcv.buf, rcv.counts, rcv.displs,
      rcv.type, HostRank(root), s.comm->host);
}

int32_t Scatter(Call& c, Pending* p, Ptr sbuf, int32_t scount, Handle stype,
                Ptr rbuf, int32_t rcount, Handle rtype, int32_t root,
                Handle comm) {
  Shape s;
  Rooted r;
  Side snd, rcv;
  if (!LoadRootedCall(c, comm, root, rbuf, "recvbuf", &s, &r) ||
      !LoadPlain(c, r.root_side, sbuf, scount, stype, s.peers, "sendbuf",
                 &snd) ||
      !LoadPlain(c, r.leaf_side, rbuf, rcount, rtype, 1, "recvbuf", &rcv)) {
    return c.error();
  }
  if (r.in_place) rcv.buf = MPI_IN_PLACE;
  return Issue<&T::Scatter, &T::Iscatter>(c, p, snd.buf, snd.count, snd.type,
                                          rcv.buf, rcv.count, rcv.type,
                                          HostRank(root), s.comm->host);
}

int32_t Scatterv(Call& c, Pending* p, Ptr sbuf, Ptr scounts, Ptr displs,
                 Handle stype, Ptr rbuf, int32_t rcount, Handle rtype,
                 int32_t root, Handle comm) {
  Shape s;
  Rooted r;
  Side snd, rcv;
  auto args = std::make_shared<HostArgs>();
  if (!LoadRootedCall(c, comm, root, rbuf, "recvbuf", &s, &r) ||
      !LoadV(c, r.root_side, sbuf, scounts, displs, s.peers, stype, "sendbuf",
             &args->send, &snd) ||
      !LoadPlain(c, r.leaf_side, rbuf, rcount, rtype, 1, "recvbuf", &rcv)) {
    return c.error();
  }
  if (r.in_place) rcv.buf = MPI_IN_PLACE;
  if (p) p->keep = args;
  return Issue<&T::Scatterv, &T::Iscatterv>(
      c, p, snd.buf, snd.counts, snd.displs, snd.type, rcv.buf, rcv.count,
      rcv.type, HostRank(root), s.comm->host);
}

// The send side of an allgather or all-to-all: MPI_IN_PLACE (send
// arguments ignored) or `blocks` blocks of scount elements.
bool LoadAllSend(Call& c, const Shape& s, Ptr sbuf, int32_t scount,
                 Handle stype, int64_t blocks, Side* snd) {
  bool in_place;
  if (!InPlace(c, s, sbuf, &in_place) ||
      !LoadPlain(c, !in_place, sbuf, scount, stype, blocks, "sendbuf", snd)) {
    return false;
  }
  if (in_place) snd->buf = MPI_IN_PLACE;
  return true;
}

int32_t Allgather(Call& c, Pending* p, Ptr sbuf, int32_t scount, Handle stype,
                  Ptr rbuf, int32_t rcount, Handle rtype, Handle comm) {
  Shape s;
  Side snd, rcv;
  if (!LoadShape(c, comm, &s) ||
      !LoadAllSend(c, s, sbuf, scount, stype, 1, &snd) ||
      !LoadPlain(c, true, rbuf, rcount, rtype, s.peers, "recvbuf", &rcv)) {
    return c.error();
  }
  return Issue<&T::Allgather, &T::Iallgather>(c, p, snd.buf, snd.count,
                                              snd.type, rcv.buf, rcv.count,
                                              rcv.type, s.comm->host);
}

int32_t Allgatherv(Call& c, Pending* p, Ptr sbuf, int32_t scount, Handle stype,
                   Ptr rbuf, Ptr rcounts, Ptr displs, Handle rtype,
                   Handle comm) {
  Shape s;
  Side snd, rcv;
  auto args = std::make_shared<HostArgs>();
  if (!LoadShape(c, comm, &s) ||
      !LoadAllSend(c, s, sbuf, scount, stype, 1, &snd) ||
      !LoadV(c, true, rbuf, rcounts, displs, s.peers, rtype, "recvbuf",
             &args->recv, &rcv)) {
    return c.error();
  }
  if (p) p->keep = args;
  return Issue<&T::Allgatherv, &T::Iallgatherv>(
      c, p, snd.buf, snd.count, snd.type, rcv.buf, rcv.counts, rcv.displs,
      rcv.type, s.comm->host);
}

int32_t Alltoall(Call& c, Pending* p, Ptr sbuf, int32_t scount, Handle stype,
                 Ptr rbuf, int32_t rcount, Handle rtype, Handle comm) {
  Shape s;
  Side snd, rcv;
  if (!LoadShape(c, comm, &s) ||
      !LoadAllSend(c, s, sbuf, scount, stype, s.peers, &snd) ||
      !LoadPlain(c, true, rbuf, rcount, rtype, s.peers, "recvbuf", &rcv)) {
    return c.error();
  }
  return Issue<&T::Alltoall, &T::Ialltoall>(c, p, snd.buf, snd.count, snd.type,
                                            rcv.buf, rcv.count, rcv.type,
                                            s.comm->host);
}

int32_t Alltoallv(Call& c, Pending* p, Ptr sbuf, Ptr scounts, Ptr sdispls,
                  Handle stype, Ptr rbuf, Ptr rcounts, Ptr rdispls,
                  Handle rtype, Handle comm) {
  Shape s;
  Side snd, rcv;
  bool in_place;
  auto args = std::make_shared<HostArgs>();
  if (!LoadShape(c, comm, &s) || !InPlace(c, s, sbuf, &in_place) ||
      !LoadV(c, !in_place, sbuf, scounts, sdispls, s.peers, stype, "sendbuf",
             &args->send, &snd) ||
      !LoadV(c, true, rbuf, rcounts, rdispls, s.peers, rtype, "recvbuf",
             &args->recv, &rcv)) {
    return c.error();
  }
  if (in_place) snd.buf = MPI_IN_PLACE;
  if (p) p->keep = args;
  return Issue<&T::Alltoallv, &T::Ialltoallv>(
      c, p, snd.buf, snd.counts, snd.displs, snd.type, rcv.buf, rcv.counts,
      rcv.displs, rcv.type, s.comm->host);
}

int32_t Alltoallw(Call& c, Pending* p, Ptr sbuf, Ptr scounts, Ptr sdispls,
                  Ptr stypes, Ptr rbuf, Ptr rcounts, Ptr rdispls, Ptr rtypes,
                  Handle comm) {
  Shape s;
  Side snd, rcv;
  bool in_place;
  auto args = std::make_shared<HostArgs>();
  if (!LoadShape(c, comm, &s) || !InPlace(c, s, sbuf, &in_place) ||
      (!in_place && !LoadW(c, sbuf, scounts, sdispls, stypes, s.peers,
                           "sendbuf", &args->send, &snd)) ||
      !LoadW(c, rbuf, rcounts, rdispls, rtypes, s.peers, "recvbuf", &args->recv,
             &rcv)) {
    return c.error();
  }
  if (in_place) snd.buf = MPI_IN_PLACE;
  if (p) p->keep = args;
  return Issue<&T::Alltoallw, &T::Ialltoallw>(
      c, p, snd.buf, snd.counts, snd.displs, snd.types, rcv.buf, rcv.counts,
      rcv.displs, rcv.types, s.comm->host);
}

}  // namespace

void AddMovements(Bridge& b, std::vector<engine::HostFunc>& out) {
  BindBoth<Barrier>(b, out, "MPI_Barrier", "MPI_Ibarrier");
  BindBoth<Bcast>(b, out, "MPI_Bcast", "MPI_Ibcast");
  BindBoth<Gather>(b, out, "MPI_Gather", "MPI_Igather");
  BindBoth<Gatherv>(b, out, "MPI_Gatherv", "MPI_Igatherv");
  BindBoth<Scatter>(b, out, "MPI_Scatter", "MPI_Iscatter");
  BindBoth<Scatterv>(b, out, "MPI_Scatterv", "MPI_Iscatterv");
  BindBoth<Allgather>(b, out, "MPI_Allgather", "MPI_Iallgather");
  BindBoth<Allgatherv>(b, out, "MPI_Allgatherv", "MPI_Iallgatherv");
  BindBoth<Alltoall>(b, out, "MPI_Alltoall", "MPI_Ialltoall");
  BindBoth<Alltoallv>(b, out, "MPI_Alltoallv", "MPI_Ialltoallv");
  BindBoth<Alltoallw>(b, out, "MPI_Alltoallw", "MPI_Ialltoallw");
}

}  // namespace coll

void AddCollectives(Bridge& b, std::vector<engine::HostFunc>& out) {
  coll::AddMovements(b, out);
  coll::AddReductions(b, out);
}

}  // namespace wasmhpc::mpi
