// Neighbor collectives on Cartesian, graph and distributed graph
// communicators, blocking and nonblocking.
//
// Buffers hold one block per neighbor: the topology's in-degree (receive)
// and out-degree (send), asked of the host. Arguments are translated by
// the collectives' shared layer (coll_args.h): counts, displacements and
// datatypes are copied into host arrays that a nonblocking request keeps
// alive. MPI_IN_PLACE is not valid here. The -w forms take MPI_Aint byte
// displacements, 32-bit in the guest, widened for the host.
#include <memory>
#include <vector>

#include "mpi-bridge/call.h"
#include "mpi-bridge/coll_args.h"

namespace wasmhpc::mpi {
namespace {

using abi::Handle;
using abi::Ptr;
using coll::BindBoth;
using coll::HostArgs;
using coll::Issue;
using coll::LoadPlain;
using coll::LoadV;
using coll::LoadW;
using coll::Pending;
using coll::Side;
using T = MpiTransport;

// A communicator with a topology and how many neighbors a rank receives
// from (in) and sends to (out).
struct Neighborhood {
  CommEntry* comm = nullptr;
  int in = 0;
  int out = 0;
};

bool LoadNeighborhood(Call& c, Handle comm, Neighborhood* n) {
  n->comm = c.Comm(comm);
  int kind;
  if (!n->comm || c.Host(c.mpi().Topo_test(n->comm->host, &kind))) {
    return false;
  }
  MPI_Comm host = n->comm->host;
  int rc = MPI_SUCCESS;
  if (kind == MPI_CART) {
    int ndims = 0;
    rc = c.mpi().Cartdim_get(host, &ndims);
    n->in = n->out = 2 * ndims;
  } else if (kind == MPI_GRAPH) {
    rc = c.mpi().Graph_neighbors_count(host, n->comm->rank, &n->in);
    n->out = n->in;
  } else if (kind == MPI_DIST_GRAPH) {
    int weighted;
    rc = c.mpi().Dist_graph_neighbors_count(host, &n->in, &n->out, &weighted);
  } else {
    c.Fail(abi::kErrTopology, "communicator has no process topology");
    return false;
  }
  return c.Host(rc) == abi::kSuccess;
}

int32_t Allgather(Call& c, Pending* p, Ptr sbuf, int32_t scount, Handle stype,
                  Ptr rbuf, int32_t rcount, Handle rtype, Handle comm) {
  Neighborhood n;
  Side snd, rcv;
  if (!LoadNeighborhood(c, comm, &n) ||
      !LoadPlain(c, true, sbuf, scount, stype, 1, "sendbuf", &snd) ||
      !LoadPlain(c, true, rbuf, rcount, rtype, n.in, "recvbuf", &rcv)) {
    return c.error();
  }
  return Issue<&T::Neighbor_allgather, &T::Ineighbor_allgather>(
      c, p, snd.buf, snd.count, snd.type, rcv.buf, rcv.count, rcv.type,
      n.comm->host);
}

int32_t Allgatherv(Call& c, Pending* p, Ptr sbuf, int32_t scount, Handle stype,
                   Ptr rbuf, Ptr rcounts, Ptr displs, Handle rtype,
                   Handle comm) {
  Neighborhood n;
  Side snd, rcv;
  auto args = std::make_shared<HostArgs>();
  if (!LoadNeighborhood(c, comm, &n) ||
      !LoadPlain(c, true, sbuf, scount, stype, 1, "sendbuf", &snd) ||
      !LoadV(c, true, rbuf, rcounts, displs, n.in, rtype, "recvbuf",
             &args->recv, &rcv)) {
    return c.error();
  }
  if (p) p->keep = args;
  return Issue<&T::Neighbor_allgatherv, &T::Ineighbor_allgatherv>(
      c, p, snd.buf, snd.count, snd.type, rcv.buf, rcv.counts, rcv.displs,
      rcv.type, n.comm->host);
}

int32_t Alltoall(Call& c, Pending* p, Ptr sbuf, int32_t scount, Handle stype,
                 Ptr rbuf, int32_t rcount, Handle rtype, Handle comm) {
  Neighborhood n;
  Side snd, rcv;
  if (!LoadNeighborhood(c, comm, &n) ||
      !LoadPlain(c, true, sbuf, scount, stype, n.out, "sendbuf", &snd) ||
      !LoadPlain(c, true, rbuf, rcount, rtype, n.in, "recvbuf", &rcv)) {
    return c.error();
  }
  return Issue<&T::Neighbor_alltoall, &T::Ineighbor_alltoall>(
      c, p, snd.buf, snd.count, snd.type, rcv.buf, rcv.count, rcv.type,
      n.comm->host);
}

int32_t Alltoallv(Call& c, Pending* p, Ptr sbuf, Ptr scounts, Ptr sdispls,
                  Handle stype, Ptr rbuf, Ptr rcounts, Ptr rdispls,
                  Handle rtype, Handle comm) {
  Neighborhood n;
  Side snd, rcv;
  auto args = std::make_shared<HostArgs>();
  if (!LoadNeighborhood(c, comm, &n) ||
      !LoadV(c, true, sbuf, scounts, sdispls, n.out, stype, "sendbuf",
             &args->send, &snd) ||
      !LoadV(c, true, rbuf, rcounts, rdispls, n.in, rtype, "recvbuf",
             &args->recv, &rcv)) {
    return c.error();
  }
  if (p) p->keep = args;
  return Issue<&T::Neighbor_alltoallv, &T::Ineighbor_alltoallv>(
      c, p, snd.buf, snd.counts, snd.displs, snd.type, rcv.buf, rcv.counts,
      rcv.displs, rcv.type, n.comm->host);
}

// The -w host arrays, with the byte displacements widened to MPI_Aint.
struct WideArgs {
  HostArgs host;
  std::vector<MPI_Aint> sdispls, rdispls;
};

int32_t Alltoallw(Call& c, Pending* p, Ptr sbuf, Ptr scounts, Ptr sdispls,
                  Ptr stypes, Ptr rbuf, Ptr rcounts, Ptr rdispls, Ptr rtypes,
                  Handle comm) {
  Neighborhood n;
  Side snd, rcv;
  auto args = std::make_shared<WideArgs>();
  if (!LoadNeighborhood(c, comm, &n) ||
      !LoadW(c, sbuf, scounts, sdispls, stypes, n.out, "sendbuf",
             &args->host.send, &snd) ||
      !LoadW(c, rbuf, rcounts, rdispls, rtypes, n.in, "recvbuf",
             &args->host.recv, &rcv)) {
    return c.error();
  }
  const std::vector<int>& sd = args->host.send.displs;
  const std::vector<int>& rd = args->host.recv.displs;
  args->sdispls.assign(sd.begin(), sd.end());
  args->rdispls.assign(rd.begin(), rd.end());
  // The request keeps all of WideArgs through its HostArgs member.
  if (p) p->keep = std::shared_ptr<HostArgs>(args, &args->host);
  return Issue<&T::Neighbor_alltoallw, &T::Ineighbor_alltoallw>(
      c, p, snd.buf, snd.counts, args->sdispls.data(), snd.types, rcv.buf,
      rcv.counts, args->rdispls.data(), rcv.types, n.comm->host);
}

}  // namespace

void AddNeighborCollectives(Bridge& b, std::vector<engine::HostFunc>& out) {
  BindBoth<Allgather>(b, out, "MPI_Neighbor_allgather",
                      "MPI_Ineighbor_allgather");
  BindBoth<Allgatherv>(b, out, "MPI_Neighbor_allgatherv",
                       "MPI_Ineighbor_allgatherv");
  BindBoth<Alltoall>(b, out, "MPI_Neighbor_alltoall", "MPI_Ineighbor_alltoall");
  BindBoth<Alltoallv>(b, out, "MPI_Neighbor_alltoallv",
                      "MPI_Ineighbor_alltoallv");
  BindBoth<Alltoallw>(b, out, "MPI_Neighbor_alltoallw",
                      "MPI_Ineighbor_alltoallw");
}

}  // namespace wasmhpc::mpi
