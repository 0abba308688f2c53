#include "server/head_options.h"

#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace wasmhpc::server {
namespace {

// "65536", "64K", "64M", "1G" (binary multiples).
absl::StatusOr<uint64_t> ParseBytes(const std::string& text) {
  std::string digits = text;
  uint64_t unit = 1;
  if (!digits.empty()) {
    switch (absl::ascii_toupper(digits.back())) {
      case 'K':
        unit = uint64_t{1} << 10;
        break;
      case 'M':
        unit = uint64_t{1} << 20;
        break;
      case 'G':
        unit = uint64_t{1} << 30;
        break;
      default:
        break;
    }
    if (unit != 1) digits.pop_back();
  }
  uint64_t n = 0;
  if (!absl::SimpleAtoi(digits, &n) || digits.empty() || digits[0] == '-' ||
      n > std::numeric_limits<uint64_t>::max() / unit) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--max-log-bytes ", text,
        ": want a byte count, optionally with K, M or G (64M), or 0"));
  }
  return n * unit;
}

// "7d", "12h", "30m", "90s", or "forever" (InfiniteDuration).
absl::StatusOr<absl::Duration> ParseRetention(const std::string& text) {
  if (text == "forever") return absl::InfiniteDuration();
  int64_t n = 0;
  absl::Duration unit;
  if (!text.empty()) {
    switch (text.back()) {
      case 'd':
        unit = absl::Hours(24);
        break;
      case 'h':
        unit = absl::Hours(1);
        break;
      case 'm':
        unit = absl::Minutes(1);
        break;
      case 's':
        unit = absl::Seconds(1);
        break;
      default:
        break;
    }
  }
  if (unit == absl::ZeroDuration() ||
      !absl::SimpleAtoi(text.substr(0, text.size() - 1), &n) || n <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--retain-jobs ", text,
        ": want a positive count of d, h, m or s (7d, 12h) or 'forever'"));
  }
  return n * unit;
}

}  // namespace

const char kHeadUsage[] =
    "usage: wasmhpc-head --data-dir DIR [options]\n"
    "  --data-dir DIR      RocksDB directory for modules, code, jobs, logs\n"
    "  --grpc-port N       gRPC port (default 7070; 0 picks a free port)\n"
    "  --rest-port N|off   REST port (default 7080; 0 picks a free port;\n"
    "                      off serves no REST)\n"
    "  --host ADDR         interface to listen on (default 0.0.0.0 with\n"
    "                      --auth-tokens, else 127.0.0.1)\n"
    "  --allow-dir DIR     a host directory jobs may preopen (repeatable)\n"
    "  --auth-tokens FILE  require 'authorization: Bearer <token>' with one\n"
    "                      of FILE's tokens on every call; a line is\n"
    "                      'TOKEN NAME ROLE', ROLE user, pool or admin\n"
    "  --insecure          allow a --host other than loopback without\n"
    "                      --auth-tokens (anyone who reaches it may run code)\n"
    "  --code-key FILE     the deployment's code key, shared with the pools\n"
    "                      (default DATA_DIR/code.key, made if missing)\n"
    "  --max-jobs-per-user N  jobs one user may have queued or running\n"
    "                      (default 1000; 0: no limit)\n"
    "  --max-modules-per-user N  modules one user may have stored\n"
    "                      (default 1000; 0: no limit; admins: none)\n"
    "  --max-log-bytes N   output kept per job (default 64M; K, M, G\n"
    "                      suffixes; 0: unlimited); the rest is dropped and\n"
    "                      the log says where it was cut\n"
    "  --retain-jobs D     delete ended jobs and their logs D after they\n"
    "                      ended (default 7d; d, h, m, s; 'forever' keeps\n"
    "                      them)\n"
    "  --repair            salvage a damaged --data-dir (stopped head), print\n"
    "                      what was kept and lost, and exit\n"
    "  --backup DEST       copy --data-dir (stopped head) to the new\n"
    "                      directory DEST and exit; restore by copying back\n"
    "  --help              this text\n"
    "  --tls-cert FILE     serve gRPC over TLS with this certificate chain\n"
    "                      (PEM; needs --tls-key)\n"
    "  --tls-key FILE      the certificate's private key (PEM, unencrypted)\n"
    "  --tls-client-ca FILE  let clients (pools) present a certificate,\n"
    "                      verified against these CAs; clients without one\n"
    "                      still connect\n"
    "The first line on stdout is 'wasmhpc-head: listening on HOST:PORT'\n"
    "(gRPC), the second 'wasmhpc-head: REST on HOST:PORT' unless REST is "
    "off.\n";

namespace {

bool IsLoopback(const std::string& host) {
  return host.rfind("127.", 0) == 0 || host == "localhost" || host == "::1" ||
         host == "[::1]";
}

}  // namespace

