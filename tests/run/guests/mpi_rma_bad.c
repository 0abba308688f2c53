// Bad one-sided calls on purpose; argv[1] picks which. Each must become a
// trap naming the call (MPI_ERRORS_ARE_FATAL) or an error code
// (MPI_ERRORS_RETURN) before the host MPI touches memory.
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int window[4];

int main(int argc, char** argv) {
  const char* how = argc > 1 ? argv[1] : "";
  MPI_Init(&argc, &argv);
  int x[8] = {0};
  MPI_Win win;
  if (strcmp(how, "wrong_kind") == 0) {
    MPI_Win_fence(0, (MPI_Win)MPI_COMM_WORLD);
  } else if (strcmp(how, "past_memory") == 0) {
    char* far = (char*)(__builtin_wasm_memory_size(0) * 65536 - 8);
    MPI_Win_create(far, 64, 1, MPI_INFO_NULL, MPI_COMM_WORLD, &win);
  }
  MPI_Win_create(window, sizeof window, sizeof(int), MPI_INFO_NULL,
                 MPI_COMM_WORLD, &win);
  MPI_Win_fence(0, win);
  if (strcmp(how, "put_range") == 0) {
    MPI_Put(x, 2, MPI_INT, 0, 3, 2, MPI_INT, win);  // ints 3 and 4 of 4
  } else if (strcmp(how, "get_range") == 0) {
    MPI_Get(x, 1, MPI_INT, 0, -1, 1, MPI_INT, win);
  } else if (strcmp(how, "disp_unit_overflow") == 0) {
    // A unit of 1 GiB: displacement 4 is 4 GiB, past any wasm32 memory.
    MPI_Win big;
    MPI_Win_create(window, sizeof window, 1 << 30, MPI_INFO_NULL,
                   MPI_COMM_WORLD, &big);
    MPI_Win_fence(0, big);
    MPI_Put(x, 1, MPI_INT, 0, 4, 1, MPI_INT, big);
  } else if (strcmp(how, "return") == 0) {
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Win_set_errhandler(win, MPI_ERRORS_RETURN);
    int codes[4] = {
        MPI_Put(x, 2, MPI_INT, 0, 3, 2, MPI_INT, win),
        MPI_Get(x, 1, MPI_INT, 0, 1 << 29, 1, MPI_INT, win),
        MPI_Accumulate(x, 1, MPI_INT, 0, 0, 1, MPI_INT, MPI_SUM,
                       (MPI_Win)MPI_INT),
        MPI_Put(x, 1, MPI_INT, 5, 0, 1, MPI_INT, win),
    };
    printf("error classes: %d %d %d %d\n", codes[0], codes[1], codes[2],
           codes[3]);
    printf("window intact: %d\n", window[3] == 0);
  } else if (strcmp(how, "freed_memory") == 0) {
    // A window over heap memory the guest frees and reuses: host accesses
    // stay inside linear memory; the data is just whatever is there.
    int* heap = malloc(64 * sizeof(int));
    MPI_Win hw;
    MPI_Win_create(heap, 64 * sizeof(int), sizeof(int), MPI_INFO_NULL,
                   MPI_COMM_WORLD, &hw);
    free(heap);
    int* reuse = malloc(64 * sizeof(int));
    memset(reuse, 0, 64 * sizeof(int));
    MPI_Win_fence(0, hw);
    int v[4] = {1, 2, 3, 4};
    MPI_Put(v, 4, MPI_INT, 0, 60, 4, MPI_INT, hw);
    MPI_Get(x, 8, MPI_INT, 0, 0, 8, MPI_INT, hw);
    MPI_Win_fence(0, hw);
    MPI_Win_free(&hw);
    free(reuse);
    printf("survived a window over freed memory\n");
  }
  MPI_Win_fence(0, win);
  MPI_Win_free(&win);
  MPI_Finalize();
  return 0;
}
