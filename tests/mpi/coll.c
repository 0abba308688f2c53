// Collectives correctness: every blocking and nonblocking collective, the
// MPI_IN_PLACE forms, predefined ops on many types, MINLOC/MAXLOC on pair
// types, and collectives on split and inter-communicators. Prints
// deterministic lines that must match between native and Wasm.
#include <inttypes.h>
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpi_check.h"

static int rank, size;

static void show(const char* what, int nb, const int* v, int n) {
  char line[2048];
  int len =
      snprintf(line, sizeof line, "rank %d %s%s:", rank, nb ? "I" : "", what);
  for (int i = 0; i < n && len < (int)sizeof line - 16; ++i) {
    len += snprintf(line + len, sizeof line - len, " %d", v[i]);
  }
  puts(line);
}

static void fill(int* v, int n, int value) {
  for (int i = 0; i < n; ++i) v[i] = value;
}

static void barrier_bcast(int nb) {
  BOTH(nb, MPI_Barrier(MPI_COMM_WORLD), MPI_Ibarrier(MPI_COMM_WORLD, &req_));
  int root = size - 1;
  int v[3] = {0, 0, 0};
  if (rank == root) v[0] = 7, v[1] = 8, v[2] = 9 + root;
  BOTH(nb, MPI_Bcast(v, 3, MPI_INT, root, MPI_COMM_WORLD),
       MPI_Ibcast(v, 3, MPI_INT, root, MPI_COMM_WORLD, &req_));
  show("bcast", nb, v, 3);
  double d[2] = {rank == 0 ? 1.5 : 0, rank == 0 ? -2.25 : 0};
  BOTH(nb, MPI_Bcast(d, 2, MPI_DOUBLE, 0, MPI_COMM_WORLD),
       MPI_Ibcast(d, 2, MPI_DOUBLE, 0, MPI_COMM_WORLD, &req_));
  printf("rank %d %sbcast double: %.3f %.3f\n", rank, nb ? "I" : "", d[0],
         d[1]);
}

static void gather_scatter(int nb) {
  int root = nb ? size / 2 : 0;
  int send[2] = {rank * 10, rank * 10 + 1}, all[2 * 8];
  fill(all, 2 * size, -1);
  BOTH(nb, MPI_Gather(send, 2, MPI_INT, all, 2, MPI_INT, root, MPI_COMM_WORLD),
       MPI_Igather(send, 2, MPI_INT, all, 2, MPI_INT, root, MPI_COMM_WORLD,
                   &req_));
  if (rank == root) show("gather", nb, all, 2 * size);
  // In place: the root's block is already in recvbuf.
  fill(all, 2 * size, -1);
  if (rank == root) all[2 * root] = 500, all[2 * root + 1] = 501;
  BOTH(nb,
       MPI_Gather(rank == root ? MPI_IN_PLACE : send, 2, MPI_INT, all, 2,
                  MPI_INT, root, MPI_COMM_WORLD),
       MPI_Igather(rank == root ? MPI_IN_PLACE : send, 2, MPI_INT, all, 2,
                   MPI_INT, root, MPI_COMM_WORLD, &req_));
  if (rank == root) show("gather in place", nb, all, 2 * size);

  int src[2 * 8], mine[2] = {-1, -1};
  for (int i = 0; i < 2 * size; ++i) src[i] = 1000 + i;
  BOTH(nb, MPI_Scatter(src, 2, MPI_INT, mine, 2, MPI_INT, root, MPI_COMM_WORLD),
       MPI_Iscatter(src, 2, MPI_INT, mine, 2, MPI_INT, root, MPI_COMM_WORLD,
                    &req_));
  show("scatter", nb, mine, 2);
  mine[0] = mine[1] = -1;
  BOTH(nb,
       MPI_Scatter(src, 2, MPI_INT, rank == root ? MPI_IN_PLACE : mine, 2,
                   MPI_INT, root, MPI_COMM_WORLD),
       MPI_Iscatter(src, 2, MPI_INT, rank == root ? MPI_IN_PLACE : mine, 2,
                    MPI_INT, root, MPI_COMM_WORLD, &req_));
  show("scatter in place", nb, mine, 2);
}

