#include "worker/pool/head_client.h"

#include <chrono>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "grpcpp/grpcpp.h"
#include "proto/grpc_status.h"
#include "wasmhpc/v1/pools.grpc.pb.h"

namespace wasmhpc::pool {
namespace {

std::chrono::system_clock::time_point DeadlineAfter(absl::Duration timeout) {
  return std::chrono::system_clock::now() + absl::ToChronoMilliseconds(timeout);
}

// How long Detach waits for the head to end the stream it half-closed.
constexpr absl::Duration kDetachGrace = absl::Seconds(5);
// UploadCode's chunks: well below gRPC's 4 MiB message limit.
constexpr size_t kUploadChunk = 1 << 20;

}  // namespace

struct HeadClient::Impl {
  std::unique_ptr<v1::PoolService::Stub> stub;
  std::string token;

  // A context for one call, with the token.
  std::unique_ptr<grpc::ClientContext> NewContext() const {
    auto context = std::make_unique<grpc::ClientContext>();
    if (!token.empty())
      context->AddMetadata("authorization", "Bearer " + token);
    return context;
  }

  absl::Mutex mu;
  std::unique_ptr<grpc::ClientContext> context ABSL_GUARDED_BY(mu);
  std::unique_ptr<grpc::ClientReaderWriter<v1::PoolMessage, v1::HeadMessage>>
      stream ABSL_GUARDED_BY(mu);
  bool ended ABSL_GUARDED_BY(mu) = false;
  std::thread reader;  // Attach/Detach only
  // Notified when the reader thread is done with the stream.
  std::shared_ptr<absl::Notification> reader_done;  // Attach/Detach only
};

HeadClient::HeadClient(const std::string& target, std::string token,
                       const ClientTls& tls)
    : impl_(std::make_unique<Impl>()) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 5000);
  impl_->stub = v1::PoolService::NewStub(
      grpc::CreateCustomChannel(target, ChannelCredentials(tls), args));
  impl_->token = std::move(token);
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
    s.context = s.NewContext();
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
  s.reader_done = std::make_shared<absl::Notification>();
  s.reader = std::thread([&s, stream, done = s.reader_done,
                          on_message = std::move(on_message),
                          on_end = std::move(on_end)] {
    v1::HeadMessage message;
    while (stream->Read(&message)) on_message(message);
    grpc::Status status;
    {
      absl::MutexLock lock(&s.mu);
      s.ended = true;  // no more writes
      status = stream->Finish();
    }
    done->Notify();
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
  bool half_closed = false;
  {
    absl::MutexLock lock(&s.mu);
    if (s.stream && !s.ended) half_closed = s.stream->WritesDone();
  }
  // The head ends its side once it has read ours; a head that does not is
  // cancelled after the grace.
  if (half_closed && s.reader_done) {
    s.reader_done->WaitForNotificationWithTimeout(kDetachGrace);
  }
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
  std::unique_ptr<grpc::ClientContext> context = impl_->NewContext();
  context->set_deadline(DeadlineAfter(timeout));
  v1::FetchModuleRequest request;
  request.set_digest(digest);
  request.set_engine_fingerprint(fingerprint);
  std::unique_ptr<grpc::ClientReader<v1::FetchModuleChunk>> reader =
      impl_->stub->FetchModule(context.get(), request);
  ModuleBlob blob;
  v1::FetchModuleChunk chunk;
  while (reader->Read(&chunk)) {
    if (chunk.has_module_bytes()) blob.bytes.append(chunk.module_bytes());
    if (chunk.has_compiled_code()) {
      blob.compiled_code.append(chunk.compiled_code());
    }
    if (chunk.has_code_signature())
      blob.code_signature = chunk.code_signature();
  }
  if (grpc::Status status = reader->Finish(); !status.ok()) {
    return ToAbslStatus(status);
  }
  if (!blob.compiled_code.empty()) blob.engine_fingerprint = fingerprint;
  return blob;
}

absl::Status HeadClient::UploadCode(const std::string& digest,
                                    const std::string& fingerprint,
                                    const std::string& code,
                                    const std::string& signature,
                                    absl::Duration timeout) {
  std::unique_ptr<grpc::ClientContext> context = impl_->NewContext();
  context->set_deadline(DeadlineAfter(timeout));
  v1::UploadCodeResponse response;
  std::unique_ptr<grpc::ClientWriter<v1::UploadCodeRequest>> writer =
      impl_->stub->UploadCode(context.get(), &response);
  v1::UploadCodeRequest chunk;
  chunk.set_digest(digest);
  chunk.set_engine_fingerprint(fingerprint);
  chunk.set_signature(signature);
  size_t at = 0;
  do {  // the first chunk goes even for empty code: it names the module
    chunk.set_code(code.substr(at, kUploadChunk));
    at += chunk.code().size();
    if (!writer->Write(chunk)) break;  // Finish says why
    chunk.clear_digest();
    chunk.clear_engine_fingerprint();
    chunk.clear_signature();
  } while (at < code.size());
  writer->WritesDone();
  return ToAbslStatus(writer->Finish());
}

}  // namespace wasmhpc::pool
