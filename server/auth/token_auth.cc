#include "server/auth/token_auth.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "cache-store/module_digest.h"

namespace wasmhpc::server {
namespace {

constexpr size_t kMinTokenLength = 16;

// Equal strings, in time that depends on the lengths only.
bool SameToken(absl::string_view a, absl::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i) {
    diff |= static_cast<unsigned char>(a[i]) ^
            static_cast<unsigned char>(i < b.size() ? b[i] : 0);
  }
  return diff == 0;
}

// One `TOKEN NAME ROLE` line (or an old-form `TOKEN`) as a caller.
absl::StatusOr<Caller> ParseLine(absl::string_view token,
                                 const std::vector<absl::string_view>& rest,
                                 std::vector<std::string>* warnings,
                                 int line_number) {
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", line_number, ": ", why,
                     " (expected TOKEN NAME ROLE, ROLE one of user, pool, "
                     "admin)"));
  };
  if (rest.empty()) {
    std::string name = absl::StrCat("token-", ModuleDigest(token).substr(7, 8));
    warnings->push_back(absl::StrCat(
        "line ", line_number, ": a token without NAME and ROLE is the user '",
        name, "'; write TOKEN NAME ROLE (ROLE: user, pool or admin)"));
    return Caller{name, RoleBits("user")};
  }
  if (rest.size() != 2) return bad("wrong number of fields");
  if (token.size() < kMinTokenLength) {
    return bad(absl::StrCat("token shorter than ", kMinTokenLength,
                            " characters (make one with openssl rand -hex "
                            "32)"));
  }
  if (!IsValidCallerName(rest[0])) {
    return bad(absl::StrCat("bad name '", rest[0],
                            "' (letters, digits, . _ - @; at most ",
                            kMaxCallerNameLength, ")"));
  }
  uint8_t roles = RoleBits(rest[1]);
  if (roles == 0) return bad(absl::StrCat("unknown role '", rest[1], "'"));
  return Caller{std::string(rest[0]), roles};
}

}  // namespace

absl::StatusOr<TokenAuth> TokenAuth::FromText(absl::string_view text) {
  TokenAuth auth;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || absl::StartsWith(line, "#")) continue;
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    absl::string_view token = fields[0];
    fields.erase(fields.begin());
    absl::StatusOr<Caller> caller =
        ParseLine(token, fields, &auth.warnings_, line_number);
    if (!caller.ok()) return caller.status();
    for (const Entry& entry : auth.entries_) {
      if (entry.token == token) {
        return absl::InvalidArgumentError(absl::StrCat(
            "line ", line_number, ": the token of '", entry.caller.name,
            "' again (every token must name one caller)"));
      }
    }
    auth.entries_.push_back({std::string(token), *std::move(caller)});
  }
  if (auth.entries_.empty()) {
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

absl::StatusOr<Caller> TokenAuth::Authenticate(
    absl::string_view authorization) const {
  if (!enabled()) return Caller::Local();
  absl::string_view token = absl::StripAsciiWhitespace(authorization);
  if (!absl::ConsumePrefix(&token, "Bearer ") &&
      !absl::ConsumePrefix(&token, "bearer ")) {
    return absl::UnauthenticatedError(
        "missing bearer token (send the header authorization: Bearer <token>)");
  }
  token = absl::StripAsciiWhitespace(token);
  const Entry* found = nullptr;
  for (const Entry& entry : entries_) {
    if (SameToken(entry.token, token)) found = &entry;
  }
  if (found != nullptr) return found->caller;
  if (jwt_.has_value() && std::count(token.begin(), token.end(), '.') == 2) {
    return jwt_->Verify(token, absl::Now());
  }
  return absl::UnauthenticatedError("invalid bearer token");
}

}  // namespace wasmhpc::server
