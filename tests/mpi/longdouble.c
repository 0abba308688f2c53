/* long double reductions and movement. wasm32's long double is IEEE
 * binary128; x86-64's is x87 extended, so the native build of this file
 * computes in GCC's __float128 (binary128) instead, and reduces with user
 * ops written here (Open MPI's predefined ops would treat the bytes as x87
 * numbers). The Wasm build uses the predefined ops, which wasmhpc computes
 * in binary128 on the host.
 *
 * How the comparison stays honest: every value is chosen so that each
 * reduction's exact result is representable in binary128 but not in x87
 * extended or double (bits 2^-100 and below), so the result does not
 * depend on the order the ranks are combined in. Each rank checks every
 * result against the one it computes itself, in its own binary128
 * arithmetic (compiler-rt's on Wasm, libgcc's natively), prints "exact" or
 * "WRONG", and prints the result's bytes in hex; the bytes must match the
 * native run's. One SUM of inexact values (1/3 + ...) is compared by bytes
 * only: both runs reduce with a commutative host user op, so Open MPI picks
 * the same algorithm and order, and each addition rounds the same. */
#include <mpi.h>
#include <stdio.h>
#include <string.h>

#include "mpi_check.h"

#ifdef __wasm__
typedef long double real;
typedef long double _Complex cplx;
#else
typedef __float128 real;
typedef _Complex float __attribute__((mode(TC))) cplx;
#endif
typedef struct {
  real value;
  int index;
} pair;

_Static_assert(sizeof(real) == 16, "binary128");
_Static_assert(sizeof(cplx) == 32 && sizeof(pair) == 32, "layouts");

static int rank, size;

/* 2^-k, exactly. */
static real Tiny(int k) {
  real v = 1;
  while (k-- > 0) v /= 2;
  return v;
}

/* ---- The reductions, as each rank computes them itself. ---- */

enum Kind { kReal, kComplex, kPair };
enum OpId { kSum, kProd, kMin, kMax, kMinloc, kMaxloc };
static const char* const kOpNames[] = {"SUM", "PROD",   "MIN",
                                       "MAX", "MINLOC", "MAXLOC"};

static void Combine(enum Kind kind, enum OpId op, const void* in, void* io) {
  if (kind == kReal) {
    real a, b;
    memcpy(&a, in, sizeof a);
    memcpy(&b, io, sizeof b);
    if (op == kSum) b = b + a;
    if (op == kProd) b = b * a;
    if (op == kMin) b = b < a ? b : a;
    if (op == kMax) b = b > a ? b : a;
    memcpy(io, &b, sizeof b);
  } else if (kind == kComplex) {
    cplx a, b;
    memcpy(&a, in, sizeof a);
    memcpy(&b, io, sizeof b);
    if (op == kSum) b = b + a;
    if (op == kProd) {
      /* C's product of finite values: each product rounded, then summed. */
      real re = __real__ b * __real__ a - __imag__ b * __imag__ a;
      real im = __real__ b * __imag__ a + __imag__ b * __real__ a;
      __real__ b = re;
      __imag__ b = im;
    }
    memcpy(io, &b, sizeof b);
  } else {
    /* 20 bytes of data at a 32-byte stride: never touch the padding (the
     * last element of an MPI buffer may end at its index). */
    pair a, b;
    memcpy(&a, in, 20);
    memcpy(&b, io, 20);
    int more = op == kMaxloc ? a.value > b.value : a.value < b.value;
    if (more) {
      b = a;
    } else if (a.value == b.value && a.index < b.index) {
      b.index = a.index;
    }
    memcpy(io, &b, 20);
  }
}

/* Element j of rank r's input for (kind, op): see the header comment. */
static void Fill(enum Kind kind, enum OpId op, int r, int j, void* out) {
  memset(out, 0, 32);
  if (kind == kReal) {
    real v = 0;
    if (op == kSum) v = 1 + (r + 1 + j) * Tiny(100);
    if (op == kProd) v = 1 + Tiny(18 + r + j); /* up to 2^-110 in all */
    if (op == kMin || op == kMax) {
      v = (j ? -1 : 1) * (2 + ((r * 3 + j) % size) * Tiny(105));
    }
    memcpy(out, &v, sizeof v);
  } else if (kind == kComplex) {
    cplx z;
    if (op == kSum) {
      __real__ z = 1 + r * Tiny(100);
      __imag__ z = r + j - Tiny(90);
    } else {
      /* Gaussian integers, rank 0's times (1 + 2^-100): every partial
       * product is exact. */
      real s = r == 0 ? 1 + Tiny(100) : 1;
      __real__ z = s * (r + 1 + j);
      __imag__ z = s * (r + 2 - j);
    }
    memcpy(out, &z, sizeof z);
  } else {
    /* The extreme is shared by the last two ranks: a tie. */
    pair p = {2 + ((size - 1 - r) / 2) * Tiny(100) + j * Tiny(101), 10 + r};
    if (op == kMaxloc) p.value = -p.value;
    memcpy(out, &p, sizeof p);
  }
}

