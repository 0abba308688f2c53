#include "worker/pool/worker_options.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>

#include "CLI/CLI.hpp"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/command_line.h"

namespace wasmhpc::pool {

namespace {

constexpr char kDescription[] =
    "wasmhpc-worker: a pool of warm Wasm ranks, started as\n"
    "  mpirun -np N wasmhpc-worker --head HOST:PORT [options]\n"
    "Rank 0 attaches to the head and runs its jobs on ranks 1..N-1.";
constexpr char kFooter[] =
    "SIGUSR1 or SIGUSR2 to mpirun (or SIGTERM to rank 0) drains the pool: it\n"
    "takes no new jobs, and every rank exits 0 once the head detaches it.";

// A positive count for `flag`.
uint64_t Positive(const std::string& flag, const std::string& text) {
  uint64_t n = 0;
  if (!absl::SimpleAtoi(text, &n) || n == 0) {
    throw CLI::ValidationError(
        flag, absl::StrCat("takes a positive number, not '", text, "'"));
  }
  return n;
}

void AddWorkerOptions(CLI::App& app, WorkerOptions& o) {
  using S = const std::string&;
  app.add_option("--head", o.head, "the wasmhpc-head to attach to (HOST:PORT)")
      ->envname("WASMHPC_HEAD")
      ->required();
  app.add_option("--name", o.name, "the pool's name (default: rank 0's host)")
      ->envname("WASMHPC_POOL_NAME");
  app.add_option("--tier", o.tier, "turbofan (default), liftoff or dynamic");
  app.add_option_function<std::string>(
      "--max-memory",
      [&o](S v) {
        o.max_memory_mib = Positive("--max-memory", v);
        if (o.max_memory_mib > 4096) {
          throw CLI::ValidationError(
              "--max-memory",
              absl::StrCat(v, " exceeds 4096 MiB, the wasm32 maximum"));
        }
      },
      "linear memory limit per rank, MiB (default 4096)");
  app.add_option_function<std::string>(
      "--module-cache",
      [&o](S v) { o.module_cache = Positive("--module-cache", v); },
      "compiled modules kept per rank (default 16)");
  app.add_flag("--interruptible-collectives", o.interruptible_collectives,
               "collectives as nonblocking + test loops, so a stop ends their "
               "wait (slower small collectives; by default a rank stopped "
               "inside one its peers never enter is reported stuck and the "
               "pool restarts)");
  app.add_flag("--tls", o.tls,
               "speak TLS to the head (trusting the system's CAs)");
  app.add_option("--ca", o.ca_file, "speak TLS, trusting the CAs in FILE (PEM)")
      ->envname("WASMHPC_CA");
  app.add_option("--tls-cert", o.tls_cert,
                 "a client certificate for the head (PEM, with --tls-key), "
                 "for heads with --tls-client-ca");
  app.add_option("--tls-key", o.tls_key, "the certificate's key (PEM)");
  app.add_option("--token-file", o.token_file,
                 "bearer token (a pool token or JWT) for a head started with "
                 "--auth-tokens or --jwt-key: the file's first line (without "
                 "it: $WASMHPC_TOKEN, if set)")
      ->envname("WASMHPC_TOKEN_FILE");
  app.add_option("--code-key", o.code_key,
                 "the deployment's code key (the head's DATA_DIR/code.key, "
                 "mode 600, on every host): compiled code is shared with the "
                 "head only when signed with it; without it every module is "
                 "compiled on the pool")
      ->envname("WASMHPC_CODE_KEY");
  app.add_option_function<std::vector<std::string>>(
         "--allow-dir",
         [&o](const std::vector<std::string>& dirs) {
           for (const std::string& dir : dirs) {
             if (dir.empty() || dir[0] != '/') {
               throw CLI::ValidationError(
                   "--allow-dir", absl::StrCat(dir, ": not an absolute path"));
             }
           }
           o.allow_dirs = dirs;
         },
         "jobs may open host directories only below DIR (repeatable; default: "
         "any the head allowed); never through a symbolic link")
      ->allow_extra_args(false);  // one directory per --allow-dir
}

}  // namespace

absl::StatusOr<WorkerOptions> ParseWorkerOptions(
    const std::vector<std::string>& argv) {
  WorkerOptions options;
  std::unique_ptr<CLI::App> app =
      NewCommandLineApp("wasmhpc-worker", kDescription, kFooter);
  AddWorkerOptions(*app, options);
  if (absl::Status s = ParseArgs(*app, argv, &options.exit_text); !s.ok()) {
    return s;
  }
  return options;
}

absl::StatusOr<std::string> ReadBearerToken(const WorkerOptions& options,
                                            const char* env_token) {
  if (options.token_file.empty()) return env_token ? env_token : "";
  auto problem = [&](absl::string_view what) {
    return absl::InvalidArgumentError(
        absl::StrCat("--token-file ", options.token_file, ": ", what));
  };
  errno = 0;
  std::ifstream in(options.token_file);
  if (!in)
    return problem(absl::StrCat("cannot open it (", std::strerror(errno), ")"));
  std::string line;
  std::getline(in, line);
  if (in.bad())
    return problem(absl::StrCat("cannot read it (", std::strerror(errno), ")"));
  absl::StripAsciiWhitespace(&line);
  if (line.empty()) return problem("no token on its first line");
  return line;
}

absl::StatusOr<ClientTls> ReadHeadTls(const WorkerOptions& options) {
  ClientTlsFiles files;
  files.tls = options.tls;
  files.ca_file = options.ca_file;
  files.cert_file = options.tls_cert;
  files.key_file = options.tls_key;
  return LoadClientTls(files);
}

}  // namespace wasmhpc::pool
