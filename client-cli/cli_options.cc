#include "client-cli/cli_options.h"

#include <cstdint>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "cache-store/module_digest.h"

namespace wasmhpc::cli {

const char kUsage[] =
    "usage: wasmhpc-cli [--server HOST:PORT] [--token T] [--tls] [--ca FILE]\n"
    "                   [--output text|json] COMMAND [ARGS...]\n"
    "\n"
    "commands:\n"
    "  submit MODULE --ranks N [options] [-- ARGS...]\n"
    "        run MODULE (a .wasm file, uploaded when the head lacks it, or\n"
    "        sha256:...) on N ranks, print its output as the ranks write it\n"
    "        and exit with the job's exit code\n"
    "      --dir HOST[:GUEST][:ro]  preopen a host directory (repeatable)\n"
    "      --env K=V                set a guest environment variable "
    "(repeatable)\n"
    "      --timeout D              stop the job after D (30s, 5m, 1h30m)\n"
    "      --detach                 print the job id and return at once\n"
    "      --tag-output             prefix each output line with "
    "\"[rank N] \"\n"
    "  jobs [--state STATE]...     list jobs (QUEUED, RUNNING, FAILED, ...)\n"
    "  status ID                   show one job\n"
    "  logs ID [-f]                print a job's output (-f: until it ends)\n"
    "  cancel ID                   cancel a job\n"
    "  modules push FILE           upload a module, print its digest\n"
    "  modules ls                  list the head's modules\n"
    "  modules rm DIGEST           delete a module\n"
    "  pools                       list the worker pools (and failed "
    "launches)\n"
    "  pools drain POOL [--detach] [--reason TEXT]\n"
    "        give the pool no new jobs; its running jobs finish (--detach:\n"
    "        then it leaves and its ranks exit)\n"
    "  pools resume POOL           let a drained pool take jobs again\n"
    "  pools report-failure --name NAME --reason TEXT [--hosts A,B]\n"
    "        record a pool launch that failed (used by wasmhpc-pool)\n"
    "\n"
    "options:\n"
    "  --server HOST:PORT  the head's gRPC address (default $WASMHPC_SERVER,\n"
    "                      else 127.0.0.1:7070)\n"
    "  --token T           bearer token (default $WASMHPC_TOKEN)\n"
    "  --tls               speak TLS to the head, trusting the system's CAs\n"
    "  --ca FILE           speak TLS, trusting the CA certificates in FILE\n"
    "                      (PEM; default $WASMHPC_CA)\n"
    "  --output FORMAT     text (default) or json: the API's messages; submit\n"
    "                      and logs print one JobEvent per line\n"
    "  -h, --help          this text\n"
    "\n"
    "Ctrl-C while submit follows a job asks whether to cancel it.\n"
    "exit codes: submit exits with the job's code (0 succeeded, the failing\n"
    "rank's code, 124 timed out, 130 cancelled); 1 on errors; 2 on bad "
    "usage.\n";

namespace {

// One argument that looks like an option: "--name", "-n" or "--name=value".
struct OptionArg {
  std::string name;
  std::optional<std::string> inline_value;
};

OptionArg SplitOption(const std::string& arg) {
  size_t eq = arg.find('=');
  if (arg.starts_with("--") && eq != std::string::npos) {
    return {arg.substr(0, eq), arg.substr(eq + 1)};
  }
  return {arg, std::nullopt};
}

bool LooksLikeOption(const std::string& arg) {
  return arg.size() > 1 && arg[0] == '-';
}

bool IsHelp(const std::string& arg) { return arg == "--help" || arg == "-h"; }

// Walks argv; options read their value from "=value" or the next argument.
class ArgReader {
 public:
  explicit ArgReader(const std::vector<std::string>& argv) : argv_(argv) {}

  bool Done() const { return pos_ >= argv_.size(); }
  const std::string& Peek() const { return argv_[pos_]; }
  const std::string& Take() { return argv_[pos_++]; }

  absl::StatusOr<std::string> Value(const OptionArg& option) {
    if (option.inline_value) return *option.inline_value;
    if (Done()) {
      return absl::InvalidArgumentError(
          absl::StrCat(option.name, " needs a value"));
    }
    return Take();
  }

