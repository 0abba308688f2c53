#include "server/rest_server.h"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <memory>

#include "absl/strings/str_cat.h"
#include "server/rest_router.h"

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
  router_options.poll = options.poll;
  router_options.heartbeat = options.heartbeat;
  router_options.max_streams = options.max_streams;
  rest->router_ = std::make_unique<RestRouter>(router_options);
  rest->server_ = std::make_unique<httplib::Server>();
  const size_t threads = options.threads > 0 ? options.threads : 1;
  rest->server_->new_task_queue = [threads] {
    return new httplib::ThreadPool(threads);
  };
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
}

}  // namespace wasmhpc::server
