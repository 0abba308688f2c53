// User-defined reduction ops: a commutative complex multiply on a derived
// type, a non-commutative composition of affine maps, a sum over a strided
// type with holes, in every reduction (blocking, nonblocking, in place),
// MPI_Reduce_local, MPI_Op_commutative and large vectors. Every call of a
// user function checks it got the datatype handle the program passed.
// Prints deterministic lines that must match between native and Wasm.
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpi_check.h"

static int rank, size;

typedef struct {
  double re, im;
} Complex;

// x -> a * x + b (mod kPrime).
typedef struct {
  int a, b;
} Affine;
enum { kPrime = 10007 };

static MPI_Datatype complex_type, strided_type, expected_type;
static int bad_calls;  // calls that saw another datatype than expected

static void complex_multiply(void* in, void* inout, int* len,
                             MPI_Datatype* type) {
  if (*type != complex_type) ++bad_calls;
  const Complex* x = in;
  Complex* y = inout;
  for (int i = 0; i < *len; ++i) {
    Complex r = {x[i].re * y[i].re - x[i].im * y[i].im,
                 x[i].re * y[i].im + x[i].im * y[i].re};
    y[i] = r;
  }
}

// inout = inout after in: not commutative.
static void compose(void* in, void* inout, int* len, MPI_Datatype* type) {
  if (*type != MPI_2INT) ++bad_calls;
  const Affine* f = in;
  Affine* g = inout;
  for (int i = 0; i < *len; ++i) {
    Affine r = {g[i].a * f[i].a % kPrime, (g[i].a * f[i].b + g[i].b) % kPrime};
    g[i] = r;
  }
}

// Sums element 0 and 2 of each 3-int element; element 1 is a hole.
static void strided_sum(void* in, void* inout, int* len, MPI_Datatype* type) {
  if (*type != strided_type) ++bad_calls;
  const int* x = in;
  int* y = inout;
  for (int i = 0; i < *len; ++i) {
    y[3 * i] += x[3 * i];
    y[3 * i + 2] += x[3 * i + 2];
  }
}

// Absolute-value maximum on int or long, whichever is expected.
static void abs_max(void* in, void* inout, int* len, MPI_Datatype* type) {
  if (*type != expected_type) ++bad_calls;
  for (int i = 0; i < *len; ++i) {
    if (*type == MPI_LONG) {
      const long* x = in;
      long* y = inout;
      if (labs(x[i]) > labs(y[i])) y[i] = x[i];
    } else {
      const int* x = in;
      int* y = inout;
      if (abs(x[i]) > abs(y[i])) y[i] = x[i];
    }
  }
}

static MPI_Op complex_op, compose_op, strided_op, abs_op;

static void show_affine(const char* what, int nb, const Affine* f, int n) {
  printf("rank %d %s%s:", rank, nb ? "I" : "", what);
  for (int i = 0; i < n; ++i) printf(" (%d,%d)", f[i].a, f[i].b);
  printf("\n");
}

static void show_complex(const char* what, int nb, const Complex* c, int n) {
  printf("rank %d %s%s:", rank, nb ? "I" : "", what);
  for (int i = 0; i < n; ++i) printf(" %.0f%+.0fi", c[i].re, c[i].im);
  printf("\n");
}

static void make_affine(Affine* f, int n) {
  for (int i = 0; i < n; ++i) f[i] = (Affine){rank + 2 + i, 3 * rank + 1};
}

static void create_ops(void) {
  CHECK(MPI_Type_contiguous(2, MPI_DOUBLE, &complex_type));
  CHECK(MPI_Type_commit(&complex_type));
  CHECK(MPI_Type_vector(2, 1, 2, MPI_INT, &strided_type));
  CHECK(MPI_Type_commit(&strided_type));
  CHECK(MPI_Op_create(complex_multiply, 1, &complex_op));
  CHECK(MPI_Op_create(compose, 0, &compose_op));
  CHECK(MPI_Op_create(strided_sum, 1, &strided_op));
  CHECK(MPI_Op_create(abs_max, 1, &abs_op));
  MPI_Op all[] = {complex_op, compose_op, strided_op,
                  abs_op,     MPI_SUM,    MPI_MAXLOC};
  printf("rank %d commutative:", rank);
  for (int i = 0; i < 6; ++i) {
    int commute = -1;
    CHECK(MPI_Op_commutative(all[i], &commute));
    printf(" %d", commute);
  }
  printf("\n");
}

