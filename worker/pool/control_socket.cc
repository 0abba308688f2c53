#include "worker/pool/control_socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "openssl/crypto.h"

// Wire format. Every frame, the hello included, is a 4-byte little-endian
// length followed by that many bytes. The hello (executor -> controller,
// the first frame of a connection) carries a 4-byte little-endian rank and
// then the secret's bytes, so its length is exactly 4 + secret.size(); any
// other length closes the connection before its body is read. Every later
// frame holds one serialized protobuf message.
//
// Frames are capped below kMaxControlMessageBytes at protobuf's own limit
// (INT_MAX: ParseFromArray takes an int), so a frame the receiver would
// refuse is never sent.

namespace wasmhpc::pool {
namespace {

constexpr size_t kHeaderBytes = 4;
constexpr uint64_t kMaxFrameBytes =
    std::min<uint64_t>(kMaxControlMessageBytes, INT_MAX);
// How long a new connection has to send its hello.
constexpr absl::Duration kHelloTimeout = absl::Seconds(1);
// Connections accepted but without a hello yet; beyond, the listener is not
// polled (new ones wait in the kernel's backlog) until one is settled.
constexpr size_t kMaxPendingHellos = 64;
// Bytes asked of recv(2) at a time outside a large frame, and at most.
constexpr size_t kMinRead = 16 << 10;
constexpr size_t kMaxRead = 1 << 20;

std::string ErrnoText(int err) { return std::strerror(err); }

// A system call that cannot fail in a correct program failed.
[[noreturn]] void DieOfErrno(const char* call) {
  std::fprintf(stderr, "wasmhpc control socket: %s: %s\n", call,
               std::strerror(errno));
  std::abort();
}

// poll(2)'s timeout for `timeout`: -1 for infinite, milliseconds rounded
// up (so that a short wait is not a busy loop), at most INT_MAX.
int PollMillis(absl::Duration timeout) {
  if (timeout == absl::InfiniteDuration()) return -1;
  if (timeout <= absl::ZeroDuration()) return 0;
  return static_cast<int>(std::min<int64_t>(
      absl::ToInt64Milliseconds(absl::Ceil(timeout, absl::Milliseconds(1))),
      INT_MAX));
}

// The time left until `deadline` (infinite stays infinite).
absl::Duration Left(absl::Time deadline) {
  if (deadline == absl::InfiniteFuture()) return absl::InfiniteDuration();
  return std::max(deadline - absl::Now(), absl::ZeroDuration());
}

absl::Time DeadlineAfter(absl::Duration timeout) {
  if (timeout == absl::InfiniteDuration()) return absl::InfiniteFuture();
  return absl::Now() + timeout;
}

// poll(2) with EINTR retried against the original deadline. Returns the
// number of ready entries (0: timed out).
int PollRetrying(std::vector<pollfd>& fds, absl::Duration timeout) {
  absl::Time deadline = DeadlineAfter(timeout);
  for (;;) {
    int n = poll(fds.data(), fds.size(), PollMillis(Left(deadline)));
    if (n >= 0) return n;
    if (errno != EINTR) DieOfErrno("poll");
  }
}

void SetNoDelay(int fd) {
  int one = 1;
  // Best effort: only latency depends on it.
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

// Writes all of `data` to the blocking socket `fd`.
absl::Status SendAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::UnavailableError(
          absl::StrCat("control connection: send: ", ErrnoText(errno)));
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

void Store32(char* out, uint32_t value) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>(value >> (8 * i));
}

uint32_t Load32(const char* in) {
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i) {
    value |= uint32_t{static_cast<unsigned char>(in[i])} << (8 * i);
  }
  return value;
}

std::string HelloFrame(int rank, const std::string& secret) {
  std::string frame(kHeaderBytes + 4 + secret.size(), '\0');
  Store32(frame.data(), static_cast<uint32_t>(4 + secret.size()));
  Store32(frame.data() + kHeaderBytes, static_cast<uint32_t>(rank));
  std::memcpy(frame.data() + kHeaderBytes + 4, secret.data(), secret.size());
  return frame;
}

}  // namespace

