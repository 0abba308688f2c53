/* Process topologies and neighbor collectives: every function, with
 * deterministic output for any number of ranks. Built natively and to Wasm;
 * outputs must match. Sentinels and topology kinds are printed by name,
 * since their values differ between the host's mpi.h and the standard ABI. */
#include <mpi.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXN 64

static int rank, size;

#include "rank_output.h"

static const char* KindName(int kind) {
  switch (kind) {
    case MPI_CART:
      return "CART";
    case MPI_GRAPH:
      return "GRAPH";
    case MPI_DIST_GRAPH:
      return "DIST_GRAPH";
    case MPI_UNDEFINED:
      return "UNDEFINED";
    default:
      return "?";
  }
}

/* "rank R: label: v0 v1 ..." */
static void Ints(const char* label, const int* v, int n) {
  char line[1024];
  int len = snprintf(line, sizeof line, "rank %d: %s:", rank, label);
  for (int i = 0; i < n && len < (int)sizeof line; ++i) {
    len += snprintf(line + len, sizeof line - len, " %d", v[i]);
  }
  Out("%s\n", line);
}

static void Fill(int* v, int n, int value) {
  for (int i = 0; i < n; ++i) v[i] = value;
}

static void Topo(const char* label, MPI_Comm comm) {
  int kind;
  MPI_Topo_test(comm, &kind);
  Out("rank %d: %s topo %s\n", rank, label, KindName(kind));
}

static void ErrorClass(const char* what, int rc, int expected) {
  int cls = MPI_SUCCESS;
  if (rc != MPI_SUCCESS) MPI_Error_class(rc, &cls);
  Out("rank %d: %s: %s\n", rank, what,
      cls == expected ? "expected error class" : "WRONG error class");
}

/* Every neighbor collective on `comm` with `in` sources, `out` dests. */
static void Neighbors(const char* label, MPI_Comm comm, int in, int out) {
  int send[MAXN], recv[2 * MAXN], counts[MAXN], sd[MAXN], rd[MAXN];
  MPI_Aint sdw[MAXN], rdw[MAXN];
  MPI_Datatype types[MAXN];
  MPI_Request req[5];
  char name[128];
  for (int i = 0; i < out; ++i) send[i] = 100 * rank + i;
  for (int i = 0; i < MAXN; ++i) {
    counts[i] = 1;
    types[i] = MPI_INT;
  }

  Fill(recv, 2 * in, -1);
  MPI_Neighbor_allgather(send, 1, MPI_INT, recv, 1, MPI_INT, comm);
  snprintf(name, sizeof name, "%s allgather", label);
  Ints(name, recv, in);

  Fill(recv, 2 * in, -1);
  MPI_Neighbor_alltoall(send, 1, MPI_INT, recv, 1, MPI_INT, comm);
  snprintf(name, sizeof name, "%s alltoall", label);
  Ints(name, recv, in);

  for (int i = 0; i < in; ++i) rd[i] = 2 * (in - 1 - i); /* reversed, gaps */
  Fill(recv, 2 * in, -1);
  MPI_Neighbor_allgatherv(send, 1, MPI_INT, recv, counts, rd, MPI_INT, comm);
  snprintf(name, sizeof name, "%s allgatherv", label);
  Ints(name, recv, 2 * in);

  for (int i = 0; i < out; ++i) sd[i] = out - 1 - i;
  for (int i = 0; i < in; ++i) rd[i] = 2 * i + 1;
  Fill(recv, 2 * in, -1);
  MPI_Neighbor_alltoallv(send, counts, sd, MPI_INT, recv, counts, rd, MPI_INT,
                         comm);
  snprintf(name, sizeof name, "%s alltoallv", label);
  Ints(name, recv, 2 * in);

  for (int i = 0; i < out; ++i) sdw[i] = (MPI_Aint)(sizeof(int) * i);
  for (int i = 0; i < in; ++i) rdw[i] = (MPI_Aint)(sizeof(int) * (in - 1 - i));
  Fill(recv, 2 * in, -1);
  MPI_Neighbor_alltoallw(send, counts, sdw, types, recv, counts, rdw, types,
                         comm);
  snprintf(name, sizeof name, "%s alltoallw", label);
  Ints(name, recv, in);

  /* The nonblocking forms, all in flight at once, into separate buffers. */
  int r[5][2 * MAXN];
  for (int k = 0; k < 5; ++k) Fill(r[k], 2 * in, -1);
  for (int i = 0; i < in; ++i) rd[i] = i;
  MPI_Ineighbor_allgather(send, 1, MPI_INT, r[0], 1, MPI_INT, comm, &req[0]);
  MPI_Ineighbor_allgatherv(send, 1, MPI_INT, r[1], counts, rd, MPI_INT, comm,
                           &req[1]);
  MPI_Ineighbor_alltoall(send, 1, MPI_INT, r[2], 1, MPI_INT, comm, &req[2]);
  MPI_Ineighbor_alltoallv(send, counts, sd, MPI_INT, r[3], counts, rd, MPI_INT,
                          comm, &req[3]);
  MPI_Ineighbor_alltoallw(send, counts, sdw, types, r[4], counts, rdw, types,
                          comm, &req[4]);
  MPI_Wait(&req[0], MPI_STATUS_IGNORE);
  MPI_Waitall(4, req + 1, MPI_STATUSES_IGNORE);
  const char* names[5] = {"iallgather", "iallgatherv", "ialltoall",
                          "ialltoallv", "ialltoallw"};
  for (int k = 0; k < 5; ++k) {
    snprintf(name, sizeof name, "%s %s", label, names[k]);
    Ints(name, r[k], in);
  }
}

