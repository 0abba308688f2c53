#include "worker/pool/worker_options.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace wasmhpc::pool {

const char kWorkerUsage[] =
    "usage: mpirun -np N wasmhpc-worker --head HOST:PORT [options]\n"
    "Rank 0 attaches to the head and runs its jobs on ranks 1..N-1.\n"
    "  --head HOST:PORT        the wasmhpc-head to attach to (required)\n"
    "  --name NAME             the pool's name (default: rank 0's host)\n"
    "  --tier T                turbofan (default), liftoff or dynamic\n"
    "  --max-memory MiB        linear memory limit per rank (default 4096)\n"
    "  --module-cache N        compiled modules kept per rank (default 16)\n"
    "  --blocking-collectives  plain blocking collectives: faster small\n"
    "                          collectives, but a stop cannot end their wait\n"
    "  --tls                   speak TLS to the head (trusting the system's\n"
    "                          CAs)\n"
    "  --ca FILE               speak TLS, trusting the CAs in FILE (PEM;\n"
    "                          default: $WASMHPC_CA, if set)\n"
    "  --tls-cert FILE         a client certificate for the head (PEM, with\n"
    "  --tls-key FILE          its key), for heads with --tls-client-ca\n"
    "  --token-file FILE       bearer token for a head started with\n"
    "                          --auth-tokens: the file's first line\n"
    "                          (default: $WASMHPC_TOKEN, if set)\n"
    "  --code-key FILE         the deployment's code key (the head's\n"
    "                          DATA_DIR/code.key, mode 600, on every host):\n"
    "                          compiled code is shared with the head only\n"
    "                          when signed with it; without it every\n"
    "                          module is compiled on the pool\n"
    "  --allow-dir DIR         jobs may open host directories only below\n"
    "                          DIR (repeatable; default: any the head\n"
    "                          allowed); never through a symbolic link\n"
    "  --help                  this text\n"
    "SIGUSR1 or SIGUSR2 to mpirun (or SIGTERM to rank 0) drains the pool: it\n"
    "takes no new jobs, and every rank exits 0 once the head detaches it.\n";

absl::StatusOr<WorkerOptions> ParseWorkerOptions(
    const std::vector<std::string>& argv) {
  WorkerOptions options;
  for (size_t i = 1; i < argv.size(); ++i) {
    std::string flag = argv[i];
    std::optional<std::string> inline_value;
    if (size_t eq = flag.find('='); flag.starts_with("--") && eq != flag.npos) {
      inline_value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    }
    auto value = [&]() -> absl::StatusOr<std::string> {
      if (inline_value) return *inline_value;
      if (i + 1 >= argv.size()) {
        return absl::InvalidArgumentError(absl::StrCat(flag, " needs a value"));
      }
      return argv[++i];
    };
    auto number = [&](uint64_t* out) -> absl::Status {
      absl::StatusOr<std::string> text = value();
      if (!text.ok()) return text.status();
      if (!absl::SimpleAtoi(*text, out) || *out == 0) {
        return absl::InvalidArgumentError(
            absl::StrCat(flag, " takes a positive number, not '", *text, "'"));
      }
      return absl::OkStatus();
    };
    absl::Status status = absl::OkStatus();
    if (flag == "--help" || flag == "-h") {
      options.help = true;
    } else if (flag == "--blocking-collectives") {
      options.blocking_collectives = true;
    } else if (flag == "--head" || flag == "--name" || flag == "--tier" ||
               flag == "--token-file" || flag == "--code-key") {
      absl::StatusOr<std::string> text = value();
      if (!text.ok()) return text.status();
      (flag == "--head"       ? options.head
       : flag == "--name"     ? options.name
       : flag == "--tier"     ? options.tier
       : flag == "--code-key" ? options.code_key
                              : options.token_file) = *text;
    } else if (flag == "--allow-dir") {
      absl::StatusOr<std::string> text = value();
      if (!text.ok()) return text.status();
      if (text->empty() || (*text)[0] != '/') {
        return absl::InvalidArgumentError(
            absl::StrCat("--allow-dir ", *text, ": not an absolute path"));
      }
      options.allow_dirs.push_back(*text);
    } else if (flag == "--max-memory") {
      status = number(&options.max_memory_mib);
    } else if (flag == "--module-cache") {
      uint64_t n = 0;
      status = number(&n);
      options.module_cache = n;
    } else if (flag == "--tls") {
      if (inline_value) {
        return absl::InvalidArgumentError("--tls takes no value");
      }
      options.tls = true;
    } else if (flag == "--ca" || flag == "--tls-cert" || flag == "--tls-key") {
      absl::StatusOr<std::string> text = value();
      if (!text.ok()) return text.status();
      (flag == "--ca"         ? options.ca_file
       : flag == "--tls-cert" ? options.tls_cert
                              : options.tls_key) = *text;
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown argument ", argv[i]));
    }
    if (!status.ok()) return status;
  }
  if (options.head.empty() && !options.help) {
    return absl::InvalidArgumentError("--head HOST:PORT is required");
  }
  if (options.max_memory_mib > 4096) {
    return absl::InvalidArgumentError(
        absl::StrCat("--max-memory ", options.max_memory_mib,
                     " exceeds 4096 MiB, the wasm32 maximum"));
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

absl::StatusOr<ClientTls> ReadHeadTls(const WorkerOptions& options,
                                      const char* env_ca) {
  ClientTlsFiles files;
  files.tls = options.tls;
  files.ca_file = options.ca_file.empty() && env_ca != nullptr
                      ? std::string(env_ca)
                      : options.ca_file;
  files.cert_file = options.tls_cert;
  files.key_file = options.tls_key;
  return LoadClientTls(files);
}

}  // namespace wasmhpc::pool
