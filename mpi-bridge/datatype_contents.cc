// Derived datatypes from their TypeContents: one host constructor per
// combiner, the new entry's layout from the host, and re-creation from the
// record for MPI_Type_get_contents.
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_format.h"
#include "mpi-bridge/datatype_internal.h"

namespace wasmhpc::mpi {
namespace {

using abi::Handle;

bool HostOrder(Call& c, int32_t order, int* out) {
  switch (order) {
    case abi::kOrderC:
      *out = MPI_ORDER_C;
      return true;
    case abi::kOrderFortran:
      *out = MPI_ORDER_FORTRAN;
      return true;
  }
  c.Fail(abi::kErrArg, absl::StrFormat("invalid array order %d", order));
  return false;
}

bool HostDistribution(Call& c, int32_t distrib, int* out) {
  switch (distrib) {
    case abi::kDistributeNone:
      *out = MPI_DISTRIBUTE_NONE;
      return true;
    case abi::kDistributeBlock:
      *out = MPI_DISTRIBUTE_BLOCK;
      return true;
    case abi::kDistributeCyclic:
      *out = MPI_DISTRIBUTE_CYCLIC;
      return true;
  }
  c.Fail(abi::kErrArg, absl::StrFormat("invalid distribution %d", distrib));
  return false;
}

// ints: ndims, sizes[ndims], subsizes[ndims], starts[ndims], order.
int32_t Subarray(Call& c, const int32_t* i, MPI_Datatype old,
                 MPI_Datatype* out) {
  const int n = i[0];
  const int32_t* sizes = i + 1;
  const int32_t* subsizes = sizes + n;
  const int32_t* starts = subsizes + n;
  int order;
  if (!HostOrder(c, starts[n], &order)) return c.error();
  return c.Host(c.mpi().Type_create_subarray(n, sizes, subsizes, starts, order,
                                             old, out));
}

// ints: size, rank, ndims, gsizes[n], distribs[n], dargs[n], psizes[n],
// order.
int32_t Darray(Call& c, const int32_t* i, MPI_Datatype old, MPI_Datatype* out) {
  const int n = i[2];
  const int32_t* gsizes = i + 3;
  const int32_t* guest_distribs = gsizes + n;
  const int32_t* guest_dargs = guest_distribs + n;
  const int32_t* psizes = guest_dargs + n;
  std::vector<int> distribs(n), dargs(n);
  for (int k = 0; k < n; ++k) {
    if (!HostDistribution(c, guest_distribs[k], &distribs[k])) {
      return c.error();
    }
    dargs[k] = guest_dargs[k] == abi::kDistributeDfltDarg
                   ? MPI_DISTRIBUTE_DFLT_DARG
                   : guest_dargs[k];
  }
  int order;
  if (!HostOrder(c, psizes[n], &order)) return c.error();
  return c.Host(c.mpi().Type_create_darray(i[0], i[1], n, gsizes,
                                           distribs.data(), dargs.data(),
                                           psizes, order, old, out));
}

int HostUndefined(int32_t v) {
  return v == abi::kUndefined ? MPI_UNDEFINED : v;
}

// The host constructor for `t`'s combiner, with host member types `m`.
// Guest MPI_Aint values are sign-extended (intptr_t semantics).
int32_t BuildHostType(Call& c, const TypeContents& t, const MPI_Datatype* m,
                      MPI_Datatype* out) {
  MpiTransport& mpi = c.mpi();
  const int32_t* i = t.ints.data();
  const std::vector<MPI_Aint> a(t.aints.begin(), t.aints.end());
  switch (t.combiner) {
    case abi::kCombinerDup:
      return c.Host(mpi.Type_dup(m[0], out));
    case abi::kCombinerContiguous:
      return c.Host(mpi.Type_contiguous(i[0], m[0], out));
    case abi::kCombinerVector:
      return c.Host(mpi.Type_vector(i[0], i[1], i[2], m[0], out));
    case abi::kCombinerHvector:
      return c.Host(mpi.Type_create_hvector(i[0], i[1], a[0], m[0], out));
    case abi::kCombinerIndexed:
      return c.Host(mpi.Type_indexed(i[0], i + 1, i + 1 + i[0], m[0], out));
    case abi::kCombinerHindexed:
      return c.Host(mpi.Type_create_hindexed(i[0], i + 1, a.data(), m[0], out));
    case abi::kCombinerIndexedBlock:
      return c.Host(
          mpi.Type_create_indexed_block(i[0], i[1], i + 2, m[0], out));
    case abi::kCombinerHindexedBlock:
      return c.Host(
          mpi.Type_create_hindexed_block(i[0], i[1], a.data(), m[0], out));
    case abi::kCombinerStruct:
      return c.Host(mpi.Type_create_struct(i[0], i + 1, a.data(), m, out));
    case abi::kCombinerSubarray:
      return Subarray(c, i, m[0], out);
    case abi::kCombinerDarray:
      return Darray(c, i, m[0], out);
    case abi::kCombinerResized:
      return c.Host(mpi.Type_create_resized(m[0], a[0], a[1], out));
    case abi::kCombinerF90Integer:
      return c.Host(mpi.Type_create_f90_integer(HostUndefined(i[0]), out));
    case abi::kCombinerF90Real:
      return c.Host(mpi.Type_create_f90_real(HostUndefined(i[0]),
                                             HostUndefined(i[1]), out));
    case abi::kCombinerF90Complex:
      return c.Host(mpi.Type_create_f90_complex(HostUndefined(i[0]),
                                                HostUndefined(i[1]), out));
  }
  return c.Fail(abi::kErrIntern,
                absl::StrFormat("no constructor for combiner %d", t.combiner));
}

// A host type equivalent to the one `t` describes, built from predefined
// leaves up. The caller owns the result.
int32_t RebuildHostType(Call& c, const TypeContents& t, MPI_Datatype* out) {
  std::vector<MPI_Datatype> members(t.types.size());
  std::vector<MPI_Datatype> temporary;
  int32_t rc = abi::kSuccess;
  for (size_t k = 0; k < t.types.size() && rc == abi::kSuccess; ++k) {
    if (t.members[k]) {
      rc = RebuildHostType(c, *t.members[k], &members[k]);
      if (rc == abi::kSuccess) temporary.push_back(members[k]);
    } else if (DatatypeEntry* m = c.bridge().datatypes().Find(t.types[k])) {
      members[k] = m->host;
    } else {
      rc = c.Fail(abi::kErrType,
                  absl::StrFormat("member datatype 0x%x is gone", t.types[k]));
    }
  }
  if (rc == abi::kSuccess) rc = BuildHostType(c, t, members.data(), out);
  // The new type holds its own references to its members.
  for (MPI_Datatype& type : temporary) c.mpi().Type_free(&type);
  return rc;
}

}  // namespace

int32_t NewDatatype(Call& c, MPI_Datatype host,
                    std::shared_ptr<const TypeContents> contents,
                    bool committed, Handle* out) {
  MPI_Count size = 0, lb = 0, extent = 0, true_lb = 0, true_extent = 0;
  int rc = c.mpi().Type_size_x(host, &size);
  if (rc == MPI_SUCCESS) rc = c.mpi().Type_get_extent_x(host, &lb, &extent);
  if (rc == MPI_SUCCESS) {
    rc = c.mpi().Type_get_true_extent_x(host, &true_lb, &true_extent);
  }
  if (rc != MPI_SUCCESS) {
    c.mpi().Type_free(&host);
    return c.Host(rc);
  }
  const bool reducible = contents->reducible;
  std::optional<Handle> h =
      c.bridge().datatypes().Insert({.host = host,
                                     .size = size,
                                     .lb = lb,
                                     .extent = extent,
                                     .true_lb = true_lb,
                                     .true_extent = true_extent,
                                     .committed = committed,
                                     .reducible = reducible,
                                     .contents = std::move(contents)});
  if (!h) {
    c.mpi().Type_free(&host);
    return c.Fail(abi::kErrNoMem, "too many datatypes");
  }
  *out = *h;
  return abi::kSuccess;
}

int32_t CreateDatatype(Call& c, TypeContents t, abi::Ptr newtype) {
  Handle* out = c.Ref<Handle>(newtype, "newtype");
  if (!out) return c.error();
  std::vector<MPI_Datatype> members(t.types.size());
  bool committed = true;
  t.members.clear();
  for (size_t k = 0; k < t.types.size(); ++k) {
    DatatypeEntry* m = c.Datatype(t.types[k]);
    if (!m) return c.error();
    members[k] = m->host;
    // Predefined members (MPI_Type_create_f90_* ones included) are
    // returned as they are by MPI_Type_get_contents.
    t.members.push_back(m->predefined ? nullptr : m->contents);
    t.reducible = t.reducible && m->reducible;
    committed = committed && m->committed;
  }
  MPI_Datatype host;
  if (int32_t rc = BuildHostType(c, t, members.data(), &host)) return rc;
  // MPI_Type_dup keeps the committed state; other constructors make an
  // uncommitted type.
  committed = committed && t.combiner == abi::kCombinerDup;
  return NewDatatype(c, host,
                     std::make_shared<const TypeContents>(std::move(t)),
                     committed, out);
}

int32_t CreateF90Datatype(Call& c, TypeContents t, abi::Ptr newtype) {
  Handle* out = c.Ref<Handle>(newtype, "newtype");
  if (!out) return c.error();
  std::optional<Handle> known;
  c.bridge().datatypes().ForEachUser([&](Handle h, const DatatypeEntry& e) {
    if (e.predefined && e.contents && e.contents->combiner == t.combiner &&
        e.contents->ints == t.ints) {
      known = h;
    }
  });
  if (known) {
    *out = *known;
    return abi::kSuccess;
  }
  MPI_Datatype host;
  if (int32_t rc = BuildHostType(c, t, nullptr, &host)) return rc;
  // Quad precision is binary128 in the guest; the host would reduce it
  // as x87 long double.
  MPI_Count size = 0;
  c.mpi().Type_size_x(host, &size);
  const int64_t widest = t.combiner == abi::kCombinerF90Complex ? 16 : 8;
  t.reducible = t.combiner == abi::kCombinerF90Integer || size <= widest;
  if (int32_t rc = NewDatatype(
          c, host, std::make_shared<const TypeContents>(std::move(t)),
          /*committed=*/true, out)) {
    return rc;
  }
  c.bridge().datatypes().Find(*out)->predefined = true;  // never freed
  return abi::kSuccess;
}

int32_t RecreateDatatype(Call& c, std::shared_ptr<const TypeContents> contents,
                         Handle* out) {
  MPI_Datatype host;
  if (int32_t rc = RebuildHostType(c, *contents, &host)) return rc;
  // Whether returned types are committed is undefined in MPI; committing
  // lets the guest use them at once, as with Open MPI natively.
  if (int32_t rc = c.Host(c.mpi().Type_commit(&host))) {
    c.mpi().Type_free(&host);
    return rc;
  }
  return NewDatatype(c, host, std::move(contents), /*committed=*/true, out);
}

}  // namespace wasmhpc::mpi
