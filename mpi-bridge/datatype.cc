// Derived datatypes: constructors (guest arguments -> TypeContents),
// commit/free/dup, size and extents, decoding (envelope and contents),
// names, MPI_Type_match_size and MPI_Type_create_f90_*. Packing is in
// pack.cc.
//
// Guest MPI_Aint arguments and arrays are 32-bit and sign-extended to the
// host's MPI_Aint, so negative displacements work; absolute addresses above
// 2 GiB (MPI_Get_address of high memory, used with MPI_BOTTOM) read as
// negative and are refused by the buffer check.
#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_format.h"
#include "mpi-bridge/datatype_internal.h"
#include "mpi-bridge/guest_data.h"

namespace wasmhpc::mpi {
namespace {

using abi::Handle;
using abi::Ptr;

// Appends `n` guest int32 values (ints, or MPI_Aint on wasm32) at `p`.
bool Append(Call& c, Ptr p, int32_t n, const char* what,
            std::vector<int32_t>& out) {
  const int32_t* v = c.Ref<int32_t>(p, what, n);
  if (v) out.insert(out.end(), v, v + n);
  return v != nullptr;
}

TypeContents Contents(int32_t combiner, std::vector<int32_t> ints,
                      std::vector<int32_t> aints, std::vector<Handle> types) {
  return {.combiner = combiner,
          .ints = std::move(ints),
          .aints = std::move(aints),
          .types = std::move(types)};
}

// ---- Constructors: each records the guest's arguments and builds. ----

int32_t TypeContiguous(Call& c, int32_t count, Handle old, Ptr newtype) {
  if (!c.Count(count, "count")) return c.error();
  return CreateDatatype(
      c, Contents(abi::kCombinerContiguous, {count}, {}, {old}), newtype);
}

int32_t TypeVector(Call& c, int32_t count, int32_t blocklength, int32_t stride,
                   Handle old, Ptr newtype) {
  if (!c.Count(count, "count") || !c.Count(blocklength, "blocklength")) {
    return c.error();
  }
  return CreateDatatype(
      c,
      Contents(abi::kCombinerVector, {count, blocklength, stride}, {}, {old}),
      newtype);
}

int32_t TypeHvector(Call& c, int32_t count, int32_t blocklength, int32_t stride,
                    Handle old, Ptr newtype) {
  if (!c.Count(count, "count") || !c.Count(blocklength, "blocklength")) {
    return c.error();
  }
  return CreateDatatype(
      c, Contents(abi::kCombinerHvector, {count, blocklength}, {stride}, {old}),
      newtype);
}

int32_t TypeIndexed(Call& c, int32_t count, Ptr blocklengths, Ptr displs,
                    Handle old, Ptr newtype) {
  TypeContents t = Contents(abi::kCombinerIndexed, {count}, {}, {old});
  if (!c.Count(count, "count") ||
      !Append(c, blocklengths, count, "array_of_blocklengths", t.ints) ||
      !Append(c, displs, count, "array_of_displacements", t.ints)) {
    return c.error();
  }
  return CreateDatatype(c, std::move(t), newtype);
}

int32_t TypeHindexed(Call& c, int32_t count, Ptr blocklengths, Ptr displs,
                     Handle old, Ptr newtype) {
  TypeContents t = Contents(abi::kCombinerHindexed, {count}, {}, {old});
  if (!c.Count(count, "count") ||
      !Append(c, blocklengths, count, "array_of_blocklengths", t.ints) ||
      !Append(c, displs, count, "array_of_displacements", t.aints)) {
    return c.error();
  }
  return CreateDatatype(c, std::move(t), newtype);
}

int32_t TypeIndexedBlock(Call& c, int32_t count, int32_t blocklength,
                         Ptr displs, Handle old, Ptr newtype) {
  TypeContents t =
      Contents(abi::kCombinerIndexedBlock, {count, blocklength}, {}, {old});
  if (!c.Count(count, "count") || !c.Count(blocklength, "blocklength") ||
      !Append(c, displs, count, "array_of_displacements", t.ints)) {
    return c.error();
  }
  return CreateDatatype(c, std::move(t), newtype);
}

int32_t TypeHindexedBlock(Call& c, int32_t count, int32_t blocklength,
                          Ptr displs, Handle old, Ptr newtype) {
  TypeContents t =
      Contents(abi::kCombinerHindexedBlock, {count, blocklength}, {}, {old});
  if (!c.Count(count, "count") || !c.Count(blocklength, "blocklength") ||
      !Append(c, displs, count, "array_of_displacements", t.aints)) {
    return c.error();
  }
  return CreateDatatype(c, std::move(t), newtype);
}

int32_t TypeStruct(Call& c, int32_t count, Ptr blocklengths, Ptr displs,
                   Ptr types, Ptr newtype) {
  TypeContents t = Contents(abi::kCombinerStruct, {count}, {}, {});
  if (!c.Count(count, "count") ||
      !Append(c, blocklengths, count, "array_of_blocklengths", t.ints) ||
      !Append(c, displs, count, "array_of_displacements", t.aints)) {
    return c.error();
  }
  const Handle* members = c.Ref<Handle>(types, "array_of_types", count);
  if (!members) return c.error();
  t.types.assign(members, members + count);
  return CreateDatatype(c, std::move(t), newtype);
}

int32_t TypeSubarray(Call& c, int32_t ndims, Ptr sizes, Ptr subsizes,
                     Ptr starts, int32_t order, Handle old, Ptr newtype) {
  TypeContents t = Contents(abi::kCombinerSubarray, {ndims}, {}, {old});
  if (!c.Count(ndims, "ndims") ||
      !Append(c, sizes, ndims, "array_of_sizes", t.ints) ||
      !Append(c, subsizes, ndims, "array_of_subsizes", t.ints) ||
      !Append(c, starts, ndims, "array_of_starts", t.ints)) {
    return c.error();
  }
  t.ints.push_back(order);
  return CreateDatatype(c, std::move(t), newtype);
}

int32_t TypeDarray(Call& c, int32_t size, int32_t rank, int32_t ndims,
                   Ptr gsizes, Ptr distribs, Ptr dargs, Ptr psizes,
                   int32_t order, Handle old, Ptr newtype) {
  TypeContents t =
      Contents(abi::kCombinerDarray, {size, rank, ndims}, {}, {old});
  if (!c.Count(ndims, "ndims") ||
      !Append(c, gsizes, ndims, "array_of_gsizes", t.ints) ||
      !Append(c, distribs, ndims, "array_of_distribs", t.ints) ||
      !Append(c, dargs, ndims, "array_of_dargs", t.ints) ||
      !Append(c, psizes, ndims, "array_of_psizes", t.ints)) {
    return c.error();
  }
  t.ints.push_back(order);
  return CreateDatatype(c, std::move(t), newtype);
}

int32_t TypeResized(Call& c, Handle old, int32_t lb, int32_t extent,
                    Ptr newtype) {
  return CreateDatatype(
      c, Contents(abi::kCombinerResized, {}, {lb, extent}, {old}), newtype);
}

int32_t TypeDup(Call& c, Handle old, Ptr newtype) {
  return CreateDatatype(c, Contents(abi::kCombinerDup, {}, {}, {old}), newtype);
}

int32_t TypeF90Integer(Call& c, int32_t r, Ptr newtype) {
  return CreateF90Datatype(c, Contents(abi::kCombinerF90Integer, {r}, {}, {}),
                           newtype);
}

int32_t TypeF90Real(Call& c, int32_t p, int32_t r, Ptr newtype) {
  return CreateF90Datatype(c, Contents(abi::kCombinerF90Real, {p, r}, {}, {}),
                           newtype);
}

int32_t TypeF90Complex(Call& c, int32_t p, int32_t r, Ptr newtype) {
  return CreateF90Datatype(
      c, Contents(abi::kCombinerF90Complex, {p, r}, {}, {}), newtype);
}

// ---- Commit and free. ----

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
    return c.Fail(
        abi::kErrType,
        absl::StrFormat("cannot free predefined datatype 0x%x", *slot));
  }
  int32_t rc = c.Host(c.mpi().Type_free(&t->host));
  c.bridge().datatypes().Erase(*slot);
  *slot = abi::kDatatypeNull;
  return rc;
}

