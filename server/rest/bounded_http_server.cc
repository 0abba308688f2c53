#include "server/rest/bounded_http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace wasmhpc::server {

// A socket (non-blocking), its TLS session if the server speaks TLS, and
// what the waiting room read from it but no request consumed.
struct BoundedHttpServer::Connection {
  int fd = -1;
  std::unique_ptr<TlsSession> tls;
  std::string buffer;
  absl::Time deadline = absl::InfiniteFuture();
  int served = 0;
  bool lingering = false;
  size_t dropped = 0;  // Lingering: bytes read and dropped.

  // Request bytes: > 0 read, 0 the peer closed, -1 with errno (EAGAIN:
  // nothing yet). Lingering connections drop raw bytes, TLS or not.
  ssize_t Recv(char* data, size_t size) {
    if (tls != nullptr && !lingering) return tls->Read(data, size);
    return ::recv(fd, data, size, MSG_DONTWAIT);
  }
  // Answer bytes: some of `size` written, or -1 with errno (EAGAIN: full).
  ssize_t Send(const char* data, size_t size) {
    if (tls != nullptr) return tls->Write(data, size);
    return ::send(fd, data, size, MSG_NOSIGNAL | MSG_DONTWAIT);
  }
  // Read from the socket by TLS but not returned yet: poll does not see it.
  bool Buffered() const {
    return tls != nullptr && !lingering && tls->buffered();
  }
  // What poll waits for: a TLS step may need to write to go on.
  short Wants() const {
    return tls != nullptr && !lingering ? tls->wants() : POLLIN;
  }
  // Best effort, for a connection about to be closed: a short answer.
  void SendCanned(int status, absl::string_view reason);
};

namespace {

constexpr size_t kLingerBytes = size_t{1} << 20;
constexpr absl::Duration kLingerTime = absl::Seconds(2);

// Runs each task on the thread that enqueues it: httplib's accept thread
// then calls process_and_close_socket itself, which only hands the socket on.
class InlineQueue : public httplib::TaskQueue {
 public:
  void enqueue(std::function<void()> fn) override { fn(); }
  void shutdown() override {}
};

int PollMs(absl::Duration timeout) {
  if (timeout <= absl::ZeroDuration()) return 0;
  return static_cast<int>(
      std::min<int64_t>(absl::ToInt64Milliseconds(timeout) + 1, 1000 * 3600));
}

// Waits up to `timeout` for `events` on `fd`; true when ready.
bool PollOne(int fd, short events, absl::Duration timeout) {
  pollfd p{fd, events, 0};
  int n;
  do {
    n = ::poll(&p, 1, PollMs(timeout));
  } while (n < 0 && errno == EINTR);
  return n > 0;
}

// The text of a short answer for a connection about to be closed.
std::string CannedAnswer(int status, absl::string_view reason) {
  const std::string body = absl::StrCat(
      R"({"code": )", status == 503 ? 14 : (status == 408 ? 4 : 8),
      R"(, "status": ")",
      status == 503
          ? "UNAVAILABLE"
          : (status == 408 ? "DEADLINE_EXCEEDED" : "RESOURCE_EXHAUSTED"),
      R"(", "message": ")", reason, "\"}\n");
  return absl::StrCat("HTTP/1.1 ", status, " ",
                      (status == 503   ? "Service Unavailable"
                       : status == 408 ? "Request Timeout"
                                       : "Request Header Fields Too Large"),
                      "\r\nContent-Type: application/json\r\nContent-Length: ",
                      body.size(), "\r\nConnection: close\r\n\r\n", body);
}

// Where the head of the request at the start of `buffer` ends (after its
// blank line), or npos.
size_t HeadEnd(const std::string& buffer) {
  const size_t end = buffer.find("\r\n\r\n");
  return end == std::string::npos ? end : end + 4;
}

void Address(int fd, bool peer, std::string& ip, int& port) {
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  const int rc =
      peer ? ::getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length)
           : ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  if (rc != 0) return;
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&address);
    ::inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text));
    port = ntohs(in->sin_port);
  } else if (address.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&address);
    ::inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof(text));
    port = ntohs(in6->sin6_port);
  }
  ip = text;
}

}  // namespace

void BoundedHttpServer::Connection::SendCanned(int status,
                                               absl::string_view reason) {
  if (tls != nullptr && !tls->handshaken()) return;
  const std::string answer = CannedAnswer(status, reason);
  (void)Send(answer.data(), answer.size());
}

