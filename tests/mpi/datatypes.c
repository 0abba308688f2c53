// Derived datatypes and packing: every constructor sent between ranks
// (to self with one rank) and used in collectives, layouts, decoding
// (envelope and contents), names, MPI_Type_match_size, pack/unpack round
// trips in native and external32 form, and address arithmetic. Prints
// deterministic lines that must match between native and Wasm: no raw
// addresses, no implementation-defined MPI_Pack_size values, and array
// constants printed by name (their values differ between ABIs).
#include <inttypes.h>
#include <mpi.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mpi_check.h"

static int rank, size;

static int right(void) { return (rank + 1) % size; }
static int left(void) { return (rank + size - 1) % size; }

// Output is collected per rank and printed by rank 0 at the end: mpirun
// forwards each rank's stdout in chunks that may split lines, so direct
// printing from several ranks can interleave mid-line.
static char output[1 << 16];
static size_t output_len;

static void say(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(output + output_len, sizeof output - output_len, fmt, ap);
  va_end(ap);
  if (n > 0 && (size_t)n < sizeof output - output_len) output_len += n;
}

static void print_all_ranks(void) {
  if (rank != 0) {
    CHECK(MPI_Send(output, (int)output_len, MPI_CHAR, 0, 99, MPI_COMM_WORLD));
    return;
  }
  fwrite(output, 1, output_len, stdout);
  for (int i = 1; i < size; ++i) {
    MPI_Status st;
    int n;
    CHECK(
        MPI_Recv(output, sizeof output, MPI_CHAR, i, 99, MPI_COMM_WORLD, &st));
    CHECK(MPI_Get_count(&st, MPI_CHAR, &n));
    fwrite(output, 1, n, stdout);
  }
}

// One output line, built piecewise.
typedef struct {
  char text[2048];
  size_t len;
} Line;

static void add(Line* l, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(l->text + l->len, sizeof l->text - l->len, fmt, ap);
  va_end(ap);
  if (n > 0) l->len += (size_t)n < sizeof l->text - l->len ? (size_t)n : 0;
}

static void emit(const Line* l) { say("%s\n", l->text); }

// Fixed-size members only: the same offsets on wasm32 and x86-64.
typedef struct {
  int32_t id;
  double value;
  char tag[3];
} Particle;

// long double is 16 bytes on both; only its arithmetic differs.
typedef struct {
  double d;
  long double ld;
} LongPair;

// ---- Printing helpers ----

static void layout(const char* name, MPI_Datatype t) {
  int s;
  MPI_Count sx, lbx, extx, tlbx, textx;
  MPI_Aint lb, ext, tlb, text;
  CHECK(MPI_Type_size(t, &s));
  CHECK(MPI_Type_size_x(t, &sx));
  CHECK(MPI_Type_get_extent(t, &lb, &ext));
  CHECK(MPI_Type_get_extent_x(t, &lbx, &extx));
  CHECK(MPI_Type_get_true_extent(t, &tlb, &text));
  CHECK(MPI_Type_get_true_extent_x(t, &tlbx, &textx));
  int agree =
      sx == s && lbx == lb && extx == ext && tlbx == tlb && textx == text;
  say("rank %d layout %s: size %d lb %lld extent %lld true_lb %lld "
      "true_extent %lld x_agree %d\n",
      rank, name, s, (long long)lb, (long long)ext, (long long)tlb,
      (long long)text, agree);
}

static const char* combiner(int c) {
  switch (c) {
    case MPI_COMBINER_NAMED:
      return "NAMED";
    case MPI_COMBINER_DUP:
      return "DUP";
    case MPI_COMBINER_CONTIGUOUS:
      return "CONTIGUOUS";
    case MPI_COMBINER_VECTOR:
      return "VECTOR";
    case MPI_COMBINER_HVECTOR:
      return "HVECTOR";
    case MPI_COMBINER_INDEXED:
      return "INDEXED";
    case MPI_COMBINER_HINDEXED:
      return "HINDEXED";
    case MPI_COMBINER_INDEXED_BLOCK:
      return "INDEXED_BLOCK";
    case MPI_COMBINER_HINDEXED_BLOCK:
      return "HINDEXED_BLOCK";
    case MPI_COMBINER_STRUCT:
      return "STRUCT";
    case MPI_COMBINER_SUBARRAY:
      return "SUBARRAY";
    case MPI_COMBINER_DARRAY:
      return "DARRAY";
    case MPI_COMBINER_RESIZED:
      return "RESIZED";
    case MPI_COMBINER_F90_INTEGER:
      return "F90_INTEGER";
    case MPI_COMBINER_F90_REAL:
      return "F90_REAL";
    case MPI_COMBINER_F90_COMPLEX:
      return "F90_COMPLEX";
  }
  return "?";
}

