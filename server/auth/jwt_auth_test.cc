// JwtAuth: JWTs minted here (HS256 with libjwt, RS256 and ES256 with key
// pairs made by OpenSSL at test time) name callers with roles; expired,
// not-yet-valid, wrongly signed, unsigned, wrong-algorithm, wrong
// issuer/audience and role-less tokens are refused with their reason.
// TokenAuth: JWTs beside (or without) the token file.
#include "server/auth/jwt_auth.h"

#include <jwt.h>

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/auth/test_jwt.h"
#include "server/auth/token_auth.h"

namespace wasmhpc::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kSecret[] = "0123456789abcdef0123456789abcdef-test-secret";
const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

using wasmhpc::testing::MakeTestEcKey;
using wasmhpc::testing::MakeTestRsaKey;
using wasmhpc::testing::MintTestJwt;
using wasmhpc::testing::TestKeyPair;

const TestKeyPair& Rsa() {
  static const TestKeyPair* pair = new TestKeyPair(MakeTestRsaKey());
  return *pair;
}
const TestKeyPair& OtherRsa() {
  static const TestKeyPair* pair = new TestKeyPair(MakeTestRsaKey());
  return *pair;
}
const TestKeyPair& Ec() {
  static const TestKeyPair* pair = new TestKeyPair(MakeTestEcKey());
  return *pair;
}

// A token of `claims` signed with `alg` and `key`.
std::string Mint(const std::string& alg, const std::string& key,
                 const std::string& claims) {
  std::string token = MintTestJwt(alg, key, claims);
  EXPECT_FALSE(token.empty()) << alg << " " << claims;
  return token;
}

// Claims of `name` with `role` expiring an hour after kNow, plus `extra`
// (",\"k\":v...").
std::string Claims(const std::string& name, const std::string& role,
                   const std::string& extra = "") {
  return absl::StrCat("{\"sub\":\"", name, "\",\"wasmhpc_role\":\"", role,
                      "\",\"exp\":", absl::ToUnixSeconds(kNow) + 3600, extra,
                      "}");
}

JwtAuth Hs256(JwtOptions options = {}) {
  absl::StatusOr<JwtAuth> auth = JwtAuth::FromKey(kSecret, options);
  EXPECT_TRUE(auth.ok()) << auth.status();
  return *std::move(auth);
}

JwtAuth FromPublic(const TestKeyPair& pair) {
  absl::StatusOr<JwtAuth> auth = JwtAuth::FromKey(pair.public_pem, {});
  EXPECT_TRUE(auth.ok()) << auth.status();
  return *std::move(auth);
}

// The reason Verify refuses `token`, "" when it accepts it.
std::string Refusal(const JwtAuth& auth, const std::string& token) {
  absl::StatusOr<Caller> caller = auth.Verify(token, kNow);
  if (caller.ok()) return "";
  EXPECT_EQ(caller.status().code(), absl::StatusCode::kUnauthenticated);
  return std::string(caller.status().message());
}

TEST(JwtAuth, Hs256TokensNameTheirCallerWithEachRole) {
  JwtAuth auth = Hs256();
  EXPECT_EQ(auth.algorithm(), "HS256");
  for (const char* role : {"user", "pool", "admin"}) {
    std::string token = Mint("HS256", kSecret, Claims("alice", role));
    absl::StatusOr<Caller> caller = auth.Verify(token, kNow);
    ASSERT_TRUE(caller.ok()) << role << ": " << caller.status();
    EXPECT_EQ(caller->name, "alice");
    EXPECT_EQ(caller->roles, RoleBits(role)) << role;
  }
}

TEST(JwtAuth, Rs256AndEs256VerifyWithThePublicKey) {
  JwtAuth rsa = FromPublic(Rsa());
  EXPECT_EQ(rsa.algorithm(), "RS256");
  absl::StatusOr<Caller> caller = rsa.Verify(
      Mint("RS256", Rsa().private_pem, Claims("bob", "admin")), kNow);
  ASSERT_TRUE(caller.ok()) << caller.status();
  EXPECT_EQ(caller->name, "bob");
  EXPECT_TRUE(caller->SeesAllJobs());

  JwtAuth ec = FromPublic(Ec());
  EXPECT_EQ(ec.algorithm(), "ES256");
  caller = ec.Verify(Mint("ES256", Ec().private_pem, Claims("pool-1", "pool")),
                     kNow);
  ASSERT_TRUE(caller.ok()) << caller.status();
  EXPECT_TRUE(caller->Has(Role::kPool));
  EXPECT_FALSE(caller->Has(Role::kUser));
}

