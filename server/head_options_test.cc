// wasmhpc-head's command line.
#include "server/head_options.h"

#include "common/command_line_testing.h"
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
  EXPECT_EQ(options->host, "127.0.0.1");  // No tokens: loopback only.
  EXPECT_EQ(options->code_key, "/var/wasmhpc/code.key");
  EXPECT_EQ(options->max_jobs_per_user, 1000);
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

// Regression (issue 15): without tokens the head listened on every
// interface, so anyone on the network could run code on its pools.
TEST(HeadOptions, OpenInterfacesNeedTokensOrInsecure) {
  EXPECT_EQ(Parse({"--data-dir", "/d", "--auth-tokens", "/t"})->host,
            "0.0.0.0");
  for (const char* host : {"0.0.0.0", "10.1.2.3", "::"}) {
    absl::Status refused = Parse({"--data-dir", "/d", "--host", host}).status();
    EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument) << host;
    EXPECT_THAT(refused.message(), HasSubstr("without --auth-tokens"));
    EXPECT_EQ(Parse({"--data-dir", "/d", "--host", host, "--insecure"})->host,
              host);
  }
  for (const char* host : {"127.0.0.1", "127.0.0.2", "localhost", "::1"}) {
    EXPECT_TRUE(Parse({"--data-dir", "/d", "--host", host}).ok()) << host;
  }
  EXPECT_EQ(Parse({"--data-dir", "/d", "--code-key", "/k"})->code_key, "/k");
  EXPECT_EQ(Parse({"--data-dir", "/d", "--max-jobs-per-user", "0"})
                ->max_jobs_per_user,
            0);
  EXPECT_EQ(Parse({"--data-dir", "/d", "--max-modules-per-user", "5"})
                ->max_modules_per_user,
            5);
  EXPECT_EQ(Parse({"--data-dir", "/d"})->max_user_priority, 0);
  EXPECT_EQ(Parse({"--data-dir", "/d", "--max-user-priority", "-5"})
                ->max_user_priority,
            -5);
  EXPECT_THAT(Parse({"--data-dir", "/d", "--max-user-priority", "1001"})
                  .status()
                  .message(),
              HasSubstr("--max-user-priority: 1001: not a priority "
                        "(-1000..1000)"));
  EXPECT_THAT(Parse({"--data-dir", "/d", "--max-modules-per-user", "-1"})
                  .status()
                  .message(),
              HasSubstr("--max-modules-per-user: -1: not a count"));
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
              HasSubstr("--data-dir: 1 required TEXT missing"));
  EXPECT_THAT(Parse({"--data-dir", "/d", "--rest"}).status().message(),
              HasSubstr("not expected: --rest"));
  EXPECT_THAT(Parse({"--data-dir", "/d", "--repair", "--backup", "/b"})
                  .status()
                  .message(),
              HasSubstr("separate runs"));
}

TEST(HeadOptions, HelpAndVersionNeedNoDataDir) {
  ExpectHelpAndVersion("wasmhpc-head", Parse,
                       {"--retain-jobs", "(Env:WASMHPC_DATA_DIR)"});
  EXPECT_EQ(Parse({"--data-dir", "/d"})->exit_text, "");
}

TEST(HeadOptions, DeploymentSettingsFallBackToTheEnvironment) {
  ScopedEnv dir("WASMHPC_DATA_DIR", "/env/data");
  ScopedEnv tokens("WASMHPC_AUTH_TOKENS", "/env/tokens");
  ScopedEnv grpc("WASMHPC_GRPC_PORT", "7171");
  ScopedEnv rest("WASMHPC_REST_PORT", "off");
  absl::StatusOr<HeadOptions> options = Parse({});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->data_dir, "/env/data");
  EXPECT_EQ(options->code_key, "/env/data/code.key");
  EXPECT_EQ(options->auth_tokens, "/env/tokens");
  EXPECT_EQ(options->host, "0.0.0.0");
  EXPECT_EQ(options->grpc_port, 7171);
  EXPECT_EQ(options->rest_port, kRestOff);
  options = Parse({"--data-dir", "/flag", "--grpc-port", "1", "--host", "::1"});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->data_dir, "/flag");
  EXPECT_EQ(options->grpc_port, 1);
  EXPECT_EQ(options->host, "::1");
  ScopedEnv bad("WASMHPC_GRPC_PORT", "x");
  EXPECT_THAT(Parse({}).status().message(),
              HasSubstr("--grpc-port: x: not a port number"));
}

