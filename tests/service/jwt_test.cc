// JWT bearer tokens end to end (issue 15): wasmhpc-head with --jwt-key (an
// RS256 public key made at test time) and --jwt-issuer, a worker pool under
// mpirun that attaches with a pool JWT, and wasmhpc-cli with users' JWTs:
// a user runs and follows its job; another user neither sees nor cancels
// it, nor attaches as a pool; an admin sees it; expired, wrongly issued and
// algorithm-confused tokens are refused saying why; PyJWT's tokens work.
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "client-cli/subprocess.h"
#include "common/test_files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proto/test_certs.h"
#include "server/auth/test_jwt.h"
#include "tests/pool/pool_process.h"
#include "tests/service/head_process.h"

namespace wasmhpc::testing {
namespace {

using cli::testing::Subprocess;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr absl::Duration kCli = absl::Seconds(60);
constexpr char kIssuer[] = "wasmhpc-test-idp";

class JwtTest : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = MakeTestRsaKey();
    ASSERT_FALSE(key_.public_pem.empty());
    ASSERT_TRUE(WriteTestFile(Path("jwt.pem"), key_.public_pem));
    auto head = HeadProcess::Start(WASMHPC_HEAD_BINARY, Path("data"),
                                   {"--rest-port", "off", "--jwt-key",
                                    Path("jwt.pem"), "--jwt-issuer", kIssuer});
    ASSERT_TRUE(head.ok()) << head.status();
    head_ = *std::move(head);
  }

  void TearDown() override {
    pool_.reset();
    head_.reset();
  }

  std::string Path(const std::string& name) const { return dir_.Path(name); }

  int HeadPort() const {
    const std::string& address = head_->address();
    return std::stoi(address.substr(address.rfind(':') + 1));
  }

  // An RS256 JWT for `name` with `role`, issued by kIssuer, expiring
  // `expires_in` from now.
  std::string Token(const std::string& name, const std::string& role,
                    absl::Duration expires_in = absl::Hours(1),
                    const std::string& issuer = kIssuer) const {
    std::string token = MintTestJwt(
        "RS256", key_.private_pem,
        absl::StrCat("{\"sub\":\"", name, "\",\"wasmhpc_role\":\"", role,
                     "\",\"iss\":\"", issuer, "\",\"exp\":",
                     absl::ToUnixSeconds(absl::Now() + expires_in), "}"));
    EXPECT_FALSE(token.empty());
    return token;
  }

  // Runs wasmhpc-cli --server HEAD --token TOKEN ARGS... to its end.
  Subprocess::Result Cli(const std::string& token,
                         std::vector<std::string> args) {
    args.insert(args.begin(), {WASMHPC_CLI_BINARY, "--server", head_->address(),
                               "--token", token});
    auto cli = Subprocess::Start(args);
    EXPECT_TRUE(cli.ok()) << cli.status();
    if (!cli.ok()) return {};
    return (*cli)->Wait(kCli);
  }

  TempDir dir_{"jwt_test_"};
  TestKeyPair key_;
  std::unique_ptr<HeadProcess> head_;
  std::unique_ptr<PoolProcess> pool_;
};

