// Point-to-point correctness: every send mode, nonblocking and persistent
// requests, probe and matched probe, completion calls, cancel, statuses.
// Prints deterministic lines that must match between native and Wasm.
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpi_check.h"

static int rank, size;

static int right(void) { return (rank + 1) % size; }
static int left(void) { return (rank + size - 1) % size; }

static void send_modes(void) {
  char attach[4096 + MPI_BSEND_OVERHEAD * 4];
  CHECK(MPI_Buffer_attach(attach, sizeof attach));
  for (int mode = 0; mode < 4; ++mode) {
    int out[3] = {rank, mode, rank * 10 + mode}, in[3] = {-1, -1, -1};
    MPI_Request r;
    MPI_Status st;
    CHECK(MPI_Irecv(in, 3, MPI_INT, left(), 100 + mode, MPI_COMM_WORLD, &r));
    CHECK(MPI_Barrier(MPI_COMM_WORLD));  // receives posted: Rsend is legal
    switch (mode) {
      case 0:
        CHECK(MPI_Send(out, 3, MPI_INT, right(), 100, MPI_COMM_WORLD));
        break;
      case 1:
        CHECK(MPI_Ssend(out, 3, MPI_INT, right(), 101, MPI_COMM_WORLD));
        break;
      case 2:
        CHECK(MPI_Rsend(out, 3, MPI_INT, right(), 102, MPI_COMM_WORLD));
        break;
      case 3:
        CHECK(MPI_Bsend(out, 3, MPI_INT, right(), 103, MPI_COMM_WORLD));
        break;
    }
    CHECK(MPI_Wait(&r, &st));
    int count;
    CHECK(MPI_Get_count(&st, MPI_INT, &count));
    printf("rank %d mode %d: got [%d %d %d] from %d tag %d count %d null=%d\n",
           rank, mode, in[0], in[1], in[2], st.MPI_SOURCE, st.MPI_TAG, count,
           r == MPI_REQUEST_NULL);
  }
  void* detached;
  int detached_size;
  CHECK(MPI_Buffer_detach(&detached, &detached_size));
  printf("rank %d: detached same buffer=%d size=%d\n", rank,
         detached == (void*)attach, detached_size == (int)sizeof attach);
}

static void nonblocking_modes(void) {
  double out[4], in[4][4];
  MPI_Request reqs[8];
  for (int i = 0; i < 4; ++i) out[i] = rank + i / 4.0;
  for (int i = 0; i < 4; ++i) {
    CHECK(MPI_Irecv(in[i], 4, MPI_DOUBLE, left(), i, MPI_COMM_WORLD, &reqs[i]));
  }
  CHECK(MPI_Barrier(MPI_COMM_WORLD));
  CHECK(MPI_Isend(out, 4, MPI_DOUBLE, right(), 0, MPI_COMM_WORLD, &reqs[4]));
  CHECK(MPI_Issend(out, 4, MPI_DOUBLE, right(), 1, MPI_COMM_WORLD, &reqs[5]));
  CHECK(MPI_Irsend(out, 4, MPI_DOUBLE, right(), 2, MPI_COMM_WORLD, &reqs[6]));
  char attach[1024];
  CHECK(MPI_Buffer_attach(attach, sizeof attach));
  CHECK(MPI_Ibsend(out, 4, MPI_DOUBLE, right(), 3, MPI_COMM_WORLD, &reqs[7]));
  MPI_Status st[8];
  CHECK(MPI_Waitall(8, reqs, st));
  void* b;
  int n;
  CHECK(MPI_Buffer_detach(&b, &n));
  for (int i = 0; i < 4; ++i) {
    printf("rank %d nb %d: %.2f %.2f %.2f %.2f src %d tag %d\n", rank, i,
           in[i][0], in[i][1], in[i][2], in[i][3], st[i].MPI_SOURCE,
           st[i].MPI_TAG);
  }
  int all_null = 1;
  for (int i = 0; i < 8; ++i) all_null &= reqs[i] == MPI_REQUEST_NULL;
  printf("rank %d: waitall nulled requests=%d\n", rank, all_null);
}

