// Exit codes a pool rank reports when the guest gave none (as wasmhpc-run).
#ifndef WASMHPC_WORKER_POOL_EXIT_CODES_H_
#define WASMHPC_WORKER_POOL_EXIT_CODES_H_

#include <cstdint>

namespace wasmhpc::pool {

inline constexpr int32_t kLoadFailedExit = 125;
inline constexpr int32_t kTrapExit = 134;
inline constexpr int32_t kStoppedExit = 143;  // 128 + SIGTERM

}  // namespace wasmhpc::pool

#endif  // WASMHPC_WORKER_POOL_EXIT_CODES_H_
