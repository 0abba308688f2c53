#include "cache-store/kv_cache_store.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "cache-store/blob_format.h"
#include "cache-store/legacy_records.h"
#include "common/logging.h"

namespace wasmhpc::cache {
namespace {

constexpr size_t kLogKeySuffix = 1 + 8;  // '\0' + big-endian u64 offset.

std::string Quoted(absl::string_view text) {
  constexpr size_t kMaxShown = 80;
  std::string shown = absl::CHexEscape(text.substr(0, kMaxShown));
  return absl::StrCat("\"", shown, text.size() > kMaxShown ? "...\"" : "\"");
}

absl::Status CheckDigest(absl::string_view digest) {
  if (IsValidDigest(digest)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("malformed module digest ", Quoted(digest),
                   ": want sha256:<64 lower-case hex digits>"));
}

absl::Status CheckJobId(absl::string_view job_id) {
  if (job_id.empty() || job_id.size() > kMaxJobIdBytes ||
      absl::StrContains(job_id, absl::string_view("\0", 1))) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad job id ", Quoted(job_id), ": want 1 to ",
                     kMaxJobIdBytes, " bytes without NUL"));
  }
  return absl::OkStatus();
}

absl::Status CheckFingerprint(absl::string_view fingerprint) {
  if (fingerprint.empty() || fingerprint.size() > kMaxFingerprintBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad engine fingerprint ", Quoted(fingerprint),
                     ": want 1 to ", kMaxFingerprintBytes, " bytes"));
  }
  return absl::OkStatus();
}

absl::Status CheckSize(absl::string_view what, size_t size) {
  if (size <= kMaxValueBytes) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      what, " of ", size, " bytes exceeds the limit of ", kMaxValueBytes));
}

std::string EncodeU64(uint64_t value) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>(value >> (8 * i));
  return out;
}

uint64_t DecodeU64(absl::string_view bytes) {
  uint64_t value = 0;
  for (size_t i = 0; i < bytes.size() && i < 8; ++i) {
    value |= static_cast<uint64_t>(static_cast<uint8_t>(bytes[i])) << (8 * i);
  }
  return value;
}

// The offset in a log key, or nullopt if `key` is not a log key of `job_id`.
std::optional<uint64_t> LogKeyOffset(absl::string_view key,
                                     absl::string_view job_id) {
  if (key.size() != job_id.size() + kLogKeySuffix ||
      !absl::StartsWith(key, job_id) || key[job_id.size()] != '\0') {
    return std::nullopt;
  }
  uint64_t offset = 0;
  for (char c : key.substr(job_id.size() + 1)) {
    offset = (offset << 8) | static_cast<uint8_t>(c);
  }
  return offset;
}

class KvCacheStore final : public CacheStore {
 public:
  KvCacheStore(std::unique_ptr<KvBackend> kv, CacheLogFn log)
      : kv_(std::move(kv)),
        log_(std::move(log)),
        legacy_records_(MigrateLegacyModuleRecords(*kv_, log_)) {}

  absl::Status PutModule(absl::string_view digest,
                         absl::string_view bytes) override;
  absl::StatusOr<SharedBytes> GetModule(
      absl::string_view digest) const override;
  absl::StatusOr<bool> HasModule(absl::string_view digest) const override;
  absl::Status DeleteModule(absl::string_view digest) override;
  absl::StatusOr<std::vector<ModuleInfo>> ListModules() const override;
  absl::Status PutModuleRecord(absl::string_view digest,
                               absl::string_view record) override;
  absl::StatusOr<std::string> GetModuleRecord(
      absl::string_view digest) const override;

  absl::Status PutCode(absl::string_view digest, absl::string_view fingerprint,
                       absl::string_view code) override;
  absl::StatusOr<SharedBytes> GetCode(
      absl::string_view digest, absl::string_view fingerprint) const override;
  absl::StatusOr<bool> HasCode(absl::string_view digest,
                               absl::string_view fingerprint) const override;

