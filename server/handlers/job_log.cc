#include "server/handlers/job_log.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/handlers/job_log_format.h"

namespace wasmhpc::server {
namespace {

using log_format::DecodeFrame;
using log_format::DecodePieceHeader;
using log_format::Frame;
using log_format::kLegacyHeaderBytes;
using log_format::kNoRank;
using log_format::kPieceHeaderBytes;
using log_format::PieceHeader;

// A read of the new format covers at least one whole piece.
constexpr size_t kMinReadBytes = kPieceHeaderBytes + kMaxPieceBody;
constexpr size_t kMinLegacyReadBytes = size_t{64} * 1024;
constexpr int32_t kHeadRank = -1;  // The rank of lines the head writes.

absl::Status Damaged(absl::string_view job_id, uint64_t offset) {
  return absl::DataLossError(absl::StrCat(
      "log of ", job_id, ": damaged frame at store offset ", offset));
}

absl::Status PastEnd(absl::string_view job_id, uint64_t offset, uint64_t size) {
  return absl::OutOfRangeError(absl::StrCat("log offset ", offset,
                                            " is past the end of the log of ",
                                            job_id, " (", size, " bytes)"));
}

uint8_t StreamOf(const v1::LogChunk& chunk) {
  return chunk.stream() == v1::STDOUT || chunk.stream() == v1::STDERR
             ? static_cast<uint8_t>(chunk.stream())
             : 0;
}

absl::StatusOr<PieceHeader> ReadPieceHeader(const CacheStore& store,
                                            absl::string_view job_id,
                                            uint64_t offset) {
  absl::StatusOr<LogSlice> slice =
      store.ReadLog(job_id, offset, kPieceHeaderBytes);
  if (!slice.ok()) return slice.status();
  absl::StatusOr<PieceHeader> header = DecodePieceHeader(slice->data);
  if (!header.ok()) return Damaged(job_id, offset);
  return header;
}

// Where a log ends, in the store and in data bytes.
struct LogEnd {
  uint64_t store_size = 0;
  uint64_t data_size = 0;
  bool legacy = false;
};

// --- Logs of older heads: frames from the start, found by scanning. -------

// Reads the legacy frame header at `offset`: true, or false at the end.
absl::StatusOr<bool> ReadLegacyHeader(const CacheStore& store,
                                      absl::string_view job_id, uint64_t offset,
                                      log_format::LegacyHeader* header) {
  absl::StatusOr<LogSlice> slice =
      store.ReadLog(job_id, offset, kLegacyHeaderBytes);
  if (!slice.ok()) return slice.status();
  if (slice->data.empty()) return false;
  if (slice->data.size() != kLegacyHeaderBytes) return Damaged(job_id, offset);
  *header = log_format::DecodeLegacyHeader(slice->data.data());
  return true;
}

// A cursor at data offset `offset` (at most `offset`: at the end, if the
// log is shorter).
absl::StatusOr<LogCursor> LegacySeek(const CacheStore& store,
                                     absl::string_view job_id,
                                     uint64_t offset) {
  LogCursor cursor;
  cursor.legacy = true;
  log_format::LegacyHeader header;
  while (cursor.data_offset < offset) {
    absl::StatusOr<bool> more =
        ReadLegacyHeader(store, job_id, cursor.frame_offset, &header);
    if (!more.ok()) return more.status();
    if (!*more) break;
    if (cursor.data_offset + header.length > offset) {
      cursor.skip = offset - cursor.data_offset;
      cursor.data_offset = offset;
      break;
    }
    cursor.frame_offset += kLegacyHeaderBytes + header.length;
    cursor.data_offset += header.length;
  }
  return cursor;
}

absl::StatusOr<std::vector<v1::LogChunk>> LegacyRead(const CacheStore& store,
                                                     absl::string_view job_id,
                                                     LogCursor* cursor,
                                                     size_t max_bytes) {
  std::vector<v1::LogChunk> chunks;
  absl::StatusOr<LogSlice> block = store.ReadLog(
      job_id, cursor->frame_offset, std::max(max_bytes, kMinLegacyReadBytes));
  if (!block.ok()) return block.status();
  const std::string& data = block->data;
  size_t pos = 0;
  size_t delivered = 0;
  while (pos + kLegacyHeaderBytes <= data.size() && delivered < max_bytes) {
    log_format::LegacyHeader header =
        log_format::DecodeLegacyHeader(data.data() + pos);
    const uint64_t frame_bytes = kLegacyHeaderBytes + uint64_t{header.length};
    std::string payload;
    if (pos + frame_bytes <= data.size()) {
      payload = data.substr(pos + kLegacyHeaderBytes, header.length);
    } else if (chunks.empty()) {  // A frame larger than the block.
      absl::StatusOr<LogSlice> frame = store.ReadLog(
          job_id, cursor->frame_offset + kLegacyHeaderBytes, header.length);
      if (!frame.ok()) return frame.status();
      if (frame->data.size() != header.length) {
        return Damaged(job_id, cursor->frame_offset);
      }
      payload = std::move(frame->data);
    } else {
      break;
    }
    if (header.stream > v1::STDERR)
      return Damaged(job_id, cursor->frame_offset);
    v1::LogChunk& chunk = chunks.emplace_back();
    chunk.set_offset(cursor->data_offset);
    chunk.set_rank(header.rank);
    chunk.set_stream(static_cast<v1::Stream>(header.stream));
    chunk.set_data(
        payload.substr(std::min<uint64_t>(cursor->skip, payload.size())));
    delivered += chunk.data().size();
    cursor->data_offset += chunk.data().size();
    cursor->frame_offset += frame_bytes;
    cursor->skip = 0;
    pos += frame_bytes;
  }
  return chunks;
}

// --- Pieces ----------------------------------------------------------------

absl::StatusOr<LogEnd> FindEnd(const CacheStore& store,
                               absl::string_view job_id) {
  absl::StatusOr<LogSlice> head = store.ReadLog(job_id, 0, kPieceHeaderBytes);
  if (!head.ok()) return head.status();
  LogEnd end;
  end.store_size = head->log_size;
  if (end.store_size == 0) return end;
  if (!log_format::StartsWithPiece(head->data)) {
    end.legacy = true;
    absl::StatusOr<LogCursor> at_end =
        LegacySeek(store, job_id, std::numeric_limits<uint64_t>::max());
    if (!at_end.ok()) return at_end.status();
    end.data_size = at_end->data_offset;
    return end;
  }
  absl::StatusOr<uint64_t> last =
      store.LogAppendStart(job_id, end.store_size - 1);
  if (!last.ok()) return last.status();
  absl::StatusOr<PieceHeader> header = ReadPieceHeader(store, job_id, *last);
  if (!header.ok()) return header.status();
  if (*last + kPieceHeaderBytes + header->body_bytes != end.store_size) {
    return Damaged(job_id, *last);
  }
  end.data_size = header->data_offset + header->data_bytes;
  return end;
}

// The store offset and header of the piece holding data offset `offset`
// (the last piece for offset == the data size): a binary search over store
// offsets, O(log n) appends visited. The answer lies in [lo, hi).
absl::StatusOr<std::pair<uint64_t, PieceHeader>> FindPiece(
    const CacheStore& store, absl::string_view job_id, uint64_t offset,
    const LogEnd& end) {
  uint64_t lo = 0;
  uint64_t hi = end.store_size;
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    absl::StatusOr<uint64_t> start = store.LogAppendStart(job_id, mid);
    if (!start.ok()) return start.status();
    absl::StatusOr<PieceHeader> header = ReadPieceHeader(store, job_id, *start);
    if (!header.ok()) return header.status();
    const uint64_t piece_end = *start + kPieceHeaderBytes + header->body_bytes;
    if (header->data_offset > offset) {
      hi = *start;
    } else if (header->data_offset + header->data_bytes > offset ||
               piece_end >= end.store_size) {
      return std::make_pair(*start, *header);
    } else {
      lo = piece_end;
    }
  }
  return Damaged(job_id, lo);
}

// Decodes the next frame at cursor->frame_offset from `block` (store bytes
// from `block_offset`), consuming a piece header first if one starts there.
// False if the block ends first. Advances the cursor only past a header.
absl::StatusOr<bool> NextFrame(absl::string_view job_id,
                               absl::string_view block, uint64_t block_offset,
                               LogCursor* cursor, Frame* frame) {
  const uint64_t block_end = block_offset + block.size();
  if (cursor->frame_offset == cursor->piece_end) {
    if (cursor->frame_offset + kPieceHeaderBytes > block_end) return false;
    absl::StatusOr<PieceHeader> header = DecodePieceHeader(
        block.substr(cursor->frame_offset - block_offset, kPieceHeaderBytes));
    if (!header.ok() || header->data_offset != cursor->data_offset ||
        cursor->skip != 0) {
      return Damaged(job_id, cursor->frame_offset);
    }
    cursor->frame_offset += kPieceHeaderBytes;
    cursor->piece_end = cursor->frame_offset + header->body_bytes;
    cursor->rank = kNoRank;
  }
  const uint64_t in_end = std::min(block_end, cursor->piece_end);
  absl::StatusOr<bool> got =
      DecodeFrame(block.substr(cursor->frame_offset - block_offset,
                               in_end - cursor->frame_offset),
                  frame);
  if (!got.ok() || (!*got && block_end >= cursor->piece_end) ||
      (*got && !frame->has_rank && cursor->rank == kNoRank)) {
    return Damaged(job_id, cursor->frame_offset);
  }
  if (*got && !frame->has_rank) frame->rank = cursor->rank;
  return *got;
}

// Moves the cursor past `frame` (the one at cursor->frame_offset).
void Consume(const Frame& frame, LogCursor* cursor) {
  cursor->frame_offset += frame.header_bytes + frame.data.size();
  cursor->data_offset += frame.data.size() - cursor->skip;
  cursor->skip = 0;
  cursor->rank = frame.rank;
}

}  // namespace

