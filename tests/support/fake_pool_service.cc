// FakeHead's PoolService (fake_head.h): the pool calls of wasmhpc-worker
// (Attach, FetchModule, UploadCode, ReportFailure) and the canned pool of
// wasmhpc-cli's List and Drain.
#include <algorithm>
#include <utility>

#include "tests/support/fake_head_state.h"
#include "wasmhpc/v1/pools.grpc.pb.h"

namespace wasmhpc::testing {
namespace {

// Module bytes and code go in small chunks, so the pool must put them
// together.
constexpr size_t kChunk = 16 << 10;

class FakePoolService final : public v1::PoolService::Service {
 public:
  explicit FakePoolService(FakeHeadState* state) : state_(*state) {}

  grpc::Status Attach(grpc::ServerContext* context,
                      AttachStream* stream) override;
  grpc::Status FetchModule(
      grpc::ServerContext* context, const v1::FetchModuleRequest* request,
      grpc::ServerWriter<v1::FetchModuleChunk>* writer) override;
  grpc::Status UploadCode(grpc::ServerContext* context,
                          grpc::ServerReader<v1::UploadCodeRequest>* reader,
                          v1::UploadCodeResponse*) override;
  grpc::Status List(grpc::ServerContext* context, const v1::ListPoolsRequest*,
                    v1::ListPoolsResponse* response) override;
  grpc::Status Drain(grpc::ServerContext* context,
                     const v1::DrainPoolRequest* request,
                     v1::Pool* response) override;
  grpc::Status ReportFailure(grpc::ServerContext* context,
                             const v1::ReportPoolFailureRequest* request,
                             v1::Pool* response) override;

 private:
  // Records one message of the attached pool.
  void Record(const v1::PoolMessage& message)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu);

  FakeHeadState& state_;
};

grpc::Status FakePoolService::Attach(grpc::ServerContext* context,
                                     AttachStream* stream) {
  if (auto s = state_.Admit(context, "/wasmhpc.v1.PoolService/Attach"); !s.ok())
    return s;
  v1::PoolMessage message;
  if (!stream->Read(&message) || !message.has_hello()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "Hello first");
  }
  {
    absl::MutexLock lock(&state_.write_mu);
    state_.stream = stream;
    v1::HeadMessage welcome;
    welcome.mutable_welcome()->set_pool_id("pool-1");
    stream->Write(welcome);
  }
  {  // Published after the stream: a test that saw the Hello can Send.
    absl::MutexLock lock(&state_.mu);
    state_.hello = message.hello();
    ++state_.attaches;
  }
  while (stream->Read(&message)) {
    absl::MutexLock lock(&state_.mu);
    Record(message);
  }
  {
    absl::MutexLock lock(&state_.write_mu);
    state_.stream = nullptr;
  }
  absl::MutexLock lock(&state_.mu);
  state_.hello.reset();
  ++state_.ended;
  return grpc::Status::OK;
}

void FakePoolService::Record(const v1::PoolMessage& message) {
  switch (message.message_case()) {
    case v1::PoolMessage::kStarted:
      state_.reported[message.started().job_id()].started = true;
      break;
    case v1::PoolMessage::kLogs: {
      FakeHeadState::ReportedJob& job =
          state_.reported[message.logs().job_id()];
      for (const v1::LogChunk& chunk : message.logs().chunks()) {
        job.log += chunk.data();
        ++job.chunks_by_rank[chunk.rank()];
        job.by_rank_and_stream[{chunk.rank(), chunk.stream()}] += chunk.data();
      }
      break;
    }
    case v1::PoolMessage::kFinished:
      state_.reported[message.finished().job_id()].finished =
          message.finished();
      break;
    case v1::PoolMessage::kDrain:
      state_.drains.push_back(message.drain().reason());
      break;
    default:
      break;
  }
}

