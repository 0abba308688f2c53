// The /v1/jobs routes of RestRouter, with the log stream.
#include <limits>
#include <memory>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "server/rest/rest_json.h"
#include "server/rest/rest_params.h"
#include "server/rest/rest_router.h"

namespace wasmhpc::server {
namespace {

// A log stream writes in pieces of about this size.
constexpr size_t kLogBatchBytes = 64 << 10;

}  // namespace

absl::Status RestRouter::SubmitJob(const Request& request, Response& response,
                                   const Caller& caller) {
  // No query check: a form-encoded body would show up as query parameters.
  v1::SubmitJobRequest submit;
  if (absl::Status s = ParseJson(request.body, &submit); !s.ok()) return s;
  absl::StatusOr<v1::Job> job = options_.jobs->Submit(submit, caller);
  if (!job.ok()) return job.status();
  SetJson(response, *job, 201);
  response.set_header("Location", absl::StrCat("/v1/jobs/", job->id()));
  return absl::OkStatus();
}

absl::Status RestRouter::ListJobs(const Request& request, Response& response,
                                  const Caller& caller) {
  if (absl::Status s =
          CheckParams(request, {"page_size", "page_token", "state", "name",
                                "label", "oldest_first", "array_id"});
      !s.ok()) {
    return s;
  }
  absl::StatusOr<int64_t> page_size =
      IntParam(request, "page_size", 0, 0, 1000);
  if (!page_size.ok()) return page_size.status();
  v1::ListJobsRequest list;
  list.set_page_size(static_cast<int32_t>(*page_size));
  list.set_page_token(request.get_param_value("page_token"));
  list.set_name(request.get_param_value("name"));
  list.set_array_id(request.get_param_value("array_id"));
  if (absl::Status s = LabelParams(request, list.mutable_labels()); !s.ok()) {
    return s;
  }
  absl::StatusOr<bool> oldest_first = BoolParam(request, "oldest_first", false);
  if (!oldest_first.ok()) return oldest_first.status();
  list.set_oldest_first(*oldest_first);
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
  absl::StatusOr<v1::ListJobsResponse> jobs = options_.jobs->List(list, caller);
  if (!jobs.ok()) return jobs.status();
  SetJson(response, *jobs);
  return absl::OkStatus();
}

absl::Status RestRouter::GetJob(const Request& request, Response& response,
                                const Caller& caller) {
  if (absl::Status s = CheckParams(request, {}); !s.ok()) return s;
  absl::StatusOr<v1::Job> job = options_.jobs->Get(PathParam(request), caller);
  if (!job.ok()) return job.status();
  SetJson(response, *job);
  return absl::OkStatus();
}

absl::Status RestRouter::CancelJob(const Request& request, Response& response,
                                   const Caller& caller) {
  if (absl::Status s = CheckParams(request, {"array"}); !s.ok()) return s;
  absl::StatusOr<bool> array = BoolParam(request, "array", false);
  if (!array.ok()) return array.status();
  absl::StatusOr<v1::Job> job =
      options_.jobs->Cancel(PathParam(request), caller, *array);
  if (!job.ok()) return job.status();
  SetJson(response, *job);
  return absl::OkStatus();
}

absl::Status RestRouter::PruneJobs(const Request& request, Response& response,
                                   const Caller& caller) {
  // No query check: a form-encoded body would show up as query parameters.
  v1::PruneJobsRequest prune;
  if (!request.body.empty()) {
    if (absl::Status s = ParseJson(request.body, &prune); !s.ok()) return s;
  }
  absl::StatusOr<v1::PruneJobsResponse> pruned =
      options_.jobs->Prune(prune, caller);
  if (!pruned.ok()) return pruned.status();
  SetJson(response, *pruned);
  return absl::OkStatus();
}

absl::Status RestRouter::JobLogs(const Request& request, Response& response,
                                 const Caller& caller) {
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
      options_.jobs->Watch(watch, caller);
  if (!watcher.ok()) return watcher.status();
  if (*follow && requests_.open_streams() >= options_.max_streams) {
    return absl::ResourceExhaustedError(
        absl::StrCat("too many log streams open (", options_.max_streams,
                     "); try again later or read without follow"));
  }
  // httplib copies the provider: share the stream's state. The stream
  // counts as open until httplib drops the provider (done, cut short).
  requests_.StreamOpened();
  std::shared_ptr<LogStream> stream(new LogStream, [this](LogStream* ended) {
    delete ended;
    requests_.StreamClosed();
  });
  stream->watcher = *std::move(watcher);
  stream->job_id = watch.id();
  stream->caller = caller;
  stream->follow = *follow;
  stream->events = format == "events";
  stream->last_write = absl::Now();
  response.set_chunked_content_provider(
      stream->events ? "application/x-ndjson" : "text/plain; charset=utf-8",
      [this, stream](size_t, httplib::DataSink& sink) {
        return StreamLog(*stream, sink);
      });
  return absl::OkStatus();
}

// Called by httplib until it returns false (cut the answer short) or calls
// sink.done() (the answer is complete). Each call writes what is new, up to
// a batch; a follow stream waits up to `poll` for news when there is none.
bool RestRouter::StreamLog(LogStream& stream, httplib::DataSink& sink) {
  std::string batch;
  while (batch.size() < kLogBatchBytes) {
    if (stopping_) return false;
    v1::JobEvent event;
    const absl::Duration wait =
        stream.follow && batch.empty() ? options_.poll : absl::ZeroDuration();
    absl::StatusOr<JobWatcher::Step> step = stream.watcher->Next(wait, &event);
    if (!step.ok()) return false;  // Shutting down, or a log read error.
    if (*step == JobWatcher::Step::kEvent) {
      if (stream.events) {
        absl::StrAppend(&batch, ToJson(event), "\n");
      } else if (event.has_log()) {
        batch += event.log().data();
      }
      continue;
    }
    if (batch.empty() && stream.events && stream.follow &&
        absl::Now() - stream.last_write >= options_.heartbeat) {
      // A quiet events stream repeats the job as it is: a vanished client
      // is noticed when a write fails.
      absl::StatusOr<v1::Job> job =
          options_.jobs->Get(stream.job_id, stream.caller);
      if (job.ok()) *event.mutable_job() = *std::move(job);
      if (job.ok()) absl::StrAppend(&batch, ToJson(event), "\n");
    }
    if (!batch.empty() && !Write(stream, batch, sink)) return false;
    if (*step == JobWatcher::Step::kDone || !stream.follow) sink.done();
    return true;
  }
  return Write(stream, batch, sink);
}

bool RestRouter::Write(LogStream& stream, const std::string& data,
                       httplib::DataSink& sink) {
  stream.last_write = absl::Now();
  return sink.write(data.data(), data.size());
}

}  // namespace wasmhpc::server
