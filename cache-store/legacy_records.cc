#include "cache-store/legacy_records.h"

#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cache-store/blob_format.h"
#include "cache-store/kv_cache_store.h"
#include "cache-store/module_digest.h"

namespace wasmhpc::cache {

std::string LegacyModuleRecordKey(absl::string_view digest) {
  return absl::StrCat(kLegacyModuleRecordPrefix, digest);
}

bool IsLegacyModuleRecordKey(absl::string_view job_id) {
  return absl::StartsWith(job_id, kLegacyModuleRecordPrefix);
}

bool MigrateLegacyModuleRecords(KvBackend& kv, const CacheLogFn& log) {
  std::vector<KvWrite> writes;
  std::vector<std::string> dropped;
  size_t moved = 0;
  absl::Status scan = kv.Scan(
      Space::kJobs, kLegacyModuleRecordPrefix, ScanDirection::kForward,
      [&](absl::string_view key, absl::string_view value) {
        if (!IsLegacyModuleRecordKey(key)) return false;
        writes.push_back({Space::kJobs, std::string(key), std::nullopt});
        const absl::string_view digest =
            key.substr(kLegacyModuleRecordPrefix.size());
        absl::StatusOr<BlobPayload> payload =
            DecodeBlob(value, Space::kJobs, key);
        if (!payload.ok() || !IsValidDigest(digest)) {
          dropped.push_back(std::string(key));
          return true;
        }
        writes.push_back(
            {Space::kModuleRecords, std::string(digest),
             EncodeBlob(Space::kModuleRecords, digest,
                        value.substr(payload->offset, payload->size))});
        ++moved;
        return true;
      });
  if (!scan.ok()) {
    EmitLog(log, absl::StrCat(kv.name(), ": cannot look for old module ",
                              "records: ", scan.message()));
    return true;
  }
  if (writes.empty()) return false;
  if (kv.read_only()) return true;
  if (absl::Status s = kv.Write(std::move(writes)); !s.ok()) {
    EmitLog(log, absl::StrCat(kv.name(), ": cannot move old module records ",
                              "out of the job records (the next open tries ",
                              "again): ", s.message()));
    return true;
  }
  for (const std::string& key : dropped) {
    EmitLog(log, absl::StrCat(kv.name(), ": dropped unreadable old module ",
                              "record \"", key, "\""));
  }
  EmitLog(log, absl::StrCat(kv.name(), ": moved ", moved,
                            " old module records out of the job records"));
  return false;
}

}  // namespace wasmhpc::cache