/* The reduction of element j over ranks [first, last). */
static void Expect(enum Kind kind, enum OpId op, int first, int last, int j,
                   void* out) {
  unsigned char in[32];
  Fill(kind, op, first, j, out);
  for (int r = first + 1; r < last; ++r) {
    Fill(kind, op, r, j, in);
    Combine(kind, op, in, out);
  }
}

/* ---- The MPI side. ---- */

#ifdef __wasm__
static MPI_Op TheOp(enum Kind kind, enum OpId op) {
  (void)kind;
  const MPI_Op ops[] = {MPI_SUM, MPI_PROD,   MPI_MIN,
                        MPI_MAX, MPI_MINLOC, MPI_MAXLOC};
  return ops[op];
}
#else
/* Native: user ops in __float128, one per (kind, op). */
static MPI_Op native_ops[3][6];
#define NATIVE_OP(K, O)                                        \
  static void Native_##K##_##O(void* in, void* io, int* len,   \
                               MPI_Datatype* type) {           \
    (void)type;                                                \
    for (int i = 0; i < *len; ++i) {                           \
      Combine(K, O, (char*)in + 32 * i / (K == kReal ? 2 : 1), \
              (char*)io + 32 * i / (K == kReal ? 2 : 1));      \
    }                                                          \
  }
NATIVE_OP(kReal, kSum)
NATIVE_OP(kReal, kProd)
NATIVE_OP(kReal, kMin)
NATIVE_OP(kReal, kMax)
NATIVE_OP(kComplex, kSum)
NATIVE_OP(kComplex, kProd)
NATIVE_OP(kPair, kMinloc)
NATIVE_OP(kPair, kMaxloc)
static void MakeNativeOps(void) {
  MPI_Op_create(Native_kReal_kSum, 1, &native_ops[kReal][kSum]);
  MPI_Op_create(Native_kReal_kProd, 1, &native_ops[kReal][kProd]);
  MPI_Op_create(Native_kReal_kMin, 1, &native_ops[kReal][kMin]);
  MPI_Op_create(Native_kReal_kMax, 1, &native_ops[kReal][kMax]);
  MPI_Op_create(Native_kComplex_kSum, 1, &native_ops[kComplex][kSum]);
  MPI_Op_create(Native_kComplex_kProd, 1, &native_ops[kComplex][kProd]);
  MPI_Op_create(Native_kPair_kMinloc, 1, &native_ops[kPair][kMinloc]);
  MPI_Op_create(Native_kPair_kMaxloc, 1, &native_ops[kPair][kMaxloc]);
}
static MPI_Op TheOp(enum Kind kind, enum OpId op) {
  return native_ops[kind][op];
}
#endif

static void Hex(const void* p, int n, char* out) {
  const unsigned char* b = p;
  for (int i = n - 1; i >= 0; --i) out += sprintf(out, "%02x", b[i]);
}

/* Prints one result: whether it is exact and its bytes (16 significant
 * bytes of each 16-byte part: a pair's padding is not data). */
static void Report(const char* what, enum Kind kind, enum OpId op,
                   const void* got, const void* want) {
  int n = kind == kReal ? 16 : 32;
  int same = kind == kPair
                 ? memcmp(got, want, 16) == 0 &&
                       ((const pair*)got)->index == ((const pair*)want)->index
                 : memcmp(got, want, n) == 0;
  char hex[80];
  if (kind == kPair) {
    Hex(got, 16, hex);
    sprintf(hex + 32, ":%d", ((const pair*)got)->index);
  } else {
    Hex(got, n, hex);
  }
  printf("rank %d: %-22s %-6s %-5s %s\n", rank, what, kOpNames[op],
         same ? "exact" : "WRONG", hex);
}

