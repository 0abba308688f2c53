/* MPI_Status.MPI_ERROR: every call that fills a status presets its
 * MPI_ERROR to a sentinel first. Single-completion calls (MPI_Recv,
 * MPI_Sendrecv(_replace), MPI_Wait, MPI_Test, MPI_Probe, MPI_Iprobe,
 * MPI_Mprobe, MPI_Improbe, MPI_Mrecv, MPI_Request_get_status, MPI_Waitany,
 * MPI_Testany) must leave it unchanged, with or without an error; the
 * multiple-completion calls (MPI_Waitall, MPI_Waitsome, MPI_Testall,
 * MPI_Testsome) set it when they return MPI_ERR_IN_STATUS, and only then
 * (MPI standard, "Status" section). Each rank talks to itself and to its
 * neighbours; every rank prints its own lines. */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

#include "mpi_check.h"

#define SENTINEL 4242

static int rank, size;

/* An error class by name: the values differ between the host's mpi.h and
 * the standard ABI's. */
static const char* ErrName(int code) {
  int cls = code;
  if (code != MPI_SUCCESS) MPI_Error_class(code, &cls);
  switch (cls) {
    case MPI_SUCCESS:
      return "SUCCESS";
    case MPI_ERR_TRUNCATE:
      return "TRUNCATE";
    case MPI_ERR_IN_STATUS:
      return "IN_STATUS";
    case MPI_ERR_PENDING:
      return "PENDING";
    default:
      return "OTHER";
  }
}

/* The MPI_ERROR field after a call that must leave it alone. */
static const char* Kept(const MPI_Status* s) {
  if (s->MPI_ERROR == SENTINEL) return "kept";
  static char text[32];
  snprintf(text, sizeof text, "OVERWRITTEN(%s)", ErrName(s->MPI_ERROR));
  return text;
}

/* The MPI_ERROR field after a multiple-completion call that returned
 * MPI_SUCCESS. The standard says the field is updated if and only if the
 * call returns MPI_ERR_IN_STATUS, and wasmhpc keeps it. Open MPI 4.1
 * (natively) writes MPI_SUCCESS there, which the native run is allowed,
 * so that both runs print the same line. */
static const char* KeptOnSuccess(const MPI_Status* s) {
#ifdef __wasm__
  return Kept(s);
#else
  return s->MPI_ERROR == SENTINEL || s->MPI_ERROR == MPI_SUCCESS ? "kept"
                                                                 : Kept(s);
#endif
}

static void Preset(MPI_Status* s, int n) {
  for (int i = 0; i < n; ++i) {
    memset(&s[i], 0x5a, sizeof s[i]);
    s[i].MPI_ERROR = SENTINEL;
  }
}

static void Line(const char* call, int rc, const MPI_Status* s) {
  const char* source = s->MPI_SOURCE == rank             ? "self"
                       : s->MPI_SOURCE == MPI_ANY_SOURCE ? "any"
                                                         : "other";
  char tag[16];
  snprintf(tag, sizeof tag, "%d", s->MPI_TAG);
  printf("rank %d: %-22s rc=%-9s source=%s tag=%s error=%s\n", rank, call,
         ErrName(rc), source, s->MPI_TAG == MPI_ANY_TAG ? "any" : tag, Kept(s));
}

