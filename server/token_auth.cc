#include "server/token_auth.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace wasmhpc::server {
namespace {

// Equal strings, in time that depends on the lengths only.
bool SameToken(absl::string_view a, absl::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i]) ^
            static_cast<unsigned char>(i < b.size() ? b[i] : 0);
  }
  return diff == 0;
}

}  // namespace

absl::StatusOr<TokenAuth> TokenAuth::FromText(absl::string_view text) {
  TokenAuth auth;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || absl::StartsWith(line, "#")) continue;
    auth.tokens_.emplace_back(line);
  }
  if (auth.tokens_.empty()) {
    return absl::InvalidArgumentError("the token file holds no token");
  }
  return auth;
}

absl::StatusOr<TokenAuth> TokenAuth::FromFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    std::string message = absl::StrCat(path, ": ", std::strerror(errno));
    return errno == EACCES ? absl::PermissionDeniedError(message)
                           : absl::NotFoundError(message);
  }
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<TokenAuth> auth = FromText(text.str());
  if (!auth.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", auth.status().message()));
  }
  return auth;
}

absl::Status TokenAuth::Check(absl::string_view authorization) const {
  if (!enabled()) return absl::OkStatus();
  absl::string_view token = absl::StripAsciiWhitespace(authorization);
  if (!absl::ConsumePrefix(&token, "Bearer ") &&
      !absl::ConsumePrefix(&token, "bearer ")) {
    return absl::UnauthenticatedError(
        "missing bearer token (send the header authorization: Bearer <token>)");
  }
  token = absl::StripAsciiWhitespace(token);
  bool known = false;
  for (const std::string& candidate : tokens_) {
    known |= SameToken(candidate, token);
  }
  if (!known) return absl::UnauthenticatedError("invalid bearer token");
  return absl::OkStatus();
}

}  // namespace wasmhpc::server
