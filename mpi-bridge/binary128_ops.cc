// Host ops for the guest's binary128 types. See binary128_ops.h.
#include "mpi-bridge/binary128_ops.h"

#include <cstddef>
#include <cstring>

#include "absl/strings/str_format.h"

namespace wasmhpc::mpi {
namespace {

using Real = __float128;
static_assert(sizeof(Real) == 16);

struct Complex {
  Real re, im;
};
// {long double, int} on wasm32 and x86-64 alike: the int at 16, extent 32.
struct Pair {
  Real value;
  int32_t index;
};
static_assert(sizeof(Complex) == 32 && sizeof(Pair) == 32);

// Open MPI's predefined ops, inout = inout OP in, in binary128.
void Sum(const Real& in, Real* io) { *io = *io + in; }
void Prod(const Real& in, Real* io) { *io = *io * in; }
void Min(const Real& in, Real* io) { *io = *io < in ? *io : in; }
void Max(const Real& in, Real* io) { *io = *io > in ? *io : in; }
void CSum(const Complex& in, Complex* io) {
  io->re = io->re + in.re;
  io->im = io->im + in.im;
}
// C's complex product of finite values (each product rounded, then the
// sum): what a binary128 `long double _Complex` multiplication gives.
void CProd(const Complex& in, Complex* io) {
  const Complex a = *io;
  io->re = a.re * in.re - a.im * in.im;
  io->im = a.re * in.im + a.im * in.re;
}
// MINLOC / MAXLOC: the smaller index on ties.
template <bool kMax>
void Loc(const Pair& in, Pair* io) {
  if (kMax ? in.value > io->value : in.value < io->value) {
    *io = in;
  } else if (in.value == io->value && in.index < io->index) {
    io->index = in.index;
  }
}

// The host user function: `len` elements at their extent (sizeof(T)),
// copied in and out (guest data need not be 16-byte aligned). Only the
// first kBytes of each are data: a pair's padding is not there after the
// last element of a buffer (its true extent is 20).
template <typename T, void (*kCombine)(const T&, T*), size_t kBytes = sizeof(T)>
void Reduce(void* in, void* inout, int* len, MPI_Datatype*) {
  auto* a = static_cast<const uint8_t*>(in);
  auto* b = static_cast<uint8_t*>(inout);
  for (int i = 0; i < *len; ++i) {
    T x{}, y{};
    std::memcpy(&x, a + i * sizeof(T), kBytes);
    std::memcpy(&y, b + i * sizeof(T), kBytes);
    kCombine(x, &y);
    std::memcpy(b + i * sizeof(T), &y, kBytes);
  }
}
constexpr size_t kPairBytes = offsetof(Pair, index) + sizeof(int32_t);

struct Covered {
  Binary128Kind kind;
  abi::Handle op;
  MPI_User_function* function;
};
constexpr Covered kCovered[] = {
    {Binary128Kind::kReal, abi::kSum, Reduce<Real, Sum>},
    {Binary128Kind::kReal, abi::kProd, Reduce<Real, Prod>},
    {Binary128Kind::kReal, abi::kMin, Reduce<Real, Min>},
    {Binary128Kind::kReal, abi::kMax, Reduce<Real, Max>},
    {Binary128Kind::kComplex, abi::kSum, Reduce<Complex, CSum>},
    {Binary128Kind::kComplex, abi::kProd, Reduce<Complex, CProd>},
    {Binary128Kind::kPair, abi::kMinloc, Reduce<Pair, Loc<false>, kPairBytes>},
    {Binary128Kind::kPair, abi::kMaxloc, Reduce<Pair, Loc<true>, kPairBytes>},
};

const char* KindName(Binary128Kind kind) {
  switch (kind) {
    case Binary128Kind::kReal:
      return "long double";
    case Binary128Kind::kComplex:
      return "long double complex";
    case Binary128Kind::kPair:
      return "MPI_LONG_DOUBLE_INT";
    default:
      return "?";
  }
}

const char* AllowedOps(Binary128Kind kind) {
  switch (kind) {
    case Binary128Kind::kReal:
      return "MPI_SUM, MPI_PROD, MPI_MIN and MPI_MAX";
    case Binary128Kind::kComplex:
      return "MPI_SUM and MPI_PROD";
    default:
      return "MPI_MINLOC and MPI_MAXLOC";
  }
}

}  // namespace

Binary128Kind Binary128KindOf(abi::Handle type) {
  switch (type) {
    case abi::kLongDouble:
    case abi::kReal16:
      return Binary128Kind::kReal;
    case abi::kCLongDoubleComplex:
    case abi::kCxxLongDoubleComplex:
    case abi::kComplex32:
      return Binary128Kind::kComplex;
    case abi::kLongDoubleInt:
      return Binary128Kind::kPair;
    default:
      return Binary128Kind::kNone;
  }
}

Binary128Ops::~Binary128Ops() {
  int finalized = 1;  // stays 1 if the host cannot tell
  mpi_->Finalized(&finalized);
  if (finalized) return;
  for (MPI_Op& op : made_) {
    if (op != nullptr) mpi_->Op_free(&op);
  }
}

absl::StatusOr<MPI_Op> Binary128Ops::Get(Binary128Kind kind, abi::Handle op) {
  static_assert(std::size(kCovered) == kOps);
  for (int i = 0; i < kOps; ++i) {
    const Covered& c = kCovered[i];
    if (c.kind != kind || c.op != op) continue;
    if (made_[i] == nullptr) {
      MPI_Op made = MPI_OP_NULL;
      if (mpi_->Op_create(c.function, /*commute=*/1, &made) != MPI_SUCCESS) {
        return absl::InternalError(
            "the host MPI could not make a binary128 reduction op");
      }
      made_[i] = made;
    }
    return made_[i];
  }
  return absl::InvalidArgumentError(absl::StrFormat(
      "op 0x%x is not defined on %s: use %s, or a user op (MPI_Op_create)", op,
      KindName(kind), AllowedOps(kind)));
}

}  // namespace wasmhpc::mpi
