// ModuleDigest: the content hash that names a module in the cache.
//
// A digest is "sha256:" followed by the 64 lower-case hex digits of the
// SHA-256 of the module bytes (OpenSSL, SHA-NI where the CPU has it). The same
// bytes always give the same digest, on every host; any changed byte gives
// another one.
//
// Thread safety: the free functions are pure and thread safe. A DigestBuilder
// is used by one thread at a time (it is movable, not copyable).
#ifndef WASMHPC_CACHE_STORE_MODULE_DIGEST_H_
#define WASMHPC_CACHE_STORE_MODULE_DIGEST_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace wasmhpc {

// "sha256:"
inline constexpr absl::string_view kDigestPrefix = "sha256:";
// Length of a digest: prefix + 64 hex digits.
inline constexpr size_t kDigestLength = 7 + 64;

// Returns the digest of `bytes`.
std::string ModuleDigest(absl::Span<const uint8_t> bytes);
std::string ModuleDigest(absl::string_view bytes);

// True if `digest` is well formed: the prefix and 64 lower-case hex digits.
bool IsValidDigest(absl::string_view digest);

// Incremental digest for streamed uploads: Update with each chunk as it
// arrives, then Finish. The result equals ModuleDigest of the concatenation.
//
//   DigestBuilder builder;
//   for (const auto& chunk : chunks) builder.Update(chunk);
//   std::string digest = builder.Finish();
class DigestBuilder {
 public:
  DigestBuilder();
  ~DigestBuilder();
  DigestBuilder(DigestBuilder&&) noexcept;
  DigestBuilder& operator=(DigestBuilder&&) noexcept;
  DigestBuilder(const DigestBuilder&) = delete;
  DigestBuilder& operator=(const DigestBuilder&) = delete;

  // Feeds more bytes. REQUIRES: Finish not called yet.
  void Update(absl::Span<const uint8_t> bytes);
  void Update(absl::string_view bytes);

  // Number of bytes fed so far.
  uint64_t size() const { return size_; }

  // Returns the digest of all bytes fed. REQUIRES: called at most once; the
  // builder is spent afterwards (a moved-from builder is spent too).
  std::string Finish();

 private:
  struct Context;  // Holds the OpenSSL SHA256_CTX.
  std::unique_ptr<Context> context_;
  uint64_t size_ = 0;
};

}  // namespace wasmhpc

#endif  // WASMHPC_CACHE_STORE_MODULE_DIGEST_H_
