/* <mpi.h> alone must compile warning-free as C and as C++ (also as .cc). */
#include <mpi.h>

int wasmhpc_header_test(void) { return MPI_VERSION; }