  absl::Status PutJob(absl::string_view job_id,
                      absl::string_view record) override;
  absl::StatusOr<std::string> GetJob(absl::string_view job_id) const override;
  absl::StatusOr<std::vector<JobRecord>> ListJobs(absl::string_view start_after,
                                                  size_t limit) const override;
  absl::StatusOr<std::vector<JobRecord>> ListJobsBefore(
      absl::string_view start_before, size_t limit) const override;
  absl::Status DeleteJob(absl::string_view job_id) override;

  absl::StatusOr<uint64_t> AppendLog(absl::string_view job_id,
                                     absl::string_view chunk) override;
  absl::StatusOr<LogSlice> ReadLog(absl::string_view job_id,
                                   uint64_t from_offset,
                                   size_t max_bytes) const override;
  absl::StatusOr<uint64_t> LogAppendStart(absl::string_view job_id,
                                          uint64_t offset) const override;

  bool read_only() const override { return kv_->read_only(); }
  const std::string& name() const override { return kv_->name(); }

 private:
  absl::Status CheckWritable() const;
  // Up to `limit` job records from `start` (excluded) in `direction`.
  absl::StatusOr<std::vector<JobRecord>> ScanJobs(absl::string_view start,
                                                  ScanDirection direction,
                                                  size_t limit) const;
  // Reads and checks the value under (space, key). NotFound if absent; if
  // corrupt: reports it, deletes it when `drop` is set (cache entries), and
  // returns NotFound saying why. `what` names the entry in messages.
  absl::StatusOr<SharedBytes> ReadChecked(Space space, absl::string_view key,
                                          absl::string_view what,
                                          bool drop) const;
  // Reports a corrupt entry through log_, once per (space, key).
  void ReportCorrupt(Space space, absl::string_view key, absl::string_view what,
                     const absl::Status& why) const;
  // Best-effort removal of a corrupt cache entry (module: both entries).
  void DropCorrupt(Space space, absl::string_view key) const;
  absl::Status Put(Space space, std::string key, absl::string_view payload);

  // The size of the log of `job_id`, from log_end_ or found from the last
  // chunk (a corrupt last chunk ends the log where it starts).
  absl::StatusOr<uint64_t> LogEnd(absl::string_view job_id) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(log_mu_);
  // The offset of the chunk holding byte `offset` of the log.
  absl::StatusOr<uint64_t> ChunkStart(absl::string_view job_id,
                                      uint64_t offset) const;
  absl::Status CollectLog(absl::string_view job_id, uint64_t chunk_start,
                          uint64_t limit, LogSlice& slice) const;

  const std::unique_ptr<KvBackend> kv_;
  const CacheLogFn log_;
  // Legacy module records remain in the job space (legacy_records.h).
  const bool legacy_records_;

  mutable absl::Mutex report_mu_;
  mutable absl::flat_hash_set<std::string> reported_
      ABSL_GUARDED_BY(report_mu_);

  mutable absl::Mutex log_mu_;
  mutable absl::flat_hash_map<std::string, uint64_t> log_end_
      ABSL_GUARDED_BY(log_mu_);
};

// --- Shared helpers --------------------------------------------------------

absl::Status KvCacheStore::CheckWritable() const {
  if (!kv_->read_only()) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat(name(), " is opened read-only"));
}

absl::StatusOr<SharedBytes> KvCacheStore::ReadChecked(Space space,
                                                      absl::string_view key,
                                                      absl::string_view what,
                                                      bool drop) const {
  absl::StatusOr<SharedBytes> stored = kv_->Get(space, key);
  if (absl::IsNotFound(stored.status())) {
    return absl::NotFoundError(absl::StrCat(name(), ": no ", what));
  }
  if (!stored.ok()) return stored.status();
  absl::StatusOr<BlobPayload> payload = DecodeBlob(stored->view(), space, key);
  if (!payload.ok()) {
    ReportCorrupt(space, key, what, payload.status());
    if (drop) DropCorrupt(space, key);
    return absl::NotFoundError(absl::StrCat(name(), ": corrupt ", what, ": ",
                                            payload.status().message()));
  }
  return stored->Slice(payload->offset, payload->size);
}