/* Blocking and probing calls, on messages to this rank itself. */
static void Single(void) {
  MPI_Status s;
  MPI_Request r;
  MPI_Message m;
  int a = rank, b = -1, flag = 0, rc;

  Preset(&s, 1);
  rc = MPI_Sendrecv(&a, 1, MPI_INT, rank, 1, &b, 1, MPI_INT, rank, 1,
                    MPI_COMM_WORLD, &s);
  Line("MPI_Sendrecv", rc, &s);
  Preset(&s, 1);
  rc = MPI_Sendrecv_replace(&a, 1, MPI_INT, rank, 2, rank, 2, MPI_COMM_WORLD,
                            &s);
  Line("MPI_Sendrecv_replace", rc, &s);

  CHECK(MPI_Isend(&a, 1, MPI_INT, rank, 3, MPI_COMM_WORLD, &r));
  Preset(&s, 1);
  rc = MPI_Probe(rank, 3, MPI_COMM_WORLD, &s);
  Line("MPI_Probe", rc, &s);
  Preset(&s, 1);
  do rc = MPI_Iprobe(rank, 3, MPI_COMM_WORLD, &flag, &s);
  while (rc == MPI_SUCCESS && !flag);
  Line("MPI_Iprobe", rc, &s);
  Preset(&s, 1);
  rc = MPI_Recv(&b, 1, MPI_INT, rank, 3, MPI_COMM_WORLD, &s);
  Line("MPI_Recv", rc, &s);
  Preset(&s, 1);
  rc = MPI_Wait(&r, &s);
  Line("MPI_Wait", rc, &s);
  Preset(&s, 1);
  rc = MPI_Wait(&r, &s); /* MPI_REQUEST_NULL: an empty status */
  Line("MPI_Wait(null)", rc, &s);

  CHECK(MPI_Isend(&a, 1, MPI_INT, rank, 4, MPI_COMM_WORLD, &r));
  Preset(&s, 1);
  rc = MPI_Mprobe(rank, 4, MPI_COMM_WORLD, &m, &s);
  Line("MPI_Mprobe", rc, &s);
  Preset(&s, 1);
  rc = MPI_Mrecv(&b, 1, MPI_INT, &m, &s);
  Line("MPI_Mrecv", rc, &s);
  CHECK(MPI_Wait(&r, MPI_STATUS_IGNORE));

  CHECK(MPI_Isend(&a, 1, MPI_INT, rank, 5, MPI_COMM_WORLD, &r));
  Preset(&s, 1);
  do rc = MPI_Improbe(rank, 5, MPI_COMM_WORLD, &flag, &m, &s);
  while (rc == MPI_SUCCESS && !flag);
  Line("MPI_Improbe", rc, &s);
  MPI_Request rr;
  CHECK(MPI_Imrecv(&b, 1, MPI_INT, &m, &rr));
  Preset(&s, 1);
  do rc = MPI_Request_get_status(rr, &flag, &s);
  while (rc == MPI_SUCCESS && !flag);
  Line("MPI_Request_get_status", rc, &s);
  Preset(&s, 1);
  do rc = MPI_Test(&rr, &flag, &s);
  while (rc == MPI_SUCCESS && !flag);
  Line("MPI_Test", rc, &s);
  CHECK(MPI_Wait(&r, MPI_STATUS_IGNORE));
}

/* The same calls failing: a message longer than the receive buffer. The
 * error is the call's return value; the status's MPI_ERROR stays. */
