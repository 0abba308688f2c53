#include "cache-store/blob_format.h"

#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "cache-store/crc32c.h"

namespace wasmhpc::cache {
namespace {

constexpr char kMagic[4] = {'W', 'H', 'C', 'S'};
constexpr size_t kCrcOffset = 20;

void PutLe(char* out, uint64_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) out[i] = static_cast<char>(value >> (8 * i));
}

uint64_t GetLe(const char* in, int bytes) {
  uint64_t value = 0;
  for (int i = 0; i < bytes; ++i) {
    value |= static_cast<uint64_t>(static_cast<uint8_t>(in[i])) << (8 * i);
  }
  return value;
}

uint32_t BlobCrc(const char* header, absl::string_view meta,
                 absl::string_view payload) {
  uint32_t crc = Crc32cExtend(0, header, kCrcOffset);
  crc = Crc32cExtend(crc, meta.data(), meta.size());
  return Crc32cExtend(crc, payload.data(), payload.size());
}

absl::Status Bad(absl::string_view reason) {
  return absl::DataLossError(std::string(reason));
}

}  // namespace

std::string EncodeBlob(Space space, absl::string_view meta,
                       absl::string_view payload) {
  std::string out;
  out.resize(kBlobHeaderSize + meta.size() + payload.size());
  char* header = out.data();
  std::memcpy(header, kMagic, sizeof(kMagic));
  header[4] = static_cast<char>(kBlobFormatVersion);
  header[5] = static_cast<char>(space);
  PutLe(header + 6, 0, 2);
  PutLe(header + 8, meta.size(), 4);
  PutLe(header + 12, payload.size(), 8);
  PutLe(header + kCrcOffset, BlobCrc(header, meta, payload), 4);
  if (!meta.empty()) {
    std::memcpy(header + kBlobHeaderSize, meta.data(), meta.size());
  }
  if (!payload.empty()) {
    std::memcpy(header + kBlobHeaderSize + meta.size(), payload.data(),
                payload.size());
  }
  return out;
}

absl::StatusOr<BlobPayload> DecodeBlob(absl::string_view stored, Space space,
                                       absl::string_view expected_meta) {
  if (stored.size() < kBlobHeaderSize) return Bad("too short");
  const char* header = stored.data();
  if (std::memcmp(header, kMagic, sizeof(kMagic)) != 0) {
    return Bad("bad magic");
  }
  const auto version = static_cast<uint8_t>(header[4]);
  if (version != kBlobFormatVersion) {
    return Bad(absl::StrCat("unsupported format version ", version));
  }
  if (static_cast<uint8_t>(header[5]) != static_cast<uint8_t>(space) ||
      GetLe(header + 6, 2) != 0) {
    return Bad("holds data of another kind");
  }
  const uint64_t meta_size = GetLe(header + 8, 4);
  const uint64_t payload_size = GetLe(header + 12, 8);
  const uint64_t body = stored.size() - kBlobHeaderSize;
  if (meta_size > body || payload_size != body - meta_size) {
    return Bad("length mismatch (truncated or extended)");
  }
  const absl::string_view meta = stored.substr(kBlobHeaderSize, meta_size);
  const absl::string_view payload =
      stored.substr(kBlobHeaderSize + meta_size, payload_size);
  if (GetLe(header + kCrcOffset, 4) != BlobCrc(header, meta, payload)) {
    return Bad("checksum mismatch");
  }
  if (meta != expected_meta) return Bad("stored under another key");
  return BlobPayload{kBlobHeaderSize + meta_size, payload_size};
}

}  // namespace wasmhpc::cache
