// Test helpers for what a CacheStore is asked to do: InspectedMemoryKv (a
// memory KvBackend that sees, and may fail, every batch of writes),
// NewCountingKv / NewCountingMemoryStore (the bytes written, keys included)
// and CountingStore (the log reads a CacheStore is asked for).
//
// Thread safety: the counters are atomics; the wrapped objects' own.
#ifndef WASMHPC_SERVER_HANDLERS_COUNTING_STORE_H_
#define WASMHPC_SERVER_HANDLERS_COUNTING_STORE_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cache-store/cache_store.h"
#include "cache-store/kv_backend.h"
#include "cache-store/kv_cache_store.h"

namespace wasmhpc::server {

// A memory KvBackend that shows every batch of writes to `inspect` first;
// a non-OK answer fails the batch (nothing is written).
class InspectedMemoryKv final : public cache::KvBackend {
 public:
  using Inspect =
      std::function<absl::Status(const std::vector<cache::KvWrite>&)>;
  explicit InspectedMemoryKv(Inspect inspect)
      : kv_(cache::NewMemoryKv()), inspect_(std::move(inspect)) {}

  absl::StatusOr<SharedBytes> Get(cache::Space space,
                                  absl::string_view key) const override {
    return kv_->Get(space, key);
  }
  absl::Status Write(std::vector<cache::KvWrite> writes) override {
    if (absl::Status s = inspect_(writes); !s.ok()) return s;
    return kv_->Write(std::move(writes));
  }
  absl::Status Scan(
      cache::Space space, absl::string_view start,
      cache::ScanDirection direction,
      absl::FunctionRef<bool(absl::string_view, absl::string_view)> visit)
      const override {
    return kv_->Scan(space, start, direction, visit);
  }
  bool read_only() const override { return false; }
  const std::string& name() const override { return kv_->name(); }

 private:
  std::unique_ptr<cache::KvBackend> kv_;
  const Inspect inspect_;
};

// A memory KvBackend that adds up the key and value bytes of every put in
// `written`. REQUIRES: it outlives the backend.
inline std::unique_ptr<cache::KvBackend> NewCountingKv(
    std::atomic<uint64_t>* written) {
  return std::make_unique<InspectedMemoryKv>(
      [written](const std::vector<cache::KvWrite>& writes) {
        for (const cache::KvWrite& write : writes) {
          if (write.value) *written += write.key.size() + write.value->size();
        }
        return absl::OkStatus();
      });
}

// A memory store whose stored bytes (keys, envelopes, payloads) are counted
// in `written`.
inline std::unique_ptr<CacheStore> NewCountingMemoryStore(
    std::atomic<uint64_t>* written) {
  return cache::NewKvCacheStore(NewCountingKv(written),
                                [](absl::string_view) {});
}

// Forwards to a store and counts the log reads: ReadLog and LogAppendStart
// calls, and the bytes ReadLog returned.
class CountingStore final : public CacheStore {
 public:
  explicit CountingStore(CacheStore* store) : store_(store) {}

  uint64_t log_reads() const { return log_reads_; }
  uint64_t log_bytes_read() const { return log_bytes_read_; }
  void Reset() { log_reads_ = log_bytes_read_ = 0; }

  absl::StatusOr<LogSlice> ReadLog(absl::string_view job_id,
                                   uint64_t from_offset,
                                   size_t max_bytes) const override {
    absl::StatusOr<LogSlice> slice =
        store_->ReadLog(job_id, from_offset, max_bytes);
    ++log_reads_;
    if (slice.ok()) log_bytes_read_ += slice->data.size();
    return slice;
  }
  absl::StatusOr<uint64_t> LogAppendStart(absl::string_view job_id,
                                          uint64_t offset) const override {
    ++log_reads_;
    return store_->LogAppendStart(job_id, offset);
  }
  absl::StatusOr<uint64_t> AppendLog(absl::string_view job_id,
                                     absl::string_view chunk) override {
    return store_->AppendLog(job_id, chunk);
  }

  absl::Status PutModule(absl::string_view digest,
                         absl::string_view bytes) override {
    return store_->PutModule(digest, bytes);
  }
  absl::StatusOr<SharedBytes> GetModule(
      absl::string_view digest) const override {
    return store_->GetModule(digest);
  }
  absl::StatusOr<bool> HasModule(absl::string_view digest) const override {
    return store_->HasModule(digest);
  }
  absl::Status DeleteModule(absl::string_view digest) override {
    return store_->DeleteModule(digest);
  }
  absl::StatusOr<std::vector<ModuleInfo>> ListModules() const override {
    return store_->ListModules();
  }
  absl::Status PutModuleRecord(absl::string_view digest,
                               absl::string_view record) override {
    return store_->PutModuleRecord(digest, record);
  }
  absl::StatusOr<std::string> GetModuleRecord(
      absl::string_view digest) const override {
    return store_->GetModuleRecord(digest);
  }
  absl::Status PutCode(absl::string_view digest, absl::string_view fingerprint,
                       absl::string_view code) override {
    return store_->PutCode(digest, fingerprint, code);
  }
  absl::StatusOr<SharedBytes> GetCode(
      absl::string_view digest, absl::string_view fingerprint) const override {
    return store_->GetCode(digest, fingerprint);
  }
  absl::StatusOr<bool> HasCode(absl::string_view digest,
                               absl::string_view fingerprint) const override {
    return store_->HasCode(digest, fingerprint);
  }
  absl::Status PutJob(absl::string_view job_id,
                      absl::string_view record) override {
    return store_->PutJob(job_id, record);
  }
  absl::StatusOr<std::string> GetJob(absl::string_view job_id) const override {
    return store_->GetJob(job_id);
  }
  absl::StatusOr<std::vector<JobRecord>> ListJobs(absl::string_view start_after,
                                                  size_t limit) const override {
    return store_->ListJobs(start_after, limit);
  }
  absl::StatusOr<std::vector<JobRecord>> ListJobsBefore(
      absl::string_view start_before, size_t limit) const override {
    return store_->ListJobsBefore(start_before, limit);
  }
  absl::Status DeleteJob(absl::string_view job_id) override {
    return store_->DeleteJob(job_id);
  }
  bool read_only() const override { return store_->read_only(); }
  const std::string& name() const override { return store_->name(); }

 private:
  CacheStore* const store_;
  mutable std::atomic<uint64_t> log_reads_{0};
  mutable std::atomic<uint64_t> log_bytes_read_{0};
};

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_HANDLERS_COUNTING_STORE_H_