// JWTs authenticate like a token file: the head may then listen on every
// interface; issuer and audience need a key to check them with.
TEST(HeadOptions, JwtKeyCountsAsAuthentication) {
  absl::StatusOr<HeadOptions> options =
      Parse({"--data-dir", "/d", "--jwt-key", "/k.pem", "--jwt-issuer",
             "https://idp", "--jwt-audience", "wasmhpc"});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->jwt_key, "/k.pem");
  EXPECT_EQ(options->jwt_issuer, "https://idp");
  EXPECT_EQ(options->jwt_audience, "wasmhpc");
  EXPECT_EQ(options->host, "0.0.0.0");
  EXPECT_EQ(Parse({"--data-dir", "/d", "--jwt-key", "/k", "--host", "10.1.2.3"})
                ->host,
            "10.1.2.3");
  absl::Status refused =
      Parse({"--data-dir", "/d", "--jwt-audience", "wasmhpc"}).status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.message(), HasSubstr("give --jwt-key FILE too"));
  ScopedEnv key("WASMHPC_JWT_KEY", "/env/jwt.pem");
  ScopedEnv issuer("WASMHPC_JWT_ISSUER", "https://env-idp");
  ScopedEnv audience("WASMHPC_JWT_AUDIENCE", "env-aud");
  options = Parse({"--data-dir", "/d"});
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->jwt_key, "/env/jwt.pem");
  EXPECT_EQ(options->jwt_issuer, "https://env-idp");
  EXPECT_EQ(options->jwt_audience, "env-aud");
  EXPECT_EQ(options->host, "0.0.0.0");
}

TEST(HeadOptions, RestPort) {
  EXPECT_EQ(Parse({"--data-dir", "/d", "--rest-port", "0"})->rest_port, 0);
  EXPECT_EQ(Parse({"--data-dir", "/d", "--rest-port=8080"})->rest_port, 8080);
  EXPECT_EQ(Parse({"--data-dir", "/d", "--rest-port", "off"})->rest_port,
            kRestOff);
  EXPECT_THAT(
      Parse({"--data-dir", "/d", "--rest-port", "-1"}).status().message(),
      HasSubstr("--rest-port: -1: not a port number"));
  EXPECT_THAT(
      Parse({"--data-dir", "/d", "--rest-port", "no"}).status().message(),
      HasSubstr("not a port number (or 'off')"));
}

TEST(HeadOptions, LogCapAndRetention) {
  absl::StatusOr<HeadOptions> defaults = Parse({"--data-dir", "/d"});
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->max_log_bytes, uint64_t{64} << 20);
  EXPECT_EQ(defaults->retain_jobs, absl::Hours(7 * 24));
  EXPECT_EQ(Parse({"--data-dir=/d", "--max-log-bytes", "0"})->max_log_bytes,
            0u);
  EXPECT_EQ(Parse({"--data-dir=/d", "--max-log-bytes=4096"})->max_log_bytes,
            4096u);
  EXPECT_EQ(Parse({"--data-dir=/d", "--max-log-bytes", "16k"})->max_log_bytes,
            16u << 10);
  EXPECT_EQ(Parse({"--data-dir=/d", "--max-log-bytes", "1G"})->max_log_bytes,
            1u << 30);
  EXPECT_EQ(Parse({"--data-dir=/d", "--retain-jobs", "12h"})->retain_jobs,
            absl::Hours(12));
  EXPECT_EQ(Parse({"--data-dir=/d", "--retain-jobs=30d"})->retain_jobs,
            absl::Hours(30 * 24));
  EXPECT_EQ(Parse({"--data-dir=/d", "--retain-jobs", "90s"})->retain_jobs,
            absl::Seconds(90));
  EXPECT_EQ(Parse({"--data-dir=/d", "--retain-jobs", "forever"})->retain_jobs,
            absl::InfiniteDuration());
  for (const char* bad : {"", "-1", "64MiB", "x", "M", "99999999999999999G"}) {
    EXPECT_THAT(
        Parse({"--data-dir=/d", "--max-log-bytes", bad}).status().message(),
        HasSubstr("want a byte count"))
        << bad;
  }
  for (const char* bad : {"", "0d", "7", "7w", "-1h", "d", "1.5h"}) {
    EXPECT_THAT(
        Parse({"--data-dir=/d", "--retain-jobs", bad}).status().message(),
        HasSubstr("'forever'"))
        << bad;
  }
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
              HasSubstr("--tls-cert: 1 required TEXT missing"));
}

}  // namespace
}  // namespace wasmhpc::server
