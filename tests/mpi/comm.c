// Communicators, attributes and info objects: every function of the
// family, with lines that must match between native and Wasm runs under
// 1, 2, 4 and 5 ranks (no handle values, no host-specific strings).
#include <mpi.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mpi_check.h"

static int rank, size;

static void print_compare(const char* what, MPI_Comm a, MPI_Comm b) {
  int result;
  CHECK(MPI_Comm_compare(a, b, &result));
  printf("rank %d: compare %s = %s\n", rank, what, CompareName(result));
}

static void print_name(const char* what, MPI_Comm comm) {
  char name[MPI_MAX_OBJECT_NAME];
  int len = -1;
  CHECK(MPI_Comm_get_name(comm, name, &len));
  printf("rank %d: name of %s = '%s' (%d)\n", rank, what, name, len);
}

static void names_and_compare(void) {
  print_name("world", MPI_COMM_WORLD);
  print_name("self", MPI_COMM_SELF);
  MPI_Comm dup, reversed;
  CHECK(MPI_Comm_dup(MPI_COMM_WORLD, &dup));
  print_name("dup", dup);
  CHECK(MPI_Comm_set_name(dup, "dup of world"));
  print_name("named dup", dup);
  CHECK(MPI_Comm_split(MPI_COMM_WORLD, 0, size - rank, &reversed));
  print_compare("world world", MPI_COMM_WORLD, MPI_COMM_WORLD);
  print_compare("world dup", MPI_COMM_WORLD, dup);
  print_compare("world reversed", MPI_COMM_WORLD, reversed);
  print_compare("world self", MPI_COMM_WORLD, MPI_COMM_SELF);
  int r;
  CHECK(MPI_Comm_rank(reversed, &r));
  printf("rank %d: reversed rank %d\n", rank, r);
  CHECK(MPI_Comm_free(&reversed));
  CHECK(MPI_Comm_free(&dup));
  printf("rank %d: freed to null %d\n", rank, dup == MPI_COMM_NULL);
}

static void splits(void) {
  MPI_Comm half, odd, shared;
  CHECK(MPI_Comm_split(MPI_COMM_WORLD, rank % 2, -rank, &half));
  int r, n;
  CHECK(MPI_Comm_rank(half, &r));
  CHECK(MPI_Comm_size(half, &n));
  printf("rank %d: split color %d -> rank %d of %d\n", rank, rank % 2, r, n);
  CHECK(MPI_Comm_split(MPI_COMM_WORLD, rank % 2 ? 1 : MPI_UNDEFINED, 0, &odd));
  printf("rank %d: undefined color gives null %d\n", rank,
         odd == MPI_COMM_NULL);
  if (odd != MPI_COMM_NULL) CHECK(MPI_Comm_free(&odd));
  CHECK(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank,
                            MPI_INFO_NULL, &shared));
  CHECK(MPI_Comm_size(shared, &n));
  printf("rank %d: shared size %d\n", rank, n);
  CHECK(MPI_Comm_free(&shared));
  CHECK(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_UNDEFINED, rank, MPI_INFO_NULL,
                            &shared));
  printf("rank %d: undefined split type gives null %d\n", rank,
         shared == MPI_COMM_NULL);
  CHECK(MPI_Comm_free(&half));
}

// Communicators over the even ranks: MPI_Comm_create (collective over the
// world) and MPI_Comm_create_group (collective over the evens only).
static void create_from_groups(void) {
  MPI_Group world_group, evens;
  int ranks[3], n = 0;
  for (int r = 0; r < size; r += 2) ranks[n++] = r;
  CHECK(MPI_Comm_group(MPI_COMM_WORLD, &world_group));
  int gsize, grank;
  CHECK(MPI_Group_size(world_group, &gsize));
  CHECK(MPI_Group_rank(world_group, &grank));
  printf("rank %d: world group size %d rank %d\n", rank, gsize, grank);
  CHECK(MPI_Group_incl(world_group, n, ranks, &evens));
  MPI_Comm created, by_group = MPI_COMM_NULL;
  CHECK(MPI_Comm_create(MPI_COMM_WORLD, evens, &created));
  if (rank % 2 == 0) {
    CHECK(MPI_Comm_create_group(MPI_COMM_WORLD, evens, 7, &by_group));
  }
  for (int i = 0; i < 2; ++i) {
    MPI_Comm c = i ? by_group : created;
    const char* what = i ? "create_group" : "create";
    if (c == MPI_COMM_NULL) {
      printf("rank %d: %s -> null\n", rank, what);
      continue;
    }
    int r, s;
    CHECK(MPI_Comm_rank(c, &r));
    CHECK(MPI_Comm_size(c, &s));
    printf("rank %d: %s -> rank %d of %d\n", rank, what, r, s);
  }
  if (created != MPI_COMM_NULL) {
    print_compare("create create_group", created, by_group);
    CHECK(MPI_Comm_free(&created));
    CHECK(MPI_Comm_free(&by_group));
  }
  CHECK(MPI_Group_free(&evens));
  CHECK(MPI_Group_free(&world_group));
}

