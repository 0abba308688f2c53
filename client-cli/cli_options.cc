#include "client-cli/cli_options.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <utility>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "cache-store/module_digest.h"
#include "client-cli/cli_config.h"
#include "client-cli/completion.h"
#include "client-cli/help_topics.h"
#include "client-cli/job_options.h"
#include "common/byte_size.h"
#include "common/command_line.h"
#include "server/handlers/api_limits.h"

namespace wasmhpc::cli {

namespace {

// The bytes of file `path` ("-": stdin), at most `max` of them.
absl::StatusOr<std::string> ReadInput(const std::string& path, size_t max) {
  std::FILE* file = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("cannot read ", path, ": ", std::strerror(errno)));
  }
  std::string bytes(max + 1, '\0');
  size_t n = std::fread(bytes.data(), 1, bytes.size(), file);
  const bool failed = std::ferror(file);
  const int error = errno;
  if (file != stdin) std::fclose(file);
  if (failed) {
    return absl::DataLossError(
        absl::StrCat("cannot read ", path, ": ", std::strerror(error)));
  }
  if (n > max) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": more than ", max,
        " bytes; a job's input travels with the job: put larger input in a "
        "file of a --dir and open it there"));
  }
  bytes.resize(n);
  return bytes;
}

constexpr char kDescription[] =
    "wasmhpc-cli: submits jobs to a wasmhpc head and looks after them.";
constexpr char kFooter[] =
    "Run 'wasmhpc-cli COMMAND --help' for a command's options.\n"
    "Ctrl-C while submit follows a job asks whether to cancel it.\n"
    "exit codes: submit exits with the job's code (0 succeeded, the failing\n"
    "rank's code, 124 timed out, 130 cancelled); 1 on errors; 2 on bad "
    "usage.";

using S = const std::string&;
using Strings = std::vector<std::string>;

void AddGlobalOptions(CLI::App& app, GlobalOptions& g) {
  app.add_option_function<std::string>(
         "--server",
         [&g](S v) {
           if (v.empty() || v.find(':') == std::string::npos) {
             Reject("--server", absl::StrCat(v, ": expected HOST:PORT"));
           }
           g.server = v;
         },
         "the head's gRPC address, HOST:PORT (default 127.0.0.1:7070)")
      ->envname("WASMHPC_SERVER");
  app.add_option("--token", g.token,
                 "bearer token (else $WASMHPC_TOKEN); it shows in ps: prefer "
                 "--token-file");
  app.add_option("--token-file", g.token_file,
                 "read the bearer token from FILE's first line (else "
                 "$WASMHPC_TOKEN_FILE)")
      ->type_name("FILE");
  app.add_flag("--tls", g.tls,
               "speak TLS to the head, trusting the system's CAs");
  app.add_option_function<std::string>(
         "--ca",
         [&g](S v) {
           if (v.empty()) Reject("--ca", "needs a file (PEM)");
           g.ca_file = v;
         },
         "speak TLS, trusting the CA certificates in FILE (PEM)")
      ->envname("WASMHPC_CA")
      ->type_name("FILE");
  app.add_option_function<std::string>(
         "-o,--output",
         [&g](S v) {
           absl::StatusOr<OutputFormat> format = ParseOutputFormat(v);
           if (!format.ok()) Reject("--output", format.status().message());
           g.output = *format;
         },
         "text (default), wide (tables with more columns), json or yaml (the "
         "API's messages); submit and logs print one JobEvent per line (json) "
         "or per document (yaml)")
      ->type_name("FORMAT");
  app.add_option("--config", g.config_file,
                 "settings file (else $XDG_CONFIG_HOME/wasmhpc/config; see "
                 "'wasmhpc-cli help config')")
      ->envname("WASMHPC_CONFIG")
      ->type_name("FILE");
}

