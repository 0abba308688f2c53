/* Shared by the MPI correctness programs: CHECK aborts the job with the
 * failing call and its code; BOTH runs a collective's blocking or
 * nonblocking form; CompareName names a comparison result (their values
 * differ between the host's mpi.h and the standard ABI). The includer
 * defines `int rank`. */
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

/* Runs the blocking form, or the nonblocking form (which sets `req_`) and
 * waits for it. */
#define BOTH(nb, blocking_call, nonblocking_call) \
  do {                                            \
    if (nb) {                                     \
      MPI_Request req_;                           \
      CHECK(nonblocking_call);                    \
      CHECK(MPI_Wait(&req_, MPI_STATUS_IGNORE));  \
    } else {                                      \
      CHECK(blocking_call);                       \
    }                                             \
  } while (0)

/* "IDENT", "CONGRUENT", "SIMILAR" or "UNEQUAL". */
static inline const char* CompareName(int result) {
  switch (result) {
    case MPI_IDENT:
      return "IDENT";
    case MPI_CONGRUENT:
      return "CONGRUENT";
    case MPI_SIMILAR:
      return "SIMILAR";
    case MPI_UNEQUAL:
      return "UNEQUAL";
    default:
      return "?";
  }
}

#endif /* WASMHPC_TESTS_MPI_MPI_CHECK_H_ */
