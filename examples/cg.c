/* cg: conjugate gradient on the 3-D Poisson problem -laplace(u) = 1 on an
 * n x n x n grid of interior points with zero Dirichlet boundaries (7-point
 * stencil, unscaled: A = 6 I - neighbours). The z planes are split across
 * ranks; each iteration exchanges one halo plane with each z neighbour
 * (MPI_Sendrecv) and sums dot products with MPI_Allreduce.
 * Usage: mpirun -np N cg [n [max_iterations [tol]]]
 *   defaults: n 32, max_iterations 1000, tol 1e-10 (relative residual).
 * Output is deterministic for a given n and rank count: sums run in a fixed
 * order and no FMA contraction happens on wasm32 or baseline x86-64. */
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

/* This rank's slab: planes [z0, z0 + nz) of the global grid, stored with one
 * halo plane below (k = 0) and above (k = nz + 1). */
typedef struct {
  int n, nz, z0;
  int below, above; /* neighbour ranks or MPI_PROC_NULL */
  size_t plane;     /* points per plane, n * n */
} Slab;

static Slab MakeSlab(int n, int rank, int size) {
  Slab s;
  const int base = n / size, extra = n % size;
  s.n = n;
  s.nz = base + (rank < extra ? 1 : 0);
  s.z0 = rank * base + (rank < extra ? rank : extra);
  s.below = rank > 0 ? rank - 1 : MPI_PROC_NULL;
  s.above = rank < size - 1 ? rank + 1 : MPI_PROC_NULL;
  s.plane = (size_t)n * n;
  return s;
}

/* Fills the halo planes of v from the neighbours (zero at the boundary). */
static void ExchangeHalo(const Slab *s, double *v) {
  const int count = (int)s->plane;
  MPI_Sendrecv(v + s->nz * s->plane, count, MPI_DOUBLE, s->above, 0, v, count,
               MPI_DOUBLE, s->below, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  MPI_Sendrecv(v + s->plane, count, MPI_DOUBLE, s->below, 1,
               v + (s->nz + 1) * s->plane, count, MPI_DOUBLE, s->above, 1,
               MPI_COMM_WORLD, MPI_STATUS_IGNORE);
}

/* out = A v on the owned planes; v has valid halos. out has no halos. */
static void ApplyStencil(const Slab *s, const double *v, double *out) {
  const int n = s->n;
  const size_t p = s->plane;
  for (int k = 1; k <= s->nz; ++k) {
    for (int j = 0; j < n; ++j) {
      const double *c = v + k * p + (size_t)j * n;
      double *o = out + (k - 1) * p + (size_t)j * n;
      for (int i = 0; i < n; ++i) {
        double sum = c[-(long)p] + c[p];
        if (j > 0) sum += c[-n];
        if (j < n - 1) sum += c[n];
        if (i > 0) sum += c[-1];
        if (i < n - 1) sum += c[1];
        o[i] = 6.0 * c[0] - sum;
        ++c;
      }
    }
  }
}

/* Global dot product; both vectors without halos. */
static double Dot(const double *a, const double *b, size_t len) {
  double local = 0.0, global = 0.0;
  for (size_t i = 0; i < len; ++i) local += a[i] * b[i];
  MPI_Allreduce(&local, &global, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  return global;
}

int main(int argc, char **argv) {
  int rank, size;
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);

  const int n = argc > 1 ? atoi(argv[1]) : 32;
  const int max_it = argc > 2 ? atoi(argv[2]) : 1000;
  const double tol = argc > 3 ? atof(argv[3]) : 1e-10;
  if (n < size || n < 1 || max_it < 0) {
    if (rank == 0) fprintf(stderr, "cg: need n >= ranks and max_it >= 0\n");
    MPI_Abort(MPI_COMM_WORLD, 1);
  }

  const Slab s = MakeSlab(n, rank, size);
  const size_t len = s.nz * s.plane;
  double *x = calloc(len, sizeof(double));
  double *r = calloc(len, sizeof(double));
  double *ap = calloc(len, sizeof(double));
  double *p = calloc(len + 2 * s.plane, sizeof(double)); /* with halos */
  if (!x || !r || !ap || !p) MPI_Abort(MPI_COMM_WORLD, 2);

  /* x = 0, so r = b = 1 and p = r. */
  for (size_t i = 0; i < len; ++i) r[i] = p[s.plane + i] = 1.0;
  double rr = Dot(r, r, len);
  const double rr0 = rr;
  int it = 0;
  while (it < max_it && sqrt(rr / rr0) > tol) {
    ExchangeHalo(&s, p);
    ApplyStencil(&s, p, ap);
    const double alpha = rr / Dot(p + s.plane, ap, len);
    for (size_t i = 0; i < len; ++i) {
      x[i] += alpha * p[s.plane + i];
      r[i] -= alpha * ap[i];
    }
    const double rr_new = Dot(r, r, len);
    const double beta = rr_new / rr;
    for (size_t i = 0; i < len; ++i) {
      p[s.plane + i] = r[i] + beta * p[s.plane + i];
    }
    rr = rr_new;
    ++it;
  }

  /* Checksum: sum of x weighted by the global point index mod 7, so that
   * misplaced values change it. */
  double local = 0.0, checksum = 0.0;
  for (size_t i = 0; i < len; ++i) {
    local += x[i] * (double)((s.z0 * s.plane + i) % 7 + 1);
  }
  MPI_Reduce(&local, &checksum, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
  if (rank == 0) {
    printf("cg: grid %d^3 on %d ranks, tol %.1e\n", n, size, tol);
    printf("iterations: %d\n", it);
    printf("residual: %.12e\n", sqrt(rr));
    printf("checksum: %.12e\n", checksum);
  }
  free(x);
  free(r);
  free(ap);
  free(p);
  MPI_Finalize();
  return 0;
}
