#include "server/rest/rest_server.h"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <memory>

#include "absl/strings/str_cat.h"
#include "server/rest/bounded_http_server.h"
#include "server/rest/rest_router.h"

namespace wasmhpc::server {

absl::StatusOr<std::unique_ptr<RestServer>> RestServer::Start(
    const RestServerOptions& options) {
  auto rest = std::unique_ptr<RestServer>(new RestServer);
  RestRouterOptions router_options;
  router_options.modules = options.modules;
  router_options.jobs = options.jobs;
  router_options.pools = options.pools;
  router_options.scheduler = options.scheduler;
  router_options.auth = options.auth;
  router_options.grpc_requests = options.grpc_requests;
  router_options.poll = options.poll;
  router_options.heartbeat = options.heartbeat;
  router_options.max_streams = options.max_streams;
  router_options.max_json_body_bytes = options.max_json_body_bytes;
  router_options.max_upload_body_bytes = options.max_upload_body_bytes;
  rest->router_ = std::make_unique<RestRouter>(router_options);
  HttpLimits limits;
  limits.threads = options.threads;
  limits.max_connections = options.max_connections;
  limits.max_header_bytes = options.max_header_bytes;
  limits.header_timeout = options.header_timeout;
  limits.idle_timeout = options.idle_timeout;
  limits.keep_alive_max = options.keep_alive_max;
  limits.read_timeout = options.read_timeout;
  limits.body_timeout = options.body_timeout;
  limits.write_timeout = options.write_timeout;
  std::shared_ptr<const HttpTls> tls;
  if (options.tls != nullptr) {
    absl::StatusOr<std::shared_ptr<const HttpTls>> made =
        HttpTls::Create(*options.tls);
    if (!made.ok()) return made.status();
    tls = *std::move(made);
  }
  rest->server_ = std::make_unique<BoundedHttpServer>(limits, std::move(tls));
  rest->router_->Register(rest->server_.get());

  const int port =
      options.port == 0
          ? rest->server_->bind_to_any_port(options.host)
          : (rest->server_->bind_to_port(options.host, options.port)
                 ? options.port
                 : -1);
  if (port <= 0) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.host, ":", options.port));
  }
  rest->server_->RaiseListenBacklog();
  rest->port_ = port;
  httplib::Server* server = rest->server_.get();
  auto ended = std::make_shared<std::atomic<bool>>(false);
  rest->thread_ = std::thread([server, ended] {
    server->listen_after_bind();
    *ended = true;
  });
  // stop() only works once the server runs: wait for that, so that a
  // Shutdown right after Start cannot miss it.
  while (!server->is_running() && !*ended) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (*ended) {
    rest->thread_.join();
    return absl::UnavailableError(
        absl::StrCat("REST server on ", options.host, ":", port, " ended"));
  }
  return rest;
}

RestServer::~RestServer() { Shutdown(); }

void RestServer::Shutdown() {
  if (!thread_.joinable()) return;
  router_->Stop();
  server_->stop();
  thread_.join();
  server_->StopConnections();
}

}  // namespace wasmhpc::server
