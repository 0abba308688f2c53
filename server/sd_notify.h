// SystemdNotifier: systemd's service notification protocol (sd_notify(3))
// spoken directly, without libsystemd: one AF_UNIX datagram per state
// change, sent to the socket named by $NOTIFY_SOCKET (a path, or "@name"
// for an abstract socket). Without a socket every method does nothing and
// succeeds, so the head runs the same under systemd, a shell or Kubernetes.
//
// The head uses it for a unit with Type=notify and WatchdogSec=:
//   Ready("...")   once gRPC (and REST, when on) accept calls: READY=1
//   Tick()         from the loop that checks job timeouts, every ~100 ms:
//                  WATCHDOG=1 when half of $WATCHDOG_USEC has passed since
//                  the last ping. A loop that stops turning (a deadlock on
//                  the scheduler's lock) stops the pings, and systemd
//                  restarts the head after WatchdogSec.
//   Stopping("...") when a signal starts the shutdown: STOPPING=1
//
// The watchdog is on when $WATCHDOG_USEC is set and $WATCHDOG_PID is unset
// or this process's id (as sd_watchdog_enabled(3) decides).
//
// Thread safety: all methods may be called from any thread.
#ifndef WASMHPC_SERVER_SD_NOTIFY_H_
#define WASMHPC_SERVER_SD_NOTIFY_H_

#include <sys/types.h>

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"

namespace wasmhpc::server {

struct SystemdNotifierOptions {
  // $NOTIFY_SOCKET: an absolute path or "@name" (abstract namespace).
  // Default: empty, which turns the notifier off.
  std::string notify_socket;
  // $WATCHDOG_USEC: the watchdog timeout in microseconds, decimal.
  // Default: empty (no watchdog pings).
  std::string watchdog_usec;
  // $WATCHDOG_PID: the process the watchdog is meant for, decimal.
  // Default: empty (this process).
  std::string watchdog_pid;
  // This process's id, compared with watchdog_pid. Default: 0 (getpid()).
  pid_t pid = 0;
  // Where Tick reads the time. Default: the system clock. Not owned.
  Clock* clock = RealClock();
};

// The options from $NOTIFY_SOCKET, $WATCHDOG_USEC and $WATCHDOG_PID.
SystemdNotifierOptions SystemdNotifierOptionsFromEnvironment();

class SystemdNotifier {
 public:
  // Opens the datagram socket when options.notify_socket is set.
  // InvalidArgument naming the variable for a socket name that is neither
  // an absolute path nor "@name" or is too long, or a WATCHDOG_USEC /
  // WATCHDOG_PID that is not a positive decimal number; Internal when no
  // socket can be created.
  static absl::StatusOr<std::unique_ptr<SystemdNotifier>> Create(
      SystemdNotifierOptions options);
  ~SystemdNotifier();

  SystemdNotifier(const SystemdNotifier&) = delete;
  SystemdNotifier& operator=(const SystemdNotifier&) = delete;

  // True when there is a socket to notify.
  bool enabled() const { return fd_ >= 0; }
  // How often Tick pings: half the watchdog timeout; zero without watchdog.
  absl::Duration watchdog_interval() const { return watchdog_interval_; }

  // Sends `state` ("KEY=VALUE" lines) as one datagram. OK without a
  // socket; Unavailable naming the socket when the send fails (no such
  // socket, nobody listening).
  absl::Status Notify(absl::string_view state);

  // READY=1 with STATUS=status.
  absl::Status Ready(absl::string_view status);
  // STOPPING=1 with STATUS=status.
  absl::Status Stopping(absl::string_view status);
  // WATCHDOG=1 if the watchdog is on and watchdog_interval() has passed
  // since the last ping (the first call always pings). OK when nothing
  // was due; the send's error otherwise.
  absl::Status Tick();

 private:
  SystemdNotifier() = default;

  int fd_ = -1;
  std::string address_;  // sockaddr_un bytes, ready for sendto
  std::string socket_name_;
  absl::Duration watchdog_interval_ = absl::ZeroDuration();
  Clock* clock_ = nullptr;
  absl::Mutex mu_;
  absl::Time last_ping_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_SD_NOTIFY_H_