std::string LogCutLine(uint64_t cap) {
  return absl::StrCat("\n[wasmhpc: log cut at ", cap,
                      " bytes; the job's further output was dropped]\n");
}

JobLog::JobLog(CacheStore* store, ChangeSignal* changed)
    : store_(store), changed_(changed) {}

void JobLog::set_max_bytes(uint64_t max_bytes) {
  absl::MutexLock lock(&mu_);
  max_bytes_ = max_bytes;
}

absl::StatusOr<JobLog::State*> JobLog::Load(const std::string& job_id) {
  auto it = state_.find(job_id);
  if (it != state_.end()) return &it->second;
  absl::StatusOr<LogEnd> end = FindEnd(*store_, job_id);
  if (!end.ok()) return end.status();
  if (end->legacy) {
    return absl::FailedPreconditionError(
        absl::StrCat("the log of ", job_id,
                     " was written by an older wasmhpc-head; it is kept "
                     "read-only"));
  }
  State& state = state_[job_id];
  state.data_size = end->data_size;
  state.cut = max_bytes_ > 0 && end->data_size > max_bytes_;
  return &state;
}

absl::StatusOr<uint64_t> JobLog::Size(absl::string_view job_id) {
  {
    absl::MutexLock lock(&mu_);
    auto it = state_.find(std::string(job_id));
    if (it != state_.end()) return it->second.data_size;
  }
  absl::StatusOr<LogEnd> end = FindEnd(*store_, job_id);
  if (!end.ok()) return end.status();
  return end->data_size;
}