TEST(JwtAuth, WrongKeyIsAnInvalidSignatureAndNeverQuotesTheKey) {
  std::string forged =
      Mint("HS256", std::string(kSecret) + "x", Claims("alice", "admin"));
  std::string why = Refusal(Hs256(), forged);
  EXPECT_EQ(why, "JWT signature invalid");
  EXPECT_THAT(why, Not(HasSubstr(kSecret)));
  EXPECT_EQ(Refusal(FromPublic(Rsa()), Mint("RS256", OtherRsa().private_pem,
                                            Claims("alice", "admin"))),
            "JWT signature invalid");
  // A valid token with its payload swapped for another's.
  std::string user = Mint("HS256", kSecret, Claims("alice", "user"));
  std::string admin = Mint("HS256", kSecret, Claims("alice", "admin"));
  std::string spliced =
      user.substr(0, user.find('.')) +
      admin.substr(admin.find('.'), admin.rfind('.') - admin.find('.')) +
      user.substr(user.rfind('.'));
  EXPECT_EQ(Refusal(Hs256(), spliced), "JWT signature invalid");
}

TEST(JwtAuth, UnsignedAndOtherAlgorithmsAreRefusedBeforeTheSignature) {
  std::string unsigned_token = Mint("none", "", Claims("a", "admin"));
  EXPECT_THAT(Refusal(Hs256(), unsigned_token),
              HasSubstr("algorithm is 'none'; this head accepts HS256 only"));
  EXPECT_THAT(Refusal(FromPublic(Rsa()), unsigned_token),
              HasSubstr("accepts RS256 only"));
  // HS256 "signed" with the RSA public key: libjwt alone would accept it
  // with that key, the head does not.
  std::string confused = Mint("HS256", Rsa().public_pem, Claims("a", "admin"));
  jwt_t* decoded = nullptr;
  EXPECT_EQ(jwt_decode(
                &decoded, confused.c_str(),
                reinterpret_cast<const unsigned char*>(Rsa().public_pem.data()),
                static_cast<int>(Rsa().public_pem.size())),
            0);
  jwt_free(decoded);
  EXPECT_THAT(Refusal(FromPublic(Rsa()), confused),
              HasSubstr("algorithm is 'HS256'; this head accepts RS256 only"));
  EXPECT_THAT(Refusal(Hs256(), Mint("HS512", kSecret, Claims("a", "user"))),
              HasSubstr("algorithm is 'HS512'"));
}

TEST(JwtAuth, ExpIsRequiredAndEnforcedWithLeewayNbfIsHonoured) {
  JwtAuth auth = Hs256();
  int64_t now = absl::ToUnixSeconds(kNow);
  auto with_times = [&](const std::string& times) {
    return Mint(
        "HS256", kSecret,
        absl::StrCat("{\"sub\":\"a\",\"wasmhpc_role\":\"user\"", times, "}"));
  };
  EXPECT_EQ(Refusal(auth, with_times(absl::StrCat(",\"exp\":", now - 120))),
            "JWT expired at 2027-01-15T07:58:00+00:00");
  EXPECT_EQ(Refusal(auth, with_times(absl::StrCat(",\"exp\":", now - 30))), "");
  EXPECT_THAT(Refusal(auth, with_times("")), HasSubstr("has no exp claim"));
  EXPECT_THAT(Refusal(auth, with_times(",\"exp\":\"tomorrow\"")),
              HasSubstr("claim exp is not a time"));
  EXPECT_EQ(Refusal(auth, with_times(absl::StrCat(",\"exp\":", now + 9999,
                                                  ",\"nbf\":", now + 600))),
            "JWT not valid before 2027-01-15T08:10:00+00:00");
  EXPECT_EQ(Refusal(auth, with_times(absl::StrCat(",\"exp\":", now + 9999,
                                                  ",\"nbf\":", now + 30))),
            "");
}

TEST(JwtAuth, IssuerAndAudienceAreCheckedWhenConfigured) {
  JwtAuth auth = Hs256({"https://idp.example", "wasmhpc"});
  auto with = [](const std::string& extra) {
    return Mint("HS256", kSecret, Claims("a", "user", extra));
  };
  EXPECT_EQ(
      Refusal(auth,
              with(",\"iss\":\"https://idp.example\",\"aud\":\"wasmhpc\"")),
      "");
  EXPECT_EQ(Refusal(auth, with(",\"iss\":\"https://idp.example\","
                               "\"aud\":[\"other\",\"wasmhpc\"]")),
            "");
  EXPECT_THAT(Refusal(auth, with(",\"iss\":\"https://evil.example\","
                                 "\"aud\":\"wasmhpc\"")),
              HasSubstr("issuer is not 'https://idp.example'"));
  EXPECT_THAT(Refusal(auth, with(",\"aud\":\"wasmhpc\"")),
              HasSubstr("issuer is not"));
  EXPECT_THAT(Refusal(auth, with(",\"iss\":\"https://idp.example\","
                                 "\"aud\":[\"other\"]")),
              HasSubstr("audience does not include 'wasmhpc'"));
  EXPECT_THAT(Refusal(auth, with(",\"iss\":\"https://idp.example\"")),
              HasSubstr("audience does not include"));
  // Not configured: not checked.
  EXPECT_EQ(Refusal(Hs256(), with(",\"iss\":\"x\",\"aud\":\"y\"")), "");
}

