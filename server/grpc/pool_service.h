// gRPC adaptor of PoolService over PoolHandler: the Attach stream (a reader
// loop on the call's thread, a writer thread fed by the scheduler through a
// PoolSink), FetchModule and UploadCode in chunks, List, and the operators'
// Drain/Resume and launchers' ReportFailure.
#ifndef WASMHPC_SERVER_GRPC_POOL_SERVICE_H_
#define WASMHPC_SERVER_GRPC_POOL_SERVICE_H_

#include <set>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "server/grpc/grpc_auth.h"
#include "server/handlers/pool_handler.h"
#include "wasmhpc/v1/pools.grpc.pb.h"

namespace wasmhpc::server {

class PoolService final : public v1::PoolService::Service {
 public:
  // REQUIRES: both outlive the service.
  PoolService(PoolHandler* handler, const GrpcAuthorizer* auth)
      : handler_(handler), auth_(auth) {}

  grpc::Status Attach(
      grpc::ServerContext* context,
      grpc::ServerReaderWriter<v1::HeadMessage, v1::PoolMessage>* stream)
      override;
  grpc::Status FetchModule(
      grpc::ServerContext* context, const v1::FetchModuleRequest* request,
      grpc::ServerWriter<v1::FetchModuleChunk>* writer) override;
  grpc::Status UploadCode(grpc::ServerContext* context,
                          grpc::ServerReader<v1::UploadCodeRequest>* reader,
                          v1::UploadCodeResponse* response) override;
  grpc::Status List(grpc::ServerContext* context,
                    const v1::ListPoolsRequest* request,
                    v1::ListPoolsResponse* response) override;
  grpc::Status Drain(grpc::ServerContext* context,
                     const v1::DrainPoolRequest* request,
                     v1::Pool* response) override;
  grpc::Status Resume(grpc::ServerContext* context,
                      const v1::ResumePoolRequest* request,
                      v1::Pool* response) override;
  grpc::Status ReportFailure(grpc::ServerContext* context,
                             const v1::ReportPoolFailureRequest* request,
                             v1::Pool* response) override;

  // Ends every Attach stream now (pools see their stream end) and refuses
  // new ones: a head that stops does not wait for its pools to hang up.
  void Shutdown();

 private:
  PoolHandler* const handler_;
  const GrpcAuthorizer* const auth_;
  absl::Mutex mu_;
  std::set<grpc::ServerContext*> attached_ ABSL_GUARDED_BY(mu_);
  bool shutting_down_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_GRPC_POOL_SERVICE_H_
