#include "server/grpc/job_service.h"

#include "proto/grpc_status.h"
#include "server/grpc/grpc_auth.h"

namespace wasmhpc::server {
namespace {

// How long a Watch waits for news before it looks for a vanished client.
constexpr absl::Duration kWatchPoll = absl::Milliseconds(250);

// Copies an OK value into *response, converts the status either way.
template <typename T>
grpc::Status Reply(absl::StatusOr<T> result, T* response) {
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = *std::move(result);
  return grpc::Status::OK;
}

}  // namespace

grpc::Status JobService::Submit(grpc::ServerContext* context,
                                const v1::SubmitJobRequest* request,
                                v1::Job* response) {
  absl::StatusOr<Caller> caller = auth_->CallerOf(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  return Reply(handler_->Submit(*request, *caller), response);
}

grpc::Status JobService::Get(grpc::ServerContext* context,
                             const v1::GetJobRequest* request,
                             v1::Job* response) {
  absl::StatusOr<Caller> caller = auth_->CallerOf(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  return Reply(handler_->Get(request->id(), *caller), response);
}

grpc::Status JobService::List(grpc::ServerContext* context,
                              const v1::ListJobsRequest* request,
                              v1::ListJobsResponse* response) {
  absl::StatusOr<Caller> caller = auth_->CallerOf(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  return Reply(handler_->List(*request, *caller), response);
}

grpc::Status JobService::Cancel(grpc::ServerContext* context,
                                const v1::CancelJobRequest* request,
                                v1::Job* response) {
  absl::StatusOr<Caller> caller = auth_->CallerOf(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  return Reply(handler_->Cancel(request->id(), *caller, request->array()),
               response);
}

grpc::Status JobService::Prune(grpc::ServerContext* context,
                               const v1::PruneJobsRequest* request,
                               v1::PruneJobsResponse* response) {
  absl::StatusOr<Caller> caller = auth_->CallerOf(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  return Reply(handler_->Prune(*request, *caller), response);
}

grpc::Status JobService::Watch(grpc::ServerContext* context,
                               const v1::WatchJobRequest* request,
                               grpc::ServerWriter<v1::JobEvent>* writer) {
  absl::StatusOr<Caller> caller = auth_->CallerOf(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<std::unique_ptr<JobWatcher>> watcher =
      handler_->Watch(*request, *caller);
  if (!watcher.ok()) return ToGrpcStatus(watcher.status());
  v1::JobEvent event;
  while (true) {
    event.Clear();
    absl::StatusOr<JobWatcher::Step> step =
        (*watcher)->Next(kWatchPoll, &event);
    if (!step.ok()) return ToGrpcStatus(step.status());
    switch (*step) {
      case JobWatcher::Step::kEvent:
        if (!writer->Write(event)) {
          return grpc::Status(grpc::StatusCode::CANCELLED, "watcher gone");
        }
        break;
      case JobWatcher::Step::kIdle:
        if (context->IsCancelled()) {
          return grpc::Status(grpc::StatusCode::CANCELLED, "watcher gone");
        }
        break;
      case JobWatcher::Step::kDone:
        return grpc::Status::OK;
    }
  }
}

}  // namespace wasmhpc::server