ControlConnection::ControlConnection(int fd) : fd_(fd) {}

ControlConnection::~ControlConnection() { close(fd_); }

absl::Status ControlConnection::Send(
    const google::protobuf::MessageLite& message) {
  size_t size = message.ByteSizeLong();
  if (size > kMaxFrameBytes) {
    return absl::InvalidArgumentError(absl::StrCat("control message of ", size,
                                                   " bytes exceeds the limit (",
                                                   kMaxFrameBytes, " bytes)"));
  }
  std::string frame(kHeaderBytes + size, '\0');
  Store32(frame.data(), static_cast<uint32_t>(size));
  message.SerializeWithCachedSizesToArray(
      reinterpret_cast<uint8_t*>(frame.data() + kHeaderBytes));
  absl::MutexLock lock(&send_mu_);
  return SendAll(fd_, frame.data(), frame.size());
}

absl::StatusOr<bool> ControlConnection::Receive(
    google::protobuf::MessageLite* message, absl::Duration timeout) {
  absl::Time deadline = DeadlineAfter(timeout);
  for (;;) {
    absl::StatusOr<bool> took = TakeFrame(message);
    if (!took.ok() || *took) return took;
    bool got_bytes = false;
    absl::Status filled = Fill(Left(deadline), &got_bytes);
    if (!filled.ok()) return filled;
    if (!got_bytes) return false;
  }
}

absl::Status ControlConnection::Fill(absl::Duration timeout, bool* got_bytes) {
  *got_bytes = false;
  std::vector<pollfd> fds = {{fd_, POLLIN, 0}};
  if (PollRetrying(fds, timeout) == 0) return absl::OkStatus();
  for (;;) {
    // Read up to the end of the frame in progress (capped), so that a big
    // frame needs few calls and small ones leave little to move.
    size_t want = kMinRead;
    if (in_.size() >= kHeaderBytes) {
      uint64_t length = Load32(in_.data());
      if (length > kMaxFrameBytes) return absl::OkStatus();  // TakeFrame says
      uint64_t frame_end = kHeaderBytes + length;
      if (in_.size() >= frame_end) return absl::OkStatus();  // a whole frame
      in_.reserve(frame_end);
      want = std::clamp<size_t>(frame_end - in_.size(), kMinRead, kMaxRead);
    }
    size_t old_size = in_.size();
    in_.resize(old_size + want);
    ssize_t n = recv(fd_, in_.data() + old_size, want, MSG_DONTWAIT);
    int err = errno;
    in_.resize(old_size + std::max<ssize_t>(n, 0));
    if (n > 0) {
      *got_bytes = true;
      continue;
    }
    if (n < 0 && err == EINTR) continue;
    if (n < 0 && (err == EAGAIN || err == EWOULDBLOCK)) {
      return absl::OkStatus();
    }
    // EOF or an error: report it once the bytes before it are taken.
    if (*got_bytes) return absl::OkStatus();
    if (n == 0) return absl::UnavailableError("control connection closed");
    return absl::UnavailableError(
        absl::StrCat("control connection closed: recv: ", ErrnoText(err)));
  }
}

absl::StatusOr<bool> ControlConnection::TakeFrame(
    google::protobuf::MessageLite* message) {
  if (in_.size() < kHeaderBytes) return false;
  uint64_t length = Load32(in_.data());
  if (length > kMaxFrameBytes) {
    return absl::DataLossError(absl::StrCat("control frame of ", length,
                                            " bytes exceeds the limit (",
                                            kMaxFrameBytes, " bytes)"));
  }
  if (in_.size() < kHeaderBytes + length) return false;
  bool parsed = message->ParseFromArray(in_.data() + kHeaderBytes,
                                        static_cast<int>(length));
  in_.erase(0, kHeaderBytes + length);
  if (in_.empty() && in_.capacity() > kMaxRead) {
    std::string().swap(in_);  // a big frame's buffer is not kept
  }
  if (!parsed) {
    return absl::DataLossError(absl::StrCat("control frame of ", length,
                                            " bytes does not parse as ",
                                            message->GetTypeName()));
  }
  return true;
}

