/* cg_serial: the CG kernel of examples/cg.c without MPI, for comparing
 * native and Wasm compute speed. Solves -laplace(u) = 1 on an n^3 grid of
 * interior points, zero Dirichlet boundaries, 7-point stencil (A = 6 I -
 * neighbours), until the relative residual drops below tol.
 * Usage: cg_serial [n [max_iterations [tol]]]   (defaults 104, 1000, 1e-10)
 * Prints iterations, residual and checksum (identical native and Wasm when
 * built without FMA contraction or -ffast-math) and then "time: S" with the
 * solve time in seconds (monotonic clock, setup excluded). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double Now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* out = A v for an n^3 grid; v has one zero halo plane below and above. */
static void ApplyStencil(int n, const double *v, double *out) {
  const size_t p = (size_t)n * n;
  for (int k = 1; k <= n; ++k) {
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

static double Dot(const double *a, const double *b, size_t len) {
  double sum = 0.0;
  for (size_t i = 0; i < len; ++i) sum += a[i] * b[i];
  return sum;
}

int main(int argc, char **argv) {
  const int n = argc > 1 ? atoi(argv[1]) : 104;
  const int max_it = argc > 2 ? atoi(argv[2]) : 1000;
  const double tol = argc > 3 ? atof(argv[3]) : 1e-10;
  if (n < 1 || max_it < 0) {
    fprintf(stderr, "usage: cg_serial [n [max_iterations [tol]]]\n");
    return 2;
  }
  const size_t plane = (size_t)n * n, len = plane * n;
  double *x = calloc(len, sizeof(double));
  double *r = calloc(len, sizeof(double));
  double *ap = calloc(len, sizeof(double));
  double *p = calloc(len + 2 * plane, sizeof(double)); /* zero halos */
  if (!x || !r || !ap || !p) {
    fprintf(stderr, "cg_serial: out of memory for n=%d\n", n);
    return 1;
  }

  const double start = Now();
  for (size_t i = 0; i < len; ++i) r[i] = p[plane + i] = 1.0;
  double rr = Dot(r, r, len);
  const double rr0 = rr;
  int it = 0;
  while (it < max_it && sqrt(rr / rr0) > tol) {
    ApplyStencil(n, p, ap);
    const double alpha = rr / Dot(p + plane, ap, len);
    for (size_t i = 0; i < len; ++i) {
      x[i] += alpha * p[plane + i];
      r[i] -= alpha * ap[i];
    }
    const double rr_new = Dot(r, r, len);
    const double beta = rr_new / rr;
    for (size_t i = 0; i < len; ++i) p[plane + i] = r[i] + beta * p[plane + i];
    rr = rr_new;
    ++it;
  }
  const double elapsed = Now() - start;

  double checksum = 0.0;
  for (size_t i = 0; i < len; ++i) checksum += x[i] * (double)(i % 7 + 1);
  printf("cg_serial: grid %d^3, tol %.1e\n", n, tol);
  printf("iterations: %d\n", it);
  printf("residual: %.17e\n", sqrt(rr));
  printf("checksum: %.17e\n", checksum);
  printf("time: %.6f\n", elapsed);
  free(x);
  free(r);
  free(ap);
  free(p);
  return 0;
}
