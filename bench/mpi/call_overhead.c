/* call_overhead: nanoseconds per call of cheap MPI calls, in a tight loop
 * on one rank: MPI_Comm_rank, MPI_Type_size (MPI_DOUBLE) and MPI_Iprobe
 * with no message pending (MPI_ANY_SOURCE, MPI_ANY_TAG). Built natively and
 * to Wasm from this one source; the difference is the cost of crossing the
 * Wasm/host bridge (bench/mpi_bench.py).
 *
 * Each call gets calibration loops (iterations x10 until a loop takes a
 * tenth of ms_per_call, at most 30 ms), then one timed loop of about
 * ms_per_call ms. A result that is
 * not what the call must return aborts with exit status 1.
 *
 * Usage: mpirun -np 1 call_overhead [ms_per_call]   (default 300)
 * Output: '#' comment lines, then `call iters ns_per_call`. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

enum { kFirstIters = 1000 };

/* Runs `iters` calls; returns how many returned an unexpected result. */
typedef long (*CallLoop)(long iters);

static long CommRankLoop(long iters) {
  long wrong = 0;
  for (long i = 0; i < iters; ++i) {
    int rank = -1;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    wrong += rank != 0;
  }
  return wrong;
}

static long TypeSizeLoop(long iters) {
  long wrong = 0;
  for (long i = 0; i < iters; ++i) {
    int size = -1;
    MPI_Type_size(MPI_DOUBLE, &size);
    wrong += size != 8;
  }
  return wrong;
}

static long IprobeLoop(long iters) {
  long wrong = 0;
  for (long i = 0; i < iters; ++i) {
    int flag = 1;
    MPI_Status status;
    MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &status);
    wrong += flag != 0;
  }
  return wrong;
}

static const struct {
  const char *name;
  CallLoop loop;
} kCalls[] = {
    {"MPI_Comm_rank", CommRankLoop},
    {"MPI_Type_size", TypeSizeLoop},
    {"MPI_Iprobe", IprobeLoop},
};

/* Seconds taken by `iters` calls; aborts on a wrong result. */
static double TimeLoop(const char *name, CallLoop loop, long iters) {
  const double start = MPI_Wtime();
  const long wrong = loop(iters);
  const double seconds = MPI_Wtime() - start;
  if (wrong != 0) {
    fprintf(stderr, "call_overhead: %s: %ld of %ld calls went wrong\n", name,
            wrong, iters);
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  return seconds;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  const double ms_per_call = argc > 1 ? atof(argv[1]) : 300.0;
  if (ms_per_call <= 0) {
    fprintf(stderr, "usage: call_overhead [ms_per_call]\n");
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  const double target = ms_per_call / 1e3;
  printf("# call_overhead on one rank, about %.0f ms per call\n", ms_per_call);
  printf("%-14s %12s %12s\n", "call", "iters", "ns_per_call");
  for (size_t i = 0; i < sizeof kCalls / sizeof kCalls[0]; ++i) {
    long iters = kFirstIters;
    double seconds = TimeLoop(kCalls[i].name, kCalls[i].loop, iters);
    while (seconds < target / 10 && seconds < 0.03) {
      iters *= 10;
      seconds = TimeLoop(kCalls[i].name, kCalls[i].loop, iters);
    }
    iters = (long)(iters * (target / seconds)) + 1;
    seconds = TimeLoop(kCalls[i].name, kCalls[i].loop, iters);
    printf("%-14s %12ld %12.2f\n", kCalls[i].name, iters,
           seconds / iters * 1e9);
    fflush(stdout);
  }
  MPI_Finalize();
  return 0;
}