namespace {

// A connection accepted by the listener, its hello not yet whole.
struct PendingHello {
  int fd;
  absl::Time deadline;  // closed unsettled after this
  std::string bytes;    // of the hello frame, read so far
};

enum class HelloRead { kIncomplete, kBroken, kWhole };

// Reads what `pending` has sent of its hello, never past its end (what
// follows belongs to the connection), and never more than `frame_size`.
HelloRead ReadHello(PendingHello& pending, size_t frame_size) {
  for (;;) {
    size_t old_size = pending.bytes.size();
    pending.bytes.resize(frame_size);
    ssize_t n = recv(pending.fd, pending.bytes.data() + old_size,
                     frame_size - old_size, MSG_DONTWAIT);
    int err = errno;
    pending.bytes.resize(old_size + std::max<ssize_t>(n, 0));
    if (n < 0 && err == EINTR) continue;
    if (n < 0 && (err == EAGAIN || err == EWOULDBLOCK)) {
      return HelloRead::kIncomplete;
    }
    if (n <= 0) return HelloRead::kBroken;
    if (pending.bytes.size() >= kHeaderBytes &&
        Load32(pending.bytes.data()) != frame_size - kHeaderBytes) {
      return HelloRead::kBroken;  // not a hello of this pool: too long
    }
    if (pending.bytes.size() == frame_size) return HelloRead::kWhole;
  }
}

// AcceptExecutors' state: the connections without a hello yet and the
// executors' connections by rank.
class HelloAcceptor {
 public:
  HelloAcceptor(int listen_fd, int world_size, const std::string& secret)
      : listen_fd_(listen_fd),
        secret_(secret),
        connections_(world_size),
        missing_(world_size - 1) {}
  ~HelloAcceptor() {
    for (PendingHello& pending : pending_) close(pending.fd);
  }

  // Accepts and reads hellos until every rank has one or `deadline`.
  absl::Status Run(absl::Time deadline, absl::Duration timeout);

  std::vector<std::unique_ptr<ControlConnection>> TakeConnections() {
    return std::move(connections_);
  }

 private:
  // Accepts what the listener holds, up to kMaxPendingHellos pending.
  void AcceptSome();
  // Reads from `pending`; true when it is settled: taken as its rank's
  // connection, or closed.
  bool Advance(PendingHello& pending);
  // Closes the pending connections whose hello is late.
  void DropLate(absl::Time now);
  std::string MissingRanks() const;

  int listen_fd_;
  const std::string& secret_;
  std::vector<PendingHello> pending_;
  std::vector<std::unique_ptr<ControlConnection>> connections_;
  int missing_;
};

absl::Status HelloAcceptor::Run(absl::Time deadline, absl::Duration timeout) {
  while (missing_ > 0) {
    absl::Time now = absl::Now();
    DropLate(now);
    if (now >= deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("no valid hello from executor rank(s) ", MissingRanks(),
                       " within ", absl::FormatDuration(timeout)));
    }
    std::vector<pollfd> fds;
    absl::Time wake = deadline;
    for (const PendingHello& pending : pending_) {
      fds.push_back({pending.fd, POLLIN, 0});
      wake = std::min(wake, pending.deadline);
    }
    bool listening = pending_.size() < kMaxPendingHellos;
    if (listening) fds.push_back({listen_fd_, POLLIN, 0});
    PollRetrying(fds, Left(wake));
    std::vector<PendingHello> unsettled;
    for (size_t i = 0; i < pending_.size(); ++i) {
      if (fds[i].revents == 0 || !Advance(pending_[i])) {
        unsettled.push_back(std::move(pending_[i]));
      }
    }
    pending_ = std::move(unsettled);
    if (listening && fds.back().revents != 0) AcceptSome();
  }
  return absl::OkStatus();
}

