// The pool's control plane off MPI: protobuf messages (control.proto)
// between the controller (pool rank 0) and each executor over one TCP
// connection per executor, so that while a job runs the guest's thread is
// the only caller of the host MPI (initialized MPI_THREAD_SINGLE).
//
// Set-up (pool start, every rank, over the host MPI, which is trusted):
//  1. Rank 0 listens on an ephemeral TCP port of every interface
//     (ControlListener::Listen) and broadcasts its addresses and a random
//     secret (MPI_Bcast on MPI_COMM_WORLD; see main.cc).
//  2. Each executor connects (ConnectToController) and sends its hello: its
//     rank and the secret. Rank 0 accepts (AcceptExecutors) until every rank
//     1..N-1 has said hello, then closes the listener: no port stays open.
//     A connection whose hello is wrong, late or a duplicate is closed.
//
// Framing: a 4-byte little-endian length, then the serialized message.
// Messages from one sender arrive in order (TCP). A frame longer than
// kMaxControlMessageBytes is refused (DataLoss) and the connection is
// unusable after it.
//
// Waiting costs no CPU: receivers block in poll(2), never spin, so an idle
// pool sleeps.
#ifndef WASMHPC_WORKER_POOL_CONTROL_SOCKET_H_
#define WASMHPC_WORKER_POOL_CONTROL_SOCKET_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "google/protobuf/message_lite.h"

namespace wasmhpc::pool {

// Modules with their compiled code travel on this plane (NeedModule's
// answer), so the bound is generous; bigger messages fail to send.
inline constexpr uint64_t kMaxControlMessageBytes = uint64_t{1} << 31;

// One end of a control connection. Owns its socket.
// Thread safety: Send may be called from several threads (serialized
// inside); Receive/TryReceive from one thread at a time.
class ControlConnection {
 public:
  explicit ControlConnection(int fd);
  ~ControlConnection();  // Closes the socket.
  ControlConnection(const ControlConnection&) = delete;
  ControlConnection& operator=(const ControlConnection&) = delete;

  int fd() const { return fd_; }

  // Writes the whole frame (blocking until the kernel took it). Errors:
  // InvalidArgument for a message over kMaxControlMessageBytes,
  // Unavailable when the peer is gone (EPIPE/ECONNRESET; no SIGPIPE).
  absl::Status Send(const google::protobuf::MessageLite& message);

  // Waits up to `timeout` (absl::InfiniteDuration(): no limit) for a whole
  // message. True with `message` filled; false when the time passed first.
  // Errors: Unavailable "closed" when the peer closed the connection (also
  // mid-frame), DataLoss for an oversized frame or bytes that do not parse.
  absl::StatusOr<bool> Receive(google::protobuf::MessageLite* message,
                               absl::Duration timeout);

  // Reads what the socket holds without waiting and returns the next whole
  // message if there is one (Receive with a zero timeout).
  absl::StatusOr<bool> TryReceive(google::protobuf::MessageLite* message) {
    return Receive(message, absl::ZeroDuration());
  }

 private:
  // Blocks in poll(2) up to `timeout`, then moves the bytes the socket
  // holds into in_; Unavailable on EOF.
  absl::Status Fill(absl::Duration timeout, bool* got_bytes);
  // Parses a whole frame from in_ if there is one.
  absl::StatusOr<bool> TakeFrame(google::protobuf::MessageLite* message);

  int fd_;
  absl::Mutex send_mu_;
  std::string in_;  // bytes read, not yet taken as frames
};

// Rank 0's listening socket for the executors' connections.
class ControlListener {
 public:
  // Listens on an ephemeral TCP port on every IPv4 interface.
  static absl::StatusOr<std::unique_ptr<ControlListener>> Listen();
  ~ControlListener();  // Closes the listening socket.

  // Where executors may connect: "ip:port" for every up IPv4 interface,
  // non-loopback first, 127.0.0.1 last, joined with ','.
  std::string Addresses() const;

  // Accepts connections until ranks 1..world_size-1 have each sent a valid
  // hello carrying `secret`; returns them indexed by rank (index 0 empty).
  // Connections with a wrong secret, a bad or repeated rank, or no hello
  // within a second are closed and do not count. DeadlineExceeded naming
  // the missing ranks when `timeout` passes first.
  absl::StatusOr<std::vector<std::unique_ptr<ControlConnection>>>
  AcceptExecutors(int world_size, const std::string& secret,
                  absl::Duration timeout);

 private:
  ControlListener(int fd, int port) : fd_(fd), port_(port) {}
  int fd_;
  int port_;
};

// An executor's connection: tries each address of `addresses` (as
// Addresses() writes them) in order until one connects within `timeout`
// overall, then sends the hello (`rank`, `secret`). Unavailable naming the
// addresses tried when none connects.
absl::StatusOr<std::unique_ptr<ControlConnection>> ConnectToController(
    const std::string& addresses, int rank, const std::string& secret,
    absl::Duration timeout);

// A random secret for one pool's set-up (32 bytes from the OS, hex).
std::string NewControlSecret();

// Blocks in poll(2) until one of `fds` is readable (or has hung up), or
// `timeout` passes. Returns the indexes of the ready ones (empty on
// timeout). EINTR is retried.
std::vector<size_t> WaitReadable(const std::vector<int>& fds,
                                 absl::Duration timeout);

}  // namespace wasmhpc::pool

#endif  // WASMHPC_WORKER_POOL_CONTROL_SOCKET_H_
