// Communicators: creation (dup, split, create, intercommunicators), free,
// inquiry, names and info; attributes (attr.cc) and error handlers
// (errhandler.cc) are registered from here.
#include "mpi-bridge/comm.h"

#include <algorithm>
#include <optional>
#include <string>

#include "absl/strings/str_format.h"
#include "mpi-bridge/attr.h"
#include "mpi-bridge/call.h"
#include "mpi-bridge/errhandler.h"
#include "mpi-bridge/group.h"
#include "mpi-bridge/guest_data.h"
#include "mpi-bridge/info.h"
#include "mpi-bridge/request_util.h"

namespace wasmhpc::mpi {

int32_t InsertComm(Call& c, MPI_Comm host, abi::Handle errhandler,
                   abi::Handle* out) {
  if (host == MPI_COMM_NULL) {
    *out = abi::kCommNull;
    return abi::kSuccess;
  }
  c.mpi().Comm_set_errhandler(host, MPI_ERRORS_RETURN);
  CommEntry entry = c.bridge().NewComm(host);
  entry.errhandler = errhandler;
  std::optional<abi::Handle> h = c.bridge().comms().Insert(entry);
  if (!h) {
    c.mpi().Comm_free(&host);
    return c.Fail(abi::kErrNoMem, "too many communicators");
  }
  *out = *h;
  return abi::kSuccess;
}

namespace {

using abi::Handle;
using abi::Ptr;

int32_t CommSize(Call& c, Handle comm, Ptr size) {
  CommEntry* cm = c.Comm(comm);
  return cm && c.Write<int32_t>(size, cm->size, "size") ? abi::kSuccess
                                                        : c.error();
}

int32_t CommRank(Call& c, Handle comm, Ptr rank) {
  CommEntry* cm = c.Comm(comm);
  return cm && c.Write<int32_t>(rank, cm->rank, "rank") ? abi::kSuccess
                                                        : c.error();
}

// Stores a new host communicator made from `cm` (error handler
// inherited) and writes its guest handle to `newcomm`.
int32_t Adopt(Call& c, const CommEntry& cm, MPI_Comm host, Ptr newcomm) {
  Handle h;
  if (int32_t rc = InsertComm(c, host, cm.errhandler, &h)) return rc;
  return c.Write<Handle>(newcomm, h, "newcomm") ? abi::kSuccess : c.error();
}

// Frees `comm` without its delete callbacks (a failed duplicate).
void Discard(Call& c, Handle comm) {
  CommEntry* cm = c.bridge().comms().Find(comm);
  if (!cm) return;
  c.mpi().Comm_free(&cm->host);
  c.bridge().comms().Erase(comm);
}

// Stores a duplicate of `parent` made by the host (MPI_Comm_dup & co.):
// the same rank, size and error handler (set before the host operation
// completes: MPI_Comm_idup), attributes copied by their copy callbacks.
int32_t AdoptDuplicate(Call& c, Handle parent, MPI_Comm host, Ptr newcomm) {
  const CommEntry& p = *c.bridge().comms().Find(parent);
  CommEntry entry{
      .host = host, .errhandler = p.errhandler, .rank = p.rank, .size = p.size};
  entry.predefined_attributes =
      parent == abi::kCommWorld || p.predefined_attributes;
  std::optional<Handle> h = c.bridge().comms().Insert(std::move(entry));
  if (!h) {
    c.mpi().Comm_free(&host);
    return c.Fail(abi::kErrNoMem, "too many communicators");
  }
  if (int32_t rc = CopyCommAttributes(c, parent, *h)) {
    if (!c.trapped()) DeleteCommAttributes(c, *h);
    Discard(c, *h);
    return rc;
  }
  return c.Write<Handle>(newcomm, *h, "newcomm") ? abi::kSuccess : c.error();
}

int32_t CommDup(Call& c, Handle comm, Ptr newcomm) {
  CommEntry* cm = c.Comm(comm);
  if (!cm) return c.error();
  MPI_Comm dup;
  if (int32_t rc = c.Host(c.mpi().Comm_dup(cm->host, &dup))) return rc;
  return AdoptDuplicate(c, comm, dup, newcomm);
}

int32_t CommDupWithInfo(Call& c, Handle comm, Handle info, Ptr newcomm) {
  CommEntry* cm = c.Comm(comm);
  if (!cm) return c.error();
  MPI_Info host_info;
  if (!HostInfoOf(c, info, &host_info)) return c.error();
  MPI_Comm dup;
  if (int32_t rc =
          c.Host(c.mpi().Comm_dup_with_info(cm->host, host_info, &dup))) {
    return rc;
  }
  return AdoptDuplicate(c, comm, dup, newcomm);
}

// The new communicator's handle is valid at once (Open MPI fills it in
// before the request completes); it may be used once the request has.
int32_t CommIdup(Call& c, Handle comm, Ptr newcomm, Ptr request) {
  CommEntry* cm = c.Comm(comm);
  Handle* req_out = cm ? c.Ref<Handle>(request, "request") : nullptr;
  if (!req_out) return c.error();
  MPI_Comm dup;
  MPI_Request host_request;
  if (int32_t rc = c.Host(c.mpi().Comm_idup(cm->host, &dup, &host_request))) {
    return rc;
  }
  Handle r;
  if (int32_t rc = NewRequest(c, host_request, /*persistent=*/false, &r)) {
    return rc;
  }
  if (int32_t rc = AdoptDuplicate(c, comm, dup, newcomm)) return rc;
  return c.Write<Handle>(request, r, "request") ? abi::kSuccess : c.error();
}

int32_t CommSplit(Call& c, Handle comm, int32_t color, int32_t key,
                  Ptr newcomm) {
  CommEntry* cm = c.Comm(comm);
  if (!cm) return c.error();
  int host_color = color == abi::kUndefined ? MPI_UNDEFINED : color;
  MPI_Comm split;
  if (int32_t rc =
          c.Host(c.mpi().Comm_split(cm->host, host_color, key, &split))) {
    return rc;
  }
  return Adopt(c, *cm, split, newcomm);
}

// MPI_COMM_TYPE_SHARED goes to the host. The MPI-4 hardware and resource
// types are unknown to Open MPI 4.1: they give MPI_COMM_NULL, which MPI
// allows when no such subset can be made.
int32_t CommSplitType(Call& c, Handle comm, int32_t type, int32_t key,
                      Handle info, Ptr newcomm) {
  CommEntry* cm = c.Comm(comm);
  if (!cm) return c.error();
  MPI_Info host_info;
  if (!HostInfoOf(c, info, &host_info)) return c.error();
  int host_type;
  switch (type) {
    case abi::kCommTypeShared:
      host_type = MPI_COMM_TYPE_SHARED;
      break;
    case abi::kUndefined:
      host_type = MPI_UNDEFINED;
      break;
    case abi::kCommTypeHwUnguided:
    case abi::kCommTypeHwGuided:
    case abi::kCommTypeResourceGuided:
      return c.Write<Handle>(newcomm, abi::kCommNull, "newcomm") ? abi::kSuccess
                                                                 : c.error();
    default:
      return c.Fail(abi::kErrArg,
                    absl::StrFormat("invalid split type %d", type));
  }
  MPI_Comm split;
  if (int32_t rc = c.Host(c.mpi().Comm_split_type(cm->host, host_type, key,
                                                  host_info, &split))) {
    return rc;
  }
  return Adopt(c, *cm, split, newcomm);
}

int32_t CommCreate(Call& c, Handle comm, Handle group, Ptr newcomm) {
  CommEntry* cm = c.Comm(comm);
  GroupEntry* g = cm ? c.Group(group) : nullptr;
  if (!g) return c.error();
  MPI_Comm created;
  if (int32_t rc = c.Host(c.mpi().Comm_create(cm->host, g->host, &created))) {
    return rc;
  }
  return Adopt(c, *cm, created, newcomm);
}

int32_t CommCreateGroup(Call& c, Handle comm, Handle group, int32_t tag,
                        Ptr newcomm) {
  CommEntry* cm = c.Comm(comm);
  GroupEntry* g = cm ? c.Group(group) : nullptr;
  if (!g) return c.error();
  MPI_Comm created;
  if (int32_t rc =
          c.Host(c.mpi().Comm_create_group(cm->host, g->host, tag, &created))) {
    return rc;
  }
  return Adopt(c, *cm, created, newcomm);
}

// Delete callbacks run first; if one fails, so does the free.
int32_t CommFree(Call& c, Ptr comm) {
  Handle* slot = c.Ref<Handle>(comm, "comm");
  if (!slot || !c.Comm(*slot)) return c.error();
  Handle h = *slot;
  if (h < abi::kPredefinedLimit) {
    return c.Fail(
        abi::kErrComm,
        absl::StrFormat("cannot free predefined communicator 0x%x", h));
  }
  if (int32_t rc = DeleteCommAttributes(c, h)) return rc;
  CommEntry* cm = c.bridge().comms().Find(h);
  if (!cm) return c.Fail(abi::kErrComm, "freed by a delete callback");
  Handle errhandler = cm->errhandler;
  int32_t rc = c.Host(c.mpi().Comm_free(&cm->host));
  c.bridge().comms().Erase(h);
  DropErrhandlerIfUnused(c.bridge(), errhandler);
  if (!c.Write<Handle>(comm, abi::kCommNull, "comm")) return c.error();
  return rc;
}

int32_t CommCompare(Call& c, Handle comm1, Handle comm2, Ptr result) {
  CommEntry* a = c.Comm(comm1);
  CommEntry* b = a ? c.Comm(comm2) : nullptr;
  int32_t* out = b ? c.Ref<int32_t>(result, "result") : nullptr;
  if (!out) return c.error();
  int host_result;
  if (int32_t rc =
          c.Host(c.mpi().Comm_compare(a->host, b->host, &host_result))) {
    return rc;
  }
  *out = GuestCompareResult(host_result);
  return abi::kSuccess;
}

int32_t CommTestInter(Call& c, Handle comm, Ptr flag) {
  CommEntry* cm = c.Comm(comm);
  int32_t* out = cm ? c.Ref<int32_t>(flag, "flag") : nullptr;
  return out ? c.Host(c.mpi().Comm_test_inter(cm->host, out)) : c.error();
}

int32_t CommRemoteSize(Call& c, Handle comm, Ptr size) {
  CommEntry* cm = c.Comm(comm);
  int32_t* out = cm ? c.Ref<int32_t>(size, "size") : nullptr;
  return out ? c.Host(c.mpi().Comm_remote_size(cm->host, out)) : c.error();
}

// MPI_Comm_group / MPI_Comm_remote_group.
template <int (MpiTransport::*Get)(MPI_Comm, MPI_Group*)>
int32_t CommGroupOf(Call& c, Handle comm, Ptr group) {
  CommEntry* cm = c.Comm(comm);
  Handle* out = cm ? c.Ref<Handle>(group, "group") : nullptr;
  if (!out) return c.error();
  MPI_Group host;
  if (int32_t rc = c.Host((c.mpi().*Get)(cm->host, &host))) return rc;
  return InsertGroup(c, host, out);
}

// peer_comm matters at the local leader only; elsewhere it may be any
// handle, MPI_COMM_NULL included.
int32_t IntercommCreate(Call& c, Handle local, int32_t local_leader,
                        Handle peer, int32_t remote_leader, int32_t tag,
                        Ptr newintercomm) {
  CommEntry* cm = c.Comm(local);
  if (!cm) return c.error();
  MPI_Comm peer_host = MPI_COMM_NULL;
  if (const CommEntry* p = c.bridge().comms().Find(peer)) {
    peer_host = p->host;
  } else if (cm->rank == local_leader) {
    return c.Fail(abi::kErrComm,
                  absl::StrFormat("invalid peer communicator 0x%x", peer));
  }
  MPI_Comm inter;
  if (int32_t rc = c.Host(c.mpi().Intercomm_create(
          cm->host, local_leader, peer_host, remote_leader, tag, &inter))) {
    return rc;
  }
  return Adopt(c, *cm, inter, newintercomm);
}

int32_t IntercommMerge(Call& c, Handle intercomm, int32_t high,
                       Ptr newintracomm) {
  CommEntry* cm = c.Comm(intercomm);
  if (!cm) return c.error();
  MPI_Comm merged;
  if (int32_t rc = c.Host(c.mpi().Intercomm_merge(cm->host, high, &merged))) {
    return rc;
  }
  return Adopt(c, *cm, merged, newintracomm);
}

int32_t CommGetName(Call& c, Handle comm, Ptr name, Ptr resultlen) {
  CommEntry* cm = c.Comm(comm);
  if (!cm) return c.error();
  std::string text =
      cm->comm_name.value_or(comm == abi::kCommWorld  ? "MPI_COMM_WORLD"
                             : comm == abi::kCommSelf ? "MPI_COMM_SELF"
                                                      : "");
  return WriteCString(c, name, abi::kMaxObjectName, text, resultlen,
                      "comm_name");
}

// Longer names are cut to MPI_MAX_OBJECT_NAME - 1 characters.
int32_t CommSetName(Call& c, Handle comm, Ptr name) {
  if (!c.Comm(comm)) return c.error();
  std::optional<std::string> text =
      ReadCString(c, name, abi::kMaxObjectName - 1, "comm_name");
  if (!text) return c.error();
  text->resize(std::min<size_t>(text->size(), abi::kMaxObjectName - 1));
  c.bridge().comms().Find(comm)->comm_name = std::move(*text);
  return abi::kSuccess;
}

int32_t CommSetInfo(Call& c, Handle comm, Handle info) {
  CommEntry* cm = c.Comm(comm);
  if (!cm) return c.error();
  MPI_Info host_info;
  if (!HostInfoOf(c, info, &host_info)) return c.error();
  return c.Host(c.mpi().Comm_set_info(cm->host, host_info));
}

int32_t CommGetInfo(Call& c, Handle comm, Ptr info_used) {
  CommEntry* cm = c.Comm(comm);
  if (!cm) return c.error();
  MPI_Info host;
  if (int32_t rc = c.Host(c.mpi().Comm_get_info(cm->host, &host))) return rc;
  int32_t rc = InsertInfoFromHost(c, host, info_used);
  c.mpi().Info_free(&host);
  return rc;
}

}  // namespace

void AddCommunicators(Bridge& b, std::vector<engine::HostFunc>& out) {
  out.push_back(Bind(b, "MPI_Comm_size", CommSize));
  out.push_back(Bind(b, "MPI_Comm_rank", CommRank));
  out.push_back(Bind(b, "MPI_Comm_dup", CommDup));
  out.push_back(Bind(b, "MPI_Comm_dup_with_info", CommDupWithInfo));
  out.push_back(Bind(b, "MPI_Comm_idup", CommIdup));
  out.push_back(Bind(b, "MPI_Comm_split", CommSplit));
  out.push_back(Bind(b, "MPI_Comm_split_type", CommSplitType));
  out.push_back(Bind(b, "MPI_Comm_create", CommCreate));
  out.push_back(Bind(b, "MPI_Comm_create_group", CommCreateGroup));
  out.push_back(Bind(b, "MPI_Comm_free", CommFree));
  out.push_back(Bind(b, "MPI_Comm_compare", CommCompare));
  out.push_back(Bind(b, "MPI_Comm_test_inter", CommTestInter));
  out.push_back(Bind(b, "MPI_Comm_remote_size", CommRemoteSize));
  out.push_back(
      Bind(b, "MPI_Comm_group", CommGroupOf<&MpiTransport::Comm_group>));
  out.push_back(Bind(b, "MPI_Comm_remote_group",
                     CommGroupOf<&MpiTransport::Comm_remote_group>));
  out.push_back(Bind(b, "MPI_Intercomm_create", IntercommCreate));
  out.push_back(Bind(b, "MPI_Intercomm_merge", IntercommMerge));
  out.push_back(Bind(b, "MPI_Comm_get_name", CommGetName));
  out.push_back(Bind(b, "MPI_Comm_set_name", CommSetName));
  out.push_back(Bind(b, "MPI_Comm_set_info", CommSetInfo));
  out.push_back(Bind(b, "MPI_Comm_get_info", CommGetInfo));
  AddCommAttributes(b, out);
  AddErrorHandlers(b, out);
}

}  // namespace wasmhpc::mpi