absl::StatusOr<uint64_t> JobLog::Append(absl::string_view job_id,
                                        const v1::LogChunk& chunk) {
  google::protobuf::RepeatedPtrField<v1::LogChunk> chunks;
  *chunks.Add() = chunk;
  return Append(job_id, chunks);
}

absl::StatusOr<uint64_t> JobLog::Append(
    absl::string_view job_id,
    const google::protobuf::RepeatedPtrField<v1::LogChunk>& chunks) {
  const std::string id(job_id);
  uint64_t first;
  {
    absl::MutexLock lock(&mu_);
    absl::StatusOr<State*> loaded = Load(id);
    if (!loaded.ok()) return loaded.status();
    State& state = **loaded;
    first = state.data_size;
    log_format::PieceWriter writer(state.data_size, kMaxPieceBody);
    uint64_t size = state.data_size;
    bool cut = state.cut;
    for (const v1::LogChunk& chunk : chunks) {
      absl::string_view data = chunk.data();
      if (data.empty() || cut) continue;
      if (max_bytes_ > 0 &&
          data.size() > max_bytes_ - std::min(size, max_bytes_)) {
        data = data.substr(0, max_bytes_ - std::min(size, max_bytes_));
        cut = true;
      }
      writer.Add(chunk.rank(), StreamOf(chunk), data);
      size += data.size();
      if (cut) writer.Add(kHeadRank, v1::STDERR, LogCutLine(max_bytes_));
    }
    const std::vector<log_format::Piece> pieces = writer.Finish();
    if (pieces.empty()) return first;
    if (absl::Status s = Store(id, pieces, state); !s.ok()) return s;
    state.cut = cut;
  }
  if (changed_ != nullptr) changed_->Notify();
  return first;
}

