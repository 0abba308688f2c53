/* The trivial MPI program of the launch and throughput benchmarks
 * (bench/launch_bench.py), built natively and to Wasm from this source.
 *
 * Its first action in main reads the wall clock (CLOCK_REALTIME; WASI hands
 * the guest the host's), so the bench can subtract the time it submitted or
 * launched the job: the time to the first guest instruction, measured rather
 * than guessed. Then MPI_Init, a barrier, and rank 0 prints the earliest and
 * the latest of the ranks' first-instruction times (reduced over the ranks):
 *
 *   first_instruction_ns MIN MAX ranks N
 */
#include <mpi.h>
#include <stdio.h>
#include <time.h>

int main(int argc, char **argv) {
  struct timespec first;
  clock_gettime(CLOCK_REALTIME, &first);
  long long ns = (long long)first.tv_sec * 1000000000LL + first.tv_nsec;

  MPI_Init(&argc, &argv);
  int rank = 0, size = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  MPI_Barrier(MPI_COMM_WORLD);
  long long earliest = 0, latest = 0;
  MPI_Reduce(&ns, &earliest, 1, MPI_LONG_LONG, MPI_MIN, 0, MPI_COMM_WORLD);
  MPI_Reduce(&ns, &latest, 1, MPI_LONG_LONG, MPI_MAX, 0, MPI_COMM_WORLD);
  if (rank == 0) {
    printf("first_instruction_ns %lld %lld ranks %d\n", earliest, latest, size);
  }
  MPI_Finalize();
  return 0;
}