void AddSubmitOptions(CLI::App& sub, const CliEnvironment& env,
                      SubmitOptions& o) {
  v1::JobSpec& spec = o.spec;
  sub.add_option_function<std::string>(
      "-n,--ranks",
      [&spec](S v) {
        int32_t ranks = 0;
        if (!absl::SimpleAtoi(v, &ranks) || ranks < 1) {
          Reject("--ranks",
                 absl::StrCat(v, ": expected a number of at least 1"));
        }
        spec.set_ranks(ranks);
      },
      "run on N ranks (required)");
  sub.add_option_function<Strings>(
         "--dir",
         [&spec, &env](const Strings& specs) {
           for (S text : specs) {
             absl::StatusOr<v1::Dir> dir = ParseDirSpec(text, env.cwd);
             if (!dir.ok()) Reject("--dir", dir.status().message());
             *spec.add_dirs() = *std::move(dir);
           }
         },
         "preopen a host directory, HOST[:GUEST][:ro] (repeatable)")
      ->allow_extra_args(false);
  sub.add_option_function<Strings>(
         "--env",
         [&spec](const Strings& vars) {
           for (S var : vars) {
             size_t eq = var.find('=');
             if (eq == std::string::npos || eq == 0) {
               Reject("--env", absl::StrCat(var, ": expected K=V"));
             }
             (*spec.mutable_env())[var.substr(0, eq)] = var.substr(eq + 1);
           }
         },
         "set a guest environment variable, K=V (repeatable)")
      ->allow_extra_args(false);
  sub.add_option_function<std::string>(
      "--timeout",
      [&spec](S v) {
        absl::StatusOr<absl::Duration> timeout = ParseTimeout(v);
        if (!timeout.ok()) Reject("--timeout", timeout.status().message());
        int64_t nanos = absl::ToInt64Nanoseconds(*timeout);
        spec.mutable_timeout()->set_seconds(nanos / 1000000000);
        spec.mutable_timeout()->set_nanos(
            static_cast<int32_t>(nanos % 1000000000));
      },
      "stop the job after D (30s, 5m, 1h30m)");
  sub.add_option_function<std::string>(
         "--memory",
         [&spec](S v) {
           absl::StatusOr<uint64_t> bytes = ParseByteSize(v);
           if (!bytes.ok()) Reject("--memory", bytes.status().message());
           if (*bytes == 0)
             Reject("--memory", "0: want a size above 0 (64M, 2G)");
           spec.set_memory_limit_bytes(*bytes);
         },
         "linear memory limit per rank (64M, 2G; default and most: the pool's "
         "--max-memory)")
      ->type_name("SIZE");
  sub.add_option_function<std::string>(
         "--priority",
         [&spec](S v) {
           int32_t priority = 0;
           if (!absl::SimpleAtoi(v, &priority) ||
               std::abs(priority) > server::kMaxPriority) {
             Reject("--priority",
                    absl::StrCat(v, ": want a whole number from -",
                                 server::kMaxPriority, " to ",
                                 server::kMaxPriority));
           }
           spec.set_priority(priority);
         },
         absl::StrCat("queue order, higher first (default 0; users may ask "
                      "up to the head's --max-user-priority, admins up to ",
                      server::kMaxPriority, ")"))
      ->type_name("N");
  sub.add_option_function<std::string>(
         "--stdin",
         [&spec](S path) {
           absl::StatusOr<std::string> input =
               ReadInput(path, server::kMaxJobSpecBytes);
           if (!input.ok()) Reject("--stdin", input.status().message());
           spec.set_stdin(*std::move(input));
         },
         absl::StrCat("the job's input, read by rank 0 ('-': this "
                      "command's stdin; at most ",
                      server::kMaxJobSpecBytes >> 10,
                      "K with the rest of the job)"))
      ->type_name("FILE");
  sub.add_option_function<std::string>(
         "--array",
         [&spec](S v) {
           absl::StatusOr<v1::ArraySpec> array = ParseArraySpec(v);
           if (!array.ok()) Reject("--array", array.status().message());
           *spec.mutable_array() = *std::move(array);
         },
         "a job array: one job per index, FIRST[-LAST[:STEP]][%MAX] (0-99%4: "
         "100 tasks, at most 4 running); the guest reads its index from "
         "WASMHPC_ARRAY_INDEX; prints the tasks' ids, does not follow")
      ->type_name("SPEC");
  sub.add_option("--name", *spec.mutable_name(),
                 "a name to find the job by (jobs --name)")
      ->type_name("NAME");
  AddLabelOption(sub, spec.mutable_labels(),
                 "a label to find the job by, K=V (repeatable; jobs --label)");
  sub.add_option("--id", o.request_id,
                 "a request id of your choosing (e.g. a UUID): submitting "
                 "again with the same ID gives the job the first submit "
                 "made, never a second job")
      ->type_name("ID");
  AddDependencyOptions(sub, spec);
  sub.add_flag("--detach", o.detach, "print the job id and return at once");
  sub.add_flag("--tag-output", o.tag_output,
               "prefix each output line with \"[rank N] \"");
}

