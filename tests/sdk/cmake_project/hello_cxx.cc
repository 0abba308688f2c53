#include <mpi.h>

#include <cstdio>
#include <vector>

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  std::vector<int> ranks(1);
  MPI_Comm_rank(MPI_COMM_WORLD, ranks.data());
  std::printf("hello from C++ rank %d\n", ranks[0]);
  MPI_Finalize();
  return 0;
}
