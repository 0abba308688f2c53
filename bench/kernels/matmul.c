/* matmul: a cache-blocked dense matrix multiply C = A B in plain C, for
 * comparing native and Wasm floating-point speed where the compiler's
 * vector code matters most.
 * Loop order: panels of B (kBlockK x kBlockJ, sized for L2) outermost;
 * within a panel, four rows of C at a time take one B row each step, so
 * every load of B feeds four multiply-adds.
 * Usage: matmul [n [repetitions]]   (defaults 1536, 1; n a multiple of 4)
 * A and B hold small integers, so every product and partial sum is exact
 * with or without FMA contraction and the checksum is the same text
 * native and Wasm. Prints "metric: G GFLOP/s" (2 n^3 per multiply) and
 * "time: S" (the multiplies only). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { kBlockK = 128, kBlockJ = 512 };

static double Now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static size_t Min(size_t a, size_t b) { return a < b ? a : b; }

/* c_r[j] += a[r] * b[j] for the four rows r and j < width. */
static inline void UpdateFourRows(size_t width, const double a[4],
                                  const double *restrict b, double *restrict c0,
                                  double *restrict c1, double *restrict c2,
                                  double *restrict c3) {
  for (size_t j = 0; j < width; ++j) {
    c0[j] += a[0] * b[j];
    c1[j] += a[1] * b[j];
    c2[j] += a[2] * b[j];
    c3[j] += a[3] * b[j];
  }
}

/* C = A B for n x n row-major matrices. REQUIRES: n % 4 == 0. */
static void Multiply(size_t n, const double *a, const double *b, double *c) {
  memset(c, 0, n * n * sizeof(double));
  for (size_t jj = 0; jj < n; jj += kBlockJ) {
    const size_t width = Min(kBlockJ, n - jj);
    for (size_t kk = 0; kk < n; kk += kBlockK) {
      const size_t k_end = Min(kk + kBlockK, n);
      for (size_t i = 0; i < n; i += 4) {
        double *c0 = c + i * n + jj;
        for (size_t k = kk; k < k_end; ++k) {
          const double four[4] = {a[i * n + k], a[(i + 1) * n + k],
                                  a[(i + 2) * n + k], a[(i + 3) * n + k]};
          UpdateFourRows(width, four, b + k * n + jj, c0, c0 + n, c0 + 2 * n,
                         c0 + 3 * n);
        }
      }
    }
  }
}

int main(int argc, char **argv) {
  const int n_arg = argc > 1 ? atoi(argv[1]) : 1536;
  const int reps = argc > 2 ? atoi(argv[2]) : 1;
  if (n_arg < 4 || n_arg % 4 != 0 || reps < 1) {
    fprintf(stderr, "usage: matmul [n [repetitions]]  (n a multiple of 4)\n");
    return 2;
  }
  const size_t n = (size_t)n_arg;
  double *a = malloc(n * n * sizeof(double));
  double *b = malloc(n * n * sizeof(double));
  double *c = malloc(n * n * sizeof(double));
  if (!a || !b || !c) {
    fprintf(stderr, "matmul: out of memory for n=%d\n", n_arg);
    return 1;
  }
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      a[i * n + j] = (double)((i * 7 + j * 3) % 11) - 4.0;
      b[i * n + j] = (double)((i * 5 + j * 2) % 13) - 6.0;
    }
  }

  for (size_t i = 0; i < n * n; ++i) c[i] = -1.0; /* pages in first */
  const double start = Now();
  for (int rep = 0; rep < reps; ++rep) Multiply(n, a, b, c);
  const double elapsed = Now() - start;

  /* Spot check a few entries against a plain dot product. */
  int wrong = 0;
  for (size_t s = 0; s < 16; ++s) {
    const size_t i = (s * 97) % n, j = (s * 389 + 5) % n;
    double dot = 0.0;
    for (size_t k = 0; k < n; ++k) dot += a[i * n + k] * b[k * n + j];
    if (dot != c[i * n + j]) ++wrong;
  }
  double checksum = 0.0;
  for (size_t i = 0; i < n * n; ++i) checksum += c[i] * (double)(i % 7 + 1);
  printf("matmul: n %d, %d repetitions\n", n_arg, reps);
  printf("spot check: %s\n", wrong == 0 ? "ok" : "WRONG");
  printf("checksum: %.0f\n", checksum);
  printf("corners: %.0f %.0f\n", c[0], c[n * n - 1]);
  printf("metric: %.3f GFLOP/s\n", 2.0 * n * n * n * reps / elapsed * 1e-9);
  printf("time: %.6f\n", elapsed);
  free(a);
  free(b);
  free(c);
  return wrong == 0 ? 0 : 1;
}