// The non-commutative op in every reduction: results follow rank order.
static void non_commutative(int nb) {
  Affine f[2], r[2 * 8];
  make_affine(f, 2);
  BOTH(nb, MPI_Reduce(f, r, 2, MPI_2INT, compose_op, 0, MPI_COMM_WORLD),
       MPI_Ireduce(f, r, 2, MPI_2INT, compose_op, 0, MPI_COMM_WORLD, &req_));
  if (rank == 0) show_affine("reduce compose", nb, r, 2);
  BOTH(nb, MPI_Allreduce(f, r, 2, MPI_2INT, compose_op, MPI_COMM_WORLD),
       MPI_Iallreduce(f, r, 2, MPI_2INT, compose_op, MPI_COMM_WORLD, &req_));
  show_affine("allreduce compose", nb, r, 2);
  memcpy(r, f, sizeof f);
  BOTH(nb,
       MPI_Allreduce(MPI_IN_PLACE, r, 2, MPI_2INT, compose_op, MPI_COMM_WORLD),
       MPI_Iallreduce(MPI_IN_PLACE, r, 2, MPI_2INT, compose_op, MPI_COMM_WORLD,
                      &req_));
  show_affine("allreduce compose in place", nb, r, 2);
  BOTH(nb, MPI_Scan(f, r, 2, MPI_2INT, compose_op, MPI_COMM_WORLD),
       MPI_Iscan(f, r, 2, MPI_2INT, compose_op, MPI_COMM_WORLD, &req_));
  show_affine("scan compose", nb, r, 2);
  BOTH(nb, MPI_Exscan(f, r, 2, MPI_2INT, compose_op, MPI_COMM_WORLD),
       MPI_Iexscan(f, r, 2, MPI_2INT, compose_op, MPI_COMM_WORLD, &req_));
  if (rank > 0) show_affine("exscan compose", nb, r, 2);

  Affine big[2 * 8];
  int counts[8];
  for (int i = 0; i < size; ++i) counts[i] = i % 2 + 1;
  int total = 0;
  for (int i = 0; i < size; ++i) total += counts[i];
  make_affine(big, total);
  BOTH(nb,
       MPI_Reduce_scatter(big, r, counts, MPI_2INT, compose_op, MPI_COMM_WORLD),
       MPI_Ireduce_scatter(big, r, counts, MPI_2INT, compose_op, MPI_COMM_WORLD,
                           &req_));
  show_affine("reduce_scatter compose", nb, r, counts[rank]);
  make_affine(big, 2 * size);
  BOTH(
      nb,
      MPI_Reduce_scatter_block(big, r, 2, MPI_2INT, compose_op, MPI_COMM_WORLD),
      MPI_Ireduce_scatter_block(big, r, 2, MPI_2INT, compose_op, MPI_COMM_WORLD,
                                &req_));
  show_affine("reduce_scatter_block compose", nb, r, 2);
}

// Complex multiply (commutative) on the derived type.
static void complex_products(int nb) {
  Complex c[3], r[3];
  for (int i = 0; i < 3; ++i) c[i] = (Complex){1.0 + i, rank % 3 - 1.0};
  BOTH(
      nb, MPI_Allreduce(c, r, 3, complex_type, complex_op, MPI_COMM_WORLD),
      MPI_Iallreduce(c, r, 3, complex_type, complex_op, MPI_COMM_WORLD, &req_));
  show_complex("allreduce complex", nb, r, 3);
  int root = size - 1;
  memcpy(r, c, sizeof c);
  BOTH(nb,
       MPI_Reduce(rank == root ? MPI_IN_PLACE : c, r, 3, complex_type,
                  complex_op, root, MPI_COMM_WORLD),
       MPI_Ireduce(rank == root ? MPI_IN_PLACE : c, r, 3, complex_type,
                   complex_op, root, MPI_COMM_WORLD, &req_));
  if (rank == root) show_complex("reduce complex in place", nb, r, 3);
}

