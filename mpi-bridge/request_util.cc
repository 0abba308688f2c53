// Request handles. See request_util.h.
#include "mpi-bridge/request_util.h"

namespace wasmhpc::mpi {

int32_t NewRequest(Call& c, MPI_Request host, bool persistent,
                   abi::Handle* out) {
  std::optional<abi::Handle> h =
      c.bridge().requests().Insert({host, persistent, nullptr});
  if (!h) return c.Fail(abi::kErrNoMem, "too many live requests");
  *out = *h;
  return abi::kSuccess;
}

}  // namespace wasmhpc::mpi
