/* Groups: every MPI_Group function, with deterministic output for any
 * number of ranks. Built natively and to Wasm; outputs must match.
 * Sentinels and comparison results are printed by name, since their values
 * differ between the host's mpi.h and the standard ABI. */
#include <mpi.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int rank, size;

#include "mpi_check.h"
#include "rank_output.h"

/* "name: size N rank R members [w0 w1 ...]" (members as world ranks). */
static void Show(const char* name, MPI_Group g, MPI_Group world) {
  int n, r, members[64], world_ranks[64];
  char buf[16], line[512];
  MPI_Group_size(g, &n);
  MPI_Group_rank(g, &r);
  for (int i = 0; i < n; ++i) members[i] = i;
  MPI_Group_translate_ranks(g, n, members, world, world_ranks);
  int len = snprintf(line, sizeof line, "rank %d: %s: size %d rank %s [", rank,
                     name, n, RankName(r, buf));
  for (int i = 0; i < n; ++i) {
    len += snprintf(line + len, sizeof line - len, "%s%d", i ? " " : "",
                    world_ranks[i]);
  }
  Out("%s]\n", line);
}

static void Compare(const char* what, MPI_Group a, MPI_Group b) {
  int result;
  MPI_Group_compare(a, b, &result);
  Out("rank %d: compare %s: %s\n", rank, what, CompareName(result));
}

static void ErrorClass(const char* what, int rc, int expected) {
  int cls = MPI_SUCCESS;
  if (rc != MPI_SUCCESS) MPI_Error_class(rc, &cls);
  Out("rank %d: %s: %s\n", rank, what,
      cls == expected ? "expected error class" : "WRONG error class");
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);

  MPI_Group world, even, odd, reversed, no_first, all, none, diff, inter;
  MPI_Comm_group(MPI_COMM_WORLD, &world);
  Show("world", world, world);

  int ranges[1][3] = {{0, size - 1, 2}};
  MPI_Group_range_incl(world, 1, ranges, &even);
  MPI_Group_range_excl(world, 1, ranges, &odd);
  Show("even", even, world);
  Show("odd", odd, world);

  int list[64];
  for (int i = 0; i < size; ++i) list[i] = size - 1 - i;
  MPI_Group_incl(world, size, list, &reversed);
  Show("reversed", reversed, world);
  int first = 0;
  MPI_Group_excl(world, 1, &first, &no_first);
  Show("no_first", no_first, world);

  /* Strided descending ranges: every third rank from the top. */
  int down[2][3] = {{size - 1, 0, -3}, {size > 1 ? 1 : 0, 1, 1}};
  MPI_Group strided;
  MPI_Group_range_incl(world, size > 2 ? 1 : 0, down, &strided);
  Show("strided", strided, world);

  MPI_Group_union(even, odd, &all);
  MPI_Group_intersection(even, odd, &none);
  MPI_Group_difference(world, even, &diff);
  MPI_Group_intersection(reversed, even, &inter);
  Show("even|odd", all, world);
  Show("even&odd", none, world);
  Show("world-even", diff, world);
  Show("reversed&even", inter, world);
  Out("rank %d: even&odd is MPI_GROUP_EMPTY: %d\n", rank,
      none == MPI_GROUP_EMPTY);

  Compare("world world", world, world);
  Compare("world reversed", world, reversed);
  Compare("world even|odd", world, all);
  Compare("world-even odd", diff, odd);
  Compare("even odd", even, odd);
  Compare("even&odd empty", none, MPI_GROUP_EMPTY);

  /* Translation with MPI_PROC_NULL and ranks missing from the target. */
  int from[65], to[65];
  char b1[16], b2[16];
  for (int i = 0; i < size; ++i) from[i] = i;
  from[size] = MPI_PROC_NULL;
  MPI_Group_translate_ranks(world, size + 1, from, even, to);
  for (int i = 0; i <= size; ++i) {
    Out("rank %d: world %s -> even %s\n", rank, RankName(from[i], b1),
        RankName(to[i], b2));
  }
  MPI_Group_translate_ranks(world, size, from, reversed, to);
  for (int i = 0; i < size; ++i) {
    Out("rank %d: world %d -> reversed %d\n", rank, from[i], to[i]);
  }

  int empty_size, empty_rank;
  MPI_Group_size(MPI_GROUP_EMPTY, &empty_size);
  MPI_Group_rank(MPI_GROUP_EMPTY, &empty_rank);
  Out("rank %d: MPI_GROUP_EMPTY size %d rank %s\n", rank, empty_size,
      RankName(empty_rank, b1));

  /* Errors come back as codes under MPI_ERRORS_RETURN. */
  MPI_Group bad = MPI_GROUP_NULL;
  int out_of_range = size;
  ErrorClass("incl of rank size", MPI_Group_incl(world, 1, &out_of_range, &bad),
             MPI_ERR_RANK);
  MPI_Group null_group = MPI_GROUP_NULL;
  ErrorClass("free of MPI_GROUP_NULL", MPI_Group_free(&null_group),
             MPI_ERR_GROUP);
  int null_size = -1;
  ErrorClass("size of MPI_GROUP_NULL",
             MPI_Group_size(MPI_GROUP_NULL, &null_size), MPI_ERR_GROUP);

  MPI_Group* groups[] = {&world,   &even, &odd,  &reversed, &no_first,
                         &strided, &all,  &none, &diff,     &inter};
  int nulls = 0;
  for (size_t i = 0; i < sizeof groups / sizeof groups[0]; ++i) {
    if (MPI_Group_free(groups[i]) == MPI_SUCCESS &&
        *groups[i] == MPI_GROUP_NULL) {
      ++nulls;
    }
  }
  Out("rank %d: freed %d groups\n", rank, nulls);
  PrintAll();
  MPI_Finalize();
  return 0;
}