static void gatherv_scatterv(int nb) {
  int root = nb ? size - 1 : 0;
  int counts[8], displs[8], total = 0;
  for (int i = 0; i < size; ++i) {
    counts[i] = i + 1;
    displs[i] = total + i;  // a one-element gap before each block
    total += i + 1;
  }
  int n = total + size, send[8], all[64];
  for (int k = 0; k <= rank; ++k) send[k] = 100 * rank + k;
  fill(all, n, -1);
  BOTH(nb,
       MPI_Gatherv(send, rank + 1, MPI_INT, all, counts, displs, MPI_INT, root,
                   MPI_COMM_WORLD),
       MPI_Igatherv(send, rank + 1, MPI_INT, all, counts, displs, MPI_INT, root,
                    MPI_COMM_WORLD, &req_));
  if (rank == root) show("gatherv", nb, all, n);

  for (int i = 0; i < n; ++i) all[i] = 2000 + i;
  int mine[8];
  fill(mine, 8, -1);
  BOTH(nb,
       MPI_Scatterv(all, counts, displs, MPI_INT, mine, rank + 1, MPI_INT, root,
                    MPI_COMM_WORLD),
       MPI_Iscatterv(all, counts, displs, MPI_INT, mine, rank + 1, MPI_INT,
                     root, MPI_COMM_WORLD, &req_));
  show("scatterv", nb, mine, rank + 1);
}

static void allgathers(int nb) {
  int send[2] = {rank, rank * rank}, all[16];
  BOTH(
      nb, MPI_Allgather(send, 2, MPI_INT, all, 2, MPI_INT, MPI_COMM_WORLD),
      MPI_Iallgather(send, 2, MPI_INT, all, 2, MPI_INT, MPI_COMM_WORLD, &req_));
  show("allgather", nb, all, 2 * size);
  fill(all, 2 * size, -1);
  all[2 * rank] = -rank, all[2 * rank + 1] = 3;
  BOTH(nb,
       MPI_Allgather(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, all, 2, MPI_INT,
                     MPI_COMM_WORLD),
       MPI_Iallgather(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, all, 2, MPI_INT,
                      MPI_COMM_WORLD, &req_));
  show("allgather in place", nb, all, 2 * size);

  int counts[8], displs[8], total = 0, vsend[8], vall[64];
  for (int i = 0; i < size; ++i) {
    counts[i] = size - i;
    displs[i] = total;
    total += size - i;
  }
  for (int k = 0; k < size - rank; ++k) vsend[k] = 10 * rank + k;
  BOTH(nb,
       MPI_Allgatherv(vsend, size - rank, MPI_INT, vall, counts, displs,
                      MPI_INT, MPI_COMM_WORLD),
       MPI_Iallgatherv(vsend, size - rank, MPI_INT, vall, counts, displs,
                       MPI_INT, MPI_COMM_WORLD, &req_));
  show("allgatherv", nb, vall, total);
  fill(vall, total, -1);
  for (int k = 0; k < size - rank; ++k) vall[displs[rank] + k] = -k;
  BOTH(nb,
       MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, vall, counts, displs,
                      MPI_INT, MPI_COMM_WORLD),
       MPI_Iallgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, vall, counts, displs,
                       MPI_INT, MPI_COMM_WORLD, &req_));
  show("allgatherv in place", nb, vall, total);
}

