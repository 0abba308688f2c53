#include "server/handlers/job_log_format.h"

#include <algorithm>

namespace wasmhpc::server::log_format {
namespace {

constexpr char kPieceMagic[] = "WLP1";  // At bytes [8, 12) of a header.

void PutLe(uint64_t v, int bytes, std::string* out) {
  for (int i = 0; i < bytes; ++i)
    out->push_back(static_cast<char>(v >> (8 * i)));
}

uint64_t GetLe(const char* in, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) {
    v |= static_cast<uint64_t>(static_cast<uint8_t>(in[i])) << (8 * i);
  }
  return v;
}

void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// Decodes a varint at in[*pos]: 1 done, 0 if `in` ends first, -1 if too long.
int GetVarint(absl::string_view in, size_t* pos, uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (*pos >= in.size()) return 0;
    const uint8_t byte = static_cast<uint8_t>(in[(*pos)++]);
    *v |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if (byte < 0x80) return 1;
  }
  return -1;
}

uint32_t ZigZag(int32_t v) {
  return (static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31);
}

int32_t UnZigZag(uint32_t v) {
  return static_cast<int32_t>((v >> 1) ^ (~(v & 1) + 1));
}

}  // namespace

bool StartsWithPiece(absl::string_view head) {
  return head.size() >= 12 && head.substr(8, 4) == kPieceMagic;
}

absl::StatusOr<PieceHeader> DecodePieceHeader(absl::string_view in) {
  if (in.size() < kPieceHeaderBytes || !StartsWithPiece(in)) {
    return absl::DataLossError("bad piece header");
  }
  PieceHeader header;
  header.data_offset = GetLe(in.data(), 8);
  header.body_bytes = static_cast<uint32_t>(GetLe(in.data() + 12, 4));
  header.data_bytes = static_cast<uint32_t>(GetLe(in.data() + 16, 4));
  if (header.data_bytes == 0 || header.data_bytes > header.body_bytes) {
    return absl::DataLossError("bad piece header");
  }
  return header;
}

PieceWriter::PieceWriter(uint64_t data_offset, size_t max_body)
    : max_body_(std::max(max_body, kMaxFrameHeaderBytes + 1)),
      piece_offset_(data_offset) {}

void PieceWriter::Add(int32_t rank, uint8_t stream, absl::string_view data) {
  while (!data.empty()) {
    if (body_.size() + kMaxFrameHeaderBytes + 1 > max_body_) Flush();
    const size_t room = max_body_ - body_.size() - kMaxFrameHeaderBytes;
    const absl::string_view part = data.substr(0, room);
    const bool has_rank = rank != rank_;
    PutVarint((uint64_t{part.size()} << 3) | (has_rank ? 4u : 0u) | stream,
              &body_);
    if (has_rank) PutVarint(ZigZag(rank), &body_);
    body_.append(part.data(), part.size());
    piece_data_ += static_cast<uint32_t>(part.size());
    rank_ = rank;
    data.remove_prefix(part.size());
  }
}

void PieceWriter::Flush() {
  if (piece_data_ == 0) return;
  Piece& piece = pieces_.emplace_back();
  piece.bytes.reserve(kPieceHeaderBytes + body_.size());
  PutLe(piece_offset_, 8, &piece.bytes);
  piece.bytes.append(kPieceMagic, 4);
  PutLe(body_.size(), 4, &piece.bytes);
  PutLe(piece_data_, 4, &piece.bytes);
  piece.bytes.append(body_);
  piece.data_bytes = piece_data_;
  piece_offset_ += piece_data_;
  piece_data_ = 0;
  rank_ = kNoRank;
  body_.clear();
}

std::vector<Piece> PieceWriter::Finish() {
  Flush();
  return std::move(pieces_);
}

absl::StatusOr<bool> DecodeFrame(absl::string_view in, Frame* frame) {
  size_t pos = 0;
  uint64_t tag = 0;
  const int got = GetVarint(in, &pos, &tag);
  if (got < 0) return absl::DataLossError("bad frame header");
  if (got == 0) return false;
  frame->stream = static_cast<uint8_t>(tag & 3);
  frame->has_rank = (tag & 4) != 0;
  const uint64_t length = tag >> 3;
  if (frame->stream == 3 || length == 0) {
    return absl::DataLossError("bad frame header");
  }
  if (frame->has_rank) {
    uint64_t rank = 0;
    const int got_rank = GetVarint(in, &pos, &rank);
    if (got_rank < 0 || rank > UINT32_MAX) {
      return absl::DataLossError("bad frame rank");
    }
    if (got_rank == 0) return false;
    frame->rank = UnZigZag(static_cast<uint32_t>(rank));
  }
  if (length > in.size() - pos) return false;
  frame->header_bytes = pos;
  frame->data = in.substr(pos, length);
  return true;
}

LegacyHeader DecodeLegacyHeader(const char* in) {
  return {static_cast<uint32_t>(GetLe(in, 4)),
          static_cast<int32_t>(static_cast<uint32_t>(GetLe(in + 4, 4))),
          static_cast<uint8_t>(in[8])};
}

}  // namespace wasmhpc::server::log_format
