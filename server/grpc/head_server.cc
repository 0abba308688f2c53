#include "server/grpc/head_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>

#include <vector>

#include "absl/strings/str_cat.h"
#include "server/grpc/grpc_auth.h"
#include "server/grpc/job_service.h"
#include "server/grpc/module_service.h"
#include "server/grpc/pool_service.h"

namespace wasmhpc::server {
namespace {

// Modules arrive in chunks, but a pool's Finished or a log batch may be
// large: accept messages up to 64 MiB.
constexpr int kMaxMessageBytes = 64 << 20;

std::shared_ptr<grpc::ServerCredentials> Credentials(const ServerTls* tls) {
  if (tls == nullptr) return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions options(
      tls->verify_client_certificates()
          ? GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY
          : GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  options.pem_root_certs = tls->client_ca;
  options.pem_key_cert_pairs.push_back({tls->private_key, tls->cert_chain});
  return grpc::SslServerCredentials(options);
}

}  // namespace

absl::StatusOr<std::unique_ptr<HeadServer>> HeadServer::Start(
    const HeadServerOptions& options) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  std::unique_ptr<HeadServer> head(new HeadServer);
  head->authorizer_ = std::make_unique<GrpcAuthorizer>(
      options.auth, GrpcMethodTable(), options.requests);
  const GrpcAuthorizer* auth = head->authorizer_.get();
  head->module_service_ =
      std::make_unique<ModuleService>(options.modules, auth);
  head->job_service_ = std::make_unique<JobService>(options.jobs, auth);
  head->pool_service_ = std::make_unique<PoolService>(options.pools, auth);

  std::string address = absl::StrCat(options.host, ":", options.port);
  grpc::ServerBuilder builder;
  builder.AddListeningPort(address, Credentials(options.tls), &head->port_);
  builder.SetMaxReceiveMessageSize(kMaxMessageBytes);
  builder.RegisterService(head->module_service_.get());
  builder.RegisterService(head->job_service_.get());
  builder.RegisterService(head->pool_service_.get());
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(head->authorizer_->Factory());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  head->server_ = builder.BuildAndStart();
  if (head->server_ == nullptr || head->port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", address));
  }
  return head;
}

HeadServer::HeadServer() = default;

HeadServer::~HeadServer() {
  if (server_) Shutdown(absl::ZeroDuration());
}

void HeadServer::Shutdown(absl::Duration grace) {
  if (!server_) return;
  pool_service_->Shutdown();
  server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  server_->Wait();
  server_.reset();
}

}  // namespace wasmhpc::server
