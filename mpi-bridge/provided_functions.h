// Which MPI functions wasmhpc provides to guests, from the guest ABI table
// (sdk/abi/mpi_abi.txt: a function listed there and not marked unsupported;
// mpi_bridge.BridgeTest.ImportsAreTheAbiTablesSupportedFunctions holds the
// bridge's bindings to it). Needs no host MPI: the head refuses modules at
// upload and submit with it, wasmhpc-run and the pools at load, all in the
// same words.
#ifndef WASMHPC_MPI_BRIDGE_PROVIDED_FUNCTIONS_H_
#define WASMHPC_MPI_BRIDGE_PROVIDED_FUNCTIONS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/types/span.h"

namespace wasmhpc::mpi {

// Whether the guest may import `name` from env.
bool IsProvidedFunction(std::string_view name);

// The names among `names` that wasmhpc does not provide, each once, in the
// order given.
std::vector<std::string> MissingFunctions(absl::Span<const std::string> names);

// OK when wasmhpc provides every one of `names` (a module's env.MPI_*
// imports); else InvalidArgument naming every one it lacks (the first
// kMaxNamed, then how many more).
absl::Status CheckFunctionsProvided(absl::Span<const std::string> names);
inline constexpr size_t kMaxNamed = 64;

}  // namespace wasmhpc::mpi

#endif  // WASMHPC_MPI_BRIDGE_PROVIDED_FUNCTIONS_H_
