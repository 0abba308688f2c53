/* Shared by the MPI correctness programs: CHECK aborts the job with the
 * failing call and its code. The includer defines `int rank`. */
#ifndef WASMHPC_TESTS_MPI_MPI_CHECK_H_
#define WASMHPC_TESTS_MPI_MPI_CHECK_H_

#include <mpi.h>
#include <stdio.h>

#define CHECK(call)                                             \
  do {                                                          \
    int rc_ = (call);                                           \
    if (rc_ != MPI_SUCCESS) {                                   \
      printf("rank %d: %s failed with %d\n", rank, #call, rc_); \
      MPI_Abort(MPI_COMM_WORLD, 1);                             \
    }                                                           \
  } while (0)

#endif /* WASMHPC_TESTS_MPI_MPI_CHECK_H_ */