static void alltoalls(int nb) {
  int send[8], recv[8];
  for (int j = 0; j < size; ++j) send[j] = rank * 100 + j;
  BOTH(
      nb, MPI_Alltoall(send, 1, MPI_INT, recv, 1, MPI_INT, MPI_COMM_WORLD),
      MPI_Ialltoall(send, 1, MPI_INT, recv, 1, MPI_INT, MPI_COMM_WORLD, &req_));
  show("alltoall", nb, recv, size);
  for (int j = 0; j < size; ++j) recv[j] = rank * 1000 + j;
  BOTH(nb,
       MPI_Alltoall(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, recv, 1, MPI_INT,
                    MPI_COMM_WORLD),
       MPI_Ialltoall(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, recv, 1, MPI_INT,
                     MPI_COMM_WORLD, &req_));
  show("alltoall in place", nb, recv, size);

  // Rank r sends j + 1 ints to rank j and receives r + 1 from each.
  int scounts[8], sdispls[8], rcounts[8], rdispls[8], vs[64], vr[64];
  int st = 0, rt = 0;
  for (int j = 0; j < size; ++j) {
    scounts[j] = j + 1, sdispls[j] = st, st += j + 1;
    rcounts[j] = rank + 1, rdispls[j] = rt, rt += rank + 1;
  }
  for (int k = 0; k < st; ++k) vs[k] = rank * 100 + k;
  BOTH(nb,
       MPI_Alltoallv(vs, scounts, sdispls, MPI_INT, vr, rcounts, rdispls,
                     MPI_INT, MPI_COMM_WORLD),
       MPI_Ialltoallv(vs, scounts, sdispls, MPI_INT, vr, rcounts, rdispls,
                      MPI_INT, MPI_COMM_WORLD, &req_));
  show("alltoallv", nb, vr, rt);

  // -w: an int to even ranks, a double to odd ones, 8 bytes apart.
  union {
    int i;
    double d;
  } ws[8], wr[8];
  int wcounts[8], wdispls[8];
  MPI_Datatype stypes[8], rtypes[8];
  for (int j = 0; j < size; ++j) {
    wcounts[j] = 1;
    wdispls[j] = (int)(j * sizeof ws[0]);
    stypes[j] = j % 2 ? MPI_DOUBLE : MPI_INT;
    rtypes[j] = rank % 2 ? MPI_DOUBLE : MPI_INT;
    if (j % 2) {
      ws[j].d = rank + j / 4.0;
    } else {
      ws[j].i = rank * 10 + j;
    }
  }
  BOTH(nb,
       MPI_Alltoallw(ws, wcounts, wdispls, stypes, wr, wcounts, wdispls, rtypes,
                     MPI_COMM_WORLD),
       MPI_Ialltoallw(ws, wcounts, wdispls, stypes, wr, wcounts, wdispls,
                      rtypes, MPI_COMM_WORLD, &req_));
  for (int j = 0; j < size; ++j) {
    if (rank % 2) {
      printf("rank %d %salltoallw from %d: %.2f\n", rank, nb ? "I" : "", j,
             wr[j].d);
    } else {
      printf("rank %d %salltoallw from %d: %d\n", rank, nb ? "I" : "", j,
             wr[j].i);
    }
  }
}

