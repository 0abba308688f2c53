/* Shared by the groups and topo correctness programs: each rank's output is
 * collected (Out) and printed by rank 0 in rank order (PrintAll), and ranks
 * with sentinel values are printed by name (RankName). The includer defines
 * `int rank, size`. */
#ifndef WASMHPC_TESTS_MPI_RANK_OUTPUT_H_
#define WASMHPC_TESTS_MPI_RANK_OUTPUT_H_

#include <mpi.h>
#include <stdarg.h>
#include <stdio.h>

/* Each rank's output, printed by rank 0 in rank order at the end: mpirun
 * may split lines of ranks that print at the same time. */
static char out_text[1 << 16];
static int out_len;

static void Out(const char* format, ...) {
  va_list args;
  va_start(args, format);
  int n =
      vsnprintf(out_text + out_len, sizeof out_text - out_len, format, args);
  va_end(args);
  if (n > 0) out_len += n;
  if (out_len > (int)sizeof out_text - 1) out_len = (int)sizeof out_text - 1;
}

static void PrintAll(void) {
  if (rank != 0) {
    MPI_Send(out_text, out_len, MPI_CHAR, 0, 99, MPI_COMM_WORLD);
    return;
  }
  fwrite(out_text, 1, out_len, stdout);
  for (int r = 1; r < size; ++r) {
    MPI_Status status;
    MPI_Recv(out_text, sizeof out_text, MPI_CHAR, r, 99, MPI_COMM_WORLD,
             &status);
    MPI_Get_count(&status, MPI_CHAR, &out_len);
    fwrite(out_text, 1, out_len, stdout);
  }
}

static const char* RankName(int r, char* buf) {
  if (r == MPI_UNDEFINED) return "UNDEFINED";
  if (r == MPI_PROC_NULL) return "PROC_NULL";
  sprintf(buf, "%d", r);
  return buf;
}

#endif /* WASMHPC_TESTS_MPI_RANK_OUTPUT_H_ */
