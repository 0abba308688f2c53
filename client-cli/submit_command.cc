// `wasmhpc-cli submit`: upload if needed, submit, follow, exit with the
// job's code; Ctrl-C while following asks whether to cancel the job.
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "client-cli/commands.h"
#include "client-cli/interrupt.h"
#include "client-cli/log_sinks.h"

namespace wasmhpc::cli {
namespace {

// What the Ctrl-C handler needs; shared with it so it stays alive as long
// as the handler may run.
struct FollowedJob {
  std::shared_ptr<HeadClient> client;
  std::shared_ptr<JobFollower> follower;
  std::string id;
  bool interactive = false;
  std::atomic<bool> cancel_requested{false};
};

// Asks on a terminal (and cancels on "y"); without one, cancels at once. A
// second Ctrl-C, at the prompt or after the cancel, stops following.
void OnInterrupt(FollowedJob& job) {
  if (job.cancel_requested) {
    job.follower->Stop();
    return;
  }
  if (job.interactive) {
    std::fprintf(stderr,
                 "\nwasmhpc-cli: cancel job %s? [y/N] (Ctrl-C again: stop "
                 "following, the job keeps running) ",
                 job.id.c_str());
    std::fflush(stderr);
    InterruptWatcher::Answer answer =
        InterruptWatcher::ReadLineOrInterrupt(STDIN_FILENO);
    if (answer.kind == InterruptWatcher::Answer::kInterrupted) {
      std::fputc('\n', stderr);
      job.follower->Stop();
      return;
    }
    if (answer.kind != InterruptWatcher::Answer::kLine || !IsYes(answer.line)) {
      std::fprintf(stderr, "wasmhpc-cli: still following job %s\n",
                   job.id.c_str());
      return;
    }
  }
  job.cancel_requested = true;
  std::fprintf(stderr, "wasmhpc-cli: cancelling job %s\n", job.id.c_str());
  std::fflush(stderr);
  absl::StatusOr<v1::Job> cancelled = job.client->CancelJob(job.id);
  if (!cancelled.ok()) {
    std::fprintf(
        stderr, "wasmhpc-cli: %s\n",
        FormatRpcError(job.client->server(), "cancel", cancelled.status())
            .c_str());
    job.cancel_requested = false;
  }
}

int Follow(const v1::Job& submitted, const SubmitOptions& options,
           CommandEnv& env) {
  auto job = std::make_shared<FollowedJob>();
  job->client = env.client;
  job->id = submitted.id();
  job->interactive = env.interactive;
  std::shared_ptr<HeadClient> client = env.client;
  job->follower = std::make_shared<JobFollower>(
      [client](const v1::WatchJobRequest& request) {
        return client->WatchJob(request);
      },
      env.follow);

  TextFollowSink text(stdout, stderr, client->server(), options.tag_output);
  MessageFollowSink messages(stdout, stderr, client->server(),
                             env.global.output == OutputFormat::kYaml);
  FollowSink& sink =
      PrintsMessages(env) ? static_cast<FollowSink&>(messages) : text;
  InterruptWatcher::SetHandler([job] { OnInterrupt(*job); });
  absl::StatusOr<FollowResult> result = job->follower->Follow(job->id, sink);
  InterruptWatcher::SetHandler(nullptr);

  if (!result.ok()) {
    return FailRpc(env, absl::StrCat("following job ", job->id),
                   result.status());
  }
  if (!result->ended) {
    Fail(absl::StrCat("stopped following job ", job->id,
                      "; it keeps running (wasmhpc-cli logs -f ", job->id,
                      ")"));
    return kExitCancelled;
  }
  const std::string end = JobEndMessage(result->job);
  if (!end.empty()) std::fprintf(stderr, "wasmhpc-cli: %s\n", end.c_str());
  return JobExitCode(result->job);
}

// A job array is not followed: its tasks' ids, one per line.
int PrintArray(const v1::Job& first, CommandEnv& env) {
  v1::ListJobsRequest filter;
  filter.set_array_id(first.array_id());
  filter.set_oldest_first(true);
  absl::StatusOr<v1::ListJobsResponse> tasks = env.client->ListJobs(filter);
  if (!tasks.ok()) return FailRpc(env, "listing the array", tasks.status());
  if (PrintsMessages(env)) return PrintMessage(*tasks, env);
  for (const v1::Job& task : tasks->jobs()) {
    std::printf("%s\n", task.id().c_str());
  }
  if (env.stderr_is_terminal) {
    std::fprintf(stderr,
                 "wasmhpc-cli: job array %s: %d tasks (wasmhpc-cli jobs "
                 "--array %s)\n",
                 first.array_id().c_str(), tasks->jobs_size(),
                 first.array_id().c_str());
  }
  return 0;
}

}  // namespace

int RunSubmit(const SubmitOptions& options, CommandEnv& env) {
  v1::SubmitJobRequest request;
  request.set_request_id(options.request_id);
  v1::JobSpec& spec = *request.mutable_spec();
  spec = options.spec;
  if (options.module_is_digest) {
    spec.set_module_digest(options.module);
  } else {
    absl::StatusOr<PushedModule> pushed = EnsureModule(options.module, env);
    if (!pushed.ok()) return Fail(std::string(pushed.status().message()));
    spec.set_module_digest(pushed->module.digest());
  }

  absl::StatusOr<v1::Job> job = env.client->SubmitJob(request);
  if (!job.ok()) return FailRpc(env, "submit", job.status());
  if (!job->array_id().empty()) return PrintArray(*job, env);
  if (options.detach) {
    if (PrintsMessages(env)) return PrintMessage(*job, env);
    std::printf("%s\n", job->id().c_str());
    return 0;
  }
  if (env.stderr_is_terminal && !PrintsMessages(env)) {
    std::fprintf(stderr, "wasmhpc-cli: job %s submitted (%d rank%s)\n",
                 job->id().c_str(), job->spec().ranks(),
                 job->spec().ranks() == 1 ? "" : "s");
  }
  return Follow(*job, options, env);
}

}  // namespace wasmhpc::cli