static void reductions(int nb) {
  int v[3] = {rank + 1, 10 - rank, rank % 2}, r[3];
  fill(r, 3, -1);
  BOTH(nb, MPI_Reduce(v, r, 3, MPI_INT, MPI_SUM, 0, MPI_COMM_WORLD),
       MPI_Ireduce(v, r, 3, MPI_INT, MPI_SUM, 0, MPI_COMM_WORLD, &req_));
  if (rank == 0) show("reduce sum", nb, r, 3);
  int root = size - 1;
  memcpy(r, v, sizeof r);
  BOTH(nb,
       MPI_Reduce(rank == root ? MPI_IN_PLACE : v, r, 3, MPI_INT, MPI_MAX, root,
                  MPI_COMM_WORLD),
       MPI_Ireduce(rank == root ? MPI_IN_PLACE : v, r, 3, MPI_INT, MPI_MAX,
                   root, MPI_COMM_WORLD, &req_));
  if (rank == root) show("reduce max in place", nb, r, 3);

  const struct {
    const char* name;
    MPI_Op op;
  } ops[] = {{"sum", MPI_SUM},   {"prod", MPI_PROD}, {"min", MPI_MIN},
             {"max", MPI_MAX},   {"band", MPI_BAND}, {"bor", MPI_BOR},
             {"bxor", MPI_BXOR}, {"land", MPI_LAND}, {"lor", MPI_LOR},
             {"lxor", MPI_LXOR}};
  int iv[3] = {rank + 1, 1 << rank, rank % 3};
  for (size_t k = 0; k < sizeof ops / sizeof ops[0]; ++k) {
    BOTH(nb, MPI_Allreduce(iv, r, 3, MPI_INT, ops[k].op, MPI_COMM_WORLD),
         MPI_Iallreduce(iv, r, 3, MPI_INT, ops[k].op, MPI_COMM_WORLD, &req_));
    char what[32];
    snprintf(what, sizeof what, "allreduce %s", ops[k].name);
    show(what, nb, r, 3);
  }
  memcpy(r, iv, sizeof r);
  BOTH(nb, MPI_Allreduce(MPI_IN_PLACE, r, 3, MPI_INT, MPI_SUM, MPI_COMM_WORLD),
       MPI_Iallreduce(MPI_IN_PLACE, r, 3, MPI_INT, MPI_SUM, MPI_COMM_WORLD,
                      &req_));
  show("allreduce in place", nb, r, 3);
}

// Allreduce on one element of each of many predefined types.
static void typed_reductions(void) {
  short s = (short)(rank + 1), s_out;
  long l = 100000L * (rank + 1), l_out;
  long long ll = 1LL << (33 + rank), ll_out;
  unsigned u = 4000000000u / (unsigned)(rank + 1), u_out;
  unsigned long ul = 7ul + (unsigned long)rank, ul_out;
  int64_t i64 = -(INT64_C(1) << 40) * (rank + 1), i64_out;
  uint64_t u64 = UINT64_C(1) << (50 + rank), u64_out;
  float f = 0.5f * (float)(rank + 1), f_out;
  double d = 1.0 / (rank + 1), d_out;
  signed char c = (signed char)(rank - 2), c_out;
  double cx[2] = {1.0 + rank, -1.0}, cx_out[2];
  CHECK(MPI_Allreduce(&s, &s_out, 1, MPI_SHORT, MPI_SUM, MPI_COMM_WORLD));
  CHECK(MPI_Allreduce(&l, &l_out, 1, MPI_LONG, MPI_SUM, MPI_COMM_WORLD));
  CHECK(MPI_Allreduce(&ll, &ll_out, 1, MPI_LONG_LONG, MPI_SUM, MPI_COMM_WORLD));
  CHECK(MPI_Allreduce(&u, &u_out, 1, MPI_UNSIGNED, MPI_MIN, MPI_COMM_WORLD));
  CHECK(MPI_Allreduce(&ul, &ul_out, 1, MPI_UNSIGNED_LONG, MPI_PROD,
                      MPI_COMM_WORLD));
  CHECK(MPI_Allreduce(&i64, &i64_out, 1, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD));
  CHECK(
      MPI_Allreduce(&u64, &u64_out, 1, MPI_UINT64_T, MPI_BOR, MPI_COMM_WORLD));
  CHECK(MPI_Allreduce(&f, &f_out, 1, MPI_FLOAT, MPI_MAX, MPI_COMM_WORLD));
  CHECK(MPI_Allreduce(&d, &d_out, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD));
  CHECK(MPI_Allreduce(&c, &c_out, 1, MPI_SIGNED_CHAR, MPI_MIN, MPI_COMM_WORLD));
  CHECK(MPI_Allreduce(cx, cx_out, 1, MPI_C_DOUBLE_COMPLEX, MPI_PROD,
                      MPI_COMM_WORLD));
  printf("rank %d typed: short %d long %ld llong %lld unsigned %u ulong %lu\n",
         rank, s_out, l_out, ll_out, u_out, ul_out);
  printf("rank %d typed: int64 %" PRId64 " uint64 %" PRIu64
         " float %.3f double %.6f schar %d complex %.1f%+.1fi\n",
         rank, i64_out, u64_out, f_out, d_out, c_out, cx_out[0], cx_out[1]);
}

