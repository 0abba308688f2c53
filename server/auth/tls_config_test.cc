#include "server/auth/tls_config.h"

#include <string>

#include "common/test_files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proto/test_certs.h"

namespace wasmhpc::server {
namespace {

using ::testing::HasSubstr;
using wasmhpc::testing::MakeTestCa;
using wasmhpc::testing::MakeTestLeaf;
using wasmhpc::testing::TestCert;
using wasmhpc::testing::WriteTestFile;

class ServerTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TestCert ca = MakeTestCa("ca");
    TestCert server = MakeTestLeaf(ca, "head");
    ASSERT_TRUE(WriteTestFile(Path("ca.pem"), ca.cert_pem));
    ASSERT_TRUE(WriteTestFile(Path("cert.pem"), server.cert_pem));
    ASSERT_TRUE(WriteTestFile(Path("key.pem"), server.key_pem));
    ASSERT_TRUE(WriteTestFile(Path("other-key.pem"), ca.key_pem));
  }
  std::string Path(const std::string& name) { return dir_.Path(name); }

  TempDir dir_{"server_tls_"};
};

TEST_F(ServerTlsTest, NoFilesMeansPlaintext) {
  absl::StatusOr<std::optional<ServerTls>> tls = LoadServerTls({});
  ASSERT_TRUE(tls.ok()) << tls.status();
  EXPECT_FALSE(tls->has_value());
}

TEST_F(ServerTlsTest, CertAndKeyAreRead) {
  absl::StatusOr<std::optional<ServerTls>> tls =
      LoadServerTls({Path("cert.pem"), Path("key.pem"), ""});
  ASSERT_TRUE(tls.ok()) << tls.status();
  ASSERT_TRUE(tls->has_value());
  EXPECT_THAT((*tls)->cert_chain, HasSubstr("BEGIN CERTIFICATE"));
  EXPECT_THAT((*tls)->private_key, HasSubstr("PRIVATE KEY"));
  EXPECT_EQ((*tls)->files.cert_file, Path("cert.pem"));
  EXPECT_EQ((*tls)->files.key_file, Path("key.pem"));
  EXPECT_FALSE((*tls)->verify_client_certificates());
}

TEST_F(ServerTlsTest, ClientCaTurnsOnClientCertificates) {
  absl::StatusOr<std::optional<ServerTls>> tls =
      LoadServerTls({Path("cert.pem"), Path("key.pem"), Path("ca.pem")});
  ASSERT_TRUE(tls.ok()) << tls.status();
  EXPECT_TRUE((*tls)->verify_client_certificates());
}

// Regression (issue 15): the head had no TLS; every wrong combination of
// the new flags must stop it with a message naming the flag and file.
TEST_F(ServerTlsTest, BadFlagsAreNamed) {
  struct Case {
    ServerTlsFiles files;
    std::string message;
  } cases[] = {
      {{Path("cert.pem"), "", ""}, "--tls-cert needs --tls-key"},
      {{"", Path("key.pem"), ""}, "--tls-key needs --tls-cert"},
      {{"", "", Path("ca.pem")}, "--tls-client-ca needs --tls-cert and"},
      {{Path("nope.pem"), Path("key.pem"), ""},
       "--tls-cert " + Path("nope.pem") + ": cannot read it"},
      {{Path("cert.pem"), Path("nope.pem"), ""},
       "--tls-key " + Path("nope.pem") + ": cannot read it"},
      {{Path("cert.pem"), Path("other-key.pem"), ""},
       "--tls-key " + Path("other-key.pem") + " is not the private key of " +
           "--tls-cert " + Path("cert.pem")},
      {{Path("cert.pem"), Path("key.pem"), Path("key.pem")},
       "--tls-client-ca " + Path("key.pem") + ": no PEM certificate in it"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<std::optional<ServerTls>> tls = LoadServerTls(c.files);
    EXPECT_EQ(tls.status().code(), absl::StatusCode::kInvalidArgument)
        << c.message;
    EXPECT_THAT(tls.status().message(), HasSubstr(c.message));
  }
}

}  // namespace
}  // namespace wasmhpc::server
