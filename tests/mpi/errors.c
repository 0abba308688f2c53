// Error handling under MPI_ERRORS_RETURN and with a user error handler:
// error classes of bad arguments, Error_string texts of predefined classes
// (the host MPI's text in both builds), user error classes, codes and
// strings. Only results identical by design are printed: no raw user
// code values (implementations number them differently).
#include <mpi.h>
#include <stdio.h>
#include <string.h>

#include "mpi_check.h"

static int rank, size;
static MPI_Comm dup;
static int handler_calls;

// Prints the class of `rc` and the class's text.
static void report(const char* what, int rc) {
  int cls = -1, len = 0;
  char text[MPI_MAX_ERROR_STRING] = "";
  if (rc != MPI_SUCCESS) {
    CHECK(MPI_Error_class(rc, &cls));
    CHECK(MPI_Error_string(cls, text, &len));
  }
  printf("rank %d: %s -> class %d '%s'\n", rank, what,
         rc == MPI_SUCCESS ? 0 : cls, text);
}

static void on_error(MPI_Comm* comm, int* code, ...) {
  int cls;
  ++handler_calls;
  CHECK(MPI_Error_class(*code, &cls));
  printf("rank %d: handler call %d on dup %d class %d\n", rank, handler_calls,
         *comm == dup, cls > MPI_ERR_LASTCODE ? -1 : cls);
}

static void bad_arguments(void) {
  int x = 0;
  MPI_Comm world = MPI_COMM_WORLD;
  report("negative count", MPI_Send(&x, -1, MPI_INT, 0, 0, MPI_COMM_WORLD));
  report("rank out of range",
         MPI_Send(&x, 1, MPI_INT, size, 0, MPI_COMM_WORLD));
  report("negative tag", MPI_Send(&x, 1, MPI_INT, 0, -5, MPI_COMM_WORLD));
  report("null datatype",
         MPI_Send(&x, 1, MPI_DATATYPE_NULL, 0, 0, MPI_COMM_WORLD));
  report("null communicator", MPI_Send(&x, 1, MPI_INT, 0, 0, MPI_COMM_NULL));
  report("null op",
         MPI_Allreduce(&x, &x, 1, MPI_INT, MPI_OP_NULL, MPI_COMM_WORLD));
  report("bcast bad root", MPI_Bcast(&x, 1, MPI_INT, size, MPI_COMM_WORLD));
  report("free world", MPI_Comm_free(&world));
  MPI_Info info;
  CHECK(MPI_Info_create(&info));
  report("delete missing info key", MPI_Info_delete(info, "missing"));
  CHECK(MPI_Info_free(&info));
  report("call errhandler under return",
         MPI_Comm_call_errhandler(MPI_COMM_WORLD, MPI_ERR_OTHER));
}

static void user_handler(void) {
  MPI_Errhandler handler, got;
  int x = 0;
  CHECK(MPI_Comm_dup(MPI_COMM_WORLD, &dup));
  CHECK(MPI_Comm_create_errhandler(on_error, &handler));
  CHECK(MPI_Comm_set_errhandler(dup, handler));
  CHECK(MPI_Comm_get_errhandler(dup, &got));
  printf("rank %d: get_errhandler same %d\n", rank, got == handler);
  CHECK(MPI_Errhandler_free(&got));
  CHECK(MPI_Errhandler_free(&handler));
  printf("rank %d: freed to null %d\n", rank, handler == MPI_ERRHANDLER_NULL);
  report("negative count on dup", MPI_Send(&x, -1, MPI_INT, 0, 0, dup));
  report("call errhandler", MPI_Comm_call_errhandler(dup, MPI_ERR_TAG));

  int cls, code, cls2, len, got_class, flag;
  int* last;
  char text[MPI_MAX_ERROR_STRING];
  CHECK(MPI_Add_error_class(&cls));
  CHECK(MPI_Add_error_code(cls, &code));
  CHECK(MPI_Add_error_class(&cls2));
  CHECK(MPI_Add_error_string(code, "solver diverged"));
  CHECK(MPI_Error_class(code, &got_class));
  CHECK(MPI_Error_string(code, text, &len));
  printf(
      "rank %d: user class above lastcode %d, code's class %d, "
      "text '%s' (%d)\n",
      rank, cls > MPI_ERR_LASTCODE, got_class == cls, text, len);
  CHECK(MPI_Error_string(cls2, text, &len));
  printf("rank %d: user class without text '%s' (%d)\n", rank, text, len);
  CHECK(MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_LASTUSEDCODE, &last, &flag));
  printf("rank %d: lastusedcode is the newest %d\n", rank,
         flag && *last == cls2);
  report("add string to predefined", MPI_Add_error_string(MPI_ERR_ARG, "x"));
  CHECK(MPI_Comm_call_errhandler(dup, code));
  printf("rank %d: handler calls %d\n", rank, handler_calls);
  CHECK(MPI_Comm_free(&dup));
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  CHECK(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN));
  bad_arguments();
  user_handler();
  MPI_Finalize();
  return 0;
}