absl::StatusOr<HeadOptions> ParseHeadOptions(
    const std::vector<std::string>& argv) {
  HeadOptions options;
  for (size_t i = 1; i < argv.size(); ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      options.help = true;
      continue;
    }
    std::string value;
    bool has_value = false;
    if (size_t eq = arg.find('=');
        arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      has_value = true;
    }
    auto take = [&]() -> absl::StatusOr<std::string> {
      if (has_value) return value;
      if (i + 1 >= argv.size()) {
        return absl::InvalidArgumentError(absl::StrCat(arg, " needs a value"));
      }
      return argv[++i];
    };
    absl::StatusOr<std::string> v;
    if (arg == "--tls-cert" || arg == "--tls-key" || arg == "--tls-client-ca") {
      if (!(v = take()).ok()) return v.status();
      (arg == "--tls-cert"  ? options.tls_cert
       : arg == "--tls-key" ? options.tls_key
                            : options.tls_client_ca) = *v;
    } else if (arg == "--grpc-port") {
      if (!(v = take()).ok()) return v.status();
      if (!absl::SimpleAtoi(*v, &options.grpc_port) || options.grpc_port < 0 ||
          options.grpc_port > 65535) {
        return absl::InvalidArgumentError(
            absl::StrCat("--grpc-port ", *v, ": not a port number"));
      }
    } else if (arg == "--rest-port") {
      if (!(v = take()).ok()) return v.status();
      if (*v == "off") {
        options.rest_port = kRestOff;
      } else if (!absl::SimpleAtoi(*v, &options.rest_port) ||
                 options.rest_port < 0 || options.rest_port > 65535) {
        return absl::InvalidArgumentError(
            absl::StrCat("--rest-port ", *v, ": not a port number (or 'off')"));
      }
    } else if (arg == "--host") {
      if (!(v = take()).ok()) return v.status();
      options.host = *v;
    } else if (arg == "--data-dir") {
      if (!(v = take()).ok()) return v.status();
      options.data_dir = *v;
    } else if (arg == "--allow-dir") {
      if (!(v = take()).ok()) return v.status();
      options.allow_dirs.push_back(*v);
    } else if (arg == "--repair") {
      options.repair = true;
    } else if (arg == "--backup") {
      if (!(v = take()).ok()) return v.status();
      options.backup = *v;
    } else if (arg == "--auth-tokens") {
      if (!(v = take()).ok()) return v.status();
      options.auth_tokens = *v;
    } else if (arg == "--insecure") {
      options.insecure = true;
    } else if (arg == "--code-key") {
      if (!(v = take()).ok()) return v.status();
      options.code_key = *v;
    } else if (arg == "--max-jobs-per-user" ||
               arg == "--max-modules-per-user") {
      if (!(v = take()).ok()) return v.status();
      int64_t& count = arg == "--max-jobs-per-user"
                           ? options.max_jobs_per_user
                           : options.max_modules_per_user;
      if (!absl::SimpleAtoi(*v, &count) || count < 0) {
        return absl::InvalidArgumentError(
            absl::StrCat(arg, " ", *v, ": not a count (0: no limit)"));
      }
    } else if (arg == "--max-log-bytes") {
      if (!(v = take()).ok()) return v.status();
      absl::StatusOr<uint64_t> bytes = ParseBytes(*v);
      if (!bytes.ok()) return bytes.status();
      options.max_log_bytes = *bytes;
    } else if (arg == "--retain-jobs") {
      if (!(v = take()).ok()) return v.status();
      absl::StatusOr<absl::Duration> retain = ParseRetention(*v);
      if (!retain.ok()) return retain.status();
      options.retain_jobs = *retain;
    } else {
      return absl::InvalidArgumentError(absl::StrCat("unknown option ", arg));
    }
  }
  if (!options.help && options.data_dir.empty()) {
    return absl::InvalidArgumentError("--data-dir is required");
  }
  if (options.host.empty()) {
    options.host = options.auth_tokens.empty() ? "127.0.0.1" : "0.0.0.0";
  }
  if (options.auth_tokens.empty() && !options.insecure &&
      !IsLoopback(options.host)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--host ", options.host,
        " without --auth-tokens: anyone who reaches the head could run code "
        "on its pools and read every job; give --auth-tokens FILE (see "
        "deploy/README.md), or --insecure on a trusted network"));
  }
  if (options.code_key.empty() && !options.data_dir.empty()) {
    options.code_key = options.data_dir + "/code.key";
  }
  if (options.repair && !options.backup.empty()) {
    return absl::InvalidArgumentError(
        "--repair and --backup are separate runs: back up first");
  }
  return options;
}

}  // namespace wasmhpc::server