static const char* order_name(int v) {
  return v == MPI_ORDER_C ? "C" : v == MPI_ORDER_FORTRAN ? "FORTRAN" : "?";
}
static const char* distrib_name(int v) {
  return v == MPI_DISTRIBUTE_BLOCK    ? "BLOCK"
         : v == MPI_DISTRIBUTE_CYCLIC ? "CYCLIC"
         : v == MPI_DISTRIBUTE_NONE   ? "NONE"
                                      : "?";
}

// The integers of a decoded type, with array constants by name.
static void add_ints(Line* l, int comb, const int* ints, int n) {
  int nd = comb == MPI_COMBINER_DARRAY ? ints[2] : 0;
  for (int i = 0; i < n; ++i) {
    if ((comb == MPI_COMBINER_SUBARRAY || comb == MPI_COMBINER_DARRAY) &&
        i == n - 1) {
      add(l, " %s", order_name(ints[i]));
    } else if (comb == MPI_COMBINER_DARRAY && i >= 3 + nd && i < 3 + 2 * nd) {
      add(l, " %s", distrib_name(ints[i]));
    } else if (comb == MPI_COMBINER_DARRAY && i >= 3 + 2 * nd &&
               i < 3 + 3 * nd && ints[i] == MPI_DISTRIBUTE_DFLT_DARG) {
      add(l, " DFLT");
    } else {
      add(l, " %d", ints[i]);
    }
  }
}

// Envelope and contents, recursively; derived members are freed.
static void decode(const char* name, MPI_Datatype t, int depth) {
  int ni, na, nd, comb;
  CHECK(MPI_Type_get_envelope(t, &ni, &na, &nd, &comb));
  if (comb == MPI_COMBINER_NAMED) {
    char tn[MPI_MAX_OBJECT_NAME];
    int len;
    CHECK(MPI_Type_get_name(t, tn, &len));
    say("rank %d decode %s %*s%s\n", rank, name, 2 * depth, "", tn);
    return;
  }
  int ints[64];
  MPI_Aint aints[16];
  MPI_Datatype types[16];
  CHECK(MPI_Type_get_contents(t, ni, na, nd, ints, aints, types));
  Line l = {.len = 0};
  add(&l, "rank %d decode %s %*s%s ints(%d):", rank, name, 2 * depth, "",
      combiner(comb), ni);
  add_ints(&l, comb, ints, ni);
  add(&l, " addrs(%d):", na);
  for (int i = 0; i < na; ++i) add(&l, " %lld", (long long)aints[i]);
  add(&l, " types %d", nd);
  emit(&l);
  for (int i = 0; i < nd; ++i) {
    int mi, ma, md, mc;
    CHECK(MPI_Type_get_envelope(types[i], &mi, &ma, &md, &mc));
    decode(name, types[i], depth + 1);
    if (mc != MPI_COMBINER_NAMED) CHECK(MPI_Type_free(&types[i]));
  }
}

static void ints_line(const char* what, const int* v, int n) {
  Line l = {.len = 0};
  add(&l, "rank %d %s:", rank, what);
  for (int i = 0; i < n; ++i) add(&l, " %d", v[i]);
  emit(&l);
}

static void commit(MPI_Datatype* t) { CHECK(MPI_Type_commit(t)); }

// Collective use: `count` of `type` at buf + offset from the root to all;
// the whole buffer is printed (holes stay -1).
static void bcast_ints(const char* what, int* buf, int n, int offset, int count,
                       MPI_Datatype type) {
  for (int i = 0; i < n; ++i) buf[i] = rank == 0 ? 5000 + i : -1;
  CHECK(MPI_Bcast(buf + offset, count, type, 0, MPI_COMM_WORLD));
  ints_line(what, buf, n);
}

static void bcast_doubles(const char* what, double* buf, int n,
                          MPI_Datatype type) {
  for (int i = 0; i < n; ++i) buf[i] = rank == 0 ? 50 + i / 4.0 : -1;
  CHECK(MPI_Bcast(buf, 1, type, 0, MPI_COMM_WORLD));
  Line l = {.len = 0};
  add(&l, "rank %d %s:", rank, what);
  for (int i = 0; i < n; ++i) add(&l, " %.2f", buf[i]);
  emit(&l);
}

