/* pi: midpoint-rule integration of 4/(1+x^2) over [0,1], split across ranks
 * by interleaved intervals and summed with MPI_Reduce on rank 0.
 * Usage: mpirun -np N pi [intervals]   (default 10000000) */
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static const double kPi = 3.141592653589793238462643;

int main(int argc, char **argv) {
  int rank, size;
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);

  int n = argc > 1 ? atoi(argv[1]) : 10000000;
  if (n <= 0) {
    if (rank == 0) fprintf(stderr, "pi: intervals must be positive\n");
    MPI_Abort(MPI_COMM_WORLD, 1);
  }

  const double h = 1.0 / n;
  double local = 0.0;
  for (int i = rank; i < n; i += size) {
    const double x = h * (i + 0.5);
    local += 4.0 / (1.0 + x * x);
  }
  local *= h;

  double pi = 0.0;
  MPI_Reduce(&local, &pi, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
  if (rank == 0) {
    printf("pi is approximately %.15f (%d intervals, %d ranks)\n", pi, n, size);
    printf("error %.15f\n", fabs(pi - kPi));
  }
  MPI_Finalize();
  return 0;
}