// ---- Size and extents. ----

// A value for a 32-bit guest int or MPI_Aint: MPI_UNDEFINED if it does
// not fit.
int32_t Narrow(int64_t v) {
  return v < INT32_MIN || v > INT32_MAX ? abi::kUndefined
                                        : static_cast<int32_t>(v);
}

// Writes a pair of guest values of type T (int32_t for MPI_Aint, int64_t
// for MPI_Count).
template <typename T>
int32_t WritePair(Call& c, Ptr p1, int64_t v1, const char* what1, Ptr p2,
                  int64_t v2, const char* what2) {
  T* a = c.Ref<T>(p1, what1);
  T* b = a ? c.Ref<T>(p2, what2) : nullptr;
  if (!b) return c.error();
  if constexpr (sizeof(T) == 4) {
    *a = Narrow(v1);
    *b = Narrow(v2);
  } else {
    *a = v1;
    *b = v2;
  }
  return abi::kSuccess;
}

int32_t TypeSize(Call& c, Handle type, Ptr size) {
  DatatypeEntry* t = c.Datatype(type);
  return t && c.Write<int32_t>(size, Narrow(t->size), "size") ? abi::kSuccess
                                                              : c.error();
}

int32_t TypeSizeX(Call& c, Handle type, Ptr size) {
  DatatypeEntry* t = c.Datatype(type);
  return t && c.Write<int64_t>(size, t->size, "size") ? abi::kSuccess
                                                      : c.error();
}

