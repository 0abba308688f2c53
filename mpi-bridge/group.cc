// Groups: every MPI_Group operation except MPI_Comm_group (comm.cc).
//
// Group handles live in bridge.groups(). The host's MPI_GROUP_EMPTY (Open MPI
// returns it for every empty result) is the guest's predefined
// MPI_GROUP_EMPTY, so empty groups compare equal to it as they do natively.
#include "mpi-bridge/group.h"

#include "absl/strings/str_format.h"
#include "mpi-bridge/call.h"

namespace wasmhpc::mpi {

int32_t InsertGroup(Call& c, MPI_Group host, abi::Handle* out) {
  if (host == MPI_GROUP_NULL) {
    *out = abi::kGroupNull;
    return abi::kSuccess;
  }
  if (host == MPI_GROUP_EMPTY) {
    *out = abi::kGroupEmpty;
    return abi::kSuccess;
  }
  std::optional<abi::Handle> h = c.bridge().groups().Insert({host});
  if (!h) {
    c.mpi().Group_free(&host);
    return c.Fail(abi::kErrNoMem, "too many groups");
  }
  *out = *h;
  return abi::kSuccess;
}

int32_t GuestCompareResult(int host_result) {
  switch (host_result) {
    case MPI_IDENT:
      return abi::kIdent;
    case MPI_CONGRUENT:
      return abi::kCongruent;
    case MPI_SIMILAR:
      return abi::kSimilar;
    default:
      return abi::kUnequal;
  }
}

namespace {

using abi::Handle;
using abi::Ptr;

int32_t GroupSize(Call& c, Handle group, Ptr size) {
  GroupEntry* g = c.Group(group);
  int32_t* out = g ? c.Ref<int32_t>(size, "size") : nullptr;
  return out ? c.Host(c.mpi().Group_size(g->host, out)) : c.error();
}

int32_t GroupRank(Call& c, Handle group, Ptr rank) {
  GroupEntry* g = c.Group(group);
  int32_t* out = g ? c.Ref<int32_t>(rank, "rank") : nullptr;
  if (!out) return c.error();
  int host_rank;
  if (int32_t rc = c.Host(c.mpi().Group_rank(g->host, &host_rank))) return rc;
  *out = GuestRank(host_rank);  // MPI_UNDEFINED for non-members
  return abi::kSuccess;
}

// Ranks may be MPI_PROC_NULL (translated to MPI_PROC_NULL); results may be
// MPI_UNDEFINED or MPI_PROC_NULL, so both directions are translated.
int32_t GroupTranslateRanks(Call& c, Handle group1, int32_t n, Ptr ranks1,
                            Handle group2, Ptr ranks2) {
  GroupEntry* g1 = c.Group(group1);
  GroupEntry* g2 = g1 ? c.Group(group2) : nullptr;
  if (!g2 || !c.Count(n, "n")) return c.error();
  const int32_t* in = c.Ref<int32_t>(ranks1, "ranks1", n);
  int32_t* out = in ? c.Ref<int32_t>(ranks2, "ranks2", n) : nullptr;
  if (!out) return c.error();
  std::vector<int> host_in(in, in + n), host_out(n);
  for (int& r : host_in) r = HostRank(r);
  if (int32_t rc = c.Host(c.mpi().Group_translate_ranks(
          g1->host, n, host_in.data(), g2->host, host_out.data()))) {
    return rc;
  }
  for (int32_t i = 0; i < n; ++i) out[i] = GuestRank(host_out[i]);
  return abi::kSuccess;
}

int32_t GroupCompare(Call& c, Handle group1, Handle group2, Ptr result) {
  GroupEntry* g1 = c.Group(group1);
  GroupEntry* g2 = g1 ? c.Group(group2) : nullptr;
  int32_t* out = g2 ? c.Ref<int32_t>(result, "result") : nullptr;
  if (!out) return c.error();
  int host_result;
  if (int32_t rc =
          c.Host(c.mpi().Group_compare(g1->host, g2->host, &host_result))) {
    return rc;
  }
  *out = GuestCompareResult(host_result);
  return abi::kSuccess;
}

using SetMethod = int (MpiTransport::*)(MPI_Group, MPI_Group, MPI_Group*);

// MPI_Group_union, MPI_Group_intersection, MPI_Group_difference.
template <SetMethod kMethod>
int32_t GroupSetOp(Call& c, Handle group1, Handle group2, Ptr newgroup) {
  GroupEntry* g1 = c.Group(group1);
  GroupEntry* g2 = g1 ? c.Group(group2) : nullptr;
  Handle* out = g2 ? c.Ref<Handle>(newgroup, "newgroup") : nullptr;
  if (!out) return c.error();
  MPI_Group result;
  if (int32_t rc = c.Host((c.mpi().*kMethod)(g1->host, g2->host, &result))) {
    return rc;
  }
  return InsertGroup(c, result, out);
}

using ListMethod = int (MpiTransport::*)(MPI_Group, int, const int*,
                                         MPI_Group*);

// MPI_Group_incl, MPI_Group_excl: the rank list goes to the host in place.
template <ListMethod kMethod>
int32_t GroupList(Call& c, Handle group, int32_t n, Ptr ranks, Ptr newgroup) {
  GroupEntry* g = c.Group(group);
  if (!g || !c.Count(n, "n")) return c.error();
  const int32_t* list = c.Ref<int32_t>(ranks, "ranks", n);
  Handle* out = list ? c.Ref<Handle>(newgroup, "newgroup") : nullptr;
  if (!out) return c.error();
  MPI_Group result;
  if (int32_t rc = c.Host((c.mpi().*kMethod)(g->host, n, list, &result))) {
    return rc;
  }
  return InsertGroup(c, result, out);
}

using RangeMethod = int (MpiTransport::*)(MPI_Group, int, int (*)[3],
                                          MPI_Group*);

// MPI_Group_range_incl, MPI_Group_range_excl: ranges is int[n][3].
template <RangeMethod kMethod>
int32_t GroupRanges(Call& c, Handle group, int32_t n, Ptr ranges,
                    Ptr newgroup) {
  GroupEntry* g = c.Group(group);
  if (!g || !c.Count(n, "n")) return c.error();
  int32_t* triples = c.Ref<int32_t>(ranges, "ranges", size_t{3} * n);
  Handle* out = triples ? c.Ref<Handle>(newgroup, "newgroup") : nullptr;
  if (!out) return c.error();
  MPI_Group result;
  auto* host_ranges = reinterpret_cast<int(*)[3]>(triples);
  if (int32_t rc =
          c.Host((c.mpi().*kMethod)(g->host, n, host_ranges, &result))) {
    return rc;
  }
  return InsertGroup(c, result, out);
}

// MPI_GROUP_EMPTY may be freed (as in Open MPI and MPICH): the handle
// becomes MPI_GROUP_NULL and the predefined group stays. MPI_GROUP_NULL
// and freed handles are MPI_ERR_GROUP.
int32_t GroupFree(Call& c, Ptr group) {
  Handle* slot = c.Ref<Handle>(group, "group");
  if (!slot) return c.error();
  if (*slot == abi::kGroupEmpty) {
    *slot = abi::kGroupNull;
    return abi::kSuccess;
  }
  if (*slot == abi::kGroupNull) {
    return c.Fail(abi::kErrGroup, "cannot free MPI_GROUP_NULL");
  }
  GroupEntry* g = c.Group(*slot);
  if (!g) return c.error();
  int32_t rc = c.Host(c.mpi().Group_free(&g->host));
  c.bridge().groups().Erase(*slot);
  *slot = abi::kGroupNull;
  return rc;
}

}  // namespace

void AddGroups(Bridge& b, std::vector<engine::HostFunc>& out) {
  out.push_back(Bind(b, "MPI_Group_size", GroupSize));
  out.push_back(Bind(b, "MPI_Group_rank", GroupRank));
  out.push_back(Bind(b, "MPI_Group_translate_ranks", GroupTranslateRanks));
  out.push_back(Bind(b, "MPI_Group_compare", GroupCompare));
  out.push_back(
      Bind(b, "MPI_Group_union", GroupSetOp<&MpiTransport::Group_union>));
  out.push_back(Bind(b, "MPI_Group_intersection",
                     GroupSetOp<&MpiTransport::Group_intersection>));
  out.push_back(Bind(b, "MPI_Group_difference",
                     GroupSetOp<&MpiTransport::Group_difference>));
  out.push_back(
      Bind(b, "MPI_Group_incl", GroupList<&MpiTransport::Group_incl>));
  out.push_back(
      Bind(b, "MPI_Group_excl", GroupList<&MpiTransport::Group_excl>));
  out.push_back(Bind(b, "MPI_Group_range_incl",
                     GroupRanges<&MpiTransport::Group_range_incl>));
  out.push_back(Bind(b, "MPI_Group_range_excl",
                     GroupRanges<&MpiTransport::Group_range_excl>));
  out.push_back(Bind(b, "MPI_Group_free", GroupFree));
}

}  // namespace wasmhpc::mpi
