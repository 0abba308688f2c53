/* Compile-time checks of key MPI 5.0 standard ABI values in <mpi.h> on
 * wasm32. Compiling this file (-Werror) is the test. */
#include <mpi.h>
#include <stddef.h>

#define EXPECT(cond) _Static_assert(cond, #cond)

/* Handle constants are pointer casts, not integer constant expressions; an
 * array size folds them, and a negative size fails the build. */
#pragma clang diagnostic ignored "-Wgnu-folding-constant"
#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define EXPECT_HANDLE(handle, value) \
  typedef char CAT(handle_check_,    \
                   __LINE__)[(uintptr_t)(handle) == (value) ? 1 : -1]

/* Types and sizes. */
EXPECT(sizeof(MPI_Status) == 32);
EXPECT(offsetof(MPI_Status, MPI_SOURCE) == 0);
EXPECT(offsetof(MPI_Status, MPI_TAG) == 4);
EXPECT(offsetof(MPI_Status, MPI_ERROR) == 8);
EXPECT(sizeof(MPI_Aint) == 4 && sizeof(MPI_Aint) == sizeof(void *));
EXPECT(sizeof(MPI_Offset) == 8 && sizeof(MPI_Count) == 8);
EXPECT(sizeof(MPI_Comm) == 4 && sizeof(MPI_Datatype) == 4);

/* Predefined handles. */
EXPECT_HANDLE(MPI_COMM_NULL, 0x100);
EXPECT_HANDLE(MPI_COMM_WORLD, 0x101);
EXPECT_HANDLE(MPI_COMM_SELF, 0x102);
EXPECT_HANDLE(MPI_GROUP_EMPTY, 0x109);
EXPECT_HANDLE(MPI_REQUEST_NULL, 0x180);
EXPECT_HANDLE(MPI_INFO_ENV, 0x131);
EXPECT_HANDLE(MPI_MESSAGE_NO_PROC, 0x129);
EXPECT_HANDLE(MPI_ERRORS_ARE_FATAL, 0x141);
EXPECT_HANDLE(MPI_ERRORS_ABORT, 0x142);
EXPECT_HANDLE(MPI_ERRORS_RETURN, 0x143);
EXPECT_HANDLE(MPI_SUM, 0x21);
EXPECT_HANDLE(MPI_MAXLOC, 0x39);
EXPECT_HANDLE(MPI_NO_OP, 0x3d);
EXPECT_HANDLE(MPI_DATATYPE_NULL, 0x200);
EXPECT_HANDLE(MPI_INT, 0x209);
EXPECT_HANDLE(MPI_LONG, 0x20a);
EXPECT_HANDLE(MPI_DOUBLE, 0x214);
EXPECT_HANDLE(MPI_2INT, 0x22b);
EXPECT_HANDLE(MPI_CHAR, 0x243);
EXPECT_HANDLE(MPI_BYTE, 0x247);
EXPECT_HANDLE(MPI_INT64_T, 0x258);
EXPECT_HANDLE(MPI_UINT64_T, 0x259);
EXPECT_HANDLE(MPI_IN_PLACE, 1);
EXPECT_HANDLE(MPI_BOTTOM, 0);
EXPECT_HANDLE(MPI_STATUS_IGNORE, 0);
EXPECT_HANDLE(MPI_UNWEIGHTED, 10);
EXPECT_HANDLE(MPI_WEIGHTS_EMPTY, 11);
EXPECT_HANDLE(MPI_COMM_DUP_FN, 1);
EXPECT_HANDLE(MPI_COMM_NULL_COPY_FN, 0);

/* Integer constants and sentinels. */
EXPECT(MPI_ANY_SOURCE == -1 && MPI_ANY_TAG == -2);
EXPECT(MPI_PROC_NULL == -3 && MPI_ROOT == -4);
EXPECT(MPI_UNDEFINED == -32766 && MPI_KEYVAL_INVALID == 0);
EXPECT(MPI_THREAD_SINGLE == 0 && MPI_THREAD_FUNNELED == 1024);
EXPECT(MPI_THREAD_SERIALIZED == 2048 && MPI_THREAD_MULTIPLE == 4096);
EXPECT(MPI_IDENT == 201 && MPI_UNEQUAL == 204);
EXPECT(MPI_CART == 211 && MPI_GRAPH == 212 && MPI_DIST_GRAPH == 213);
EXPECT(MPI_TAG_UB == 501 && MPI_WTIME_IS_GLOBAL == 504);
EXPECT(MPI_MAX_PROCESSOR_NAME == 256 && MPI_MAX_ERROR_STRING == 512);
EXPECT(MPI_VERSION == 3 && MPI_SUBVERSION == 1);

/* Error classes: first, a few in the middle, last. */
EXPECT(MPI_SUCCESS == 0 && MPI_ERR_BUFFER == 1 && MPI_ERR_COUNT == 2);
EXPECT(MPI_ERR_TRUNCATE == 15 && MPI_ERR_IN_STATUS == 19);
EXPECT(MPI_ERR_WIN == 56 && MPI_ERR_RMA_FLAVOR == 57);
EXPECT(MPI_ERR_ERRHANDLER == 61 && MPI_ERR_ABI == 62);
EXPECT(MPI_ERR_LASTCODE == 0x3fff);