template <typename T>
int32_t GetExtent(Call& c, Handle type, Ptr lb, Ptr extent) {
  DatatypeEntry* t = c.Datatype(type);
  return t ? WritePair<T>(c, lb, t->lb, "lb", extent, t->extent, "extent")
           : c.error();
}

template <typename T>
int32_t GetTrueExtent(Call& c, Handle type, Ptr lb, Ptr extent) {
  DatatypeEntry* t = c.Datatype(type);
  return t ? WritePair<T>(c, lb, t->true_lb, "true_lb", extent, t->true_extent,
                          "true_extent")
           : c.error();
}

// ---- Decoding. ----

// The recorded contents of a derived type, or nullptr + MPI_ERR_TYPE.
std::shared_ptr<const TypeContents> ContentsOf(Call& c, Handle type) {
  DatatypeEntry* t = c.Datatype(type);
  if (t && !t->contents) {
    c.Fail(abi::kErrType,
           absl::StrFormat("datatype 0x%x is MPI_COMBINER_NAMED: no contents",
                           type));
  }
  return t ? t->contents : nullptr;
}

int32_t TypeGetEnvelope(Call& c, Handle type, Ptr num_integers,
                        Ptr num_addresses, Ptr num_datatypes, Ptr combiner) {
  DatatypeEntry* t = c.Datatype(type);
  if (!t) return c.error();
  int32_t values[4] = {0, 0, 0, abi::kCombinerNamed};
  if (const TypeContents* k = t->contents.get()) {
    values[0] = static_cast<int32_t>(k->ints.size());
    values[1] = static_cast<int32_t>(k->aints.size());
    values[2] = static_cast<int32_t>(k->types.size());
    values[3] = k->combiner;
  }
  const Ptr out[4] = {num_integers, num_addresses, num_datatypes, combiner};
  const char* what[4] = {"num_integers", "num_addresses", "num_datatypes",
                         "combiner"};
  for (int i = 0; i < 4; ++i) {
    if (!c.Write<int32_t>(out[i], values[i], what[i])) return c.error();
  }
  return abi::kSuccess;
}

// Frees guest datatypes made so far when decoding fails half way.
void Release(Call& c, const std::vector<Handle>& handles) {
  for (Handle h : handles) {
    if (DatatypeEntry* t = c.bridge().datatypes().Find(h)) {
      c.mpi().Type_free(&t->host);
      c.bridge().datatypes().Erase(h);
    }
  }
}

