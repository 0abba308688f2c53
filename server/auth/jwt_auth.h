// JwtAuth: verifies JSON Web Tokens (the head's --jwt-key FILE) and maps
// them to the same Callers as the token file (see token_auth.h, caller.h).
//
// The key decides the one algorithm accepted:
//   a PEM public key ("-----BEGIN PUBLIC KEY-----"): RSA (2048 bits or
//     more) -> RS256, EC on P-256 -> ES256;
//   anything else: the HS256 shared secret, the file's bytes exactly (a
//     final newline included), at least 32 bytes.
// A token signed with another algorithm, alg "none" included, is refused
// before its signature is looked at (so an HS256 token "signed" with the
// public key never verifies).
//
// Claims:
//   sub           the caller's name (letters, digits, . _ - @; at most 64);
//                 the same name in the token file is the same caller;
//   wasmhpc_role  user, pool or admin; required (no default role);
//   exp           required, seconds since 1970; expired tokens are refused;
//   nbf           honoured when present;
//   iss, aud      checked when the head has --jwt-issuer / --jwt-audience
//                 (aud may be a string or a list of strings).
// exp and nbf allow kJwtLeeway of clock skew.
//
// Thread safety: immutable after creation; Verify may be called from any
// thread.
#ifndef WASMHPC_SERVER_AUTH_JWT_AUTH_H_
#define WASMHPC_SERVER_AUTH_JWT_AUTH_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/handlers/caller.h"

namespace wasmhpc::server {

// Clock skew allowed on exp and nbf.
inline constexpr absl::Duration kJwtLeeway = absl::Seconds(60);

struct JwtOptions {
  std::string issuer;    // --jwt-issuer: the iss every token must carry
  std::string audience;  // --jwt-audience: an aud every token must carry
};

class JwtAuth {
 public:
  // From the key's text (see above). InvalidArgument saying what is wrong
  // with the key (too short a secret, a private key, an unsupported key
  // type), never quoting it.
  static absl::StatusOr<JwtAuth> FromKey(std::string key, JwtOptions options);

  // FromKey of the file's contents, errors naming the file.
  static absl::StatusOr<JwtAuth> FromFile(const std::string& path,
                                          JwtOptions options);

  // "HS256", "RS256" or "ES256".
  const std::string& algorithm() const { return algorithm_; }

  // The caller `token` (a compact JWT, header.payload.signature) names if
  // it is valid at `now`; else Unauthenticated saying why ("JWT expired at
  // 2026-01-01T00:00:00+00:00", "JWT signature invalid", "JWT has no role
  // claim 'wasmhpc_role' ...").
  absl::StatusOr<Caller> Verify(absl::string_view token, absl::Time now) const;

 private:
  JwtAuth() = default;

  std::string key_;
  std::string algorithm_;
  JwtOptions options_;
};

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_AUTH_JWT_AUTH_H_
