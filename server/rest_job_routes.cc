// The /v1/jobs routes of RestRouter, with the log stream.
#include <limits>
#include <memory>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "server/rest_json.h"
#include "server/rest_params.h"
#include "server/rest_router.h"

namespace wasmhpc::server {
namespace {

// A log stream writes in pieces of about this size.
constexpr size_t kLogBatchBytes = 64 << 10;

}  // namespace

absl::Status RestRouter::SubmitJob(const Request& request, Response& response) {
  // No query check: a form-encoded body would show up as query parameters.
  v1::SubmitJobRequest submit;
  if (absl::Status s = ParseJson(request.body, &submit); !s.ok()) return s;
  absl::StatusOr<v1::Job> job = options_.jobs->Submit(submit.spec());
  if (!job.ok()) return job.status();
  SetJson(response, *job, 201);
  response.set_header("Location", absl::StrCat("/v1/jobs/", job->id()));
  return absl::OkStatus();
}

absl::Status RestRouter::ListJobs(const Request& request, Response& response) {
  if (absl::Status s =
          CheckParams(request, {"page_size", "page_token", "state"});
      !s.ok()) {
    return s;
  }
  absl::StatusOr<int64_t> page_size =
      IntParam(request, "page_size", 0, 0, 1000);
  if (!page_size.ok()) return page_size.status();
  v1::ListJobsRequest list;
  list.set_page_size(static_cast<int32_t>(*page_size));
  list.set_page_token(request.get_param_value("page_token"));
  const size_t states = request.get_param_value_count("state");
  for (size_t i = 0; i < states; ++i) {
    const std::string name =
        absl::AsciiStrToUpper(request.get_param_value("state", i));
    v1::JobState state;
    if (!v1::JobState_Parse(name, &state) ||
        state == v1::JOB_STATE_UNSPECIFIED) {
      return absl::InvalidArgumentError(absl::StrCat(
          "query parameter state='", request.get_param_value("state", i),
          "': expected QUEUED, STARTING, RUNNING, SUCCEEDED, FAILED, "
          "CANCELLED or TIMED_OUT"));
    }
    list.add_states(state);
  }
  absl::StatusOr<v1::ListJobsResponse> jobs = options_.jobs->List(list);
  if (!jobs.ok()) return jobs.status();
  SetJson(response, *jobs);
  return absl::OkStatus();
}

absl::Status RestRouter::GetJob(const Request& request, Response& response) {
  if (absl::Status s = CheckParams(request, {}); !s.ok()) return s;
  absl::StatusOr<v1::Job> job = options_.jobs->Get(PathParam(request));
  if (!job.ok()) return job.status();
  SetJson(response, *job);
  return absl::OkStatus();
}

absl::Status RestRouter::CancelJob(const Request& request, Response& response) {
  if (absl::Status s = CheckParams(request, {}); !s.ok()) return s;
  absl::StatusOr<v1::Job> job = options_.jobs->Cancel(PathParam(request));
  if (!job.ok()) return job.status();
  SetJson(response, *job);
  return absl::OkStatus();
}

absl::Status RestRouter::JobLogs(const Request& request, Response& response) {
  if (absl::Status s = CheckParams(request, {"offset", "follow", "format"});
      !s.ok()) {
    return s;
  }
  absl::StatusOr<int64_t> offset =
      IntParam(request, "offset", 0, 0, std::numeric_limits<int64_t>::max());
  if (!offset.ok()) return offset.status();
  absl::StatusOr<bool> follow = BoolParam(request, "follow", false);
  if (!follow.ok()) return follow.status();
  const std::string format = request.has_param("format")
                                 ? request.get_param_value("format")
                                 : std::string("text");
  if (format != "text" && format != "events") {
    return absl::InvalidArgumentError(absl::StrCat(
        "query parameter format='", format, "': expected text or events"));
  }
  // Unknown jobs and offsets past the log's end fail here, before the
  // answer starts.
  v1::WatchJobRequest watch;
  watch.set_id(PathParam(request));
  watch.set_log_offset(static_cast<uint64_t>(*offset));
  absl::StatusOr<std::unique_ptr<JobWatcher>> watcher =
      options_.jobs->Watch(watch);
  if (!watcher.ok()) return watcher.status();
  // httplib copies the provider: share the watcher.
  std::shared_ptr<JobWatcher> shared = *std::move(watcher);
  const bool events = format == "events";
  response.set_chunked_content_provider(
      events ? "application/x-ndjson" : "text/plain; charset=utf-8",
      [this, shared, follow = *follow, events](size_t,
                                               httplib::DataSink& sink) {
        return StreamLog(*shared, follow, events, sink);
      });
  return absl::OkStatus();
}

// Called by httplib until it returns false (cut the answer short) or calls
// sink.done() (the answer is complete). Each call writes what is new, up to
// a batch; a follow stream waits up to `poll` for news when there is none.
bool RestRouter::StreamLog(JobWatcher& watcher, bool follow, bool events,
                           httplib::DataSink& sink) {
  std::string batch;
  while (batch.size() < kLogBatchBytes) {
    if (stopping_) return false;
    v1::JobEvent event;
    const absl::Duration wait =
        follow && batch.empty() ? options_.poll : absl::ZeroDuration();
    absl::StatusOr<JobWatcher::Step> step = watcher.Next(wait, &event);
    if (!step.ok()) return false;  // Shutting down, or a log read error.
    if (*step == JobWatcher::Step::kEvent) {
      if (events) {
        absl::StrAppend(&batch, ToJson(event), "\n");
      } else if (event.has_log()) {
        batch += event.log().data();
      }
      continue;
    }
    if (!batch.empty() && !sink.write(batch.data(), batch.size())) {
      return false;
    }
    if (*step == JobWatcher::Step::kDone || !follow) sink.done();
    return true;
  }
  return sink.write(batch.data(), batch.size());
}

}  // namespace wasmhpc::server
