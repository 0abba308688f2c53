#include "worker/pool/head_client.h"

#include <chrono>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/grpcpp.h"
#include "proto/grpc_status.h"
#include "wasmhpc/v1/pools.grpc.pb.h"

namespace wasmhpc::pool {
namespace {

std::chrono::system_clock::time_point DeadlineAfter(absl::Duration timeout) {
  return std::chrono::system_clock::now() + absl::ToChronoMilliseconds(timeout);
}

}  // namespace

struct HeadClient::Impl {
  std::unique_ptr<v1::PoolService::Stub> stub;

  absl::Mutex mu;
  std::unique_ptr<grpc::ClientContext> context ABSL_GUARDED_BY(mu);
  std::unique_ptr<grpc::ClientReaderWriter<v1::PoolMessage, v1::HeadMessage>>
      stream ABSL_GUARDED_BY(mu);
  bool ended ABSL_GUARDED_BY(mu) = false;
  std::thread reader;  // Attach/Detach only
};

HeadClient::HeadClient(const std::string& target)
    : impl_(std::make_unique<Impl>()) {
  impl_->stub = v1::PoolService::NewStub(
      grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
}

HeadClient::~HeadClient() { Detach(); }

absl::Status HeadClient::Attach(
    const v1::PoolMessage& hello,
    std::function<void(const v1::HeadMessage&)> on_message,
    std::function<void(const absl::Status&)> on_end) {
  Impl& s = *impl_;
  grpc::ClientReaderWriter<v1::PoolMessage, v1::HeadMessage>* stream;
  {
    absl::MutexLock lock(&s.mu);
    if (s.stream) return absl::FailedPreconditionError("already attached");
    s.context = std::make_unique<grpc::ClientContext>();
    s.stream = s.stub->Attach(s.context.get());
    s.ended = false;
    stream = s.stream.get();
    if (!stream->Write(hello)) {
      grpc::Status status = stream->Finish();
      s.stream.reset();
      s.context.reset();
      return absl::UnavailableError(
          status.ok() ? "the head closed the stream"
                      : absl::StrCat("cannot reach the head: ",
                                     status.error_message()));
    }
  }
  s.reader = std::thread([&s, stream, on_message = std::move(on_message),
                          on_end = std::move(on_end)] {
    v1::HeadMessage message;
    while (stream->Read(&message)) on_message(message);
    grpc::Status status;
    {
      absl::MutexLock lock(&s.mu);
      s.ended = true;  // no more writes
      status = stream->Finish();
    }
    on_end(ToAbslStatus(status));
  });
  return absl::OkStatus();
}

bool HeadClient::Send(const v1::PoolMessage& message) {
  Impl& s = *impl_;
  absl::MutexLock lock(&s.mu);
  return s.stream && !s.ended && s.stream->Write(message);
}

void HeadClient::Detach() {
  Impl& s = *impl_;
  {
    absl::MutexLock lock(&s.mu);
    if (s.context) s.context->TryCancel();
  }
  if (s.reader.joinable()) s.reader.join();
  absl::MutexLock lock(&s.mu);
  s.stream.reset();
  s.context.reset();
}

absl::StatusOr<ModuleBlob> HeadClient::Fetch(const std::string& digest,
                                             const std::string& fingerprint,
                                             absl::Duration timeout) {
  grpc::ClientContext context;
  context.set_deadline(DeadlineAfter(timeout));
  v1::FetchModuleRequest request;
  request.set_digest(digest);
  request.set_engine_fingerprint(fingerprint);
  std::unique_ptr<grpc::ClientReader<v1::FetchModuleChunk>> reader =
      impl_->stub->FetchModule(&context, request);
  ModuleBlob blob;
  v1::FetchModuleChunk chunk;
  while (reader->Read(&chunk)) {
    if (chunk.has_module_bytes()) blob.bytes.append(chunk.module_bytes());
    if (chunk.has_compiled_code()) {
      blob.compiled_code.append(chunk.compiled_code());
    }
  }
  if (grpc::Status status = reader->Finish(); !status.ok()) {
    return ToAbslStatus(status);
  }
  if (!blob.compiled_code.empty()) blob.engine_fingerprint = fingerprint;
  return blob;
}

}  // namespace wasmhpc::pool