// Sends `count` of `type` from `out` to the right and receives `rcount` of
// `rtype` from the left into `in`.
static void exchange(const void* out, int count, MPI_Datatype type, void* in,
                     int rcount, MPI_Datatype rtype, int tag) {
  MPI_Status st;
  CHECK(MPI_Sendrecv(out, count, type, right(), tag, in, rcount, rtype, left(),
                     tag, MPI_COMM_WORLD, &st));
}

// ---- Constructors, each sent between ranks ----

static void contiguous_and_vector(void) {
  MPI_Datatype three, column;
  CHECK(MPI_Type_contiguous(3, MPI_INT, &three));
  commit(&three);
  int out[6], in[6];
  for (int i = 0; i < 6; ++i) out[i] = rank * 100 + i, in[i] = -1;
  exchange(out, 2, three, in, 2, three, 1);
  ints_line("contiguous", in, 6);
  layout("contiguous", three);

  // Column 2 of a 4x5 matrix, received as 4 plain ints.
  int m[4][5], col[4];
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 5; ++j) m[i][j] = rank * 100 + i * 10 + j;
  CHECK(MPI_Type_vector(4, 1, 5, MPI_INT, &column));
  commit(&column);
  exchange(&m[0][2], 1, column, col, 4, MPI_INT, 2);
  ints_line("vector", col, 4);
  layout("vector", column);

  // Collective: three ints to every rank (Open MPI's predefined reduction
  // operations refuse derived types, so no reduction here).
  int to_all[3 * 5], from_all[3 * 5];
  for (int i = 0; i < 3 * size; ++i) to_all[i] = rank * 100 + i;
  CHECK(MPI_Alltoall(to_all, 1, three, from_all, 1, three, MPI_COMM_WORLD));
  ints_line("alltoall contiguous", from_all, 3 * size);
  // Collective: gather one row per rank into column `rank` of a 4 x size
  // matrix through a vector resized to one int.
  MPI_Datatype strided, gathered;
  CHECK(MPI_Type_vector(4, 1, size, MPI_INT, &strided));
  CHECK(MPI_Type_create_resized(strided, 0, sizeof(int), &gathered));
  CHECK(MPI_Type_free(&strided));  // gathered keeps what it needs
  commit(&gathered);
  int row[4] = {rank, rank + 10, rank + 20, rank + 30}, g[4 * 5];
  CHECK(MPI_Allgather(row, 4, MPI_INT, g, 1, gathered, MPI_COMM_WORLD));
  for (int i = 0; i < 4; ++i)
    ints_line("allgather resized row", g + i * size, size);
  layout("resized vector", gathered);
  if (rank == 0) {
    decode("contiguous", three, 0);
    decode("vector", column, 0);
    decode("resized", gathered, 0);
  }
  CHECK(MPI_Type_free(&gathered));
  CHECK(MPI_Type_free(&three));
  CHECK(MPI_Type_free(&column));
}

