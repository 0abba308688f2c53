#include "server/rest/metrics.h"

#include <algorithm>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace wasmhpc::server {
namespace {

// A label value, escaped as the format asks.
std::string LabelValue(absl::string_view value) {
  return absl::StrReplaceAll(value,
                             {{"\\", "\\\\"}, {"\"", "\\\""}, {"\n", "\\n"}});
}

std::string StateLabel(v1::JobState state) {
  return absl::AsciiStrToLower(v1::JobState_Name(state));
}

// Appends the HELP and TYPE lines of one metric family.
void Family(std::string* out, absl::string_view name, absl::string_view type,
            absl::string_view help) {
  absl::StrAppend(out, "# HELP ", name, " ", help, "\n# TYPE ", name, " ", type,
                  "\n");
}

void Histogram(std::string* out, absl::string_view name, absl::string_view help,
               const DurationHistogram& h) {
  Family(out, name, "histogram", help);
  for (size_t i = 0; i < h.kBounds.size(); ++i) {
    absl::StrAppend(out, name, "_bucket{le=\"", h.kBounds[i], "\"} ",
                    h.at_most[i], "\n");
  }
  absl::StrAppend(out, name, "_bucket{le=\"+Inf\"} ", h.count, "\n", name,
                  "_sum ", h.sum_seconds, "\n", name, "_count ", h.count, "\n");
}

void JobMetrics(const JobStats& stats, std::string* out) {
  Family(out, "wasmhpc_jobs", "gauge", "Jobs not ended, by state.");
  for (v1::JobState state : {v1::QUEUED, v1::STARTING, v1::RUNNING}) {
    auto it = stats.active.find(state);
    absl::StrAppend(out, "wasmhpc_jobs{state=\"", StateLabel(state), "\"} ",
                    it == stats.active.end() ? 0 : it->second, "\n");
  }
  Family(out, "wasmhpc_jobs_submitted_total", "counter",
         "Jobs accepted since the head started.");
  absl::StrAppend(out, "wasmhpc_jobs_submitted_total ", stats.submitted, "\n");
  Family(out, "wasmhpc_jobs_ended_total", "counter",
         "Jobs ended since the head started, by final state.");
  for (v1::JobState state :
       {v1::SUCCEEDED, v1::FAILED, v1::CANCELLED, v1::TIMED_OUT}) {
    auto it = stats.ended.find(state);
    absl::StrAppend(out, "wasmhpc_jobs_ended_total{state=\"", StateLabel(state),
                    "\"} ", it == stats.ended.end() ? 0 : it->second, "\n");
  }
  Histogram(out, "wasmhpc_job_queue_wait_seconds",
            "From submit to the assignment to a pool, since the head started.",
            stats.queue_wait);
  Histogram(out, "wasmhpc_job_run_seconds",
            "From the pool's start of a job to its end, since the head "
            "started.",
            stats.run_time);
}

void ModuleMetrics(const ModuleHandler& modules, std::string* out) {
  absl::StatusOr<ModuleHandler::Stats> stats = modules.GetStats();
  if (!stats.ok()) {
    absl::StrAppend(
        out, "# modules unavailable: ",
        absl::StrReplaceAll(stats.status().message(), {{"\n", " "}}), "\n");
    return;
  }
  Family(out, "wasmhpc_modules_stored", "gauge", "Modules in the store.");
  absl::StrAppend(out, "wasmhpc_modules_stored ", stats->modules, "\n");
  Family(out, "wasmhpc_module_bytes_stored", "gauge",
         "Total size of the stored modules in bytes.");
  absl::StrAppend(out, "wasmhpc_module_bytes_stored ", stats->bytes, "\n");
}

void PoolMetrics(const std::vector<v1::Pool>& pools, std::string* out) {
  int attached = 0, active = 0;
  for (const v1::Pool& pool : pools) {
    attached += pool.state() != v1::POOL_FAILED;
    active += pool.state() == v1::POOL_ACTIVE;
  }
  Family(out, "wasmhpc_pools", "gauge", "Attached worker pools.");
  absl::StrAppend(out, "wasmhpc_pools ", attached, "\n");
  Family(out, "wasmhpc_pools_active", "gauge",
         "Attached worker pools taking jobs (not draining).");
  absl::StrAppend(out, "wasmhpc_pools_active ", active, "\n");
  Family(out, "wasmhpc_pool_ranks", "gauge",
         "Executor ranks of each attached pool, free or busy.");
  for (const v1::Pool& pool : pools) {
    if (pool.state() == v1::POOL_FAILED) continue;
    const std::string id = LabelValue(pool.id());
    absl::StrAppend(out, "wasmhpc_pool_ranks{pool=\"", id,
                    "\",state=\"free\"} ", pool.free_ranks(), "\n");
    absl::StrAppend(out, "wasmhpc_pool_ranks{pool=\"", id,
                    "\",state=\"busy\"} ", pool.busy_ranks(), "\n");
  }
}

void GrpcMetrics(const RequestCounter& requests, std::string* out) {
  Family(out, "wasmhpc_grpc_requests_total", "counter",
         "gRPC calls answered, by method and status code.");
  for (const auto& [key, count] : requests.Snapshot()) {
    const auto& [transport, method, code] = key;
    absl::StrAppend(out, "wasmhpc_grpc_requests_total{method=\"",
                    LabelValue(method), "\",code=\"", LabelValue(code), "\"} ",
                    count, "\n");
  }
}

void RequestMetrics(const RequestCounter& requests, std::string* out) {
  Family(out, "wasmhpc_http_streams_open", "gauge",
         "Streamed REST answers (log streams) being sent.");
  absl::StrAppend(out, "wasmhpc_http_streams_open ", requests.open_streams(),
                  "\n");
  Family(out, "wasmhpc_http_requests_total", "counter",
         "REST requests answered, by method, route and status code.");
  for (const auto& [key, count] : requests.Snapshot()) {
    const auto& [method, route, code] = key;
    absl::StrAppend(out, "wasmhpc_http_requests_total{method=\"",
                    LabelValue(method), "\",route=\"", LabelValue(route),
                    "\",code=\"", code, "\"} ", count, "\n");
  }
}

}  // namespace

std::string RenderMetrics(const MetricsSources& sources) {
  std::string out;
  JobMetrics(sources.scheduler->Stats(), &out);
  ModuleMetrics(*sources.modules, &out);
  PoolMetrics(sources.scheduler->ListPools(), &out);
  if (sources.requests != nullptr) RequestMetrics(*sources.requests, &out);
  if (sources.grpc_requests != nullptr) {
    GrpcMetrics(*sources.grpc_requests, &out);
  }
  return out;
}

}  // namespace wasmhpc::server
