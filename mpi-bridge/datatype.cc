// Derived datatypes: constructors, commit/free, size and extents.
#include "absl/strings/str_format.h"
#include "mpi-bridge/call.h"

namespace wasmhpc::mpi {
namespace {

using abi::Handle;
using abi::Ptr;

// Stores a new (uncommitted) host datatype with its layout.
int32_t NewType(Call& c, MPI_Datatype host, Handle* out) {
  DatatypeEntry t{.host = host, .committed = false};
  MPI_Count size, lb, extent, true_lb, true_extent;
  if (int32_t rc = c.Host(c.mpi().Type_size_x(host, &size))) return rc;
  c.mpi().Type_get_extent_x(host, &lb, &extent);
  c.mpi().Type_get_true_extent_x(host, &true_lb, &true_extent);
  t.size = size;
  t.lb = lb;
  t.extent = extent;
  t.true_lb = true_lb;
  t.true_extent = true_extent;
  std::optional<Handle> h = c.bridge().datatypes.Insert(t);
  if (!h) return c.Fail(abi::kErrNoMem, "too many datatypes");
  *out = *h;
  return abi::kSuccess;
}

int32_t TypeContiguous(Call& c, int32_t count, Handle old, Ptr newtype) {
  DatatypeEntry* t = c.Datatype(old);
  Handle* out = t ? c.Ref<Handle>(newtype, "newtype") : nullptr;
  if (!out || !c.Count(count, "count")) return c.error();
  MPI_Datatype host;
  if (int32_t rc = c.Host(c.mpi().Type_contiguous(count, t->host, &host))) {
    return rc;
  }
  return NewType(c, host, out);
}

int32_t TypeVector(Call& c, int32_t count, int32_t blocklength,
                   int32_t stride, Handle old, Ptr newtype) {
  DatatypeEntry* t = c.Datatype(old);
  Handle* out = t ? c.Ref<Handle>(newtype, "newtype") : nullptr;
  if (!out || !c.Count(count, "count") ||
      !c.Count(blocklength, "blocklength")) {
    return c.error();
  }
  MPI_Datatype host;
  if (int32_t rc = c.Host(c.mpi().Type_vector(count, blocklength, stride,
                                              t->host, &host))) {
    return rc;
  }
  return NewType(c, host, out);
}

int32_t TypeCommit(Call& c, Ptr datatype) {
  Handle* slot = c.Ref<Handle>(datatype, "datatype");
  DatatypeEntry* t = slot ? c.Datatype(*slot) : nullptr;
  if (!t) return c.error();
  if (t->predefined) return abi::kSuccess;
  if (int32_t rc = c.Host(c.mpi().Type_commit(&t->host))) return rc;
  t->committed = true;
  return abi::kSuccess;
}

int32_t TypeFree(Call& c, Ptr datatype) {
  Handle* slot = c.Ref<Handle>(datatype, "datatype");
  DatatypeEntry* t = slot ? c.Datatype(*slot) : nullptr;
  if (!t) return c.error();
  if (t->predefined) {
    return c.Fail(abi::kErrType,
                  absl::StrFormat("cannot free predefined datatype 0x%x",
                                  *slot));
  }
  int32_t rc = c.Host(c.mpi().Type_free(&t->host));
  c.bridge().datatypes.Erase(*slot);
  *slot = abi::kDatatypeNull;
  return rc;
}

int32_t TypeSize(Call& c, Handle type, Ptr size) {
  DatatypeEntry* t = c.Datatype(type);
  if (!t) return c.error();
  int32_t value = t->size > INT32_MAX ? abi::kUndefined
                                      : static_cast<int32_t>(t->size);
  return c.Write<int32_t>(size, value, "size") ? abi::kSuccess : c.error();
}

int32_t TypeSizeX(Call& c, Handle type, Ptr size) {
  DatatypeEntry* t = c.Datatype(type);
  return t && c.Write<int64_t>(size, t->size, "size") ? abi::kSuccess
                                                       : c.error();
}

// MPI_Aint is 32-bit in the guest.
int32_t TypeGetExtent(Call& c, Handle type, Ptr lb, Ptr extent) {
  DatatypeEntry* t = c.Datatype(type);
  return t && c.Write<int32_t>(lb, static_cast<int32_t>(t->lb), "lb") &&
                 c.Write<int32_t>(extent, static_cast<int32_t>(t->extent),
                                  "extent")
             ? abi::kSuccess
             : c.error();
}

int32_t TypeGetExtentX(Call& c, Handle type, Ptr lb, Ptr extent) {
  DatatypeEntry* t = c.Datatype(type);
  return t && c.Write<int64_t>(lb, t->lb, "lb") &&
                 c.Write<int64_t>(extent, t->extent, "extent")
             ? abi::kSuccess
             : c.error();
}

int32_t TypeGetTrueExtent(Call& c, Handle type, Ptr lb, Ptr extent) {
  DatatypeEntry* t = c.Datatype(type);
  return t && c.Write<int32_t>(lb, static_cast<int32_t>(t->true_lb), "lb") &&
                 c.Write<int32_t>(extent,
                                  static_cast<int32_t>(t->true_extent),
                                  "extent")
             ? abi::kSuccess
             : c.error();
}

int32_t TypeGetTrueExtentX(Call& c, Handle type, Ptr lb, Ptr extent) {
  DatatypeEntry* t = c.Datatype(type);
  return t && c.Write<int64_t>(lb, t->true_lb, "lb") &&
                 c.Write<int64_t>(extent, t->true_extent, "extent")
             ? abi::kSuccess
             : c.error();
}

}  // namespace

void AddDatatypes(Bridge& b, std::vector<engine::HostFunc>& out) {
  out.push_back(Bind(b, "MPI_Type_contiguous", TypeContiguous));
  out.push_back(Bind(b, "MPI_Type_vector", TypeVector));
  out.push_back(Bind(b, "MPI_Type_commit", TypeCommit));
  out.push_back(Bind(b, "MPI_Type_free", TypeFree));
  out.push_back(Bind(b, "MPI_Type_size", TypeSize, When::kAnyTime));
  out.push_back(Bind(b, "MPI_Type_size_x", TypeSizeX, When::kAnyTime));
  out.push_back(Bind(b, "MPI_Type_get_extent", TypeGetExtent, When::kAnyTime));
  out.push_back(
      Bind(b, "MPI_Type_get_extent_x", TypeGetExtentX, When::kAnyTime));
  out.push_back(
      Bind(b, "MPI_Type_get_true_extent", TypeGetTrueExtent, When::kAnyTime));
  out.push_back(Bind(b, "MPI_Type_get_true_extent_x", TypeGetTrueExtentX,
                     When::kAnyTime));
}

}  // namespace wasmhpc::mpi
