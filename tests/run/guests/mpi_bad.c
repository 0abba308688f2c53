// Bad MPI calls on purpose; argv[1] picks which. Checks that each becomes a
// trap naming the call (MPI_ERRORS_ARE_FATAL) or an error code
// (MPI_ERRORS_RETURN), and that the host never touches memory outside.
#include <mpi.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char** argv) {
  const char* how = argc > 1 ? argv[1] : "";
  int x = 0;
  if (strcmp(how, "before_init") == 0) {
    return MPI_Send(&x, 1, MPI_INT, 0, 0, MPI_COMM_WORLD);
  }
  MPI_Init(&argc, &argv);
  char* far = (char*)(__builtin_wasm_memory_size(0) * 65536 - 8);
  if (strcmp(how, "buffer") == 0) {
    MPI_Send(far, 4, MPI_DOUBLE, 0, 0, MPI_COMM_WORLD);
  } else if (strcmp(how, "wrong_kind") == 0) {
    MPI_Send(&x, 1, MPI_INT, 0, 0, (MPI_Comm)MPI_DOUBLE);
  } else if (strcmp(how, "freed") == 0) {
    MPI_Comm dup;
    MPI_Comm_dup(MPI_COMM_WORLD, &dup);
    MPI_Comm stale = dup;
    MPI_Comm_free(&dup);
    MPI_Barrier(stale);
  } else if (strcmp(how, "derived_extent") == 0) {
    MPI_Datatype strided;
    MPI_Type_vector(2, 1, 1 << 26, MPI_DOUBLE, &strided);  // 512 MiB apart
    MPI_Type_commit(&strided);
    MPI_Send(&x, 1, strided, 0, 0, MPI_COMM_WORLD);
  } else if (strcmp(how, "return") == 0) {
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    int codes[4] = {
        MPI_Send(far, 4, MPI_DOUBLE, 0, 0, MPI_COMM_WORLD),
        MPI_Send(&x, -1, MPI_INT, 0, 0, MPI_COMM_WORLD),
        MPI_Send(&x, 1, (MPI_Datatype)MPI_COMM_WORLD, 0, 0, MPI_COMM_WORLD),
        MPI_Send(&x, 1, MPI_INT, 0, 0, (MPI_Comm)MPI_DOUBLE),
    };
    printf("error classes: %d %d %d %d\n", codes[0], codes[1], codes[2],
           codes[3]);
    printf("still running: %d\n", x == 0);
  } else if (strcmp(how, "abort") == 0) {
    MPI_Abort(MPI_COMM_WORLD, 7);
  }
  MPI_Finalize();
  return 0;
}
