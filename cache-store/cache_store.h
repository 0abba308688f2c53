// CacheStore: the store of modules, compiled code, job records and job logs
// shared by the head and the ranks.
//
// Five kinds of data, each its own key space:
//   modules  digest ("sha256:<64 hex>", see module_digest.h) -> module bytes
//   module records  digest -> the module's metadata (opaque bytes)
//   code     (digest, engine fingerprint) -> serialized compiled code
//   jobs     job id -> job record (opaque bytes, e.g. a serialized proto)
//   logs     job id -> an append-only byte log, addressed by byte offset
//
// Backends: OpenRocksDbStore (rocksdb_store.h; one column family per kind,
// survives restarts) and NewMemoryStore (memory_store.h; for tests and for
// running without a cache directory). Both pass cache_store_test_base.
//
// Older stores: heads before module records were a kind stored them as job
// records "module/<digest>". A writable open moves them to the module
// records (legacy_records.h); until that succeeded (a read-only open, a
// full disk) they are read from there and job listings skip them.
//
// Thread safety: every method may be called from any number of threads at
// once. AppendLog calls are serialized per store.
//
// Integrity: every stored value carries a header with a CRC32C and the key
// it was stored under (blob_format.h), checked on every read. A corrupt,
// truncated or misplaced value is never returned: the read reports a miss
// (NotFound whose message says "corrupt" and why), the first occurrence per
// key is reported through the options' log hook, and a corrupt module or code
// entry is deleted (when writable) so that the next Put repairs it. A code
// entry stored for another engine fingerprint is a plain miss.
//
// Errors (absl::Status codes) common to all methods:
//   InvalidArgument     a malformed digest, empty job id or fingerprint,
//                       a job id with a NUL byte, a value over kMaxValueBytes
//   NotFound            no such entry, or a corrupt one (see above)
//   FailedPrecondition  a write to a store opened read-only
//   ResourceExhausted   the disk is full; nothing was written
//   Unavailable, Internal, DataLoss   other I/O failures
// Callers that use the store as a cache treat every error as a miss and go
// on without caching (see IsCacheMiss).
//
// Durability (RocksDB): a write is in the write-ahead log when it returns,
// so it survives a crash of the process; unless RocksDbOptions::sync_writes,
// a crash of the machine may lose the last writes.
#ifndef WASMHPC_CACHE_STORE_CACHE_STORE_H_
#define WASMHPC_CACHE_STORE_CACHE_STORE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cache-store/module_digest.h"
#include "cache-store/shared_bytes.h"

namespace wasmhpc {

// Largest module, code blob, job record or log chunk accepted: 1 GiB.
inline constexpr size_t kMaxValueBytes = size_t{1} << 30;
// Longest job id: 256 bytes. Longest engine fingerprint: 4096 bytes.
inline constexpr size_t kMaxJobIdBytes = 256;
inline constexpr size_t kMaxFingerprintBytes = 4096;

// Receives one diagnostic line (no trailing newline). Called on the thread
// that made the store call, possibly from several threads at once.
using CacheLogFn = std::function<void(absl::string_view message)>;

// Options shared by all backends.
struct StoreOptions {
  // Where diagnostics go (corrupt entries found). Default (empty): a
  // warning "cache-store: ..." in the process log (common/logging.h).
  CacheLogFn log;
};

// A stored module as ListModules reports it.
struct ModuleInfo {
  std::string digest;
  uint64_t size = 0;
};

// A stored job record as ListJobs reports it.
struct JobRecord {
  std::string job_id;
  std::string record;
};

// Bytes of a job log read by ReadLog.
struct LogSlice {
  uint64_t offset = 0;    // Where `data` starts in the log.
  std::string data;       // The bytes [offset, offset + data.size()).
  uint64_t log_size = 0;  // Size of the whole log when it was read.
};

// True for the statuses a cache user treats as "not cached": NotFound
// (including corrupt entries) and DataLoss.
bool IsCacheMiss(const absl::Status& status);

// ResourceExhausted `message`, marked as "the store's disk is full" so that
// transports can say so (REST: 507 Insufficient Storage) rather than
// "too large" or "too many".
absl::Status DiskFullError(absl::string_view message);
// True for a status DiskFullError made.
bool IsDiskFull(const absl::Status& status);

class CacheStore {
 public:
  virtual ~CacheStore() = default;

  // --- Modules -------------------------------------------------------------

  // Stores `bytes` under `digest`, replacing any entry. Fails with
  // InvalidArgument unless digest == ModuleDigest(bytes) (a content address
  // never names other content).
  virtual absl::Status PutModule(absl::string_view digest,
                                 absl::string_view bytes) = 0;

  // Returns the module bytes, or NotFound.
  virtual absl::StatusOr<SharedBytes> GetModule(
      absl::string_view digest) const = 0;

  // True if a module is stored under `digest`. Cheap: reads the small size
  // entry, not the bytes, so a true may still be followed by a GetModule that
  // finds the bytes corrupt (which then deletes the entry).
  virtual absl::StatusOr<bool> HasModule(absl::string_view digest) const = 0;