 private:
  const std::vector<std::string>& argv_;
  size_t pos_ = 1;
};

absl::Status NoValue(const OptionArg& option) {
  if (!option.inline_value) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(option.name, " takes no value"));
}

// Applies a global option; false if `option` is not one.
absl::StatusOr<bool> ApplyGlobal(const OptionArg& option, ArgReader& args,
                                 GlobalOptions& global) {
  if (option.name == "--tls") {
    if (absl::Status s = NoValue(option); !s.ok()) return s;
    global.tls = true;
    return true;
  }
  if (option.name != "--server" && option.name != "--token" &&
      option.name != "--ca" && option.name != "--output") {
    return false;
  }
  absl::StatusOr<std::string> value = args.Value(option);
  if (!value.ok()) return value.status();
  if (option.name == "--server") {
    if (value->empty() || value->find(':') == std::string::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("--server ", *value, ": expected HOST:PORT"));
    }
    global.server = *value;
  } else if (option.name == "--token") {
    global.token = *value;
  } else if (option.name == "--ca") {
    if (value->empty()) {
      return absl::InvalidArgumentError("--ca needs a file (PEM)");
    }
    global.ca_file = *value;
  } else if (*value == "text") {
    global.output = OutputFormat::kText;
  } else if (*value == "json") {
    global.output = OutputFormat::kJson;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("--output ", *value, ": expected text or json"));
  }
  return true;
}

absl::Status ApplyEnv(const std::string& value, v1::JobSpec& spec) {
  size_t eq = value.find('=');
  if (eq == std::string::npos || eq == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("--env ", value, ": expected K=V"));
  }
  (*spec.mutable_env())[value.substr(0, eq)] = value.substr(eq + 1);
  return absl::OkStatus();
}

absl::Status ApplyRanks(const std::string& value, v1::JobSpec& spec) {
  int32_t ranks = 0;
  if (!absl::SimpleAtoi(value, &ranks) || ranks < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("--ranks ", value, ": expected a number of at least 1"));
  }
  spec.set_ranks(ranks);
  return absl::OkStatus();
}

// Applies a submit option; false if `option` is not one.
absl::StatusOr<bool> ApplySubmit(const OptionArg& option, ArgReader& args,
                                 const CliEnvironment& env,
                                 SubmitOptions& submit) {
  const std::string& name = option.name;
  if (name == "--detach" || name == "--tag-output") {
    if (absl::Status s = NoValue(option); !s.ok()) return s;
    (name == "--detach" ? submit.detach : submit.tag_output) = true;
    return true;
  }
  if (name != "--ranks" && name != "-n" && name != "--env" && name != "--dir" &&
      name != "--timeout") {
    return false;
  }
  absl::StatusOr<std::string> value = args.Value(option);
  if (!value.ok()) return value.status();
  v1::JobSpec& spec = submit.spec;
  absl::Status status;
  if (name == "--ranks" || name == "-n") {
    status = ApplyRanks(*value, spec);
  } else if (name == "--env") {
    status = ApplyEnv(*value, spec);
  } else if (name == "--dir") {
    absl::StatusOr<v1::Dir> dir = ParseDirSpec(*value, env.cwd);
    status = dir.status();
    if (dir.ok()) *spec.add_dirs() = *std::move(dir);
  } else {
    absl::StatusOr<absl::Duration> timeout = ParseTimeout(*value);
    if (timeout.ok()) {
      int64_t nanos = absl::ToInt64Nanoseconds(*timeout);
      spec.mutable_timeout()->set_seconds(nanos / 1000000000);
      spec.mutable_timeout()->set_nanos(
          static_cast<int32_t>(nanos % 1000000000));
    }
    status = timeout.status();
  }
  if (!status.ok()) return status;
  return true;
}

// Options of pools drain (--detach, --reason) and pools report-failure
// (--name, --hosts, --reason); false for others.
absl::StatusOr<bool> ApplyPoolOption(const OptionArg& option, ArgReader& args,
                                     Command command,
                                     PoolCommandOptions& pool) {
  const std::string& name = option.name;
  const bool drain = command == Command::kPoolsDrain;
  if (drain && name == "--detach") {
    if (absl::Status s = NoValue(option); !s.ok()) return s;
    pool.detach = true;
    return true;
  }
  if (name != "--reason" &&
      (drain || (name != "--name" && name != "--hosts"))) {
    return false;
  }
  absl::StatusOr<std::string> value = args.Value(option);
  if (!value.ok()) return value.status();
  if (name == "--reason") {
    pool.reason = *value;
  } else if (name == "--name") {
    pool.name = *value;
  } else {
    pool.hosts = absl::StrSplit(*value, ',', absl::SkipEmpty());
  }
  return true;
}

