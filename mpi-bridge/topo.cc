// Process topologies: Cartesian, graph and distributed graph constructors
// and queries (neighbor collectives are in neighbor.cc).
//
// Integer arrays (dims, periods, coords, index, edges, ...) have the same
// layout on both sides and go to the host in place after a bounds check.
// Ranks the host returns are translated (MPI_PROC_NULL, MPI_UNDEFINED);
// the guest's MPI_UNWEIGHTED / MPI_WEIGHTS_EMPTY become the host's.
#include "absl/strings/str_format.h"
#include "mpi-bridge/call.h"
#include "mpi-bridge/comm.h"
#include "mpi-bridge/info.h"

namespace wasmhpc::mpi {

namespace {

using abi::Handle;
using abi::Ptr;

// Writes a rank the host returned (MPI_PROC_NULL, MPI_UNDEFINED included).
bool WriteRank(Call& c, Ptr p, int host_rank, const char* what) {
  return c.Write<int32_t>(p, GuestRank(host_rank), what);
}

// `n` guest ints at `p` after checking n >= 0 and the range.
int32_t* Ints(Call& c, Ptr p, int32_t n, const char* what) {
  return c.Count(n, what) ? c.Ref<int32_t>(p, what, n) : nullptr;
}

// A weights argument: the sentinels become the host's, anything else is an
// array of `n` ints. The sentinels are tested before any bounds check.
bool Weights(Call& c, Ptr p, int32_t n, const char* what, int** out) {
  if (p == abi::kUnweighted) {
    *out = MPI_UNWEIGHTED;
    return true;
  }
  if (p == abi::kWeightsEmpty) {
    *out = MPI_WEIGHTS_EMPTY;
    return true;
  }
  *out = Ints(c, p, n, what);
  return *out != nullptr;
}

// The number of dimensions of Cartesian communicator `comm`.
bool CartDims(Call& c, const CommEntry& comm, int* ndims) {
  return c.Host(c.mpi().Cartdim_get(comm.host, ndims)) == abi::kSuccess;
}

int32_t CartCreate(Call& c, Handle comm, int32_t ndims, Ptr dims, Ptr periods,
                   int32_t reorder, Ptr newcomm) {
  CommEntry* cm = c.Comm(comm);
  const int32_t* d = cm ? Ints(c, dims, ndims, "dims") : nullptr;
  const int32_t* p = d ? Ints(c, periods, ndims, "periods") : nullptr;
  Handle* out = p ? c.Ref<Handle>(newcomm, "comm_cart") : nullptr;
  if (!out) return c.error();
  MPI_Comm cart;
  if (int32_t rc =
          c.Host(c.mpi().Cart_create(cm->host, ndims, d, p, reorder, &cart))) {
    return rc;
  }
  return InsertComm(c, cart, cm->errhandler, out);
}

int32_t DimsCreate(Call& c, int32_t nnodes, int32_t ndims, Ptr dims) {
  int32_t* d = Ints(c, dims, ndims, "dims");
  return d ? c.Host(c.mpi().Dims_create(nnodes, ndims, d)) : c.error();
}

int32_t CartGet(Call& c, Handle comm, int32_t maxdims, Ptr dims, Ptr periods,
                Ptr coords) {
  CommEntry* cm = c.Comm(comm);
  int32_t* d = cm ? Ints(c, dims, maxdims, "dims") : nullptr;
  int32_t* p = d ? Ints(c, periods, maxdims, "periods") : nullptr;
  int32_t* x = p ? Ints(c, coords, maxdims, "coords") : nullptr;
  return x ? c.Host(c.mpi().Cart_get(cm->host, maxdims, d, p, x)) : c.error();
}

int32_t CartdimGet(Call& c, Handle comm, Ptr ndims) {
  CommEntry* cm = c.Comm(comm);
  int32_t* out = cm ? c.Ref<int32_t>(ndims, "ndims") : nullptr;
  return out ? c.Host(c.mpi().Cartdim_get(cm->host, out)) : c.error();
}

int32_t CartRank(Call& c, Handle comm, Ptr coords, Ptr rank) {
  CommEntry* cm = c.Comm(comm);
  int ndims;
  if (!cm || !CartDims(c, *cm, &ndims)) return c.error();
  const int32_t* x = Ints(c, coords, ndims, "coords");
  int32_t* out = x ? c.Ref<int32_t>(rank, "rank") : nullptr;
  return out ? c.Host(c.mpi().Cart_rank(cm->host, x, out)) : c.error();
}

int32_t CartCoords(Call& c, Handle comm, int32_t rank, int32_t maxdims,
                   Ptr coords) {
  CommEntry* cm = c.Comm(comm);
  int32_t* x = cm ? Ints(c, coords, maxdims, "coords") : nullptr;
  return x ? c.Host(c.mpi().Cart_coords(cm->host, rank, maxdims, x))
           : c.error();
}

int32_t CartShift(Call& c, Handle comm, int32_t direction, int32_t disp,
                  Ptr source, Ptr dest) {
  CommEntry* cm = c.Comm(comm);
  if (!cm) return c.error();
  int src, dst;
  if (int32_t rc =
          c.Host(c.mpi().Cart_shift(cm->host, direction, disp, &src, &dst))) {
    return rc;
  }
  return WriteRank(c, source, src, "rank_source") &&
                 WriteRank(c, dest, dst, "rank_dest")
             ? abi::kSuccess
             : c.error();
}

int32_t CartSub(Call& c, Handle comm, Ptr remain_dims, Ptr newcomm) {
  CommEntry* cm = c.Comm(comm);
  int ndims;
  if (!cm || !CartDims(c, *cm, &ndims)) return c.error();
  const int32_t* remain = Ints(c, remain_dims, ndims, "remain_dims");
  Handle* out = remain ? c.Ref<Handle>(newcomm, "newcomm") : nullptr;
  if (!out) return c.error();
  MPI_Comm sub;
  if (int32_t rc = c.Host(c.mpi().Cart_sub(cm->host, remain, &sub))) {
    return rc;
  }
  return InsertComm(c, sub, cm->errhandler, out);
}

int32_t CartMap(Call& c, Handle comm, int32_t ndims, Ptr dims, Ptr periods,
                Ptr newrank) {
  CommEntry* cm = c.Comm(comm);
  const int32_t* d = cm ? Ints(c, dims, ndims, "dims") : nullptr;
  const int32_t* p = d ? Ints(c, periods, ndims, "periods") : nullptr;
  if (!p) return c.error();
  int rank;
  if (int32_t rc = c.Host(c.mpi().Cart_map(cm->host, ndims, d, p, &rank))) {
    return rc;
  }
  return WriteRank(c, newrank, rank, "newrank") ? abi::kSuccess : c.error();
}

// A graph given as index[nnodes] and edges[index[nnodes - 1]].
struct GraphArgs {
  const int32_t* index = nullptr;
  const int32_t* edges = nullptr;
};

bool LoadGraph(Call& c, int32_t nnodes, Ptr index, Ptr edges, GraphArgs* out) {
  out->index = Ints(c, index, nnodes, "index");
  if (!out->index) return false;
  int32_t nedges = nnodes > 0 ? out->index[nnodes - 1] : 0;
  out->edges = Ints(c, edges, nedges, "edges");
  return out->edges != nullptr;
}

int32_t GraphCreate(Call& c, Handle comm, int32_t nnodes, Ptr index, Ptr edges,
                    int32_t reorder, Ptr newcomm) {
  CommEntry* cm = c.Comm(comm);
  GraphArgs g;
  if (!cm || !LoadGraph(c, nnodes, index, edges, &g)) return c.error();
  Handle* out = c.Ref<Handle>(newcomm, "comm_graph");
  if (!out) return c.error();
  MPI_Comm graph;
  if (int32_t rc = c.Host(c.mpi().Graph_create(cm->host, nnodes, g.index,
                                               g.edges, reorder, &graph))) {
    return rc;
  }
  return InsertComm(c, graph, cm->errhandler, out);
}

int32_t GraphdimsGet(Call& c, Handle comm, Ptr nnodes, Ptr nedges) {
  CommEntry* cm = c.Comm(comm);
  int32_t* n = cm ? c.Ref<int32_t>(nnodes, "nnodes") : nullptr;
  int32_t* e = n ? c.Ref<int32_t>(nedges, "nedges") : nullptr;
  return e ? c.Host(c.mpi().Graphdims_get(cm->host, n, e)) : c.error();
}

int32_t GraphGet(Call& c, Handle comm, int32_t maxindex, int32_t maxedges,
                 Ptr index, Ptr edges) {
  CommEntry* cm = c.Comm(comm);
  int32_t* i = cm ? Ints(c, index, maxindex, "index") : nullptr;
  int32_t* e = i ? Ints(c, edges, maxedges, "edges") : nullptr;
  return e ? c.Host(c.mpi().Graph_get(cm->host, maxindex, maxedges, i, e))
           : c.error();
}

int32_t GraphNeighborsCount(Call& c, Handle comm, int32_t rank,
                            Ptr nneighbors) {
  CommEntry* cm = c.Comm(comm);
  int32_t* n = cm ? c.Ref<int32_t>(nneighbors, "nneighbors") : nullptr;
  return n ? c.Host(c.mpi().Graph_neighbors_count(cm->host, rank, n))
           : c.error();
}

int32_t GraphNeighbors(Call& c, Handle comm, int32_t rank, int32_t max,
                       Ptr neighbors) {
  CommEntry* cm = c.Comm(comm);
  int32_t* n = cm ? Ints(c, neighbors, max, "neighbors") : nullptr;
  return n ? c.Host(c.mpi().Graph_neighbors(cm->host, rank, max, n))
           : c.error();
}

int32_t GraphMap(Call& c, Handle comm, int32_t nnodes, Ptr index, Ptr edges,
                 Ptr newrank) {
  CommEntry* cm = c.Comm(comm);
  GraphArgs g;
  if (!cm || !LoadGraph(c, nnodes, index, edges, &g)) return c.error();
  int rank;
  if (int32_t rc = c.Host(
          c.mpi().Graph_map(cm->host, nnodes, g.index, g.edges, &rank))) {
    return rc;
  }
  return WriteRank(c, newrank, rank, "newrank") ? abi::kSuccess : c.error();
}

int32_t DistGraphCreateAdjacent(Call& c, Handle comm, int32_t indegree,
                                Ptr sources, Ptr sourceweights,
                                int32_t outdegree, Ptr destinations,
                                Ptr destweights, Handle info, int32_t reorder,
                                Ptr newcomm) {
  CommEntry* cm = c.Comm(comm);
  const int32_t* src = cm ? Ints(c, sources, indegree, "sources") : nullptr;
  const int32_t* dst =
      src ? Ints(c, destinations, outdegree, "destinations") : nullptr;
  int *sw, *dw;
  MPI_Info host_info;
  if (!dst || !Weights(c, sourceweights, indegree, "sourceweights", &sw) ||
      !Weights(c, destweights, outdegree, "destweights", &dw) ||
      !HostInfoOf(c, info, &host_info)) {
    return c.error();
  }
  Handle* out = c.Ref<Handle>(newcomm, "comm_dist_graph");
  if (!out) return c.error();
  MPI_Comm graph;
  if (int32_t rc = c.Host(c.mpi().Dist_graph_create_adjacent(
          cm->host, indegree, src, sw, outdegree, dst, dw, host_info, reorder,
          &graph))) {
    return rc;
  }
  return InsertComm(c, graph, cm->errhandler, out);
}

// The number of edges of MPI_Dist_graph_create: the sum of the degrees.
bool SumDegrees(Call& c, const int32_t* degrees, int32_t n, int32_t* edges) {
  int64_t sum = 0;
  for (int32_t i = 0; i < n; ++i) {
    if (!c.Count(degrees[i], "degree")) return false;
    sum += degrees[i];
  }
  if (sum > INT32_MAX) {
    c.Fail(abi::kErrArg, absl::StrFormat("%d edges are too many", sum));
    return false;
  }
  *edges = static_cast<int32_t>(sum);
  return true;
}

int32_t DistGraphCreate(Call& c, Handle comm, int32_t n, Ptr sources,
                        Ptr degrees, Ptr destinations, Ptr weights, Handle info,
                        int32_t reorder, Ptr newcomm) {
  CommEntry* cm = c.Comm(comm);
  const int32_t* src = cm ? Ints(c, sources, n, "sources") : nullptr;
  const int32_t* deg = src ? Ints(c, degrees, n, "degrees") : nullptr;
  int32_t edges;
  if (!deg || !SumDegrees(c, deg, n, &edges)) return c.error();
  const int32_t* dst = Ints(c, destinations, edges, "destinations");
  int* w;
  MPI_Info host_info;
  if (!dst || !Weights(c, weights, edges, "weights", &w) ||
      !HostInfoOf(c, info, &host_info)) {
    return c.error();
  }
  Handle* out = c.Ref<Handle>(newcomm, "comm_dist_graph");
  if (!out) return c.error();
  MPI_Comm graph;
  if (int32_t rc = c.Host(c.mpi().Dist_graph_create(
          cm->host, n, src, deg, dst, w, host_info, reorder, &graph))) {
    return rc;
  }
  return InsertComm(c, graph, cm->errhandler, out);
}

int32_t DistGraphNeighborsCount(Call& c, Handle comm, Ptr indegree,
                                Ptr outdegree, Ptr weighted) {
  CommEntry* cm = c.Comm(comm);
  int32_t* in = cm ? c.Ref<int32_t>(indegree, "indegree") : nullptr;
  int32_t* out = in ? c.Ref<int32_t>(outdegree, "outdegree") : nullptr;
  int32_t* w = out ? c.Ref<int32_t>(weighted, "weighted") : nullptr;
  return w ? c.Host(c.mpi().Dist_graph_neighbors_count(cm->host, in, out, w))
           : c.error();
}

int32_t DistGraphNeighbors(Call& c, Handle comm, int32_t maxin, Ptr sources,
                           Ptr sourceweights, int32_t maxout, Ptr destinations,
                           Ptr destweights) {
  CommEntry* cm = c.Comm(comm);
  int32_t* src = cm ? Ints(c, sources, maxin, "sources") : nullptr;
  int32_t* dst = src ? Ints(c, destinations, maxout, "destinations") : nullptr;
  int *sw, *dw;
  if (!dst || !Weights(c, sourceweights, maxin, "sourceweights", &sw) ||
      !Weights(c, destweights, maxout, "destweights", &dw)) {
    return c.error();
  }
  return c.Host(
      c.mpi().Dist_graph_neighbors(cm->host, maxin, src, sw, maxout, dst, dw));
}

int32_t TopoTest(Call& c, Handle comm, Ptr status) {
  CommEntry* cm = c.Comm(comm);
  int32_t* out = cm ? c.Ref<int32_t>(status, "status") : nullptr;
  if (!out) return c.error();
  int kind;
  if (int32_t rc = c.Host(c.mpi().Topo_test(cm->host, &kind))) return rc;
  switch (kind) {
    case MPI_CART:
      *out = abi::kCart;
      break;
    case MPI_GRAPH:
      *out = abi::kGraph;
      break;
    case MPI_DIST_GRAPH:
      *out = abi::kDistGraph;
      break;
    default:
      *out = abi::kUndefined;
      break;
  }
  return abi::kSuccess;
}

}  // namespace

void AddTopologies(Bridge& b, std::vector<engine::HostFunc>& out) {
  out.push_back(Bind(b, "MPI_Cart_create", CartCreate));
  out.push_back(Bind(b, "MPI_Dims_create", DimsCreate));
  out.push_back(Bind(b, "MPI_Cart_get", CartGet));
  out.push_back(Bind(b, "MPI_Cartdim_get", CartdimGet));
  out.push_back(Bind(b, "MPI_Cart_rank", CartRank));
  out.push_back(Bind(b, "MPI_Cart_coords", CartCoords));
  out.push_back(Bind(b, "MPI_Cart_shift", CartShift));
  out.push_back(Bind(b, "MPI_Cart_sub", CartSub));
  out.push_back(Bind(b, "MPI_Cart_map", CartMap));
  out.push_back(Bind(b, "MPI_Graph_create", GraphCreate));
  out.push_back(Bind(b, "MPI_Graphdims_get", GraphdimsGet));
  out.push_back(Bind(b, "MPI_Graph_get", GraphGet));
  out.push_back(Bind(b, "MPI_Graph_neighbors_count", GraphNeighborsCount));
  out.push_back(Bind(b, "MPI_Graph_neighbors", GraphNeighbors));
  out.push_back(Bind(b, "MPI_Graph_map", GraphMap));
  out.push_back(Bind(b, "MPI_Dist_graph_create", DistGraphCreate));
  out.push_back(
      Bind(b, "MPI_Dist_graph_create_adjacent", DistGraphCreateAdjacent));
  out.push_back(
      Bind(b, "MPI_Dist_graph_neighbors_count", DistGraphNeighborsCount));
  out.push_back(Bind(b, "MPI_Dist_graph_neighbors", DistGraphNeighbors));
  out.push_back(Bind(b, "MPI_Topo_test", TopoTest));
  AddNeighborCollectives(b, out);
}

}  // namespace wasmhpc::mpi
