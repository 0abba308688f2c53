#include "cache-store/kv_backend.h"

namespace wasmhpc::cache {

const char* SpaceName(Space space) {
  for (const SpaceInfo& info : kSpaces) {
    if (info.space == space) return info.name;
  }
  return "unknown";
}

}  // namespace wasmhpc::cache
