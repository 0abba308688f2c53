/* Takes the address of user functions (an MPI_Op and an attribute copier):
 * none may get table index 0 or 1, the MPI_NULL_*_FN / MPI_*_DUP_FN
 * sentinels. */
#include <mpi.h>

static void MaxAbs(void *in, void *inout, int *len, MPI_Datatype *type) {
  (void)in;
  (void)inout;
  (void)len;
  (void)type;
}

static int CopyAttr(MPI_Comm comm, int keyval, void *extra, void *in, void *out,
                    int *flag) {
  (void)comm;
  (void)keyval;
  (void)extra;
  (void)in;
  (void)out;
  *flag = 0;
  return MPI_SUCCESS;
}

int main(int argc, char **argv) {
  MPI_Op op;
  int keyval;
  MPI_Init(&argc, &argv);
  MPI_Op_create(MaxAbs, 1, &op);
  MPI_Comm_create_keyval(CopyAttr, MPI_COMM_NULL_DELETE_FN, &keyval, 0);
  MPI_Finalize();
  return 0;
}