void KvCacheStore::ReportCorrupt(Space space, absl::string_view key,
                                 absl::string_view what,
                                 const absl::Status& why) const {
  {
    absl::MutexLock lock(&report_mu_);
    const bool first = reported_
                           .insert(absl::StrCat(static_cast<int>(space), ":",
                                                std::string(key)))
                           .second;
    if (!first) return;
  }
  EmitLog(log_, absl::StrCat(name(), ": corrupt ", what, " (", why.message(),
                             "); treated as a miss, never loaded"));
}

void KvCacheStore::DropCorrupt(Space space, absl::string_view key) const {
  if (kv_->read_only()) return;
  std::vector<KvWrite> writes;
  writes.push_back({space, std::string(key), std::nullopt});
  if (space == Space::kModules || space == Space::kModuleSizes) {
    const Space other =
        space == Space::kModules ? Space::kModuleSizes : Space::kModules;
    writes.push_back({other, std::string(key), std::nullopt});
  }
  if (space == Space::kCode) {
    writes.push_back({Space::kCodeSizes, std::string(key), std::nullopt});
  }
  // Best effort: a failure leaves the entry, which reads as a miss anyway.
  kv_->Write(std::move(writes)).IgnoreError();
}

absl::Status KvCacheStore::Put(Space space, std::string key,
                               absl::string_view payload) {
  std::string value = EncodeBlob(space, key, payload);
  std::vector<KvWrite> writes;
  writes.push_back({space, std::move(key), std::move(value)});
  return kv_->Write(std::move(writes));
}

// --- Modules ---------------------------------------------------------------

absl::Status KvCacheStore::PutModule(absl::string_view digest,
                                     absl::string_view bytes) {
  if (absl::Status s = CheckDigest(digest); !s.ok()) return s;
  if (absl::Status s = CheckSize("module", bytes.size()); !s.ok()) return s;
  if (absl::Status s = CheckWritable(); !s.ok()) return s;
  const std::string actual = ModuleDigest(bytes);
  if (actual != digest) {
    return absl::InvalidArgumentError(absl::StrCat(
        "module bytes hash to ", actual, ", not to the given ", digest));
  }
  std::vector<KvWrite> writes;
  writes.push_back({Space::kModules, std::string(digest),
                    EncodeBlob(Space::kModules, digest, bytes)});
  writes.push_back(
      {Space::kModuleSizes, std::string(digest),
       EncodeBlob(Space::kModuleSizes, digest, EncodeU64(bytes.size()))});
  return kv_->Write(std::move(writes));
}

absl::StatusOr<SharedBytes> KvCacheStore::GetModule(
    absl::string_view digest) const {
  if (absl::Status s = CheckDigest(digest); !s.ok()) return s;
  return ReadChecked(Space::kModules, digest, absl::StrCat("module ", digest),
                     /*drop=*/true);
}

absl::StatusOr<bool> KvCacheStore::HasModule(absl::string_view digest) const {
  if (absl::Status s = CheckDigest(digest); !s.ok()) return s;
  absl::StatusOr<SharedBytes> size =
      ReadChecked(Space::kModuleSizes, digest,
                  absl::StrCat("size entry of module ", digest), true);
  if (absl::IsNotFound(size.status())) return false;
  if (!size.ok()) return size.status();
  return true;
}

absl::Status KvCacheStore::DeleteModule(absl::string_view digest) {
  if (absl::Status s = CheckDigest(digest); !s.ok()) return s;
  if (absl::Status s = CheckWritable(); !s.ok()) return s;
  std::vector<KvWrite> writes;
  writes.push_back({Space::kModules, std::string(digest), std::nullopt});
  writes.push_back({Space::kModuleSizes, std::string(digest), std::nullopt});
  writes.push_back({Space::kModuleRecords, std::string(digest), std::nullopt});
  if (legacy_records_) {
    writes.push_back(
        {Space::kJobs, LegacyModuleRecordKey(digest), std::nullopt});
  }
  const std::string prefix = absl::StrCat(digest, absl::string_view("\0", 1));
  // Size entries first: code written by an older store may lack one.
  for (Space space : {Space::kCodeSizes, Space::kCode}) {
    absl::Status scan =
        kv_->Scan(space, prefix, ScanDirection::kForward,
                  [&](absl::string_view key, absl::string_view) {
                    if (!absl::StartsWith(key, prefix)) return false;
                    writes.push_back({space, std::string(key), std::nullopt});
                    return true;
                  });
    if (!scan.ok()) return scan;
  }
  return kv_->Write(std::move(writes));
}

