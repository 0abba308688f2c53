// RestRouter: the head's REST API (JSON over HTTP/1.1) as routes of an
// httplib::Server: a thin adaptor over the same handlers as the gRPC
// services. server/rest/openapi.json documents every route; the routes are
// (method, path, open = served without a token):
//
//   POST   /v1/modules              upload: the body is the module's bytes
//                                   (Content-Type: application/wasm),
//                                   streamed chunk by chunk into
//                                   ModuleHandler::Upload; ?name=, ?digest=
//                                   (expected), ?label=KEY=VALUE (repeat)
//   GET    /v1/modules              ?page_size=&page_token=
//   GET    /v1/modules/{digest}
//   DELETE /v1/modules/{digest}
//   POST   /v1/jobs                 body: a SubmitJobRequest in JSON
//   GET    /v1/jobs                 ?page_size=&page_token=&state= (repeat)
//                                   &name=&label=K=V (repeat)&oldest_first=
//                                   &array_id=
//   GET    /v1/jobs/{id}
//   DELETE /v1/jobs/{id}            cancel; ?array=1: its whole job array
//   GET    /v1/jobs/{id}/logs       ?offset=N&follow=1&format=text|events
//   POST   /v1/jobs/prune           (body: optional PruneJobsRequest JSON)
//   GET    /v1/pools
//   POST   /v1/pools/{id}/drain    (body: optional DrainPoolRequest JSON)
//   POST   /v1/pools/{id}/resume
//   GET    /healthz                 open: "ok" while serving
//   GET    /metrics                 open: Prometheus text (see metrics.h)
//   GET    /v1/openapi.json         open: the OpenAPI 3.0 document
//
// Bodies are the proto3 JSON mapping of the wasmhpc.v1 messages (see
// rest_json.h); unknown fields and query parameters are refused with 400.
// Errors: the HTTP status of http_status.h and its JSON body
// {"code", "status", "message"}, the handler's message unchanged.
//
// Logs: the job's log from byte `offset` (of all ranks' output, in arrival
// order; resume with offset + bytes received), as text/plain (the bytes
// only) or, with format=events, as application/x-ndjson: one JobEvent per
// line, the job as it is first, then log chunks and state changes in
// JobWatcher's order (a live job's final state comes last). Without follow
// the response ends at the end of the log as it is now; with follow=1 it
// goes on (chunked) until the job has ended and its log is drained. A
// stream cut short (the head shuts down, a read error) ends without the
// final empty chunk, so clients see an incomplete body, never a clean end.
// A follower that goes away is noticed at the next write: a quiet events
// stream repeats the job every `heartbeat` for that; a quiet text stream
// (nothing can be written without changing the log) holds its server
// thread until output comes, the job ends or Stop. At most `max_streams`
// follow streams are open at once (429 beyond), so the other routes always
// have threads.
//
// Before any body byte is read (httplib's pre-routing and Expect:
// 100-continue handlers), each request is checked and refused, with the
// connection closed after the answer, when it has: more than one
// Content-Length or a malformed one (400), both Content-Length and
// Transfer-Encoding or a Transfer-Encoding other than chunked (400), a
// Content-Encoding other than identity (415: bodies are never inflated), no
// route (404), no valid token where one is needed (401), or a body longer
// than its route takes (413): none for routes that take no body,
// max_json_body_bytes for POST /v1/jobs and drain, max_upload_body_bytes for
// POST /v1/modules. A chunked body is cut at the same limit (413). On a
// BoundedHttpServer these limits hold on the bytes read; on a plain
// httplib::Server only the checks on the head do.
//
// Auth: with TokenAuth enabled, every /v1/ route except /v1/openapi.json
// needs "Authorization: Bearer TOKEN" (else 401) of a caller with the
// route's access (else 403; caller.h): job and module routes need a user or
// an admin (users reach only their own jobs), pool drain/resume an admin,
// the pool list any caller. /healthz, /metrics and the OpenAPI document stay
// open for probes, scrapers and tools. Serve is the one place that checks.
//
// Thread safety: routes run on the server's threads, any number at once;
// Stop may be called from any thread.
#ifndef WASMHPC_SERVER_REST_REST_ROUTER_H_
#define WASMHPC_SERVER_REST_REST_ROUTER_H_

#include <httplib.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "server/auth/token_auth.h"
#include "server/handlers/caller.h"
#include "server/handlers/job_handler.h"
#include "server/handlers/module_handler.h"
#include "server/handlers/pool_handler.h"
#include "server/handlers/scheduler.h"
#include "server/rest/metrics.h"