// Predefined member types come back as the guest passed them; derived ones
// as new committed types re-created from the record, which the guest frees
// (MPI semantics: valid even after the original member was freed).
int32_t TypeGetContents(Call& c, Handle type, int32_t max_integers,
                        int32_t max_addresses, int32_t max_datatypes,
                        Ptr integers, Ptr addresses, Ptr datatypes) {
  std::shared_ptr<const TypeContents> k = ContentsOf(c, type);
  if (!k) return c.error();
  const int32_t ni = static_cast<int32_t>(k->ints.size());
  const int32_t na = static_cast<int32_t>(k->aints.size());
  const int32_t nd = static_cast<int32_t>(k->types.size());
  if (max_integers < ni || max_addresses < na || max_datatypes < nd) {
    return c.Fail(abi::kErrArg,
                  absl::StrFormat(
                      "room for (%d, %d, %d) integers, addresses "
                      "and datatypes; the envelope has (%d, %d, %d)",
                      max_integers, max_addresses, max_datatypes, ni, na, nd));
  }
  int32_t* gi = c.Ref<int32_t>(integers, "array_of_integers", ni);
  int32_t* ga =
      gi ? c.Ref<int32_t>(addresses, "array_of_addresses", na) : nullptr;
  Handle* gd =
      ga ? c.Ref<Handle>(datatypes, "array_of_datatypes", nd) : nullptr;
  if (!gd) return c.error();
  std::vector<Handle> types(k->types), made;
  for (int32_t i = 0; i < nd; ++i) {
    if (!k->members[i]) continue;
    if (int32_t rc = RecreateDatatype(c, k->members[i], &types[i])) {
      Release(c, made);
      return rc;
    }
    made.push_back(types[i]);
  }
  std::copy(k->ints.begin(), k->ints.end(), gi);
  std::copy(k->aints.begin(), k->aints.end(), ga);
  std::copy(types.begin(), types.end(), gd);
  return abi::kSuccess;
}

// ---- Names. ----

std::string DefaultName(Handle type) {
  for (auto [handle, name] : abi::kDatatypeNames) {
    if (handle == type) return std::string(name);
  }
  return "";  // derived types are unnamed until MPI_Type_set_name
}

// Longer names are cut to MPI_MAX_OBJECT_NAME - 1 characters.
int32_t TypeSetName(Call& c, Handle type, Ptr name) {
  if (!c.Datatype(type)) return c.error();
  std::optional<std::string> text =
      ReadCString(c, name, abi::kMaxObjectName - 1, "type_name");
  if (!text) return c.error();
  text->resize(std::min<size_t>(text->size(), abi::kMaxObjectName - 1));
  c.bridge().datatypes().Find(type)->name = std::move(*text);
  return abi::kSuccess;
}

int32_t TypeGetName(Call& c, Handle type, Ptr name, Ptr resultlen) {
  DatatypeEntry* t = c.Datatype(type);
  if (!t) return c.error();
  const std::string text = t->name ? *t->name : DefaultName(type);
  return WriteCString(c, name, abi::kMaxObjectName, text, resultlen,
                      "type_name");
}

// ---- Fortran fixed-size types and MPI_Type_match_size. ----

struct FortranType {
  Handle guest;
  MPI_Datatype host;
  int64_t size;
  bool reducible = true;
};

// MPI_INTEGERn / REALn / COMPLEXn that the host provides. REAL16 and
// COMPLEX32 are binary128 on both sides, but Open MPI reduces them as x87
// long double, so they are not reducible.
void DefineFortranTypes(Bridge& b) {
  const FortranType types[] = {
      {abi::kInteger1, MPI_INTEGER1, 1},
      {abi::kInteger2, MPI_INTEGER2, 2},
      {abi::kInteger4, MPI_INTEGER4, 4},
      {abi::kReal4, MPI_REAL4, 4},
      {abi::kInteger8, MPI_INTEGER8, 8},
      {abi::kReal8, MPI_REAL8, 8},
      {abi::kComplex8, MPI_COMPLEX8, 8},
      {abi::kReal16, MPI_REAL16, 16, false},
      {abi::kComplex16, MPI_COMPLEX16, 16},
      {abi::kComplex32, MPI_COMPLEX32, 32, false},
  };
  for (const FortranType& t : types) {
    if (b.datatypes().Find(t.guest)) continue;  // defined by the bridge
    b.datatypes().Define(t.guest, {.host = t.host,
                                   .size = t.size,
                                   .extent = t.size,
                                   .true_extent = t.size,
                                   .predefined = true,
                                   .reducible = t.reducible});
  }
}

