#include "worker/pool/broadcast_message.h"

#include <algorithm>
#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"

namespace wasmhpc::pool {
namespace {

absl::Status MpiError(const char* call, int rc) {
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  MPI_Error_string(rc, text, &len);
  return absl::InternalError(
      absl::StrCat(call, " failed: ", absl::string_view(text, len)));
}

}  // namespace

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