static const MPI_Datatype* Types(enum Kind kind, int* n) {
  static MPI_Datatype real_types[1], complex_types[2], pair_types[1];
  real_types[0] = MPI_LONG_DOUBLE;
  complex_types[0] = MPI_C_LONG_DOUBLE_COMPLEX;
  complex_types[1] = MPI_CXX_LONG_DOUBLE_COMPLEX;
  pair_types[0] = MPI_LONG_DOUBLE_INT;
  *n = kind == kComplex ? 2 : 1;
  return kind == kReal      ? real_types
         : kind == kComplex ? complex_types
                            : pair_types;
}

/* Every reduction call on one (kind, op), two elements a rank. */
static void Reductions(enum Kind kind, enum OpId op, MPI_Datatype type,
                       const char* tname) {
  unsigned char in[64], other[64], out[64], want[32], big[8][32];
  char what[64];
  const int stride = kind == kReal ? 16 : 32;
  MPI_Op mop = TheOp(kind, op);
  for (int j = 0; j < 2; ++j) Fill(kind, op, rank, j, in + j * stride);
#define SHOW(call, first, last)                               \
  for (int j = 0; j < 2; ++j) {                               \
    Expect(kind, op, first, last, j, want);                   \
    snprintf(what, sizeof what, "%s %s[%d]", tname, call, j); \
    Report(what, kind, op, out + j * stride, want);           \
  }
  CHECK(MPI_Allreduce(in, out, 2, type, mop, MPI_COMM_WORLD));
  SHOW("Allreduce", 0, size);
  MPI_Request req;
  memset(out, 0, sizeof out);
  CHECK(MPI_Iallreduce(in, out, 2, type, mop, MPI_COMM_WORLD, &req));
  CHECK(MPI_Wait(&req, MPI_STATUS_IGNORE));
  SHOW("Iallreduce", 0, size);
  memset(out, 0, sizeof out);
  CHECK(MPI_Reduce(in, out, 2, type, mop, size - 1, MPI_COMM_WORLD));
  if (rank == size - 1) SHOW("Reduce", 0, size);
  memset(out, 0, sizeof out);
  CHECK(MPI_Scan(in, out, 2, type, mop, MPI_COMM_WORLD));
  SHOW("Scan", 0, rank + 1);
  memset(out, 0, sizeof out);
  CHECK(MPI_Iexscan(in, out, 2, type, mop, MPI_COMM_WORLD, &req));
  CHECK(MPI_Wait(&req, MPI_STATUS_IGNORE));
  if (rank > 0) SHOW("Iexscan", 0, rank);
  /* In place: recvbuf holds the input. */
  memcpy(out, in, sizeof out);
  CHECK(MPI_Allreduce(MPI_IN_PLACE, out, 2, type, mop, MPI_COMM_WORLD));
  SHOW("Allreduce(in place)", 0, size);
  /* reduce_local: rank 1's input into this rank's (element j of both). */
  memcpy(out, in, sizeof out);
  for (int j = 0; j < 2; ++j) Fill(kind, op, 1, j, other + j * stride);
  CHECK(MPI_Reduce_local(other, out, 2, type, mop));
  for (int j = 0; j < 2; ++j) {
    unsigned char w[32];
    Fill(kind, op, rank, j, w);
    Combine(kind, op, other + j * stride, w);
    snprintf(what, sizeof what, "%s Reduce_local[%d]", tname, j);
    Report(what, kind, op, out + j * stride, w);
  }
  /* reduce_scatter(_block): element 0 of every rank's block; rank r's
   * block i holds its element i % 2. */
  if (size <= 8) {
    for (int i = 0; i < size; ++i) Fill(kind, op, rank, i % 2, big[i]);
    unsigned char packed[8 * 32];
    for (int i = 0; i < size; ++i) memcpy(packed + i * stride, big[i], 32);
    int counts[8];
    for (int i = 0; i < size; ++i) counts[i] = 1;
    memset(out, 0, sizeof out);
    CHECK(MPI_Reduce_scatter_block(packed, out, 1, type, mop, MPI_COMM_WORLD));
    Expect(kind, op, 0, size, rank % 2, want);
    snprintf(what, sizeof what, "%s Reduce_scatter_block", tname);
    Report(what, kind, op, out, want);
    memset(out, 0, sizeof out);
    CHECK(MPI_Ireduce_scatter(packed, out, counts, type, mop, MPI_COMM_WORLD,
                              &req));
    CHECK(MPI_Wait(&req, MPI_STATUS_IGNORE));
    snprintf(what, sizeof what, "%s Ireduce_scatter", tname);
    Report(what, kind, op, out, want);
  }
#undef SHOW
}