// Applies an option of `command`; false if it has no such option.
absl::StatusOr<bool> ApplyCommandOption(const OptionArg& option,
                                        ArgReader& args,
                                        const CliEnvironment& env,
                                        CliOptions& options) {
  switch (options.command) {
    case Command::kSubmit:
      return ApplySubmit(option, args, env, options.submit);
    case Command::kLogs:
      if (option.name != "-f" && option.name != "--follow") return false;
      if (absl::Status s = NoValue(option); !s.ok()) return s;
      options.follow = true;
      return true;
    case Command::kPoolsDrain:
    case Command::kPoolsReportFailure:
      return ApplyPoolOption(option, args, options.command, options.pool);
    case Command::kJobs: {
      if (option.name != "--state") return false;
      absl::StatusOr<std::string> value = args.Value(option);
      if (!value.ok()) return value.status();
      for (absl::string_view part : absl::StrSplit(*value, ',')) {
        absl::StatusOr<v1::JobState> state = ParseJobState(part);
        if (!state.ok()) return state.status();
        options.states.push_back(*state);
      }
      return true;
    }
    default:
      return false;
  }
}

// Maps the command word(s) at the reader onto a Command.
absl::StatusOr<Command> ReadCommand(ArgReader& args) {
  const std::string word = args.Take();
  if (word == "submit") return Command::kSubmit;
  if (word == "jobs") return Command::kJobs;
  if (word == "status") return Command::kStatus;
  if (word == "logs") return Command::kLogs;
  if (word == "cancel") return Command::kCancel;
  if (word == "help") return Command::kHelp;
  if (word == "pools") {
    if (args.Done() || LooksLikeOption(args.Peek())) return Command::kPools;
    const std::string sub = args.Take();
    if (sub == "ls" || sub == "list") return Command::kPools;
    if (sub == "drain") return Command::kPoolsDrain;
    if (sub == "resume") return Command::kPoolsResume;
    if (sub == "report-failure") return Command::kPoolsReportFailure;
    return absl::InvalidArgumentError(
        absl::StrCat("unknown command 'pools ", sub,
                     "': use ls, drain, resume or report-failure"));
  }
  if (word != "modules") {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown command '", word, "'"));
  }
  if (args.Done() || LooksLikeOption(args.Peek())) {
    return absl::InvalidArgumentError("modules needs push, ls or rm");
  }
  const std::string sub = args.Take();
  if (sub == "push") return Command::kModulesPush;
  if (sub == "ls" || sub == "list") return Command::kModulesLs;
  if (sub == "rm" || sub == "delete") return Command::kModulesRm;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown command 'modules ", sub, "': use push, ls or rm"));
}

// Checks the positional arguments of the command and stores them.
absl::Status ApplyPositionals(const std::vector<std::string>& positionals,
                              CliOptions& options) {
  size_t want = 0;
  const char* what = "";
  switch (options.command) {
    case Command::kSubmit:
      want = 1;
      what = "submit needs a module (app.wasm or sha256:...)";
      break;
    case Command::kStatus:
      want = 1;
      what = "status needs a job id";
      break;
    case Command::kLogs:
      want = 1;
      what = "logs needs a job id";
      break;
    case Command::kCancel:
      want = 1;
      what = "cancel needs a job id";
      break;
    case Command::kModulesPush:
      want = 1;
      what = "modules push needs a file";
      break;
    case Command::kModulesRm:
      want = 1;
      what = "modules rm needs a digest";
      break;
    case Command::kPoolsDrain:
    case Command::kPoolsResume:
      want = 1;
      what = "pools drain/resume needs a pool id (see wasmhpc-cli pools)";
      break;
    default:
      break;
  }
  if (positionals.size() < want) {
    return absl::InvalidArgumentError(what);
  }
  if (positionals.size() > want) {
    const std::string& extra = positionals[want];
    return absl::InvalidArgumentError(
        options.command == Command::kSubmit
            ? absl::StrCat("unexpected argument '", extra,
                           "' (the guest's arguments go after --)")
            : absl::StrCat("unexpected argument '", extra, "'"));
  }
  if (want == 0) return absl::OkStatus();
  const std::string& arg = positionals[0];
  switch (options.command) {
    case Command::kSubmit:
      options.submit.module = arg;
      options.submit.module_is_digest = absl::StartsWith(arg, kDigestPrefix);
      if (options.submit.module_is_digest && !IsValidDigest(arg)) {
        return absl::InvalidArgumentError(absl::StrCat(
            arg, ": not a digest (sha256: and 64 lower-case hex digits)"));
      }
      break;
    case Command::kModulesRm:
      if (!IsValidDigest(arg)) {
        return absl::InvalidArgumentError(absl::StrCat(
            arg, ": not a digest (sha256: and 64 lower-case hex digits)"));
      }
      options.module_arg = arg;
      break;
    case Command::kModulesPush:
      options.module_arg = arg;
      break;
    case Command::kPoolsDrain:
    case Command::kPoolsResume:
      options.pool.id = arg;
      break;
    default:
      options.job_id = arg;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<absl::Duration> ParseTimeout(absl::string_view text) {
  const std::string value(text);
  absl::Duration duration;
  bool parsed = false;
  if (int64_t seconds = 0; absl::SimpleAtoi(value, &seconds)) {
    duration = absl::Seconds(seconds);
    parsed = true;
  } else {
    parsed = absl::ParseDuration(value, &duration);
  }
  if (!parsed || duration < absl::ZeroDuration() ||
      duration == absl::InfiniteDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--timeout ", value, ": expected a duration like 30s, 5m or 1h30m"));
  }
  return duration;
}

absl::StatusOr<v1::Dir> ParseDirSpec(absl::string_view spec,
                                     absl::string_view cwd) {
  const std::string text(spec);
  std::vector<std::string> parts = absl::StrSplit(text, ':');
  v1::Dir dir;
  if (parts.size() >= 2 && parts.back() == "ro") {
    dir.set_read_only(true);
    parts.pop_back();
  }
  if (parts.size() > 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("--dir ", text, ": unknown mode '", parts.back(),
                     "', expected HOST[:GUEST][:ro]"));
  }
  const std::string& host = parts[0];
  std::string guest = parts.size() == 2 ? parts[1] : parts[0];
  if (host.empty() || guest.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--dir ", text, ": empty path, expected HOST[:GUEST][:ro]"));
  }
  if (host.starts_with("/") || cwd.empty()) {
    dir.set_host_path(host);
  } else if (host == ".") {
    dir.set_host_path(std::string(cwd));
  } else {
    std::string base(cwd);
    if (!base.ends_with("/")) base += "/";
    dir.set_host_path(absl::StrCat(base, host));
  }
  while (guest.size() > 1 && guest.back() == '/') guest.pop_back();
  dir.set_guest_path(guest);
  return dir;
}

absl::StatusOr<v1::JobState> ParseJobState(absl::string_view name) {
  const std::string upper = absl::AsciiStrToUpper(std::string(name));
  v1::JobState state;
  if (!v1::JobState_Parse(upper, &state) ||
      state == v1::JOB_STATE_UNSPECIFIED) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--state ", std::string(name),
        ": expected QUEUED, STARTING, RUNNING, SUCCEEDED, FAILED, CANCELLED "
        "or TIMED_OUT"));
  }
  return state;
}