// The httplib::Stream of one request: reads the waiting room's buffer first,
// then the socket, within the request's byte and time limits.
class BoundedHttpServer::ConnectionStream : public httplib::Stream {
 public:
  ConnectionStream(Connection& connection, const HttpLimits& limits)
      : c_(connection), limits_(limits) {}

  // The head is parsed (httplib's setup_request): the body starts here.
  void StartBody(const httplib::Request& request) {
    in_body_ = true;
    deadline_ = absl::Now() + limits_.body_timeout;
    chunked_ = absl::EqualsIgnoreCase(
        request.get_header_value("Transfer-Encoding"), "chunked");
    length_mode_ = request.has_header("Content-Length");
    if (!chunked_ && length_mode_) {
      (void)absl::SimpleAtoi(request.get_header_value("Content-Length"),
                             &unread_);
    }
  }
  void Limit(uint64_t bytes) { budget_ = bytes; }
  void CloseAfter() { force_close_ = true; }
  const absl::Status& error() const { return error_; }
  // The connection cannot carry another request.
  bool spent() const {
    return force_close_ || !error_.ok() || chunked_ || unread_ > 0;
  }
  // Bytes the waiting room read past this request.
  void DropConsumed() { c_.buffer.erase(0, consumed_); }

  bool is_readable() const override {
    return consumed_ < c_.buffer.size() || c_.Buffered() ||
           PollOne(c_.fd, POLLIN, limits_.read_timeout);
  }
  bool is_writable() const override {
    return PollOne(c_.fd, POLLOUT, limits_.write_timeout);
  }
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    Address(c_.fd, true, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    Address(c_.fd, false, ip, port);
  }
  socket_t socket() const override { return c_.fd; }

 private:
  ssize_t Fail(absl::Status status) {
    if (error_.ok()) error_ = std::move(status);
    return -1;
  }

  Connection& c_;
  const HttpLimits& limits_;
  size_t consumed_ = 0;  // Of c_.buffer.
  bool in_body_ = false;
  bool chunked_ = false;
  bool length_mode_ = false;
  uint64_t unread_ = 0;  // Content-Length not yet read.
  uint64_t budget_ = 0;  // Body bytes this request may still read.
  bool force_close_ = false;
  absl::Time deadline_ = absl::InfiniteFuture();
  absl::Status error_;
};

ssize_t BoundedHttpServer::ConnectionStream::read(char* ptr, size_t size) {
  if (in_body_) {
    // No Content-Length and not chunked: the body is empty.
    if (!chunked_ && !length_mode_) return 0;
    if (budget_ == 0) {
      return Fail(absl::ResourceExhaustedError(
          "request body larger than this route takes"));
    }
    size = static_cast<size_t>(std::min<uint64_t>(size, budget_));
  }
  ssize_t n;
  if (consumed_ < c_.buffer.size()) {
    n = static_cast<ssize_t>(std::min(size, c_.buffer.size() - consumed_));
    std::copy_n(c_.buffer.data() + consumed_, n, ptr);
    consumed_ += n;
  } else {
    // A TLS record may arrive in pieces: readable is not yet a byte.
    while ((n = c_.Recv(ptr, size)) < 0 && errno == EAGAIN) {
      const absl::Duration wait =
          std::min(limits_.read_timeout, deadline_ - absl::Now());
      if (!PollOne(c_.fd, c_.Wants(), wait)) {
        return Fail(absl::DeadlineExceededError(
            "request body not received in time (read timeout)"));
      }
    }
    if (n <= 0) return Fail(absl::CancelledError("client went away"));
  }
  if (in_body_) {
    budget_ -= n;
    unread_ -= std::min<uint64_t>(unread_, n);
  }
  return n;
}

ssize_t BoundedHttpServer::ConnectionStream::write(const char* ptr,
                                                   size_t size) {
  const absl::Time deadline = absl::Now() + limits_.write_timeout;
  ssize_t n;
  while ((n = c_.Send(ptr, size)) < 0 && errno == EAGAIN) {
    // TLS may need to read to go on writing.
    const short wants = c_.tls != nullptr ? c_.Wants() : POLLOUT;
    if (!PollOne(c_.fd, wants, deadline - absl::Now())) return -1;
  }
  return n;
}

thread_local BoundedHttpServer::ConnectionStream* BoundedHttpServer::current_ =
    nullptr;