// Candidates in order of preference: the default-kind type first.
constexpr std::pair<int32_t, Handle> kMatchable[] = {
    {abi::kTypeclassInteger, abi::kInteger},
    {abi::kTypeclassInteger, abi::kInteger1},
    {abi::kTypeclassInteger, abi::kInteger2},
    {abi::kTypeclassInteger, abi::kInteger8},
    {abi::kTypeclassReal, abi::kReal},
    {abi::kTypeclassReal, abi::kDoublePrecision},
    {abi::kTypeclassReal, abi::kReal16},
    {abi::kTypeclassComplex, abi::kComplex},
    {abi::kTypeclassComplex, abi::kDoubleComplex},
    {abi::kTypeclassComplex, abi::kComplex32},
};

// Sizes are the guest's (they are fixed for these types anyway).
int32_t TypeMatchSize(Call& c, int32_t typeclass, int32_t size, Ptr datatype) {
  Handle* out = c.Ref<Handle>(datatype, "datatype");
  if (!out) return c.error();
  if (typeclass < abi::kTypeclassInteger ||
      typeclass > abi::kTypeclassComplex) {
    return c.Fail(abi::kErrArg,
                  absl::StrFormat("invalid typeclass %d", typeclass));
  }
  for (auto [cls, handle] : kMatchable) {
    DatatypeEntry* t = c.bridge().datatypes().Find(handle);
    if (cls == typeclass && t && t->size == size) {
      *out = handle;
      return abi::kSuccess;
    }
  }
  return c.Fail(abi::kErrArg,
                absl::StrFormat("no datatype of typeclass %d and size %d",
                                typeclass, size));
}

}  // namespace

void AddDatatypes(Bridge& b, std::vector<engine::HostFunc>& out) {
  DefineFortranTypes(b);
  out.push_back(Bind(b, "MPI_Type_contiguous", TypeContiguous));
  out.push_back(Bind(b, "MPI_Type_vector", TypeVector));
  out.push_back(Bind(b, "MPI_Type_create_hvector", TypeHvector));
  out.push_back(Bind(b, "MPI_Type_indexed", TypeIndexed));
  out.push_back(Bind(b, "MPI_Type_create_hindexed", TypeHindexed));
  out.push_back(Bind(b, "MPI_Type_create_indexed_block", TypeIndexedBlock));
  out.push_back(Bind(b, "MPI_Type_create_hindexed_block", TypeHindexedBlock));
  out.push_back(Bind(b, "MPI_Type_create_struct", TypeStruct));
  out.push_back(Bind(b, "MPI_Type_create_subarray", TypeSubarray));
  out.push_back(Bind(b, "MPI_Type_create_darray", TypeDarray));
  out.push_back(Bind(b, "MPI_Type_create_resized", TypeResized));
  out.push_back(Bind(b, "MPI_Type_dup", TypeDup));
  out.push_back(Bind(b, "MPI_Type_create_f90_integer", TypeF90Integer));
  out.push_back(Bind(b, "MPI_Type_create_f90_real", TypeF90Real));
  out.push_back(Bind(b, "MPI_Type_create_f90_complex", TypeF90Complex));
  out.push_back(Bind(b, "MPI_Type_commit", TypeCommit));
  out.push_back(Bind(b, "MPI_Type_free", TypeFree));
  // Queries read only the bridge's tables: valid at any time.
  constexpr When kAny = When::kAnyTime;
  out.push_back(Bind(b, "MPI_Type_size", TypeSize, kAny));
  out.push_back(Bind(b, "MPI_Type_size_x", TypeSizeX, kAny));
  out.push_back(Bind(b, "MPI_Type_get_extent", GetExtent<int32_t>, kAny));
  out.push_back(Bind(b, "MPI_Type_get_extent_x", GetExtent<int64_t>, kAny));
  out.push_back(
      Bind(b, "MPI_Type_get_true_extent", GetTrueExtent<int32_t>, kAny));
  out.push_back(
      Bind(b, "MPI_Type_get_true_extent_x", GetTrueExtent<int64_t>, kAny));
  out.push_back(Bind(b, "MPI_Type_get_envelope", TypeGetEnvelope, kAny));
  out.push_back(Bind(b, "MPI_Type_get_contents", TypeGetContents));
  out.push_back(Bind(b, "MPI_Type_set_name", TypeSetName, kAny));
  out.push_back(Bind(b, "MPI_Type_get_name", TypeGetName, kAny));
  out.push_back(Bind(b, "MPI_Type_match_size", TypeMatchSize, kAny));
  AddPacking(b, out);
}

}  // namespace wasmhpc::mpi
