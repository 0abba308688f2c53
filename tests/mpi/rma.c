/* One-sided communication: fence epochs (put, get, accumulate,
 * get_accumulate), PSCW, passive target (lock/unlock, lock_all, flush,
 * request-based ops), atomics (fetch_and_op, compare_and_swap), dynamic
 * windows, MPI_Win_allocate, attributes, groups, names, info and error
 * handlers. Each rank prints what it sees; the output must match native. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mpi_check.h"

static int rank, size;

#define N 16

static int Right(void) { return (rank + 1) % size; }
static int Left(void) { return (rank + size - 1) % size; }

static void PrintInts(const char* what, const int* v, int n) {
  printf("%s:", what);
  for (int i = 0; i < n; ++i) printf(" %d", v[i]);
  printf("\n");
}

static void FenceEpochs(void) {
  int buf[N], got[4], fetched[2], ones[2] = {1, 1};
  for (int i = 0; i < N; ++i) buf[i] = rank * 10 + i;
  MPI_Win win;
  CHECK(MPI_Win_create(buf, sizeof buf, sizeof(int), MPI_INFO_NULL,
                       MPI_COMM_WORLD, &win));
  CHECK(MPI_Win_fence(MPI_MODE_NOPRECEDE, win));
  int mine[4] = {rank * 100, rank * 100 + 1, rank * 100 + 2, rank * 100 + 3};
  CHECK(MPI_Put(mine, 4, MPI_INT, Right(), 0, 4, MPI_INT, win));
  CHECK(MPI_Get(got, 4, MPI_INT, Left(), 8, 4, MPI_INT, win));
  int add = rank + 1;
  CHECK(MPI_Accumulate(&add, 1, MPI_INT, 0, 12, 1, MPI_INT, MPI_SUM, win));
  CHECK(MPI_Win_fence(0, win));
  PrintInts("fence put", buf, 4);
  PrintInts("fence get", got, 4);
  if (rank == 0) printf("fence accumulate: %d\n", buf[12]);
  /* A strided target type and MAX. */
  MPI_Datatype every_other;
  CHECK(MPI_Type_vector(2, 1, 2, MPI_INT, &every_other));
  CHECK(MPI_Type_commit(&every_other));
  int big[2] = {1000 + rank, 2000 + rank};
  CHECK(MPI_Accumulate(big, 2, MPI_INT, Right(), 4, 1, every_other, MPI_MAX,
                       win));
  CHECK(MPI_Win_fence(0, win));
  PrintInts("fence strided max", buf + 4, 4);
  CHECK(MPI_Get_accumulate(ones, 2, MPI_INT, fetched, 2, MPI_INT, Left(), 13, 2,
                           MPI_INT, MPI_SUM, win));
  CHECK(MPI_Win_fence(MPI_MODE_NOSUCCEED, win));
  PrintInts("get_accumulate fetched", fetched, 2);
  PrintInts("get_accumulate after", buf + 13, 2);
  CHECK(MPI_Type_free(&every_other));
  CHECK(MPI_Win_free(&win));
  printf("freed: %d\n", win == MPI_WIN_NULL);
}