static void hvector_and_indexed(void) {
  // Every third double: a byte stride.
  MPI_Datatype every3;
  CHECK(MPI_Type_create_hvector(3, 1, 3 * sizeof(double), MPI_DOUBLE, &every3));
  commit(&every3);
  double d[9], got[3];
  for (int i = 0; i < 9; ++i) d[i] = rank + i / 8.0;
  exchange(d, 1, every3, got, 3, MPI_DOUBLE, 3);
  say("rank %d hvector: %.3f %.3f %.3f\n", rank, got[0], got[1], got[2]);
  layout("hvector", every3);

  // Indexed blocks {2,1,3} at {0,3,7}, received into the same layout.
  MPI_Datatype idx;
  int lens[3] = {2, 1, 3}, displs[3] = {0, 3, 7};
  CHECK(MPI_Type_indexed(3, lens, displs, MPI_INT, &idx));
  commit(&idx);
  int a[10], b[10];
  for (int i = 0; i < 10; ++i) a[i] = rank * 100 + i, b[i] = -1;
  exchange(a, 1, idx, b, 1, idx, 4);
  ints_line("indexed", b, 10);
  layout("indexed", idx);

  // Hindexed with a negative displacement, from the middle of an array.
  MPI_Datatype hidx;
  int hlens[2] = {2, 1};
  MPI_Aint hdispls[2] = {-2 * (MPI_Aint)sizeof(int), 3 * sizeof(int)};
  CHECK(MPI_Type_create_hindexed(2, hlens, hdispls, MPI_INT, &hidx));
  commit(&hidx);
  for (int i = 0; i < 10; ++i) b[i] = -1;
  exchange(a + 4, 1, hidx, b + 4, 1, hidx, 5);
  ints_line("hindexed", b, 10);
  layout("hindexed", hidx);

  // Indexed block and hindexed block (unsorted byte displacements).
  MPI_Datatype iblock, hblock;
  int bdispls[2] = {1, 5};
  MPI_Aint hbdispls[3] = {0, 2 * sizeof(double), sizeof(double)};
  CHECK(MPI_Type_create_indexed_block(2, 2, bdispls, MPI_INT, &iblock));
  CHECK(MPI_Type_create_hindexed_block(3, 1, hbdispls, MPI_DOUBLE, &hblock));
  commit(&iblock);
  commit(&hblock);
  for (int i = 0; i < 10; ++i) b[i] = -1;
  exchange(a, 1, iblock, b, 1, iblock, 6);
  ints_line("indexed_block", b, 10);
  double hb[3] = {-1, -1, -1};
  exchange(d, 1, hblock, hb, 3, MPI_DOUBLE, 7);
  say("rank %d hindexed_block: %.3f %.3f %.3f\n", rank, hb[0], hb[1], hb[2]);
  layout("indexed_block", iblock);
  layout("hindexed_block", hblock);

  // Collectives: the root's data to everyone through each type.
  bcast_ints("bcast indexed", b, 10, 0, 1, idx);
  bcast_ints("bcast hindexed", b, 10, 4, 1, hidx);
  bcast_ints("bcast indexed_block", b, 10, 0, 1, iblock);
  bcast_doubles("bcast hvector", d, 9, every3);
  bcast_doubles("bcast hindexed_block", d, 3, hblock);
  if (rank == 0) {
    decode("hvector", every3, 0);
    decode("indexed", idx, 0);
    decode("hindexed", hidx, 0);
    decode("indexed_block", iblock, 0);
    decode("hindexed_block", hblock, 0);
  }
  MPI_Datatype* all[] = {&every3, &idx, &hidx, &iblock, &hblock};
  for (int i = 0; i < 5; ++i) CHECK(MPI_Type_free(all[i]));
}

// The particle type: struct of int, double, char[3], resized to
// sizeof(Particle) so that arrays of particles work.
static MPI_Datatype particle_type(void) {
  int lens[3] = {1, 1, 3};
  MPI_Aint displs[3] = {offsetof(Particle, id), offsetof(Particle, value),
                        offsetof(Particle, tag)};
  MPI_Datatype types[3] = {MPI_INT32_T, MPI_DOUBLE, MPI_CHAR}, raw, t;
  CHECK(MPI_Type_create_struct(3, lens, displs, types, &raw));
  CHECK(MPI_Type_create_resized(raw, 0, sizeof(Particle), &t));
  CHECK(MPI_Type_free(&raw));
  commit(&t);
  return t;
}

static void print_particles(const char* what, const Particle* p, int n) {
  for (int i = 0; i < n; ++i) {
    say("rank %d %s[%d]: id %d value %.2f tag %c%c%c\n", rank, what, i,
        (int)p[i].id, p[i].value, p[i].tag[0], p[i].tag[1], p[i].tag[2]);
  }
}

