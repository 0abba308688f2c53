// TLS end to end (issue 15): wasmhpc-head with --tls-cert/--tls-key (and
// --tls-client-ca), reached by gRPC clients, wasmhpc-cli and a worker pool
// under mpirun. The CA and the certificates are made at test time.
#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "client-cli/subprocess.h"
#include "common/test_files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proto/test_certs.h"
#include "tests/pool/pool_process.h"
#include "tests/service/head_process.h"
#include "wasmhpc/v1/jobs.grpc.pb.h"
#include "wasmhpc/v1/pools.grpc.pb.h"

namespace wasmhpc::testing {
namespace {

using cli::testing::Subprocess;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr absl::Duration kCli = absl::Seconds(60);

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_ = MakeTestCa("wasmhpc test CA");
    other_ca_ = MakeTestCa("some other CA");
    TestCert server = MakeTestLeaf(ca_, "head");
    client_ = MakeTestLeaf(ca_, "pool-a");
    rogue_ = MakeTestLeaf(other_ca_, "rogue");
    for (const auto& [name, text] :
         std::vector<std::pair<std::string, std::string>>{
             {"ca.pem", ca_.cert_pem},
             {"other-ca.pem", other_ca_.cert_pem},
             {"server.pem", server.cert_pem},
             {"server-key.pem", server.key_pem},
             {"client.pem", client_.cert_pem},
             {"client-key.pem", client_.key_pem}}) {
      ASSERT_TRUE(WriteTestFile(Path(name), text));
    }
  }

  void TearDown() override {
    pool_.reset();
    head_.reset();
  }

  std::string Path(const std::string& name) const { return dir_.Path(name); }

  // Starts a TLS head (REST off unless `rest`) with `args` added.
  void StartHead(std::vector<std::string> args = {}, bool rest = false) {
    std::vector<std::string> all = {"--tls-cert", Path("server.pem"),
                                    "--tls-key", Path("server-key.pem")};
    if (!rest) all.insert(all.end(), {"--rest-port", "off"});
    all.insert(all.end(), args.begin(), args.end());
    auto head = HeadProcess::Start(WASMHPC_HEAD_BINARY, Path("data"), all);
    ASSERT_TRUE(head.ok()) << head.status();
    head_ = *std::move(head);
  }

  int HeadPort() const {
    const std::string& address = head_->address();
    return std::stoi(address.substr(address.rfind(':') + 1));
  }

  // JobService.List over a fresh channel with `credentials`.
  grpc::Status ListJobs(std::shared_ptr<grpc::ChannelCredentials> credentials,
                        const std::string& target = "") {
    auto channel = grpc::CreateChannel(
        target.empty() ? head_->address() : target, credentials);
    auto stub = v1::JobService::NewStub(channel);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(10));
    v1::ListJobsResponse response;
    return stub->List(&context, {}, &response);
  }

  static std::shared_ptr<grpc::ChannelCredentials> Trusting(
      const std::string& ca_pem, const TestCert* client = nullptr) {
    grpc::SslCredentialsOptions options;
    options.pem_root_certs = ca_pem;
    if (client != nullptr) {
      options.pem_cert_chain = client->cert_pem;
      options.pem_private_key = client->key_pem;
    }
    return grpc::SslCredentials(options);
  }

  // Runs wasmhpc-cli --server HEAD ARGS... to its end.
  Subprocess::Result Cli(std::vector<std::string> args,
                         const std::vector<std::string>& env = {}) {
    args.insert(args.begin(),
                {WASMHPC_CLI_BINARY, "--server", head_->address()});
    auto cli = Subprocess::Start(args, env);
    EXPECT_TRUE(cli.ok()) << cli.status();
    if (!cli.ok()) return {};
    return (*cli)->Wait(kCli);
  }

  TempDir dir_{"tls_test_"};
  TestCert ca_, other_ca_, client_, rogue_;
  std::unique_ptr<HeadProcess> head_;
  std::unique_ptr<PoolProcess> pool_;
};

