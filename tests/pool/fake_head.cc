#include "tests/pool/fake_head.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/grpcpp.h"
#include "wasmhpc/v1/pools.grpc.pb.h"

namespace wasmhpc::testing {
namespace {

using Stream = grpc::ServerReaderWriter<v1::HeadMessage, v1::PoolMessage>;

struct Module {
  std::string bytes, code, fingerprint, signature;
};

struct JobRecord {
  bool started = false;
  std::string log;
  std::map<int, int> chunks_by_rank;
  std::map<std::pair<int, int>, std::string> by_rank_and_stream;
  std::optional<v1::PoolMessage::JobFinished> finished;
};

}  // namespace

struct FakeHead::State : public v1::PoolService::Service {
  grpc::Status Attach(grpc::ServerContext*, Stream* stream) override;
  grpc::Status FetchModule(
      grpc::ServerContext*, const v1::FetchModuleRequest* request,
      grpc::ServerWriter<v1::FetchModuleChunk>* writer) override;
  grpc::Status UploadCode(grpc::ServerContext*,
                          grpc::ServerReader<v1::UploadCodeRequest>* reader,
                          v1::UploadCodeResponse*) override;

  // Records the call's `authorization` metadata under `method`.
  void RecordAuthorization(const std::string& method,
                           const grpc::ServerContext& context) {
    const auto& metadata = context.client_metadata();
    auto it = metadata.find("authorization");
    absl::MutexLock lock(&mu);
    authorization[method] =
        it == metadata.end()
            ? ""
            : std::string(it->second.data(), it->second.size());
  }

  // Waits until `ready` holds (under mu), up to `timeout`.
  bool Await(const std::function<bool()>& ready, absl::Duration timeout) {
    absl::MutexLock lock(&mu);
    return mu.AwaitWithTimeout(absl::Condition(&ready), timeout);
  }

  std::unique_ptr<grpc::Server> server;
  int port = 0;

  mutable absl::Mutex mu;
  std::optional<v1::PoolMessage::Hello> hello ABSL_GUARDED_BY(mu);
  std::map<std::string, JobRecord> jobs ABSL_GUARDED_BY(mu);
  std::map<std::string, Module> modules ABSL_GUARDED_BY(mu);
  std::map<std::string, int> fetches ABSL_GUARDED_BY(mu);
  int attaches ABSL_GUARDED_BY(mu) = 0;
  bool hold_fetches ABSL_GUARDED_BY(mu) = false;
  int ended ABSL_GUARDED_BY(mu) = 0;
  std::vector<std::string> drains ABSL_GUARDED_BY(mu);
  std::map<std::string, Upload> uploads ABSL_GUARDED_BY(mu);
  int upload_calls ABSL_GUARDED_BY(mu) = 0;
  std::map<std::string, std::string> authorization ABSL_GUARDED_BY(mu);

  // The attached pool's stream; writes are serialized by write_mu.
  absl::Mutex write_mu;
  Stream* stream ABSL_GUARDED_BY(write_mu) = nullptr;
};

grpc::Status FakeHead::State::Attach(grpc::ServerContext* context, Stream* s) {
  RecordAuthorization("Attach", *context);
  v1::PoolMessage message;
  if (!s->Read(&message) || !message.has_hello()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "Hello first");
  }
  {
    absl::MutexLock lock(&write_mu);
    stream = s;
    v1::HeadMessage welcome;
    welcome.mutable_welcome()->set_pool_id("pool-1");
    s->Write(welcome);
  }
  {  // Published after the stream: a test that saw the Hello can Send.
    absl::MutexLock lock(&mu);
    hello = message.hello();
    ++attaches;
  }
  while (s->Read(&message)) {
    absl::MutexLock lock(&mu);
    switch (message.message_case()) {
      case v1::PoolMessage::kStarted:
        jobs[message.started().job_id()].started = true;
        break;
      case v1::PoolMessage::kLogs: {
        JobRecord& job = jobs[message.logs().job_id()];
        for (const v1::LogChunk& chunk : message.logs().chunks()) {
          job.log += chunk.data();
          ++job.chunks_by_rank[chunk.rank()];
          job.by_rank_and_stream[{chunk.rank(), chunk.stream()}] +=
              chunk.data();
        }
        break;
      }
      case v1::PoolMessage::kFinished:
        jobs[message.finished().job_id()].finished = message.finished();
        break;
      case v1::PoolMessage::kDrain:
        drains.push_back(message.drain().reason());
        break;
      default:
        break;
    }
  }
  {
    absl::MutexLock lock(&write_mu);
    stream = nullptr;
  }
  absl::MutexLock lock(&mu);
  hello.reset();
  ++ended;
  return grpc::Status::OK;
}

