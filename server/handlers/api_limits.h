// The head's input limits, stated once: the handlers enforce them, the REST
// server and the docs (README, deploy/README, openapi.json) quote them.
// Every limit sits below gRPC's 4 MiB message limit on the whole path a
// value travels (client -> head -> pool), so that nothing accepted here can
// break a later message.
#ifndef WASMHPC_SERVER_HANDLERS_API_LIMITS_H_
#define WASMHPC_SERVER_HANDLERS_API_LIMITS_H_

#include <cstddef>
#include <cstdint>

namespace wasmhpc::server {

// A job's spec (args, env, dirs, labels, ...) serialized: 256 KiB.
inline constexpr size_t kMaxJobSpecBytes = size_t{256} << 10;
// One page of a listing (jobs, modules), serialized: 2 MiB. A page ends
// early (with a next_page_token) rather than grow past it.
inline constexpr size_t kMaxListPageBytes = size_t{2} << 20;
// A module's or job's name, a label's key or value: 255 bytes of UTF-8
// without control characters.
inline constexpr size_t kMaxNameBytes = 255;
// A module's or job's labels: at most 64, keys and values as names.
inline constexpr int kMaxLabels = 64;
// A job's priority: -kMaxPriority..kMaxPriority; users up to the head's
// --max-user-priority, admins up to kMaxPriority.
inline constexpr int32_t kMaxPriority = 1000;
// A job array: at most this many tasks.
inline constexpr int64_t kMaxArrayTasks = 1000;
// A submit's request_id: at most 128 bytes of [A-Za-z0-9._:-].
inline constexpr size_t kMaxRequestIdBytes = 128;
// A pool's Hello: at most this many ranks and bytes, host names of at most
// kMaxHostNameBytes; at most kMaxAttachedPools pools at once.
inline constexpr int kMaxPoolRanks = 65536;
inline constexpr size_t kMaxPoolHelloBytes = size_t{1} << 20;
inline constexpr size_t kMaxHostNameBytes = 255;
inline constexpr size_t kMaxAttachedPools = 64;
// A failed launch's report: at most this many hosts.
inline constexpr int kMaxReportedHosts = 1024;
// Compiled code a pool uploads: at most this multiple of the module's size
// plus kCodeSlackBytes (TurboFan code of a module is a few times its size).
inline constexpr uint64_t kMaxCodeToModuleRatio = 16;
inline constexpr uint64_t kCodeSlackBytes = uint64_t{16} << 20;

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_HANDLERS_API_LIMITS_H_