// The command line as CLI11 subcommands; `commands` maps each onto its
// Command, parents before children. `positional` takes the command's one
// argument.
struct CliApp {
  std::unique_ptr<CLI::App> app;
  std::vector<std::pair<CLI::App*, Command>> commands;
  CLI::App* modules = nullptr;
  CLI::App* jobs = nullptr;
  CLI::App* pools = nullptr;
  CLI::App* help = nullptr;
  CLI::App* completion = nullptr;
  std::string positional;
  // help TOPIC (unused: see HelpText); completion SHELL.
  Strings topic;
  std::string shell;

  CLI::App* Add(CLI::App& parent, S name, S help, Command command,
                S positional_name = "") {
    CLI::App* sub = parent.add_subcommand(name, help);
    commands.emplace_back(sub, command);
    if (!positional_name.empty()) {
      sub->add_option(positional_name, positional, positional_name);
    }
    return sub;
  }
};

void AddCommands(CliApp& c, const CliEnvironment& env, CliOptions& o) {
  CLI::App& app = *c.app;
  // Global options may follow the command.
  app.fallthrough();
  // Unknown arguments are collected and reported after parsing, naming them.
  app.allow_extras();
  CLI::App* submit = c.Add(
      app, "submit",
      "run MODULE (a .wasm file, uploaded when the head lacks it, or "
      "sha256:...) on N ranks, print its output as the ranks write it and "
      "exit with the job's exit code; the guest's arguments follow --",
      Command::kSubmit, "MODULE");
  AddSubmitOptions(*submit, env, o.submit);
  c.jobs = c.Add(app, "jobs", "list jobs, newest first; prune", Command::kJobs);
  AddJobsOptions(*c.jobs, o.jobs_filter, o.jobs_limit);
  AddPruneOptions(*c.Add(*c.jobs, "prune",
                         "delete your ended jobs and their logs now (an "
                         "admin's: everyone's)",
                         Command::kJobsPrune),
                  o.prune);
  c.Add(app, "status", "show one job", Command::kStatus, "ID");
  c.Add(app, "logs", "print a job's output", Command::kLogs, "ID")
      ->add_flag("-f,--follow", o.follow, "until the job ends");
  c.Add(app, "cancel", "cancel a job", Command::kCancel, "ID")
      ->add_flag("--array", o.cancel_array,
                 "every task of the job array ID is a task of");
  c.modules =
      c.Add(app, "modules", "the head's modules: push, ls, rm", Command::kHelp);
  c.Add(*c.modules, "push", "upload a module, print its digest",
        Command::kModulesPush, "FILE");
  c.Add(*c.modules, "ls", "list the head's modules", Command::kModulesLs)
      ->alias("list");
  c.Add(*c.modules, "rm", "delete a module", Command::kModulesRm, "DIGEST")
      ->alias("delete");
  c.pools = c.Add(app, "pools",
                  "list the worker pools (and failed launches); drain, "
                  "resume, report-failure",
                  Command::kPools);
  c.Add(*c.pools, "ls", "list the worker pools", Command::kPools)
      ->alias("list");
  CLI::App* drain = c.Add(*c.pools, "drain",
                          "give the pool no new jobs; its running jobs finish",
                          Command::kPoolsDrain, "POOL");
  drain->add_flag("--detach", o.pool.detach,
                  "then the pool leaves and its ranks exit");
  drain->add_option("--reason", o.pool.reason, "why (shown in pools)");
  c.Add(*c.pools, "resume", "let a drained pool take jobs again",
        Command::kPoolsResume, "POOL");
  CLI::App* failed =
      c.Add(*c.pools, "report-failure",
            "record a pool launch that failed (used by wasmhpc-pool)",
            Command::kPoolsReportFailure);
  failed->add_option("--name", o.pool.name, "the pool's name (required)");
  failed->add_option_function<std::string>(
      "--hosts",
      [&o](S v) { o.pool.hosts = absl::StrSplit(v, ',', absl::SkipEmpty()); },
      "its hosts, A,B,...");
  failed->add_option("--reason", o.pool.reason, "what failed (required)");
  c.help = c.Add(app, "help",
                 "print this help, a command's (help modules push) or a "
                 "topic's: config, environment, output",
                 Command::kHelp);
  // HelpText reads help's words from argv (CLI11 takes those naming
  // commands as the commands); TOPIC is for --help and completion.
  c.help->add_option("TOPIC", c.topic, "a command (modules push) or a topic");
  c.help->allow_extras();
  c.completion = c.Add(app, "completion",
                       "print the bash or zsh completion script "
                       "(source <(wasmhpc-cli completion bash))",
                       Command::kHelp);
  c.completion->add_option("SHELL", c.shell, "bash or zsh");
}

