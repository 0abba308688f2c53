// Groups: every MPI_Group operation.
#include "mpi-bridge/call.h"

namespace wasmhpc::mpi {

void AddGroups(Bridge&, std::vector<engine::HostFunc>&) {}

}  // namespace wasmhpc::mpi
