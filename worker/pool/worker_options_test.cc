#include "worker/pool/worker_options.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "common/command_line_testing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proto/test_certs.h"

namespace wasmhpc::pool {
namespace {

using ::testing::HasSubstr;

absl::StatusOr<WorkerOptions> Parse(std::vector<std::string> args) {
  args.insert(args.begin(), "wasmhpc-worker");
  return ParseWorkerOptions(args);
}

TEST(WorkerOptions, ParsesEveryFlag) {
  absl::StatusOr<WorkerOptions> o = Parse(
      {"--head", "h:7070", "--name=p1", "--tier", "liftoff", "--max-memory",
       "512", "--module-cache=3", "--interruptible-collectives", "--token-file",
       "/etc/wasmhpc/token"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->head, "h:7070");
  EXPECT_EQ(o->name, "p1");
  EXPECT_EQ(o->tier, "liftoff");
  EXPECT_EQ(o->max_memory_mib, 512u);
  EXPECT_EQ(o->module_cache, 3u);
  EXPECT_TRUE(o->interruptible_collectives);
  EXPECT_EQ(o->token_file, "/etc/wasmhpc/token");
}

TEST(WorkerOptions, Defaults) {
  absl::StatusOr<WorkerOptions> o = Parse({"--head", "h:1"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->name, "");
  EXPECT_EQ(o->tier, "turbofan");
  EXPECT_EQ(o->max_memory_mib, 4096u);
  EXPECT_EQ(o->module_cache, 16u);
  EXPECT_FALSE(o->interruptible_collectives);
  EXPECT_EQ(o->token_file, "");
}

TEST(WorkerOptions, BadInputIsNamed) {
  EXPECT_THAT(Parse({}).status().message(), HasSubstr("--head is required"));
  EXPECT_THAT(Parse({"--head", "h:1", "--frob"}).status().message(),
              HasSubstr("not expected: --frob"));
  EXPECT_THAT(Parse({"--head"}).status().message(),
              HasSubstr("--head: 1 required TEXT missing"));
  EXPECT_THAT(
      Parse({"--head", "h:1", "--module-cache", "0"}).status().message(),
      HasSubstr("--module-cache: takes a positive number, not '0'"));
  EXPECT_THAT(
      Parse({"--head", "h:1", "--max-memory", "8192"}).status().message(),
      HasSubstr("exceeds 4096 MiB"));
  EXPECT_THAT(Parse({"--head", "h:1", "--allow-dir", "rel"}).status().message(),
              HasSubstr("--allow-dir: rel: not an absolute path"));
}

TEST(WorkerOptions, RepeatedAllowDirsAndLastValueWins) {
  absl::StatusOr<WorkerOptions> o =
      Parse({"--head", "h:1", "--allow-dir", "/a", "--name", "x",
             "--allow-dir=/b", "--name", "y"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_THAT(o->allow_dirs, ::testing::ElementsAre("/a", "/b"));
  EXPECT_EQ(o->name, "y");
}

TEST(WorkerOptions, HelpAndVersionNeedNoHead) {
  ExpectHelpAndVersion("wasmhpc-worker", Parse,
                       {"--interruptible-collectives", "(Env:WASMHPC_HEAD)"});
}

TEST(WorkerOptions, DeploymentSettingsFallBackToTheEnvironment) {
  ScopedEnv head("WASMHPC_HEAD", "envhead:7070");
  ScopedEnv name("WASMHPC_POOL_NAME", "rack1");
  ScopedEnv token("WASMHPC_TOKEN_FILE", "/env/pool.token");
  ScopedEnv key("WASMHPC_CODE_KEY", "/env/code.key");
  ScopedEnv ca("WASMHPC_CA", "/env/ca.pem");
  absl::StatusOr<WorkerOptions> o = Parse({});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->head, "envhead:7070");
  EXPECT_EQ(o->name, "rack1");
  EXPECT_EQ(o->token_file, "/env/pool.token");
  EXPECT_EQ(o->code_key, "/env/code.key");
  EXPECT_EQ(o->ca_file, "/env/ca.pem");
  o = Parse({"--head", "flag:1", "--ca", "/flag/ca.pem", "--name=p"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->head, "flag:1");
  EXPECT_EQ(o->ca_file, "/flag/ca.pem");
  EXPECT_EQ(o->name, "p");
}

// A file under the test's temporary directory holding `text`.
std::string TempFile(const std::string& name, const std::string& text) {
  const char* dir = std::getenv("TEST_TMPDIR");
  std::string path = std::string(dir ? dir : "/tmp") + "/" + name + "." +
                     std::to_string(getpid());
  std::ofstream(path) << text;
  return path;
}

TEST(WorkerOptions, TokenIsTheFirstLineOfTheTokenFile) {
  WorkerOptions o;
  o.token_file = TempFile("token", "s3cret\nsecond line\n");
  absl::StatusOr<std::string> token = ReadBearerToken(o, "from-env");
  unlink(o.token_file.c_str());
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(*token, "s3cret");  // the file wins over $WASMHPC_TOKEN
}

TEST(WorkerOptions, TokenComesFromTheEnvironmentWithoutATokenFile) {
  WorkerOptions o;
  EXPECT_EQ(ReadBearerToken(o, "from-env").value_or("?"), "from-env");
  EXPECT_EQ(ReadBearerToken(o, nullptr).value_or("?"), "");
}

TEST(WorkerOptions, UnreadableTokenFileIsAClearError) {
  WorkerOptions o;
  o.token_file = "/nonexistent/token";
  absl::StatusOr<std::string> token = ReadBearerToken(o, "from-env");
  EXPECT_EQ(token.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(token.status().message(),
              HasSubstr("--token-file /nonexistent/token: cannot open it ("
                        "No such file or directory)"));
  o.token_file = TempFile("empty-token", "\n");
  token = ReadBearerToken(o, nullptr);
  unlink(o.token_file.c_str());
  EXPECT_THAT(token.status().message(),
              HasSubstr(": no token on its first line"));
}

TEST(WorkerOptions, TlsFlags) {
  absl::StatusOr<WorkerOptions> o = Parse({"--head", "h:1"});
  ASSERT_TRUE(o.ok());
  EXPECT_FALSE(o->tls);
  EXPECT_EQ(o->ca_file, "");
  o = Parse({"--head", "h:1", "--tls", "--ca", "/ca.pem", "--tls-cert=/c.pem",
             "--tls-key", "/k.pem"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->tls);
  EXPECT_EQ(o->ca_file, "/ca.pem");
  EXPECT_EQ(o->tls_cert, "/c.pem");
  EXPECT_EQ(o->tls_key, "/k.pem");
  EXPECT_FALSE(Parse({"--head", "h:1", "--tls=false"})->tls);
  EXPECT_THAT(Parse({"--head", "h:1", "--tls=maybe"}).status().message(),
              HasSubstr("--tls"));
  EXPECT_THAT(Parse({"--head", "h:1", "--ca"}).status().message(),
              HasSubstr("--ca: 1 required TEXT missing"));
}

TEST(WorkerOptions, HeadTlsIsPlaintextUnlessAsked) {
  WorkerOptions o;
  absl::StatusOr<ClientTls> tls = ReadHeadTls(o);
  ASSERT_TRUE(tls.ok()) << tls.status();
  EXPECT_FALSE(tls->enabled);
  o.tls = true;
  tls = ReadHeadTls(o);
  ASSERT_TRUE(tls.ok()) << tls.status();
  EXPECT_TRUE(tls->enabled);
  EXPECT_EQ(tls->root_certs, "");
}

TEST(WorkerOptions, HeadTlsReadsTheCaFile) {
  testing::TestCert ca = testing::MakeTestCa("ca");
  testing::TestCert client = testing::MakeTestLeaf(ca, "pool");
  WorkerOptions o;
  std::string ca_file = TempFile("ca.pem", ca.cert_pem);
  o.ca_file = ca_file;
  absl::StatusOr<ClientTls> tls = ReadHeadTls(o);
  ASSERT_TRUE(tls.ok()) << tls.status();
  EXPECT_TRUE(tls->enabled);
  EXPECT_EQ(tls->root_certs, ca.cert_pem);
  o.ca_file = "/nonexistent/ca.pem";
  EXPECT_THAT(ReadHeadTls(o).status().message(),
              HasSubstr("--ca /nonexistent/ca.pem: cannot read it"));
  o.ca_file = ca_file;
  o.tls_cert = TempFile("cert.pem", client.cert_pem);
  EXPECT_THAT(ReadHeadTls(o).status().message(),
              HasSubstr("--tls-cert needs --tls-key"));
  o.tls_key = TempFile("key.pem", client.key_pem);
  tls = ReadHeadTls(o);
  unlink(ca_file.c_str());
  unlink(o.tls_cert.c_str());
  unlink(o.tls_key.c_str());
  ASSERT_TRUE(tls.ok()) << tls.status();
  EXPECT_EQ(tls->cert_chain, client.cert_pem);
  EXPECT_EQ(tls->private_key, client.key_pem);
}

}  // namespace
}  // namespace wasmhpc::pool
