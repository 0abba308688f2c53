#include "server/auth/jwt_auth.h"

#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace wasmhpc::server {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

constexpr size_t kMinSecretBytes = 32;
// Numbers above this are not times in seconds (year 33658).
constexpr double kMaxTimeClaim = 1e12;

absl::Status Refuse(absl::string_view why) {
  return absl::UnauthenticatedError(absl::StrCat("JWT ", why));
}

std::string FormatUtc(absl::Time t) {
  return absl::FormatTime(absl::RFC3339_sec, t, absl::UTCTimeZone());
}

// The algorithm a PEM public key verifies, or InvalidArgument.
absl::StatusOr<std::string> PublicKeyAlgorithm(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
  if (key == nullptr) {
    return absl::InvalidArgumentError(
        "a PEM file without a public key ('-----BEGIN PUBLIC KEY-----'); "
        "for a key pair give its public half (openssl pkey -in KEY -pubout)");
  }
  if (EVP_PKEY_get_base_id(key.get()) == EVP_PKEY_RSA) {
    if (EVP_PKEY_get_bits(key.get()) < 2048) {
      return absl::InvalidArgumentError(
          "an RSA key shorter than 2048 bits; make a longer one");
    }
    return std::string("RS256");
  }
  char group[64] = {0};
  size_t length = 0;
  if (EVP_PKEY_get_base_id(key.get()) == EVP_PKEY_EC &&
      EVP_PKEY_get_group_name(key.get(), group, sizeof(group), &length) &&
      std::string(group, length) == "prime256v1") {
    return std::string("ES256");
  }
  return absl::InvalidArgumentError(
      "a public key that is neither RSA (RS256) nor EC on P-256 (ES256)");
}

// One base64url part of the token as a JSON object.
absl::StatusOr<Struct> ParsePart(absl::string_view part,
                                 absl::string_view what) {
  std::string json;
  Struct object;
  if (!absl::WebSafeBase64Unescape(part, &json) ||
      !google::protobuf::util::JsonStringToMessage(json, &object).ok()) {
    return Refuse(absl::StrCat("malformed: its ", what,
                               " is not base64url-encoded JSON"));
  }
  return object;
}

// The field's value if it is a string, else nullptr.
const std::string* StringField(const Struct& object, const std::string& key) {
  auto it = object.fields().find(key);
  if (it == object.fields().end() ||
      it->second.kind_case() != Value::kStringValue) {
    return nullptr;
  }
  return &it->second.string_value();
}

// The claim `key` as a time: nullopt when absent, an error when not a
// number of seconds.
absl::StatusOr<std::optional<absl::Time>> TimeClaim(const Struct& claims,
                                                    const std::string& key) {
  auto it = claims.fields().find(key);
  if (it == claims.fields().end()) return std::nullopt;
  double seconds = it->second.number_value();
  if (it->second.kind_case() != Value::kNumberValue || !(seconds >= 0) ||
      seconds > kMaxTimeClaim) {
    return Refuse(
        absl::StrCat("claim ", key, " is not a time in seconds since 1970"));
  }
  return absl::FromUnixSeconds(static_cast<int64_t>(seconds));
}

absl::Status CheckTimes(const Struct& claims, absl::Time now) {
  absl::StatusOr<std::optional<absl::Time>> exp = TimeClaim(claims, "exp");
  if (!exp.ok()) return exp.status();
  if (!exp->has_value()) {
    return Refuse(
        "has no exp claim (its expiry, seconds since 1970); the head "
        "accepts no token that never expires");
  }
  if (now > **exp + kJwtLeeway) {
    return Refuse(absl::StrCat("expired at ", FormatUtc(**exp)));
  }
  absl::StatusOr<std::optional<absl::Time>> nbf = TimeClaim(claims, "nbf");
  if (!nbf.ok()) return nbf.status();
  if (nbf->has_value() && now + kJwtLeeway < **nbf) {
    return Refuse(absl::StrCat("not valid before ", FormatUtc(**nbf)));
  }
  return absl::OkStatus();
}

// aud is a string or a list of strings.
bool HasAudience(const Struct& claims, const std::string& audience) {
  auto it = claims.fields().find("aud");
  if (it == claims.fields().end()) return false;
  if (it->second.kind_case() == Value::kStringValue) {
    return it->second.string_value() == audience;
  }
  if (it->second.kind_case() != Value::kListValue) return false;
  for (const Value& value : it->second.list_value().values()) {
    if (value.kind_case() == Value::kStringValue &&
        value.string_value() == audience) {
      return true;
    }
  }
  return false;
}