/* SUM of values that round: compared by bytes with the native run. */
static void Inexact(void) {
  real v = (real)1 / (3 + rank), sum;
  CHECK(MPI_Allreduce(&v, &sum, 1, MPI_LONG_DOUBLE, TheOp(kReal, kSum),
                      MPI_COMM_WORLD));
  char hex[40];
  Hex(&sum, 16, hex);
  printf("rank %d: sum of 1/(3+r) %s\n", rank, hex);
}

/* Sizes, and movement as 16 opaque bytes: point to point, broadcast,
 * pack/unpack. */
static void Movement(void) {
  int n;
  MPI_Aint lb, extent;
  MPI_Type_size(MPI_LONG_DOUBLE, &n);
  printf("rank %d: MPI_LONG_DOUBLE size %d\n", rank, n);
  MPI_Type_size(MPI_C_LONG_DOUBLE_COMPLEX, &n);
  printf("rank %d: MPI_C_LONG_DOUBLE_COMPLEX size %d\n", rank, n);
  MPI_Type_size(MPI_LONG_DOUBLE_INT, &n);
  MPI_Type_get_extent(MPI_LONG_DOUBLE_INT, &lb, &extent);
  printf("rank %d: MPI_LONG_DOUBLE_INT size %d extent %ld\n", rank, n,
         (long)extent);

  real mine[2] = {1 + rank * Tiny(110), -Tiny(16000)}, got[2];
  const int to = (rank + 1) % size, from = (rank + size - 1) % size;
  CHECK(MPI_Sendrecv(mine, 2, MPI_LONG_DOUBLE, to, 0, got, 2, MPI_LONG_DOUBLE,
                     from, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE));
  real want = 1 + from * Tiny(110);
  printf("rank %d: Sendrecv %s\n", rank,
         memcmp(&got[0], &want, 16) == 0 && memcmp(&got[1], &mine[1], 16) == 0
             ? "exact"
             : "WRONG");
  real b = rank == 0 ? 3 + Tiny(112) : 0;
  CHECK(MPI_Bcast(&b, 1, MPI_LONG_DOUBLE, 0, MPI_COMM_WORLD));
  want = 3 + Tiny(112);
  printf("rank %d: Bcast %s\n", rank,
         memcmp(&b, &want, 16) == 0 ? "exact" : "WRONG");

  char packed[64];
  int pos = 0;
  real back[2];
  CHECK(MPI_Pack(mine, 2, MPI_LONG_DOUBLE, packed, sizeof packed, &pos,
                 MPI_COMM_WORLD));
  int packed_bytes = pos;
  pos = 0;
  CHECK(MPI_Unpack(packed, sizeof packed, &pos, back, 2, MPI_LONG_DOUBLE,
                   MPI_COMM_WORLD));
  printf("rank %d: Pack %d bytes, Unpack %s\n", rank, packed_bytes,
         memcmp(back, mine, sizeof mine) == 0 ? "exact" : "WRONG");
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
#ifndef __wasm__
  MakeNativeOps();
#endif
  Movement();
  static const struct {
    enum Kind kind;
    enum OpId op;
  } kCases[] = {{kReal, kSum},    {kReal, kProd},   {kReal, kMin},
                {kReal, kMax},    {kComplex, kSum}, {kComplex, kProd},
                {kPair, kMinloc}, {kPair, kMaxloc}};
  static const char* const kTypeNames[3][2] = {
      {"LONG_DOUBLE", ""},
      {"C_LONG_DOUBLE_COMPLEX", "CXX_LONG_DOUBLE_COMPLEX"},
      {"LONG_DOUBLE_INT", ""}};
  for (size_t i = 0; i < sizeof kCases / sizeof kCases[0]; ++i) {
    int n;
    const MPI_Datatype* types = Types(kCases[i].kind, &n);
    for (int t = 0; t < n; ++t) {
      Reductions(kCases[i].kind, kCases[i].op, types[t],
                 kTypeNames[kCases[i].kind][t]);
    }
  }
  Inexact();
  MPI_Finalize();
  return 0;
}