absl::StatusOr<std::vector<ModuleInfo>> KvCacheStore::ListModules() const {
  std::vector<ModuleInfo> modules;
  std::vector<std::pair<std::string, absl::Status>> corrupt;
  absl::Status scan = kv_->Scan(
      Space::kModuleSizes, "", ScanDirection::kForward,
      [&](absl::string_view key, absl::string_view value) {
        absl::StatusOr<BlobPayload> payload =
            DecodeBlob(value, Space::kModuleSizes, key);
        if (payload.ok() && payload->size == 8) {
          modules.push_back(
              {std::string(key), DecodeU64(value.substr(payload->offset, 8))});
        } else {
          corrupt.emplace_back(std::string(key),
                               payload.ok() ? absl::DataLossError("bad size")
                                            : payload.status());
        }
        return true;
      });
  if (!scan.ok()) return scan;
  for (const auto& [key, why] : corrupt) {
    ReportCorrupt(Space::kModuleSizes, key,
                  absl::StrCat("size entry of module ", key), why);
  }
  return modules;
}

absl::Status KvCacheStore::PutModuleRecord(absl::string_view digest,
                                           absl::string_view record) {
  if (absl::Status s = CheckDigest(digest); !s.ok()) return s;
  if (absl::Status s = CheckSize("module record", record.size()); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckWritable(); !s.ok()) return s;
  return Put(Space::kModuleRecords, std::string(digest), record);
}

absl::StatusOr<std::string> KvCacheStore::GetModuleRecord(
    absl::string_view digest) const {
  if (absl::Status s = CheckDigest(digest); !s.ok()) return s;
  absl::StatusOr<SharedBytes> record =
      ReadChecked(Space::kModuleRecords, digest,
                  absl::StrCat("record of module ", digest), /*drop=*/false);
  if (absl::IsNotFound(record.status()) && legacy_records_) {
    const std::string key = LegacyModuleRecordKey(digest);
    absl::StatusOr<SharedBytes> legacy = ReadChecked(
        Space::kJobs, key, absl::StrCat("old record of module ", digest),
        /*drop=*/false);
    if (legacy.ok()) record = *std::move(legacy);
  }
  if (!record.ok()) return record.status();
  return record->ToString();
}

// --- Compiled code ---------------------------------------------------------

absl::Status KvCacheStore::PutCode(absl::string_view digest,
                                   absl::string_view fingerprint,
                                   absl::string_view code) {
  if (absl::Status s = CheckDigest(digest); !s.ok()) return s;
  if (absl::Status s = CheckFingerprint(fingerprint); !s.ok()) return s;
  if (absl::Status s = CheckSize("code", code.size()); !s.ok()) return s;
  if (absl::Status s = CheckWritable(); !s.ok()) return s;
  std::string key = CodeKey(digest, fingerprint);
  std::vector<KvWrite> writes;
  writes.push_back(
      {Space::kCodeSizes, key,
       EncodeBlob(Space::kCodeSizes, key, EncodeU64(code.size()))});
  std::string value = EncodeBlob(Space::kCode, key, code);
  writes.push_back({Space::kCode, std::move(key), std::move(value)});
  return kv_->Write(std::move(writes));
}

absl::StatusOr<SharedBytes> KvCacheStore::GetCode(
    absl::string_view digest, absl::string_view fingerprint) const {
  if (absl::Status s = CheckDigest(digest); !s.ok()) return s;
  if (absl::Status s = CheckFingerprint(fingerprint); !s.ok()) return s;
  return ReadChecked(Space::kCode, CodeKey(digest, fingerprint),
                     absl::StrCat("code for ", digest, " with fingerprint ",
                                  Quoted(fingerprint)),
                     /*drop=*/true);
}

