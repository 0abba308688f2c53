#include "server/sd_notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace wasmhpc::server {
namespace {

std::string Getenv(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

// The sockaddr_un bytes for a path or "@abstract" name.
absl::StatusOr<std::string> SocketAddress(const std::string& name) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (name.empty() || (name[0] != '/' && name[0] != '@')) {
    return absl::InvalidArgumentError(
        absl::StrCat("NOTIFY_SOCKET=", name,
                     ": not an absolute path or an @abstract socket name"));
  }
  // A path needs its terminating NUL; an abstract name has none but takes
  // a leading NUL in place of '@'.
  const size_t needed = name[0] == '@' ? name.size() : name.size() + 1;
  if (needed > sizeof(address.sun_path)) {
    return absl::InvalidArgumentError(
        absl::StrCat("NOTIFY_SOCKET=", name, ": longer than ",
                     sizeof(address.sun_path) - 1, " bytes"));
  }
  std::memcpy(address.sun_path, name.data(), name.size());
  if (name[0] == '@') address.sun_path[0] = '\0';
  const size_t length = offsetof(sockaddr_un, sun_path) + needed;
  return std::string(reinterpret_cast<const char*>(&address), length);
}

absl::StatusOr<int64_t> PositiveNumber(const char* variable,
                                       const std::string& value) {
  int64_t number = 0;
  if (!absl::SimpleAtoi(value, &number) || number <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(variable, "=", value, ": not a positive number"));
  }
  return number;
}

}  // namespace

SystemdNotifierOptions SystemdNotifierOptionsFromEnvironment() {
  SystemdNotifierOptions options;
  options.notify_socket = Getenv("NOTIFY_SOCKET");
  options.watchdog_usec = Getenv("WATCHDOG_USEC");
  options.watchdog_pid = Getenv("WATCHDOG_PID");
  return options;
}

absl::StatusOr<std::unique_ptr<SystemdNotifier>> SystemdNotifier::Create(
    SystemdNotifierOptions options) {
  auto notifier = std::unique_ptr<SystemdNotifier>(new SystemdNotifier);
  notifier->clock_ = options.clock;
  if (options.notify_socket.empty()) return notifier;

  absl::StatusOr<std::string> address = SocketAddress(options.notify_socket);
  if (!address.ok()) return address.status();
  bool watchdog_here = true;
  if (!options.watchdog_pid.empty()) {
    absl::StatusOr<int64_t> pid =
        PositiveNumber("WATCHDOG_PID", options.watchdog_pid);
    if (!pid.ok()) return pid.status();
    const pid_t self = options.pid != 0 ? options.pid : getpid();
    watchdog_here = *pid == self;
  }
  if (!options.watchdog_usec.empty()) {
    absl::StatusOr<int64_t> usec =
        PositiveNumber("WATCHDOG_USEC", options.watchdog_usec);
    if (!usec.ok()) return usec.status();
    if (watchdog_here) {
      notifier->watchdog_interval_ = absl::Microseconds(*usec) / 2;
    }
  }
  notifier->fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (notifier->fd_ < 0) {
    return absl::InternalError(
        absl::StrCat("NOTIFY_SOCKET: socket: ", std::strerror(errno)));
  }
  notifier->address_ = *std::move(address);
  notifier->socket_name_ = options.notify_socket;
  return notifier;
}

SystemdNotifier::~SystemdNotifier() {
  if (fd_ >= 0) close(fd_);
}

absl::Status SystemdNotifier::Notify(absl::string_view state) {
  if (fd_ < 0) return absl::OkStatus();
  ssize_t sent;
  do {
    sent = sendto(fd_, state.data(), state.size(), MSG_NOSIGNAL,
                  reinterpret_cast<const sockaddr*>(address_.data()),
                  static_cast<socklen_t>(address_.size()));
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) {
    return absl::UnavailableError(absl::StrCat(
        "notifying systemd at ", socket_name_, ": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

absl::Status SystemdNotifier::Ready(absl::string_view status) {
  return Notify(absl::StrCat("READY=1\nSTATUS=", status));
}

absl::Status SystemdNotifier::Stopping(absl::string_view status) {
  return Notify(absl::StrCat("STOPPING=1\nSTATUS=", status));
}

absl::Status SystemdNotifier::Tick() {
  if (fd_ < 0 || watchdog_interval_ == absl::ZeroDuration()) {
    return absl::OkStatus();
  }
  const absl::Time now = clock_->Now();
  {
    absl::MutexLock lock(&mu_);
    if (now - last_ping_ < watchdog_interval_) return absl::OkStatus();
    last_ping_ = now;
  }
  return Notify("WATCHDOG=1");
}

}  // namespace wasmhpc::server
