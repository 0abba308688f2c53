// gRPC adaptor of ModuleService over ModuleHandler: authorization, status
// conversion, and the upload stream; no module logic lives here.
#ifndef WASMHPC_SERVER_GRPC_MODULE_SERVICE_H_
#define WASMHPC_SERVER_GRPC_MODULE_SERVICE_H_

#include "server/grpc/grpc_auth.h"
#include "server/handlers/module_handler.h"
#include "wasmhpc/v1/modules.grpc.pb.h"

namespace wasmhpc::server {

class ModuleService final : public v1::ModuleService::Service {
 public:
  // REQUIRES: both outlive the service.
  ModuleService(ModuleHandler* handler, const GrpcAuthorizer* auth)
      : handler_(handler), auth_(auth) {}

  grpc::Status Upload(grpc::ServerContext* context,
                      grpc::ServerReader<v1::UploadModuleRequest>* reader,
                      v1::UploadModuleResponse* response) override;
  grpc::Status Get(grpc::ServerContext* context,
                   const v1::GetModuleRequest* request,
                   v1::Module* response) override;
  grpc::Status List(grpc::ServerContext* context,
                    const v1::ListModulesRequest* request,
                    v1::ListModulesResponse* response) override;
  grpc::Status Delete(grpc::ServerContext* context,
                      const v1::DeleteModuleRequest* request,
                      v1::DeleteModuleResponse* response) override;

 private:
  ModuleHandler* const handler_;
  const GrpcAuthorizer* const auth_;
};

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_GRPC_MODULE_SERVICE_H_