static void persistent(void) {
  int out = 0, in = -1, sum = 0;
  MPI_Request reqs[2];
  CHECK(MPI_Send_init(&out, 1, MPI_INT, right(), 7, MPI_COMM_WORLD, &reqs[0]));
  CHECK(MPI_Recv_init(&in, 1, MPI_INT, left(), 7, MPI_COMM_WORLD, &reqs[1]));
  for (int iter = 0; iter < 5; ++iter) {
    out = rank * 100 + iter;
    CHECK(MPI_Startall(2, reqs));
    CHECK(MPI_Waitall(2, reqs, MPI_STATUSES_IGNORE));
    sum += in;
  }
  printf("rank %d: persistent sum %d, still active handles=%d\n", rank, sum,
         reqs[0] != MPI_REQUEST_NULL && reqs[1] != MPI_REQUEST_NULL);
  // Start one more round with MPI_Start, complete with Test loop.
  out = -1;
  CHECK(MPI_Start(&reqs[1]));
  CHECK(MPI_Start(&reqs[0]));
  int done = 0;
  while (!done) CHECK(MPI_Testall(2, reqs, &done, MPI_STATUSES_IGNORE));
  printf("rank %d: last persistent value %d\n", rank, in);
  CHECK(MPI_Request_free(&reqs[0]));
  CHECK(MPI_Request_free(&reqs[1]));
  printf("rank %d: freed=%d\n", rank,
         reqs[0] == MPI_REQUEST_NULL && reqs[1] == MPI_REQUEST_NULL);
}

static void probes(void) {
  int payload[5] = {rank, rank + 1, rank + 2, rank + 3, rank + 4};
  MPI_Request r;
  CHECK(MPI_Isend(payload, 1 + rank % 5, MPI_INT, right(), 42, MPI_COMM_WORLD,
                  &r));
  MPI_Status st;
  CHECK(MPI_Probe(MPI_ANY_SOURCE, 42, MPI_COMM_WORLD, &st));
  int count;
  CHECK(MPI_Get_count(&st, MPI_INT, &count));
  int got[5] = {0};
  CHECK(MPI_Recv(got, count, MPI_INT, st.MPI_SOURCE, st.MPI_TAG, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE));
  printf("rank %d: probed %d ints from %d, first %d\n", rank, count,
         st.MPI_SOURCE, got[0]);
  CHECK(MPI_Wait(&r, MPI_STATUS_IGNORE));

  // Matched probe: Mprobe + Mrecv, Improbe + Imrecv.
  CHECK(MPI_Isend(payload, 2, MPI_INT, right(), 43, MPI_COMM_WORLD, &r));
  MPI_Message msg;
  CHECK(MPI_Mprobe(left(), 43, MPI_COMM_WORLD, &msg, &st));
  CHECK(MPI_Mrecv(got, 2, MPI_INT, &msg, &st));
  printf("rank %d: mrecv %d %d, msg null=%d\n", rank, got[0], got[1],
         msg == MPI_MESSAGE_NULL);
  CHECK(MPI_Wait(&r, MPI_STATUS_IGNORE));
  CHECK(MPI_Isend(payload, 3, MPI_INT, right(), 44, MPI_COMM_WORLD, &r));
  int flag = 0;
  while (!flag)
    CHECK(MPI_Improbe(left(), 44, MPI_COMM_WORLD, &flag, &msg, &st));
  MPI_Request rr;
  CHECK(MPI_Imrecv(got, 3, MPI_INT, &msg, &rr));
  CHECK(MPI_Wait(&rr, &st));
  CHECK(MPI_Get_count(&st, MPI_INT, &count));
  printf("rank %d: imrecv count %d last %d\n", rank, count, got[2]);
  CHECK(MPI_Wait(&r, MPI_STATUS_IGNORE));

  // Iprobe for a message that is not there.
  CHECK(MPI_Iprobe(MPI_ANY_SOURCE, 999, MPI_COMM_WORLD, &flag, &st));
  printf("rank %d: iprobe for absent tag flag=%d\n", rank, flag);
}