static void nonblocking_dup_and_info(void) {
  MPI_Comm dup;
  MPI_Request req;
  CHECK(MPI_Comm_idup(MPI_COMM_WORLD, &dup, &req));
  CHECK(MPI_Wait(&req, MPI_STATUS_IGNORE));
  int n;
  CHECK(MPI_Allreduce(&rank, &n, 1, MPI_INT, MPI_SUM, dup));
  printf("rank %d: idup allreduce %d\n", rank, n);
  print_compare("world idup", MPI_COMM_WORLD, dup);

  MPI_Info hints, used;
  CHECK(MPI_Info_create(&hints));
  CHECK(MPI_Info_set(hints, "mpi_assert_no_any_tag", "true"));
  MPI_Comm with_info;
  CHECK(MPI_Comm_dup_with_info(dup, hints, &with_info));
  CHECK(MPI_Comm_set_info(with_info, hints));
  CHECK(MPI_Comm_get_info(with_info, &used));
  int nkeys;
  CHECK(MPI_Info_get_nkeys(used, &nkeys));
  printf("rank %d: comm info keys %d\n", rank, nkeys);
  CHECK(MPI_Info_free(&used));
  CHECK(MPI_Info_free(&hints));
  print_compare("dup with_info", dup, with_info);
  CHECK(MPI_Comm_free(&with_info));
  CHECK(MPI_Comm_free(&dup));
}

// Lower and upper halves of the world, joined by an intercommunicator.
static void intercommunicators(void) {
  int flag;
  CHECK(MPI_Comm_test_inter(MPI_COMM_WORLD, &flag));
  printf("rank %d: world is inter %d\n", rank, flag);
  if (size < 2) {
    printf("rank %d: intercomm skipped with 1 rank\n", rank);
    return;
  }
  int upper = rank >= size / 2;
  MPI_Comm half, inter, merged;
  CHECK(MPI_Comm_split(MPI_COMM_WORLD, upper, rank, &half));
  CHECK(MPI_Intercomm_create(half, 0, MPI_COMM_WORLD, upper ? 0 : size / 2, 99,
                             &inter));
  int remote_size, group_size, r;
  MPI_Group remote;
  CHECK(MPI_Comm_test_inter(inter, &flag));
  CHECK(MPI_Comm_remote_size(inter, &remote_size));
  CHECK(MPI_Comm_remote_group(inter, &remote));
  CHECK(MPI_Group_size(remote, &group_size));
  CHECK(MPI_Comm_rank(inter, &r));
  printf("rank %d: inter %d local rank %d remote size %d group %d\n", rank,
         flag, r, remote_size, group_size);
  CHECK(MPI_Group_free(&remote));
  CHECK(MPI_Intercomm_merge(inter, upper, &merged));
  CHECK(MPI_Comm_rank(merged, &r));
  printf("rank %d: merged rank %d\n", rank, r);
  print_compare("world merged", MPI_COMM_WORLD, merged);
  CHECK(MPI_Comm_free(&merged));
  CHECK(MPI_Comm_free(&inter));
  CHECK(MPI_Comm_free(&half));
}

// Attribute callbacks count their calls in the extra state.
struct Counts {
  int copies, deletes;
};

static int copy_plus_one(MPI_Comm comm, int keyval, void* extra, void* in,
                         void* out, int* flag) {
  (void)comm, (void)keyval;
  ((struct Counts*)extra)->copies++;
  *(void**)out = (void*)((intptr_t)in + 1);
  *flag = 1;
  return MPI_SUCCESS;
}

static int count_delete(MPI_Comm comm, int keyval, void* value, void* extra) {
  (void)comm, (void)keyval, (void)value;
  ((struct Counts*)extra)->deletes++;
  return MPI_SUCCESS;
}