absl::StatusOr<bool> KvCacheStore::HasCode(
    absl::string_view digest, absl::string_view fingerprint) const {
  if (absl::Status s = CheckDigest(digest); !s.ok()) return s;
  if (absl::Status s = CheckFingerprint(fingerprint); !s.ok()) return s;
  const std::string key = CodeKey(digest, fingerprint);
  absl::StatusOr<SharedBytes> size = ReadChecked(
      Space::kCodeSizes, key, absl::StrCat("size entry of code for ", digest),
      /*drop=*/true);
  if (size.ok()) return true;
  if (!absl::IsNotFound(size.status())) return size.status();
  // Code stored by an older store has no size entry: read it once and add
  // one (a missing key costs no read of code).
  absl::StatusOr<SharedBytes> code = GetCode(digest, fingerprint);
  if (absl::IsNotFound(code.status())) return false;
  if (!code.ok()) return code.status();
  if (!kv_->read_only()) {
    std::vector<KvWrite> writes;
    writes.push_back(
        {Space::kCodeSizes, key,
         EncodeBlob(Space::kCodeSizes, key, EncodeU64(code->size()))});
    kv_->Write(std::move(writes)).IgnoreError();  // Next time, then.
  }
  return true;
}

// --- Job records -----------------------------------------------------------

absl::Status KvCacheStore::PutJob(absl::string_view job_id,
                                  absl::string_view record) {
  if (absl::Status s = CheckJobId(job_id); !s.ok()) return s;
  if (absl::Status s = CheckSize("job record", record.size()); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckWritable(); !s.ok()) return s;
  return Put(Space::kJobs, std::string(job_id), record);
}

absl::StatusOr<std::string> KvCacheStore::GetJob(
    absl::string_view job_id) const {
  if (absl::Status s = CheckJobId(job_id); !s.ok()) return s;
  absl::StatusOr<SharedBytes> record = ReadChecked(
      Space::kJobs, job_id, absl::StrCat("record of job ", Quoted(job_id)),
      /*drop=*/false);
  if (!record.ok()) return record.status();
  return record->ToString();
}

absl::StatusOr<std::vector<JobRecord>> KvCacheStore::ListJobs(
    absl::string_view start_after, size_t limit) const {
  return ScanJobs(start_after, ScanDirection::kForward, limit);
}

absl::StatusOr<std::vector<JobRecord>> KvCacheStore::ListJobsBefore(
    absl::string_view start_before, size_t limit) const {
  // Above every job id when empty.
  const std::string last(kMaxJobIdBytes + 1, '\xff');
  return ScanJobs(start_before.empty() ? last : start_before,
                  ScanDirection::kBackward, limit);
}

absl::StatusOr<std::vector<JobRecord>> KvCacheStore::ScanJobs(
    absl::string_view start, ScanDirection direction, size_t limit) const {
  std::vector<JobRecord> jobs;
  std::vector<std::pair<std::string, absl::Status>> corrupt;
  if (limit == 0) return jobs;
  absl::Status scan = kv_->Scan(
      Space::kJobs, start, direction,
      [&](absl::string_view key, absl::string_view value) {
        if (key == start) return true;
        if (legacy_records_ && IsLegacyModuleRecordKey(key)) return true;
        absl::StatusOr<BlobPayload> payload =
            DecodeBlob(value, Space::kJobs, key);
        if (!payload.ok()) {
          corrupt.emplace_back(std::string(key), payload.status());
          return true;
        }
        jobs.push_back(
            {std::string(key),
             std::string(value.substr(payload->offset, payload->size))});
        return jobs.size() < limit;
      });
  if (!scan.ok()) return scan;
  for (const auto& [key, why] : corrupt) {
    ReportCorrupt(Space::kJobs, key,
                  absl::StrCat("record of job ", Quoted(key)), why);
  }
  return jobs;
}