grpc::Status FakeHead::State::FetchModule(
    grpc::ServerContext* context, const v1::FetchModuleRequest* request,
    grpc::ServerWriter<v1::FetchModuleChunk>* writer) {
  RecordAuthorization("FetchModule", *context);
  Module module;
  {
    absl::MutexLock lock(&mu);
    ++fetches[request->digest()];
    mu.AwaitWithTimeout(absl::Condition(
                            +[](bool* hold) { return !*hold; }, &hold_fetches),
                        absl::Seconds(30));
    auto it = modules.find(request->digest());
    if (it == modules.end()) {
      return grpc::Status(grpc::StatusCode::NOT_FOUND,
                          "unknown module " + request->digest());
    }
    module = it->second;
  }
  // Small chunks, so the pool must put them together.
  constexpr size_t kChunk = 16 << 10;
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

grpc::Status FakeHead::State::UploadCode(
    grpc::ServerContext* context,
    grpc::ServerReader<v1::UploadCodeRequest>* reader,
    v1::UploadCodeResponse*) {
  RecordAuthorization("UploadCode", *context);
  v1::UploadCodeRequest chunk;
  std::string digest;
  Upload upload;
  while (reader->Read(&chunk)) {
    if (upload.chunks++ == 0) {
      digest = chunk.digest();
      upload.fingerprint = chunk.engine_fingerprint();
      upload.signature = chunk.signature();
    }
    upload.code += chunk.code();
    upload.largest_chunk = std::max(upload.largest_chunk, chunk.code().size());
  }
  absl::MutexLock lock(&mu);
  ++upload_calls;
  if (digest.empty() || upload.code.empty()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "the first chunk names no module, or no code came");
  }
  auto module = modules.find(digest);
  if (module != modules.end()) {  // served to this engine from now on
    module->second.code = upload.code;
    module->second.fingerprint = upload.fingerprint;
    module->second.signature = upload.signature;
  }
  uploads[digest] = std::move(upload);
  return grpc::Status::OK;
}

std::unique_ptr<FakeHead> FakeHead::Start(int port) {
  std::unique_ptr<FakeHead> head(new FakeHead());
  head->state_ = std::make_unique<State>();
  State& s = *head->state_;
  grpc::ServerBuilder builder;
  builder.AddListeningPort(absl::StrCat("127.0.0.1:", port),
                           grpc::InsecureServerCredentials(), &s.port);
  builder.RegisterService(&s);
  s.server = builder.BuildAndStart();
  if (!s.server || s.port == 0) {
    std::cerr << "FakeHead: cannot start a gRPC server" << std::endl;
    return nullptr;
  }
  return head;
}

FakeHead::~FakeHead() {
  if (state_ && state_->server) {
    state_->server->Shutdown(std::chrono::system_clock::now() +
                             std::chrono::seconds(1));
  }
}

int FakeHead::port() const { return state_->port; }

const CodeKey& FakeHead::TestCodeKey() {
  static const CodeKey* key =
      new CodeKey(CodeKey::FromBytes(std::string(32, '\x5a')));
  return *key;
}

std::string FakeHead::CodeKeyFile() {
  static const std::string* path = [] {
    char dir[] = "/tmp/fake-head-key-XXXXXX";
    auto* file = new std::string(absl::StrCat(mkdtemp(dir), "/code.key"));
    std::string hex;
    for (int i = 0; i < 32; ++i) hex += "5a";  // TestCodeKey's bytes.
    std::ofstream(*file) << hex << "\n";
    chmod(file->c_str(), 0600);
    return file;
  }();
  return *path;
}

void FakeHead::AddModule(const std::string& digest, std::string bytes,
                         std::string code, std::string fingerprint,
                         std::optional<std::string> signature) {
  std::string signed_by_us =
      signature ? *std::move(signature)
                : TestCodeKey().Sign(digest, fingerprint, code);
  absl::MutexLock lock(&state_->mu);
  state_->modules[digest] = {std::move(bytes), std::move(code),
                             std::move(fingerprint), std::move(signed_by_us)};
}

