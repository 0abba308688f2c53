// The stored form of a job log (see job_log.h): pieces of frames, and the
// frames older heads wrote.
//
// Internal to JobLog; exposed for its tests. Pure functions and value types,
// thread-compatible.
#ifndef WASMHPC_SERVER_HANDLERS_JOB_LOG_FORMAT_H_
#define WASMHPC_SERVER_HANDLERS_JOB_LOG_FORMAT_H_

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace wasmhpc::server::log_format {

inline constexpr size_t kPieceHeaderBytes = 20;
// Bytes of a frame header at most: a 10-byte varint and a 5-byte rank.
inline constexpr size_t kMaxFrameHeaderBytes = 15;
// Ranks are never this: the cursor's "no frame of this piece read yet".
inline constexpr int32_t kNoRank = std::numeric_limits<int32_t>::min();

struct PieceHeader {
  uint64_t data_offset = 0;  // Data offset of the piece's first byte.
  uint32_t body_bytes = 0;   // Bytes of frames after the header.
  uint32_t data_bytes = 0;   // Data bytes in those frames.
};

// True if `head` (the first bytes of a log, at least 12) starts with a
// piece header; false for a log written by an older head.
bool StartsWithPiece(absl::string_view head);

// Decodes the piece header at the start of `in`. DataLoss when damaged.
absl::StatusOr<PieceHeader> DecodePieceHeader(absl::string_view in);

// A stored piece and the data bytes it holds.
struct Piece {
  std::string bytes;
  uint32_t data_bytes = 0;
};

// Builds the pieces of one append: frames go into pieces of at most
// `max_body` body bytes, data longer than that into several frames.
class PieceWriter {
 public:
  // `data_offset`: the data offset of the first byte added.
  PieceWriter(uint64_t data_offset, size_t max_body);

  // Adds a frame (several, if long). REQUIRES: stream < 4.
  void Add(int32_t rank, uint8_t stream, absl::string_view data);
  // The pieces built, in order. The writer is empty afterwards.
  std::vector<Piece> Finish();

 private:
  void Flush();

  const size_t max_body_;
  uint64_t piece_offset_;  // Data offset of the current piece.
  uint32_t piece_data_ = 0;
  int32_t rank_ = kNoRank;  // Rank of the current piece's last frame.
  std::string body_;
  std::vector<Piece> pieces_;
};

// One frame decoded in place.
struct Frame {
  int32_t rank = 0;
  uint8_t stream = 0;
  bool has_rank = false;
  absl::string_view data;
  size_t header_bytes = 0;  // Bytes before the data.
};

// Decodes the frame at the start of `in`: true, or false if `in` ends before
// the frame does. DataLoss for a malformed header.
absl::StatusOr<bool> DecodeFrame(absl::string_view in, Frame* frame);

// --- Frames of older heads: u32 length, i32 rank, u8 stream, 3 zero bytes.
inline constexpr size_t kLegacyHeaderBytes = 12;
struct LegacyHeader {
  uint32_t length = 0;
  int32_t rank = 0;
  uint8_t stream = 0;
};
LegacyHeader DecodeLegacyHeader(const char* in);

}  // namespace wasmhpc::server::log_format

#endif  // WASMHPC_SERVER_HANDLERS_JOB_LOG_FORMAT_H_