// The error for arguments no command took (`rest`, in order).
absl::Status Leftover(const CliApp& c, Command command, const Strings& rest) {
  const std::string& arg = rest[0];
  if (arg.size() > 1 && arg[0] == '-') {
    return absl::InvalidArgumentError(absl::StrCat("unknown option ", arg));
  }
  if (c.modules->parsed() && command == Command::kHelp) {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown command 'modules ", arg, "': use push, ls or rm"));
  }
  if (c.pools->parsed() && command == Command::kPools && c.positional.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown command 'pools ", arg,
                     "': use ls, drain, resume or report-failure"));
  }
  if (c.app->get_subcommands().empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown command '", arg, "'"));
  }
  return absl::InvalidArgumentError(
      command == Command::kSubmit
          ? absl::StrCat("unexpected argument '", arg,
                         "' (the guest's arguments go after --)")
          : absl::StrCat("unexpected argument '", arg, "'"));
}

// What each command's argument is, and the message when it is missing.
const char* MissingArgument(Command command) {
  switch (command) {
    case Command::kSubmit:
      return "submit needs a module (app.wasm or sha256:...)";
    case Command::kStatus:
      return "status needs a job id";
    case Command::kLogs:
      return "logs needs a job id";
    case Command::kCancel:
      return "cancel needs a job id";
    case Command::kModulesPush:
      return "modules push needs a file";
    case Command::kModulesRm:
      return "modules rm needs a digest";
    case Command::kPoolsDrain:
    case Command::kPoolsResume:
      return "pools drain/resume needs a pool id (see wasmhpc-cli pools)";
    default:
      return nullptr;
  }
}

absl::Status NotADigest(S arg) {
  return absl::InvalidArgumentError(absl::StrCat(
      arg, ": not a digest (sha256: and 64 lower-case hex digits)"));
}

