// The cache store's blob envelope on arbitrary stored bytes. Input: byte 0
// picks the space, byte 1 the key's length, then the key, then the stored
// value. Invariants: DecodeBlob accepts exactly what EncodeBlob writes
// (decode then re-encode gives the same bytes back; encode then decode
// gives the payload back) and refuses any one changed byte.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "cache-store/blob_format.h"
#include "fuzz/fuzz_check.h"

namespace cache = wasmhpc::cache;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  // Spaces 0..6: the five real ones and two that are not.
  const auto space = static_cast<cache::Space>(data[0] % 7);
  const size_t meta_size = std::min<size_t>(data[1], size - 2);
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  const absl::string_view meta = input.substr(2, meta_size);
  const absl::string_view stored = input.substr(2 + meta_size);

  // Decode what came in; what it accepts re-encodes to the same bytes.
  absl::StatusOr<cache::BlobPayload> decoded =
      cache::DecodeBlob(stored, space, meta);
  if (decoded.ok()) {
    FUZZ_CHECK(decoded->offset == cache::kBlobHeaderSize + meta.size());
    FUZZ_CHECK(decoded->offset + decoded->size == stored.size());
    const absl::string_view payload =
        stored.substr(decoded->offset, decoded->size);
    FUZZ_CHECK(cache::EncodeBlob(space, meta, payload) == stored);
  } else {
    FUZZ_CHECK(absl::IsDataLoss(decoded.status()));
  }

  // Encode the rest as a payload; it decodes back, and any one changed
  // byte (CRC32C catches every error burst up to 32 bits) is refused.
  std::string encoded = cache::EncodeBlob(space, meta, stored);
  decoded = cache::DecodeBlob(encoded, space, meta);
  FUZZ_CHECK(decoded.ok());
  FUZZ_CHECK(absl::string_view(encoded).substr(decoded->offset,
                                               decoded->size) == stored);
  const size_t at = (size * 7919) % encoded.size();
  encoded[at] = static_cast<char>(encoded[at] ^ (data[0] | 1));
  FUZZ_CHECK(!cache::DecodeBlob(encoded, space, meta).ok());
  return 0;
}
