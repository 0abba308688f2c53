// Command line of wasmhpc-cli: global options, a command and its arguments.
//
//   wasmhpc-cli [--server HOST:PORT] [--token-file FILE | --token T] [--tls]
//               [--ca FILE] [-o text|wide|json|yaml] [--config FILE]
//               COMMAND [ARGS...]
//
// Parsing (CLI11, common/command_line.h) reads its arguments, the working
// directory from CliEnvironment, the fallbacks $WASMHPC_SERVER,
// $WASMHPC_TOKEN_FILE, $WASMHPC_TOKEN, $WASMHPC_CA and $WASMHPC_CONFIG from
// the process environment and, for commands that talk to the head, the
// settings file (cli_config.h). Each setting comes from the first of: its
// flag, its environment variable, the settings file, the default. For the
// token: --token or --token-file (not both), $WASMHPC_TOKEN_FILE,
// $WASMHPC_TOKEN, the file's token-file. Global options may also follow the
// command (`wasmhpc-cli jobs -o json`), but never after `--` in submit.
//
// Thread safety: ParseCommandLine reads the environment and the settings
// file; the other functions are pure and thread safe.
#ifndef WASMHPC_CLIENT_CLI_CLI_OPTIONS_H_
#define WASMHPC_CLIENT_CLI_CLI_OPTIONS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "wasmhpc/v1/jobs.pb.h"

namespace wasmhpc::cli {

enum class OutputFormat {
  kText,  // Tables and plain words for people.
  kWide,  // kText with more columns in tables.
  kJson,  // The API's messages as JSON, for scripts.
  kYaml,  // The same messages as YAML (yaml_format.h).
};

enum class Command {
  // --help, help [TOPIC], --version or completion SHELL: print
  // CliOptions::exit_text.
  kHelp,
  kSubmit,
  kJobs,
  kJobsPrune,
  kStatus,
  kLogs,
  kCancel,
  kModulesPush,
  kModulesLs,
  kModulesRm,
  kPools,
  kPoolsDrain,
  kPoolsResume,
  kPoolsReportFailure,
};

// What the command line reads from the process beyond argv and the
// environment variables named above.
struct CliEnvironment {
  // The working directory, absolute: relative --dir host paths are resolved
  // against it (the head and the pool do not share the CLI's directory).
  std::string cwd;
};

struct GlobalOptions {
  // --server, else $WASMHPC_SERVER. Default: "127.0.0.1:7070".
  std::string server = "127.0.0.1:7070";
  // --token, else $WASMHPC_TOKEN (when no token file applies); "" sends no
  // authorization. Default: "".
  std::string token;
  // The file whose first line is the token (read by main, cli_config.h
  // ReadTokenFile): --token-file, else $WASMHPC_TOKEN_FILE, else the
  // settings file's token-file. Default: "" (none).
  std::string token_file;
  // Where token_file came from, for messages: "--token-file",
  // "WASMHPC_TOKEN_FILE" or "token-file (PATH:LINE)".
  std::string token_file_origin;
  // -o / --output, else the settings file's output. Default: text.
  OutputFormat output = OutputFormat::kText;
  // --tls: speak TLS, trusting the system's root certificates. Default:
  // false (plaintext).
  bool tls = false;
  // --ca FILE, else $WASMHPC_CA: speak TLS, trusting the CA certificates in
  // FILE (read by main, not here). Default: "".
  std::string ca_file;
  // --config, else $WASMHPC_CONFIG: the settings file, which must exist.
  // Default: "" (the default file, if there is one).
  std::string config_file;
};

struct SubmitOptions {
  // The module: a file path, or a digest when `module_is_digest`.
  std::string module;
  bool module_is_digest = false;
  // --ranks, --env, --dir, --timeout, --memory and the guest's args;
  // module_digest is left empty (the submit command fills it in).
  v1::JobSpec spec;
  // --id: SubmitJobRequest.request_id (empty: none).
  std::string request_id;
  // --detach: print the job and return without following it.
  bool detach = false;
  // --tag-output: prefix each output line with "[rank N] ".
  bool tag_output = false;
};

// pools drain / resume / report-failure.
struct PoolCommandOptions {
  // drain, resume: the pool id.
  std::string id;
  // drain: --detach.
  bool detach = false;
  // drain, report-failure: --reason.
  std::string reason;
  // report-failure: --name (required) and --hosts a,b,...
  std::string name;
  std::vector<std::string> hosts;
};

struct CliOptions {
  GlobalOptions global;
  Command command = Command::kHelp;
  // kHelp: the help of the command asked about, or the version.
  std::string exit_text;
  // kSubmit.
  SubmitOptions submit;
  // kStatus, kLogs, kCancel.
  std::string job_id;
  // kLogs: -f / --follow.
  bool follow = false;
  // kCancel: --array (the job's whole array).
  bool cancel_array = false;
  // kJobs: --state, --name, --label and --oldest-first as the request's
  // filters; --limit: at most this many jobs (0: all).
  v1::ListJobsRequest jobs_filter;
  int jobs_limit = 0;
  // kJobsPrune: --older-than, --name, --label.
  v1::PruneJobsRequest prune;
  // kModulesPush: the file; kModulesRm: the digest.
  std::string module_arg;
  // kPoolsDrain, kPoolsResume, kPoolsReportFailure.
  PoolCommandOptions pool;
};

// Parses argv (argv[0] is the program). Errors are InvalidArgument with a
// message naming the offending argument; the caller prints it with the usage
// hint and exits 2. `--help`/`-h` (the help of the command they follow),
// `help` and `--version` give Command::kHelp and the text in exit_text.
absl::StatusOr<CliOptions> ParseCommandLine(
    const std::vector<std::string>& argv, const CliEnvironment& env);

// "30s", "5m", "1h30m", "250ms" (Go/absl syntax) or a plain number of
// seconds. "0" means no limit. InvalidArgument for anything else, negative
// or infinite durations.
absl::StatusOr<absl::Duration> ParseTimeout(absl::string_view text);

// "HOST[:GUEST][:ro]" as wasmhpc-run's --dir. A relative HOST is made
// absolute against `cwd`; GUEST defaults to HOST as written.
absl::StatusOr<v1::Dir> ParseDirSpec(absl::string_view spec,
                                     absl::string_view cwd);

// The names of the output formats, in OutputFormat's order: text, wide,
// json, yaml.
std::vector<std::string> OutputFormatNames();

// One of OutputFormatNames(). InvalidArgument otherwise.
absl::StatusOr<OutputFormat> ParseOutputFormat(absl::string_view name);

// "QUEUED", "running", ... (case-insensitive). InvalidArgument otherwise.
absl::StatusOr<v1::JobState> ParseJobState(absl::string_view name);

}  // namespace wasmhpc::cli

#endif  // WASMHPC_CLIENT_CLI_CLI_OPTIONS_H_