absl::Status KvCacheStore::DeleteJob(absl::string_view job_id) {
  if (absl::Status s = CheckJobId(job_id); !s.ok()) return s;
  if (absl::Status s = CheckWritable(); !s.ok()) return s;
  absl::MutexLock lock(&log_mu_);
  std::vector<KvWrite> writes;
  writes.push_back({Space::kJobs, std::string(job_id), std::nullopt});
  absl::Status scan = kv_->Scan(
      Space::kLogs, LogKey(job_id, 0), ScanDirection::kForward,
      [&](absl::string_view key, absl::string_view) {
        if (!LogKeyOffset(key, job_id).has_value()) return false;
        writes.push_back({Space::kLogs, std::string(key), std::nullopt});
        return true;
      });
  if (!scan.ok()) return scan;
  absl::Status written = kv_->Write(std::move(writes));
  if (written.ok()) log_end_.erase(std::string(job_id));
  return written;
}

// --- Job logs --------------------------------------------------------------

absl::StatusOr<uint64_t> KvCacheStore::LogEnd(absl::string_view job_id) const {
  auto cached = log_end_.find(std::string(job_id));
  if (cached != log_end_.end()) return cached->second;
  std::optional<uint64_t> last;
  std::string value;
  absl::Status scan = kv_->Scan(
      Space::kLogs, LogKey(job_id, std::numeric_limits<uint64_t>::max()),
      ScanDirection::kBackward,
      [&](absl::string_view key, absl::string_view v) {
        last = LogKeyOffset(key, job_id);
        if (last.has_value()) value = std::string(v);
        return false;
      });
  if (!scan.ok()) return scan;
  uint64_t end = 0;
  if (last.has_value()) {
    const std::string key = LogKey(job_id, *last);
    absl::StatusOr<BlobPayload> payload = DecodeBlob(value, Space::kLogs, key);
    if (payload.ok()) {
      end = *last + payload->size;
    } else {
      // The next append overwrites the corrupt last chunk.
      ReportCorrupt(Space::kLogs, key,
                    absl::StrCat("last chunk of the log of job ",
                                 Quoted(job_id), " at offset ", *last),
                    payload.status());
      end = *last;
    }
  }
  log_end_[std::string(job_id)] = end;
  return end;
}

absl::StatusOr<uint64_t> KvCacheStore::AppendLog(absl::string_view job_id,
                                                 absl::string_view chunk) {
  if (absl::Status s = CheckJobId(job_id); !s.ok()) return s;
  if (absl::Status s = CheckSize("log chunk", chunk.size()); !s.ok()) return s;
  if (absl::Status s = CheckWritable(); !s.ok()) return s;
  absl::MutexLock lock(&log_mu_);
  absl::StatusOr<uint64_t> end = LogEnd(job_id);
  if (!end.ok() || chunk.empty()) return end;
  if (absl::Status s = Put(Space::kLogs, LogKey(job_id, *end), chunk);
      !s.ok()) {
    return s;
  }
  log_end_[std::string(job_id)] = *end + chunk.size();
  return *end;
}

absl::StatusOr<LogSlice> KvCacheStore::ReadLog(absl::string_view job_id,
                                               uint64_t from_offset,
                                               size_t max_bytes) const {
  if (absl::Status s = CheckJobId(job_id); !s.ok()) return s;
  LogSlice slice;
  slice.offset = from_offset;
  {
    absl::MutexLock lock(&log_mu_);
    absl::StatusOr<uint64_t> end = LogEnd(job_id);
    if (!end.ok()) return end.status();
    slice.log_size = *end;
  }
  if (from_offset > slice.log_size) {
    return absl::OutOfRangeError(absl::StrCat(
        name(), ": log of job ", Quoted(job_id), " has ", slice.log_size,
        " bytes; offset ", from_offset, " is past its end"));
  }
  const uint64_t limit =
      from_offset + std::min<uint64_t>(max_bytes, slice.log_size - from_offset);
  if (limit == from_offset) return slice;
  absl::StatusOr<uint64_t> start = ChunkStart(job_id, from_offset);
  if (!start.ok()) return start.status();
  if (absl::Status s = CollectLog(job_id, *start, limit, slice); !s.ok()) {
    return s;
  }
  return slice;
}

