// RestServer: the head's REST API (see rest_router.h for the routes) on an
// HTTP/1.1 server of its own, beside the gRPC server, over the same handlers.
//
// Execution model: see BoundedHttpServer: one thread accepts connections and
// one waits, without blocking, for their requests' heads; a pool of `threads`
// workers serves whole requests, one at a time each (a follow log stream
// holds its worker until it ends). Idle and slow clients hold no worker.
//
// Limits (each an option below): connections open at once, request head
// size and time, body size per route (none for routes that take no body,
// max_json_body_bytes for JSON bodies, max_upload_body_bytes for module
// uploads) checked against Content-Length before any body byte is read and
// while reading (chunked), body read time, keep-alive requests and idle
// time. Content-Encoding (gzip, br, ...) on a request is refused with 415,
// so a body is never inflated. See rest_router.h for the checks on each
// request.
//
// Thread safety: Start once; port and Shutdown from any thread.
#ifndef WASMHPC_SERVER_REST_REST_SERVER_H_
#define WASMHPC_SERVER_REST_REST_SERVER_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/auth/tls_config.h"
#include "server/auth/token_auth.h"
#include "server/handlers/job_handler.h"
#include "server/handlers/module_handler.h"
#include "server/handlers/pool_handler.h"
#include "server/handlers/request_counter.h"
#include "server/handlers/scheduler.h"

namespace wasmhpc::server {

class BoundedHttpServer;
class RestRouter;

struct RestServerOptions {
  // Interface to listen on. Default: "0.0.0.0" (all).
  std::string host = "0.0.0.0";
  // TCP port; 0 picks a free one (see port()). Default: 7080.
  int port = 7080;
  // Requests served at once. Default: 32.
  int threads = 32;
  // Connections open at once; more are answered 503 at once. Default: 512.
  int max_connections = 512;
  // Request line and headers; more: 431. Default: 64 KiB.
  size_t max_header_bytes = size_t{64} << 10;
  // Body of a JSON route (POST /v1/jobs, drain); more: 413. Default: 1 MiB.
  uint64_t max_json_body_bytes = uint64_t{1} << 20;
  // Body of POST /v1/modules; more: 413. The module handler's own
  // max_module_bytes also applies. Default: 256 MiB.
  uint64_t max_upload_body_bytes = uint64_t{256} << 20;
  // A request's head must arrive within this from its first byte; else
  // 408. Default: 10 s.
  absl::Duration header_timeout = absl::Seconds(10);
  // A body that stalls this long, or takes longer than body_timeout in
  // all, fails with 408. Default: 10 s and 300 s.
  absl::Duration read_timeout = absl::Seconds(10);
  absl::Duration body_timeout = absl::Seconds(300);
  // Longest wait to write a piece of an answer. Default: 10 s.
  absl::Duration write_timeout = absl::Seconds(10);
  // Keep-alive: an idle connection closes after idle_timeout, and after
  // keep_alive_max requests. Default: 15 s, 100.
  absl::Duration idle_timeout = absl::Seconds(15);
  int keep_alive_max = 100;
  // Follow log streams open at once (each holds a thread). Default: 16.
  int max_streams = 16;
  // How long a follow log stream waits before it looks for Shutdown.
  // Default: 250 ms.
  absl::Duration poll = absl::Milliseconds(250);
  // How often a quiet follow stream of events repeats the job (so that a
  // vanished client is noticed). Default: 15 s.
  absl::Duration heartbeat = absl::Seconds(15);
  // Speak HTTPS with this material (the head's --tls-cert/--tls-key; with
  // --tls-client-ca, client certificates are verified). Null: plain HTTP.
  // Not owned; read at Start.
  const ServerTls* tls = nullptr;
  // The handlers and the token check. REQUIRED; not owned; they outlive the
  // server.
  ModuleHandler* modules = nullptr;
  JobHandler* jobs = nullptr;
  PoolHandler* pools = nullptr;
  const Scheduler* scheduler = nullptr;
  const TokenAuth* auth = nullptr;
  // The gRPC server's call counts, for /metrics. Optional; not owned.
  const RequestCounter* grpc_requests = nullptr;
};

class RestServer {
 public:
  // Listens and serves. Unavailable "cannot listen on HOST:PORT" when the
  // port is taken or the address is bad; InvalidArgument when OpenSSL
  // refuses options.tls.
  static absl::StatusOr<std::unique_ptr<RestServer>> Start(
      const RestServerOptions& options);
  // Shuts down if still serving.
  ~RestServer();

  // The port it listens on (the chosen one when options.port was 0).
  int port() const { return port_; }

  // Stops accepting, cuts follow log streams short (within `poll`), waits
  // for requests in progress to end. Idempotent; returns when done.
  void Shutdown();

 private:
  RestServer() = default;
  std::unique_ptr<RestRouter> router_;
  std::unique_ptr<BoundedHttpServer> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_REST_REST_SERVER_H_