static int get_int(MPI_Comm comm, int keyval) {
  void* value;
  int flag;
  CHECK(MPI_Comm_get_attr(comm, keyval, &value, &flag));
  return flag ? (int)(intptr_t)value : -1;
}

static void attributes(void) {
  struct Counts counts = {0, 0};
  int plus, dup_fn, null_fn;
  CHECK(MPI_Comm_create_keyval(copy_plus_one, count_delete, &plus, &counts));
  CHECK(MPI_Comm_create_keyval(MPI_COMM_DUP_FN, MPI_COMM_NULL_DELETE_FN,
                               &dup_fn, NULL));
  CHECK(MPI_Comm_create_keyval(MPI_COMM_NULL_COPY_FN, count_delete, &null_fn,
                               &counts));
  MPI_Comm a, b;
  CHECK(MPI_Comm_dup(MPI_COMM_WORLD, &a));
  CHECK(MPI_Comm_set_attr(a, plus, (void*)(intptr_t)(100 + rank)));
  CHECK(MPI_Comm_set_attr(a, dup_fn, (void*)(intptr_t)7));
  CHECK(MPI_Comm_set_attr(a, null_fn, (void*)(intptr_t)8));
  CHECK(MPI_Comm_set_attr(a, null_fn, (void*)(intptr_t)9));  // deletes 8
  CHECK(MPI_Comm_dup(a, &b));
  printf("rank %d: attrs a %d %d %d b %d %d %d copies %d deletes %d\n", rank,
         get_int(a, plus), get_int(a, dup_fn), get_int(a, null_fn),
         get_int(b, plus), get_int(b, dup_fn), get_int(b, null_fn),
         counts.copies, counts.deletes);
  CHECK(MPI_Comm_delete_attr(a, dup_fn));
  CHECK(MPI_Comm_free_keyval(&plus));
  printf("rank %d: keyval freed to invalid %d, a dup_fn now %d\n", rank,
         plus == MPI_KEYVAL_INVALID, get_int(a, dup_fn));
  CHECK(MPI_Comm_free(&a));
  CHECK(MPI_Comm_free(&b));
  printf("rank %d: after free copies %d deletes %d\n", rank, counts.copies,
         counts.deletes);
  CHECK(MPI_Comm_free_keyval(&dup_fn));
  CHECK(MPI_Comm_free_keyval(&null_fn));

  // The MPI-1 names.
  int old;
  void* value;
  int flag;
  CHECK(MPI_Keyval_create(MPI_DUP_FN, MPI_NULL_DELETE_FN, &old, NULL));
  CHECK(MPI_Attr_put(MPI_COMM_SELF, old, (void*)(intptr_t)42));
  CHECK(MPI_Attr_get(MPI_COMM_SELF, old, &value, &flag));
  printf("rank %d: mpi-1 attr %d flag %d\n", rank, (int)(intptr_t)value, flag);
  CHECK(MPI_Attr_delete(MPI_COMM_SELF, old));
  CHECK(MPI_Attr_get(MPI_COMM_SELF, old, &value, &flag));
  printf("rank %d: mpi-1 deleted flag %d\n", rank, flag);
  CHECK(MPI_Keyval_free(&old));
}

// The predefined attributes of MPI_COMM_WORLD point to ints.
static void predefined_attributes(void) {
  int* v;
  int flag;
  CHECK(MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_TAG_UB, &v, &flag));
  printf("rank %d: tag_ub flag %d >= 32767 %d\n", rank, flag,
         flag && *v >= 32767);
  CHECK(MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_HOST, &v, &flag));
  printf("rank %d: host flag %d proc_null %d\n", rank, flag,
         flag && *v == MPI_PROC_NULL);
  CHECK(MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_IO, &v, &flag));
  printf("rank %d: io flag %d any_source %d\n", rank, flag,
         flag && *v == MPI_ANY_SOURCE);
  CHECK(MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_WTIME_IS_GLOBAL, &v, &flag));
  printf("rank %d: wtime_is_global flag %d value %d\n", rank, flag,
         flag ? *v : -1);
  CHECK(MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_APPNUM, &v, &flag));
  printf("rank %d: appnum flag %d value %d\n", rank, flag, flag ? *v : -1);
  CHECK(MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_UNIVERSE_SIZE, &v, &flag));
  printf("rank %d: universe_size flag %d >= size %d\n", rank, flag,
         flag && *v >= size);
  CHECK(MPI_Comm_get_attr(MPI_COMM_WORLD, MPI_LASTUSEDCODE, &v, &flag));
  printf("rank %d: lastusedcode flag %d >= lastcode %d\n", rank, flag,
         flag && *v >= MPI_ERR_LASTCODE);
  CHECK(MPI_Comm_get_attr(MPI_COMM_SELF, MPI_TAG_UB, &v, &flag));
  printf("rank %d: self tag_ub flag %d\n", rank, flag);
  MPI_Comm dup;
  CHECK(MPI_Comm_dup(MPI_COMM_WORLD, &dup));
  CHECK(MPI_Comm_get_attr(dup, MPI_TAG_UB, &v, &flag));
  printf("rank %d: dup tag_ub flag %d\n", rank, flag);
  CHECK(MPI_Comm_free(&dup));
}