// Regression (issue 15): the head spoke only plaintext gRPC.
TEST_F(TlsTest, HeadSpeaksTlsOnlyAndClientsCheckItsCertificate) {
  StartHead();
  grpc::Status plain = ListJobs(grpc::InsecureChannelCredentials());
  EXPECT_EQ(plain.error_code(), grpc::StatusCode::UNAVAILABLE)
      << plain.error_message();
  grpc::Status trusted = ListJobs(Trusting(ca_.cert_pem));
  EXPECT_TRUE(trusted.ok()) << trusted.error_message();
  // By name too: the certificate is for 127.0.0.1 and localhost.
  EXPECT_TRUE(
      ListJobs(Trusting(ca_.cert_pem), absl::StrCat("localhost:", HeadPort()))
          .ok());
  grpc::Status other = ListJobs(Trusting(other_ca_.cert_pem));
  EXPECT_EQ(other.error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsTest, ClientCertificatesAreVerifiedAgainstTheClientCa) {
  StartHead({"--tls-client-ca", Path("ca.pem")});
  // Users without a certificate still connect (their tokens decide).
  grpc::Status none = ListJobs(Trusting(ca_.cert_pem));
  EXPECT_TRUE(none.ok()) << none.error_message();
  grpc::Status good = ListJobs(Trusting(ca_.cert_pem, &client_));
  EXPECT_TRUE(good.ok()) << good.error_message();
  grpc::Status rogue = ListJobs(Trusting(ca_.cert_pem, &rogue_));
  EXPECT_EQ(rogue.error_code(), grpc::StatusCode::UNAVAILABLE);
}

// curl ARGS... URL: its exit code and stdout (the body, then the status).
Subprocess::Result Curl(std::vector<std::string> args, const std::string& url) {
  args.insert(args.begin(), {WASMHPC_CURL, "-sS", "--max-time", "20", "-w",
                             "\n%{http_code}"});
  args.push_back(url);
  auto curl = Subprocess::Start(args);
  EXPECT_TRUE(curl.ok()) << curl.status();
  if (!curl.ok()) return {};
  return (*curl)->Wait(absl::Seconds(30));
}

TEST_F(TlsTest, RestSpeaksHttpsOnlyWithTheSameCertificate) {
  if (std::string(WASMHPC_CURL).empty()) GTEST_SKIP() << "no curl found";
  StartHead({}, /*rest=*/true);
  const std::string base = "https://" + head_->rest_address();
  Subprocess::Result health =
      Curl({"--cacert", Path("ca.pem")}, base + "/healthz");
  EXPECT_EQ(health.exit_code, 0) << health.err;
  EXPECT_THAT(health.out, ::testing::EndsWith("\n200"));
  // A body over TLS: a module upload, then its listing.
  Subprocess::Result upload =
      Curl({"--cacert", Path("ca.pem"), "-H", "Content-Type: application/wasm",
            "--data-binary", std::string("@") + WASMHPC_HELLO_WASM},
           base + "/v1/modules?name=hello.wasm");
  EXPECT_EQ(upload.exit_code, 0) << upload.err;
  EXPECT_THAT(upload.out, ::testing::EndsWith("\n201"));
  Subprocess::Result list =
      Curl({"--cacert", Path("ca.pem")}, base + "/v1/modules");
  EXPECT_THAT(list.out, HasSubstr("hello.wasm"));
  // Not in plaintext, and not to a client that does not trust the CA.
  Subprocess::Result plain =
      Curl({}, "http://" + head_->rest_address() + "/healthz");
  EXPECT_NE(plain.exit_code, 0) << plain.out;
  EXPECT_THAT(plain.out, Not(HasSubstr("200")));
  Subprocess::Result untrusted = Curl({}, base + "/healthz");
  EXPECT_EQ(untrusted.exit_code, 60) << untrusted.err;  // Peer not verified.
}

TEST_F(TlsTest, HeadWithACertificateButNoKeyFailsAtStart) {
  auto head =
      Subprocess::Start({WASMHPC_HEAD_BINARY, "--grpc-port", "0", "--rest-port",
                         "off", "--host", "127.0.0.1", "--data-dir",
                         Path("data"), "--tls-cert", Path("server.pem")});
  ASSERT_TRUE(head.ok()) << head.status();
  Subprocess::Result result = (*head)->Wait(absl::Seconds(60));
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_THAT(result.err, HasSubstr("--tls-cert needs --tls-key"));
  EXPECT_THAT(result.out, Not(HasSubstr("listening")));
  // A key that is not the certificate's is named too.
  ASSERT_TRUE(WriteTestFile(Path("wrong-key.pem"), other_ca_.key_pem));
  head = Subprocess::Start(
      {WASMHPC_HEAD_BINARY, "--grpc-port", "0", "--rest-port", "off", "--host",
       "127.0.0.1", "--data-dir", Path("data"), "--tls-cert",
       Path("server.pem"), "--tls-key", Path("wrong-key.pem")});
  ASSERT_TRUE(head.ok()) << head.status();
  result = (*head)->Wait(absl::Seconds(60));
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_THAT(result.err,
              HasSubstr(absl::StrCat("--tls-key ", Path("wrong-key.pem"),
                                     " is not the private key of --tls-cert")));
}

TEST_F(TlsTest, CliWithCaSubmitsAndListsJobs) {
  StartHead();
  // A (fake) pool over TLS, so that the head takes the job.
  GrpcFakePool pool(
      grpc::CreateChannel(head_->address(), Trusting(ca_.cert_pem)));
  ASSERT_TRUE(pool.Attach(2).ok());
  Subprocess::Result submitted =
      Cli({"--ca", Path("ca.pem"), "submit", WASMHPC_HELLO_WASM, "--ranks", "1",
           "--detach"});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  std::string id(absl::StripAsciiWhitespace(submitted.out));
  ASSERT_FALSE(id.empty());
  Subprocess::Result listed = Cli({"jobs", "--ca", Path("ca.pem")});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_THAT(listed.out, HasSubstr(id));
  // $WASMHPC_CA works as --ca does.
  listed = Cli({"jobs"}, {"WASMHPC_CA=" + Path("ca.pem")});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_THAT(listed.out, HasSubstr(id));
  // Plaintext, the system's CAs or another CA: no connection.
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"jobs"},
        std::vector<std::string>{"--tls", "jobs"},
        std::vector<std::string>{"--ca", Path("other-ca.pem"), "jobs"}}) {
    Subprocess::Result refused = Cli(args);
    EXPECT_EQ(refused.exit_code, 1) << refused.out;
    EXPECT_THAT(refused.err, HasSubstr("cannot reach head"));
  }
  Subprocess::Result missing = Cli({"--ca", Path("nope.pem"), "jobs"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err,
              HasSubstr("--ca " + Path("nope.pem") + ": cannot read it"));
}