static void structs(void) {
  MPI_Datatype pt = particle_type();
  Particle out[2], in[2];
  memset(in, 0, sizeof in);
  for (int i = 0; i < 2; ++i) {
    out[i].id = rank * 10 + i;
    out[i].value = rank + 0.25 * i;
    memcpy(out[i].tag, i ? "xyz" : "abc", 3);
  }
  MPI_Status st;
  CHECK(MPI_Sendrecv(out, 2, pt, right(), 8, in, 2, pt, left(), 8,
                     MPI_COMM_WORLD, &st));
  print_particles("struct", in, 2);
  int count, elements;
  CHECK(MPI_Get_count(&st, pt, &count));
  CHECK(MPI_Get_elements(&st, pt, &elements));
  say("rank %d struct count %d elements %d\n", rank, count, elements);
  layout("particle", pt);
  CHECK(MPI_Type_set_name(pt, "particle"));
  char name[MPI_MAX_OBJECT_NAME];
  int len;
  CHECK(MPI_Type_get_name(pt, name, &len));
  say("rank %d name '%s' %d\n", rank, name, len);

  // Collective: particles from the root.
  Particle many[3];
  for (int i = 0; i < 3; ++i) {
    many[i].id = rank == 0 ? 500 + i : -1;
    many[i].value = rank == 0 ? 1.5 * i : -1;
    memcpy(many[i].tag, rank == 0 ? "bca" : "---", 3);
  }
  CHECK(MPI_Bcast(many, 3, pt, 0, MPI_COMM_WORLD));
  print_particles("bcast struct", many, 3);

  // long double moves (same size), in a struct.
  LongPair lo = {rank + 0.5, rank + 0.75L}, li = {0, 0};
  int llens[2] = {1, 1};
  MPI_Aint ldispls[2] = {0, offsetof(LongPair, ld)};
  MPI_Datatype ltypes[2] = {MPI_DOUBLE, MPI_LONG_DOUBLE}, lt;
  CHECK(MPI_Type_create_struct(2, llens, ldispls, ltypes, &lt));
  commit(&lt);
  exchange(&lo, 1, lt, &li, 1, lt, 9);
  say("rank %d long double struct: %.2f %.2f\n", rank, li.d, (double)li.ld);

  // Dup: same type map, same committed state.
  MPI_Datatype dup;
  CHECK(MPI_Type_dup(pt, &dup));
  memset(in, 0, sizeof in);
  exchange(out, 2, dup, in, 2, pt, 10);
  print_particles("dup", in, 2);
  memcpy(in, rank == 0 ? out : in, sizeof in);
  CHECK(MPI_Bcast(in, 2, dup, 0, MPI_COMM_WORLD));
  print_particles("bcast dup", in, 2);
  LongPair lb = {rank == 0 ? 9.5 : -1, rank == 0 ? 9.25L : -1};
  CHECK(MPI_Bcast(&lb, 1, lt, 0, MPI_COMM_WORLD));
  say("rank %d bcast long double struct: %.2f %.2f\n", rank, lb.d,
      (double)lb.ld);
  layout("dup", dup);
  if (rank == 0) {
    decode("particle", pt, 0);
    decode("long double struct", lt, 0);
    decode("dup", dup, 0);
  }
  CHECK(MPI_Type_free(&pt));
  CHECK(MPI_Type_free(&lt));
  CHECK(MPI_Type_free(&dup));
}

static void arrays(void) {
  // A 2x3 block at (1,2) of a 4x6 C array, received as 6 ints.
  MPI_Datatype sub, fsub;
  int sizes[2] = {4, 6}, subsizes[2] = {2, 3}, starts[2] = {1, 2};
  CHECK(MPI_Type_create_subarray(2, sizes, subsizes, starts, MPI_ORDER_C,
                                 MPI_INT, &sub));
  // The same block of the same memory seen as a 6x4 Fortran array.
  int fsizes[2] = {6, 4}, fsubsizes[2] = {3, 2}, fstarts[2] = {2, 1};
  CHECK(MPI_Type_create_subarray(2, fsizes, fsubsizes, fstarts,
                                 MPI_ORDER_FORTRAN, MPI_INT, &fsub));
  commit(&sub);
  commit(&fsub);
  int grid[24], got[6];
  for (int i = 0; i < 24; ++i) grid[i] = rank * 100 + i;
  exchange(grid, 1, sub, got, 6, MPI_INT, 11);
  ints_line("subarray C", got, 6);
  exchange(grid, 1, fsub, got, 6, MPI_INT, 12);
  ints_line("subarray Fortran", got, 6);
  bcast_ints("bcast subarray", grid, 24, 0, 1, sub);
  bcast_ints("bcast subarray Fortran", grid, 24, 0, 1, fsub);
  layout("subarray", sub);

  // Darrays over a 1 x size process grid: 3 x 2size ints, columns dealt
  // cyclically; and 2 x 3size in blocks with the default block size.
  MPI_Datatype cyc, blk;
  int gs[2] = {3, 2 * size},
      dist[2] = {MPI_DISTRIBUTE_NONE, MPI_DISTRIBUTE_CYCLIC};
  int dargs[2] = {MPI_DISTRIBUTE_DFLT_DARG, 1}, ps[2] = {1, size};
  CHECK(MPI_Type_create_darray(size, rank, 2, gs, dist, dargs, ps, MPI_ORDER_C,
                               MPI_INT, &cyc));
  int bgs[2] = {2, 3 * size},
      bdist[2] = {MPI_DISTRIBUTE_BLOCK, MPI_DISTRIBUTE_BLOCK};
  int bdargs[2] = {MPI_DISTRIBUTE_DFLT_DARG, MPI_DISTRIBUTE_DFLT_DARG};
  CHECK(MPI_Type_create_darray(size, rank, 2, bgs, bdist, bdargs, ps,
                               MPI_ORDER_FORTRAN, MPI_INT, &blk));
  commit(&cyc);
  commit(&blk);
  int global[3 * 10];
  for (int i = 0; i < 3 * 2 * size; ++i) global[i] = rank * 1000 + i;
  exchange(global, 1, cyc, got, 6, MPI_INT, 13);
  ints_line("darray cyclic", got, 6);
  exchange(global, 1, blk, got, 6, MPI_INT, 14);
  ints_line("darray block", got, 6);
  layout("darray cyclic", cyc);
  layout("darray block", blk);

  // Collective: every rank's local darray part gathered at the root in
  // rank order.
  int all[6 * 5];
  CHECK(MPI_Gather(global, 1, cyc, all, 6, MPI_INT, 0, MPI_COMM_WORLD));
  if (rank == 0) {
    ints_line("gather darray", all, 6 * size);
    decode("subarray", sub, 0);
    decode("subarray Fortran", fsub, 0);
    decode("darray cyclic", cyc, 0);
    decode("darray block", blk, 0);
  }
  MPI_Datatype* types[] = {&sub, &fsub, &cyc, &blk};
  for (int i = 0; i < 4; ++i) CHECK(MPI_Type_free(types[i]));
}

