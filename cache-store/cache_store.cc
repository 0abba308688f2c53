#include "cache-store/cache_store.h"

namespace wasmhpc {

bool IsCacheMiss(const absl::Status& status) {
  return absl::IsNotFound(status) || absl::IsDataLoss(status);
}

}  // namespace wasmhpc