static void reduce_scatters(int nb) {
  int counts[8], total = 0, send[64], recv[64];
  for (int i = 0; i < size; ++i) counts[i] = i + 1, total += i + 1;
  for (int k = 0; k < total; ++k) send[k] = rank * k + 1;
  BOTH(nb,
       MPI_Reduce_scatter(send, recv, counts, MPI_INT, MPI_SUM, MPI_COMM_WORLD),
       MPI_Ireduce_scatter(send, recv, counts, MPI_INT, MPI_SUM, MPI_COMM_WORLD,
                           &req_));
  show("reduce_scatter", nb, recv, rank + 1);
  memcpy(recv, send, total * sizeof(int));
  BOTH(nb,
       MPI_Reduce_scatter(MPI_IN_PLACE, recv, counts, MPI_INT, MPI_MAX,
                          MPI_COMM_WORLD),
       MPI_Ireduce_scatter(MPI_IN_PLACE, recv, counts, MPI_INT, MPI_MAX,
                           MPI_COMM_WORLD, &req_));
  show("reduce_scatter in place", nb, recv, rank + 1);

  for (int k = 0; k < 2 * size; ++k) send[k] = rank + k;
  BOTH(
      nb,
      MPI_Reduce_scatter_block(send, recv, 2, MPI_INT, MPI_SUM, MPI_COMM_WORLD),
      MPI_Ireduce_scatter_block(send, recv, 2, MPI_INT, MPI_SUM, MPI_COMM_WORLD,
                                &req_));
  show("reduce_scatter_block", nb, recv, 2);
  memcpy(recv, send, 2 * size * sizeof(int));
  BOTH(nb,
       MPI_Reduce_scatter_block(MPI_IN_PLACE, recv, 2, MPI_INT, MPI_MIN,
                                MPI_COMM_WORLD),
       MPI_Ireduce_scatter_block(MPI_IN_PLACE, recv, 2, MPI_INT, MPI_MIN,
                                 MPI_COMM_WORLD, &req_));
  show("reduce_scatter_block in place", nb, recv, 2);
}

static void scans(int nb) {
  int v[2] = {rank + 1, 5 - rank}, r[2];
  BOTH(nb, MPI_Scan(v, r, 2, MPI_INT, MPI_SUM, MPI_COMM_WORLD),
       MPI_Iscan(v, r, 2, MPI_INT, MPI_SUM, MPI_COMM_WORLD, &req_));
  show("scan", nb, r, 2);
  memcpy(r, v, sizeof r);
  BOTH(nb, MPI_Scan(MPI_IN_PLACE, r, 2, MPI_INT, MPI_MAX, MPI_COMM_WORLD),
       MPI_Iscan(MPI_IN_PLACE, r, 2, MPI_INT, MPI_MAX, MPI_COMM_WORLD, &req_));
  show("scan in place", nb, r, 2);
  BOTH(nb, MPI_Exscan(v, r, 2, MPI_INT, MPI_SUM, MPI_COMM_WORLD),
       MPI_Iexscan(v, r, 2, MPI_INT, MPI_SUM, MPI_COMM_WORLD, &req_));
  if (rank > 0) show("exscan", nb, r, 2);  // undefined on rank 0
  memcpy(r, v, sizeof r);
  BOTH(nb, MPI_Exscan(MPI_IN_PLACE, r, 2, MPI_INT, MPI_PROD, MPI_COMM_WORLD),
       MPI_Iexscan(MPI_IN_PLACE, r, 2, MPI_INT, MPI_PROD, MPI_COMM_WORLD,
                   &req_));
  if (rank > 0) show("exscan in place", nb, r, 2);
}

