#include "server/sd_notify.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/test_files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wasmhpc::server {
namespace {

using ::testing::HasSubstr;

// The receiving end systemd would hold: a bound AF_UNIX datagram socket.
class NotifySocket {
 public:
  // Binds `name`: a path, or "@name" for the abstract namespace.
  explicit NotifySocket(std::string name) : name_(std::move(name)) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, name_.data(), name_.size());
    socklen_t length = offsetof(sockaddr_un, sun_path) + name_.size();
    if (name_[0] == '@') {
      address.sun_path[0] = '\0';
    } else {
      length += 1;
    }
    bound_ = fd_ >= 0 &&
             bind(fd_, reinterpret_cast<sockaddr*>(&address), length) == 0;
  }
  ~NotifySocket() {
    if (fd_ >= 0) close(fd_);
    if (name_[0] == '/') unlink(name_.c_str());
  }

  bool bound() const { return bound_; }
  const std::string& name() const { return name_; }

  // The next datagram, waiting up to `timeout_ms`; nullopt if none came.
  std::optional<std::string> Receive(int timeout_ms = 2000) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) != 1) return std::nullopt;
    char buffer[4096];
    ssize_t n = recv(fd_, buffer, sizeof(buffer), 0);
    if (n < 0) return std::nullopt;
    return std::string(buffer, n);
  }

 private:
  std::string name_;
  int fd_ = -1;
  bool bound_ = false;
};

class SystemdNotifierTest : public ::testing::Test {
 protected:
  std::unique_ptr<SystemdNotifier> Create(SystemdNotifierOptions options) {
    options.clock = &clock_;
    absl::StatusOr<std::unique_ptr<SystemdNotifier>> notifier =
        SystemdNotifier::Create(std::move(options));
    EXPECT_TRUE(notifier.ok()) << notifier.status();
    return notifier.ok() ? *std::move(notifier) : nullptr;
  }

  TempDir dir_{"sd_notify_test."};
  FakeClock clock_;
};

TEST_F(SystemdNotifierTest, WithoutSocketEverythingIsANoOp) {
  SystemdNotifierOptions options;
  options.watchdog_usec = "1000000";
  std::unique_ptr<SystemdNotifier> notifier = Create(options);
  ASSERT_NE(notifier, nullptr);
  EXPECT_FALSE(notifier->enabled());
  EXPECT_EQ(notifier->watchdog_interval(), absl::ZeroDuration());
  EXPECT_TRUE(notifier->Ready("serving").ok());
  EXPECT_TRUE(notifier->Tick().ok());
  EXPECT_TRUE(notifier->Stopping("bye").ok());
}

TEST_F(SystemdNotifierTest, ReadyThenWatchdogPingsEveryHalfTimeout) {
  NotifySocket listener(dir_.Path("notify"));
  ASSERT_TRUE(listener.bound());
  SystemdNotifierOptions options;
  options.notify_socket = listener.name();
  options.watchdog_usec = "2000000";
  std::unique_ptr<SystemdNotifier> notifier = Create(options);
  ASSERT_NE(notifier, nullptr);
  EXPECT_TRUE(notifier->enabled());
  EXPECT_EQ(notifier->watchdog_interval(), absl::Seconds(1));

  ASSERT_TRUE(notifier->Ready("serving gRPC on 127.0.0.1:7070").ok());
  EXPECT_EQ(listener.Receive(),
            "READY=1\nSTATUS=serving gRPC on 127.0.0.1:7070");
  ASSERT_TRUE(notifier->Tick().ok());
  EXPECT_EQ(listener.Receive(), "WATCHDOG=1");
  // Not due yet: nothing is sent.
  clock_.Advance(absl::Milliseconds(999));
  ASSERT_TRUE(notifier->Tick().ok());
  EXPECT_EQ(listener.Receive(100), std::nullopt);
  clock_.Advance(absl::Milliseconds(1));
  ASSERT_TRUE(notifier->Tick().ok());
  EXPECT_EQ(listener.Receive(), "WATCHDOG=1");
  ASSERT_TRUE(notifier->Stopping("signal 15").ok());
  EXPECT_EQ(listener.Receive(), "STOPPING=1\nSTATUS=signal 15");
}

