// User-defined reduction operations (MPI_Op_create/free/commutative).
#include "mpi-bridge/call.h"

namespace wasmhpc::mpi {

void AddOps(Bridge&, std::vector<engine::HostFunc>&) {}

}  // namespace wasmhpc::mpi
