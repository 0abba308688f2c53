// wasmhpc-head's command line.
#include "server/head_options.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wasmhpc::server {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

absl::StatusOr<HeadOptions> Parse(std::vector<std::string> args) {
  args.insert(args.begin(), "wasmhpc-head");
  return ParseHeadOptions(args);
}

TEST(HeadOptions, DefaultsAndValues) {
  absl::StatusOr<HeadOptions> options = Parse({"--data-dir", "/var/wasmhpc"});
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->grpc_port, 7070);
  EXPECT_EQ(options->rest_port, 7080);
  EXPECT_EQ(options->host, "0.0.0.0");
  EXPECT_TRUE(options->allow_dirs.empty());
  options =
      Parse({"--data-dir=/d", "--grpc-port", "0", "--allow-dir", "/a",
             "--allow-dir=/b", "--auth-tokens", "/t", "--host", "127.0.0.1"});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->data_dir, "/d");
  EXPECT_EQ(options->grpc_port, 0);
  EXPECT_THAT(options->allow_dirs, ElementsAre("/a", "/b"));
  EXPECT_EQ(options->auth_tokens, "/t");
  EXPECT_EQ(options->host, "127.0.0.1");
}

TEST(HeadOptions, Errors) {
  EXPECT_THAT(Parse({}).status().message(),
              HasSubstr("--data-dir is required"));
  EXPECT_THAT(
      Parse({"--data-dir", "/d", "--grpc-port", "x"}).status().message(),
      HasSubstr("not a port number"));
  EXPECT_THAT(
      Parse({"--data-dir", "/d", "--grpc-port", "70000"}).status().message(),
      HasSubstr("not a port number"));
  EXPECT_THAT(Parse({"--data-dir"}).status().message(),
              HasSubstr("needs a value"));
  EXPECT_THAT(Parse({"--data-dir", "/d", "--rest"}).status().message(),
              HasSubstr("unknown option --rest"));
  EXPECT_TRUE(Parse({"--help"})->help);
}

TEST(HeadOptions, RestPort) {
  EXPECT_EQ(Parse({"--data-dir", "/d", "--rest-port", "0"})->rest_port, 0);
  EXPECT_EQ(Parse({"--data-dir", "/d", "--rest-port=8080"})->rest_port, 8080);
  EXPECT_EQ(Parse({"--data-dir", "/d", "--rest-port", "off"})->rest_port,
            kRestOff);
  EXPECT_THAT(
      Parse({"--data-dir", "/d", "--rest-port", "-1"}).status().message(),
      HasSubstr("--rest-port -1: not a port number"));
  EXPECT_THAT(
      Parse({"--data-dir", "/d", "--rest-port", "no"}).status().message(),
      HasSubstr("not a port number (or 'off')"));
}

TEST(HeadOptions, TlsFiles) {
  absl::StatusOr<HeadOptions> options =
      Parse({"--data-dir", "/d", "--tls-cert", "/c.pem", "--tls-key=/k.pem",
             "--tls-client-ca", "/ca.pem"});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->tls_cert, "/c.pem");
  EXPECT_EQ(options->tls_key, "/k.pem");
  EXPECT_EQ(options->tls_client_ca, "/ca.pem");
  EXPECT_THAT(Parse({"--data-dir", "/d", "--tls-cert"}).status().message(),
              HasSubstr("--tls-cert needs a value"));
}

}  // namespace
}  // namespace wasmhpc::server