static void resized(void) {
  // ints 12 bytes apart, with a lower bound before the data.
  MPI_Datatype r;
  CHECK(MPI_Type_create_resized(MPI_INT, -4, 12, &r));
  commit(&r);
  int a[12], b[12];
  for (int i = 0; i < 12; ++i) a[i] = rank * 100 + i, b[i] = -1;
  exchange(a + 1, 3, r, b + 1, 3, r, 15);
  ints_line("resized", b, 12);
  bcast_ints("bcast resized", b, 12, 1, 3, r);
  layout("resized", r);
  if (rank == 0) decode("resized int", r, 0);
  CHECK(MPI_Type_free(&r));
}

// Pack a particle, a matrix column and two ints; unpack them here, and on
// the right neighbour after sending the bytes as MPI_PACKED.
static void packing(void) {
  MPI_Datatype pt = particle_type(), column;
  CHECK(MPI_Type_vector(3, 1, 4, MPI_INT, &column));
  commit(&column);
  Particle p = {rank, rank * 1.5, {'p', 'q', 'r'}};
  int m[12], two[2] = {rank, -rank};
  for (int i = 0; i < 12; ++i) m[i] = rank * 100 + i;
  int s1, s2, s3;
  CHECK(MPI_Pack_size(1, pt, MPI_COMM_WORLD, &s1));
  CHECK(MPI_Pack_size(1, column, MPI_COMM_WORLD, &s2));
  CHECK(MPI_Pack_size(2, MPI_INT, MPI_COMM_WORLD, &s3));
  char buf[256], rbuf[256];
  int pos = 0;
  CHECK(MPI_Pack(&p, 1, pt, buf, sizeof buf, &pos, MPI_COMM_WORLD));
  CHECK(MPI_Pack(m, 1, column, buf, sizeof buf, &pos, MPI_COMM_WORLD));
  CHECK(MPI_Pack(two, 2, MPI_INT, buf, sizeof buf, &pos, MPI_COMM_WORLD));
  say("rank %d pack size bounds position: %d\n", rank, s1 + s2 + s3 >= pos);

  MPI_Status st;
  CHECK(MPI_Sendrecv(buf, pos, MPI_PACKED, right(), 16, rbuf, sizeof rbuf,
                     MPI_PACKED, left(), 16, MPI_COMM_WORLD, &st));
  int got;
  CHECK(MPI_Get_count(&st, MPI_PACKED, &got));
  const char* sources[2] = {buf, rbuf};
  const char* names[2] = {"unpack local", "unpack received"};
  for (int k = 0; k < 2; ++k) {
    Particle q;
    int col[12], t[2], at = 0;
    memset(&q, 0, sizeof q);
    for (int i = 0; i < 12; ++i) col[i] = -1;
    CHECK(MPI_Unpack(sources[k], pos, &at, &q, 1, pt, MPI_COMM_WORLD));
    CHECK(MPI_Unpack(sources[k], pos, &at, col, 1, column, MPI_COMM_WORLD));
    CHECK(MPI_Unpack(sources[k], pos, &at, t, 2, MPI_INT, MPI_COMM_WORLD));
    say("rank %d %s: id %d value %.2f tag %c%c%c col %d %d %d %d ints "
        "%d %d all %d\n",
        rank, names[k], (int)q.id, q.value, q.tag[0], q.tag[1], q.tag[2],
        col[0], col[4], col[8], col[1], t[0], t[1], at == pos);
  }
  say("rank %d packed bytes received = sent: %d\n", rank, got == pos);
  CHECK(MPI_Type_free(&pt));
  CHECK(MPI_Type_free(&column));
}

