// Collectives: barrier, broadcast, reductions, gather/scatter, all-to-all.
#include "absl/strings/str_format.h"
#include "mpi-bridge/call.h"

namespace wasmhpc::mpi {
namespace {

using abi::Handle;
using abi::Ptr;

// A reduction's operands: op and type, checked to be reducible here.
bool Reduction(Call& c, Handle type, Handle op, DatatypeEntry** t,
               OpEntry** o) {
  *t = c.Datatype(type);
  *o = *t ? c.Op(op) : nullptr;
  if (!*o) return false;
  if (!(*t)->reducible) {
    c.Fail(abi::kErrType,
           absl::StrFormat("datatype 0x%x (long double) cannot be reduced: "
                           "wasm32's binary128 is not the host's format",
                           type));
    return false;
  }
  return true;
}

int32_t Barrier(Call& c, Handle comm) {
  CommEntry* cm = c.Comm(comm);
  return cm ? c.Host(c.mpi().Barrier(cm->host)) : c.error();
}

int32_t Bcast(Call& c, Ptr buf, int32_t count, Handle type, int32_t root,
              Handle comm) {
  CommEntry* cm = c.Comm(comm);
  DatatypeEntry* t = cm ? c.Datatype(type) : nullptr;
  void* b;
  if (!t || !c.Buffer(buf, count, *t, "buffer", &b)) return c.error();
  return c.Host(c.mpi().Bcast(b, count, t->host, HostRank(root), cm->host));
}

int32_t Reduce(Call& c, Ptr sbuf, Ptr rbuf, int32_t count, Handle type,
               Handle op, int32_t root, Handle comm) {
  CommEntry* cm = c.Comm(comm);
  DatatypeEntry* t;
  OpEntry* o;
  if (!cm || !Reduction(c, type, op, &t, &o)) return c.error();
  const void* sb;
  void* rb = nullptr;
  bool is_root = cm->rank == root;
  if (!c.SendBuffer(sbuf, count, *t, "sendbuf", &sb) ||
      (is_root && !c.Buffer(rbuf, count, *t, "recvbuf", &rb))) {
    return c.error();
  }
  return c.Host(c.mpi().Reduce(sb, rb, count, t->host, o->host,
                               HostRank(root), cm->host));
}

int32_t Allreduce(Call& c, Ptr sbuf, Ptr rbuf, int32_t count, Handle type,
                  Handle op, Handle comm) {
  CommEntry* cm = c.Comm(comm);
  DatatypeEntry* t;
  OpEntry* o;
  if (!cm || !Reduction(c, type, op, &t, &o)) return c.error();
  const void* sb;
  void* rb;
  if (!c.SendBuffer(sbuf, count, *t, "sendbuf", &sb) ||
      !c.Buffer(rbuf, count, *t, "recvbuf", &rb)) {
    return c.error();
  }
  return c.Host(
      c.mpi().Allreduce(sb, rb, count, t->host, o->host, cm->host));
}

// Send and receive sides of a gather/scatter-shaped collective.
struct Sides {
  CommEntry* comm;
  DatatypeEntry* stype;
  DatatypeEntry* rtype;
  const void* sbuf = nullptr;
  void* rbuf = nullptr;
};

// Loads both sides; `send_times` / `recv_times` scale the counts to the
// whole buffer (comm size for the rooted/all side, 1 otherwise, 0 when
// that side is not significant on this rank).
bool LoadSides(Call& c, Handle comm, Ptr sbuf, int32_t scount, Handle stype,
               int send_times, Ptr rbuf, int32_t rcount, Handle rtype,
               int recv_times, Sides* s) {
  s->comm = c.Comm(comm);
  s->stype = s->comm ? c.Datatype(stype) : nullptr;
  s->rtype = s->stype ? c.Datatype(rtype) : nullptr;
  if (!s->rtype || !c.Count(scount, "sendcount") ||
      !c.Count(rcount, "recvcount")) {
    return false;
  }
  if (send_times > 0 && !c.SendBuffer(sbuf, scount * send_times, *s->stype,
                                      "sendbuf", &s->sbuf)) {
    return false;
  }
  if (sbuf == abi::kInPlace) s->sbuf = MPI_IN_PLACE;
  return recv_times == 0 ||
         c.Buffer(rbuf, rcount * recv_times, *s->rtype, "recvbuf", &s->rbuf);
}

int32_t Gather(Call& c, Ptr sbuf, int32_t scount, Handle stype, Ptr rbuf,
               int32_t rcount, Handle rtype, int32_t root, Handle comm) {
  CommEntry* cm = c.Comm(comm);
  if (!cm) return c.error();
  bool is_root = cm->rank == root;
  Sides s;
  if (!LoadSides(c, comm, sbuf, scount, stype, 1, rbuf, rcount, rtype,
                 is_root ? cm->size : 0, &s)) {
    return c.error();
  }
  return c.Host(c.mpi().Gather(s.sbuf, scount, s.stype->host, s.rbuf, rcount,
                               s.rtype->host, HostRank(root), cm->host));
}

int32_t Scatter(Call& c, Ptr sbuf, int32_t scount, Handle stype, Ptr rbuf,
                int32_t rcount, Handle rtype, int32_t root, Handle comm) {
  CommEntry* cm = c.Comm(comm);
  if (!cm) return c.error();
  bool is_root = cm->rank == root;
  Sides s;
  if (!LoadSides(c, comm, sbuf, scount, stype, is_root ? cm->size : 0, rbuf,
                 rcount, rtype, rbuf == abi::kInPlace ? 0 : 1, &s)) {
    return c.error();
  }
  if (rbuf == abi::kInPlace) s.rbuf = MPI_IN_PLACE;
  return c.Host(c.mpi().Scatter(s.sbuf, scount, s.stype->host, s.rbuf, rcount,
                                s.rtype->host, HostRank(root), cm->host));
}

int32_t Allgather(Call& c, Ptr sbuf, int32_t scount, Handle stype, Ptr rbuf,
                  int32_t rcount, Handle rtype, Handle comm) {
  CommEntry* cm = c.Comm(comm);
  Sides s;
  if (!cm || !LoadSides(c, comm, sbuf, scount, stype, 1, rbuf, rcount, rtype,
                        cm->size, &s)) {
    return c.error();
  }
  return c.Host(c.mpi().Allgather(s.sbuf, scount, s.stype->host, s.rbuf,
                                  rcount, s.rtype->host, cm->host));
}

int32_t Alltoall(Call& c, Ptr sbuf, int32_t scount, Handle stype, Ptr rbuf,
                 int32_t rcount, Handle rtype, Handle comm) {
  CommEntry* cm = c.Comm(comm);
  Sides s;
  if (!cm || !LoadSides(c, comm, sbuf, scount, stype, cm->size, rbuf, rcount,
                        rtype, cm->size, &s)) {
    return c.error();
  }
  return c.Host(c.mpi().Alltoall(s.sbuf, scount, s.stype->host, s.rbuf,
                                 rcount, s.rtype->host, cm->host));
}

}  // namespace

void AddCollectives(Bridge& b, std::vector<engine::HostFunc>& out) {
  out.push_back(Bind(b, "MPI_Barrier", Barrier));
  out.push_back(Bind(b, "MPI_Bcast", Bcast));
  out.push_back(Bind(b, "MPI_Reduce", Reduce));
  out.push_back(Bind(b, "MPI_Allreduce", Allreduce));
  out.push_back(Bind(b, "MPI_Gather", Gather));
  out.push_back(Bind(b, "MPI_Scatter", Scatter));
  out.push_back(Bind(b, "MPI_Allgather", Allgather));
  out.push_back(Bind(b, "MPI_Alltoall", Alltoall));
}

}  // namespace wasmhpc::mpi