int FakeHead::fetches(const std::string& digest) const {
  absl::MutexLock lock(&state_->mu);
  auto it = state_->fetches.find(digest);
  return it == state_->fetches.end() ? 0 : it->second;
}

bool FakeHead::AwaitFetches(const std::string& digest, int count,
                            absl::Duration timeout) {
  State& s = *state_;
  return s.Await([&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(
                     s.mu) { return s.fetches[digest] >= count; },
                 timeout);
}

void FakeHead::HoldFetches(bool hold) {
  absl::MutexLock lock(&state_->mu);
  state_->hold_fetches = hold;
}

std::optional<v1::PoolMessage::Hello> FakeHead::AwaitHello(
    absl::Duration timeout) {
  State& s = *state_;
  if (!s.Await([&s]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(
                   s.mu) { return s.hello.has_value(); },
               timeout)) {
    return std::nullopt;
  }
  absl::MutexLock lock(&s.mu);
  return s.hello;
}

bool FakeHead::Send(const v1::HeadMessage& message) {
  absl::MutexLock lock(&state_->write_mu);
  return state_->stream && state_->stream->Write(message);
}

bool FakeHead::AwaitStarted(const std::string& job_id, absl::Duration timeout) {
  State& s = *state_;
  return s.Await([&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(
                     s.mu) { return s.jobs[job_id].started; },
                 timeout);
}

bool FakeHead::AwaitLog(const std::string& job_id, const std::string& text,
                        absl::Duration timeout) {
  State& s = *state_;
  return s.Await(
      [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu) {
        return s.jobs[job_id].log.find(text) != std::string::npos;
      },
      timeout);
}

std::optional<v1::PoolMessage::JobFinished> FakeHead::AwaitFinished(
    const std::string& job_id, absl::Duration timeout) {
  State& s = *state_;
  s.Await([&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(
              s.mu) { return s.jobs[job_id].finished.has_value(); },
          timeout);
  absl::MutexLock lock(&s.mu);
  return s.jobs[job_id].finished;
}

std::string FakeHead::Log(const std::string& job_id) const {
  absl::MutexLock lock(&state_->mu);
  auto it = state_->jobs.find(job_id);
  return it == state_->jobs.end() ? "" : it->second.log;
}

std::string FakeHead::RankLog(const std::string& job_id, int rank,
                              int stream) const {
  absl::MutexLock lock(&state_->mu);
  auto it = state_->jobs.find(job_id);
  if (it == state_->jobs.end()) return "";
  auto log = it->second.by_rank_and_stream.find({rank, stream});
  return log == it->second.by_rank_and_stream.end() ? "" : log->second;
}

int FakeHead::LogChunks(const std::string& job_id, int rank) const {
  absl::MutexLock lock(&state_->mu);
  auto it = state_->jobs.find(job_id);
  if (it == state_->jobs.end()) return 0;
  auto count = it->second.chunks_by_rank.find(rank);
  return count == it->second.chunks_by_rank.end() ? 0 : count->second;
}

std::optional<FakeHead::Upload> FakeHead::AwaitUpload(const std::string& digest,
                                                      absl::Duration timeout) {
  State& s = *state_;
  if (!s.Await([&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(
                   s.mu) { return s.uploads.contains(digest); },
               timeout)) {
    return std::nullopt;
  }
  absl::MutexLock lock(&s.mu);
  return s.uploads[digest];
}

int FakeHead::uploads() const {
  absl::MutexLock lock(&state_->mu);
  return state_->upload_calls;
}

std::string FakeHead::Authorization(const std::string& method) const {
  absl::MutexLock lock(&state_->mu);
  auto it = state_->authorization.find(method);
  return it == state_->authorization.end() ? "" : it->second;
}

std::optional<std::string> FakeHead::AwaitDrain(absl::Duration timeout) {
  State& s = *state_;
  if (!s.Await([&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(
                   s.mu) { return !s.drains.empty(); },
               timeout)) {
    return std::nullopt;
  }
  absl::MutexLock lock(&s.mu);
  return s.drains.front();
}

int FakeHead::drains() const {
  absl::MutexLock lock(&state_->mu);
  return static_cast<int>(state_->drains.size());
}

bool FakeHead::AwaitStreamsEnded(int count, absl::Duration timeout) {
  State& s = *state_;
  return s.Await(
      [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu) { return s.ended >= count; },
      timeout);
}

int FakeHead::attaches() const {
  absl::MutexLock lock(&state_->mu);
  return state_->attaches;
}

}  // namespace wasmhpc::testing