// A large vector: Open MPI reduces it in segments on host buffers.
static void large_vector(void) {
  enum { kCount = 20000 };
  Complex* c = malloc(kCount * sizeof(Complex));
  Complex* r = malloc(kCount * sizeof(Complex));
  for (int k = 0; k < kCount; ++k) {
    c[k] = (k + rank) % 7 == 0 ? (Complex){0, 1} : (Complex){1, 0};
  }
  CHECK(MPI_Allreduce(c, r, kCount, complex_type, complex_op, MPI_COMM_WORLD));
  double re = 0, im = 0;
  for (int k = 0; k < kCount; ++k) re += r[k].re * (k % 13), im += r[k].im;
  printf("rank %d large allreduce: %.0f %.0f\n", rank, re, im);
  free(c);
  free(r);
}

// Holes in the type stay untouched in the receive buffer.
static void strided(void) {
  int v[6] = {rank, -100, rank * 2, 1, -100, 10}, r[6];
  for (int i = 0; i < 6; ++i) r[i] = -1;
  CHECK(MPI_Allreduce(v, r, 2, strided_type, strided_op, MPI_COMM_WORLD));
  printf("rank %d strided allreduce:", rank);
  for (int i = 0; i < 6; ++i) printf(" %d", r[i]);
  printf("\n");
}

// One op on two guest types that share a host type (int, long).
static void same_op_two_types(void) {
  int i[2] = {rank % 2 ? -rank : rank, 3}, ir[2];
  long l[2] = {rank % 2 ? rank : -rank, -4}, lr[2];
  expected_type = MPI_INT;
  CHECK(MPI_Allreduce(i, ir, 2, MPI_INT, abs_op, MPI_COMM_WORLD));
  expected_type = MPI_LONG;
  CHECK(MPI_Allreduce(l, lr, 2, MPI_LONG, abs_op, MPI_COMM_WORLD));
  printf("rank %d absmax int %d %d long %ld %ld\n", rank, ir[0], ir[1], lr[0],
         lr[1]);
}

static void reduce_local(void) {
  Complex a[2] = {{1, 2}, {0, 1}}, b[2] = {{3, -1}, {0, 1}};
  CHECK(MPI_Reduce_local(a, b, 2, complex_type, complex_op));
  show_complex("reduce_local complex", 0, b, 2);
  Affine f[1] = {{2, 3}}, g[1] = {{5, 7}};
  CHECK(MPI_Reduce_local(f, g, 1, MPI_2INT, compose_op));
  show_affine("reduce_local compose", 0, g, 1);
}

static void free_ops(void) {
  MPI_Op* all[] = {&complex_op, &compose_op, &strided_op, &abs_op};
  int nulls = 0;
  for (int i = 0; i < 4; ++i) {
    CHECK(MPI_Op_free(all[i]));
    nulls += *all[i] == MPI_OP_NULL;
  }
  CHECK(MPI_Type_free(&complex_type));
  CHECK(MPI_Type_free(&strided_type));
  int bad = 0;
  CHECK(MPI_Allreduce(&bad_calls, &bad, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD));
  printf("rank %d freed %d ops; calls with a wrong datatype: %d\n", rank, nulls,
         bad);
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  create_ops();
  for (int nb = 0; nb < 2; ++nb) {
    non_commutative(nb);
    complex_products(nb);
  }
  large_vector();
  strided();
  same_op_two_types();
  reduce_local();
  free_ops();
  MPI_Finalize();
  return 0;
}
