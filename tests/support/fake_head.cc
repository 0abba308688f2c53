#include "tests/support/fake_head.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "proto/grpc_status.h"
#include "tests/support/fake_head_state.h"

namespace wasmhpc::testing {

google::protobuf::Timestamp FakeHeadNow() {
  google::protobuf::Timestamp time;
  time.set_seconds(absl::ToUnixSeconds(absl::Now()));
  return time;
}

grpc::Status FakeHeadState::Admit(grpc::ServerContext* context,
                                  const std::string& method) {
  const auto& metadata = context->client_metadata();
  auto it = metadata.find("authorization");
  {
    absl::MutexLock lock(&mu);
    authorization[method] =
        it == metadata.end()
            ? ""
            : std::string(it->second.data(), it->second.size());
  }
  absl::StatusOr<server::Caller> caller = authorizer.CallerOf(*context);
  return caller.ok() ? grpc::Status::OK : ToGrpcStatus(caller.status());
}

FakeHead::FakeHead() = default;

std::unique_ptr<FakeHead> FakeHead::Start(FakeHeadOptions options) {
  server::TokenAuth auth;
  if (!options.required_token.empty()) {
    absl::StatusOr<server::TokenAuth> parsed = server::TokenAuth::FromText(
        absl::StrCat(options.required_token, " tester user"));
    if (!parsed.ok()) {
      std::cerr << "FakeHead: " << parsed.status() << std::endl;
      return nullptr;
    }
    auth = *std::move(parsed);
  }
  std::unique_ptr<FakeHead> head(new FakeHead());
  head->state_ = std::make_unique<FakeHeadState>(std::move(auth));
  FakeHeadState& s = *head->state_;
  s.services.push_back(NewFakeModuleService(&s));
  s.services.push_back(NewFakeJobService(&s));
  s.services.push_back(NewFakePoolService(&s));
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(absl::StrCat("127.0.0.1:", options.port),
                           grpc::InsecureServerCredentials(), &port);
  for (const auto& service : s.services) builder.RegisterService(service.get());
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(s.authorizer.Factory());
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  head->server_ = builder.BuildAndStart();
  if (!head->server_ || port == 0) {
    std::cerr << "FakeHead: cannot start a gRPC server" << std::endl;
    return nullptr;
  }
  head->port_ = port;
  return head;
}

FakeHead::~FakeHead() {
  if (!server_) return;
  {
    absl::MutexLock lock(&state_->mu);
    state_->shutting_down = true;
  }
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  server_.reset();
}

int FakeHead::port() const { return port_; }

std::string FakeHead::address() const {
  return absl::StrCat("127.0.0.1:", port_);
}

std::string FakeHead::Authorization(const std::string& method) const {
  absl::MutexLock lock(&state_->mu);
  auto it = state_->authorization.find(method);
  return it == state_->authorization.end() ? "" : it->second;
}

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
  FakeHeadState::Module module;
  module.record.set_digest(digest);
  module.record.set_size_bytes(bytes.size());
  module.signature = signature ? *std::move(signature)
                               : TestCodeKey().Sign(digest, fingerprint, code);
  module.bytes = std::move(bytes);
  module.code = std::move(code);
  module.fingerprint = std::move(fingerprint);
  absl::MutexLock lock(&state_->mu);
  state_->modules[digest] = std::move(module);
}

int FakeHead::module_uploads() const {
  absl::MutexLock lock(&state_->mu);
  return state_->module_uploads;
}

int FakeHead::upload_chunks() const {
  absl::MutexLock lock(&state_->mu);
  return state_->upload_chunks;
}

int FakeHead::module_gets() const {
  absl::MutexLock lock(&state_->mu);
  return state_->module_gets;
}

std::vector<v1::JobSpec> FakeHead::submitted() const {
  absl::MutexLock lock(&state_->mu);
  return state_->submitted;
}

std::vector<uint64_t> FakeHead::watch_offsets(const std::string& job_id) const {
  absl::MutexLock lock(&state_->mu);
  auto it = state_->watch_offsets.find(job_id);
  return it == state_->watch_offsets.end() ? std::vector<uint64_t>{}
                                           : it->second;
}

