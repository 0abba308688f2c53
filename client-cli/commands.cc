#include "client-cli/commands.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "cache-store/module_digest.h"
#include "client-cli/log_sinks.h"
#include "client-cli/yaml_format.h"

namespace wasmhpc::cli {
namespace {

bool Wide(const CommandEnv& env) {
  return env.global.output == OutputFormat::kWide;
}

void PrintText(const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("cannot read ", path, ": ", std::strerror(errno)));
  }
  std::string bytes;
  char buffer[1 << 16];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof(buffer), file)) > 0) {
    bytes.append(buffer, n);
  }
  const bool failed = std::ferror(file);
  const int error = errno;
  std::fclose(file);
  if (failed) {
    return absl::DataLossError(
        absl::StrCat("cannot read ", path, ": ", std::strerror(error)));
  }
  return bytes;
}

std::string BaseName(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// An error whose message is the complete line for a failed call.
absl::Status RpcError(const CommandEnv& env, const std::string& action,
                      const absl::Status& status) {
  return absl::Status(status.code(),
                      FormatRpcError(env.client->server(), action, status));
}

int RunJobs(const CliOptions& options, CommandEnv& env) {
  absl::StatusOr<v1::ListJobsResponse> jobs =
      env.client->ListJobs(options.jobs_filter, options.jobs_limit);
  if (!jobs.ok()) return FailRpc(env, "jobs", jobs.status());
  if (PrintsMessages(env)) return PrintMessage(*jobs, env);
  PrintText(FormatJobsTable(*jobs, env.format, Wide(env)));
  return 0;
}

int RunJobsPrune(const CliOptions& options, CommandEnv& env) {
  absl::StatusOr<v1::PruneJobsResponse> pruned =
      env.client->PruneJobs(options.prune);
  if (!pruned.ok()) return FailRpc(env, "jobs prune", pruned.status());
  if (PrintsMessages(env)) return PrintMessage(*pruned, env);
  PrintText(absl::StrCat("deleted ", pruned->deleted(),
                         pruned->deleted() == 1 ? " job\n" : " jobs\n"));
  return 0;
}

int RunStatus(const CliOptions& options, CommandEnv& env) {
  absl::StatusOr<v1::Job> job = env.client->GetJob(options.job_id);
  if (!job.ok()) return FailRpc(env, "status", job.status());
  if (PrintsMessages(env)) return PrintMessage(*job, env);
  PrintText(FormatJobDetails(*job, env.format));
  return 0;
}

int RunCancel(const CliOptions& options, CommandEnv& env) {
  absl::StatusOr<v1::Job> job =
      env.client->CancelJob(options.job_id, options.cancel_array);
  if (!job.ok()) return FailRpc(env, "cancel", job.status());
  if (PrintsMessages(env)) return PrintMessage(*job, env);
  PrintText(absl::StrCat(job->id(), " ", StateName(job->state()), "\n"));
  return 0;
}

int RunLogs(const CliOptions& options, CommandEnv& env) {
  FollowOptions follow = env.follow;
  follow.no_follow = !options.follow;
  std::shared_ptr<HeadClient> client = env.client;
  JobFollower follower(
      [client](const v1::WatchJobRequest& request) {
        return client->WatchJob(request);
      },
      follow);
  TextFollowSink text(stdout, stderr, client->server(), /*tag_output=*/false);
  MessageFollowSink messages(stdout, stderr, client->server(),
                             env.global.output == OutputFormat::kYaml);
  FollowSink& sink =
      PrintsMessages(env) ? static_cast<FollowSink&>(messages) : text;
  absl::StatusOr<FollowResult> result = follower.Follow(options.job_id, sink);
  if (!result.ok()) return FailRpc(env, "logs", result.status());
  return 0;
}

int RunModulesPush(const CliOptions& options, CommandEnv& env) {
  absl::StatusOr<PushedModule> pushed = EnsureModule(options.module_arg, env);
  if (!pushed.ok()) return Fail(std::string(pushed.status().message()));
  if (PrintsMessages(env)) {
    v1::UploadModuleResponse response;
    *response.mutable_module() = pushed->module;
    response.set_already_present(pushed->already_present);
    return PrintMessage(response, env);
  }
  std::fprintf(stderr, "wasmhpc-cli: %s %s (%s)\n",
               pushed->already_present ? "the head already has" : "uploaded",
               options.module_arg.c_str(),
               FormatSize(pushed->module.size_bytes()).c_str());
  PrintText(absl::StrCat(pushed->module.digest(), "\n"));
  return 0;
}

int RunModulesLs(CommandEnv& env) {
  absl::StatusOr<v1::ListModulesResponse> modules = env.client->ListModules();
  if (!modules.ok()) return FailRpc(env, "modules ls", modules.status());
  if (PrintsMessages(env)) return PrintMessage(*modules, env);
  PrintText(FormatModulesTable(*modules, env.format, Wide(env)));
  return 0;
}

int RunModulesRm(const CliOptions& options, CommandEnv& env) {
  absl::Status status = env.client->DeleteModule(options.module_arg);
  if (!status.ok()) return FailRpc(env, "modules rm", status);
  if (PrintsMessages(env)) return PrintMessage(v1::DeleteModuleResponse(), env);
  PrintText(absl::StrCat("deleted ", options.module_arg, "\n"));
  return 0;
}

int RunPools(CommandEnv& env) {
  absl::StatusOr<v1::ListPoolsResponse> pools = env.client->ListPools();
  if (!pools.ok()) return FailRpc(env, "pools", pools.status());
  if (PrintsMessages(env)) return PrintMessage(*pools, env);
  PrintText(FormatPoolsTable(*pools, env.format, Wide(env)));
  return 0;
}

// Prints a pool an operator call returned: JSON, or one line.
int PrintPool(const absl::StatusOr<v1::Pool>& pool, const std::string& action,
              CommandEnv& env) {
  if (!pool.ok()) return FailRpc(env, action, pool.status());
  if (PrintsMessages(env)) return PrintMessage(*pool, env);
  PrintText(FormatPoolLine(*pool));
  return 0;
}

int RunPoolsDrain(const CliOptions& options, CommandEnv& env) {
  v1::DrainPoolRequest request;
  request.set_pool_id(options.pool.id);
  request.set_detach(options.pool.detach);
  request.set_reason(options.pool.reason);
  return PrintPool(env.client->DrainPool(request), "pools drain", env);
}

int RunPoolsReportFailure(const CliOptions& options, CommandEnv& env) {
  v1::ReportPoolFailureRequest request;
  request.set_name(options.pool.name);
  for (const std::string& host : options.pool.hosts) request.add_hosts(host);
  request.set_reason(options.pool.reason);
  return PrintPool(env.client->ReportPoolFailure(request),
                   "pools report-failure", env);
}

}  // namespace

