// Reductions of the guest's long double family in binary128 arithmetic.
//
// wasm32's long double is IEEE binary128; x86-64's MPI_LONG_DOUBLE is x87
// extended precision, so the host's predefined ops would compute garbage
// on guest data (moving it is fine: both are 16 bytes, 32 for the complex
// and pair types). Every rank of a job is Wasm, so the bridge reduces these
// types with host user-defined ops (MPI_Op_create) that compute in GCC's
// __float128, which is binary128 rounded to nearest even, as the guest's
// own arithmetic is: results are those of a binary128 native build.
//
// Covered (guest type: predefined ops):
//   MPI_LONG_DOUBLE, MPI_REAL16: MPI_SUM, MPI_PROD, MPI_MIN, MPI_MAX
//   MPI_C_LONG_DOUBLE_COMPLEX, MPI_CXX_LONG_DOUBLE_COMPLEX, MPI_COMPLEX32:
//     MPI_SUM, MPI_PROD
//   MPI_LONG_DOUBLE_INT: MPI_MINLOC, MPI_MAXLOC
// Each op computes as Open MPI's predefined op does for the type (operand
// order, MIN/MAX and *LOC tie rules), in binary128.
//
// Thread safety: one Binary128Ops per bridge, used on its thread only.
#ifndef WASMHPC_MPI_BRIDGE_BINARY128_OPS_H_
#define WASMHPC_MPI_BRIDGE_BINARY128_OPS_H_

#include <mpi.h>

#include <array>
#include <cstdint>

#include "absl/status/statusor.h"
#include "mpi-bridge/abi.h"
#include "mpi-bridge/transport.h"

namespace wasmhpc::mpi {

// The binary128 type families a guest datatype may belong to.
enum class Binary128Kind { kNone, kReal, kComplex, kPair };

// The family of predefined guest datatype `type` (kNone for every other).
Binary128Kind Binary128KindOf(abi::Handle type);

class Binary128Ops {
 public:
  // `mpi` must outlive this object.
  explicit Binary128Ops(MpiTransport& mpi) : mpi_(&mpi) {}
  // Frees the host ops it made, unless the host MPI is finalized.
  ~Binary128Ops();
  Binary128Ops(const Binary128Ops&) = delete;
  Binary128Ops& operator=(const Binary128Ops&) = delete;

  // The host op that reduces guest type `type` (family `kind`, not kNone)
  // with predefined guest op `op`, made on first use. InvalidArgument for
  // an op the MPI standard does not define on the type (MPI_ERR_OP);
  // Internal if the host could not make the op.
  absl::StatusOr<MPI_Op> Get(Binary128Kind kind, abi::Handle op);

 private:
  static constexpr int kOps = 8;  // (family, op) pairs covered
  MpiTransport* mpi_;
  std::array<MPI_Op, kOps> made_{};  // 0: not made yet
};

}  // namespace wasmhpc::mpi

#endif  // WASMHPC_MPI_BRIDGE_BINARY128_OPS_H_