void HelloAcceptor::AcceptSome() {
  while (pending_.size() < kMaxPendingHellos) {
    int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;  // EAGAIN: none left; else (EMFILE...) retried next round
    }
    SetNoDelay(fd);
    pending_.push_back({fd, absl::Now() + kHelloTimeout, ""});
  }
}

bool HelloAcceptor::Advance(PendingHello& pending) {
  size_t frame_size = kHeaderBytes + 4 + secret_.size();
  HelloRead read = ReadHello(pending, frame_size);
  if (read == HelloRead::kIncomplete) return false;
  if (read == HelloRead::kWhole) {
    const char* body = pending.bytes.data() + kHeaderBytes;
    int64_t rank = static_cast<int32_t>(Load32(body));
    bool secret_ok =
        CRYPTO_memcmp(body + 4, secret_.data(), secret_.size()) == 0;
    if (secret_ok && rank >= 1 &&
        rank < static_cast<int64_t>(connections_.size()) &&
        connections_[rank] == nullptr) {
      connections_[rank] = std::make_unique<ControlConnection>(pending.fd);
      --missing_;
      return true;
    }
  }
  close(pending.fd);
  return true;
}

void HelloAcceptor::DropLate(absl::Time now) {
  std::vector<PendingHello> on_time;
  for (PendingHello& pending : pending_) {
    if (now < pending.deadline) {
      on_time.push_back(std::move(pending));
    } else {
      close(pending.fd);
    }
  }
  pending_ = std::move(on_time);
}

std::string HelloAcceptor::MissingRanks() const {
  std::vector<size_t> missing;
  for (size_t rank = 1; rank < connections_.size(); ++rank) {
    if (connections_[rank] == nullptr) missing.push_back(rank);
  }
  return absl::StrJoin(missing, ", ");
}

}  // namespace

absl::StatusOr<std::unique_ptr<ControlListener>> ControlListener::Listen() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return absl::InternalError(absl::StrCat("socket: ", ErrnoText(errno)));
  }
  sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_ANY);
  socklen_t size = sizeof(address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), size) != 0 ||
      listen(fd, SOMAXCONN) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    int err = errno;
    close(fd);
    return absl::InternalError(
        absl::StrCat("control listener: ", ErrnoText(err)));
  }
  return std::unique_ptr<ControlListener>(
      new ControlListener(fd, ntohs(address.sin_port)));
}

ControlListener::~ControlListener() {
  if (fd_ >= 0) close(fd_);
}

std::string ControlListener::Addresses() const {
  std::vector<std::string> addresses;
  ifaddrs* interfaces = nullptr;
  if (getifaddrs(&interfaces) == 0) {
    for (ifaddrs* i = interfaces; i != nullptr; i = i->ifa_next) {
      if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET ||
          (i->ifa_flags & IFF_UP) == 0 || (i->ifa_flags & IFF_LOOPBACK) != 0) {
        continue;
      }
      char ip[INET_ADDRSTRLEN];
      const in_addr& in = reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr;
      if (inet_ntop(AF_INET, &in, ip, sizeof(ip)) == nullptr) continue;
      std::string address = absl::StrCat(ip, ":", port_);
      if (std::find(addresses.begin(), addresses.end(), address) ==
          addresses.end()) {
        addresses.push_back(std::move(address));
      }
    }
    freeifaddrs(interfaces);
  }
  addresses.push_back(absl::StrCat("127.0.0.1:", port_));
  return absl::StrJoin(addresses, ",");
}

absl::StatusOr<std::vector<std::unique_ptr<ControlConnection>>>
ControlListener::AcceptExecutors(int world_size, const std::string& secret,
                                 absl::Duration timeout) {
  if (fd_ < 0) {
    return absl::FailedPreconditionError("control listener already closed");
  }
  if (world_size < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad pool world size ", world_size));
  }
  HelloAcceptor acceptor(fd_, world_size, secret);
  absl::Status status = acceptor.Run(DeadlineAfter(timeout), timeout);
  close(fd_);  // no port stays open, whatever the outcome
  fd_ = -1;
  if (!status.ok()) return status;
  return acceptor.TakeConnections();
}

