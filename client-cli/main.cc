// wasmhpc-cli: submit jobs to a wasmhpc head and look after them. main only
// wires the pieces: parse (cli_options), connect (HeadClient), run
// (commands).
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "client-cli/cli_config.h"
#include "client-cli/cli_options.h"
#include "client-cli/commands.h"
#include "client-cli/head_client.h"
#include "client-cli/interrupt.h"
#include "client-cli/output_format.h"
#include "common/command_line.h"
#include "common/logging.h"

namespace {

std::string WorkingDirectory() {
  char buffer[4096];
  return getcwd(buffer, sizeof(buffer)) ? buffer : "";
}

}  // namespace

int main(int argc, char** argv) {
  using wasmhpc::cli::CliEnvironment;
  using wasmhpc::cli::CliOptions;
  using wasmhpc::cli::Command;
  using wasmhpc::cli::CommandEnv;
  using wasmhpc::cli::HeadClient;
  using wasmhpc::cli::HeadClientOptions;
  using wasmhpc::cli::InterruptWatcher;
  // First: no other thread may exist yet (see InterruptWatcher::Install).
  InterruptWatcher::Install();

  wasmhpc::InitLogging("wasmhpc-cli");
  CliEnvironment environment;
  environment.cwd = WorkingDirectory();
  absl::StatusOr<CliOptions> options = wasmhpc::cli::ParseCommandLine(
      std::vector<std::string>(argv, argv + argc), environment);
  if (!options.ok()) {
    std::fprintf(stderr, "wasmhpc-cli: %s\n%s\n",
                 std::string(options.status().message()).c_str(),
                 wasmhpc::UsageHint("wasmhpc-cli").c_str());
    return wasmhpc::cli::kExitUsage;
  }
  if (options->command == Command::kHelp) {
    std::fputs(options->exit_text.c_str(), stdout);
    return 0;
  }

  CommandEnv env;
  HeadClientOptions client_options;
  client_options.server = options->global.server;
  client_options.token = options->global.token;
  if (!options->global.token_file.empty()) {
    std::string warning;
    absl::StatusOr<std::string> token = wasmhpc::cli::ReadTokenFile(
        options->global.token_file, options->global.token_file_origin,
        &warning);
    if (!token.ok()) {
      std::fprintf(stderr, "wasmhpc-cli: %s\n",
                   std::string(token.status().message()).c_str());
      return 1;
    }
    if (!warning.empty()) {
      std::fprintf(stderr, "wasmhpc-cli: warning: %s\n", warning.c_str());
    }
    client_options.token = *std::move(token);
  }
  absl::StatusOr<wasmhpc::ClientTls> tls = wasmhpc::LoadClientTls(
      {.tls = options->global.tls, .ca_file = options->global.ca_file});
  if (!tls.ok()) {
    std::fprintf(stderr, "wasmhpc-cli: %s\n",
                 std::string(tls.status().message()).c_str());
    return 1;
  }
  client_options.tls = *std::move(tls);
  env.client = std::make_shared<HeadClient>(client_options);
  env.global = options->global;
  env.format.now = absl::Now();
  env.format.zone = absl::LocalTimeZone();
  env.stderr_is_terminal = isatty(STDERR_FILENO);
  env.interactive = env.stderr_is_terminal && isatty(STDIN_FILENO);
  int code = wasmhpc::cli::RunCommand(*options, env);
  std::fflush(stdout);
  std::fflush(stderr);
  return code;
}
