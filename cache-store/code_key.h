// CodeKey: the deployment's code key, a secret the head and its pools share.
// Compiled code is native code once V8 deserializes it, so code travels
// between the head and the pools only with a signature over what it is:
// HMAC-SHA256(key, "wasmhpc-code-v1" 0 digest 0 fingerprint 0 SHA-256(code)).
// The head signs what it sends and checks what pools upload; every pool
// executor checks code from the head before V8 sees it and compiles from the
// module's bytes when the signature does not verify (or it has no key).
//
// The key file holds the key as 64 or more hex digits (256 bits or more) on
// its first line, and must not be readable by others (mode 0600 or 0640).
//
// Thread safety: immutable after creation; any thread.
#ifndef WASMHPC_CACHE_STORE_CODE_KEY_H_
#define WASMHPC_CACHE_STORE_CODE_KEY_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace wasmhpc {

class CodeKey {
 public:
  // Reads `path`. NotFound/PermissionDenied naming it; InvalidArgument for
  // a short or malformed key, or a file others may read.
  static absl::StatusOr<CodeKey> FromFile(const std::string& path);

  // FromFile, after creating the file with a new random key (mode 0600)
  // when it does not exist.
  static absl::StatusOr<CodeKey> LoadOrCreate(const std::string& path);

  // A key of raw bytes (tests). REQUIRES: 32 bytes or more.
  static CodeKey FromBytes(std::string bytes);

  // The signature of `code` as the compiled code of module `digest` for
  // engine `fingerprint`: 32 raw bytes.
  std::string Sign(absl::string_view digest, absl::string_view fingerprint,
                   absl::string_view code) const;

  // True when `signature` is Sign(digest, fingerprint, code); compares in
  // constant time.
  bool Verify(absl::string_view digest, absl::string_view fingerprint,
              absl::string_view code, absl::string_view signature) const;

 private:
  explicit CodeKey(std::string bytes) : key_(std::move(bytes)) {}
  std::string key_;
};

}  // namespace wasmhpc

#endif  // WASMHPC_CACHE_STORE_CODE_KEY_H_
