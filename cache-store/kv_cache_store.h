// KvCacheStore: the CacheStore logic shared by all backends, built on a
// KvBackend (kv_backend.h).
//
// Internal to cache-store. Keys, envelopes (blob_format.h), corruption
// handling and log offsets live here once; a backend only stores bytes.
//
// Execution model: every method runs on the caller's thread. Reads take no
// store lock. AppendLog and DeleteJob hold `log_mu_` across their backend
// write, so appends get distinct, contiguous offsets; ReadLog reads the log
// size under it, then the chunks without it (later appends lie past the
// size it read).
#ifndef WASMHPC_CACHE_STORE_KV_CACHE_STORE_H_
#define WASMHPC_CACHE_STORE_KV_CACHE_STORE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "cache-store/cache_store.h"
#include "cache-store/kv_backend.h"

namespace wasmhpc::cache {

// Returns a store that owns `kv` and reports diagnostics through `log`
// (empty: the process log). REQUIRES: kv != nullptr.
std::unique_ptr<CacheStore> NewKvCacheStore(std::unique_ptr<KvBackend> kv,
                                            CacheLogFn log);

// Backend keys, exposed for tests that damage raw entries.
// Space::kModules and kModuleSizes: the digest itself.
std::string CodeKey(absl::string_view digest, absl::string_view fingerprint);
std::string LogKey(absl::string_view job_id, uint64_t offset);
// Space::kJobs: the job id itself.

// Sends `message` to `log`, or to the process log (common/logging.h) as a
// warning when `log` is empty.
void EmitLog(const CacheLogFn& log, absl::string_view message);

}  // namespace wasmhpc::cache

#endif  // WASMHPC_CACHE_STORE_KV_CACHE_STORE_H_
