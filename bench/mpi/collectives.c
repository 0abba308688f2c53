/* collectives: time per call of MPI_Allreduce, MPI_Bcast, MPI_Alltoall,
 * MPI_Allgather, MPI_Reduce (sizes 8 B .. max_bytes, x8 steps, max_bytes
 * last) and MPI_Barrier, on MPI_COMM_WORLD. Built natively and to Wasm
 * from this one source (bench/CMakeLists.txt); bench/mpi_bench.py compares
 * the two.
 *
 * "bytes" is the message of one rank: the reduced vector (doubles, MPI_SUM,
 * root 0 for MPI_Reduce), the broadcast buffer (root 0), the block sent to
 * each peer (MPI_Alltoall) or contributed by each rank (MPI_Allgather).
 * MPI_Barrier has one row, bytes 0.
 *
 * Repetitions are adaptive: after two warm-up calls, a doubling calibration
 * loop estimates the time per call, then each (op, bytes) cell runs for
 * about ms_per_size ms. All ranks agree on the count (MPI_Allreduce MAX of
 * the estimate). The reported time is the largest over ranks of each rank's
 * mean time per call. The last call's result is checked after each cell;
 * a wrong result aborts with exit status 1.
 *
 * Usage: mpirun -np 4 collectives [ms_per_size [max_bytes]]
 *   ms_per_size: timed milliseconds per cell (default 40; 36 cells, so a
 *   run takes about 2-3 s with the calibration). max_bytes: default 1 MiB.
 * Output (rank 0): '#' comment lines, then `op bytes reps usec_per_call`. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { kWarmup = 2, kMinReps = 4, kMaxReps = 1 << 20, kSmallest = 8 };

/* Buffers shared by all cells: each holds max_bytes for every rank. */
typedef struct {
  unsigned char *send;
  unsigned char *recv;
  int rank;
  int nranks;
} Buffers;

/* One collective: `call` runs it once on `bytes`; `fill` sets up the send
 * data before a cell; `check` returns 1 when the last call's result is
 * right. */
typedef struct {
  const char *name;
  int sized; /* 0: one row at bytes 0 (MPI_Barrier) */
  void (*call)(Buffers *b, int bytes);
  void (*fill)(Buffers *b, int bytes);
  int (*check)(const Buffers *b, int bytes);
} Collective;

/* ---- MPI_Allreduce / MPI_Reduce: doubles, each rank sends rank + 1. ---- */

static void CallAllreduce(Buffers *b, int bytes) {
  MPI_Allreduce(b->send, b->recv, bytes / 8, MPI_DOUBLE, MPI_SUM,
                MPI_COMM_WORLD);
}

static void CallReduce(Buffers *b, int bytes) {
  MPI_Reduce(b->send, b->recv, bytes / 8, MPI_DOUBLE, MPI_SUM, 0,
             MPI_COMM_WORLD);
}

static void FillSum(Buffers *b, int bytes) {
  double *v = (double *)b->send;
  for (int i = 0; i < bytes / 8; ++i) v[i] = b->rank + 1.0;
}

static int SumIsRight(const Buffers *b, int bytes) {
  const double *v = (const double *)b->recv;
  const double want = b->nranks * (b->nranks + 1) / 2.0;
  const int n = bytes / 8;
  return v[0] == want && v[n / 2] == want && v[n - 1] == want;
}

static int CheckReduce(const Buffers *b, int bytes) {
  return b->rank != 0 || SumIsRight(b, bytes);
}

/* ---- MPI_Bcast: root 0 sends its rank-tagged pattern. ---- */

static void CallBcast(Buffers *b, int bytes) {
  MPI_Bcast(b->send, bytes, MPI_BYTE, 0, MPI_COMM_WORLD);
}

static void FillBcast(Buffers *b, int bytes) {
  for (int i = 0; i < bytes; ++i) {
    b->send[i] = b->rank == 0 ? (unsigned char)(i * 7 + 1) : 0;
  }
}

static int CheckBcast(const Buffers *b, int bytes) {
  for (int i = 0; i < bytes; i += 1 + bytes / 64) {
    if (b->send[i] != (unsigned char)(i * 7 + 1)) return 0;
  }
  return b->send[bytes - 1] == (unsigned char)((bytes - 1) * 7 + 1);
}

/* ---- MPI_Alltoall / MPI_Allgather: blocks tagged with their origin. ---- */

static void CallAlltoall(Buffers *b, int bytes) {
  MPI_Alltoall(b->send, bytes, MPI_BYTE, b->recv, bytes, MPI_BYTE,
               MPI_COMM_WORLD);
}

static void CallAllgather(Buffers *b, int bytes) {
  MPI_Allgather(b->send, bytes, MPI_BYTE, b->recv, bytes, MPI_BYTE,
                MPI_COMM_WORLD);
}

/* Block `to` of `from`'s send buffer starts and ends with this byte. */
static unsigned char BlockTag(int from, int to) {
  return (unsigned char)(from * 16 + to + 1);
}

static void FillAlltoall(Buffers *b, int bytes) {
  for (int to = 0; to < b->nranks; ++to) {
    memset(b->send + (size_t)to * bytes, BlockTag(b->rank, to), bytes);
  }
}

static void FillAllgather(Buffers *b, int bytes) {
  memset(b->send, BlockTag(b->rank, 0), bytes);
}

/* Block `from` of the receive buffer holds `want(from)` at both ends. */
static int BlocksAre(const Buffers *b, int bytes, int to) {
  for (int from = 0; from < b->nranks; ++from) {
    const unsigned char *block = b->recv + (size_t)from * bytes;
    const unsigned char want = BlockTag(from, to);
    if (block[0] != want || block[bytes - 1] != want) return 0;
  }
  return 1;
}