namespace {

// Parses "ip:port" (IPv4).
absl::StatusOr<sockaddr_in> ParseAddress(absl::string_view text) {
  size_t colon = text.rfind(':');
  int port = 0;
  sockaddr_in address = {};
  address.sin_family = AF_INET;
  if (colon == absl::string_view::npos ||
      !absl::SimpleAtoi(text.substr(colon + 1), &port) || port < 1 ||
      port > 65535 ||
      inet_pton(AF_INET, std::string(text.substr(0, colon)).c_str(),
                &address.sin_addr) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad control address \"", text, "\" (want ip:port)"));
  }
  address.sin_port = htons(static_cast<uint16_t>(port));
  return address;
}

// A blocking socket connected to `address`, or why not within `timeout`.
absl::StatusOr<int> ConnectOne(const sockaddr_in& address,
                               absl::Duration timeout) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(ErrnoText(errno));
  int err = 0;
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address),
              sizeof(address)) != 0) {
    err = errno;
    if (err == EINPROGRESS || err == EINTR) {  // EINTR: still connecting
      std::vector<pollfd> fds = {{fd, POLLOUT, 0}};
      socklen_t size = sizeof(err);
      if (PollRetrying(fds, timeout) == 0) {
        err = ETIMEDOUT;
      } else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &size) != 0) {
        err = errno;
      }
    }
  }
  if (err == 0 && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
    err = errno;
  }
  if (err != 0) {
    close(fd);
    return absl::UnavailableError(ErrnoText(err));
  }
  SetNoDelay(fd);
  return fd;
}

}  // namespace

absl::StatusOr<std::unique_ptr<ControlConnection>> ConnectToController(
    const std::string& addresses, int rank, const std::string& secret,
    absl::Duration timeout) {
  std::vector<std::string> texts = absl::StrSplit(addresses, ',');
  std::vector<sockaddr_in> parsed;
  for (const std::string& text : texts) {
    absl::StatusOr<sockaddr_in> address = ParseAddress(text);
    if (!address.ok()) return address.status();
    parsed.push_back(*address);
  }
  absl::Time deadline = DeadlineAfter(timeout);
  std::string hello = HelloFrame(rank, secret);
  std::vector<std::string> failures;
  for (size_t i = 0; i < parsed.size(); ++i) {
    // Each address gets an even share of the time left, so that one that
    // drops packets leaves time for the next.
    absl::Duration share =
        Left(deadline) / static_cast<int64_t>(parsed.size() - i);
    absl::StatusOr<int> fd = ConnectOne(parsed[i], share);
    absl::Status status = fd.status();
    if (fd.ok()) {
      auto connection = std::make_unique<ControlConnection>(*fd);
      status = SendAll(*fd, hello.data(), hello.size());
      if (status.ok()) return connection;
    }
    failures.push_back(absl::StrCat(texts[i], " (", status.message(), ")"));
  }
  return absl::UnavailableError(absl::StrCat(
      "cannot reach the pool's controller: ", absl::StrJoin(failures, ", ")));
}

std::string NewControlSecret() {
  char bytes[32];
  size_t got = 0;
  while (got < sizeof(bytes)) {
    ssize_t n = getrandom(bytes + got, sizeof(bytes) - got, 0);
    if (n < 0) {
      if (errno != EINTR) DieOfErrno("getrandom");
      continue;
    }
    got += static_cast<size_t>(n);
  }
  return absl::BytesToHexString(absl::string_view(bytes, sizeof(bytes)));
}

std::vector<size_t> WaitReadable(const std::vector<int>& fds,
                                 absl::Duration timeout) {
  std::vector<pollfd> polled;
  polled.reserve(fds.size());
  for (int fd : fds) polled.push_back({fd, POLLIN, 0});
  PollRetrying(polled, timeout);
  std::vector<size_t> ready;
  for (size_t i = 0; i < polled.size(); ++i) {
    // A hang-up or an error is ready too: the caller's read reports it.
    if (polled[i].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) {
      ready.push_back(i);
    }
  }
  return ready;
}

}  // namespace wasmhpc::pool
