// Reductions: reduce, allreduce, reduce-scatter (-block), scan, exscan,
// blocking and nonblocking, and MPI_Reduce_local. Predefined ops go to
// the host as they are (on the long double family, as binary128 host ops:
// binary128_ops.h); user ops run through op.h's trampolines, so every
// import here runs in a UserOpScope.
#include <algorithm>
#include <memory>

#include "absl/strings/str_format.h"
#include "mpi-bridge/call.h"
#include "mpi-bridge/coll_args.h"
#include "mpi-bridge/op.h"

namespace wasmhpc::mpi {
namespace coll {
namespace {

using T = MpiTransport;

// Whether sbuf is MPI_IN_PLACE (valid on intracommunicators only).
bool ReduceInPlace(Call& c, Handle comm, Ptr sbuf, bool* in_place) {
  *in_place = false;
  if (sbuf != abi::kInPlace) return true;
  Shape s;
  return LoadShape(c, comm, &s) && InPlace(c, s, sbuf, in_place);
}

// A nonblocking reduction keeps its user op (and `args`) until it
// completes: the host calls the op during progress.
void Keep(Pending* p, const OpEntry& o, std::shared_ptr<HostArgs> args = {}) {
  if (p == nullptr || (!o.user && !args)) return;
  if (!args) args = std::make_shared<HostArgs>();
  args->op = o.user;
  p->keep = std::move(args);
}

int32_t Reduce(Call& c, Pending* p, Ptr sbuf, Ptr rbuf, int32_t count,
               Handle type, Handle op, int32_t root, Handle comm) {
  Shape s;
  Role role;
  Rooted r;
  DatatypeEntry* t;
  OpEntry* o;
  MPI_Op host_op;
  Side snd, rcv;
  if (!LoadShape(c, comm, &s) || !LoadRole(c, s, root, &role) ||
      !LoadRooted(c, s, role, sbuf, "sendbuf", &r) ||
      !LoadReduction(c, type, op, &t, &o, &host_op) ||
      !LoadPlain(c, r.leaf_side, sbuf, count, type, 1, "sendbuf", &snd) ||
      !LoadPlain(c, r.root_side, rbuf, count, type, 1, "recvbuf", &rcv)) {
    return c.error();
  }
  if (r.in_place) snd.buf = MPI_IN_PLACE;
  Keep(p, *o);
  return UserOpResult(c, Issue<&T::Reduce, &T::Ireduce>(
                             c, p, snd.buf, rcv.buf, std::max(count, 0),
                             t->host, host_op, HostRank(root), s.comm->host));
}

using AllMethod = int (MpiTransport::*)(const void*, void*, int, MPI_Datatype,
                                        MPI_Op, MPI_Comm);
using IAllMethod = int (MpiTransport::*)(const void*, void*, int, MPI_Datatype,
                                         MPI_Op, MPI_Comm, MPI_Request*);

// MPI_Allreduce, MPI_Scan, MPI_Exscan: count elements in, count out.
template <AllMethod kBlocking, IAllMethod kNonblocking>
int32_t AllLike(Call& c, Pending* p, Ptr sbuf, Ptr rbuf, int32_t count,
                Handle type, Handle op, Handle comm) {
  CommEntry* cm = c.Comm(comm);
  DatatypeEntry* t;
  OpEntry* o;
  MPI_Op host_op;
  bool in_place;
  Side snd, rcv;
  if (cm == nullptr || !LoadReduction(c, type, op, &t, &o, &host_op) ||
      !ReduceInPlace(c, comm, sbuf, &in_place) ||
      !LoadPlain(c, !in_place, sbuf, count, type, 1, "sendbuf", &snd) ||
      !LoadPlain(c, true, rbuf, count, type, 1, "recvbuf", &rcv)) {
    return c.error();
  }
  if (in_place) snd.buf = MPI_IN_PLACE;
  Keep(p, *o);
  return UserOpResult(
      c, Issue<kBlocking, kNonblocking>(c, p, snd.buf, rcv.buf, count, t->host,
                                        host_op, cm->host));
}

int32_t ReduceScatterBlock(Call& c, Pending* p, Ptr sbuf, Ptr rbuf,
                           int32_t count, Handle type, Handle op, Handle comm) {
  CommEntry* cm = c.Comm(comm);
  DatatypeEntry* t;
  OpEntry* o;
  MPI_Op host_op;
  bool in_place;
  Side snd, rcv;
  // In place, recvbuf holds the whole input vector.
  if (cm == nullptr || !LoadReduction(c, type, op, &t, &o, &host_op) ||
      !ReduceInPlace(c, comm, sbuf, &in_place) ||
      !LoadPlain(c, !in_place, sbuf, count, type, cm->size, "sendbuf", &snd) ||
      !LoadPlain(c, true, rbuf, count, type, in_place ? cm->size : 1, "recvbuf",
                 &rcv)) {
    return c.error();
  }
  if (in_place) snd.buf = MPI_IN_PLACE;
  Keep(p, *o);
  return UserOpResult(
      c, Issue<&T::Reduce_scatter_block, &T::Ireduce_scatter_block>(
             c, p, snd.buf, rcv.buf, count, t->host, host_op, cm->host));
}

int32_t ReduceScatter(Call& c, Pending* p, Ptr sbuf, Ptr rbuf, Ptr rcounts,
                      Handle type, Handle op, Handle comm) {
  CommEntry* cm = c.Comm(comm);
  DatatypeEntry* t;
  OpEntry* o;
  MPI_Op host_op;
  bool in_place;
  int64_t total = 0;
  auto args = std::make_shared<HostArgs>();
  if (cm == nullptr || !LoadReduction(c, type, op, &t, &o, &host_op) ||
      !ReduceInPlace(c, comm, sbuf, &in_place) ||
      !LoadCounts(c, rcounts, cm->size, "recvcounts", &args->recv.counts,
                  &total)) {
    return c.error();
  }
  if (total > INT32_MAX) {
    return c.Fail(abi::kErrCount,
                  absl::StrFormat("recvcounts add up to %d elements", total));
  }
  int32_t mine = args->recv.counts[cm->rank];
  Side snd, rcv;
  if (!LoadPlain(c, !in_place, sbuf, static_cast<int32_t>(total), type, 1,
                 "sendbuf", &snd) ||
      !LoadPlain(c, true, rbuf, in_place ? static_cast<int32_t>(total) : mine,
                 type, 1, "recvbuf", &rcv)) {
    return c.error();
  }
  if (in_place) snd.buf = MPI_IN_PLACE;
  Keep(p, *o, args);
  return UserOpResult(c, Issue<&T::Reduce_scatter, &T::Ireduce_scatter>(
                             c, p, snd.buf, rcv.buf, args->recv.counts.data(),
                             t->host, host_op, cm->host));
}

int32_t ReduceLocal(Call& c, Ptr in, Ptr inout, int32_t count, Handle type,
                    Handle op) {
  DatatypeEntry* t;
  OpEntry* o;
  MPI_Op host_op;
  Side a, b;
  if (!LoadReduction(c, type, op, &t, &o, &host_op) ||
      !LoadPlain(c, true, in, count, type, 1, "inbuf", &a) ||
      !LoadPlain(c, true, inout, count, type, 1, "inoutbuf", &b)) {
    return c.error();
  }
  return UserOpResult(
      c, c.Host(c.mpi().Reduce_local(a.buf, b.buf, count, t->host, host_op)));
}

}  // namespace

void AddReductions(Bridge& b, std::vector<engine::HostFunc>& out) {
  constexpr bool kUserOps = true;
  BindBoth<Reduce>(b, out, "MPI_Reduce", "MPI_Ireduce", kUserOps);
  BindBoth<AllLike<&T::Allreduce, &T::Iallreduce>>(b, out, "MPI_Allreduce",
                                                   "MPI_Iallreduce", kUserOps);
  BindBoth<AllLike<&T::Scan, &T::Iscan>>(b, out, "MPI_Scan", "MPI_Iscan",
                                         kUserOps);
  BindBoth<AllLike<&T::Exscan, &T::Iexscan>>(b, out, "MPI_Exscan",
                                             "MPI_Iexscan", kUserOps);
  BindBoth<ReduceScatterBlock>(b, out, "MPI_Reduce_scatter_block",
                               "MPI_Ireduce_scatter_block", kUserOps);
  BindBoth<ReduceScatter>(b, out, "MPI_Reduce_scatter", "MPI_Ireduce_scatter",
                          kUserOps);
  out.push_back(WithUserOps(Bind(b, "MPI_Reduce_local", ReduceLocal)));
}

}  // namespace coll
}  // namespace wasmhpc::mpi