namespace wasmhpc::server {

struct RestRouterOptions {
  // The handlers and the token check. REQUIRED; not owned; they outlive the
  // router.
  ModuleHandler* modules = nullptr;
  JobHandler* jobs = nullptr;
  PoolHandler* pools = nullptr;
  const Scheduler* scheduler = nullptr;  // For /metrics.
  const TokenAuth* auth = nullptr;
  // The gRPC server's call counts, for /metrics. Optional; not owned.
  const RequestCounter* grpc_requests = nullptr;
  // How long a follow stream waits for news before it checks for Stop.
  // Default: 250 ms.
  absl::Duration poll = absl::Milliseconds(250);
  // A follow stream of events that sent nothing for this long repeats the
  // job as it is. Default: 15 s.
  absl::Duration heartbeat = absl::Seconds(15);
  // Follow streams open at once; more are refused (429) so that streams
  // never take every server thread. Default: 16.
  int max_streams = 16;
  // Largest body of a JSON route and of a module upload (413 beyond).
  // Default: 1 MiB and 256 MiB.
  uint64_t max_json_body_bytes = uint64_t{1} << 20;
  uint64_t max_upload_body_bytes = uint64_t{256} << 20;
};

// One route as the API documents it.
struct RestRoute {
  std::string method;  // "GET", "POST" or "DELETE".
  std::string path;    // OpenAPI form: "/v1/jobs/{id}".
  bool open = false;   // Served without a token.
  // Who may call it (caller.h); ignored for open routes.
  Access access = Access::kUser;
  std::string what;  // The operation, for PermissionDenied ("drain pools").
};

class RestRouter {
 public:
  explicit RestRouter(RestRouterOptions options);

  // Adds every route and the JSON error answer for unknown paths to
  // `server`. REQUIRES: this outlives the server's serving.
  void Register(httplib::Server* server);

  // From now on follow streams end within `poll` (cut short) and /healthz
  // answers 503.
  void Stop();

  // Every route Register adds, in registration order.
  static std::vector<RestRoute> Routes();

 private:
  struct Entry;
  using Request = httplib::Request;
  using Response = httplib::Response;
  using ContentReader = httplib::ContentReader;

  static const std::vector<Entry>& Table();
  // Auth, the route, its error answer and the request count.
  void Serve(const Entry& entry, const Request& request, Response& response,
             const ContentReader* body);
  void Answer(const Request& request, Response& response);
  // The checks on a request's head, before its body (see above): false
  // when it answered the request.
  bool Admit(const Request& request, Response& response);
  // Why the head of `request` (going to `entry`, null if none) is refused;
  // OK if it is not.
  absl::Status CheckHead(const Request& request, const Entry* entry) const;
  // The caller, if the route is open or the request's token has the
  // route's access (the transport's one authorization point, caller.h).
  absl::StatusOr<Caller> CallerOf(const Entry& entry,
                                  const Request& request) const;
  // The route `request` goes to; null if none.
  static const Entry* Match(const Request& request);
  // One log line for a failed request (request_log.h).
  static void LogFailure(const Request& request, absl::string_view caller,
                         const absl::Status& status);
  // Body bytes `entry` takes.
  uint64_t BodyLimit(const Entry& entry) const;

  // Routes (rest_router.cc).
  absl::Status Health(const Request& request, Response& response,
                      const Caller& caller);
  absl::Status Metrics(const Request& request, Response& response,
                       const Caller& caller);
  absl::Status OpenApi(const Request& request, Response& response,
                       const Caller& caller);
  absl::Status ListPools(const Request& request, Response& response,
                         const Caller& caller);
  absl::Status DrainPool(const Request& request, Response& response,
                         const Caller& caller);
  absl::Status ResumePool(const Request& request, Response& response,
                          const Caller& caller);
  // Routes (rest_module_routes.cc).
  absl::Status UploadModule(const Request& request, Response& response,
                            const Caller& caller, const ContentReader& body);
  absl::Status ListModules(const Request& request, Response& response,
                           const Caller& caller);
  absl::Status GetModule(const Request& request, Response& response,
                         const Caller& caller);
  absl::Status DeleteModule(const Request& request, Response& response,
                            const Caller& caller);
  // Routes (rest_job_routes.cc).
  absl::Status SubmitJob(const Request& request, Response& response,
                         const Caller& caller);
  absl::Status ListJobs(const Request& request, Response& response,
                        const Caller& caller);
  absl::Status GetJob(const Request& request, Response& response,
                      const Caller& caller);
  absl::Status CancelJob(const Request& request, Response& response,
                         const Caller& caller);
  absl::Status JobLogs(const Request& request, Response& response,
                       const Caller& caller);
  absl::Status PruneJobs(const Request& request, Response& response,
                         const Caller& caller);
  // A log answer in progress.
  struct LogStream {
    std::unique_ptr<JobWatcher> watcher;
    std::string job_id;
    Caller caller;
    bool follow = false;
    bool events = false;
    absl::Time last_write;
  };
  // One step of a log stream (see rest_job_routes.cc).
  bool StreamLog(LogStream& stream, httplib::DataSink& sink);
  bool Write(LogStream& stream, const std::string& data,
             httplib::DataSink& sink);

  const RestRouterOptions options_;
  RequestCounter requests_;
  std::atomic<bool> stopping_{false};
};

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_REST_REST_ROUTER_H_
