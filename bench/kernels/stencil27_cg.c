/* stencil27_cg: a fixed number of conjugate-gradient steps on a 27-point
 * stencil, for comparing native and Wasm floating-point speed.
 * A = 26 I - (the 26 neighbours) on an n^3 grid of interior points with
 * zero Dirichlet boundaries (symmetric positive definite); b = 1, x0 = 0.
 * Every vector lives on the (n+2)^3 grid with a zero halo, so the stencil
 * has no branches and the vector updates run over whole arrays (the halo
 * stays zero through every update). The stencil sums each row in two
 * passes (nine-point column sums, then three adjacent columns), which
 * both gcc and clang vectorize; written as one 27-term sum, clang reuses
 * loads across iterations and then leaves the loop scalar.
 * Usage: stencil27_cg [n [iterations]]   (defaults 128, 60)
 * Prints residual and checksum to 10 significant digits, so that builds
 * with and without FMA contraction print the same text; then
 * "metric: G GFLOP/s" and "time: S" (CG loop only, setup excluded). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double Now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* out = A v on the interior; m = n + 2 is the padded edge. Per row: the
 * sums over the nine (j, k) neighbours of every column, then three
 * adjacent column sums less the centre. */
static void ApplyStencil(int n, const double *restrict v, double *restrict out,
                         double *restrict cols) {
  const size_t m = (size_t)n + 2, plane = m * m;
  for (size_t k = 1; k <= (size_t)n; ++k) {
    for (size_t j = 1; j <= (size_t)n; ++j) {
      const size_t row = k * plane + j * m;
      const double *b = v + row - plane, *c = v + row, *t = v + row + plane;
      for (size_t i = 0; i < m; ++i) {
        cols[i] = b[i - m] + b[i] + b[i + m] + c[i - m] + c[i] + c[i + m] +
                  t[i - m] + t[i] + t[i + m];
      }
      for (size_t i = 1; i <= (size_t)n; ++i) {
        out[row + i] = 27.0 * c[i] - (cols[i - 1] + cols[i] + cols[i + 1]);
      }
    }
  }
}

static double Dot(const double *a, const double *b, size_t len) {
  double sum = 0.0;
  for (size_t i = 0; i < len; ++i) sum += a[i] * b[i];
  return sum;
}

/* y += alpha x */
static void Axpy(double alpha, const double *restrict x, double *restrict y,
                 size_t len) {
  for (size_t i = 0; i < len; ++i) y[i] += alpha * x[i];
}

/* p = r + beta p */
static void Xpay(const double *restrict r, double beta, double *restrict p,
                 size_t len) {
  for (size_t i = 0; i < len; ++i) p[i] = r[i] + beta * p[i];
}

int main(int argc, char **argv) {
  const int n = argc > 1 ? atoi(argv[1]) : 128;
  const int iterations = argc > 2 ? atoi(argv[2]) : 60;
  if (n < 1 || iterations < 1) {
    fprintf(stderr, "usage: stencil27_cg [n [iterations]]\n");
    return 2;
  }
  const size_t m = (size_t)n + 2, len = m * m * m;
  double *x = calloc(len, sizeof(double));
  double *r = calloc(len, sizeof(double));
  double *p = calloc(len, sizeof(double));
  double *ap = calloc(len, sizeof(double));
  double *cols = calloc(m, sizeof(double)); /* one row of column sums */
  if (!x || !r || !p || !ap || !cols) {
    fprintf(stderr, "stencil27_cg: out of memory for n=%d\n", n);
    return 1;
  }
  for (size_t k = 1; k <= (size_t)n; ++k)
    for (size_t j = 1; j <= (size_t)n; ++j)
      for (size_t i = 1; i <= (size_t)n; ++i)
        r[(k * m + j) * m + i] = p[(k * m + j) * m + i] = 1.0;

  /* Untimed: write every page of ap and x once, so that no first-touch
   * page fault lands in the timed loop (x stays zero). */
  ApplyStencil(n, p, ap, cols);
  Axpy(0.0, p, x, len);

  const double start = Now();
  double rr = Dot(r, r, len);
  const double rr0 = rr;
  for (int it = 0; it < iterations; ++it) {
    ApplyStencil(n, p, ap, cols);
    const double alpha = rr / Dot(p, ap, len);
    Axpy(alpha, p, x, len);
    Axpy(-alpha, ap, r, len);
    const double rr_new = Dot(r, r, len);
    Xpay(r, rr_new / rr, p, len);
    rr = rr_new;
  }
  const double elapsed = Now() - start;

  double checksum = 0.0;
  for (size_t i = 0; i < len; ++i) checksum += x[i] * (double)(i % 7 + 1);
  /* Flops executed a step: per row, 8 adds for each of m column sums and
   * 4 an interior point; 2 an element for each of two dots and three
   * vector updates on the padded arrays. */
  const double flops =
      (double)iterations * ((double)n * n * (8.0 * m + 4.0 * n) + 10.0 * len);
  printf("stencil27_cg: grid %d^3, %d iterations\n", n, iterations);
  printf("relative residual: %.9e\n", sqrt(rr / rr0));
  printf("checksum: %.9e\n", checksum);
  printf("metric: %.3f GFLOP/s\n", flops / elapsed * 1e-9);
  printf("time: %.6f\n", elapsed);
  free(x);
  free(r);
  free(p);
  free(ap);
  free(cols);
  return 0;
}
