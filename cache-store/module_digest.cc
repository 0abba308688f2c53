#include "cache-store/module_digest.h"

#include <openssl/evp.h>

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
  Context() : ctx(EVP_MD_CTX_new()) {
    Check(ctx != nullptr, "EVP_MD_CTX_new failed");
    Check(EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) == 1,
          "EVP_DigestInit_ex(sha256) failed");
  }
  ~Context() { EVP_MD_CTX_free(ctx); }
  EVP_MD_CTX* ctx;
};

DigestBuilder::DigestBuilder() : context_(std::make_unique<Context>()) {}
DigestBuilder::~DigestBuilder() = default;
DigestBuilder::DigestBuilder(DigestBuilder&&) noexcept = default;
DigestBuilder& DigestBuilder::operator=(DigestBuilder&&) noexcept = default;

void DigestBuilder::Update(absl::Span<const uint8_t> bytes) {
  Check(context_ != nullptr, "DigestBuilder used after Finish");
  if (bytes.empty()) return;
  Check(EVP_DigestUpdate(context_->ctx, bytes.data(), bytes.size()) == 1,
        "EVP_DigestUpdate failed");
  size_ += bytes.size();
}

void DigestBuilder::Update(absl::string_view bytes) {
  Update(absl::Span<const uint8_t>(
      reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
}

std::string DigestBuilder::Finish() {
  Check(context_ != nullptr, "DigestBuilder::Finish called twice");
  unsigned char hash[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  Check(EVP_DigestFinal_ex(context_->ctx, hash, &length) == 1,
        "EVP_DigestFinal_ex failed");
  context_.reset();
  static constexpr char kHex[] = "0123456789abcdef";
  std::string digest(kDigestPrefix);
  for (unsigned int i = 0; i < length; ++i) {
    digest.push_back(kHex[hash[i] >> 4]);
    digest.push_back(kHex[hash[i] & 0xF]);
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
