#include "server/job_log.h"

#include <algorithm>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace wasmhpc::server {
namespace {

constexpr size_t kHeaderBytes = 12;
constexpr size_t kMinReadBytes = size_t{64} * 1024;

struct FrameHeader {
  uint32_t length = 0;
  int32_t rank = 0;
  uint8_t stream = 0;
};

void PutU32(uint32_t v, char* out) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((v >> (8 * i)) & 0xff);
}

uint32_t GetU32(const char* in) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) {
    v |= static_cast<uint32_t>(static_cast<uint8_t>(in[i])) << (8 * i);
  }
  return v;
}

std::string EncodeHeader(const FrameHeader& h) {
  std::string out(kHeaderBytes, '\0');
  PutU32(h.length, &out[0]);
  PutU32(static_cast<uint32_t>(h.rank), &out[4]);
  out[8] = static_cast<char>(h.stream);
  return out;
}

FrameHeader DecodeHeader(const char* in) {
  return {GetU32(in), static_cast<int32_t>(GetU32(in + 4)),
          static_cast<uint8_t>(in[8])};
}

absl::Status Damaged(absl::string_view job_id, uint64_t offset) {
  return absl::DataLossError(absl::StrCat(
      "log of ", job_id, ": damaged frame at store offset ", offset));
}

// Reads the frame header at `offset`: true, or false at the end of the log.
absl::StatusOr<bool> ReadHeader(const CacheStore& store,
                                absl::string_view job_id, uint64_t offset,
                                FrameHeader* header) {
  absl::StatusOr<LogSlice> slice = store.ReadLog(job_id, offset, kHeaderBytes);
  if (!slice.ok()) return slice.status();
  if (slice->data.empty()) return false;
  if (slice->data.size() != kHeaderBytes) return Damaged(job_id, offset);
  *header = DecodeHeader(slice->data.data());
  return true;
}

}  // namespace

JobLog::JobLog(CacheStore* store, ChangeSignal* changed)
    : store_(store), changed_(changed) {}

absl::StatusOr<uint64_t> JobLog::DataSize(const std::string& job_id,
                                          bool remember) {
  auto it = data_size_.find(job_id);
  if (it != data_size_.end()) return it->second;
  uint64_t frame_offset = 0;
  uint64_t data = 0;
  FrameHeader header;
  while (true) {
    absl::StatusOr<bool> more =
        ReadHeader(*store_, job_id, frame_offset, &header);
    if (!more.ok()) return more.status();
    if (!*more) break;
    frame_offset += kHeaderBytes + header.length;
    data += header.length;
  }
  if (remember) data_size_[job_id] = data;
  return data;
}

absl::StatusOr<uint64_t> JobLog::Size(absl::string_view job_id) {
  absl::MutexLock lock(&mu_);
  return DataSize(std::string(job_id), /*remember=*/false);
}

absl::StatusOr<uint64_t> JobLog::Append(absl::string_view job_id,
                                        const v1::LogChunk& chunk) {
  std::string id(job_id);
  uint64_t offset;
  {
    absl::MutexLock lock(&mu_);
    absl::StatusOr<uint64_t> size = DataSize(id, /*remember=*/true);
    if (!size.ok()) return size.status();
    offset = *size;
    if (chunk.data().empty()) return offset;
    if (chunk.data().size() > kMaxValueBytes - kHeaderBytes) {
      return absl::InvalidArgumentError("log chunk too large");
    }
    FrameHeader header{static_cast<uint32_t>(chunk.data().size()), chunk.rank(),
                       static_cast<uint8_t>(chunk.stream())};
    std::string frame = EncodeHeader(header);
    frame.append(chunk.data());
    absl::StatusOr<uint64_t> appended = store_->AppendLog(id, frame);
    if (!appended.ok()) return appended.status();
    data_size_[id] = offset + chunk.data().size();
  }
  if (changed_ != nullptr) changed_->Notify();
  return offset;
}

absl::StatusOr<LogCursor> JobLog::Seek(absl::string_view job_id,
                                       uint64_t offset) const {
  LogCursor cursor;
  FrameHeader header;
  while (cursor.data_offset < offset) {
    absl::StatusOr<bool> more =
        ReadHeader(*store_, job_id, cursor.frame_offset, &header);
    if (!more.ok()) return more.status();
    if (!*more) {
      return absl::OutOfRangeError(
          absl::StrCat("log offset ", offset, " is past the end of the log of ",
                       job_id, " (", cursor.data_offset, " bytes)"));
    }
    if (cursor.data_offset + header.length > offset) {
      cursor.skip = offset - cursor.data_offset;
      cursor.data_offset = offset;
      break;
    }
    cursor.frame_offset += kHeaderBytes + header.length;
    cursor.data_offset += header.length;
  }
  return cursor;
}

absl::StatusOr<std::vector<v1::LogChunk>> JobLog::Read(absl::string_view job_id,
                                                       LogCursor* cursor,
                                                       size_t max_bytes) const {
  std::vector<v1::LogChunk> chunks;
  absl::StatusOr<LogSlice> block = store_->ReadLog(
      job_id, cursor->frame_offset, std::max(max_bytes, kMinReadBytes));
  if (!block.ok()) return block.status();
  size_t pos = 0;
  size_t delivered = 0;
  const std::string& data = block->data;
  while (pos + kHeaderBytes <= data.size() && delivered < max_bytes) {
    FrameHeader header = DecodeHeader(data.data() + pos);
    uint64_t frame_bytes = kHeaderBytes + uint64_t{header.length};
    std::string payload;
    if (pos + frame_bytes <= data.size()) {
      payload = data.substr(pos + kHeaderBytes, header.length);
    } else if (chunks.empty()) {
      // A frame larger than the block: read it whole.
      absl::StatusOr<LogSlice> frame = store_->ReadLog(
          job_id, cursor->frame_offset + kHeaderBytes, header.length);
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

void JobLog::Forget(absl::string_view job_id) {
  absl::MutexLock lock(&mu_);
  data_size_.erase(std::string(job_id));
}

}  // namespace wasmhpc::server
