// TokenAuth: optional bearer-token authentication of API calls (the head's
// --auth-tokens FILE). When enabled, every wasmhpc.v1 call must carry the
// header `authorization: Bearer <token>` with one of the file's tokens.
//
// Thread safety: immutable after creation; Check may be called from any
// thread.
#ifndef WASMHPC_SERVER_TOKEN_AUTH_H_
#define WASMHPC_SERVER_TOKEN_AUTH_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace wasmhpc::server {

class TokenAuth {
 public:
  // Disabled: every call passes.
  TokenAuth() = default;

  // Tokens from `text`: one per line; surrounding white space is trimmed;
  // empty lines and lines starting with '#' are skipped. InvalidArgument if
  // no token remains (that would lock every client out).
  static absl::StatusOr<TokenAuth> FromText(absl::string_view text);

  // FromText of the file's contents; NotFound/PermissionDenied naming the
  // file when it cannot be read.
  static absl::StatusOr<TokenAuth> FromFile(const std::string& path);

  bool enabled() const { return !tokens_.empty(); }

  // `authorization` is the value of the call's authorization header, empty
  // when it has none. OK when disabled or for "Bearer <known token>";
  // otherwise Unauthenticated ("missing bearer token" / "invalid bearer
  // token"). Compares in time independent of where tokens differ.
  absl::Status Check(absl::string_view authorization) const;

 private:
  std::vector<std::string> tokens_;
};

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_TOKEN_AUTH_H_