TEST(JwtAuth, SubAndRoleAreRequiredAndValidated) {
  JwtAuth auth = Hs256();
  auto mint = [](const std::string& claims) {
    return Mint("HS256", kSecret, claims);
  };
  EXPECT_EQ(Refusal(auth, mint(Claims("alice", "root"))),
            "JWT role claim 'wasmhpc_role' is 'root', not user, pool or admin");
  EXPECT_EQ(Refusal(auth, mint("{\"sub\":\"a\",\"exp\":1900000000}")),
            "JWT has no role claim 'wasmhpc_role' (user, pool or admin)");
  EXPECT_THAT(Refusal(auth, mint(Claims("a b", "user"))),
              HasSubstr("sub is not a caller name"));
  EXPECT_THAT(Refusal(auth, mint(Claims(std::string(65, 'a'), "user"))),
              HasSubstr("sub is not a caller name"));
  EXPECT_THAT(
      Refusal(auth, mint("{\"wasmhpc_role\":\"user\",\"exp\":1900000000}")),
      HasSubstr("has no sub claim"));
}

TEST(JwtAuth, MalformedTokensSayWhatIsWrong) {
  JwtAuth auth = Hs256();
  EXPECT_THAT(Refusal(auth, "a.b.c"), HasSubstr("malformed"));
  EXPECT_THAT(Refusal(auth, "a.b"), HasSubstr("malformed"));
  std::string header =
      absl::WebSafeBase64Escape("{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
  EXPECT_THAT(Refusal(auth, header + ".!!!.x"),
              HasSubstr("its payload is not base64url-encoded JSON"));
}

TEST(JwtAuth, BadKeysAreRefusedSayingWhy) {
  absl::StatusOr<JwtAuth> short_secret = JwtAuth::FromKey("short-secret", {});
  EXPECT_EQ(short_secret.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(short_secret.status().message(), HasSubstr("at least 32"));
  EXPECT_THAT(short_secret.status().message(), Not(HasSubstr("short-secret")));
  absl::StatusOr<JwtAuth> private_key = JwtAuth::FromKey(Rsa().private_pem, {});
  EXPECT_THAT(private_key.status().message(), HasSubstr("public half"));
  absl::StatusOr<JwtAuth> small_rsa =
      JwtAuth::FromKey(MakeTestRsaKey(1024).public_pem, {});
  EXPECT_THAT(small_rsa.status().message(), HasSubstr("2048"));
  absl::StatusOr<JwtAuth> p384 =
      JwtAuth::FromKey(MakeTestEcKey("P-384").public_pem, {});
  EXPECT_THAT(p384.status().message(), HasSubstr("P-256"));
  absl::StatusOr<JwtAuth> missing = JwtAuth::FromFile("/nonexistent/key", {});
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
}

TEST(TokenAuthWithJwt, JwtAloneEnablesAuthAndTheTokenFileStillWorks) {
  TokenAuth jwt_only;
  jwt_only.set_jwt(Hs256());
  EXPECT_TRUE(jwt_only.enabled());
  // Authenticate checks at the real time.
  std::string carol =
      Mint("HS256", kSecret,
           absl::StrCat("{\"sub\":\"carol\",\"wasmhpc_role\":\"user\",\"exp\":",
                        absl::ToUnixSeconds(absl::Now()) + 3600, "}"));
  absl::StatusOr<Caller> caller =
      jwt_only.Authenticate(absl::StrCat("Bearer ", carol));
  ASSERT_TRUE(caller.ok()) << caller.status();
  EXPECT_EQ(caller->name, "carol");
  EXPECT_EQ(
      jwt_only.Authenticate("Bearer not-a-jwt-0123456789").status().message(),
      "invalid bearer token");
  EXPECT_EQ(jwt_only.Authenticate("").status().code(),
            absl::StatusCode::kUnauthenticated);

  absl::StatusOr<TokenAuth> both =
      TokenAuth::FromText("alice-0123456789abcdef alice user\n");
  ASSERT_TRUE(both.ok());
  both->set_jwt(Hs256());
  EXPECT_EQ(both->Authenticate("Bearer alice-0123456789abcdef")->name, "alice");
  EXPECT_EQ(both->Authenticate("Bearer a.b.c").status().message(),
            "JWT malformed: its header is not base64url-encoded JSON");

  absl::StatusOr<TokenAuth> file_only =
      TokenAuth::FromText("alice-0123456789abcdef alice user\n");
  EXPECT_EQ(file_only->Authenticate(absl::StrCat("Bearer ", carol))
                .status()
                .message(),
            "invalid bearer token");
}

}  // namespace
}  // namespace wasmhpc::server
