// HeadServer: the head's gRPC server: ModuleService, JobService and
// PoolService over the handlers, grpc.health.v1 (the default health
// service, SERVING while up) and server reflection.
//
// Authentication: with TokenAuth enabled every wasmhpc.v1 call needs a
// bearer token; health checks and reflection stay open (probes and tools
// such as grpcurl describe the API without credentials).
//
// TLS: with options.tls the server speaks only TLS (plaintext clients
// cannot connect); when it holds a client CA, clients may present a
// certificate, which must then verify against it; clients without one are
// served as before (their tokens decide).
//
// Thread safety: Start once; Shutdown and port from any thread.
#ifndef WASMHPC_SERVER_GRPC_HEAD_SERVER_H_
#define WASMHPC_SERVER_GRPC_HEAD_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/auth/tls_config.h"
#include "server/auth/token_auth.h"
#include "server/handlers/job_handler.h"
#include "server/handlers/module_handler.h"
#include "server/handlers/pool_handler.h"
#include "server/handlers/request_counter.h"

namespace grpc {
class Server;
}

namespace wasmhpc::server {

class GrpcAuthorizer;
class ModuleService;
class JobService;
class PoolService;

struct HeadServerOptions {
  // Interface to listen on. Default: "0.0.0.0" (all).
  std::string host = "0.0.0.0";
  // TCP port; 0 picks a free one (see port()). Default: 7070.
  int port = 7070;
  // The handlers and the token check. REQUIRED; not owned; they outlive the
  // server.
  ModuleHandler* modules = nullptr;
  JobHandler* jobs = nullptr;
  PoolHandler* pools = nullptr;
  const TokenAuth* auth = nullptr;
  // TLS material (LoadServerTls). Default: null, plaintext. Not owned; read
  // only during Start.
  const ServerTls* tls = nullptr;
  // Counts every answered call (method, status code). Optional; not owned.
  RequestCounter* requests = nullptr;
};

class HeadServer {
 public:
  // Listens and serves. Unavailable "cannot listen on HOST:PORT" when the
  // port is taken or the address is bad.
  static absl::StatusOr<std::unique_ptr<HeadServer>> Start(
      const HeadServerOptions& options);
  ~HeadServer();

  // The port it listens on (the chosen one when options.port was 0).
  int port() const { return port_; }

  // Ends the pools' Attach streams at once, stops accepting calls, lets
  // running calls finish for up to `grace`, then cancels them. Watch streams
  // end early when the Scheduler was shut down first. Returns when done.
  void Shutdown(absl::Duration grace);

 private:
  HeadServer();
  // Authorizes every call (grpc_auth.h); outlives the server.
  std::unique_ptr<GrpcAuthorizer> authorizer_;
  std::unique_ptr<ModuleService> module_service_;
  std::unique_ptr<JobService> job_service_;
  std::unique_ptr<PoolService> pool_service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_GRPC_HEAD_SERVER_H_
