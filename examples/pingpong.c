/* pingpong: latency and bandwidth between ranks 0 and 1 for messages of
 * 0 B and 1 B .. max_bytes (doubling), with MPI_Send/MPI_Recv. Latency is
 * half the round-trip time; bandwidth is bytes / latency. Other ranks idle.
 * Usage: mpirun -np 2 pingpong [reps [max_bytes]]
 *   reps: round trips per size (default: adaptive, 10000 for small messages
 *   down to 16 for 4 MiB, so that a run takes well under 2 s).
 *   max_bytes: largest message (default 4194304). */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { kTag = 1, kWarmup = 4 };

/* Round trips per size when the user gives none: about 64 MiB per size. */
static int DefaultReps(int bytes) {
  const int budget = 64 << 20;
  int reps = bytes > 0 ? budget / bytes : 10000;
  if (reps > 10000) reps = 10000;
  if (reps < 16) reps = 16;
  return reps;
}

/* Runs `reps` round trips of `bytes` between ranks 0 and 1; returns the mean
 * half round-trip time in seconds on rank 0 (0 elsewhere). */
static double PingPong(char *buf, int bytes, int reps, int rank) {
  double start = 0.0;
  for (int i = -kWarmup; i < reps; ++i) {
    if (i == 0) start = MPI_Wtime();
    if (rank == 0) {
      MPI_Send(buf, bytes, MPI_BYTE, 1, kTag, MPI_COMM_WORLD);
      MPI_Recv(buf, bytes, MPI_BYTE, 1, kTag, MPI_COMM_WORLD,
               MPI_STATUS_IGNORE);
    } else if (rank == 1) {
      MPI_Recv(buf, bytes, MPI_BYTE, 0, kTag, MPI_COMM_WORLD,
               MPI_STATUS_IGNORE);
      MPI_Send(buf, bytes, MPI_BYTE, 0, kTag, MPI_COMM_WORLD);
    }
  }
  return rank == 0 ? (MPI_Wtime() - start) / (2.0 * reps) : 0.0;
}

int main(int argc, char **argv) {
  int rank, size;
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (size < 2) {
    if (rank == 0) fprintf(stderr, "pingpong: needs at least 2 ranks\n");
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  const int fixed_reps = argc > 1 ? atoi(argv[1]) : 0;
  const int max_bytes = argc > 2 ? atoi(argv[2]) : 4 << 20;
  if (fixed_reps < 0 || max_bytes < 0) {
    if (rank == 0) fprintf(stderr, "usage: pingpong [reps [max_bytes]]\n");
    MPI_Abort(MPI_COMM_WORLD, 1);
  }

  /* Page-aligned, as the OSU benchmarks do: where malloc places a large
   * buffer differs between C libraries (glibc, wasi-libc), and so does how
   * fast its bytes are copied. */
  const size_t page = 4096;
  char *buf = aligned_alloc(page, ((size_t)max_bytes + page) / page * page);
  if (buf == NULL) MPI_Abort(MPI_COMM_WORLD, 1);
  memset(buf, 0x5a, max_bytes > 0 ? (size_t)max_bytes : 1);

  if (rank == 0) {
    printf("# pingpong between ranks 0 and 1 (%d ranks)\n", size);
    printf("%10s %6s %14s %14s\n", "bytes", "reps", "latency_us",
           "bandwidth_MBs");
  }
  for (int bytes = 0; bytes <= max_bytes; bytes = bytes ? 2 * bytes : 1) {
    const int reps = fixed_reps > 0 ? fixed_reps : DefaultReps(bytes);
    const double t = PingPong(buf, bytes, reps, rank);
    if (rank == 0) {
      printf("%10d %6d %14.3f %14.1f\n", bytes, reps, t * 1e6, bytes / t / 1e6);
    }
    if (bytes > max_bytes / 2) break; /* avoid int overflow when doubling */
  }
  free(buf);
  MPI_Finalize();
  return 0;
}