// Stores the command's one argument where it belongs.
absl::Status ApplyPositional(S arg, CliOptions& options) {
  switch (options.command) {
    case Command::kSubmit:
      options.submit.module = arg;
      options.submit.module_is_digest = absl::StartsWith(arg, kDigestPrefix);
      if (options.submit.module_is_digest && !IsValidDigest(arg)) {
        return NotADigest(arg);
      }
      break;
    case Command::kModulesRm:
      if (!IsValidDigest(arg)) return NotADigest(arg);
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

// The rules that span options, once all are read.
absl::Status Finish(const CliApp& c, CliOptions& options) {
  Strings rest = c.app->remaining(/*recurse=*/true);
  if (!rest.empty()) return Leftover(c, options.command, rest);
  if (c.app->get_subcommands().empty()) {
    return absl::InvalidArgumentError("no command given");
  }
  if (c.modules->parsed() && options.command == Command::kHelp) {
    return absl::InvalidArgumentError("modules needs push, ls or rm");
  }
  if (const char* missing = MissingArgument(options.command)) {
    if (c.positional.empty()) return absl::InvalidArgumentError(missing);
    if (absl::Status s = ApplyPositional(c.positional, options); !s.ok()) {
      return s;
    }
  }
  if (options.command == Command::kJobsPrune) {
    // Global options fall through to `jobs`; its own filters do not apply.
    for (const CLI::Option* option : c.jobs->get_options()) {
      if (option->count() > 0 && option->get_name() != "--help") {
        return absl::InvalidArgumentError(
            absl::StrCat("jobs prune does not take ", option->get_name(),
                         " (it takes --older-than, --name and --label)"));
      }
    }
  }
  if (options.command == Command::kSubmit && options.submit.spec.ranks() == 0) {
    return absl::InvalidArgumentError("submit needs --ranks N");
  }
  if (options.command == Command::kPoolsReportFailure &&
      (options.pool.name.empty() || options.pool.reason.empty())) {
    return absl::InvalidArgumentError(
        "pools report-failure needs --name NAME and --reason TEXT");
  }
  return absl::OkStatus();
}

// `help [TOPIC...]`: the program's help, a command's or a topic's; `args`
// is the command line.
absl::StatusOr<std::string> HelpText(const CliApp& c, const Strings& args) {
  Strings topic;
  auto help = std::find(args.begin() + 1, args.end(), "help");
  for (auto it = help; it != args.end() && ++it != args.end();) {
    if (!absl::StartsWith(*it, "-")) topic.push_back(*it);
  }
  if (topic.empty()) {
    // The program's help (App::help would give the `help` command's).
    return c.app->get_formatter()->make_help(c.app.get(), "wasmhpc-cli",
                                             CLI::AppFormatMode::Normal);
  }
  if (topic.size() == 1) {
    if (std::string text = HelpTopic(topic[0]); !text.empty()) return text;
  }
  const CLI::App* app = c.app.get();
  std::string prefix = "wasmhpc-cli";
  for (S word : topic) {
    std::vector<const CLI::App*> found = app->get_subcommands(
        [&word](const CLI::App* sub) { return sub->check_name(word); });
    if (found.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("help: no command or topic '", absl::StrJoin(topic, " "),
                       "' (topics: ", absl::StrJoin(HelpTopicNames(), ", "),
                       "; commands: see wasmhpc-cli help)"));
    }
    if (app != c.app.get()) absl::StrAppend(&prefix, " ", app->get_name());
    app = found[0];
  }
  return app->help(prefix);
}

// `completion SHELL`.
absl::StatusOr<std::string> Completion(const CliApp& c) {
  if (c.shell.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("completion needs a shell: ",
                     absl::StrJoin(kCompletionShells, " or ")));
  }
  CompletionHints hints;
  hints.choices["--output"] = OutputFormatNames();
  hints.choices["SHELL"] = kCompletionShells;
  std::vector<std::string>& topics = hints.choices["TOPIC"];
  for (const CLI::App* sub :
       c.app->get_subcommands([](const CLI::App*) { return true; })) {
    topics.push_back(sub->get_name());
  }
  for (const std::string& topic : HelpTopicNames()) topics.push_back(topic);
  hints.file_arguments = {"MODULE", "FILE"};
  return CompletionScript(*c.app, c.shell, hints);
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
    return absl::InvalidArgumentError(
        absl::StrCat(value, ": expected a duration like 30s, 5m or 1h30m"));
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
        absl::StrCat(text, ": unknown mode '", parts.back(),
                     "', expected HOST[:GUEST][:ro]"));
  }
  const std::string& host = parts[0];
  std::string guest = parts.size() == 2 ? parts[1] : parts[0];
  if (host.empty() || guest.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(text, ": empty path, expected HOST[:GUEST][:ro]"));
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

