// JobLog: a job's output (every rank's stdout and stderr, in arrival order)
// kept in the CacheStore log of the job, readable from any byte offset.
//
// Offsets are those of LogChunk.offset: positions in the concatenation of
// all data bytes of the job, so "resume from offset N" means "everything
// after the first N bytes of output". In the store each piece is one frame,
// a 12-byte header (data length u32, rank i32, stream u8, 3 zero bytes,
// little-endian) followed by the data; the store checksums every append.
//
// Thread safety: all methods may be called from any thread. Appends to one
// job are serialized (the data size per job is kept under a mutex); a
// LogCursor is used by one thread at a time.
#ifndef WASMHPC_SERVER_JOB_LOG_H_
#define WASMHPC_SERVER_JOB_LOG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "cache-store/cache_store.h"
#include "server/change_signal.h"
#include "wasmhpc/v1/jobs.pb.h"

namespace wasmhpc::server {

// A reading position in one job's log.
struct LogCursor {
  uint64_t frame_offset = 0;  // Store offset of the next frame to read.
  uint64_t skip = 0;          // Data bytes of that frame already delivered.
  uint64_t data_offset = 0;   // The LogChunk offset of the next byte.
};

class JobLog {
 public:
  // REQUIRES: store outlives this. `changed` (may be null) is notified after
  // every append.
  JobLog(CacheStore* store, ChangeSignal* changed);

  // Appends `chunk` (its offset is ignored) and returns the offset of its
  // first byte. Appending no data returns the current size. Errors: the
  // store's.
  absl::StatusOr<uint64_t> Append(absl::string_view job_id,
                                  const v1::LogChunk& chunk);

  // A cursor at data offset `offset` of the job's log. OutOfRange if the log
  // has fewer bytes; DataLoss if a frame is damaged.
  absl::StatusOr<LogCursor> Seek(absl::string_view job_id,
                                 uint64_t offset) const;

  // Reads the frames after `cursor` (at most about `max_bytes` of data,
  // always at least one frame if any) and advances it. Empty at the end of
  // the log (read again later).
  absl::StatusOr<std::vector<v1::LogChunk>> Read(absl::string_view job_id,
                                                 LogCursor* cursor,
                                                 size_t max_bytes) const;

  // Data bytes in the log now. Errors: the store's.
  absl::StatusOr<uint64_t> Size(absl::string_view job_id);

  // Drops the cached size of a job whose log gets no more appends.
  void Forget(absl::string_view job_id);

 private:
  // Data bytes in the log, scanning it when not known yet; `remember` keeps
  // the scanned size (only for logs that are appended to).
  absl::StatusOr<uint64_t> DataSize(const std::string& job_id, bool remember)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  CacheStore* const store_;
  ChangeSignal* const changed_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, uint64_t> data_size_ ABSL_GUARDED_BY(mu_);
};

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_JOB_LOG_H_
