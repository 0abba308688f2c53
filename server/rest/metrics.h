// The head's metrics in the Prometheus text exposition format (0.0.4), as
// served by the REST router at /metrics. Every name starts with "wasmhpc_":
//
//   wasmhpc_jobs{state}                     gauge: jobs now queued, starting,
//                                           running
//   wasmhpc_jobs_submitted_total            counter (since the head started)
//   wasmhpc_jobs_ended_total{state}         counter, by final state
//   wasmhpc_modules_stored                  gauge
//   wasmhpc_module_bytes_stored             gauge
//   wasmhpc_pools                           gauge: attached worker pools
//   wasmhpc_pool_ranks{pool,state}          gauge: executor ranks free/busy
//   wasmhpc_http_requests_total{method,route,code}
//                                           counter: REST requests answered
//   wasmhpc_http_streams_open               gauge: log streams being sent
//
// Thread safety: HttpRequestCounter may be used from any thread; RenderMetrics
// reads its sources under their own locks.
#ifndef WASMHPC_SERVER_REST_METRICS_H_
#define WASMHPC_SERVER_REST_METRICS_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <tuple>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "server/handlers/module_handler.h"
#include "server/handlers/scheduler.h"

namespace wasmhpc::server {

// Content-Type of the exposition.
inline constexpr char kMetricsContentType[] =
    "text/plain; version=0.0.4; charset=utf-8";

// Counts answered HTTP requests by method, route (the route's pattern, such
// as "/v1/jobs/{id}", so ids do not make new series) and status code.
class HttpRequestCounter {
 public:
  using Key =
      std::tuple<std::string, std::string, int>;  // Method, route, code.

  void Count(absl::string_view method, absl::string_view route, int code);
  std::map<Key, uint64_t> Snapshot() const;

  // Streamed answers (follow logs) in progress: each holds a server thread.
  void StreamOpened() { ++streams_; }
  void StreamClosed() { --streams_; }
  int64_t open_streams() const { return streams_; }

 private:
  mutable absl::Mutex mu_;
  std::map<Key, uint64_t> counts_ ABSL_GUARDED_BY(mu_);
  std::atomic<int64_t> streams_{0};
};

struct MetricsSources {
  // REQUIRED; not owned.
  const Scheduler* scheduler = nullptr;
  const ModuleHandler* modules = nullptr;
  // Optional; not owned.
  const HttpRequestCounter* requests = nullptr;
};

// The exposition text. A source that fails (the store cannot list modules)
// leaves its metrics out and says so in a comment line.
std::string RenderMetrics(const MetricsSources& sources);

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_REST_METRICS_H_
