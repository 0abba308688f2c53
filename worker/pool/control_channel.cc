#include "worker/pool/control_channel.h"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace wasmhpc::pool {
namespace {

constexpr int kControlTag = 7;

absl::Status MpiError(const char* call, int rc) {
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, text, &len);
  return absl::InternalError(
      absl::StrCat(call, " failed: ", absl::string_view(text, len)));
}

}  // namespace

absl::Status ControlChannel::Send(
    int rank, const google::protobuf::MessageLite& message) {
  std::string bytes = message.SerializeAsString();
  if (bytes.size() >= static_cast<size_t>(INT_MAX)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "control message of ", bytes.size(), " bytes is too large"));
  }
  int rc = MPI_Send(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE,
                    rank, kControlTag, comm_);
  return rc == MPI_SUCCESS ? absl::OkStatus() : MpiError("MPI_Send", rc);
}

absl::StatusOr<bool> ControlChannel::TryReceive(
    int source, google::protobuf::MessageLite* message, int* from) {
  int found = 0;
  MPI_Message handle;
  MPI_Status status;
  int rc = MPI_Improbe(source, kControlTag, comm_, &found, &handle, &status);
  if (rc != MPI_SUCCESS) return MpiError("MPI_Improbe", rc);
  if (!found) return false;
  int size = 0;
  MPI_Get_count(&status, MPI_BYTE, &size);
  std::string bytes(size, '\0');
  rc = MPI_Mrecv(bytes.data(), size, MPI_BYTE, &handle, MPI_STATUS_IGNORE);
  if (rc != MPI_SUCCESS) return MpiError("MPI_Mrecv", rc);
  *from = status.MPI_SOURCE;
  if (!message->ParseFromString(bytes)) {
    return absl::DataLossError(absl::StrCat("unparsable control message of ",
                                            size, " bytes from rank ", *from));
  }
  return true;
}

void PollPause::Wait() {
  absl::SleepFor(next_);
  next_ = std::min(next_ * 2, max_);
}

absl::Status BroadcastMessage(MPI_Comm comm, int root,
                              google::protobuf::MessageLite* message) {
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  std::string bytes;
  if (rank == root) bytes = message->SerializeAsString();
  uint64_t size = bytes.size();
  int rc = MPI_Bcast(&size, 1, MPI_UINT64_T, root, comm);
  if (rc != MPI_SUCCESS) return MpiError("MPI_Bcast", rc);
  bytes.resize(size);
  constexpr uint64_t kChunk = uint64_t{1} << 30;
  for (uint64_t offset = 0; offset < size; offset += kChunk) {
    rc = MPI_Bcast(bytes.data() + offset,
                   static_cast<int>(std::min(kChunk, size - offset)), MPI_BYTE,
                   root, comm);
    if (rc != MPI_SUCCESS) return MpiError("MPI_Bcast", rc);
  }
  if (rank != root && !message->ParseFromString(bytes)) {
    return absl::DataLossError(
        absl::StrCat("unparsable broadcast of ", size, " bytes"));
  }
  return absl::OkStatus();
}

}  // namespace wasmhpc::pool
