/* Calls MPI_Send: must link with env.MPI_Send as an import. */
#include <mpi.h>

int main(int argc, char **argv) {
  int value = 42;
  MPI_Init(&argc, &argv);
  MPI_Send(&value, 1, MPI_INT, 0, 0, MPI_COMM_WORLD);
  MPI_Finalize();
  return 0;
}