TEST_F(JwtTest, PoolsAndUsersAuthenticateWithJwtsAndKeepTheirRoles) {
  ASSERT_TRUE(WriteTestFile(Path("pool.jwt"), Token("pool-a", "pool") + "\n"));
  pool_ = std::make_unique<PoolProcess>(
      WASMHPC_WORKER_BINARY, 3, HeadPort(),
      std::vector<std::string>{"--token-file", Path("pool.jwt")});
  ASSERT_TRUE(pool_->AwaitOutput("attached to", absl::Seconds(90)))
      << pool_->Output();

  const std::string alice = Token("alice", "user");
  Subprocess::Result submitted =
      Cli(alice, {"submit", WASMHPC_HELLO_WASM, "--ranks", "2", "--detach"});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  const std::string id(absl::StripAsciiWhitespace(submitted.out));
  ASSERT_FALSE(id.empty());
  Subprocess::Result logs = Cli(alice, {"logs", "--follow", id});
  EXPECT_EQ(logs.exit_code, 0) << logs.err << "\npool:\n" << pool_->Output();
  EXPECT_THAT(logs.out, HasSubstr("hello from rank 1 of 2"));

  // Another user: not in its listing, and cancel/status say "no job".
  const std::string bob = Token("bob", "user");
  Subprocess::Result listed = Cli(bob, {"jobs"});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_THAT(listed.out, Not(HasSubstr(id)));
  Subprocess::Result cancel = Cli(bob, {"cancel", id});
  EXPECT_EQ(cancel.exit_code, 1) << cancel.out;
  EXPECT_THAT(cancel.err, HasSubstr("no job " + id));
  // ... and a user JWT cannot attach as a pool.
  GrpcFakePool rogue(head_->Connect(), bob);
  EXPECT_THAT(rogue.Attach(2).status().message(),
              HasSubstr("may not attach pools"));

  // An admin sees every job.
  Subprocess::Result status = Cli(Token("ops", "admin"), {"status", id});
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_THAT(status.out, HasSubstr(id));
}

TEST_F(JwtTest, BadTokensAreRefusedSayingWhy) {
  struct Case {
    std::string token;
    std::string why;
  };
  const std::vector<Case> cases = {
      {Token("alice", "user", -absl::Hours(1)), "JWT expired at"},
      {Token("alice", "user", absl::Hours(1), "another-idp"),
       "JWT issuer is not 'wasmhpc-test-idp'"},
      {Token("alice", "root"), "not user, pool or admin"},
      // HS256 "signed" with the public key, which every client may have.
      {MintTestJwt("HS256", key_.public_pem,
                   absl::StrCat("{\"sub\":\"alice\",\"wasmhpc_role\":\"admin\","
                                "\"iss\":\"",
                                kIssuer, "\",\"exp\":",
                                absl::ToUnixSeconds(absl::Now()) + 3600, "}")),
       "this head accepts RS256 only"},
      {MintTestJwt("RS256", MakeTestRsaKey().private_pem,
                   absl::StrCat("{\"sub\":\"alice\",\"wasmhpc_role\":\"admin\","
                                "\"iss\":\"",
                                kIssuer, "\",\"exp\":",
                                absl::ToUnixSeconds(absl::Now()) + 3600, "}")),
       "JWT signature invalid"},
  };
  for (const Case& c : cases) {
    Subprocess::Result listed = Cli(c.token, {"jobs"});
    EXPECT_EQ(listed.exit_code, 1) << c.why << ": " << listed.out;
    EXPECT_THAT(listed.err, HasSubstr(c.why));
    EXPECT_THAT(listed.err, Not(HasSubstr("PRIVATE KEY")));
  }
}

// Tokens minted elsewhere: PyJWT (Debian's python3-jwt) signs with the same
// private key as an identity provider would.
TEST_F(JwtTest, TokensFromPyJwtAuthenticate) {
  ASSERT_TRUE(WriteTestFile(Path("jwt-private.pem"), key_.private_pem));
  auto python = Subprocess::Start(
      {WASMHPC_PYTHON, "-c",
       "import jwt, sys, time\n"
       "print(jwt.encode({'sub': 'alice', 'wasmhpc_role': 'user',\n"
       "                  'iss': sys.argv[2], 'aud': ['x', 'wasmhpc'],\n"
       "                  'exp': int(time.time()) + 600},\n"
       "                 open(sys.argv[1]).read(), 'RS256'))",
       Path("jwt-private.pem"), kIssuer});
  ASSERT_TRUE(python.ok()) << python.status();
  Subprocess::Result minted = (*python)->Wait(kCli);
  if (minted.exit_code != 0 && absl::StrContains(minted.err, "No module")) {
    GTEST_SKIP() << WASMHPC_PYTHON << " lacks python3-jwt: " << minted.err;
  }
  ASSERT_EQ(minted.exit_code, 0) << minted.err;
  Subprocess::Result listed =
      Cli(std::string(absl::StripAsciiWhitespace(minted.out)), {"jobs"});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
}

}  // namespace
}  // namespace wasmhpc::testing
