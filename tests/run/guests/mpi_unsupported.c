// Imports MPI functions the bridge does not provide: shared-memory windows
// (the ranks of a wasmhpc job do not share linear memory) and spawn.
#include <mpi.h>

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  MPI_Win win;
  int* base;
  MPI_Win_allocate_shared(16, sizeof(int), MPI_INFO_NULL, MPI_COMM_WORLD, &base,
                          &win);
  MPI_Aint size;
  int unit;
  MPI_Win_shared_query(win, 0, &size, &unit, &base);
  MPI_Comm child;
  MPI_Comm_spawn("worker", MPI_ARGV_NULL, 1, MPI_INFO_NULL, 0, MPI_COMM_SELF,
                 &child, MPI_ERRCODES_IGNORE);
  MPI_Finalize();
  return 0;
}