static void reduce_local(void) {
  int in[3] = {1, 2, 3}, io[3] = {10, 20, 30};
  CHECK(MPI_Reduce_local(in, io, 3, MPI_INT, MPI_SUM));
  show("reduce_local sum", 0, io, 3);
  double din[2] = {1.5, -4}, dio[2] = {1, -5};
  CHECK(MPI_Reduce_local(din, dio, 2, MPI_DOUBLE, MPI_MAX));
  printf("rank %d reduce_local max: %.1f %.1f\n", rank, dio[0], dio[1]);
}

// MINLOC / MAXLOC on the pair types; values repeat so ties pick the
// lowest index.
static void locs(void) {
  struct {
    double v;
    int i;
  } di[2] = {{(rank * 7) % 3 + 0.5, rank}, {-rank * 1.5, rank}}, di_out[2];
  struct {
    int v, i;
  } ii[2] = {{(rank * 5) % 4, rank}, {rank / 2, rank}}, ii_out[2];
  struct {
    long v;
    int i;
  } li = {100L - (rank % 3), rank}, li_out;
  struct {
    float v;
    int i;
  } fi = {(float)(rank % 2), rank}, fi_out;
  struct {
    short v;
    int i;
  } si = {(short)(rank * 3 % 5), rank}, si_out;
  CHECK(
      MPI_Allreduce(di, di_out, 2, MPI_DOUBLE_INT, MPI_MINLOC, MPI_COMM_WORLD));
  printf("rank %d minloc double_int: (%.2f,%d) (%.2f,%d)\n", rank, di_out[0].v,
         di_out[0].i, di_out[1].v, di_out[1].i);
  CHECK(
      MPI_Allreduce(di, di_out, 2, MPI_DOUBLE_INT, MPI_MAXLOC, MPI_COMM_WORLD));
  printf("rank %d maxloc double_int: (%.2f,%d) (%.2f,%d)\n", rank, di_out[0].v,
         di_out[0].i, di_out[1].v, di_out[1].i);
  CHECK(MPI_Allreduce(ii, ii_out, 2, MPI_2INT, MPI_MAXLOC, MPI_COMM_WORLD));
  printf("rank %d maxloc 2int: (%d,%d) (%d,%d)\n", rank, ii_out[0].v,
         ii_out[0].i, ii_out[1].v, ii_out[1].i);
  CHECK(MPI_Reduce(ii, ii_out, 2, MPI_2INT, MPI_MINLOC, size - 1,
                   MPI_COMM_WORLD));
  if (rank == size - 1) {
    printf("rank %d reduce minloc 2int: (%d,%d) (%d,%d)\n", rank, ii_out[0].v,
           ii_out[0].i, ii_out[1].v, ii_out[1].i);
  }
  CHECK(
      MPI_Allreduce(&li, &li_out, 1, MPI_LONG_INT, MPI_MINLOC, MPI_COMM_WORLD));
  printf("rank %d minloc long_int: (%ld,%d)\n", rank, li_out.v, li_out.i);
  CHECK(
      MPI_Allreduce(&li, &li_out, 1, MPI_LONG_INT, MPI_MAXLOC, MPI_COMM_WORLD));
  printf("rank %d maxloc long_int: (%ld,%d)\n", rank, li_out.v, li_out.i);
  CHECK(MPI_Allreduce(&fi, &fi_out, 1, MPI_FLOAT_INT, MPI_MAXLOC,
                      MPI_COMM_WORLD));
  printf("rank %d maxloc float_int: (%.1f,%d)\n", rank, fi_out.v, fi_out.i);
  CHECK(MPI_Allreduce(&si, &si_out, 1, MPI_SHORT_INT, MPI_MINLOC,
                      MPI_COMM_WORLD));
  printf("rank %d minloc short_int: (%d,%d)\n", rank, si_out.v, si_out.i);
  CHECK(MPI_Scan(ii, ii_out, 1, MPI_2INT, MPI_MAXLOC, MPI_COMM_WORLD));
  printf("rank %d scan maxloc 2int: (%d,%d)\n", rank, ii_out[0].v, ii_out[0].i);
}

