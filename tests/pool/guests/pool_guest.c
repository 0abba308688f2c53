// A guest for the worker pool tests; argv[1] picks what every rank does.
//   spin      print a line, then compute forever
//   deadlock  print a line, then MPI_Recv from the next rank (nobody sends)
//   barrier   rank 0 computes forever, the others wait in MPI_Barrier
//   trap      the last rank divides by zero, the others wait for it in
//             MPI_Recv
//   exit N    every rank exits with code N
//   no_finalize  the last rank returns 0 from main without MPI_Finalize,
//             the others wait for it in MPI_Recv (nobody sends)
//   finalize_exit  the last rank calls MPI_Finalize and returns 0, the
//             others wait for it in MPI_Recv (nobody sends)
//   abort N   the last rank calls MPI_Abort with code N, the others wait
//             in MPI_Barrier
//   flood N   every rank prints N numbered lines, to stdout and stderr
//   env NAME  every rank prints the value of environment variable NAME
//   stdin     every rank reads its stdin to the end and prints how many
//             bytes it read and their first line
//   nbc_user_op  MPI_Iallreduce with a user-defined op, then point-to-point
//             traffic that needs the reduction not to block (rank 1 sends
//             1 MiB to rank 0 before its own MPI_Iallreduce, rank 0
//             receives it after starting its own), then computing for a
//             while before MPI_Wait; prints the result
//   leave END every rank makes one object of each kind and frees none: a
//             duplicate communicator, a group, a datatype, an op, an info,
//             a window over MPI_COMM_WORLD and one over MPI_COMM_SELF,
//             files /data/shared.dat (all ranks) and /data/rankR.dat (its
//             own), a receive nobody matches; then, END "finalize": calls
//             MPI_Finalize; END "trap": the last rank divides by zero, the
//             others wait for it in MPI_Recv
//   fence     rank 0 computes forever, the others wait in MPI_Win_fence
//   win_wait  rank 1 exposes its window to rank 0 (MPI_Win_post) and waits
//             in MPI_Win_wait; rank 0 never starts an access epoch
//   win_start rank 1 starts an access epoch to rank 0 (MPI_Win_start, then
//             MPI_Put and MPI_Win_complete); rank 0 never posts
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
  static char big[1 << 20];  // past the eager limit: MPI_Send waits
  if (rank == 1) MPI_Send(big, sizeof big, MPI_CHAR, 0, 5, MPI_COMM_WORLD);
  MPI_Request request;
  MPI_Iallreduce(in, out, 2, MPI_INT, op, MPI_COMM_WORLD, &request);
  if (rank == 0) {
    MPI_Recv(big, sizeof big, MPI_CHAR, 1, 5, MPI_COMM_WORLD,
             MPI_STATUS_IGNORE);
  }
  double until = MPI_Wtime() + 0.3;
  while (MPI_Wtime() < until) ++counter;
  MPI_Wait(&request, MPI_STATUS_IGNORE);
  printf("rank %d: product %d %d\n", rank, out[0], out[1]);
  MPI_Op_free(&op);
}

__attribute__((noinline)) static int divide(volatile int a, volatile int b) {
  return a / b;
}

static int window_memory[4];

static void leave(int rank, int size, const char* end) {
  MPI_Comm dup;
  MPI_Comm_dup(MPI_COMM_WORLD, &dup);
  MPI_Group group;
  MPI_Comm_group(dup, &group);
  MPI_Datatype pair;
  MPI_Type_contiguous(2, MPI_INT, &pair);
  MPI_Type_commit(&pair);
  MPI_Op op;
  MPI_Op_create(multiply, 1, &op);
  MPI_Info info;
  MPI_Info_create(&info);
  MPI_Info_set(info, "wasmhpc_test", "left");
  MPI_Win shared_win, own_win;
  MPI_Win_create(window_memory, 2 * sizeof(int), sizeof(int), MPI_INFO_NULL,
                 MPI_COMM_WORLD, &shared_win);
  MPI_Win_create(window_memory + 2, 2 * sizeof(int), sizeof(int), MPI_INFO_NULL,
                 MPI_COMM_SELF, &own_win);
  MPI_File shared, own;
  char name[64];
  snprintf(name, sizeof name, "/data/rank%d.dat", rank);
  int rc =
      MPI_File_open(MPI_COMM_WORLD, "/data/shared.dat",
                    MPI_MODE_CREATE | MPI_MODE_WRONLY, MPI_INFO_NULL, &shared);
  if (rc == MPI_SUCCESS) {
    rc = MPI_File_open(MPI_COMM_SELF, name, MPI_MODE_CREATE | MPI_MODE_WRONLY,
                       MPI_INFO_NULL, &own);
  }
  if (rc == MPI_SUCCESS) {
    rc = MPI_File_write_at(own, 0, name, (int)strlen(name), MPI_CHAR,
                           MPI_STATUS_IGNORE);
  }
  if (rc != MPI_SUCCESS) {
    printf("rank %d: MPI-IO failed with %d\n", rank, rc);
    return;
  }
  static int never;
  MPI_Request pending;
  MPI_Irecv(&never, 1, MPI_INT, MPI_ANY_SOURCE, 99, dup, &pending);
  MPI_Barrier(MPI_COMM_WORLD);
  printf("rank %d: left one of each\n", rank);
  fflush(stdout);
  if (strcmp(end, "trap") == 0) {
    if (rank == size - 1) divide(1, 0);
    MPI_Recv(&never, 1, MPI_INT, size - 1, 0, MPI_COMM_WORLD,
             MPI_STATUS_IGNORE);
  }
}

