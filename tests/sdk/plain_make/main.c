#include <mpi.h>
#include <stdio.h>

#include "work.h"

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  printf("sum of ranks: %d\n", SumOfRanks());
  MPI_Finalize();
  return 0;
}
