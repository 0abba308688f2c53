// A guest for the worker pool tests; argv[1] picks what every rank does.
//   spin      print a line, then compute forever
//   deadlock  print a line, then MPI_Recv from the next rank (nobody sends)
//   barrier   rank 0 computes forever, the others wait in MPI_Barrier
//   trap      the last rank divides by zero, the others wait for it in
//             MPI_Recv
//   exit N    every rank exits with code N
//   abort N   the last rank calls MPI_Abort with code N, the others wait
//             in MPI_Barrier
//   flood N   every rank prints N numbered lines, to stdout and stderr
//   env NAME  every rank prints the value of environment variable NAME
//   nbc_user_op  MPI_Iallreduce with a user-defined op, then computing for
//             a while before MPI_Wait (the executor's control thread keeps
//             polling MPI meanwhile); prints the result
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile unsigned long counter;

__attribute__((noinline)) static void compute_forever(void) {
  for (;;) ++counter;
}

static void multiply(void* in, void* inout, int* len, MPI_Datatype* type) {
  (void)type;
  for (int i = 0; i < *len; ++i) ((int*)inout)[i] *= ((int*)in)[i];
}

static void nbc_user_op(int rank) {
  MPI_Op op;
  MPI_Op_create(multiply, 1, &op);
  int in[2] = {rank + 1, 2}, out[2] = {0, 0};
  MPI_Request request;
  MPI_Iallreduce(in, out, 2, MPI_INT, op, MPI_COMM_WORLD, &request);
  double until = MPI_Wtime() + 0.3;
  while (MPI_Wtime() < until) ++counter;
  MPI_Wait(&request, MPI_STATUS_IGNORE);
  printf("rank %d: product %d %d\n", rank, out[0], out[1]);
  MPI_Op_free(&op);
}

__attribute__((noinline)) static int divide(volatile int a, volatile int b) {
  return a / b;
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "";
  int rank, size, value = 0;
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  printf("rank %d of %d: %s\n", rank, size, mode);
  fflush(stdout);
  if (strcmp(mode, "spin") == 0) compute_forever();
  if (strcmp(mode, "deadlock") == 0) {
    MPI_Recv(&value, 1, MPI_INT, (rank + 1) % size, 0, MPI_COMM_WORLD,
             MPI_STATUS_IGNORE);
  }
  if (strcmp(mode, "barrier") == 0) {
    if (rank == 0) compute_forever();
    MPI_Barrier(MPI_COMM_WORLD);
  }
  if (strcmp(mode, "trap") == 0) {
    if (rank == size - 1) return divide(1, 0);
    MPI_Recv(&value, 1, MPI_INT, size - 1, 0, MPI_COMM_WORLD,
             MPI_STATUS_IGNORE);
  }
  if (strcmp(mode, "exit") == 0) return argc > 2 ? atoi(argv[2]) : 0;
  if (strcmp(mode, "abort") == 0) {
    if (rank == size - 1)
      MPI_Abort(MPI_COMM_WORLD, argc > 2 ? atoi(argv[2]) : 1);
    MPI_Barrier(MPI_COMM_WORLD);
  }
  if (strcmp(mode, "flood") == 0) {
    int lines = argc > 2 ? atoi(argv[2]) : 0;
    for (int i = 0; i < lines; ++i) {
      printf("rank %d line %d of %d\n", rank, i, lines);
      if (i % 1000 == 0) fprintf(stderr, "rank %d passed line %d\n", rank, i);
    }
  }
  if (strcmp(mode, "nbc_user_op") == 0) nbc_user_op(rank);
  if (strcmp(mode, "env") == 0 && argc > 2) {
    const char* value = getenv(argv[2]);
    printf("rank %d: %s=%s\n", rank, argv[2], value ? value : "(unset)");
  }
  MPI_Finalize();
  return 0;
}
