#include "tests/service/head_process.h"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iterator>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/handlers/fake_pool_messages.h"

namespace wasmhpc::testing {
namespace {

constexpr absl::string_view kListening = "wasmhpc-head: listening on ";
constexpr absl::string_view kRest = "wasmhpc-head: REST on ";

// Reads one line from `fd`, waiting up to `timeout` in all.
absl::StatusOr<std::string> ReadLine(int fd, absl::Duration timeout) {
  std::string line;
  absl::Time deadline = absl::Now() + timeout;
  while (true) {
    int left =
        static_cast<int>(absl::ToInt64Milliseconds(deadline - absl::Now()));
    if (left <= 0) return absl::DeadlineExceededError("no line within timeout");
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, left) <= 0) continue;
    char c;
    ssize_t n = read(fd, &c, 1);
    if (n == 0)
      return absl::UnavailableError(
          absl::StrCat("stdout closed after '", line, "'"));
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::InternalError(std::strerror(errno));
    }
    if (c == '\n') return line;
    line.push_back(c);
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<HeadProcess>> HeadProcess::Start(
    const std::string& binary, const std::string& data_dir,
    const std::vector<std::string>& args) {
  std::vector<std::string> argv = {binary,        "--grpc-port", "0",
                                   "--rest-port", "0",           "--host",
                                   "127.0.0.1",   "--data-dir",  data_dir};
  argv.insert(argv.end(), args.begin(), args.end());
  int out[2];
  if (pipe(out) != 0) return absl::InternalError("pipe failed");
  pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    std::vector<char*> c_argv;
    for (std::string& a : argv) c_argv.push_back(a.data());
    c_argv.push_back(nullptr);
    execv(binary.c_str(), c_argv.data());
    _exit(127);
  }
  close(out[1]);
  auto head = std::unique_ptr<HeadProcess>(new HeadProcess);
  head->pid_ = pid;
  head->stdout_fd_ = out[0];
  absl::StatusOr<std::string> line = ReadLine(out[0], absl::Seconds(30));
  if (!line.ok()) {
    int status = head->Stop(SIGKILL);
    return absl::UnavailableError(
        absl::StrCat("wasmhpc-head did not start: ", line.status().message(),
                     " (wait status ", status, ")"));
  }
  if (!absl::StartsWith(*line, kListening)) {
    return absl::UnavailableError(
        absl::StrCat("unexpected first line: ", *line));
  }
  head->address_ = line->substr(kListening.size());
  // Later options win: "--rest-port off" in ARGS turns REST off.
  auto rest_port = std::find(args.rbegin(), args.rend(), "--rest-port");
  if (rest_port != args.rend() && rest_port != args.rbegin() &&
      *std::prev(rest_port) == "off") {
    return head;
  }
  line = ReadLine(out[0], absl::Seconds(30));
  if (!line.ok() || !absl::StartsWith(*line, kRest)) {
    return absl::UnavailableError(absl::StrCat(
        "no REST line: ", line.ok() ? *line : line.status().message()));
  }
  head->rest_address_ = line->substr(kRest.size());
  return head;
}

HeadProcess::~HeadProcess() {
  if (pid_ > 0) Stop(SIGKILL);
  if (stdout_fd_ >= 0) close(stdout_fd_);
}

int HeadProcess::Stop(int signal) {
  if (pid_ <= 0) return -1;
  kill(pid_, signal);
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  return status;
}

std::shared_ptr<grpc::Channel> HeadProcess::Connect() const {
  auto channel =
      grpc::CreateChannel(address_, grpc::InsecureChannelCredentials());
  channel->WaitForConnected(
      absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  return channel;
}

void Authorize(grpc::ClientContext* context, const std::string& token) {
  if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
}

GrpcFakePool::GrpcFakePool(std::shared_ptr<grpc::Channel> channel,
                           std::string token)
    : stub_(v1::PoolService::NewStub(channel)) {
  Authorize(&context_, token);
  stream_ = stub_->Attach(&context_);
  reader_ = std::thread([this] { ReadLoop(); });
}

GrpcFakePool::~GrpcFakePool() {
  if (!status_) {
    context_.TryCancel();
    Finish();
  }
}

void GrpcFakePool::ReadLoop() {
  v1::HeadMessage message;
  while (stream_->Read(&message)) {
    absl::MutexLock lock(&mu_);
    inbox_.push_back(message);
  }
  absl::MutexLock lock(&mu_);
  ended_ = true;
}

std::optional<v1::HeadMessage> GrpcFakePool::Next(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !inbox_.empty() || ended_;
  };
  mu_.AwaitWithTimeout(absl::Condition(&ready), timeout);
  if (inbox_.empty()) return std::nullopt;
  v1::HeadMessage message = std::move(inbox_.front());
  inbox_.pop_front();
  return message;
}

absl::StatusOr<std::string> GrpcFakePool::Attach(
    int world_size, const std::string& fingerprint) {
  // A refused call (auth) may end before the hello is written: then the
  // stream's status tells why, once the reader has seen the end (Next
  // returns then; cancelling before that would replace the status).
  Send(server::HelloMessage(world_size, "grpc-fake", fingerprint));
  std::optional<v1::HeadMessage> welcome = Next();
  if (!welcome || !welcome->has_welcome()) {
    bool ended;
    {
      absl::MutexLock lock(&mu_);
      ended = ended_;
    }
    if (!ended) context_.TryCancel();
    grpc::Status status = Finish();
    return absl::UnavailableError(absl::StrCat(
        "no welcome: ", status.error_code(), " ", status.error_message()));
  }
  return welcome->welcome().pool_id();
}

bool GrpcFakePool::Send(const v1::PoolMessage& message) {
  return stream_->Write(message);
}

void GrpcFakePool::Started(const std::string& job_id) {
  Send(server::StartedMessage(job_id));
}

void GrpcFakePool::Log(const std::string& job_id, int rank,
                       const std::string& data) {
  Send(server::LogMessage(job_id, rank, data));
}

void GrpcFakePool::Succeeded(const std::string& job_id, int ranks) {
  Send(server::SucceededMessage(job_id, ranks));
}

void GrpcFakePool::Lose() { context_.TryCancel(); }

grpc::Status GrpcFakePool::Finish() {
  if (status_) return *status_;
  if (reader_.joinable()) reader_.join();
  status_ = stream_->Finish();
  return *status_;
}

}  // namespace wasmhpc::testing
