#include "server/head_options.h"

#include <memory>

#include "CLI/CLI.hpp"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/age.h"
#include "common/byte_size.h"
#include "common/command_line.h"
#include "server/handlers/api_limits.h"

namespace wasmhpc::server {
namespace {

// An age ("7d", "12h", common/age.h) or "forever" (InfiniteDuration).
absl::StatusOr<absl::Duration> ParseRetention(const std::string& text) {
  if (text == "forever") return absl::InfiniteDuration();
  absl::StatusOr<absl::Duration> age = ParseAge(text, 1);
  if (!age.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(age.status().message(), " or 'forever'"));
  }
  return age;
}

constexpr char kDescription[] =
    "wasmhpc-head: accepts modules and jobs and runs them on the worker "
    "pools.";
constexpr char kFooter[] =
    "The first line on stdout is 'wasmhpc-head: listening on HOST:PORT'\n"
    "(gRPC), the second 'wasmhpc-head: REST on HOST:PORT' unless REST is "
    "off.";

bool IsLoopback(const std::string& host) {
  return host.rfind("127.", 0) == 0 || host == "localhost" || host == "::1" ||
         host == "[::1]";
}

// A port number 0..65535, or `off` (kRestOff) where `off_ok`.
int ParsePort(const std::string& flag, const std::string& text, bool off_ok) {
  int port = 0;
  if (off_ok && text == "off") return kRestOff;
  if (!absl::SimpleAtoi(text, &port) || port < 0 || port > 65535) {
    throw CLI::ValidationError(flag, absl::StrCat(text, ": not a port number",
                                                  off_ok ? " (or 'off')" : ""));
  }
  return port;
}

// A limit 0.. (0: none).
int64_t ParseCount(const std::string& flag, const std::string& text) {
  int64_t count = 0;
  if (!absl::SimpleAtoi(text, &count) || count < 0) {
    throw CLI::ValidationError(
        flag, absl::StrCat(text, ": not a count (0: no limit)"));
  }
  return count;
}

int32_t ParsePriority(const std::string& flag, const std::string& text) {
  int32_t priority = 0;
  if (!absl::SimpleAtoi(text, &priority) || priority < -kMaxPriority ||
      priority > kMaxPriority) {
    throw CLI::ValidationError(
        flag, absl::StrCat(text, ": not a priority (-", kMaxPriority, "..",
                           kMaxPriority, ")"));
  }
  return priority;
}

template <typename T>
T OrThrow(const std::string& flag, absl::StatusOr<T> value) {
  if (!value.ok()) {
    throw CLI::ValidationError(flag, std::string(value.status().message()));
  }
  return *std::move(value);
}

// Declares the options on `app`, writing into `o`.
void AddHeadOptions(CLI::App& app, HeadOptions& o) {
  using S = const std::string&;
  app.add_option("--data-dir", o.data_dir,
                 "RocksDB directory for modules, code, jobs, logs")
      ->envname("WASMHPC_DATA_DIR")
      ->required();
  app.add_option_function<std::string>(
         "--grpc-port",
         [&o](S v) { o.grpc_port = ParsePort("--grpc-port", v, false); },
         "gRPC port (default 7070; 0 picks a free port)")
      ->envname("WASMHPC_GRPC_PORT");
  app.add_option_function<std::string>(
         "--rest-port",
         [&o](S v) { o.rest_port = ParsePort("--rest-port", v, true); },
         "REST port (default 7080; 0 picks a free port; off serves no REST)")
      ->envname("WASMHPC_REST_PORT");
  app.add_option("--host", o.host,
                 "interface to listen on (default 0.0.0.0 with "
                 "--auth-tokens or --jwt-key, else 127.0.0.1)")
      ->envname("WASMHPC_HOST");
  app.add_option("--allow-dir", o.allow_dirs,
                 "a host directory jobs may preopen (repeatable)")
      ->allow_extra_args(false);  // one directory per --allow-dir
  app.add_option("--auth-tokens", o.auth_tokens,
                 "require 'authorization: Bearer <token>' with one of FILE's "
                 "tokens on every call; a line is 'TOKEN NAME ROLE', ROLE "
                 "user, pool or admin")
      ->envname("WASMHPC_AUTH_TOKENS");
  app.add_option("--jwt-key", o.jwt_key,
                 "also accept JWT bearer tokens verified with FILE: a PEM "
                 "public key (RSA: RS256, EC P-256: ES256) or else an HS256 "
                 "secret (the file's bytes, 32 or more); claims: sub (name), "
                 "wasmhpc_role (user, pool or admin), exp (required), nbf")
      ->envname("WASMHPC_JWT_KEY");
  app.add_option("--jwt-issuer", o.jwt_issuer,
                 "JWTs must carry this iss (needs --jwt-key)")
      ->envname("WASMHPC_JWT_ISSUER");
  app.add_option("--jwt-audience", o.jwt_audience,
                 "JWTs' aud must include this (needs --jwt-key)")
      ->envname("WASMHPC_JWT_AUDIENCE");
  app.add_flag("--insecure", o.insecure,
               "allow a --host other than loopback without --auth-tokens or "
               "--jwt-key (anyone who reaches it may run code)");
  app.add_option("--code-key", o.code_key,
                 "the deployment's code key, shared with the pools (default "
                 "DATA_DIR/code.key, made if missing)");
  app.add_option_function<std::string>(
      "--max-jobs-per-user",
      [&o](S v) { o.max_jobs_per_user = ParseCount("--max-jobs-per-user", v); },
      "jobs one user may have queued or running (default 1000; 0: no limit)");
  app.add_option_function<std::string>(
      "--max-modules-per-user",
      [&o](S v) {
        o.max_modules_per_user = ParseCount("--max-modules-per-user", v);
      },
      "modules one user may have stored (default 1000; 0: no limit; "
      "admins: none)");
  app.add_option_function<std::string>(
      "--max-user-priority",
      [&o](S v) {
        o.max_user_priority = ParsePriority("--max-user-priority", v);
      },
      "the highest job priority users may ask (default 0, so users can only "
      "lower theirs; -1000..1000; admins may ask 1000)");
  app.add_option_function<std::string>(
      "--max-log-bytes",
      [&o](S v) {
        o.max_log_bytes = OrThrow("--max-log-bytes", ParseByteSize(v));
      },
      "output kept per job (default 64M; K, M, G suffixes; 0: unlimited); "
      "the rest is dropped and the log says where it was cut");
  app.add_option_function<std::string>(
      "--retain-jobs",
      [&o](S v) {
        o.retain_jobs = OrThrow("--retain-jobs", ParseRetention(v));
      },
      "delete ended jobs and their logs this long after they ended "
      "(default 7d; d, h, m, s; 'forever' keeps them)");
  app.add_flag("--repair", o.repair,
               "salvage a damaged --data-dir (stopped head), print what was "
               "kept and lost, and exit");
  app.add_option("--backup", o.backup,
                 "copy --data-dir (stopped head) to the new directory DEST "
                 "and exit; restore by copying back");
  app.add_option("--tls-cert", o.tls_cert,
                 "serve gRPC over TLS with this certificate chain (PEM; "
                 "needs --tls-key)");
  app.add_option("--tls-key", o.tls_key,
                 "the certificate's private key (PEM, unencrypted)");
  app.add_option("--tls-client-ca", o.tls_client_ca,
                 "let clients (pools) present a certificate, verified "
                 "against these CAs; clients without one still connect");
}

// The rules between options, once all are read.
absl::Status Finish(HeadOptions& options) {
  if (options.jwt_key.empty() &&
      (!options.jwt_issuer.empty() || !options.jwt_audience.empty())) {
    return absl::InvalidArgumentError(
        "--jwt-issuer and --jwt-audience check JWTs: give --jwt-key FILE too");
  }
  bool authenticated = !options.auth_tokens.empty() || !options.jwt_key.empty();
  if (options.host.empty()) {
    options.host = authenticated ? "0.0.0.0" : "127.0.0.1";
  }
  if (!authenticated && !options.insecure && !IsLoopback(options.host)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--host ", options.host,
        " without --auth-tokens or --jwt-key: anyone who reaches the head "
        "could run code on its pools and read every job; give --auth-tokens "
        "FILE or --jwt-key FILE (see deploy/README.md), or --insecure on a "
        "trusted network"));
  }
  if (options.code_key.empty()) {
    options.code_key = options.data_dir + "/code.key";
  }
  if (options.repair && !options.backup.empty()) {
    return absl::InvalidArgumentError(
        "--repair and --backup are separate runs: back up first");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<HeadOptions> ParseHeadOptions(
    const std::vector<std::string>& argv) {
  HeadOptions options;
  std::unique_ptr<CLI::App> app =
      NewCommandLineApp("wasmhpc-head", kDescription, kFooter);
  AddHeadOptions(*app, options);
  if (absl::Status s = ParseArgs(*app, argv, &options.exit_text); !s.ok()) {
    return s;
  }
  if (!options.exit_text.empty()) return options;  // --help, --version
  if (absl::Status s = Finish(options); !s.ok()) return s;
  return options;
}

}  // namespace wasmhpc::server
