/* rma: one-sided Put and Get between 2 ranks, latency and bandwidth.
 * Built natively and to Wasm from this one source (bench/CMakeLists.txt);
 * bench/mpi_bench.py compares the two.
 *
 * Rank 0 holds a passive-target epoch on rank 1 (MPI_Win_lock_all) and
 * times one MPI_Put or MPI_Get of `bytes` followed by MPI_Win_flush(1),
 * i.e. the time until the transfer is complete at both ends. Rank 1 waits
 * in MPI_Barrier meanwhile (which drives progress for the target). The
 * window is MPI_Win_create'd over 1 MiB of malloc'd memory per rank: under
 * wasmhpc every window is made that way over linear memory, so the native
 * run uses the same host osc component (MPI_Win_allocate would get Open
 * MPI's shared-memory osc/sm natively, a different transport). The last
 * Get's data is checked; a wrong byte aborts with exit status 1.
 *
 * Usage: mpirun -np 2 rma [scale]  (scale multiplies the repetitions,
 * default 1: a run takes well under a second natively).
 * Output (rank 0): '#' comment lines, then `op bytes reps usec_per_call`. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { kMaxBytes = 1 << 20, kWarmup = 10 };

static const int kSizes[] = {8, 1024, 65536, 1 << 20};
static const int kReps[] = {4000, 2000, 400, 60};

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, nranks;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &nranks);
  double scale = argc > 1 ? atof(argv[1]) : 1.0;
  if (nranks != 2) {
    if (rank == 0) fprintf(stderr, "rma: run with 2 ranks\n");
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  /* Page-aligned, as the other MPI benchmarks. */
  unsigned char *base = aligned_alloc(4096, kMaxBytes);
  MPI_Win win;
  MPI_Win_create(base, kMaxBytes, 1, MPI_INFO_NULL, MPI_COMM_WORLD, &win);
  unsigned char *local = aligned_alloc(4096, kMaxBytes);
  for (int i = 0; i < kMaxBytes; ++i) base[i] = (unsigned char)(i * 7 + rank);
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank == 0) printf("# op bytes reps usec_per_call\n");
  for (int op = 0; op < 2; ++op) {
    for (size_t s = 0; s < sizeof kSizes / sizeof kSizes[0]; ++s) {
      int bytes = kSizes[s];
      int reps = (int)(kReps[s] * scale);
      if (reps < 4) reps = 4;
      if (rank == 0) {
        memset(local, 0, bytes);
        MPI_Win_lock_all(0, win);
        double start = 0;
        for (int i = -kWarmup; i < reps; ++i) {
          if (i == 0) start = MPI_Wtime();
          if (op == 0) {
            MPI_Put(local, bytes, MPI_BYTE, 1, 0, bytes, MPI_BYTE, win);
          } else {
            MPI_Get(local, bytes, MPI_BYTE, 1, 0, bytes, MPI_BYTE, win);
          }
          MPI_Win_flush(1, win);
        }
        double usec = (MPI_Wtime() - start) * 1e6 / reps;
        MPI_Win_unlock_all(win);
        if (op == 1 &&
            local[bytes - 1] != (unsigned char)((bytes - 1) * 7 + 1)) {
          fprintf(stderr, "rma: wrong data from MPI_Get\n");
          MPI_Abort(MPI_COMM_WORLD, 1);
        }
        printf("%s %d %d %.3f\n", op == 0 ? "MPI_Put" : "MPI_Get", bytes, reps,
               usec);
      }
      MPI_Barrier(MPI_COMM_WORLD);
      /* Put overwrote rank 1's window: restore the pattern for the Gets. */
      if (rank == 1 && op == 0) {
        for (int i = 0; i < kMaxBytes; ++i)
          base[i] = (unsigned char)(i * 7 + 1);
      }
      MPI_Barrier(MPI_COMM_WORLD);
    }
  }
  MPI_Win_free(&win);
  free(base);
  free(local);
  MPI_Finalize();
  return 0;
}