grpc::Status FakePoolService::FetchModule(
    grpc::ServerContext* context, const v1::FetchModuleRequest* request,
    grpc::ServerWriter<v1::FetchModuleChunk>* writer) {
  if (auto s = state_.Admit(context, "/wasmhpc.v1.PoolService/FetchModule");
      !s.ok())
    return s;
  FakeHeadState::Module module;
  {
    absl::MutexLock lock(&state_.mu);
    ++state_.fetches[request->digest()];
    auto released = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu) {
      return !state_.hold_fetches || state_.shutting_down;
    };
    state_.mu.AwaitWithTimeout(absl::Condition(&released), absl::Seconds(30));
    auto it = state_.modules.find(request->digest());
    if (it == state_.modules.end()) {
      return grpc::Status(grpc::StatusCode::NOT_FOUND,
                          "unknown module " + request->digest());
    }
    module = it->second;
  }
  v1::FetchModuleChunk chunk;
  for (size_t at = 0; at < module.bytes.size(); at += kChunk) {
    chunk.set_module_bytes(module.bytes.substr(at, kChunk));
    writer->Write(chunk);
  }
  if (!module.code.empty() &&
      request->engine_fingerprint() == module.fingerprint) {
    for (size_t at = 0; at < module.code.size(); at += kChunk) {
      chunk.set_compiled_code(module.code.substr(at, kChunk));
      writer->Write(chunk);
    }
    chunk.set_code_signature(module.signature);
    writer->Write(chunk);
  }
  return grpc::Status::OK;
}

grpc::Status FakePoolService::UploadCode(
    grpc::ServerContext* context,
    grpc::ServerReader<v1::UploadCodeRequest>* reader,
    v1::UploadCodeResponse*) {
  if (auto s = state_.Admit(context, "/wasmhpc.v1.PoolService/UploadCode");
      !s.ok())
    return s;
  v1::UploadCodeRequest chunk;
  std::string digest;
  FakeHead::CodeUpload upload;
  while (reader->Read(&chunk)) {
    if (upload.chunks++ == 0) {
      digest = chunk.digest();
      upload.fingerprint = chunk.engine_fingerprint();
      upload.signature = chunk.signature();
    }
    upload.code += chunk.code();
    upload.largest_chunk = std::max(upload.largest_chunk, chunk.code().size());
  }
  absl::MutexLock lock(&state_.mu);
  ++state_.code_upload_calls;
  if (digest.empty() || upload.code.empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "the first chunk names no module, or no code came");
  }
  auto module = state_.modules.find(digest);
  if (module != state_.modules.end()) {  // served to this engine from now on
    module->second.code = upload.code;
    module->second.fingerprint = upload.fingerprint;
    module->second.signature = upload.signature;
  }
  state_.code_uploads[digest] = std::move(upload);
  return grpc::Status::OK;
}

grpc::Status FakePoolService::List(grpc::ServerContext* context,
                                   const v1::ListPoolsRequest*,
                                   v1::ListPoolsResponse* response) {
  if (auto s = state_.Admit(context, "/wasmhpc.v1.PoolService/List"); !s.ok())
    return s;
  v1::Pool* pool = response->add_pools();
  pool->set_id("pool-1");
  pool->set_name("local");
  for (int rank = 0; rank < 5; ++rank) {
    v1::RankInfo* info = pool->add_ranks();
    info->set_rank(rank);
    info->set_host("node-a");
  }
  pool->add_hosts("node-a");
  pool->set_state(v1::POOL_ACTIVE);
  pool->set_free_ranks(3);
  pool->set_busy_ranks(1);
  *pool->mutable_attached() = state_.pool_attached;
  return grpc::Status::OK;
}

grpc::Status FakePoolService::Drain(grpc::ServerContext* context,
                                    const v1::DrainPoolRequest* request,
                                    v1::Pool* response) {
  if (auto s = state_.Admit(context, "/wasmhpc.v1.PoolService/Drain"); !s.ok())
    return s;
  if (request->pool_id() != "pool-1") {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        "no pool " + request->pool_id());
  }
  response->set_id("pool-1");
  response->set_name("local");
  response->set_state(request->detach() ? v1::POOL_DETACHING
                                        : v1::POOL_DRAINING);
  response->set_reason(request->reason());
  response->set_busy_ranks(1);
  response->set_free_ranks(3);
  return grpc::Status::OK;
}

grpc::Status FakePoolService::ReportFailure(
    grpc::ServerContext* context, const v1::ReportPoolFailureRequest* request,
    v1::Pool* response) {
  if (auto s = state_.Admit(context, "/wasmhpc.v1.PoolService/ReportFailure");
      !s.ok())
    return s;
  response->set_name(request->name());
  *response->mutable_hosts() = request->hosts();
  response->set_reason(request->reason());
  response->set_state(v1::POOL_FAILED);
  return grpc::Status::OK;
}

}  // namespace

std::unique_ptr<grpc::Service> NewFakePoolService(FakeHeadState* state) {
  return std::make_unique<FakePoolService>(state);
}

}  // namespace wasmhpc::testing
