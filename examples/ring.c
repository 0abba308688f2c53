/* ring: a token travels once around the ranks 0 -> 1 -> ... -> 0 with
 * MPI_Send/MPI_Recv; each rank adds its rank number, so rank 0 ends up with
 * 0 + 1 + ... + (size-1). Usage: mpirun -np N ring [laps]  (default 1) */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

enum { kTag = 7 };

int main(int argc, char **argv) {
  int rank, size;
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);

  const int laps = argc > 1 ? atoi(argv[1]) : 1;
  const int next = (rank + 1) % size;
  const int prev = (rank + size - 1) % size;
  int token = 0;
  for (int lap = 0; lap < laps; ++lap) {
    if (size == 1) {
      token += rank;  // a ring of one: nothing to send
    } else if (rank == 0) {
      token += rank;
      MPI_Send(&token, 1, MPI_INT, next, kTag, MPI_COMM_WORLD);
      MPI_Recv(&token, 1, MPI_INT, prev, kTag, MPI_COMM_WORLD,
               MPI_STATUS_IGNORE);
    } else {
      MPI_Recv(&token, 1, MPI_INT, prev, kTag, MPI_COMM_WORLD,
               MPI_STATUS_IGNORE);
      token += rank;
      MPI_Send(&token, 1, MPI_INT, next, kTag, MPI_COMM_WORLD);
    }
  }
  if (rank == 0) {
    printf("ring of %d ranks, %d laps: token = %d (expected %d)\n", size, laps,
           token, laps * size * (size - 1) / 2);
  }
  MPI_Finalize();
  return 0;
}
