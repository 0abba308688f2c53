#include "server/grpc/pool_service.h"

#include <deque>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "proto/grpc_status.h"
#include "server/grpc/grpc_auth.h"

namespace wasmhpc::server {
namespace {

constexpr size_t kFetchChunkBytes = 1 << 20;

// Queues the head's messages for one Attach stream and writes them from its
// own thread, so the scheduler never blocks on a slow pool.
class StreamSink final : public PoolSink {
 public:
  explicit StreamSink(
      grpc::ServerReaderWriter<v1::HeadMessage, v1::PoolMessage>* stream)
      : stream_(stream), writer_([this] { WriteLoop(); }) {}

  ~StreamSink() override { Close(); }

  void Send(const v1::HeadMessage& message) override {
    absl::MutexLock lock(&mu_);
    if (!closed_) outbox_.push_back(message);
  }

  // Drops what is not written yet and stops the writer. REQUIRES: a Write
  // blocked on flow control was unblocked (the call was cancelled).
  void Close() {
    {
      absl::MutexLock lock(&mu_);
      closed_ = true;
      outbox_.clear();
    }
    if (writer_.joinable()) writer_.join();
  }

 private:
  void WriteLoop() {
    bool broken = false;
    while (true) {
      v1::HeadMessage message;
      {
        absl::MutexLock lock(&mu_);
        auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
          return closed_ || !outbox_.empty();
        };
        mu_.Await(absl::Condition(&ready));
        if (closed_) return;
        message = std::move(outbox_.front());
        outbox_.pop_front();
      }
      // After a failed write the stream is gone; the reader sees it too.
      if (!broken) broken = !stream_->Write(message);
    }
  }

  grpc::ServerReaderWriter<v1::HeadMessage, v1::PoolMessage>* const stream_;
  absl::Mutex mu_;
  std::deque<v1::HeadMessage> outbox_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  std::thread writer_;  // Last: starts after the fields it uses.
};

}  // namespace

grpc::Status PoolService::Attach(
    grpc::ServerContext* context,
    grpc::ServerReaderWriter<v1::HeadMessage, v1::PoolMessage>* stream) {
  if (absl::Status s = auth_->CallerOf(*context).status(); !s.ok()) {
    return ToGrpcStatus(s);
  }
  {
    absl::MutexLock lock(&mu_);
    if (shutting_down_) {
      return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                          "the head is shutting down");
    }
    attached_.insert(context);
  }
  struct Unregister {
    PoolService* service;
    grpc::ServerContext* context;
    ~Unregister() {
      absl::MutexLock lock(&service->mu_);
      service->attached_.erase(context);
    }
  } unregister{this, context};
  v1::PoolMessage message;
  if (!stream->Read(&message)) {
    return grpc::Status(grpc::StatusCode::CANCELLED, "pool left before hello");
  }
  StreamSink sink(stream);
  absl::StatusOr<std::string> pool_id = handler_->Attach(message, &sink);
  if (!pool_id.ok()) return ToGrpcStatus(pool_id.status());
  while (stream->Read(&message)) handler_->OnMessage(*pool_id, message);
  handler_->Detach(*pool_id);
  // Unblocks a write stuck on a pool that no longer reads, then stops the
  // writer. The pool ended the stream, so the status it gets is moot.
  context->TryCancel();
  sink.Close();
  return grpc::Status::OK;
}

void PoolService::Shutdown() {
  absl::MutexLock lock(&mu_);
  shutting_down_ = true;
  for (grpc::ServerContext* context : attached_) context->TryCancel();
}