BoundedHttpServer::BoundedHttpServer(HttpLimits limits,
                                     std::shared_ptr<const HttpTls> tls)
    : limits_(std::move(limits)), tls_(std::move(tls)) {
  new_task_queue = [] { return new InlineQueue; };
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  waiting_room_ = std::thread([this] { WaitingRoomLoop(); });
  const int threads = std::max(1, limits_.threads);
  for (int i = 0; i < threads; ++i) {
    workers_.emplace_back([this] { WorkerLoop(); });
  }
}

BoundedHttpServer::~BoundedHttpServer() {
  StopConnections();
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void BoundedHttpServer::StopConnections() {
  if (stopping_.exchange(true)) return;
  const uint64_t one = 1;
  (void)::write(wake_fd_, &one, sizeof(one));
  {
    absl::MutexLock lock(&mu_);  // Wakes the workers (see WorkerLoop).
  }
  waiting_room_.join();
  for (std::thread& worker : workers_) worker.join();
  absl::MutexLock lock(&mu_);
  for (auto& connection : arrivals_) Close(std::move(connection));
  for (auto& connection : ready_) Close(std::move(connection));
  arrivals_.clear();
  ready_.clear();
}

void BoundedHttpServer::RaiseListenBacklog() {
  const socket_t sock = svr_sock_;
  if (sock != INVALID_SOCKET) {
    (void)::listen(sock, std::max(limits_.max_connections, 16));
  }
}

void BoundedHttpServer::LimitBody(uint64_t bytes) {
  if (current_ != nullptr) current_->Limit(bytes);
}

void BoundedHttpServer::CloseAfterResponse() {
  if (current_ != nullptr) current_->CloseAfter();
}

absl::Status BoundedHttpServer::BodyError() {
  return current_ != nullptr ? current_->error() : absl::OkStatus();
}

bool BoundedHttpServer::process_and_close_socket(socket_t sock) {
  if (stopping_ || open_.load() >= limits_.max_connections) {
    // Over TLS there is no handshake yet to answer in: the client sees the
    // connection closed.
    if (tls_ == nullptr) {
      const std::string answer = CannedAnswer(
          503, absl::StrCat("too many connections (at most ",
                            limits_.max_connections, "); retry later"));
      (void)::send(sock, answer.data(), answer.size(),
                   MSG_DONTWAIT | MSG_NOSIGNAL);
    }
    ::close(sock);
    return false;
  }
  auto connection = std::make_unique<Connection>();
  connection->fd = sock;
  (void)::fcntl(sock, F_SETFL, ::fcntl(sock, F_GETFL) | O_NONBLOCK);
  if (tls_ != nullptr &&
      (connection->tls = tls_->NewSession(sock)) == nullptr) {
    ::close(sock);
    return false;
  }
  ++open_;
  connection->deadline = absl::Now() + limits_.header_timeout;
  Wait(std::move(connection));
  return true;
}

void BoundedHttpServer::Close(std::unique_ptr<Connection> connection) {
  if (connection == nullptr) return;
  if (connection->tls != nullptr) connection->tls->Close();
  connection->tls.reset();
  ::close(connection->fd);
  --open_;
}

void BoundedHttpServer::Wait(std::unique_ptr<Connection> connection) {
  {
    absl::MutexLock lock(&mu_);
    arrivals_.push_back(std::move(connection));
  }
  const uint64_t one = 1;
  (void)::write(wake_fd_, &one, sizeof(one));
}

void BoundedHttpServer::WaitingRoomLoop() {
  std::vector<std::unique_ptr<Connection>> room;
  std::vector<pollfd> fds;
  while (!stopping_) {
    absl::Time now = absl::Now();
    {
      absl::MutexLock lock(&mu_);
      for (auto& connection : arrivals_) room.push_back(std::move(connection));
      arrivals_.clear();
    }
    absl::Time next = now + absl::Seconds(1);
    for (const auto& connection : room) {
      // A whole request already read (pipelined): no waiting.
      if (!connection->lingering &&
          (HeadEnd(connection->buffer) != std::string::npos ||
           connection->Buffered())) {
        next = now;
      }
    }
    fds.assign(1, pollfd{wake_fd_, POLLIN, 0});
    for (const auto& connection : room) {
      fds.push_back(pollfd{connection->fd, connection->Wants(), 0});
      next = std::min(next, connection->deadline);
    }
    if (::poll(fds.data(), fds.size(), PollMs(next - now)) < 0 &&
        errno != EINTR) {
      break;
    }
    uint64_t count;
    (void)::read(wake_fd_, &count, sizeof(count));
    now = absl::Now();
    for (size_t i = 0; i < room.size(); ++i) {
      // New arrivals may hold a whole request already (pipelining).
      const bool ready = fds[i + 1].revents != 0 || room[i]->Buffered() ||
                         (!room[i]->lingering &&
                          HeadEnd(room[i]->buffer) != std::string::npos);
      if (ready && !Advance(room[i], now)) continue;
      if (room[i] != nullptr && now >= room[i]->deadline) {
        if (!room[i]->lingering && !room[i]->buffer.empty()) {
          room[i]->SendCanned(408, "request head not received in time");
        }
        Close(std::move(room[i]));
      }
    }
    room.erase(std::remove(room.begin(), room.end(), nullptr), room.end());
  }
  for (auto& connection : room) Close(std::move(connection));
}

bool BoundedHttpServer::Advance(std::unique_ptr<Connection>& connection,
                                absl::Time now) {
  Connection& c = *connection;
  if (c.tls != nullptr && !c.tls->handshaken()) {
    const TlsSession::Step step = c.tls->Handshake();
    if (step == TlsSession::Step::kAgain) return true;
    if (step == TlsSession::Step::kFailed) {
      Close(std::move(connection));
      return false;
    }
  }
  if (c.lingering || HeadEnd(c.buffer) == std::string::npos) {
    char data[16384];
    const size_t room = c.lingering
                            ? sizeof(data)
                            : std::min(sizeof(data), limits_.max_header_bytes +
                                                         4 - c.buffer.size());
    const ssize_t n = c.Recv(data, room);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
    if (n <= 0) {
      Close(std::move(connection));
      return false;
    }
    if (c.lingering) {
      c.dropped += n;
      if (c.dropped <= kLingerBytes) return true;
      Close(std::move(connection));
      return false;
    }
    // An idle connection starts a request: its head has header_timeout.
    if (c.buffer.empty()) c.deadline = now + limits_.header_timeout;
    c.buffer.append(data, n);
  }
  const size_t end = HeadEnd(c.buffer);
  if (end == std::string::npos || end > limits_.max_header_bytes) {
    if (c.buffer.size() < limits_.max_header_bytes) return true;
    c.SendCanned(431, absl::StrCat("request line and headers over ",
                                   limits_.max_header_bytes, " bytes"));
    Close(std::move(connection));
    return false;
  }
  {
    absl::MutexLock lock(&mu_);
    ready_.push_back(std::move(connection));
  }
  return false;
}

void BoundedHttpServer::WorkerLoop() {
  for (;;) {
    std::unique_ptr<Connection> connection;
    {
      absl::MutexLock lock(&mu_);
      auto has_work = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return !ready_.empty() || stopping_;
      };
      mu_.Await(absl::Condition(&has_work));
      if (ready_.empty()) return;  // Stopping.
      connection = std::move(ready_.front());
      ready_.pop_front();
    }
    if (stopping_) {
      Close(std::move(connection));
      continue;
    }
    ServeOne(std::move(connection));
  }
}

void BoundedHttpServer::ServeOne(std::unique_ptr<Connection> connection) {
  ConnectionStream stream(*connection, limits_);
  const bool last =
      connection->served + 1 >= limits_.keep_alive_max || stopping_;
  bool client_closed = false;
  current_ = &stream;
  const bool written = process_request(
      stream, last, client_closed,
      [&stream](httplib::Request& request) { stream.StartBody(request); });
  current_ = nullptr;
  stream.DropConsumed();
  ++connection->served;
  const bool reusable =
      written && !client_closed && !last && !stopping_ && !stream.spent();
  if (reusable) {
    connection->deadline = absl::Now() + limits_.idle_timeout;
  } else if (!written || stopping_ || !stream.spent()) {
    Close(std::move(connection));
    return;
  } else {
    // Unread body bytes may follow: let the client read the answer first.
    if (connection->tls != nullptr) connection->tls->Close();
    ::shutdown(connection->fd, SHUT_WR);
    connection->lingering = true;
    connection->deadline = absl::Now() + kLingerTime;
  }
  Wait(std::move(connection));
}

}  // namespace wasmhpc::server