static void SingleErrors(void) {
  MPI_Status s;
  MPI_Request r[2];
  char big[8] = "abcdefg", small[4];
  int index, flag, rc;

  CHECK(MPI_Isend(big, 8, MPI_CHAR, rank, 10, MPI_COMM_WORLD, &r[0]));
  Preset(&s, 1);
  rc = MPI_Recv(small, 4, MPI_CHAR, rank, 10, MPI_COMM_WORLD, &s);
  Line("MPI_Recv(short)", rc, &s);
  CHECK(MPI_Wait(&r[0], MPI_STATUS_IGNORE));

  CHECK(MPI_Isend(big, 8, MPI_CHAR, rank, 11, MPI_COMM_WORLD, &r[0]));
  Preset(&s, 1);
  rc = MPI_Sendrecv(big, 0, MPI_CHAR, MPI_PROC_NULL, 0, small, 4, MPI_CHAR,
                    rank, 11, MPI_COMM_WORLD, &s);
  Line("MPI_Sendrecv(short)", rc, &s);
  CHECK(MPI_Wait(&r[0], MPI_STATUS_IGNORE));

  /* The message is there before the receive is posted, so the receive
   * fails as it completes. */
  CHECK(MPI_Isend(big, 8, MPI_CHAR, rank, 12, MPI_COMM_WORLD, &r[0]));
  CHECK(MPI_Probe(rank, 12, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
  CHECK(MPI_Irecv(small, 4, MPI_CHAR, rank, 12, MPI_COMM_WORLD, &r[1]));
  Preset(&s, 1);
  do rc = MPI_Waitany(2, r, &index, &s);
  while (rc == MPI_SUCCESS && index != MPI_UNDEFINED);
  printf("rank %d: MPI_Waitany(short)     rc=%-9s index=%d error=%s\n", rank,
         ErrName(rc), index, Kept(&s));
  CHECK(MPI_Waitall(2, r, MPI_STATUSES_IGNORE));

  CHECK(MPI_Isend(big, 8, MPI_CHAR, rank, 13, MPI_COMM_WORLD, &r[0]));
  CHECK(MPI_Probe(rank, 13, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
  CHECK(MPI_Irecv(small, 4, MPI_CHAR, rank, 13, MPI_COMM_WORLD, &r[1]));
  CHECK(MPI_Wait(&r[0], MPI_STATUS_IGNORE));
  Preset(&s, 1);
  do rc = MPI_Testany(2, r, &index, &flag, &s);
  while (rc == MPI_SUCCESS && !(flag && index == MPI_UNDEFINED));
  printf("rank %d: MPI_Testany(short)     rc=%-9s index=%d error=%s\n", rank,
         ErrName(rc), index, Kept(&s));
}

/* Multiple completions: untouched on success, every request's error with
 * MPI_ERR_IN_STATUS. Rank r sends two messages to rank r + 1 and receives
 * two from rank r - 1, the first into a short buffer when `fail`. Both
 * messages have arrived before the receives are posted, so the receives
 * complete (or fail) at once and every run completes the same requests. */
static void Multiple(int which) {
  static const char* const kNames[] = {"MPI_Waitall", "MPI_Testall",
                                       "MPI_Waitsome", "MPI_Testsome"};
  const int to = (rank + 1) % size, from = (rank + size - 1) % size;
  for (int fail = 0; fail < 2; ++fail) {
    char out[8] = "1234567", in[2][8];
    MPI_Request r[4];
    MPI_Status s[4];
    int tag = 20 + 4 * which + 2 * fail, flag = 0, rc, n = 0, idx[4];
    CHECK(MPI_Isend(out, 8, MPI_CHAR, to, tag, MPI_COMM_WORLD, &r[0]));
    CHECK(MPI_Isend(out, 8, MPI_CHAR, to, tag + 1, MPI_COMM_WORLD, &r[1]));
    CHECK(MPI_Probe(from, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
    CHECK(MPI_Probe(from, tag + 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
    CHECK(MPI_Irecv(in[0], fail ? 4 : 8, MPI_CHAR, from, tag, MPI_COMM_WORLD,
                    &r[2]));
    CHECK(MPI_Irecv(in[1], 8, MPI_CHAR, from, tag + 1, MPI_COMM_WORLD, &r[3]));
    Preset(s, 4);
    int shown = 4; /* statuses printed: all, or the first receive's */
    if (which == 0) {
      rc = MPI_Waitall(4, r, s);
    } else if (which == 1) {
      do rc = MPI_Testall(4, r, &flag, s);
      while (rc == MPI_SUCCESS && !flag);
    } else {
      /* Until the first receive (index 2) is among those completed. */
      int got = 0;
      do {
        Preset(s, 4);
        rc = which == 2 ? MPI_Waitsome(4, r, &n, idx, s)
                        : MPI_Testsome(4, r, &n, idx, s);
        for (int i = 0; i < n && n != MPI_UNDEFINED; ++i) {
          if (idx[i] == 2) {
            got = 1;
            s[0] = s[i];
          }
        }
      } while (rc == MPI_SUCCESS && !got);
      shown = 1;
    }
    printf("rank %d: %-12s %s rc=%-9s", rank, kNames[which],
           fail ? "short" : "fits ", ErrName(rc));
    for (int i = 0; i < shown; ++i) {
      printf(" [%d error=%s]", shown == 1 ? 2 : i,
             rc == MPI_ERR_IN_STATUS ? ErrName(s[i].MPI_ERROR)
                                     : KeptOnSuccess(&s[i]));
    }
    printf("\n");
    /* What a *some call left. */
    MPI_Waitall(4, r, MPI_STATUSES_IGNORE);
    CHECK(MPI_Barrier(MPI_COMM_WORLD));
  }
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  Single();
  SingleErrors();
  for (int which = 0; which < 4; ++which) Multiple(which);
  MPI_Finalize();
  return 0;
}