grpc::Status PoolService::FetchModule(
    grpc::ServerContext* context, const v1::FetchModuleRequest* request,
    grpc::ServerWriter<v1::FetchModuleChunk>* writer) {
  if (absl::Status s = auth_->CallerOf(*context).status(); !s.ok()) {
    return ToGrpcStatus(s);
  }
  absl::StatusOr<FetchedModule> fetched =
      handler_->FetchModule(request->digest(), request->engine_fingerprint());
  if (!fetched.ok()) return ToGrpcStatus(fetched.status());
  v1::FetchModuleChunk chunk;
  auto send = [&](absl::string_view bytes, bool code) {
    for (size_t at = 0; at < bytes.size(); at += kFetchChunkBytes) {
      std::string piece(bytes.substr(at, kFetchChunkBytes));
      if (code) {
        chunk.set_compiled_code(std::move(piece));
      } else {
        chunk.set_module_bytes(std::move(piece));
      }
      if (!writer->Write(chunk)) return false;
    }
    return true;
  };
  bool sent = send(fetched->bytes.view(), false);
  if (sent && fetched->code) {
    sent = send(fetched->code->view(), true);
    chunk.set_code_signature(fetched->code_signature);
    sent = sent && writer->Write(chunk);
  }
  if (!sent) return grpc::Status(grpc::StatusCode::CANCELLED, "pool gone");
  return grpc::Status::OK;
}

grpc::Status PoolService::UploadCode(
    grpc::ServerContext* context,
    grpc::ServerReader<v1::UploadCodeRequest>* reader,
    v1::UploadCodeResponse*) {
  if (absl::Status s = auth_->CallerOf(*context).status(); !s.ok()) {
    return ToGrpcStatus(s);
  }
  v1::UploadCodeRequest first, chunk;
  if (!reader->Read(&first)) {
    return ToGrpcStatus(absl::InvalidArgumentError("empty code upload"));
  }
  // Bounded while it arrives: nothing past the module's limit is kept.
  absl::StatusOr<uint64_t> limit = handler_->CodeLimit(first.digest());
  if (!limit.ok()) return ToGrpcStatus(limit.status());
  std::string code = std::move(*first.mutable_code());
  while (code.size() <= *limit && reader->Read(&chunk)) code += chunk.code();
  if (code.size() > *limit) {
    return ToGrpcStatus(absl::ResourceExhaustedError(absl::StrCat(
        "compiled code for ", first.digest(), " exceeds ", *limit,
        " bytes, the most the head takes for a module of its size")));
  }
  return ToGrpcStatus(handler_->PutCode(
      first.digest(), first.engine_fingerprint(), code, first.signature()));
}

// Runs one unary pool call: refuses an unauthorized one (grpc_auth.h),
// then answers with `call`'s pool.
template <typename Call>
grpc::Status AnswerPool(const GrpcAuthorizer& auth,
                        const grpc::ServerContext& context, v1::Pool* response,
                        Call call) {
  if (absl::Status s = auth.CallerOf(context).status(); !s.ok()) {
    return ToGrpcStatus(s);
  }
  absl::StatusOr<v1::Pool> pool = call();
  if (!pool.ok()) return ToGrpcStatus(pool.status());
  *response = *std::move(pool);
  return grpc::Status::OK;
}

grpc::Status PoolService::Drain(grpc::ServerContext* context,
                                const v1::DrainPoolRequest* request,
                                v1::Pool* response) {
  return AnswerPool(*auth_, *context, response,
                    [&] { return handler_->Drain(*request); });
}

grpc::Status PoolService::Resume(grpc::ServerContext* context,
                                 const v1::ResumePoolRequest* request,
                                 v1::Pool* response) {
  return AnswerPool(*auth_, *context, response,
                    [&] { return handler_->Resume(*request); });
}

grpc::Status PoolService::ReportFailure(
    grpc::ServerContext* context, const v1::ReportPoolFailureRequest* request,
    v1::Pool* response) {
  return AnswerPool(*auth_, *context, response,
                    [&] { return handler_->ReportFailure(*request); });
}

grpc::Status PoolService::List(grpc::ServerContext* context,
                               const v1::ListPoolsRequest*,
                               v1::ListPoolsResponse* response) {
  if (absl::Status s = auth_->CallerOf(*context).status(); !s.ok()) {
    return ToGrpcStatus(s);
  }
  for (v1::Pool& pool : handler_->List())
    *response->add_pools() = std::move(pool);
  return grpc::Status::OK;
}

}  // namespace wasmhpc::server
