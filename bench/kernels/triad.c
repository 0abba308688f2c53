/* triad: a STREAM-like triad a[i] = b[i] + s * c[i] over arrays much
 * larger than the caches, for comparing native and Wasm memory bandwidth.
 * Usage: triad [mega_elements [repetitions]]   (defaults 16, 30)
 * b and c hold small integers and s is a small integer, so every result
 * is exact with or without FMA contraction and the checksum is the same
 * text native and Wasm. Bandwidth counts 24 bytes an element (two loads
 * and a store, no write-allocate traffic), as STREAM does. Prints
 * "metric: G GB/s" and "time: S" (all repetitions, setup excluded). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double Now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* Not inlined, so the compiler keeps every repetition's stores. */
__attribute__((noinline)) static void Triad(double *restrict a,
                                            const double *restrict b,
                                            const double *restrict c, double s,
                                            size_t len) {
  for (size_t i = 0; i < len; ++i) a[i] = b[i] + s * c[i];
}

int main(int argc, char **argv) {
  const int mega = argc > 1 ? atoi(argv[1]) : 16;
  const int reps = argc > 2 ? atoi(argv[2]) : 30;
  if (mega < 1 || reps < 1) {
    fprintf(stderr, "usage: triad [mega_elements [repetitions]]\n");
    return 2;
  }
  const size_t len = (size_t)mega << 20;
  double *a = malloc(len * sizeof(double));
  double *b = malloc(len * sizeof(double));
  double *c = malloc(len * sizeof(double));
  if (!a || !b || !c) {
    fprintf(stderr, "triad: out of memory for %d Mi elements\n", mega);
    return 1;
  }
  for (size_t i = 0; i < len; ++i) {
    a[i] = -1.0; /* not 0: the pages must be written before the clock */
    b[i] = (double)(i % 1000);
    c[i] = (double)(i % 7);
  }

  /* Reading one element after each pass ties the passes together. */
  double probe = 0.0;
  const double start = Now();
  for (int rep = 0; rep < reps; ++rep) {
    Triad(a, b, c, (double)(rep % 4 + 1), len);
    probe += a[((size_t)rep * 7919u) % len];
  }
  const double elapsed = Now() - start;

  double checksum = 0.0;
  for (size_t i = 0; i < len; ++i) checksum += a[i];
  printf("triad: %d Mi elements, %d repetitions\n", mega, reps);
  printf("checksum: %.0f\n", checksum);
  printf("probe: %.0f\n", probe);
  printf("metric: %.3f GB/s\n", 24.0 * (double)len * reps / elapsed * 1e-9);
  printf("time: %.6f\n", elapsed);
  free(a);
  free(b);
  free(c);
  return 0;
}