// Several nonblocking collectives in flight, completed by one Waitall.
static void overlapped(void) {
  int a = rank, b[8], c = rank * 2, d;
  MPI_Request reqs[3];
  CHECK(MPI_Iallreduce(&a, &d, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD, &reqs[0]));
  CHECK(
      MPI_Iallgather(&c, 1, MPI_INT, b, 1, MPI_INT, MPI_COMM_WORLD, &reqs[1]));
  CHECK(MPI_Ibarrier(MPI_COMM_WORLD, &reqs[2]));
  CHECK(MPI_Waitall(3, reqs, MPI_STATUSES_IGNORE));
  printf("rank %d overlapped: sum %d nulls %d%d%d\n", rank, d,
         reqs[0] == MPI_REQUEST_NULL, reqs[1] == MPI_REQUEST_NULL,
         reqs[2] == MPI_REQUEST_NULL);
  show("overlapped allgather", 0, b, size);
}

// Even and odd ranks apart.
static void split(void) {
  MPI_Comm half;
  CHECK(MPI_Comm_split(MPI_COMM_WORLD, rank % 2, -rank, &half));
  int hrank, hsize, sum, all[8], x = rank;
  CHECK(MPI_Comm_rank(half, &hrank));
  CHECK(MPI_Comm_size(half, &hsize));
  CHECK(MPI_Allreduce(&x, &sum, 1, MPI_INT, MPI_SUM, half));
  CHECK(MPI_Allgather(&x, 1, MPI_INT, all, 1, MPI_INT, half));
  printf("rank %d split: half rank %d/%d sum %d\n", rank, hrank, hsize, sum);
  show("split allgather", 0, all, hsize);
  CHECK(MPI_Comm_free(&half));
}

// Two groups (even, odd) joined by an intercommunicator.
static void inter(void) {
  if (size < 2) return;
  MPI_Comm local, ic;
  int color = rank % 2;
  CHECK(MPI_Comm_split(MPI_COMM_WORLD, color, rank, &local));
  CHECK(MPI_Intercomm_create(local, 0, MPI_COMM_WORLD, 1 - color, 77, &ic));
  int lrank, remote;
  CHECK(MPI_Comm_rank(ic, &lrank));
  CHECK(MPI_Comm_remote_size(ic, &remote));
  // Even group's rank 0 broadcasts to the odd group.
  int v[2] = {-1, -1};
  int root = color == 0 ? (lrank == 0 ? MPI_ROOT : MPI_PROC_NULL) : 0;
  if (root == MPI_ROOT) v[0] = 42, v[1] = 43;
  CHECK(MPI_Bcast(v, 2, MPI_INT, root, ic));
  if (color == 1) show("inter bcast", 0, v, 2);
  // Allreduce: each group gets the other group's sum.
  int x = rank + 1, sum = -1;
  CHECK(MPI_Allreduce(&x, &sum, 1, MPI_INT, MPI_SUM, ic));
  printf("rank %d inter allreduce: %d\n", rank, sum);
  // The odd group's rank 0 gathers one int from every even rank.
  int all[8];
  fill(all, 8, -1);
  root = color == 1 ? (lrank == 0 ? MPI_ROOT : MPI_PROC_NULL) : 0;
  CHECK(MPI_Gather(&x, 1, MPI_INT, all, 1, MPI_INT, root, ic));
  if (root == MPI_ROOT) show("inter gather", 0, all, remote);
  CHECK(MPI_Allgather(&x, 1, MPI_INT, all, 1, MPI_INT, ic));
  show("inter allgather", 0, all, remote);
  CHECK(MPI_Comm_free(&ic));
  CHECK(MPI_Comm_free(&local));
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  for (int nb = 0; nb < 2; ++nb) {
    barrier_bcast(nb);
    gather_scatter(nb);
    gatherv_scatterv(nb);
    allgathers(nb);
    alltoalls(nb);
    reductions(nb);
    reduce_scatters(nb);
    scans(nb);
  }
  typed_reductions();
  reduce_local();
  locs();
  overlapped();
  split();
  inter();
  MPI_Finalize();
  return 0;
}
