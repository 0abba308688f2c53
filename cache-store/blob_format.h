// The envelope around every stored value: a checked header, the key, the
// payload.
//
// Internal to cache-store. Layout (integers little-endian):
//
//   offset size  field
//        0    4  magic "WHCS"
//        4    1  format version (1)
//        5    1  space (Space), the kind of data
//        6    2  reserved, 0
//        8    4  meta length M
//       12    8  payload length P
//       20    4  CRC32C of bytes [0, 20) + meta + payload
//       24    M  meta: the key the value was stored under
//     24+M    P  payload
//
// The meta binds a value to its key, so a value found under another key (or
// a code blob whose stored fingerprint differs from the requested one) is
// rejected like a corrupt one. Any bad field, a wrong total length
// (truncated or extended value) or a CRC mismatch makes DecodeBlob fail.
//
// Thread safety: pure functions.
#ifndef WASMHPC_CACHE_STORE_BLOB_FORMAT_H_
#define WASMHPC_CACHE_STORE_BLOB_FORMAT_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cache-store/kv_backend.h"

namespace wasmhpc::cache {

inline constexpr size_t kBlobHeaderSize = 24;
inline constexpr uint8_t kBlobFormatVersion = 1;

// Returns the stored form of `payload` under key `meta` in `space`.
std::string EncodeBlob(Space space, absl::string_view meta,
                       absl::string_view payload);

// Where the payload lies within a decoded stored value.
struct BlobPayload {
  size_t offset = 0;
  size_t size = 0;
};

// Checks `stored` and returns where its payload lies. Fails with DataLoss
// naming the first problem found: "too short", "bad magic", "unsupported
// format version 7", "holds data of another kind", "length mismatch
// (truncated or extended)", "checksum mismatch", "stored under another key".
absl::StatusOr<BlobPayload> DecodeBlob(absl::string_view stored, Space space,
                                       absl::string_view expected_meta);

}  // namespace wasmhpc::cache

#endif  // WASMHPC_CACHE_STORE_BLOB_FORMAT_H_