static void Pscw(void) {
  int buf[4] = {-1, -1, -1, -1};
  MPI_Win win;
  CHECK(MPI_Win_create(buf, sizeof buf, sizeof(int), MPI_INFO_NULL,
                       MPI_COMM_WORLD, &win));
  MPI_Group world, left, right;
  CHECK(MPI_Comm_group(MPI_COMM_WORLD, &world));
  int l = Left(), r = Right();
  CHECK(MPI_Group_incl(world, 1, &l, &left));
  CHECK(MPI_Group_incl(world, 1, &r, &right));
  CHECK(MPI_Win_post(left, 0, win));
  CHECK(MPI_Win_start(right, 0, win));
  int v[2] = {rank, rank * rank};
  CHECK(MPI_Put(v, 2, MPI_INT, Right(), 1, 2, MPI_INT, win));
  CHECK(MPI_Win_complete(win));
  CHECK(MPI_Win_wait(win));
  PrintInts("pscw", buf, 4);
  /* Again, finishing the exposure with MPI_Win_test. */
  CHECK(MPI_Win_post(left, MPI_MODE_NOPUT, win));
  CHECK(MPI_Win_start(right, 0, win));
  int g = -2;
  CHECK(MPI_Get(&g, 1, MPI_INT, Right(), 2, 1, MPI_INT, win));
  CHECK(MPI_Win_complete(win));
  int flag = 0;
  while (!flag) CHECK(MPI_Win_test(win, &flag));
  printf("pscw get: %d\n", g);
  CHECK(MPI_Group_free(&left));
  CHECK(MPI_Group_free(&right));
  CHECK(MPI_Group_free(&world));
  CHECK(MPI_Win_free(&win));
}

static void Passive(void) {
  int buf[N] = {0};
  MPI_Win win;
  CHECK(MPI_Win_create(buf, sizeof buf, sizeof(int), MPI_INFO_NULL,
                       MPI_COMM_WORLD, &win));
  /* Fetch-and-op counter at rank 0. */
  int one = 1, before = 0;
  CHECK(MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, win));
  for (int i = 0; i < 3; ++i) {
    CHECK(MPI_Fetch_and_op(&one, &before, MPI_INT, 0, 0, MPI_SUM, win));
    CHECK(MPI_Win_flush(0, win));
  }
  CHECK(MPI_Win_unlock(0, win));
  /* Compare-and-swap, one rank at a time: each sees its predecessor's. */
  for (int r = 0; r < size; ++r) {
    if (rank == r) {
      int compare = r, swap = r + 1, old = -1;
      CHECK(MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, win));
      CHECK(MPI_Compare_and_swap(&swap, &compare, &old, MPI_INT, 0, 1, win));
      CHECK(MPI_Win_unlock(0, win));
      printf("cas saw %d\n", old);
    }
    CHECK(MPI_Barrier(MPI_COMM_WORLD));
  }
  /* Put to the right neighbour under a lock, with flush_local. */
  int v = 500 + rank;
  CHECK(MPI_Win_lock(MPI_LOCK_EXCLUSIVE, Right(), MPI_MODE_NOCHECK * 0, win));
  CHECK(
      MPI_Put(&v, 1, MPI_INT, Right(), 2 + (rank == Right()), 1, MPI_INT, win));
  CHECK(MPI_Win_flush_local(Right(), win));
  CHECK(MPI_Win_unlock(Right(), win));
  CHECK(MPI_Barrier(MPI_COMM_WORLD));
  CHECK(MPI_Win_lock(MPI_LOCK_SHARED, rank, 0, win));
  CHECK(MPI_Win_sync(win));
  if (rank == 0) printf("counter: %d cas: %d\n", buf[0], buf[1]);
  printf("locked put: %d\n", buf[2] + buf[3]);
  CHECK(MPI_Win_unlock(rank, win));
  CHECK(MPI_Barrier(MPI_COMM_WORLD));
  /* lock_all: read everyone's slot 2/3 with Rget, write with Rput. */
  CHECK(MPI_Win_lock_all(0, win));
  int sum = 0;
  for (int r = 0; r < size; ++r) {
    int x[2];
    MPI_Request req;
    CHECK(MPI_Rget(x, 2, MPI_INT, r, 2, 2, MPI_INT, win, &req));
    CHECK(MPI_Wait(&req, MPI_STATUS_IGNORE));
    sum += x[0] + x[1];
  }
  printf("lock_all sum: %d\n", sum);
  MPI_Request reqs[2];
  int w = 70 + rank;
  CHECK(MPI_Rput(&w, 1, MPI_INT, Right(), 4, 1, MPI_INT, win, &reqs[0]));
  int fetched = -1, add = 1;
  CHECK(MPI_Rget_accumulate(&add, 1, MPI_INT, &fetched, 1, MPI_INT, 0, 5, 1,
                            MPI_INT, MPI_SUM, win, &reqs[1]));
  CHECK(MPI_Waitall(2, reqs, MPI_STATUSES_IGNORE));
  CHECK(MPI_Win_flush_all(win));
  CHECK(MPI_Win_flush_local_all(win));
  MPI_Request racc;
  CHECK(
      MPI_Raccumulate(&add, 1, MPI_INT, 0, 6, 1, MPI_INT, MPI_SUM, win, &racc));
  CHECK(MPI_Wait(&racc, MPI_STATUS_IGNORE));
  CHECK(MPI_Win_unlock_all(win));
  CHECK(MPI_Barrier(MPI_COMM_WORLD));
  CHECK(MPI_Win_lock(MPI_LOCK_SHARED, rank, 0, win));
  printf("rput: %d\n", buf[4]);
  if (rank == 0)
    printf("rget_accumulate: %d raccumulate: %d\n", buf[5], buf[6]);
  CHECK(MPI_Win_unlock(rank, win));
  CHECK(MPI_Win_free(&win));
}