static void fence(int rank) {
  MPI_Win win;
  MPI_Win_create(window_memory, sizeof window_memory, sizeof(int),
                 MPI_INFO_NULL, MPI_COMM_WORLD, &win);
  if (rank == 0) compute_forever();
  MPI_Win_fence(0, win);
}

static void win_wait(int rank) {
  MPI_Win win;
  MPI_Win_create(window_memory, sizeof window_memory, sizeof(int),
                 MPI_INFO_NULL, MPI_COMM_WORLD, &win);
  if (rank == 0) compute_forever();
  MPI_Group world, origin;
  MPI_Comm_group(MPI_COMM_WORLD, &world);
  int zero = 0;
  MPI_Group_incl(world, 1, &zero, &origin);
  MPI_Win_post(origin, 0, win);
  MPI_Win_wait(win);
}

static void win_start(int rank) {
  MPI_Win win;
  MPI_Win_create(window_memory, sizeof window_memory, sizeof(int),
                 MPI_INFO_NULL, MPI_COMM_WORLD, &win);
  if (rank == 0) compute_forever();
  MPI_Group world, target;
  MPI_Comm_group(MPI_COMM_WORLD, &world);
  int zero = 0;
  MPI_Group_incl(world, 1, &zero, &target);
  MPI_Win_start(target, 0, win);
  MPI_Put(&zero, 1, MPI_INT, 0, 0, 1, MPI_INT, win);
  MPI_Win_complete(win);
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
  if (strcmp(mode, "no_finalize") == 0 || strcmp(mode, "finalize_exit") == 0) {
    if (rank == size - 1) {
      if (strcmp(mode, "finalize_exit") == 0) MPI_Finalize();
      return 0;
    }
    MPI_Recv(&value, 1, MPI_INT, size - 1, 0, MPI_COMM_WORLD,
             MPI_STATUS_IGNORE);
  }
  if (strcmp(mode, "abort") == 0) {
    // The last rank aborts once every other rank is about to wait in the
    // barrier (each sends it a token first, then enters it).
    if (rank == size - 1) {
      for (int peer = 0; peer < size - 1; ++peer) {
        MPI_Recv(&value, 1, MPI_INT, peer, 0, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
      }
      MPI_Abort(MPI_COMM_WORLD, argc > 2 ? atoi(argv[2]) : 1);
    }
    MPI_Send(&rank, 1, MPI_INT, size - 1, 0, MPI_COMM_WORLD);
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
  if (strcmp(mode, "leave") == 0) leave(rank, size, argc > 2 ? argv[2] : "");
  if (strcmp(mode, "fence") == 0) fence(rank);
  if (strcmp(mode, "win_wait") == 0) win_wait(rank);
  if (strcmp(mode, "win_start") == 0) win_start(rank);
  if (strcmp(mode, "env") == 0 && argc > 2) {
    const char* value = getenv(argv[2]);
    printf("rank %d: %s=%s\n", rank, argv[2], value ? value : "(unset)");
  }
  if (strcmp(mode, "stdin") == 0) {
    static char input[1 << 20];
    size_t n = fread(input, 1, sizeof input - 1, stdin);
    input[n] = '\0';
    input[strcspn(input, "\n")] = '\0';
    printf("rank %d read %zu bytes: %s\n", rank, n, input);
  }
  MPI_Finalize();
  return 0;
}
