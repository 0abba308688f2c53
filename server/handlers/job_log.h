// JobLog: a job's output (every rank's stdout and stderr, in arrival order)
// kept in the CacheStore log of the job, readable from any byte offset.
//
// Offsets are those of LogChunk.offset: positions in the concatenation of
// all data bytes of the job, so "resume from offset N" means "everything
// after the first N bytes of output".
//
// Stored format: the store log is a sequence of pieces, one AppendLog call
// each, so a piece is never split (CacheStore::LogAppendStart finds the one
// holding any store offset). A piece is a 20-byte header, little-endian:
//
//   u64 data offset of its first data byte, "WLP1", u32 body bytes,
//   u32 data bytes
//
// and a body of frames, each a varint (length << 3 | has_rank << 2 | stream)
// followed, when has_rank, by the rank (zigzag varint; the first frame of a
// piece always has it, later ones only when it changes) and the data. One
// batch of chunks (a pool's Logs message) becomes as few pieces as fit
// kMaxPieceBody bytes each, so interleaved one-byte writes cost two stored
// bytes per output byte, not a store record each. Seek binary-searches the
// pieces by data offset (O(log n) small reads) and then reads one piece.
// Logs written by older heads (12-byte frame headers, no pieces) are still
// read, by scanning as before; they are never appended to.
//
// Cap: a job's log keeps at most max_bytes of output (default 64 MiB; 0:
// unlimited). The first byte past the cap is replaced by one line from rank
// -1 on stderr, "\n[wasmhpc: log cut at N bytes; the job's further output
// was dropped]\n", and later output is dropped; the job goes on.
//
// Thread safety: all methods may be called from any thread. Appends to one
// job are serialized (the per-job state is kept under a mutex); a
// LogCursor is used by one thread at a time.
#ifndef WASMHPC_SERVER_HANDLERS_JOB_LOG_H_
#define WASMHPC_SERVER_HANDLERS_JOB_LOG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "cache-store/cache_store.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "server/handlers/change_signal.h"
#include "wasmhpc/v1/jobs.pb.h"

namespace wasmhpc::server {
namespace log_format {
struct Piece;  // job_log_format.h
}  // namespace log_format

// The default cap on one job's log: 64 MiB.
inline constexpr uint64_t kDefaultMaxLogBytes = uint64_t{64} << 20;
// Largest piece body; longer chunks are split into several frames.
inline constexpr size_t kMaxPieceBody = size_t{256} << 10;

// The line that replaces a job's output past `cap` bytes.
std::string LogCutLine(uint64_t cap);

// A reading position in one job's log.
struct LogCursor {
  uint64_t frame_offset = 0;  // Store offset of the next frame (or piece).
  uint64_t skip = 0;          // Data bytes of that frame already delivered.
  uint64_t data_offset = 0;   // The LogChunk offset of the next byte.
  uint64_t piece_end = 0;     // Store offset where the current piece ends.
  int32_t rank = 0;           // Rank of the previous frame of the piece.
  bool legacy = false;        // A log written by an older head.
};

class JobLog {
 public:
  // REQUIRES: store outlives this. `changed` (may be null) is notified after
  // every append that stored data.
  JobLog(CacheStore* store, ChangeSignal* changed);

  // The cap on each job's log (0: unlimited). Applies to later appends.
  void set_max_bytes(uint64_t max_bytes);

  // Appends `chunks` (their offsets are ignored) in order, within the cap,
  // and returns the offset of the first byte. Appending no data returns the
  // current size. Errors: the store's (what was stored before stays);
  // FailedPrecondition for a log written by an older head.
  absl::StatusOr<uint64_t> Append(
      absl::string_view job_id,
      const google::protobuf::RepeatedPtrField<v1::LogChunk>& chunks);
  absl::StatusOr<uint64_t> Append(absl::string_view job_id,
                                  const v1::LogChunk& chunk);

  // A cursor at data offset `offset` of the job's log. OutOfRange if the log
  // has fewer bytes; DataLoss if a piece is damaged.
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

  // Drops the cached state of a job whose log gets no more appends.
  void Forget(absl::string_view job_id);

 private:
  struct State {
    uint64_t data_size = 0;
    bool cut = false;  // The cut line is written; output is dropped.
  };
  // The state of a log that is appended to, loaded when not known yet.
  absl::StatusOr<State*> Load(const std::string& job_id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Stores `pieces` and advances `state` past each one stored.
  absl::Status Store(const std::string& job_id,
                     const std::vector<log_format::Piece>& pieces, State& state)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  CacheStore* const store_;
  ChangeSignal* const changed_;
  absl::Mutex mu_;
  uint64_t max_bytes_ ABSL_GUARDED_BY(mu_) = kDefaultMaxLogBytes;
  absl::flat_hash_map<std::string, State> state_ ABSL_GUARDED_BY(mu_);
};

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_HANDLERS_JOB_LOG_H_