absl::Status CheckIssuerAndAudience(const Struct& claims,
                                    const JwtOptions& options) {
  if (!options.issuer.empty()) {
    const std::string* iss = StringField(claims, "iss");
    if (iss == nullptr || *iss != options.issuer) {
      return Refuse(absl::StrCat("issuer is not '", options.issuer,
                                 "' (the head's --jwt-issuer)"));
    }
  }
  if (!options.audience.empty() && !HasAudience(claims, options.audience)) {
    return Refuse(absl::StrCat("audience does not include '", options.audience,
                               "' (the head's --jwt-audience)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<Caller> CallerOf(const Struct& claims) {
  const std::string* sub = StringField(claims, "sub");
  if (sub == nullptr) {
    return Refuse("has no sub claim (the caller's name)");
  }
  if (!IsValidCallerName(*sub)) {
    return Refuse(absl::StrCat(
        "sub is not a caller name (letters, digits, . _ - @; at most ",
        kMaxCallerNameLength, ")"));
  }
  const std::string* role = StringField(claims, "wasmhpc_role");
  if (role == nullptr) {
    return Refuse("has no role claim 'wasmhpc_role' (user, pool or admin)");
  }
  uint8_t roles = RoleBits(*role);
  if (roles == 0) {
    return Refuse(absl::StrCat("role claim 'wasmhpc_role' is '",
                               absl::CEscape(*role),
                               "', not user, pool or admin"));
  }
  return Caller{*sub, roles};
}

// OK when libjwt verifies `token`'s signature with `key` (its algorithm is
// already checked to be the one configured).
absl::Status CheckSignature(absl::string_view token, const std::string& key) {
  jwt_t* decoded = nullptr;
  int error = jwt_decode(&decoded, std::string(token).c_str(),
                         reinterpret_cast<const unsigned char*>(key.data()),
                         static_cast<int>(key.size()));
  jwt_free(decoded);
  if (error != 0) return Refuse("signature invalid");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<JwtAuth> JwtAuth::FromKey(std::string key, JwtOptions options) {
  JwtAuth auth;
  if (absl::StrContains(key, "-----BEGIN")) {
    absl::StatusOr<std::string> algorithm = PublicKeyAlgorithm(key);
    if (!algorithm.ok()) return algorithm.status();
    auth.algorithm_ = *std::move(algorithm);
  } else if (key.size() < kMinSecretBytes) {
    return absl::InvalidArgumentError(absl::StrCat(
        "an HS256 secret of ", key.size(), " bytes; it needs at least ",
        kMinSecretBytes, " (make one with: openssl rand -hex 32 > FILE)"));
  } else {
    auth.algorithm_ = "HS256";
  }
  auth.key_ = std::move(key);
  auth.options_ = std::move(options);
  return auth;
}

absl::StatusOr<JwtAuth> JwtAuth::FromFile(const std::string& path,
                                          JwtOptions options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::string message = absl::StrCat(path, ": ", std::strerror(errno));
    return errno == EACCES ? absl::PermissionDeniedError(message)
                           : absl::NotFoundError(message);
  }
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<JwtAuth> auth = FromKey(text.str(), std::move(options));
  if (!auth.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", auth.status().message()));
  }
  return auth;
}

absl::StatusOr<Caller> JwtAuth::Verify(absl::string_view token,
                                       absl::Time now) const {
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3) {
    return Refuse("malformed: want header.payload.signature");
  }
  absl::StatusOr<Struct> header = ParsePart(parts[0], "header");
  if (!header.ok()) return header.status();
  const std::string* alg = StringField(*header, "alg");
  if (alg == nullptr || *alg != algorithm_) {
    return Refuse(absl::StrCat(
        "algorithm is '", alg == nullptr ? "" : absl::CEscape(*alg),
        "'; this head accepts ", algorithm_, " only (its --jwt-key)"));
  }
  const std::string* typ = StringField(*header, "typ");
  if (typ != nullptr && !absl::EqualsIgnoreCase(*typ, "JWT")) {
    return Refuse(absl::StrCat("typ is '", absl::CEscape(*typ), "', not JWT"));
  }
  absl::StatusOr<Struct> claims = ParsePart(parts[1], "payload");
  if (!claims.ok()) return claims.status();
  if (absl::Status s = CheckSignature(token, key_); !s.ok()) return s;
  if (absl::Status s = CheckTimes(*claims, now); !s.ok()) return s;
  if (absl::Status s = CheckIssuerAndAudience(*claims, options_); !s.ok()) {
    return s;
  }
  return CallerOf(*claims);
}

}  // namespace wasmhpc::server
