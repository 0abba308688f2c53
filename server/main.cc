// wasmhpc-head: the service that accepts modules and jobs and drives the
// worker pools. Wires the store, the handlers, the gRPC server and the REST
// server together.
#include <signal.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/notification.h"
#include "cache-store/code_key.h"
#include "cache-store/rocksdb_store.h"
#include "common/command_line.h"
#include "common/logging.h"
#include "server/auth/tls_config.h"
#include "server/auth/token_auth.h"
#include "server/grpc/head_server.h"
#include "server/handlers/allowed_dirs.h"
#include "server/handlers/job_handler.h"
#include "server/handlers/module_handler.h"
#include "server/handlers/pool_handler.h"
#include "server/handlers/request_counter.h"
#include "server/handlers/scheduler.h"
#include "server/head_options.h"
#include "server/rest/rest_server.h"
#include "server/sd_notify.h"
#include "server/store_admin.h"
#include "server/v8_module_compiler.h"

namespace wasmhpc::server {
namespace {

// How often timeouts are checked: a job overruns its timeout by at most this
// much before its pool is told to stop it.
constexpr absl::Duration kTimeoutTick = absl::Milliseconds(100);
// How often ended jobs past --retain-jobs are deleted (a scan of all jobs).
constexpr absl::Duration kExpiryTick = absl::Minutes(1);
// How long running calls may go on after SIGTERM before they are cancelled.
constexpr absl::Duration kShutdownGrace = absl::Seconds(2);

int Fail(const std::string& what, const absl::Status& status) {
  LogError(absl::StrCat(what, ": ", status.message()));
  return 1;
}

void Warn(const absl::Status& status) {
  if (!status.ok()) LogWarning(status.message());
}

// The address clients on this host can use.
std::string ShownHost(const std::string& host) {
  return host == "0.0.0.0" || host == "::" || host == "[::]" ? "127.0.0.1"
                                                             : host;
}

// The token file and the JWT key, read and checked; errors name the option.
absl::StatusOr<TokenAuth> LoadAuth(const HeadOptions& options) {
  TokenAuth auth;
  if (!options.auth_tokens.empty()) {
    absl::StatusOr<TokenAuth> loaded = TokenAuth::FromFile(options.auth_tokens);
    if (!loaded.ok()) {
      return absl::Status(
          loaded.status().code(),
          absl::StrCat("--auth-tokens: ", loaded.status().message()));
    }
    auth = *std::move(loaded);
    for (const std::string& warning : auth.warnings()) {
      LogWarning(
          absl::StrCat("--auth-tokens ", options.auth_tokens, ": ", warning));
    }
  }
  if (!options.jwt_key.empty()) {
    absl::StatusOr<JwtAuth> jwt = JwtAuth::FromFile(
        options.jwt_key, {options.jwt_issuer, options.jwt_audience});
    if (!jwt.ok()) {
      return absl::Status(jwt.status().code(),
                          absl::StrCat("--jwt-key: ", jwt.status().message()));
    }
    LogInfo(absl::StrCat("--jwt-key: accepting ", jwt->algorithm(), " JWTs"));
    auth.set_jwt(*std::move(jwt));
  }
  return auth;
}

int Run(const HeadOptions& options, const sigset_t& signals) {
  // systemd's readiness and watchdog protocol; off without $NOTIFY_SOCKET.
  absl::StatusOr<std::unique_ptr<SystemdNotifier>> systemd =
      SystemdNotifier::Create(SystemdNotifierOptionsFromEnvironment());
  if (!systemd.ok()) return Fail("systemd notification", systemd.status());
  RocksDbOptions store_options;
  store_options.path = options.data_dir;
  store_options.name = absl::StrCat("the head's data dir ", options.data_dir);
  absl::StatusOr<std::unique_ptr<CacheStore>> store =
      OpenRocksDbStore(store_options);
  if (!store.ok()) {
    LogError(absl::StrCat("--data-dir: ",
                          DataDirError(options.data_dir, store.status())));
    return 1;
  }
  absl::StatusOr<TokenAuth> auth = LoadAuth(options);
  if (!auth.ok()) {
    LogError(auth.status().message());
    return 1;
  }
  absl::StatusOr<CodeKey> code_key = CodeKey::LoadOrCreate(options.code_key);
  if (!code_key.ok()) return Fail("--code-key", code_key.status());
  absl::StatusOr<AllowedDirs> allowed = AllowedDirs::Create(options.allow_dirs);
  if (!allowed.ok()) return Fail("--allow-dir", allowed.status());
  absl::StatusOr<std::unique_ptr<ModuleCompiler>> compiler =
      NewV8ModuleCompiler();
  if (!compiler.ok()) return Fail("engine", compiler.status());
  SchedulerOptions scheduler_options;
  scheduler_options.store = store->get();
  scheduler_options.max_active_jobs_per_owner = options.max_jobs_per_user;
  absl::StatusOr<std::unique_ptr<Scheduler>> scheduler =
      Scheduler::Create(std::move(scheduler_options));
  if (!scheduler.ok()) return Fail("job records", scheduler.status());
  (*scheduler)->log().set_max_bytes(options.max_log_bytes);

  ModuleHandlerOptions module_options;
  module_options.store = store->get();
  module_options.compiler = compiler->get();
  module_options.max_modules_per_owner = options.max_modules_per_user;
  ModuleHandler modules(std::move(module_options));
  JobHandlerOptions job_options;
  job_options.scheduler = scheduler->get();
  job_options.store = store->get();
  job_options.allowed_dirs = *std::move(allowed);
  job_options.max_user_priority = options.max_user_priority;
  JobHandler jobs(std::move(job_options));
  PoolHandlerOptions pool_options;
  pool_options.scheduler = scheduler->get();
  pool_options.store = store->get();
  pool_options.code_key = &*code_key;
  PoolHandler pools(std::move(pool_options));
  RequestCounter grpc_requests;  // Counted by the gRPC server, shown by REST.
  HeadServerOptions server_options;
  server_options.requests = &grpc_requests;
  server_options.host = options.host;
  server_options.port = options.grpc_port;
  server_options.modules = &modules;
  server_options.jobs = &jobs;
  server_options.pools = &pools;
  server_options.auth = &*auth;
  absl::StatusOr<std::optional<ServerTls>> tls =
      LoadServerTls({options.tls_cert, options.tls_key, options.tls_client_ca});
  if (!tls.ok()) return Fail("TLS", tls.status());
  if (tls->has_value()) {
    server_options.tls = &**tls;
    LogInfo(absl::StrCat("gRPC and REST over TLS (", options.tls_cert,
                         options.tls_client_ca.empty()
                             ? std::string(")")
                             : "; client certificates checked against " +
                                   options.tls_client_ca + ")"));
  }
  absl::StatusOr<std::unique_ptr<HeadServer>> server =
      HeadServer::Start(server_options);
  if (!server.ok()) return Fail("gRPC", server.status());

  std::unique_ptr<RestServer> rest;
  if (options.rest_port != kRestOff) {
    RestServerOptions rest_options;
    rest_options.host = options.host;
    rest_options.port = options.rest_port;
    rest_options.modules = &modules;
    rest_options.jobs = &jobs;
    rest_options.pools = &pools;
    rest_options.scheduler = scheduler->get();
    rest_options.auth = &*auth;
    rest_options.grpc_requests = &grpc_requests;
    if (tls->has_value()) rest_options.tls = &**tls;
    absl::StatusOr<std::unique_ptr<RestServer>> started =
        RestServer::Start(rest_options);
    if (!started.ok()) return Fail("REST", started.status());
    rest = *std::move(started);
  }

  // Tests and scripts read these two lines: gRPC first, then REST.
  std::string serving =
      absl::StrCat("gRPC on ", ShownHost(options.host), ":", (*server)->port());
  std::cout << "wasmhpc-head: listening on " << ShownHost(options.host) << ":"
            << (*server)->port() << std::endl;
  if (rest != nullptr) {
    std::cout << "wasmhpc-head: REST on " << ShownHost(options.host) << ":"
              << rest->port() << std::endl;
    absl::StrAppend(&serving, ", REST on ", ShownHost(options.host), ":",
                    rest->port());
  }
  LogInfo(absl::StrCat(
      "data in ", options.data_dir, "; auth ",
      auth->enabled() ? "on" : "off (every caller on this host is trusted)",
      "; code key ", options.code_key, "; allowed dirs: ",
      options.allow_dirs.empty() ? std::string("none")
                                 : absl::StrJoin(options.allow_dirs, ", "),
      "; engine ", (*compiler)->fingerprint(), "; log cap ",
      options.max_log_bytes == 0
          ? std::string("none")
          : absl::StrCat(options.max_log_bytes, " bytes"),
      " per job; ended jobs kept ", absl::FormatDuration(options.retain_jobs)));

  // Both servers accept calls now.
  Warn((*systemd)->Ready(absl::StrCat("serving ", serving)));

  absl::Notification stop;
  std::thread ticker([&] {
    bool failing = false;  // report a failing watchdog ping once
    do {
      (*scheduler)->CheckTimeouts();
      // The watchdog is fed only while this loop turns.
      absl::Status pinged = (*systemd)->Tick();
      if (!failing) Warn(pinged);
      failing = !pinged.ok();
    } while (!stop.WaitForNotificationWithTimeout(kTimeoutTick));
  });
  // Expiry scans every job record: its own thread, so the ticker (timeouts,
  // the watchdog) never waits for it.
  std::thread expirer([&] {
    do {
      if (int n = (*scheduler)->ExpireJobs(options.retain_jobs); n > 0) {
        LogInfo(absl::StrCat(
            "deleted ", n, " ended jobs and their logs (ended over ",
            absl::FormatDuration(options.retain_jobs), " ago)"));
      }
    } while (!stop.WaitForNotificationWithTimeout(kExpiryTick));
  });
  int signal = 0;
  sigwait(&signals, &signal);
  LogInfo(absl::StrCat("signal ", signal, ", shutting down"));
  Warn((*systemd)->Stopping(
      absl::StrCat("shutting down (signal ", signal, ")")));
  // Shutting the scheduler down first ends follow streams and Watch calls.
  (*scheduler)->Shutdown();
  if (rest != nullptr) rest->Shutdown();
  (*server)->Shutdown(kShutdownGrace);
  stop.Notify();
  ticker.join();
  expirer.join();
  return 0;
}

}  // namespace
}  // namespace wasmhpc::server

int main(int argc, char** argv) {
  wasmhpc::InitLogging("wasmhpc-head");
  // SIGINT/SIGTERM are taken by sigwait in Run; block them before any thread
  // starts so that every thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  absl::StatusOr<wasmhpc::server::HeadOptions> options =
      wasmhpc::server::ParseHeadOptions(
          std::vector<std::string>(argv, argv + argc));
  if (!options.ok()) {
    std::cerr << "wasmhpc-head: " << options.status().message() << "\n"
              << wasmhpc::UsageHint("wasmhpc-head") << "\n";
    return 2;
  }
  if (!options->exit_text.empty()) {
    std::cout << options->exit_text;
    return 0;
  }
  if (options->repair) {
    return wasmhpc::server::RepairDataDir(options->data_dir, std::cout,
                                          std::cerr);
  }
  if (!options->backup.empty()) {
    return wasmhpc::server::BackupDataDir(options->data_dir, options->backup,
                                          std::cout, std::cerr);
  }
  return wasmhpc::server::Run(*options, signals);
}
