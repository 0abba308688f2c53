// The head's metrics in the Prometheus text exposition format (0.0.4), as
// served by the REST router at /metrics. Every name starts with "wasmhpc_":
//
//   wasmhpc_jobs{state}                     gauge: jobs now queued, starting,
//                                           running
//   wasmhpc_jobs_submitted_total            counter (since the head started)
//   wasmhpc_jobs_ended_total{state}         counter, by final state
//   wasmhpc_job_queue_wait_seconds          histogram: submit to assignment
//   wasmhpc_job_run_seconds                 histogram: start to end
//   wasmhpc_modules_stored                  gauge
//   wasmhpc_module_bytes_stored             gauge
//   wasmhpc_pools                           gauge: attached worker pools
//   wasmhpc_pool_ranks{pool,state}          gauge: executor ranks free/busy
//   wasmhpc_http_requests_total{method,route,code}
//                                           counter: REST requests answered
//   wasmhpc_http_streams_open               gauge: log streams being sent
//   wasmhpc_grpc_requests_total{method,code}
//                                           counter: gRPC calls answered
//
// Thread safety: RenderMetrics reads its sources under their own locks.
#ifndef WASMHPC_SERVER_REST_METRICS_H_
#define WASMHPC_SERVER_REST_METRICS_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "server/handlers/module_handler.h"
#include "server/handlers/request_counter.h"
#include "server/handlers/scheduler.h"

namespace wasmhpc::server {

// Content-Type of the exposition.
inline constexpr char kMetricsContentType[] =
    "text/plain; version=0.0.4; charset=utf-8";

struct MetricsSources {
  // REQUIRED; not owned.
  const Scheduler* scheduler = nullptr;
  const ModuleHandler* modules = nullptr;
  // Optional; not owned: REST requests (HTTP codes) and gRPC calls.
  const RequestCounter* requests = nullptr;
  const RequestCounter* grpc_requests = nullptr;
};

// The exposition text. A source that fails (the store cannot list modules)
// leaves its metrics out and says so in a comment line.
std::string RenderMetrics(const MetricsSources& sources);

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_REST_METRICS_H_