static void Cart(const int dims[2], int periodic) {
  const char* label = periodic ? "periodic" : "bounded";
  int periods[2] = {periodic, periodic}, d[2], p[2], coords[2], other[2];
  char name[128], b1[16], b2[16];
  MPI_Comm cart, row, col;
  MPI_Cart_create(MPI_COMM_WORLD, 2, dims, periods, 0, &cart);
  Topo(label, cart);
  int ndims, me;
  MPI_Cartdim_get(cart, &ndims);
  MPI_Cart_get(cart, 2, d, p, coords);
  MPI_Cart_rank(cart, coords, &me);
  MPI_Cart_coords(cart, (rank + 1) % size, 2, other);
  Out("rank %d: %s ndims %d dims %d %d periods %d %d coords %d %d rank %d "
      "next at %d %d\n",
      rank, label, ndims, d[0], d[1], p[0], p[1], coords[0], coords[1], me,
      other[0], other[1]);
  for (int dim = 0; dim < 2; ++dim) {
    for (int disp = -2; disp <= 2; ++disp) {
      int src, dst;
      MPI_Cart_shift(cart, dim, disp, &src, &dst);
      Out("rank %d: %s shift dim %d disp %d: %s -> %s\n", rank, label, dim,
          disp, RankName(src, b1), RankName(dst, b2));
    }
  }
  Neighbors(label, cart, 4, 4);

  int rows[2] = {0, 1}, cols[2] = {1, 0};
  MPI_Cart_sub(cart, rows, &row);
  MPI_Cart_sub(cart, cols, &col);
  int rsize, rrank, cdims, cperiod, ccoord;
  MPI_Comm_size(row, &rsize);
  MPI_Comm_rank(row, &rrank);
  MPI_Cart_get(col, 1, &cdims, &cperiod, &ccoord);
  Out("rank %d: %s row size %d rank %d; column dims %d period %d coord %d\n",
      rank, label, rsize, rrank, cdims, cperiod, ccoord);
  snprintf(name, sizeof name, "%s row", label);
  Neighbors(name, row, 2, 2);
  MPI_Comm_free(&col);
  MPI_Comm_free(&row);
  MPI_Comm_free(&cart);
}

