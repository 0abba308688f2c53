/* Generalized requests: MPI_Grequest_start / MPI_Grequest_complete, their
 * query, free and cancel callbacks (each logs its call), and every call
 * that completes, queries, cancels or frees them, alone and mixed with a
 * point-to-point request. The query function fills the status (source,
 * tag, MPI_ERROR, count, cancelled); its errors come back as the standard
 * says (the call's return value, or MPI_ERR_IN_STATUS from Waitall). Each
 * rank runs the same on its own requests and prints its own lines. */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

#include "mpi_check.h"

static int rank;

/* One generalized request's state (its extra_state). */
typedef struct {
  char name;
  int query_error; /* what query_fn returns */
  int free_error;  /* what free_fn returns */
  int cancelled;   /* set by cancel_fn */
} Work;

static const char* ErrName(int code) {
  int cls = code;
  if (code != MPI_SUCCESS) MPI_Error_class(code, &cls);
  switch (cls) {
    case MPI_SUCCESS:
      return "SUCCESS";
    case MPI_ERR_ARG:
      return "ARG";
    case MPI_ERR_IN_STATUS:
      return "IN_STATUS";
    case MPI_ERR_PENDING:
      return "PENDING";
    case MPI_ERR_INTERN:
      return "INTERN";
    default:
      return "OTHER";
  }
}

static int Query(void* extra, MPI_Status* status) {
  Work* w = extra;
  printf("rank %d:   query %c\n", rank, w->name);
  status->MPI_SOURCE = 100 + rank;
  status->MPI_TAG = w->name;
  status->MPI_ERROR = w->query_error;
  MPI_Status_set_elements(status, MPI_INT, w->name - 'a' + 1);
  MPI_Status_set_cancelled(status, w->cancelled);
  return w->query_error;
}

static int Free(void* extra) {
  Work* w = extra;
  printf("rank %d:   free %c\n", rank, w->name);
  return w->free_error;
}

static int Cancel(void* extra, int complete) {
  Work* w = extra;
  printf("rank %d:   cancel %c complete=%d\n", rank, w->name, complete);
  if (!complete) w->cancelled = 1;
  return MPI_SUCCESS;
}

static void Start(Work* w, char name, MPI_Request* r) {
  memset(w, 0, sizeof *w);
  w->name = name;
  CHECK(MPI_Grequest_start(Query, Free, Cancel, w, r));
}

static void Show(const char* what, int rc, const MPI_Status* s) {
  int count = -1, cancelled = -1;
  MPI_Get_count(s, MPI_INT, &count);
  MPI_Test_cancelled(s, &cancelled);
  printf("rank %d: %s rc=%s source=%d tag=%c count=%d cancelled=%d\n", rank,
         what, ErrName(rc), s->MPI_SOURCE - rank, s->MPI_TAG, count, cancelled);
}

/* Test before and after completion, get_status, wait. */
static void Basics(void) {
  Work w;
  MPI_Request r;
  MPI_Status s;
  int flag = -1, rc;
  Start(&w, 'a', &r);
  rc = MPI_Test(&r, &flag, &s);
  printf("rank %d: Test before complete rc=%s flag=%d\n", rank, ErrName(rc),
         flag);
  rc = MPI_Request_get_status(r, &flag, &s);
  printf("rank %d: Request_get_status before complete rc=%s flag=%d\n", rank,
         ErrName(rc), flag);
  CHECK(MPI_Grequest_complete(r));
  s.MPI_ERROR = 4242;
  rc = MPI_Request_get_status(r, &flag, &s);
  Show("Request_get_status", rc, &s);
  printf("rank %d: flag=%d MPI_ERROR %s\n", rank, flag,
         s.MPI_ERROR == 4242 ? "kept" : "written");
  s.MPI_ERROR = 4242;
  rc = MPI_Wait(&r, &s);
  Show("Wait", rc, &s);
  printf("rank %d: request %s, MPI_ERROR %s\n", rank,
         r == MPI_REQUEST_NULL ? "null" : "live",
         s.MPI_ERROR == 4242 ? "kept" : "written");

  Start(&w, 'b', &r);
  CHECK(MPI_Grequest_complete(r));
  do rc = MPI_Test(&r, &flag, &s);
  while (rc == MPI_SUCCESS && !flag);
  Show("Test", rc, &s);
}

