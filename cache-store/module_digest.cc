#include "cache-store/module_digest.h"

// SHA256_Init/Update/Final are deprecated in OpenSSL 3 in favour of EVP, but
// EVP's first use in a process fetches the algorithm from a provider
// (~0.7 ms, more than hashing a 1 MB module with SHA-NI), which every
// wasmhpc-run cache lookup pays. The low-level functions use the same
// SHA-NI/AVX2 code without the provider.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/strings/ascii.h"

namespace wasmhpc {
namespace {

// A failure of OpenSSL's built-in SHA-256 or misuse of a spent builder is a
// broken invariant, not an error a caller could handle.
void Check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "wasmhpc cache-store: CHECK failed: %s\n", what);
  std::abort();
}

}  // namespace

struct DigestBuilder::Context {
  Context() { Check(SHA256_Init(&ctx) == 1, "SHA256_Init failed"); }
  SHA256_CTX ctx;
};

DigestBuilder::DigestBuilder() : context_(std::make_unique<Context>()) {}
DigestBuilder::~DigestBuilder() = default;
DigestBuilder::DigestBuilder(DigestBuilder&&) noexcept = default;
DigestBuilder& DigestBuilder::operator=(DigestBuilder&&) noexcept = default;

void DigestBuilder::Update(absl::Span<const uint8_t> bytes) {
  Check(context_ != nullptr, "DigestBuilder used after Finish");
  if (bytes.empty()) return;
  Check(SHA256_Update(&context_->ctx, bytes.data(), bytes.size()) == 1,
        "SHA256_Update failed");
  size_ += bytes.size();
}

void DigestBuilder::Update(absl::string_view bytes) {
  Update(absl::Span<const uint8_t>(
      reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

std::string DigestBuilder::Finish() {
  Check(context_ != nullptr, "DigestBuilder::Finish called twice");
  unsigned char hash[SHA256_DIGEST_LENGTH];
  Check(SHA256_Final(hash, &context_->ctx) == 1, "SHA256_Final failed");
  context_.reset();
  static constexpr char kHex[] = "0123456789abcdef";
  std::string digest(kDigestPrefix);
  for (unsigned char byte : hash) {
    digest.push_back(kHex[byte >> 4]);
    digest.push_back(kHex[byte & 0xF]);
  }
  return digest;
}

std::string ModuleDigest(absl::Span<const uint8_t> bytes) {
  DigestBuilder builder;
  builder.Update(bytes);
  return builder.Finish();
}

std::string ModuleDigest(absl::string_view bytes) {
  DigestBuilder builder;
  builder.Update(bytes);
  return builder.Finish();
}

bool IsValidDigest(absl::string_view digest) {
  if (digest.size() != kDigestLength) return false;
  if (digest.substr(0, kDigestPrefix.size()) != kDigestPrefix) return false;
  for (char c : digest.substr(kDigestPrefix.size())) {
    const bool hex = absl::ascii_isdigit(c) || (c >= 'a' && c <= 'f');
    if (!hex) return false;
  }
  return true;
}

}  // namespace wasmhpc
