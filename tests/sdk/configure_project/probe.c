/* Prints what configure found about the target and a reduction over the
 * ranks; the native and the Wasm build must print the same, so configure's
 * answers (sizes, malloc, test programs run) must be the target's. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#include "config.h"
#include "sum.h"

int main(int argc, char **argv) {
  int rank;
  long long part, total = 0;
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  part = sum_range(rank * 10, 10);
  MPI_Reduce(&part, &total, 1, MPI_LONG_LONG, MPI_SUM, 0, MPI_COMM_WORLD);
  if (rank == 0) {
    printf("sum %lld\n", total);
    printf("SIZEOF_LONG is sizeof(long): %s\n",
           SIZEOF_LONG == sizeof(long) ? "yes" : "no");
    printf("SIZEOF_VOID_P is sizeof(void *): %s\n",
           SIZEOF_VOID_P == sizeof(void *) ? "yes" : "no");
    printf("HAVE_MALLOC: %d\n", HAVE_MALLOC);
    printf("test programs: %s\n", RUN_RESULT);
#ifdef HAVE_LIBMPI
    printf("AC_CHECK_LIB(mpi, MPI_Init): yes\n");
#endif
  }
  free(malloc(0)); /* rpl_malloc if configure guessed malloc(0) wrong */
  MPI_Finalize();
  return 0;
}
