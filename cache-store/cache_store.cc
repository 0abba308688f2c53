#include "cache-store/cache_store.h"

#include "absl/strings/cord.h"

namespace wasmhpc {

bool IsCacheMiss(const absl::Status& status) {
  return absl::IsNotFound(status) || absl::IsDataLoss(status);
}

namespace {
constexpr absl::string_view kDiskFullPayload = "wasmhpc.dev/disk-full";
}  // namespace

absl::Status DiskFullError(absl::string_view message) {
  absl::Status status = absl::ResourceExhaustedError(message);
  status.SetPayload(kDiskFullPayload, absl::Cord("1"));
  return status;
}

bool IsDiskFull(const absl::Status& status) {
  return status.GetPayload(kDiskFullPayload).has_value();
}

}  // namespace wasmhpc
