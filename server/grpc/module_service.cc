#include "server/grpc/module_service.h"

#include "proto/grpc_status.h"
#include "server/grpc/grpc_auth.h"

namespace wasmhpc::server {

grpc::Status ModuleService::Upload(
    grpc::ServerContext* context,
    grpc::ServerReader<v1::UploadModuleRequest>* reader,
    v1::UploadModuleResponse* response) {
  absl::StatusOr<Caller> caller = auth_->CallerOf(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  // Destroying `upload` without Finish stores nothing.
  std::unique_ptr<ModuleHandler::Upload> upload =
      handler_->StartUpload(*caller);
  v1::UploadModuleRequest part;
  while (reader->Read(&part)) {
    if (absl::Status s = upload->Add(part); !s.ok()) return ToGrpcStatus(s);
  }
  // The stream also ends when the client goes away mid-upload; then the
  // call is cancelled and nothing is stored. (A truncated module that slips
  // past this is refused by the size check or the validator.)
  if (context->IsCancelled()) {
    return grpc::Status(grpc::StatusCode::CANCELLED,
                        "upload cancelled; nothing stored");
  }
  absl::StatusOr<v1::UploadModuleResponse> done = upload->Finish();
  if (!done.ok()) return ToGrpcStatus(done.status());
  *response = *std::move(done);
  return grpc::Status::OK;
}

grpc::Status ModuleService::Get(grpc::ServerContext* context,
                                const v1::GetModuleRequest* request,
                                v1::Module* response) {
  if (absl::Status s = auth_->CallerOf(*context).status(); !s.ok()) {
    return ToGrpcStatus(s);
  }
  absl::StatusOr<v1::Module> module = handler_->Get(request->digest());
  if (!module.ok()) return ToGrpcStatus(module.status());
  *response = *std::move(module);
  return grpc::Status::OK;
}

grpc::Status ModuleService::List(grpc::ServerContext* context,
                                 const v1::ListModulesRequest* request,
                                 v1::ListModulesResponse* response) {
  if (absl::Status s = auth_->CallerOf(*context).status(); !s.ok()) {
    return ToGrpcStatus(s);
  }
  absl::StatusOr<v1::ListModulesResponse> list = handler_->List(*request);
  if (!list.ok()) return ToGrpcStatus(list.status());
  *response = *std::move(list);
  return grpc::Status::OK;
}

grpc::Status ModuleService::Delete(grpc::ServerContext* context,
                                   const v1::DeleteModuleRequest* request,
                                   v1::DeleteModuleResponse*) {
  absl::StatusOr<Caller> caller = auth_->CallerOf(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  return ToGrpcStatus(handler_->Delete(request->digest(), *caller));
}

}  // namespace wasmhpc::server
