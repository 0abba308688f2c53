// RestServer: the head's REST API (see rest_router.h for the routes) on an
// HTTP/1.1 server of its own, beside the gRPC server, over the same handlers.
//
// Execution model: one thread accepts connections; a pool of `threads`
// workers serves them, one request at a time each (a follow log stream holds
// its worker until it ends).
//
// Thread safety: Start once; port and Shutdown from any thread.
#ifndef WASMHPC_SERVER_REST_SERVER_H_
#define WASMHPC_SERVER_REST_SERVER_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/job_handler.h"
#include "server/module_handler.h"
#include "server/pool_handler.h"
#include "server/scheduler.h"
#include "server/token_auth.h"

namespace httplib {
class Server;
}

namespace wasmhpc::server {

class RestRouter;

struct RestServerOptions {
  // Interface to listen on. Default: "0.0.0.0" (all).
  std::string host = "0.0.0.0";
  // TCP port; 0 picks a free one (see port()). Default: 7080.
  int port = 7080;
  // Requests served at once. Default: 32.
  int threads = 32;
  // Follow log streams open at once (each holds a thread). Default: 16.
  int max_streams = 16;
  // How long a follow log stream waits before it looks for Shutdown.
  // Default: 250 ms.
  absl::Duration poll = absl::Milliseconds(250);
  // How often a quiet follow stream of events repeats the job (so that a
  // vanished client is noticed). Default: 15 s.
  absl::Duration heartbeat = absl::Seconds(15);
  // The handlers and the token check. REQUIRED; not owned; they outlive the
  // server.
  ModuleHandler* modules = nullptr;
  JobHandler* jobs = nullptr;
  PoolHandler* pools = nullptr;
  const Scheduler* scheduler = nullptr;
  const TokenAuth* auth = nullptr;
};

class RestServer {
 public:
  // Listens and serves. Unavailable "cannot listen on HOST:PORT" when the
  // port is taken or the address is bad.
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
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_REST_SERVER_H_