static int CheckAlltoall(const Buffers *b, int bytes) {
  return BlocksAre(b, bytes, b->rank);
}

static int CheckAllgather(const Buffers *b, int bytes) {
  return BlocksAre(b, bytes, 0);
}

/* ---- MPI_Barrier ---- */

static void CallBarrier(Buffers *b, int bytes) {
  (void)b;
  (void)bytes;
  MPI_Barrier(MPI_COMM_WORLD);
}

static void FillNothing(Buffers *b, int bytes) {
  (void)b;
  (void)bytes;
}

static int CheckNothing(const Buffers *b, int bytes) {
  (void)b;
  (void)bytes;
  return 1;
}

static const Collective kCollectives[] = {
    {"MPI_Allreduce", 1, CallAllreduce, FillSum, SumIsRight},
    {"MPI_Bcast", 1, CallBcast, FillBcast, CheckBcast},
    {"MPI_Alltoall", 1, CallAlltoall, FillAlltoall, CheckAlltoall},
    {"MPI_Allgather", 1, CallAllgather, FillAllgather, CheckAllgather},
    {"MPI_Reduce", 1, CallReduce, FillSum, CheckReduce},
    {"MPI_Barrier", 0, CallBarrier, FillNothing, CheckNothing},
};

/* Mean seconds per call of `reps` calls on this rank. */
static double TimeCalls(const Collective *c, Buffers *b, int bytes, int reps) {
  MPI_Barrier(MPI_COMM_WORLD);
  const double start = MPI_Wtime();
  for (int i = 0; i < reps; ++i) c->call(b, bytes);
  return (MPI_Wtime() - start) / reps;
}

static double MaxOverRanks(double t) {
  double max = 0.0;
  MPI_Allreduce(&t, &max, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  return max;
}

/* Repetitions for about `seconds` of calls, on every rank alike: after
 * kWarmup untimed calls (the first call of a size may set up connections
 * or buffers), doubles a trial count until a trial of at least kMinReps
 * calls takes 1/8 of that time (or reaches the cap). */
static int CalibrateReps(const Collective *c, Buffers *b, int bytes,
                         double seconds) {
  TimeCalls(c, b, bytes, kWarmup);
  for (int trial = 1;; trial *= 2) {
    const double per_call = MaxOverRanks(TimeCalls(c, b, bytes, trial));
    if ((trial >= kMinReps && per_call * trial >= seconds / 8) ||
        trial >= kMaxReps / 2) {
      const double reps = per_call > 0 ? seconds / per_call : kMaxReps;
      if (reps < kMinReps) return kMinReps;
      if (reps > kMaxReps) return kMaxReps;
      return (int)reps;
    }
  }
}

/* Times one cell, prints its row on rank 0, and checks the last call's
 * result (every call of a cell computes the same one). */
static void RunCell(const Collective *c, Buffers *b, int bytes,
                    double seconds) {
  c->fill(b, bytes);
  const int reps = CalibrateReps(c, b, bytes, seconds);
  const double per_call = MaxOverRanks(TimeCalls(c, b, bytes, reps));
  if (b->rank == 0) {
    printf("%-14s %8d %8d %14.3f\n", c->name, bytes, reps, per_call * 1e6);
    fflush(stdout);
  }
  if (!c->check(b, bytes)) {
    fprintf(stderr, "collectives: rank %d: wrong result of %s at %d B\n",
            b->rank, c->name, bytes);
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
}

int main(int argc, char **argv) {
  Buffers b;
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &b.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &b.nranks);
  const double ms_per_size = argc > 1 ? atof(argv[1]) : 40.0;
  const int max_bytes = argc > 2 ? atoi(argv[2]) : 1 << 20;
  if (ms_per_size <= 0 || max_bytes < kSmallest || max_bytes % 8 != 0 ||
      max_bytes > (1 << 30) / b.nranks) {
    if (b.rank == 0) {
      fprintf(stderr,
              "usage: collectives [ms_per_size [max_bytes]]"
              " (max_bytes a multiple of 8, >= 8)\n");
    }
    MPI_Abort(MPI_COMM_WORLD, 1);
  }

  const size_t total = (size_t)max_bytes * b.nranks;
  /* Page-aligned (as pingpong, the OSU benchmarks): glibc and wasi-libc
   * place large malloc blocks differently, and copies see it. */
  const size_t page = 4096, rounded = (total + page - 1) / page * page;
  b.send = aligned_alloc(page, rounded);
  b.recv = aligned_alloc(page, rounded);
  if (b.send == NULL || b.recv == NULL) MPI_Abort(MPI_COMM_WORLD, 1);
  memset(b.send, 1, total);
  memset(b.recv, 0, total);

  if (b.rank == 0) {
    printf(
        "# collectives on %d ranks, %.0f ms per size; usec_per_call is"
        " the max over ranks of the mean\n",
        b.nranks, ms_per_size);
    printf("%-14s %8s %8s %14s\n", "op", "bytes", "reps", "usec_per_call");
  }
  const double seconds = ms_per_size / 1e3;
  const int ncoll = (int)(sizeof kCollectives / sizeof kCollectives[0]);
  for (int i = 0; i < ncoll; ++i) {
    const Collective *c = &kCollectives[i];
    if (!c->sized) {
      RunCell(c, &b, 0, seconds);
      continue;
    }
    for (int bytes = kSmallest; bytes < max_bytes; bytes *= 8) {
      RunCell(c, &b, bytes, seconds);
    }
    RunCell(c, &b, max_bytes, seconds);
  }
  free(b.send);
  free(b.recv);
  MPI_Finalize();
  return 0;
}