TEST_F(SystemdNotifierTest, AbstractSocket) {
  NotifySocket listener(absl::StrCat("@wasmhpc-sd-notify-test-", getpid()));
  ASSERT_TRUE(listener.bound());
  SystemdNotifierOptions options;
  options.notify_socket = listener.name();
  std::unique_ptr<SystemdNotifier> notifier = Create(options);
  ASSERT_NE(notifier, nullptr);
  ASSERT_TRUE(notifier->Ready("up").ok());
  EXPECT_EQ(listener.Receive(), "READY=1\nSTATUS=up");
  // No WATCHDOG_USEC: ticks send nothing.
  ASSERT_TRUE(notifier->Tick().ok());
  EXPECT_EQ(listener.Receive(100), std::nullopt);
}

TEST_F(SystemdNotifierTest, WatchdogMeantForAnotherProcessIsOff) {
  NotifySocket listener(dir_.Path("notify"));
  ASSERT_TRUE(listener.bound());
  SystemdNotifierOptions options;
  options.notify_socket = listener.name();
  options.watchdog_usec = "1000000";
  options.pid = 4242;
  options.watchdog_pid = "4243";
  std::unique_ptr<SystemdNotifier> other = Create(options);
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(other->watchdog_interval(), absl::ZeroDuration());
  ASSERT_TRUE(other->Tick().ok());
  EXPECT_EQ(listener.Receive(100), std::nullopt);

  options.watchdog_pid = "4242";
  std::unique_ptr<SystemdNotifier> self = Create(options);
  ASSERT_NE(self, nullptr);
  EXPECT_EQ(self->watchdog_interval(), absl::Milliseconds(500));
  ASSERT_TRUE(self->Tick().ok());
  EXPECT_EQ(listener.Receive(), "WATCHDOG=1");
}

TEST_F(SystemdNotifierTest, BadSettingsAreRefusedByName) {
  struct Case {
    std::string socket, usec, pid, message;
  };
  const Case cases[] = {
      {"relative/notify", "", "", "NOTIFY_SOCKET=relative/notify"},
      {"/" + std::string(200, 'x'), "", "", "longer than 107 bytes"},
      {"/run/notify", "soon", "", "WATCHDOG_USEC=soon"},
      {"/run/notify", "0", "", "WATCHDOG_USEC=0"},
      {"/run/notify", "1000", "-3", "WATCHDOG_PID=-3"},
  };
  for (const Case& c : cases) {
    SystemdNotifierOptions options;
    options.notify_socket = c.socket;
    options.watchdog_usec = c.usec;
    options.watchdog_pid = c.pid;
    absl::StatusOr<std::unique_ptr<SystemdNotifier>> notifier =
        SystemdNotifier::Create(options);
    EXPECT_EQ(notifier.status().code(), absl::StatusCode::kInvalidArgument)
        << c.message;
    EXPECT_THAT(notifier.status().message(), HasSubstr(c.message));
  }
}

TEST_F(SystemdNotifierTest, SendToAMissingSocketIsReported) {
  SystemdNotifierOptions options;
  options.notify_socket = dir_.Path("nobody-listens");
  std::unique_ptr<SystemdNotifier> notifier = Create(options);
  ASSERT_NE(notifier, nullptr);
  absl::Status sent = notifier->Ready("up");
  EXPECT_EQ(sent.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(sent.message(), HasSubstr(options.notify_socket));
}

TEST(SystemdNotifierOptions, ReadFromTheEnvironment) {
  setenv("NOTIFY_SOCKET", "@sock", 1);
  setenv("WATCHDOG_USEC", "30000000", 1);
  unsetenv("WATCHDOG_PID");
  SystemdNotifierOptions options = SystemdNotifierOptionsFromEnvironment();
  EXPECT_EQ(options.notify_socket, "@sock");
  EXPECT_EQ(options.watchdog_usec, "30000000");
  EXPECT_EQ(options.watchdog_pid, "");
  unsetenv("NOTIFY_SOCKET");
  unsetenv("WATCHDOG_USEC");
}

}  // namespace
}  // namespace wasmhpc::server
