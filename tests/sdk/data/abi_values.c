/* Compile-time checks of the MPI 5.0 standard ABI's type sizes and layouts
 * in <mpi.h> on wasm32. Compiling this file (-Werror) is the test. The
 * values are checked against the ABI table by sdk.abi_table. */
#include <mpi.h>
#include <stddef.h>

#define EXPECT(cond) _Static_assert(cond, #cond)

/* Types and sizes. */
EXPECT(sizeof(MPI_Status) == 32);
EXPECT(offsetof(MPI_Status, MPI_SOURCE) == 0);
EXPECT(offsetof(MPI_Status, MPI_TAG) == 4);
EXPECT(offsetof(MPI_Status, MPI_ERROR) == 8);
EXPECT(sizeof(MPI_Aint) == 4 && sizeof(MPI_Aint) == sizeof(void *));
EXPECT(sizeof(MPI_Offset) == 8 && sizeof(MPI_Count) == 8);
EXPECT(sizeof(MPI_Comm) == 4 && sizeof(MPI_Datatype) == 4);