// A pool with --ca and a client certificate attaches to a TLS head that
// checks client certificates, and runs a job submitted with the CLI.
TEST_F(TlsTest, PoolWithCaAttachesAndRunsAJob) {
  StartHead({"--tls-client-ca", Path("ca.pem")});
  pool_ = std::make_unique<PoolProcess>(
      WASMHPC_WORKER_BINARY, 3, HeadPort(),
      std::vector<std::string>{"--ca", Path("ca.pem"), "--tls-cert",
                               Path("client.pem"), "--tls-key",
                               Path("client-key.pem")});
  ASSERT_TRUE(pool_->AwaitOutput("attached to", absl::Seconds(90)))
      << pool_->Output();
  Subprocess::Result run = Cli(
      {"--ca", Path("ca.pem"), "submit", WASMHPC_HELLO_WASM, "--ranks", "2"});
  EXPECT_EQ(run.exit_code, 0) << run.err << "\npool:\n" << pool_->Output();
  EXPECT_THAT(run.out, HasSubstr("hello from rank 1 of 2"));
}

// A pool speaking plaintext to a TLS head never attaches, and says why.
TEST_F(TlsTest, PoolWithoutTlsDoesNotAttach) {
  StartHead();
  pool_ = std::make_unique<PoolProcess>(WASMHPC_WORKER_BINARY, 2, HeadPort());
  EXPECT_TRUE(pool_->AwaitOutput("; retrying", absl::Seconds(90)))
      << pool_->Output();
  EXPECT_THAT(pool_->Output(), Not(HasSubstr("attached to")));
}

// wasmhpc-pool --ca: a failed launch is reported to a TLS head through
// wasmhpc-cli with the same CA.
TEST_F(TlsTest, PoolLauncherReportsAFailedLaunchOverTls) {
  StartHead();
  auto launcher = Subprocess::Start(
      {WASMHPC_POOL_SCRIPT, "--head", head_->address(), "--name", "tls-pool",
       "--ca", Path("ca.pem"), "--cli", WASMHPC_CLI_BINARY, "--worker",
       "/bin/true", "--mpirun", "/bin/false"});
  ASSERT_TRUE(launcher.ok()) << launcher.status();
  Subprocess::Result result = (*launcher)->Wait(kCli);
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_THAT(result.err, Not(HasSubstr("could not report the failure")));
  auto stub = v1::PoolService::NewStub(
      grpc::CreateChannel(head_->address(), Trusting(ca_.cert_pem)));
  grpc::ClientContext context;
  v1::ListPoolsResponse pools;
  ASSERT_TRUE(stub->List(&context, {}, &pools).ok());
  ASSERT_EQ(pools.pools_size(), 1);
  EXPECT_EQ(pools.pools(0).name(), "tls-pool");
  EXPECT_EQ(pools.pools(0).state(), v1::POOL_FAILED);
  EXPECT_THAT(pools.pools(0).reason(), HasSubstr("mpirun exited with code 1"));
}

}  // namespace
}  // namespace wasmhpc::testing
