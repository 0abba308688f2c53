// TokenAuth: tokens name callers with roles; missing or wrong tokens and bad
// lines are refused. Permit: who may do what (caller.h).
#include "server/auth/token_auth.h"

#include <fstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wasmhpc::server {
namespace {

using ::testing::HasSubstr;

constexpr char kAlice[] = "alice-0123456789abcdef";
constexpr char kPool[] = "pool-0123456789abcdef";
constexpr char kRoot[] = "root-0123456789abcdef";

TokenAuth ThreeRoles() {
  absl::StatusOr<TokenAuth> auth = TokenAuth::FromText(
      absl::StrCat("# name role\n", kAlice, " alice user\n  ", kPool,
                   "\tpool-a  pool\n\n", kRoot, " ops admin\n"));
  EXPECT_TRUE(auth.ok()) << auth.status();
  return *std::move(auth);
}

TEST(TokenAuth, DisabledIsTheLocalCallerWithEveryRole) {
  TokenAuth auth;
  EXPECT_FALSE(auth.enabled());
  absl::StatusOr<Caller> caller = auth.Authenticate("");
  ASSERT_TRUE(caller.ok());
  EXPECT_EQ(caller->name, "local");
  EXPECT_TRUE(Permit(*caller, Access::kPool, "x").ok());
  EXPECT_TRUE(Permit(*caller, Access::kAdmin, "x").ok());
}

TEST(TokenAuth, KnownTokenNamesItsCallerMissingOrWrongAreUnauthenticated) {
  TokenAuth auth = ThreeRoles();
  absl::StatusOr<Caller> alice =
      auth.Authenticate(absl::StrCat("Bearer ", kAlice));
  ASSERT_TRUE(alice.ok());
  EXPECT_EQ(alice->name, "alice");
  EXPECT_EQ(auth.Authenticate(absl::StrCat("Bearer ", kPool))->name, "pool-a");
  absl::Status missing = auth.Authenticate("").status();
  EXPECT_EQ(missing.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(missing.message(), HasSubstr("missing bearer token"));
  EXPECT_EQ(auth.Authenticate(kAlice).status().code(),
            absl::StatusCode::kUnauthenticated);
  absl::Status wrong =
      auth.Authenticate(absl::StrCat("Bearer ", kAlice, "X")).status();
  EXPECT_EQ(wrong.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(wrong.message(), HasSubstr("invalid bearer token"));
  EXPECT_FALSE(auth.Authenticate("Bearer alice").ok());  // A name, no token.
}

TEST(TokenAuth, RolesGrantTheirOperationsOnly) {
  TokenAuth auth = ThreeRoles();
  Caller user = *auth.Authenticate(absl::StrCat("Bearer ", kAlice));
  Caller pool = *auth.Authenticate(absl::StrCat("Bearer ", kPool));
  Caller admin = *auth.Authenticate(absl::StrCat("Bearer ", kRoot));
  EXPECT_TRUE(Permit(user, Access::kUser, "submit jobs").ok());
  absl::Status attach = Permit(user, Access::kPool, "attach pools");
  EXPECT_EQ(attach.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(attach.message(),
              HasSubstr("'alice' (user) may not attach pools"));
  EXPECT_EQ(Permit(user, Access::kAdmin, "drain pools").code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(Permit(pool, Access::kPool, "attach pools").ok());
  EXPECT_EQ(Permit(pool, Access::kUser, "submit jobs").code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Permit(pool, Access::kAdmin, "drain pools").code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(Permit(admin, Access::kAdmin, "drain pools").ok());
  EXPECT_TRUE(Permit(admin, Access::kUser, "submit jobs").ok());
  EXPECT_EQ(Permit(admin, Access::kPool, "attach pools").code(),
            absl::StatusCode::kPermissionDenied);
  for (const Caller& c : {user, pool, admin}) {
    EXPECT_TRUE(Permit(c, Access::kAny, "list pools").ok());
  }
  // Jobs: a user reaches its own only, as if the others did not exist.
  EXPECT_TRUE(PermitJob(user, "alice", "job-1").ok());
  EXPECT_EQ(PermitJob(user, "bob", "job-2").code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(PermitJob(user, "", "job-3").code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(PermitJob(admin, "bob", "job-2").ok());
}

TEST(TokenAuth, OldOneTokenLinesAreUsersWithAWarning) {
  absl::StatusOr<TokenAuth> auth = TokenAuth::FromText("s3cret\n");
  ASSERT_TRUE(auth.ok());
  ASSERT_EQ(auth->warnings().size(), 1u);
  EXPECT_THAT(auth->warnings()[0], HasSubstr("TOKEN NAME ROLE"));
  Caller caller = *auth->Authenticate("Bearer s3cret");
  EXPECT_THAT(caller.name, ::testing::StartsWith("token-"));
  EXPECT_TRUE(Permit(caller, Access::kUser, "x").ok());
  EXPECT_FALSE(Permit(caller, Access::kPool, "x").ok());
}

TEST(TokenAuth, BadLinesAreRefusedNamingTheLine) {
  for (const char* text :
       {"alice-0123456789abcdef alice wizard\n",  // unknown role
        "alice-0123456789abcdef alice\n",         // a field missing
        "short alice user\n",                     // token too short
        "alice-0123456789abcdef al/ice user\n",   // bad name
        "alice-0123456789abcdef a user\nalice-0123456789abcdef b admin\n",
        "# nothing\n\n"}) {
    absl::StatusOr<TokenAuth> auth = TokenAuth::FromText(text);
    EXPECT_EQ(auth.status().code(), absl::StatusCode::kInvalidArgument) << text;
  }
  EXPECT_THAT(TokenAuth::FromText("\nalice-0123456789abcdef alice wizard\n")
                  .status()
                  .message(),
              HasSubstr("line 2: unknown role 'wizard'"));
}

TEST(TokenAuth, MissingFileIsNotFound) {
  EXPECT_EQ(TokenAuth::FromFile("/no/such/tokens").status().code(),
            absl::StatusCode::kNotFound);
  std::string path = testing::TempDir() + "/tokens";
  std::ofstream(path) << kAlice << " alice user\n";
  absl::StatusOr<TokenAuth> auth = TokenAuth::FromFile(path);
  ASSERT_TRUE(auth.ok());
  EXPECT_TRUE(auth->Authenticate(absl::StrCat("Bearer ", kAlice)).ok());
}

}  // namespace
}  // namespace wasmhpc::server