int Fail(const std::string& message) {
  std::fprintf(stderr, "wasmhpc-cli: %s\n", message.c_str());
  return kExitError;
}

int FailRpc(const CommandEnv& env, const std::string& action,
            const absl::Status& status) {
  return Fail(FormatRpcError(env.client->server(), action, status));
}

bool PrintsMessages(const CommandEnv& env) {
  return env.global.output == OutputFormat::kJson ||
         env.global.output == OutputFormat::kYaml;
}

int PrintMessage(const google::protobuf::Message& message,
                 const CommandEnv& env) {
  const bool yaml = env.global.output == OutputFormat::kYaml;
  absl::StatusOr<std::string> text =
      yaml ? ToYaml(message) : ToJson(message, /*pretty=*/true);
  if (!text.ok()) return Fail(std::string(text.status().message()));
  PrintText(yaml ? *text : absl::StrCat(*text, "\n"));
  return 0;
}

absl::StatusOr<PushedModule> EnsureModule(const std::string& path,
                                          CommandEnv& env) {
  absl::StatusOr<std::string> bytes = ReadFile(path);
  if (!bytes.ok()) return bytes.status();
  const std::string digest = ModuleDigest(*bytes);
  absl::StatusOr<v1::Module> found = env.client->GetModule(digest);
  if (found.ok()) return PushedModule{*std::move(found), true};
  if (found.status().code() != absl::StatusCode::kNotFound) {
    return RpcError(env, "module lookup", found.status());
  }

  const std::string name = BaseName(path);
  v1::UploadModuleRequest::Header header;
  header.set_name(name);
  header.set_size_bytes(bytes->size());
  header.set_expected_digest(digest);
  bool bar_open = false;
  UploadProgress progress;
  if (env.stderr_is_terminal) {
    progress = [&](uint64_t sent, uint64_t total) {
      std::fprintf(stderr, "\r%s",
                   FormatProgressBar(name, sent, total, 30).c_str());
      std::fflush(stderr);
      bar_open = true;
    };
    progress(0, bytes->size());
  }
  absl::StatusOr<v1::UploadModuleResponse> response =
      env.client->UploadModule(header, *bytes, progress);
  if (bar_open) std::fputc('\n', stderr);
  if (!response.ok()) {
    return RpcError(env, absl::StrCat("upload of ", path), response.status());
  }
  return PushedModule{response->module(), response->already_present()};
}

int RunCommand(const CliOptions& options, CommandEnv& env) {
  switch (options.command) {
    case Command::kSubmit:
      return RunSubmit(options.submit, env);
    case Command::kJobs:
      return RunJobs(options, env);
    case Command::kJobsPrune:
      return RunJobsPrune(options, env);
    case Command::kStatus:
      return RunStatus(options, env);
    case Command::kLogs:
      return RunLogs(options, env);
    case Command::kCancel:
      return RunCancel(options, env);
    case Command::kModulesPush:
      return RunModulesPush(options, env);
    case Command::kModulesLs:
      return RunModulesLs(env);
    case Command::kModulesRm:
      return RunModulesRm(options, env);
    case Command::kPools:
      return RunPools(env);
    case Command::kPoolsDrain:
      return RunPoolsDrain(options, env);
    case Command::kPoolsResume:
      return PrintPool(env.client->ResumePool(options.pool.id), "pools resume",
                       env);
    case Command::kPoolsReportFailure:
      return RunPoolsReportFailure(options, env);
    case Command::kHelp:
      break;
  }
  std::fputs(options.exit_text.c_str(), stdout);
  return 0;
}

}  // namespace wasmhpc::cli
