// What the datatype family's files (datatype.cc, datatype_contents.cc,
// pack.cc) share: TypeContents, the record of how a derived datatype was
// made, and the functions that turn one into host datatypes.
//
// Thread safety: as Bridge (one guest instance, one thread).
#ifndef WASMHPC_MPI_BRIDGE_DATATYPE_INTERNAL_H_
#define WASMHPC_MPI_BRIDGE_DATATYPE_INTERNAL_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "mpi-bridge/call.h"

namespace wasmhpc::mpi {

// A derived datatype's constructor and arguments exactly as the guest
// passed them, laid out as MPI_Type_get_contents returns them: `ints`,
// `aints` (guest MPI_Aint, 32-bit) and `types` (guest handles). Immutable
// once stored in a DatatypeEntry and shared with the entries of types
// built on it, so it outlives MPI_Type_free of the type it describes.
struct TypeContents {
  int32_t combiner = abi::kCombinerNamed;
  std::vector<int32_t> ints = {};
  std::vector<int32_t> aints = {};
  std::vector<abi::Handle> types = {};
  // Per element of `types`: the contents of a derived member, or null
  // for a predefined one (whose handle stays valid for ever).
  std::vector<std::shared_ptr<const TypeContents>> members = {};
  // False if any member is not reducible (long double inside).
  bool reducible = true;
};

// Makes a derived datatype from `contents` (members given as guest
// handles in contents.types; `members` is filled here) and writes its new
// guest handle to `newtype`. Returns an MPI error class; on error nothing
// is created.
int32_t CreateDatatype(Call& c, TypeContents contents, abi::Ptr newtype);

// Stores host type `host` (owned from here on) under a new guest handle,
// with its layout as the host computes it.
int32_t NewDatatype(Call& c, MPI_Datatype host,
                    std::shared_ptr<const TypeContents> contents,
                    bool committed, abi::Handle* out);

// MPI_Type_create_f90_*: a predefined datatype for `contents` (combiner
// F90_* and its integers), the same handle for the same arguments.
int32_t CreateF90Datatype(Call& c, TypeContents contents, abi::Ptr newtype);

// Makes a new committed guest datatype equivalent to the one `contents`
// describes, from the record alone (the original and its members may be
// freed): what MPI_Type_get_contents returns for a derived member.
int32_t RecreateDatatype(Call& c, std::shared_ptr<const TypeContents> contents,
                         abi::Handle* out);

// The packing imports (pack.cc): MPI_Pack*, MPI_Unpack*, MPI_Get_address,
// MPI_Aint_add, MPI_Aint_diff.
void AddPacking(Bridge& bridge, std::vector<engine::HostFunc>& out);

}  // namespace wasmhpc::mpi

#endif  // WASMHPC_MPI_BRIDGE_DATATYPE_INTERNAL_H_
