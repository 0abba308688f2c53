// TokenAuth: bearer-token authentication of API calls, the one
// authentication point of both transports: the head's --auth-tokens FILE
// and/or its --jwt-key FILE (JwtAuth, jwt_auth.h). When enabled, every
// wasmhpc.v1 call must carry the header `authorization: Bearer <token>` with
// one of the file's tokens or a valid JWT; the token names the Caller (its
// NAME and ROLE, see caller.h).
//
// The file: one `TOKEN NAME ROLE` per line (ROLE: user, pool or admin);
// surrounding white space is trimmed; empty lines and lines starting with
// '#' are skipped. A line holding only a token (the old form) is a user
// named "token-" + the first 8 hex digits of the token's SHA-256, with a
// warning.
//
// Thread safety: immutable after creation; Authenticate may be called from
// any thread.
#ifndef WASMHPC_SERVER_AUTH_TOKEN_AUTH_H_
#define WASMHPC_SERVER_AUTH_TOKEN_AUTH_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/auth/jwt_auth.h"
#include "server/handlers/caller.h"

namespace wasmhpc::server {

class TokenAuth {
 public:
  // Disabled: every call is Caller::Local().
  TokenAuth() = default;

  // Tokens from `text` (see above). InvalidArgument naming the line for a
  // bad line (unknown role, a bad name, a token shorter than 16 characters,
  // a token listed twice), or if no token remains (that would lock every
  // client out).
  static absl::StatusOr<TokenAuth> FromText(absl::string_view text);

  // FromText of the file's contents; NotFound/PermissionDenied naming the
  // file when it cannot be read.
  static absl::StatusOr<TokenAuth> FromFile(const std::string& path);

  // Also accepts the JWTs `jwt` verifies (see Authenticate).
  void set_jwt(JwtAuth jwt) { jwt_ = std::move(jwt); }

  bool enabled() const { return !entries_.empty() || jwt_.has_value(); }

  // What the file said that still works but should change (old-form lines).
  const std::vector<std::string>& warnings() const { return warnings_; }

  // `authorization` is the value of the call's authorization header, empty
  // when it has none. Caller::Local() when disabled; the token's caller for
  // "Bearer <known token>"; with JWTs on, a token of three dot-separated
  // parts that is not in the file is a JWT: its caller if it verifies, else
  // JwtAuth::Verify's error; otherwise Unauthenticated ("missing bearer
  // token" / "invalid bearer token"). Compares file tokens in time
  // independent of where tokens differ.
  absl::StatusOr<Caller> Authenticate(absl::string_view authorization) const;

 private:
  struct Entry {
    std::string token;
    Caller caller;
  };
  std::vector<Entry> entries_;
  std::vector<std::string> warnings_;
  std::optional<JwtAuth> jwt_;
};

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_AUTH_TOKEN_AUTH_H_