static void print_info(const char* what, MPI_Info info) {
  int nkeys;
  CHECK(MPI_Info_get_nkeys(info, &nkeys));
  printf("rank %d: %s:", rank, what);
  for (int i = 0; i < nkeys; ++i) {
    char key[MPI_MAX_INFO_KEY], value[64];
    int len, flag;
    CHECK(MPI_Info_get_nthkey(info, i, key));
    CHECK(MPI_Info_get_valuelen(info, key, &len, &flag));
    CHECK(MPI_Info_get(info, key, sizeof value - 1, value, &flag));
    printf(" %s=%s(%d)", key, value, len);
  }
  printf("\n");
}

static void info_objects(void) {
  MPI_Info info, dup;
  CHECK(MPI_Info_create(&info));
  CHECK(MPI_Info_set(info, "zeta", "1"));
  CHECK(MPI_Info_set(info, "alpha", "two"));
  CHECK(MPI_Info_set(info, "zeta", "three"));
  char rank_value[16];
  snprintf(rank_value, sizeof rank_value, "r%d", rank);
  CHECK(MPI_Info_set(info, "rank", rank_value));
  print_info("info", info);
  CHECK(MPI_Info_dup(info, &dup));
  CHECK(MPI_Info_delete(info, "alpha"));
  print_info("after delete", info);
  print_info("dup", dup);
  char value[4];
  int flag;
  CHECK(MPI_Info_get(dup, "alpha", 2, value, &flag));
  printf("rank %d: cut value '%s' flag %d\n", rank, value, flag);
  CHECK(MPI_Info_get(dup, "missing", 2, value, &flag));
  printf("rank %d: missing flag %d\n", rank, flag);
  CHECK(MPI_Info_free(&info));
  CHECK(MPI_Info_free(&dup));
  printf("rank %d: info freed to null %d\n", rank, info == MPI_INFO_NULL);

  char level[64];
  CHECK(MPI_Info_get(MPI_INFO_ENV, "thread_level", sizeof level - 1, level,
                     &flag));
  printf("rank %d: env thread_level %s flag %d\n", rank, flag ? level : "-",
         flag);
#ifdef WASMHPC_MPI_H
  // MPI 5.0; Open MPI 4.1 has no MPI_Abi_get_info: checked against the
  // guest's own sizes here, printed the same way natively.
  MPI_Info abi;
  char aint[8], count[8], offset[8];
  CHECK(MPI_Abi_get_info(&abi));
  CHECK(MPI_Info_get(abi, "mpi_aint_size", 7, aint, &flag));
  CHECK(MPI_Info_get(abi, "mpi_count_size", 7, count, &flag));
  CHECK(MPI_Info_get(abi, "mpi_offset_size", 7, offset, &flag));
  char expect[64], got[64];
  snprintf(expect, sizeof expect, "%d %d %d", (int)sizeof(MPI_Aint),
           (int)sizeof(MPI_Count), (int)sizeof(MPI_Offset));
  snprintf(got, sizeof got, "%s %s %s", aint, count, offset);
  printf("rank %d: abi info matches the types %d\n", rank,
         strcmp(expect, got) == 0);
  CHECK(MPI_Info_free(&abi));
#else
  printf("rank %d: abi info matches the types %d\n", rank, 1);
#endif
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  printf("rank %d of %d\n", rank, size);
  names_and_compare();
  splits();
  create_from_groups();
  nonblocking_dup_and_info();
  intercommunicators();
  attributes();
  predefined_attributes();
  info_objects();
  MPI_Finalize();
  return 0;
}
