// Imports an MPI function the bridge does not provide (one-sided RMA).
#include <mpi.h>

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  MPI_Win win;
  static int buffer[4];
  MPI_Win_create(buffer, sizeof buffer, sizeof(int), MPI_INFO_NULL,
                 MPI_COMM_WORLD, &win);
  MPI_Finalize();
  return 0;
}
