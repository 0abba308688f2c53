// Attribute caching: keyvals, attributes and their guest callbacks
// (MPI_Comm_create_keyval & co., and the deprecated MPI-1 names).
//
// Attribute values are the guest's void* (32-bit). Copy callbacks are
// called as int fn(old, keyval, extra_state, value_in, &value_out, &flag)
// and delete callbacks as int fn(object, keyval, value, extra_state)
// through the module's function table, with value_out and flag in guest
// memory from the module's malloc. MPI_NULL_COPY_FN / MPI_NULL_DELETE_FN
// (0) and MPI_DUP_FN (1) are done by the bridge itself.
//
// The predefined keys of MPI_COMM_WORLD (MPI_TAG_UB, ...) are read-only;
// MPI_Comm_get_attr points into a small block of guest memory that the
// bridge allocates with the module's malloc on first use. A module without
// the SDK's allocator (GuestMalloc) gets flag = 0 for them.
#ifndef WASMHPC_MPI_BRIDGE_ATTR_H_
#define WASMHPC_MPI_BRIDGE_ATTR_H_

#include <cstdint>
#include <functional>
#include <vector>

#include "mpi-bridge/call.h"

namespace wasmhpc::mpi {

// Where an object's attributes live. Callers re-evaluate it after every
// guest callback, since a callback may create handles, which can move
// table entries; nullptr once the object is gone.
using AttributeList = std::function<std::vector<Attribute>*()>;

// Sets, reads and deletes attribute `keyval` of `object` (a handle of
// `kind`); the general form of MPI_Comm_set_attr & co. for any object.
// Return an MPI error code, recorded on `c`.
int32_t SetAttribute(Call& c, Kind kind, abi::Handle object,
                     const AttributeList& attrs, int32_t keyval,
                     abi::Ptr value);
int32_t GetAttribute(Call& c, Kind kind, const AttributeList& attrs,
                     int32_t keyval, abi::Ptr value_out, abi::Ptr flag);
int32_t DeleteAttribute(Call& c, Kind kind, abi::Handle object,
                        const AttributeList& attrs, int32_t keyval);
// Copies the attributes of `from` to the fresh object `to` through their
// keyvals' copy callbacks (MPI_Comm_dup & co.).
int32_t CopyAttributes(Call& c, Kind kind, abi::Handle from,
                       const AttributeList& from_attrs,
                       const AttributeList& to_attrs);
// Deletes every attribute of `object`, the last set first (its free).
int32_t DeleteAllAttributes(Call& c, Kind kind, abi::Handle object,
                            const AttributeList& attrs);
// MPI_X_create_keyval / MPI_X_free_keyval for objects of `kind`.
int32_t CreateKeyval(Call& c, Kind kind, uint32_t copy_fn, uint32_t delete_fn,
                     abi::Ptr keyval_out, abi::Ptr extra_state);
int32_t FreeKeyval(Call& c, Kind kind, abi::Ptr keyval);

// The same for communicators.
int32_t CopyCommAttributes(Call& c, abi::Handle from, abi::Handle to);
int32_t DeleteCommAttributes(Call& c, abi::Handle comm);

// The attribute functions of communicators; called by AddCommunicators.
void AddCommAttributes(Bridge& bridge, std::vector<engine::HostFunc>& out);

}  // namespace wasmhpc::mpi

#endif  // WASMHPC_MPI_BRIDGE_ATTR_H_