absl::StatusOr<CliOptions> ParseCommandLine(
    const std::vector<std::string>& argv, const CliEnvironment& env) {
  CliOptions options;
  if (!env.server.empty()) options.global.server = env.server;
  options.global.token = env.token;
  options.global.ca_file = env.ca;
  ArgReader args(argv);

  // Global options, then the command.
  while (!args.Done() && LooksLikeOption(args.Peek())) {
    const std::string& arg = args.Take();
    if (IsHelp(arg)) return options;  // kHelp
    OptionArg option = SplitOption(arg);
    absl::StatusOr<bool> applied = ApplyGlobal(option, args, options.global);
    if (!applied.ok()) return applied.status();
    if (!*applied) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown option ", option.name));
    }
  }
  if (args.Done()) return absl::InvalidArgumentError("no command given");
  absl::StatusOr<Command> command = ReadCommand(args);
  if (!command.ok()) return command.status();
  options.command = *command;
  if (options.command == Command::kHelp) return options;

  std::vector<std::string> positionals;
  while (!args.Done()) {
    const std::string& arg = args.Take();
    if (arg == "--" && options.command == Command::kSubmit) {
      while (!args.Done()) options.submit.spec.add_args(args.Take());
      break;
    }
    if (!LooksLikeOption(arg)) {
      positionals.push_back(arg);
      continue;
    }
    if (IsHelp(arg)) {
      options.command = Command::kHelp;
      return options;
    }
    OptionArg option = SplitOption(arg);
    absl::StatusOr<bool> applied = ApplyGlobal(option, args, options.global);
    if (applied.ok() && !*applied) {
      applied = ApplyCommandOption(option, args, env, options);
    }
    if (!applied.ok()) return applied.status();
    if (!*applied) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown option ", option.name));
    }
  }
  if (absl::Status s = ApplyPositionals(positionals, options); !s.ok()) {
    return s;
  }
  if (options.command == Command::kSubmit && options.submit.spec.ranks() == 0) {
    return absl::InvalidArgumentError("submit needs --ranks N");
  }
  if (options.command == Command::kPoolsReportFailure &&
      (options.pool.name.empty() || options.pool.reason.empty())) {
    return absl::InvalidArgumentError(
        "pools report-failure needs --name NAME and --reason TEXT");
  }
  return options;
}

}  // namespace wasmhpc::cli
