// Communicators: size, rank, dup, split, free, error handlers.
#include "absl/strings/str_format.h"
#include "mpi-bridge/call.h"

namespace wasmhpc::mpi {
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

// Stores a new host communicator (MPI_COMM_NULL -> MPI_COMM_NULL) and
// writes its guest handle. New communicators inherit the parent's handler.
int32_t NewComm(Call& c, MPI_Comm host, Handle errhandler, Handle* out) {
  if (host == MPI_COMM_NULL) {
    *out = abi::kCommNull;
    return abi::kSuccess;
  }
  c.mpi().Comm_set_errhandler(host, MPI_ERRORS_RETURN);
  CommEntry entry = c.bridge().NewComm(host);
  entry.errhandler = errhandler;
  std::optional<Handle> h = c.bridge().comms.Insert(entry);
  if (!h) return c.Fail(abi::kErrNoMem, "too many communicators");
  *out = *h;
  return abi::kSuccess;
}

int32_t CommDup(Call& c, Handle comm, Ptr newcomm) {
  CommEntry* cm = c.Comm(comm);
  Handle* out = cm ? c.Ref<Handle>(newcomm, "newcomm") : nullptr;
  if (!out) return c.error();
  MPI_Comm dup;
  if (int32_t rc = c.Host(c.mpi().Comm_dup(cm->host, &dup))) return rc;
  return NewComm(c, dup, cm->errhandler, out);
}

int32_t CommSplit(Call& c, Handle comm, int32_t color, int32_t key,
                  Ptr newcomm) {
  CommEntry* cm = c.Comm(comm);
  Handle* out = cm ? c.Ref<Handle>(newcomm, "newcomm") : nullptr;
  if (!out) return c.error();
  MPI_Comm split;
  int host_color = color == abi::kUndefined ? MPI_UNDEFINED : color;
  if (int32_t rc =
          c.Host(c.mpi().Comm_split(cm->host, host_color, key, &split))) {
    return rc;
  }
  return NewComm(c, split, cm->errhandler, out);
}

int32_t CommFree(Call& c, Ptr comm) {
  Handle* slot = c.Ref<Handle>(comm, "comm");
  CommEntry* cm = slot ? c.Comm(*slot) : nullptr;
  if (!cm) return c.error();
  if (*slot < abi::kPredefinedLimit) {
    return c.Fail(abi::kErrComm,
                  absl::StrFormat("cannot free predefined communicator 0x%x",
                                  *slot));
  }
  int32_t rc = c.Host(c.mpi().Comm_free(&cm->host));
  c.bridge().comms.Erase(*slot);
  *slot = abi::kCommNull;
  return rc;
}

int32_t CommSetErrhandler(Call& c, Handle comm, Handle errhandler) {
  CommEntry* cm = c.Comm(comm);
  if (!cm) return c.error();
  if (errhandler != abi::kErrorsAreFatal && errhandler != abi::kErrorsReturn &&
      errhandler != abi::kErrorsAbort) {
    return c.Fail(abi::kErrArg,
                  absl::StrFormat("invalid errhandler 0x%x", errhandler));
  }
  cm->errhandler = errhandler;
  return abi::kSuccess;
}

int32_t CommGetErrhandler(Call& c, Handle comm, Ptr errhandler) {
  CommEntry* cm = c.Comm(comm);
  return cm && c.Write<Handle>(errhandler, cm->errhandler, "errhandler")
             ? abi::kSuccess
             : c.error();
}

}  // namespace

void AddCommunicators(Bridge& b, std::vector<engine::HostFunc>& out) {
  out.push_back(Bind(b, "MPI_Comm_size", CommSize));
  out.push_back(Bind(b, "MPI_Comm_rank", CommRank));
  out.push_back(Bind(b, "MPI_Comm_dup", CommDup));
  out.push_back(Bind(b, "MPI_Comm_split", CommSplit));
  out.push_back(Bind(b, "MPI_Comm_free", CommFree));
  out.push_back(Bind(b, "MPI_Comm_set_errhandler", CommSetErrhandler));
  out.push_back(Bind(b, "MPI_Comm_get_errhandler", CommGetErrhandler));
}

}  // namespace wasmhpc::mpi
