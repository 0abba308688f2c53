#include "common/version.h"

namespace wasmhpc {

const char* Version() { return WASMHPC_VERSION; }

}  // namespace wasmhpc