  // Removes the module, its record and all compiled code stored for it. OK
  // if absent.
  virtual absl::Status DeleteModule(absl::string_view digest) = 0;

  // All stored modules, in digest order. Reads only the small size entries,
  // no module bytes; a corrupt size entry is skipped (and reported once).
  virtual absl::StatusOr<std::vector<ModuleInfo>> ListModules() const = 0;

  // Stores `record` (metadata of module `digest`, opaque here) under the
  // digest, replacing any. Does not require the module.
  virtual absl::Status PutModuleRecord(absl::string_view digest,
                                       absl::string_view record) = 0;

  // Returns the record of module `digest`, or NotFound (a corrupt record
  // reads as NotFound and is kept).
  virtual absl::StatusOr<std::string> GetModuleRecord(
      absl::string_view digest) const = 0;

  // --- Compiled code -------------------------------------------------------

  // Stores `code` compiled from module `digest` by an engine whose
  // fingerprint (V8 version + flags + CPU features) is `fingerprint`,
  // replacing any entry for the same pair. Does not require the module.
  virtual absl::Status PutCode(absl::string_view digest,
                               absl::string_view fingerprint,
                               absl::string_view code) = 0;

  // Returns the code for exactly (digest, fingerprint), or NotFound: code
  // for another fingerprint is never returned.
  virtual absl::StatusOr<SharedBytes> GetCode(
      absl::string_view digest, absl::string_view fingerprint) const = 0;

  // True if code for exactly (digest, fingerprint) is stored. Cheap: reads
  // a small size entry, not the code, so a true may still be followed by a
  // GetCode that finds the code corrupt (which then deletes the entry).
  virtual absl::StatusOr<bool> HasCode(absl::string_view digest,
                                       absl::string_view fingerprint) const = 0;

  // --- Job records ---------------------------------------------------------

  // Stores `record` under `job_id`, replacing any record.
  virtual absl::Status PutJob(absl::string_view job_id,
                              absl::string_view record) = 0;

  // Returns the record, or NotFound.
  virtual absl::StatusOr<std::string> GetJob(
      absl::string_view job_id) const = 0;

  // Up to `limit` records with job id > `start_after` ("" starts at the
  // first), in job id order (byte order). Pass the last id of one page as
  // `start_after` of the next. Corrupt records are skipped (and reported
  // once).
  virtual absl::StatusOr<std::vector<JobRecord>> ListJobs(
      absl::string_view start_after, size_t limit) const = 0;

  // The same newest first: up to `limit` records with job id <
  // `start_before` ("" starts at the last), in falling job id order. Pass
  // the last id of one page as `start_before` of the next.
  virtual absl::StatusOr<std::vector<JobRecord>> ListJobsBefore(
      absl::string_view start_before, size_t limit) const = 0;

  // All records, in job id order.
  absl::StatusOr<std::vector<JobRecord>> ListAllJobs() const {
    return ListJobs("", std::numeric_limits<size_t>::max());
  }

  // Removes the record and the whole log of `job_id`. OK if absent.
  virtual absl::Status DeleteJob(absl::string_view job_id) = 0;

  // --- Job logs ------------------------------------------------------------

  // Appends `chunk` to the log of `job_id` (a log needs no job record) and
  // returns the byte offset at which the chunk starts. Appending nothing
  // returns the current size. On error nothing is appended.
  virtual absl::StatusOr<uint64_t> AppendLog(absl::string_view job_id,
                                             absl::string_view chunk) = 0;

  // Returns up to `max_bytes` of the log of `job_id` from byte `from_offset`.
  // A log never written has size 0. Reading at the end returns no data
  // (poll again later). Fails with OutOfRange if from_offset > log_size, and
  // with DataLoss naming the offsets if a chunk in the range is corrupt or
  // missing (log bytes are not a cache: they are not deleted or skipped).
  virtual absl::StatusOr<LogSlice> ReadLog(absl::string_view job_id,
                                           uint64_t from_offset,
                                           size_t max_bytes) const = 0;

  // The offset at which the AppendLog call that wrote byte `offset` of the
  // log of `job_id` started (each append stays one unit: its bytes are
  // stored together). Lets a reader that frames its own appends find a frame
  // boundary near any offset without reading from the start. OutOfRange if
  // offset >= the log size; DataLoss if no append starts at or before it.
  virtual absl::StatusOr<uint64_t> LogAppendStart(absl::string_view job_id,
                                                  uint64_t offset) const = 0;

  // --- Store ---------------------------------------------------------------

  // True if the store was opened read-only: every write fails with
  // FailedPrecondition. A read-only RocksDB store sees the data as of its
  // opening, not later writes of another process.
  virtual bool read_only() const = 0;

  // Names the store in messages: "cache <path>" or "memory cache".
  virtual const std::string& name() const = 0;
};

}  // namespace wasmhpc

#endif  // WASMHPC_CACHE_STORE_CACHE_STORE_H_
