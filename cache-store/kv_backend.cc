#include "cache-store/kv_backend.h"

namespace wasmhpc::cache {

const char* SpaceName(Space space) {
  switch (space) {
    case Space::kModules:
      return "modules";
    case Space::kModuleSizes:
      return "module_sizes";
    case Space::kCode:
      return "code";
    case Space::kJobs:
      return "jobs";
    case Space::kLogs:
      return "logs";
    case Space::kModuleRecords:
      return "module_records";
    case Space::kCodeSizes:
      return "code_sizes";
  }
  return "unknown";
}

}  // namespace wasmhpc::cache
