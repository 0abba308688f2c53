// Module metadata records as heads stored them before the store had a
// module-record kind: job records "module/<digest>" (Space::kJobs).
//
// Internal to cache-store. KvCacheStore moves them at open; until that
// succeeds it reads them from there and keeps them out of job listings.
#ifndef WASMHPC_CACHE_STORE_LEGACY_RECORDS_H_
#define WASMHPC_CACHE_STORE_LEGACY_RECORDS_H_

#include <string>

#include "absl/strings/string_view.h"
#include "cache-store/cache_store.h"
#include "cache-store/kv_backend.h"

namespace wasmhpc::cache {

// Prefix of legacy module records in Space::kJobs; the digest follows.
inline constexpr absl::string_view kLegacyModuleRecordPrefix = "module/";

// The job-space key of the legacy record of module `digest`.
std::string LegacyModuleRecordKey(absl::string_view digest);

// True if `job_id` is a legacy module record's key.
bool IsLegacyModuleRecordKey(absl::string_view job_id);

// Moves every legacy module record of `kv` to Space::kModuleRecords in one
// atomic write; a corrupt one, or one not named by a digest, is dropped and
// reported through `log`. Returns true if legacy records remain: `kv` is
// read-only or the write failed (reported through `log`; the next open
// tries again).
bool MigrateLegacyModuleRecords(KvBackend& kv, const CacheLogFn& log);

}  // namespace wasmhpc::cache

#endif  // WASMHPC_CACHE_STORE_LEGACY_RECORDS_H_