static void Graph(void) {
  int index[MAXN], edges[2 * MAXN], gi[MAXN], ge[2 * MAXN], nb[2 * MAXN];
  char b1[16];
  for (int i = 0; i < size; ++i) {
    index[i] = 2 * (i + 1);
    edges[2 * i] = (i + size - 1) % size;
    edges[2 * i + 1] = (i + 1) % size;
  }
  MPI_Comm graph;
  MPI_Graph_create(MPI_COMM_WORLD, size, index, edges, 0, &graph);
  Topo("ring", graph);
  int nnodes, nedges, count, next_count;
  MPI_Graphdims_get(graph, &nnodes, &nedges);
  MPI_Graph_get(graph, size, 2 * size, gi, ge);
  MPI_Graph_neighbors_count(graph, rank, &count);
  MPI_Graph_neighbors(graph, rank, count, nb);
  MPI_Graph_neighbors_count(graph, (rank + 1) % size, &next_count);
  Out("rank %d: ring nodes %d edges %d neighbors %d next has %d\n", rank,
      nnodes, nedges, count, next_count);
  Ints("ring index", gi, size);
  Ints("ring edges", ge, 2 * size);
  Ints("ring neighbors", nb, count);
  int newrank, one_index = 0, unused_edge = 0;
  MPI_Graph_map(MPI_COMM_WORLD, size, index, edges, &newrank);
  Out("rank %d: graph map %s\n", rank, RankName(newrank, b1));
  MPI_Graph_map(MPI_COMM_WORLD, 1, &one_index, &unused_edge, &newrank);
  Out("rank %d: graph map of 1 node %s\n", rank, RankName(newrank, b1));
  Neighbors("ring", graph, 2, 2);
  ErrorClass("cart_shift on a graph",
             MPI_Cart_shift(graph, 0, 1, &count, &next_count),
             MPI_ERR_TOPOLOGY);
  MPI_Comm_free(&graph);
}

/* Sorts (node, weight) pairs by node then weight, for printing. */
static void SortPairs(int* node, int* weight, int n) {
  for (int i = 1; i < n; ++i) {
    for (int j = i; j > 0; --j) {
      int a = node[j - 1], b = node[j];
      int wa = weight ? weight[j - 1] : 0, wb = weight ? weight[j] : 0;
      if (a < b || (a == b && wa <= wb)) break;
      node[j - 1] = b;
      node[j] = a;
      if (weight) {
        weight[j - 1] = wb;
        weight[j] = wa;
      }
    }
  }
}

static void DistNeighbors(const char* label, MPI_Comm comm) {
  int in, out, weighted, src[MAXN], sw[MAXN], dst[MAXN], dw[MAXN];
  char name[128];
  MPI_Dist_graph_neighbors_count(comm, &in, &out, &weighted);
  Out("rank %d: %s in %d out %d weighted %d\n", rank, label, in, out, weighted);
  MPI_Dist_graph_neighbors(comm, in, src, weighted ? sw : MPI_UNWEIGHTED, out,
                           dst, weighted ? dw : MPI_UNWEIGHTED);
  SortPairs(src, weighted ? sw : NULL, in);
  SortPairs(dst, weighted ? dw : NULL, out);
  snprintf(name, sizeof name, "%s sources", label);
  Ints(name, src, in);
  snprintf(name, sizeof name, "%s destinations", label);
  Ints(name, dst, out);
  if (weighted) {
    snprintf(name, sizeof name, "%s source weights", label);
    Ints(name, sw, in);
    snprintf(name, sizeof name, "%s destination weights", label);
    Ints(name, dw, out);
  }
}