std::vector<std::string> OutputFormatNames() {
  return {"text", "wide", "json", "yaml"};
}

absl::StatusOr<OutputFormat> ParseOutputFormat(absl::string_view name) {
  static constexpr OutputFormat kFormats[] = {
      OutputFormat::kText, OutputFormat::kWide, OutputFormat::kJson,
      OutputFormat::kYaml};
  const std::vector<std::string> names = OutputFormatNames();
  for (size_t i = 0; i < names.size(); ++i) {
    if (name == names[i]) return kFormats[i];
  }
  return absl::InvalidArgumentError(
      absl::StrCat(name, ": expected text, wide, json or yaml"));
}

absl::StatusOr<v1::JobState> ParseJobState(absl::string_view name) {
  const std::string upper = absl::AsciiStrToUpper(std::string(name));
  v1::JobState state;
  if (!v1::JobState_Parse(upper, &state) ||
      state == v1::JOB_STATE_UNSPECIFIED) {
    return absl::InvalidArgumentError(absl::StrCat(
        std::string(name),
        ": expected QUEUED, STARTING, RUNNING, SUCCEEDED, FAILED, CANCELLED "
        "or TIMED_OUT"));
  }
  return state;
}

absl::StatusOr<CliOptions> ParseCommandLine(
    const std::vector<std::string>& argv, const CliEnvironment& env) {
  // The guest's arguments, after the first "--", are never parsed.
  Strings args = argv;
  Strings guest_args;
  auto dash_dash =
      std::find(args.begin() + (args.empty() ? 0 : 1), args.end(), "--");
  const bool has_guest_args = dash_dash != args.end();
  if (has_guest_args) {
    guest_args.assign(dash_dash + 1, args.end());
    args.erase(dash_dash, args.end());
  }
  CliOptions options;
  CliApp c;
  c.app = NewCommandLineApp("wasmhpc-cli", kDescription, kFooter);
  AddGlobalOptions(*c.app, options.global);
  AddCommands(c, env, options);
  if (absl::Status s = ParseArgs(*c.app, args, &options.exit_text); !s.ok()) {
    return s;
  }
  if (!options.exit_text.empty()) return options;  // --help, --version
  for (const auto& [sub, command] : c.commands) {
    if (sub->parsed()) options.command = command;
  }
  if (c.help->parsed() || c.completion->parsed()) {
    absl::StatusOr<std::string> text =
        c.help->parsed() ? HelpText(c, args) : Completion(c);
    if (!text.ok()) return text.status();
    options.exit_text = *std::move(text);
    return options;
  }
  if (has_guest_args && options.command != Command::kSubmit) {
    return absl::InvalidArgumentError(
        "unexpected argument '--' (only submit takes the guest's arguments)");
  }
  for (std::string& arg : guest_args) {
    options.submit.spec.add_args(std::move(arg));
  }
  if (absl::Status s = Finish(c, options); !s.ok()) return s;
  if (absl::Status s = ApplySettings(*c.app, options.global); !s.ok()) {
    return s;
  }
  return options;
}

}  // namespace wasmhpc::cli