static void hex_line(const char* what, const unsigned char* b, MPI_Aint n) {
  Line l = {.len = 0};
  add(&l, "rank %d %s:", rank, what);
  for (MPI_Aint i = 0; i < n; ++i) add(&l, " %02x", b[i]);
  emit(&l);
}

// external32: big-endian, sizes fixed by the standard.
static void external32(void) {
  MPI_Datatype pt = particle_type(), column;
  CHECK(MPI_Type_vector(4, 1, 5, MPI_INT, &column));
  commit(&column);
  struct {
    const char* name;
    MPI_Datatype type;
    int count;
  } sized[] = {{"int", MPI_INT, 1},       {"double", MPI_DOUBLE, 1},
               {"short", MPI_SHORT, 3},   {"char", MPI_CHAR, 5},
               {"int64", MPI_INT64_T, 2}, {"particle", pt, 2},
               {"column", column, 1}};
  for (int i = 0; i < 7; ++i) {
    MPI_Aint n;
    CHECK(MPI_Pack_external_size("external32", sized[i].count, sized[i].type,
                                 &n));
    say("rank %d external32 size %s x%d: %lld\n", rank, sized[i].name,
        sized[i].count, (long long)n);
  }
  unsigned char out[128];
  MPI_Aint pos = 0;
  int v = 0x01020304 + rank;
  double x = 1.5;
  Particle p = {7 + rank, -2.25, {'e', 'x', 't'}};
  CHECK(MPI_Pack_external("external32", &v, 1, MPI_INT, out, sizeof out, &pos));
  CHECK(MPI_Pack_external("external32", &x, 1, MPI_DOUBLE, out, sizeof out,
                          &pos));
  CHECK(MPI_Pack_external("external32", &p, 1, pt, out, sizeof out, &pos));
  hex_line("external32 bytes", out, pos);
  int v2 = 0;
  double x2 = 0;
  Particle p2;
  memset(&p2, 0, sizeof p2);
  MPI_Aint at = 0;
  CHECK(MPI_Unpack_external("external32", out, pos, &at, &v2, 1, MPI_INT));
  CHECK(MPI_Unpack_external("external32", out, pos, &at, &x2, 1, MPI_DOUBLE));
  CHECK(MPI_Unpack_external("external32", out, pos, &at, &p2, 1, pt));
  say("rank %d external32 round trip: %d %.2f id %d value %.2f tag "
      "%c%c%c all %d\n",
      rank, v2 == v, x2, (int)p2.id, p2.value, p2.tag[0], p2.tag[1], p2.tag[2],
      at == pos);
  CHECK(MPI_Type_free(&pt));
  CHECK(MPI_Type_free(&column));
}

