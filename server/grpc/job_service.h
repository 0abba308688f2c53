// gRPC adaptor of JobService over JobHandler: authorization, status
// conversion, and the Watch stream; no job logic lives here.
#ifndef WASMHPC_SERVER_GRPC_JOB_SERVICE_H_
#define WASMHPC_SERVER_GRPC_JOB_SERVICE_H_

#include "server/grpc/grpc_auth.h"
#include "server/handlers/job_handler.h"
#include "wasmhpc/v1/jobs.grpc.pb.h"

namespace wasmhpc::server {

class JobService final : public v1::JobService::Service {
 public:
  // REQUIRES: both outlive the service.
  JobService(JobHandler* handler, const GrpcAuthorizer* auth)
      : handler_(handler), auth_(auth) {}

  grpc::Status Submit(grpc::ServerContext* context,
                      const v1::SubmitJobRequest* request,
                      v1::Job* response) override;
  grpc::Status Get(grpc::ServerContext* context,
                   const v1::GetJobRequest* request,
                   v1::Job* response) override;
  grpc::Status List(grpc::ServerContext* context,
                    const v1::ListJobsRequest* request,
                    v1::ListJobsResponse* response) override;
  grpc::Status Cancel(grpc::ServerContext* context,
                      const v1::CancelJobRequest* request,
                      v1::Job* response) override;
  grpc::Status Prune(grpc::ServerContext* context,
                     const v1::PruneJobsRequest* request,
                     v1::PruneJobsResponse* response) override;
  // Streams JobWatcher's events; checks for a vanished client between waits.
  grpc::Status Watch(grpc::ServerContext* context,
                     const v1::WatchJobRequest* request,
                     grpc::ServerWriter<v1::JobEvent>* writer) override;

 private:
  JobHandler* const handler_;
  const GrpcAuthorizer* const auth_;
};

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_GRPC_JOB_SERVICE_H_