static void completion_calls(void) {
  int vals[3] = {-1, -1, -1}, mine[3] = {rank, rank * 2, rank * 3};
  MPI_Request recvs[3], sends[3];
  for (int i = 0; i < 3; ++i) {
    CHECK(MPI_Irecv(&vals[i], 1, MPI_INT, left(), 50 + i, MPI_COMM_WORLD,
                    &recvs[i]));
    CHECK(MPI_Isend(&mine[i], 1, MPI_INT, right(), 50 + i, MPI_COMM_WORLD,
                    &sends[i]));
  }
  int index, done = 0, total = 0;
  MPI_Status st;
  CHECK(MPI_Waitany(3, recvs, &index, &st));
  total++;
  int indices[3], outcount;
  while (total < 3) {
    CHECK(MPI_Waitsome(3, recvs, &outcount, indices, MPI_STATUSES_IGNORE));
    total += outcount;
  }
  CHECK(MPI_Waitsome(3, recvs, &outcount, indices, MPI_STATUSES_IGNORE));
  printf("rank %d: waitany/waitsome got %d %d %d; after all done outcount=%s\n",
         rank, vals[0], vals[1], vals[2],
         outcount == MPI_UNDEFINED ? "UNDEFINED" : "defined");
  while (!done) CHECK(MPI_Testany(3, sends, &index, &done, MPI_STATUS_IGNORE));
  int remaining = 0;
  for (;;) {
    CHECK(MPI_Testsome(3, sends, &outcount, indices, MPI_STATUSES_IGNORE));
    if (outcount == MPI_UNDEFINED) break;
  }
  for (int i = 0; i < 3; ++i) remaining += sends[i] != MPI_REQUEST_NULL;
  printf("rank %d: testany/testsome left %d active\n", rank, remaining);

  // Wait on a null request gives an empty status.
  MPI_Request null_req = MPI_REQUEST_NULL;
  CHECK(MPI_Wait(&null_req, &st));
  printf("rank %d: empty status source=%d tag=%d\n", rank,
         st.MPI_SOURCE == MPI_ANY_SOURCE, st.MPI_TAG == MPI_ANY_TAG);
}

static void sendrecv_and_proc_null(void) {
  long out = rank * 1000L, in = -1;
  MPI_Status st;
  CHECK(MPI_Sendrecv(&out, 1, MPI_LONG, right(), 60, &in, 1, MPI_LONG, left(),
                     60, MPI_COMM_WORLD, &st));
  printf("rank %d: sendrecv got %ld from %d\n", rank, in, st.MPI_SOURCE);
  short buf[2] = {(short)rank, (short)-rank};
  CHECK(MPI_Sendrecv_replace(buf, 2, MPI_SHORT, right(), 61, left(), 61,
                             MPI_COMM_WORLD, &st));
  printf("rank %d: replace got %d %d\n", rank, buf[0], buf[1]);
  CHECK(MPI_Send(&out, 1, MPI_LONG, MPI_PROC_NULL, 0, MPI_COMM_WORLD));
  CHECK(MPI_Recv(&in, 1, MPI_LONG, MPI_PROC_NULL, 0, MPI_COMM_WORLD, &st));
  int count;
  CHECK(MPI_Get_count(&st, MPI_LONG, &count));
  printf("rank %d: proc_null recv source=%d tag=%d count=%d\n", rank,
         st.MPI_SOURCE == MPI_PROC_NULL, st.MPI_TAG == MPI_ANY_TAG, count);
}

static void cancel(void) {
  int x;
  MPI_Request r;
  CHECK(MPI_Irecv(&x, 1, MPI_INT, MPI_ANY_SOURCE, 12345, MPI_COMM_WORLD, &r));
  CHECK(MPI_Cancel(&r));
  MPI_Status st;
  CHECK(MPI_Wait(&r, &st));
  int cancelled;
  CHECK(MPI_Test_cancelled(&st, &cancelled));
  printf("rank %d: cancelled=%d\n", rank, cancelled);
  int flag;
  CHECK(MPI_Request_get_status(r, &flag, &st));
  printf("rank %d: get_status on null flag=%d\n", rank, flag);
}

int main(int argc, char** argv) {
  int provided;
  CHECK(MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided));
  CHECK(MPI_Comm_rank(MPI_COMM_WORLD, &rank));
  CHECK(MPI_Comm_size(MPI_COMM_WORLD, &size));
  printf("rank %d: provided >= funneled: %d\n", rank,
         provided >= MPI_THREAD_FUNNELED);
  send_modes();
  nonblocking_modes();
  persistent();
  probes();
  completion_calls();
  sendrecv_and_proc_null();
  cancel();
  int flag;
  CHECK(MPI_Initialized(&flag));
  CHECK(MPI_Finalize());
  int finalized;
  MPI_Finalized(&finalized);
  printf("rank %d: initialized=%d finalized=%d\n", rank, flag, finalized);
  return 0;
}