static void Dynamic(void) {
  MPI_Win win;
  CHECK(MPI_Win_create_dynamic(MPI_INFO_NULL, MPI_COMM_WORLD, &win));
  int* mem = malloc(4 * sizeof(int));
  for (int i = 0; i < 4; ++i) mem[i] = -1;
  CHECK(MPI_Win_attach(win, mem, 4 * sizeof(int)));
  MPI_Aint mine, *all = malloc(size * sizeof(MPI_Aint));
  CHECK(MPI_Get_address(mem, &mine));
  CHECK(MPI_Allgather(&mine, 1, MPI_AINT, all, 1, MPI_AINT, MPI_COMM_WORLD));
  CHECK(MPI_Win_fence(0, win));
  int v[2] = {rank, 42};
  CHECK(MPI_Put(v, 2, MPI_INT, Right(), all[Right()] + sizeof(int), 2, MPI_INT,
                win));
  CHECK(MPI_Win_fence(0, win));
  PrintInts("dynamic", mem, 4);
  int flavor = 0, *pflavor, flag = 0;
  CHECK(MPI_Win_get_attr(win, MPI_WIN_CREATE_FLAVOR, &pflavor, &flag));
  if (flag) flavor = *pflavor;
  printf("dynamic flavor: %d\n", flavor == MPI_WIN_FLAVOR_DYNAMIC);
  CHECK(MPI_Win_detach(win, mem));
  CHECK(MPI_Win_free(&win));
  free(mem);
  free(all);
}

static int deleted;
static int CountDelete(MPI_Win win, int keyval, void* value, void* extra) {
  (void)win, (void)keyval, (void)extra;
  deleted += *(int*)value;
  return MPI_SUCCESS;
}

static void ReportError(MPI_Win* win, int* code, ...) {
  char name[MPI_MAX_OBJECT_NAME];
  int len;
  MPI_Win_get_name(*win, name, &len);
  printf("error handler: window '%s' range error: %d\n", name,
         *code == MPI_ERR_RMA_RANGE);
}