// Address differences (never raw addresses), and MPI_BOTTOM with absolute
// addresses from MPI_Get_address.
static void addresses(void) {
  Particle p[2];
  MPI_Aint base, value, tag, next;
  CHECK(MPI_Get_address(&p[0], &base));
  CHECK(MPI_Get_address(&p[0].value, &value));
  CHECK(MPI_Get_address(&p[0].tag, &tag));
  CHECK(MPI_Get_address(&p[1], &next));
  say("rank %d address diffs: value %lld tag %lld next %lld\n", rank,
      (long long)MPI_Aint_diff(value, base),
      (long long)MPI_Aint_diff(tag, base),
      (long long)MPI_Aint_diff(next, base));
  say("rank %d aint_add matches: %d %d\n", rank,
      MPI_Aint_add(base, offsetof(Particle, tag)) == tag,
      MPI_Aint_add(next, -(MPI_Aint)sizeof(Particle)) == base);

  // Three separate variables sent from MPI_BOTTOM.
  static int a;
  static double b;
  static int c[2];
  static int ra;
  static double rb;
  static int rc[2];
  a = rank;
  b = rank * 0.5;
  c[0] = rank + 100;
  c[1] = rank + 200;
  int lens[3] = {1, 1, 2};
  MPI_Aint sd[3], rd[3];
  CHECK(MPI_Get_address(&a, &sd[0]));
  CHECK(MPI_Get_address(&b, &sd[1]));
  CHECK(MPI_Get_address(c, &sd[2]));
  CHECK(MPI_Get_address(&ra, &rd[0]));
  CHECK(MPI_Get_address(&rb, &rd[1]));
  CHECK(MPI_Get_address(rc, &rd[2]));
  MPI_Datatype types[3] = {MPI_INT, MPI_DOUBLE, MPI_INT}, st, rt;
  CHECK(MPI_Type_create_struct(3, lens, sd, types, &st));
  CHECK(MPI_Type_create_struct(3, lens, rd, types, &rt));
  commit(&st);
  commit(&rt);
  exchange(MPI_BOTTOM, 1, st, MPI_BOTTOM, 1, rt, 17);
  say("rank %d bottom: %d %.2f %d %d\n", rank, ra, rb, rc[0], rc[1]);
  CHECK(MPI_Type_free(&st));
  CHECK(MPI_Type_free(&rt));
}

static void matching_and_names(void) {
  struct {
    const char* name;
    int typeclass, size;
  } cases[] = {{"integer", MPI_TYPECLASS_INTEGER, 4},
               {"integer", MPI_TYPECLASS_INTEGER, 8},
               {"real", MPI_TYPECLASS_REAL, 4},
               {"real", MPI_TYPECLASS_REAL, 8},
               {"complex", MPI_TYPECLASS_COMPLEX, 8},
               {"complex", MPI_TYPECLASS_COMPLEX, 16},
               {"integer", MPI_TYPECLASS_INTEGER, 3}};
  CHECK(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN));
  for (int i = 0; i < 7; ++i) {
    MPI_Datatype t;
    int rc = MPI_Type_match_size(cases[i].typeclass, cases[i].size, &t);
    int s = -1, cls = MPI_SUCCESS;
    if (rc == MPI_SUCCESS)
      CHECK(MPI_Type_size(t, &s));
    else
      MPI_Error_class(rc, &cls);
    say("rank %d match_size %s %d: size %d arg_error %d\n", rank, cases[i].name,
        cases[i].size, s, cls == MPI_ERR_ARG);
  }
  CHECK(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL));

  // Parameterized Fortran types: predefined, one handle per arguments.
  MPI_Datatype r1, r2, i9, z;
  CHECK(MPI_Type_create_f90_real(6, 30, &r1));
  CHECK(MPI_Type_create_f90_real(6, 30, &r2));
  CHECK(MPI_Type_create_f90_integer(9, &i9));
  CHECK(MPI_Type_create_f90_complex(15, MPI_UNDEFINED, &z));
  int rs, is, zs, zints[2];
  CHECK(MPI_Type_size(r1, &rs));
  CHECK(MPI_Type_size(i9, &is));
  CHECK(MPI_Type_size(z, &zs));
  CHECK(MPI_Type_get_contents(z, 2, 0, 0, zints, NULL, NULL));
  say("rank %d f90: real size %d same handle %d integer size %d complex "
      "size %d contents %d undefined %d\n",
      rank, rs, r1 == r2, is, zs, zints[0], zints[1] == MPI_UNDEFINED);
  if (rank == 0) {
    decode("f90 real", r1, 0);
    decode("f90 integer", i9, 0);
  }
  MPI_Datatype named[] = {MPI_INT, MPI_DOUBLE, MPI_CHAR, MPI_BYTE};
  for (int i = 0; i < 4; ++i) {
    char name[MPI_MAX_OBJECT_NAME];
    int len;
    CHECK(MPI_Type_get_name(named[i], name, &len));
    say("rank %d predefined name %s %d\n", rank, name, len);
  }
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  contiguous_and_vector();
  hvector_and_indexed();
  structs();
  arrays();
  resized();
  packing();
  external32();
  addresses();
  matching_and_names();
  say("rank %d done\n", rank);
  print_all_ranks();
  MPI_Finalize();
  return 0;
}
