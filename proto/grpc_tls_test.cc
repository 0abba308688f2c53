#include "proto/grpc_tls.h"

#include <string>

#include "common/test_files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proto/test_certs.h"

namespace wasmhpc {
namespace {

using ::testing::HasSubstr;
using testing::MakeTestCa;
using testing::MakeTestLeaf;
using testing::TestCert;
using testing::WriteTestFile;

class GrpcTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ca_ = MakeTestCa("test ca");
    leaf_ = MakeTestLeaf(ca_, "client");
    ASSERT_TRUE(WriteTestFile(Path("ca.pem"), ca_.cert_pem));
    ASSERT_TRUE(WriteTestFile(Path("cert.pem"), leaf_.cert_pem));
    ASSERT_TRUE(WriteTestFile(Path("key.pem"), leaf_.key_pem));
    ASSERT_TRUE(WriteTestFile(Path("ca-key.pem"), ca_.key_pem));
    ASSERT_TRUE(WriteTestFile(Path("junk"), "not pem\n"));
  }
  std::string Path(const std::string& name) { return dir_.Path(name); }

  TempDir dir_{"grpc_tls_"};
  TestCert ca_, leaf_;
};

TEST_F(GrpcTlsTest, NoFlagsIsPlaintext) {
  absl::StatusOr<ClientTls> tls = LoadClientTls({});
  ASSERT_TRUE(tls.ok()) << tls.status();
  EXPECT_FALSE(tls->enabled);
}

TEST_F(GrpcTlsTest, TlsAloneTrustsTheSystemRoots) {
  absl::StatusOr<ClientTls> tls = LoadClientTls({.tls = true});
  ASSERT_TRUE(tls.ok()) << tls.status();
  EXPECT_TRUE(tls->enabled);
  EXPECT_EQ(tls->root_certs, "");
}

TEST_F(GrpcTlsTest, CaImpliesTlsAndIsRead) {
  absl::StatusOr<ClientTls> tls = LoadClientTls({.ca_file = Path("ca.pem")});
  ASSERT_TRUE(tls.ok()) << tls.status();
  EXPECT_TRUE(tls->enabled);
  EXPECT_EQ(tls->root_certs, ca_.cert_pem);
}

TEST_F(GrpcTlsTest, ClientCertificateAndKeyAreRead) {
  absl::StatusOr<ClientTls> tls = LoadClientTls(
      {.cert_file = Path("cert.pem"), .key_file = Path("key.pem")});
  ASSERT_TRUE(tls.ok()) << tls.status();
  EXPECT_TRUE(tls->enabled);
  EXPECT_EQ(tls->cert_chain, leaf_.cert_pem);
  EXPECT_EQ(tls->private_key, leaf_.key_pem);
}

TEST_F(GrpcTlsTest, BadFilesAreNamed) {
  struct Case {
    ClientTlsFiles files;
    std::string message;
  } cases[] = {
      {{.ca_file = Path("missing")},
       "--ca " + Path("missing") + ": cannot read it (No such file"},
      {{.ca_file = dir_.path()},
       "--ca " + dir_.path() + ": cannot read it (Is a directory"},
      {{.ca_file = Path("junk")},
       "--ca " + Path("junk") + ": no PEM certificate in it"},
      {{.cert_file = Path("cert.pem")}, "--tls-cert needs --tls-key"},
      {{.key_file = Path("key.pem")}, "--tls-key needs --tls-cert"},
      {{.cert_file = Path("key.pem"), .key_file = Path("key.pem")},
       "--tls-cert " + Path("key.pem") + ": no PEM certificate in it"},
      {{.cert_file = Path("cert.pem"), .key_file = Path("cert.pem")},
       "--tls-key " + Path("cert.pem") +
           ": no unencrypted PEM private key in it"},
      {{.cert_file = Path("cert.pem"), .key_file = Path("ca-key.pem")},
       "--tls-key " + Path("ca-key.pem") + " is not the private key of " +
           "--tls-cert " + Path("cert.pem")},
  };
  for (const Case& c : cases) {
    absl::StatusOr<ClientTls> tls = LoadClientTls(c.files);
    EXPECT_EQ(tls.status().code(), absl::StatusCode::kInvalidArgument)
        << c.message;
    EXPECT_THAT(tls.status().message(), HasSubstr(c.message));
  }
}

}  // namespace
}  // namespace wasmhpc
