/* Passes a token around the ranks and reduces a library result; prints
 * what configure found, so both builds must find the same. Meson builds
 * it too (tests/sdk/meson_project), without config.h. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <mpi.h>
#include <stdio.h>

#include "stats.h"

int main(int argc, char **argv) {
  int rank, size, token = 0;
  long long part, total = 0;
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (rank == 0) {
    MPI_Send(&token, 1, MPI_INT, 1 % size, 0, MPI_COMM_WORLD);
    MPI_Recv(&token, 1, MPI_INT, size - 1, 0, MPI_COMM_WORLD,
             MPI_STATUS_IGNORE);
  } else {
    MPI_Recv(&token, 1, MPI_INT, rank - 1, 0, MPI_COMM_WORLD,
             MPI_STATUS_IGNORE);
    token += rank;
    MPI_Send(&token, 1, MPI_INT, (rank + 1) % size, 0, MPI_COMM_WORLD);
  }
  part = stats_sum_squares(rank * 100, 100);
  MPI_Reduce(&part, &total, 1, MPI_LONG_LONG, MPI_SUM, 0, MPI_COMM_WORLD);
  if (rank == 0) {
    printf("token %d sum %lld\n", token, total);
#ifdef HAVE_MPI_REDUCE_SCATTER_BLOCK
    printf("have MPI_Reduce_scatter_block\n");
#endif
#ifdef HAVE_MPI_INEIGHBOR_ALLTOALLW
    printf("have MPI_Ineighbor_alltoallw\n");
#endif
  }
  MPI_Finalize();
  return 0;
}