absl::Status JobLog::Store(const std::string& job_id,
                           const std::vector<log_format::Piece>& pieces,
                           State& state) {
  for (const log_format::Piece& piece : pieces) {
    absl::StatusOr<uint64_t> stored = store_->AppendLog(job_id, piece.bytes);
    if (!stored.ok()) {
      // What was stored stays; the cached size is reloaded next time.
      state_.erase(job_id);
      return stored.status();
    }
    state.data_size += piece.data_bytes;
  }
  return absl::OkStatus();
}

absl::StatusOr<LogCursor> JobLog::Seek(absl::string_view job_id,
                                       uint64_t offset) const {
  absl::StatusOr<LogEnd> end = FindEnd(*store_, job_id);
  if (!end.ok()) return end.status();
  if (offset > end->data_size) return PastEnd(job_id, offset, end->data_size);
  if (end->legacy) return LegacySeek(*store_, job_id, offset);
  LogCursor cursor;
  if (offset == 0) return cursor;
  absl::StatusOr<std::pair<uint64_t, PieceHeader>> piece =
      FindPiece(*store_, job_id, offset, *end);
  if (!piece.ok()) return piece.status();
  const auto& [start, header] = *piece;
  absl::StatusOr<LogSlice> block =
      store_->ReadLog(job_id, start, kPieceHeaderBytes + header.body_bytes);
  if (!block.ok()) return block.status();
  cursor.frame_offset = cursor.piece_end = start;
  cursor.data_offset = header.data_offset;
  while (cursor.data_offset < offset) {
    Frame frame;
    absl::StatusOr<bool> got =
        NextFrame(job_id, block->data, start, &cursor, &frame);
    if (!got.ok()) return got.status();
    if (!*got) return Damaged(job_id, cursor.frame_offset);
    if (cursor.data_offset + frame.data.size() > offset) {
      cursor.skip = offset - cursor.data_offset;
      cursor.data_offset = offset;
      break;
    }
    Consume(frame, &cursor);
  }
  return cursor;
}

absl::StatusOr<std::vector<v1::LogChunk>> JobLog::Read(absl::string_view job_id,
                                                       LogCursor* cursor,
                                                       size_t max_bytes) const {
  if (cursor->legacy) return LegacyRead(*store_, job_id, cursor, max_bytes);
  const uint64_t block_offset = cursor->frame_offset;
  absl::StatusOr<LogSlice> block =
      store_->ReadLog(job_id, block_offset, std::max(max_bytes, kMinReadBytes));
  if (!block.ok()) return block.status();
  if (block_offset == 0 && !block->data.empty() &&
      !log_format::StartsWithPiece(block->data)) {
    cursor->legacy = true;
    return LegacyRead(*store_, job_id, cursor, max_bytes);
  }
  std::vector<v1::LogChunk> chunks;
  size_t delivered = 0;
  while (delivered < max_bytes) {
    Frame frame;
    absl::StatusOr<bool> got =
        NextFrame(job_id, block->data, block_offset, cursor, &frame);
    if (!got.ok()) return got.status();
    if (!*got) break;
    v1::LogChunk& chunk = chunks.emplace_back();
    chunk.set_offset(cursor->data_offset);
    chunk.set_rank(frame.rank);
    chunk.set_stream(static_cast<v1::Stream>(frame.stream));
    chunk.set_data(std::string(frame.data.substr(cursor->skip)));
    delivered += chunk.data().size();
    Consume(frame, cursor);
  }
  const uint64_t block_end = block_offset + block->data.size();
  if (chunks.empty() && cursor->frame_offset < block_end &&
      block_end == block->log_size) {
    return Damaged(job_id, cursor->frame_offset);  // A piece cut short.
  }
  return chunks;
}

void JobLog::Forget(absl::string_view job_id) {
  absl::MutexLock lock(&mu_);
  state_.erase(std::string(job_id));
}

}  // namespace wasmhpc::server
