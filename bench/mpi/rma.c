/* rma: one-sided Put, Get and Accumulate between 2 ranks, latency and
 * bandwidth, over a window from MPI_Win_create and one from
 * MPI_Win_allocate. Built natively and to Wasm from this one source
 * (bench/CMakeLists.txt); bench/mpi_bench.py compares the two, the native
 * run under Open MPI's default components (what a native user gets).
 *
 * Rank 0 holds a passive-target epoch on rank 1 (MPI_Win_lock_all) and
 * times one MPI_Put, MPI_Get or MPI_Accumulate (MPI_SUM of MPI_INT) of
 * `bytes` followed by MPI_Win_flush(1), i.e. the time until the operation
 * is complete at both ends: the median over 20 batches (see TimeOp). Rank 1
 * waits in MPI_Barrier meanwhile (which drives progress for the target).
 * Each window holds 1 MiB per rank: "create" over page-aligned malloc'd
 * memory, "allocate" from MPI_Win_allocate. Natively Open MPI (osc/rdma)
 * puts the allocated window in memory the ranks of a node share (a Put is
 * a memcpy); under wasmhpc both are windows over the guest's linear
 * memory, reached by CMA (see bench/README.md). The last Get's data is
 * checked; a wrong byte aborts with exit status 1.
 *
 * Usage: mpirun -np 2 rma [scale]  (scale multiplies the repetitions,
 * default 1: a run takes about a second natively).
 * Output (rank 0): '#' comment lines, then
 * `window op bytes reps usec_per_call`, window "create" or "allocate". */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { kMaxBytes = 1 << 20, kWarmup = 10, kBatches = 20 };

static const int kSizes[] = {8, 1024, 65536, 1 << 20};
static const int kReps[] = {4000, 2000, 400, 60};
static const char *const kOps[] = {"MPI_Put", "MPI_Get", "MPI_Accumulate"};
enum { kPut, kGet, kAccumulate, kNumOps };

static void Fill(unsigned char *base, int rank) {
  for (int i = 0; i < kMaxBytes; ++i) base[i] = (unsigned char)(i * 7 + rank);
}

static void Op(MPI_Win win, int op, unsigned char *local, int bytes) {
  if (op == kPut) {
    MPI_Put(local, bytes, MPI_BYTE, 1, 0, bytes, MPI_BYTE, win);
  } else if (op == kGet) {
    MPI_Get(local, bytes, MPI_BYTE, 1, 0, bytes, MPI_BYTE, win);
  } else {
    int n = bytes / (int)sizeof(int);
    MPI_Accumulate(local, n, MPI_INT, 1, 0, n, MPI_INT, MPI_SUM, win);
  }
  MPI_Win_flush(1, win);
}

static int CompareDoubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* One op/size cell on rank 0: usec per op + flush, the median over
 * kBatches batches of reps / kBatches operations each (a batch the
 * process spent descheduled, common on a loaded machine, does not count). */
static double TimeOp(MPI_Win win, int op, unsigned char *local, int bytes,
                     int reps) {
  double batch_usec[kBatches];
  int per_batch = reps / kBatches > 0 ? reps / kBatches : 1;
  MPI_Win_lock_all(0, win);
  for (int i = 0; i < kWarmup; ++i) Op(win, op, local, bytes);
  for (int b = 0; b < kBatches; ++b) {
    double start = MPI_Wtime();
    for (int i = 0; i < per_batch; ++i) Op(win, op, local, bytes);
    batch_usec[b] = (MPI_Wtime() - start) * 1e6 / per_batch;
  }
  MPI_Win_unlock_all(win);
  qsort(batch_usec, kBatches, sizeof batch_usec[0], CompareDoubles);
  return batch_usec[kBatches / 2];
}

static void Bench(const char *kind, MPI_Win win, unsigned char *base,
                  unsigned char *local, int rank, double scale) {
  Fill(base, rank);
  MPI_Barrier(MPI_COMM_WORLD);
  for (int op = 0; op < kNumOps; ++op) {
    for (size_t s = 0; s < sizeof kSizes / sizeof kSizes[0]; ++s) {
      int bytes = kSizes[s];
      int reps = (int)(kReps[s] * scale);
      if (reps < 4) reps = 4;
      if (rank == 0) {
        memset(local, 0, bytes);
        double usec = TimeOp(win, op, local, bytes, reps);
        if (op == kGet &&
            local[bytes - 1] != (unsigned char)((bytes - 1) * 7 + 1)) {
          fprintf(stderr, "rma: wrong data from MPI_Get\n");
          MPI_Abort(MPI_COMM_WORLD, 1);
        }
        printf("%s %s %d %d %.3f\n", kind, kOps[op], bytes, reps, usec);
      }
      MPI_Barrier(MPI_COMM_WORLD);
      /* Put/Accumulate changed rank 1's window: restore it for the Gets. */
      if (rank == 1 && op != kGet) {
        MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 1, 0, win);
        Fill(base, 1);
        MPI_Win_unlock(1, win);
      }
      MPI_Barrier(MPI_COMM_WORLD);
    }
  }
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, nranks;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &nranks);
  double scale = argc > 1 ? atof(argv[1]) : 1.0;
  if (nranks != 2) {
    if (rank == 0) fprintf(stderr, "rma: run with 2 ranks\n");
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  unsigned char *local = aligned_alloc(4096, kMaxBytes);
  if (rank == 0) printf("# window op bytes reps usec_per_call\n");
  /* Page-aligned, as the other MPI benchmarks. */
  unsigned char *base = aligned_alloc(4096, kMaxBytes);
  MPI_Win win;
  MPI_Win_create(base, kMaxBytes, 1, MPI_INFO_NULL, MPI_COMM_WORLD, &win);
  Bench("create", win, base, local, rank, scale);
  MPI_Win_free(&win);
  free(base);
  MPI_Win_allocate(kMaxBytes, 1, MPI_INFO_NULL, MPI_COMM_WORLD, &base, &win);
  Bench("allocate", win, base, local, rank, scale);
  MPI_Win_free(&win);
  free(local);
  MPI_Finalize();
  return 0;
}