std::vector<std::string> FakeHead::cancelled() const {
  absl::MutexLock lock(&state_->mu);
  return state_->cancelled;
}

bool FakeHead::WaitForWatch(const std::string& job_id,
                            absl::Duration timeout) const {
  FakeHeadState& s = *state_;
  return s.Await(
      [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu) {
        auto it = s.open_watches.find(job_id);
        return it != s.open_watches.end() && it->second > 0;
      },
      timeout);
}

int FakeHead::fetches(const std::string& digest) const {
  absl::MutexLock lock(&state_->mu);
  auto it = state_->fetches.find(digest);
  return it == state_->fetches.end() ? 0 : it->second;
}

bool FakeHead::AwaitFetches(const std::string& digest, int count,
                            absl::Duration timeout) {
  FakeHeadState& s = *state_;
  return s.Await([&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(
                     s.mu) { return s.fetches[digest] >= count; },
                 timeout);
}

void FakeHead::HoldFetches(bool hold) {
  absl::MutexLock lock(&state_->mu);
  state_->hold_fetches = hold;
}

std::optional<FakeHead::CodeUpload> FakeHead::AwaitCodeUpload(
    const std::string& digest, absl::Duration timeout) {
  FakeHeadState& s = *state_;
  if (!s.Await([&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(
                   s.mu) { return s.code_uploads.contains(digest); },
               timeout)) {
    return std::nullopt;
  }
  absl::MutexLock lock(&s.mu);
  return s.code_uploads[digest];
}

int FakeHead::code_uploads() const {
  absl::MutexLock lock(&state_->mu);
  return state_->code_upload_calls;
}

std::optional<v1::PoolMessage::Hello> FakeHead::AwaitHello(
    absl::Duration timeout) {
  FakeHeadState& s = *state_;
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
  FakeHeadState& s = *state_;
  return s.Await([&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(
                     s.mu) { return s.reported[job_id].started; },
                 timeout);
}

bool FakeHead::AwaitLog(const std::string& job_id, const std::string& text,
                        absl::Duration timeout) {
  FakeHeadState& s = *state_;
  return s.Await(
      [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu) {
        return s.reported[job_id].log.find(text) != std::string::npos;
      },
      timeout);
}

std::optional<v1::PoolMessage::JobFinished> FakeHead::AwaitFinished(
    const std::string& job_id, absl::Duration timeout) {
  FakeHeadState& s = *state_;
  s.Await([&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(
              s.mu) { return s.reported[job_id].finished.has_value(); },
          timeout);
  absl::MutexLock lock(&s.mu);
  return s.reported[job_id].finished;
}

std::string FakeHead::Log(const std::string& job_id) const {
  absl::MutexLock lock(&state_->mu);
  auto it = state_->reported.find(job_id);
  return it == state_->reported.end() ? "" : it->second.log;
}

std::string FakeHead::RankLog(const std::string& job_id, int rank,
                              int stream) const {
  absl::MutexLock lock(&state_->mu);
  auto it = state_->reported.find(job_id);
  if (it == state_->reported.end()) return "";
  auto log = it->second.by_rank_and_stream.find({rank, stream});
  return log == it->second.by_rank_and_stream.end() ? "" : log->second;
}

int FakeHead::LogChunks(const std::string& job_id, int rank) const {
  absl::MutexLock lock(&state_->mu);
  auto it = state_->reported.find(job_id);
  if (it == state_->reported.end()) return 0;
  auto count = it->second.chunks_by_rank.find(rank);
  return count == it->second.chunks_by_rank.end() ? 0 : count->second;
}

std::optional<std::string> FakeHead::AwaitDrain(absl::Duration timeout) {
  FakeHeadState& s = *state_;
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
  FakeHeadState& s = *state_;
  return s.Await(
      [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(s.mu) { return s.ended >= count; },
      timeout);
}

int FakeHead::attaches() const {
  absl::MutexLock lock(&state_->mu);
  return state_->attaches;
}

}  // namespace wasmhpc::testing