static void AllocateAndAttributes(void) {
  int* base = NULL;
  MPI_Win win;
  CHECK(MPI_Win_allocate(8 * sizeof(int), sizeof(int), MPI_INFO_NULL,
                         MPI_COMM_WORLD, &base, &win));
  for (int i = 0; i < 8; ++i) base[i] = 0;
  CHECK(MPI_Win_fence(0, win));
  int v = rank + 1;
  for (int r = 0; r < size; ++r) {
    CHECK(MPI_Accumulate(&v, 1, MPI_INT, r, r % 8, 1, MPI_INT, MPI_SUM, win));
  }
  CHECK(MPI_Win_fence(0, win));
  PrintInts("allocate", base, 8);
  /* Predefined attributes. */
  void* attr_base;
  MPI_Aint* attr_size;
  int *attr_unit, *attr_flavor, *attr_model, flag;
  CHECK(MPI_Win_get_attr(win, MPI_WIN_BASE, &attr_base, &flag));
  printf("base is baseptr: %d\n", flag && attr_base == base);
  CHECK(MPI_Win_get_attr(win, MPI_WIN_SIZE, &attr_size, &flag));
  printf("size: %d\n", flag ? (int)*attr_size : -1);
  CHECK(MPI_Win_get_attr(win, MPI_WIN_DISP_UNIT, &attr_unit, &flag));
  printf("disp unit: %d\n", flag ? *attr_unit : -1);
  CHECK(MPI_Win_get_attr(win, MPI_WIN_CREATE_FLAVOR, &attr_flavor, &flag));
  printf("flavor allocate: %d\n",
         flag && *attr_flavor == MPI_WIN_FLAVOR_ALLOCATE);
  CHECK(MPI_Win_get_attr(win, MPI_WIN_MODEL, &attr_model, &flag));
  printf("model: %s\n", !flag                            ? "none"
                        : *attr_model == MPI_WIN_UNIFIED ? "unified"
                                                         : "separate");
  /* User keyvals: the delete callback runs at delete and at free. */
  int keyval;
  static int values[2] = {1, 10};
  CHECK(
      MPI_Win_create_keyval(MPI_WIN_NULL_COPY_FN, CountDelete, &keyval, NULL));
  CHECK(MPI_Win_set_attr(win, keyval, &values[0]));
  int* got;
  CHECK(MPI_Win_get_attr(win, keyval, &got, &flag));
  printf("attr: %d %d\n", flag, flag ? *got : -1);
  CHECK(MPI_Win_delete_attr(win, keyval));
  CHECK(MPI_Win_get_attr(win, keyval, &got, &flag));
  printf("after delete: flag %d deleted %d\n", flag, deleted);
  CHECK(MPI_Win_set_attr(win, keyval, &values[1]));
  /* Group and name. */
  MPI_Group group, world;
  int result;
  CHECK(MPI_Win_get_group(win, &group));
  CHECK(MPI_Comm_group(MPI_COMM_WORLD, &world));
  CHECK(MPI_Group_compare(group, world, &result));
  printf("group ident: %d\n", result == MPI_IDENT);
  CHECK(MPI_Group_free(&group));
  CHECK(MPI_Group_free(&world));
  char name[MPI_MAX_OBJECT_NAME];
  int len;
  CHECK(MPI_Win_set_name(win, "halo window"));
  CHECK(MPI_Win_get_name(win, name, &len));
  printf("name: '%s' (%d)\n", name, len);
  /* Info. */
  MPI_Info info;
  CHECK(MPI_Win_get_info(win, &info));
  printf("info: %d\n", info != MPI_INFO_NULL);
  CHECK(MPI_Info_free(&info));
  /* Error handlers. */
  MPI_Errhandler eh, old;
  CHECK(MPI_Win_get_errhandler(win, &old));
  printf("default fatal: %d\n", old == MPI_ERRORS_ARE_FATAL);
  CHECK(MPI_Errhandler_free(&old));
  CHECK(MPI_Win_create_errhandler(ReportError, &eh));
  CHECK(MPI_Win_set_errhandler(win, eh));
  CHECK(MPI_Errhandler_free(&eh));
  CHECK(MPI_Win_call_errhandler(win, MPI_ERR_RMA_RANGE));
  CHECK(MPI_Win_free(&win));
  printf("deleted at free: %d\n", deleted);
  CHECK(MPI_Win_free_keyval(&keyval));
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  FenceEpochs();
  Pscw();
  Passive();
  Dynamic();
  AllocateAndAttributes();
  MPI_Finalize();
  return 0;
}