static void DistGraph(void) {
  /* Adjacent: r receives from r-1 and r-2, sends to r+1 and r+2. */
  int src[2] = {(rank + size - 1) % size, (rank + 2 * size - 2) % size};
  int dst[2] = {(rank + 1) % size, (rank + 2) % size};
  int sw[2] = {rank + 1, rank + 2}, dw[2] = {10 * rank + 1, 10 * rank + 2};
  MPI_Comm weighted, unweighted, empty, general, general_unweighted;
  MPI_Dist_graph_create_adjacent(MPI_COMM_WORLD, 2, src, sw, 2, dst, dw,
                                 MPI_INFO_NULL, 0, &weighted);
  Topo("adjacent", weighted);
  DistNeighbors("adjacent", weighted);
  Neighbors("adjacent", weighted, 2, 2);
  MPI_Dist_graph_create_adjacent(MPI_COMM_WORLD, 2, src, MPI_UNWEIGHTED, 2, dst,
                                 MPI_UNWEIGHTED, MPI_INFO_NULL, 0, &unweighted);
  DistNeighbors("adjacent unweighted", unweighted);
  MPI_Dist_graph_create_adjacent(MPI_COMM_WORLD, 0, src, MPI_WEIGHTS_EMPTY, 0,
                                 dst, MPI_WEIGHTS_EMPTY, MPI_INFO_NULL, 0,
                                 &empty);
  DistNeighbors("adjacent empty", empty);
  Neighbors("adjacent empty", empty, 0, 0);

  /* General: even ranks declare r -> r+1 and r -> r+3; odd ranks none (an
   * empty weights array: Open MPI 4.1's treematch hangs a later
   * MPI_Dist_graph_create if some ranks pass MPI_WEIGHTS_EMPTY here). */
  int node = rank, degree = 2,
      targets[2] = {(rank + 1) % size, (rank + 3) % size};
  int weights[2] = {rank, rank + 1};
  int n = rank % 2 == 0 ? 1 : 0;
  MPI_Dist_graph_create(MPI_COMM_WORLD, n, &node, &degree, targets, weights,
                        MPI_INFO_NULL, 0, &general);
  Topo("general", general);
  DistNeighbors("general", general);
  int one = 1;
  MPI_Dist_graph_create(MPI_COMM_WORLD, 1, &node, &one, targets, MPI_UNWEIGHTED,
                        MPI_INFO_NULL, 0, &general_unweighted);
  DistNeighbors("general unweighted", general_unweighted);
  Neighbors("general unweighted", general_unweighted, 1, 1);

  MPI_Comm_free(&general_unweighted);
  MPI_Comm_free(&general);
  MPI_Comm_free(&empty);
  MPI_Comm_free(&unweighted);
  MPI_Comm_free(&weighted);
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  char b1[16];

  int dims[2] = {0, 0}, dims3[3] = {0, 1, 0};
  MPI_Dims_create(size, 2, dims);
  MPI_Dims_create(size, 3, dims3);
  Ints("dims", dims, 2);
  Ints("dims3", dims3, 3);
  if (size % 2 != 0) {
    int fixed[2] = {0, 2};
    ErrorClass("dims_create of odd size with 2",
               MPI_Dims_create(size, 2, fixed), MPI_ERR_DIMS);
  }

  Topo("world", MPI_COMM_WORLD);
  Cart(dims, 1);
  Cart(dims, 0);

  int periods[2] = {1, 0}, newrank, one = 1, no = 0;
  MPI_Cart_map(MPI_COMM_WORLD, 2, dims, periods, &newrank);
  Out("rank %d: cart map %s\n", rank, RankName(newrank, b1));
  MPI_Cart_map(MPI_COMM_WORLD, 1, &one, &no, &newrank);
  Out("rank %d: cart map of 1 %s\n", rank, RankName(newrank, b1));
  MPI_Comm small;
  MPI_Cart_create(MPI_COMM_WORLD, 1, &one, &no, 0, &small);
  Out("rank %d: 1-node cart is MPI_COMM_NULL: %d\n", rank,
      small == MPI_COMM_NULL);
  if (small != MPI_COMM_NULL) MPI_Comm_free(&small);

  Graph();
  DistGraph();

  int src, dst, count;
  ErrorClass("cart_shift on world",
             MPI_Cart_shift(MPI_COMM_WORLD, 0, 1, &src, &dst),
             MPI_ERR_TOPOLOGY);
  ErrorClass("graph_neighbors_count on world",
             MPI_Graph_neighbors_count(MPI_COMM_WORLD, 0, &count),
             MPI_ERR_TOPOLOGY);
  PrintAll();
  MPI_Finalize();
  return 0;
}