/* Errors from query_fn and free_fn. */
static void Errors(void) {
  Work w[2];
  MPI_Request r[2];
  MPI_Status s[2];
  int rc;
  Start(&w[0], 'c', &r[0]);
  w[0].query_error = MPI_ERR_ARG;
  CHECK(MPI_Grequest_complete(r[0]));
  rc = MPI_Wait(&r[0], &s[0]);
  Show("Wait(query fails)", rc, &s[0]);

  Start(&w[0], 'd', &r[0]);
  Start(&w[1], 'e', &r[1]);
  w[1].query_error = MPI_ERR_ARG;
  CHECK(MPI_Grequest_complete(r[0]));
  CHECK(MPI_Grequest_complete(r[1]));
  s[0].MPI_ERROR = s[1].MPI_ERROR = 4242;
  rc = MPI_Waitall(2, r, s);
  printf("rank %d: Waitall(one query fails) rc=%s errors %s %s\n", rank,
         ErrName(rc), ErrName(s[0].MPI_ERROR), ErrName(s[1].MPI_ERROR));

  Start(&w[0], 'f', &r[0]);
  w[0].free_error = MPI_ERR_ARG;
  CHECK(MPI_Grequest_complete(r[0]));
  rc = MPI_Wait(&r[0], &s[0]);
  Show("Wait(free fails)", rc, &s[0]);
}

/* Cancel before and after completion; free before completion. */
static void CancelAndFree(void) {
  Work w;
  MPI_Request r, keep;
  MPI_Status s;
  int rc;
  Start(&w, 'g', &r);
  rc = MPI_Cancel(&r);
  printf("rank %d: Cancel rc=%s\n", rank, ErrName(rc));
  CHECK(MPI_Grequest_complete(r));
  rc = MPI_Cancel(&r);
  printf("rank %d: Cancel(complete) rc=%s\n", rank, ErrName(rc));
  rc = MPI_Wait(&r, &s);
  Show("Wait(cancelled)", rc, &s);

  Start(&w, 'h', &r);
  keep = r;
  rc = MPI_Request_free(&r);
  printf("rank %d: Request_free before complete rc=%s request %s\n", rank,
         ErrName(rc), r == MPI_REQUEST_NULL ? "null" : "live");
  rc = MPI_Grequest_complete(keep);
  printf("rank %d: Grequest_complete after free rc=%s\n", rank, ErrName(rc));
}

/* Mixed with a receive: any, some, all. */
static void Mixed(void) {
  Work w[2];
  MPI_Request r[3];
  MPI_Status s[3];
  int index = -1, n = 0, idx[3], flag = 0, rc, in = 0, out = 7;
  Start(&w[0], 'i', &r[0]);
  Start(&w[1], 'j', &r[1]);
  CHECK(MPI_Irecv(&in, 1, MPI_INT, rank, 0, MPI_COMM_WORLD, &r[2]));
  CHECK(MPI_Grequest_complete(r[1]));
  rc = MPI_Waitany(2, r, &index, &s[0]);
  printf("rank %d: Waitany rc=%s index=%d\n", rank, ErrName(rc), index);
  Show("Waitany", rc, &s[0]);
  rc = MPI_Testany(2, r, &index, &flag, &s[0]);
  printf("rank %d: Testany rc=%s flag=%d\n", rank, ErrName(rc), flag);
  rc = MPI_Testall(3, r, &flag, s);
  printf("rank %d: Testall rc=%s flag=%d\n", rank, ErrName(rc), flag);
  CHECK(MPI_Send(&out, 1, MPI_INT, rank, 0, MPI_COMM_WORLD));
  CHECK(MPI_Grequest_complete(r[0]));
  /* Both complete now; Waitsome returns them in index order. */
  do {
    rc = MPI_Waitsome(3, r, &n, idx, s);
    for (int i = 0; i < n && rc == MPI_SUCCESS; ++i) {
      printf("rank %d: Waitsome completed %d\n", rank, idx[i]);
      if (idx[i] == 0) Show("Waitsome", rc, &s[i]);
    }
  } while (rc == MPI_SUCCESS && n != MPI_UNDEFINED);
  printf("rank %d: received %d\n", rank, in);

  Start(&w[0], 'k', &r[0]);
  Start(&w[1], 'l', &r[1]);
  CHECK(MPI_Grequest_complete(r[0]));
  rc = MPI_Testsome(2, r, &n, idx, s);
  printf("rank %d: Testsome rc=%s outcount=%d first=%d\n", rank, ErrName(rc), n,
         n > 0 ? idx[0] : -1);
  CHECK(MPI_Grequest_complete(r[1]));
  rc = MPI_Waitall(2, r, s);
  printf("rank %d: Waitall rc=%s\n", rank, ErrName(rc));
  Show("Waitall[1]", rc, &s[1]);
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  Basics();
  Errors();
  CancelAndFree();
  Mixed();
  fflush(stdout);
  MPI_Finalize();
  return 0;
}