absl::StatusOr<uint64_t> KvCacheStore::LogAppendStart(absl::string_view job_id,
                                                      uint64_t offset) const {
  if (absl::Status s = CheckJobId(job_id); !s.ok()) return s;
  uint64_t size;
  {
    absl::MutexLock lock(&log_mu_);
    absl::StatusOr<uint64_t> end = LogEnd(job_id);
    if (!end.ok()) return end.status();
    size = *end;
  }
  if (offset >= size) {
    return absl::OutOfRangeError(
        absl::StrCat(name(), ": log of job ", Quoted(job_id), " has ", size,
                     " bytes; no append holds offset ", offset));
  }
  return ChunkStart(job_id, offset);
}

absl::StatusOr<uint64_t> KvCacheStore::ChunkStart(absl::string_view job_id,
                                                  uint64_t offset) const {
  std::optional<uint64_t> start;
  absl::Status scan =
      kv_->Scan(Space::kLogs, LogKey(job_id, offset), ScanDirection::kBackward,
                [&](absl::string_view key, absl::string_view) {
                  start = LogKeyOffset(key, job_id);
                  return false;
                });
  if (!scan.ok()) return scan;
  if (!start.has_value()) {
    return absl::DataLossError(
        absl::StrCat(name(), ": log of job ", Quoted(job_id),
                     " is missing its bytes from offset 0"));
  }
  return *start;
}

absl::Status KvCacheStore::CollectLog(absl::string_view job_id,
                                      uint64_t chunk_start, uint64_t limit,
                                      LogSlice& slice) const {
  uint64_t expected = chunk_start;
  absl::Status corrupt;  // Set when a chunk fails its check.
  absl::Status scan = kv_->Scan(
      Space::kLogs, LogKey(job_id, chunk_start), ScanDirection::kForward,
      [&](absl::string_view key, absl::string_view value) {
        std::optional<uint64_t> offset = LogKeyOffset(key, job_id);
        if (!offset.has_value() || *offset != expected) return false;
        absl::StatusOr<BlobPayload> payload =
            DecodeBlob(value, Space::kLogs, key);
        if (!payload.ok()) {
          corrupt = payload.status();
          return false;
        }
        const uint64_t begin = std::max(slice.offset, *offset) - *offset;
        const uint64_t end = std::min<uint64_t>(limit - *offset, payload->size);
        const absl::string_view part =
            value.substr(payload->offset + begin, end - begin);
        slice.data.append(part.data(), part.size());
        expected = *offset + payload->size;
        return expected < limit;
      });
  if (!scan.ok()) return scan;
  if (corrupt.ok() && expected >= limit) return absl::OkStatus();
  const std::string what =
      absl::StrCat("log of job ", Quoted(job_id), " at offset ", expected);
  if (!corrupt.ok()) {
    ReportCorrupt(Space::kLogs, LogKey(job_id, expected), what, corrupt);
    return absl::DataLossError(
        absl::StrCat(name(), ": corrupt ", what, ": ", corrupt.message()));
  }
  return absl::DataLossError(absl::StrCat(name(), ": ", what,
                                          ": bytes missing (no chunk starts "
                                          "there)"));
}

}  // namespace

std::string CodeKey(absl::string_view digest, absl::string_view fingerprint) {
  return absl::StrCat(digest, absl::string_view("\0", 1), fingerprint);
}

std::string LogKey(absl::string_view job_id, uint64_t offset) {
  std::string key(job_id);
  key.push_back('\0');
  for (int shift = 56; shift >= 0; shift -= 8) {
    key.push_back(static_cast<char>(offset >> shift));
  }
  return key;
}

void EmitLog(const CacheLogFn& log, absl::string_view message) {
  if (log) {
    log(message);
    return;
  }
  LogWarning(absl::StrCat("cache-store: ", message));
}

std::unique_ptr<CacheStore> NewKvCacheStore(std::unique_ptr<KvBackend> kv,
                                            CacheLogFn log) {
  return std::make_unique<KvCacheStore>(std::move(kv), std::move(log));
}

}  // namespace wasmhpc::cache
