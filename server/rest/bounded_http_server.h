// BoundedHttpServer: an httplib::Server whose connections cannot exhaust the
// head: slow or idle clients hold no thread, request heads and bodies are
// capped in bytes and time, and open connections are capped in number.
//
// Execution model: httplib's accept thread hands each new connection to a
// waiting room (one poll() thread) unless `max_connections` are open, in
// which case it answers 503 and closes at once. The waiting room reads a
// request's head (request line and headers) without blocking; only when the
// head is complete does the connection go to one of `threads` workers, which
// serves that one request (body, route, answer) and gives the connection
// back to the waiting room for the next one (keep-alive). So a client that
// sends its head a byte at a time, or keeps a connection idle, costs a few
// bytes of buffer and no worker. A head incomplete after `header_timeout`
// gets 408, one over `max_header_bytes` 431, an idle connection is closed
// after `idle_timeout`.
//
// Bodies: from the end of the head, a request may read at most the bytes its
// route allows (LimitBody, default none) and each read waits at most
// `read_timeout`, the whole body at most `body_timeout`. A request with
// neither Content-Length nor Transfer-Encoding has an empty body (RFC 9112
// 6.3), it is never read to end-of-stream. A connection whose body was not
// read to its end (refused early, cut at a limit, chunked) is closed after
// the answer, lingering (reading and dropping at most 1 MiB for at most 2 s
// in the waiting room) so that the client reads the answer.
//
// TLS (optional, see HttpTls): the waiting room does each connection's
// handshake without blocking, bounded by header_timeout like a head; then
// requests are read and answered through the session, with the same limits.
//
// Thread safety: configure (routes, handlers) before listening; LimitBody,
// CloseAfterResponse and BodyError only on a worker, inside a handler;
// StopConnections from any thread after httplib::Server::stop().
#ifndef WASMHPC_SERVER_REST_BOUNDED_HTTP_SERVER_H_
#define WASMHPC_SERVER_REST_BOUNDED_HTTP_SERVER_H_

#include <httplib.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/rest/http_tls.h"

namespace wasmhpc::server {

struct HttpLimits {
  // Workers: requests served at once. Default: 32.
  int threads = 32;
  // Connections open at once (waiting, idle or served); more are answered
  // 503 and closed. Default: 512.
  int max_connections = 512;
  // Request line and headers, in bytes; more: 431. Default: 64 KiB.
  size_t max_header_bytes = size_t{64} << 10;
  // From a request's first byte to the end of its head; then 408.
  // Default: 10 s.
  absl::Duration header_timeout = absl::Seconds(10);
  // An idle connection (between requests) is closed after this. Default: 15 s.
  absl::Duration idle_timeout = absl::Seconds(15);
  // Requests on one connection; the last answer says Connection: close.
  // Default: 100.
  int keep_alive_max = 100;
  // Longest wait for the next body byte; then the request fails (408).
  // Default: 10 s.
  absl::Duration read_timeout = absl::Seconds(10);
  // Longest time to read a whole body, from the end of the head; then the
  // request fails (408). Default: 300 s.
  absl::Duration body_timeout = absl::Seconds(300);
  // Longest wait to write a piece of an answer; then the connection is
  // dropped. Default: 10 s.
  absl::Duration write_timeout = absl::Seconds(10);
};

class BoundedHttpServer : public httplib::Server {
 public:
  // With `tls`, every connection speaks TLS (the handshake is bounded like a
  // request head: header_timeout, in the waiting room; connections over
  // max_connections are closed without an answer).
  explicit BoundedHttpServer(HttpLimits limits,
                             std::shared_ptr<const HttpTls> tls = nullptr);
  // Calls StopConnections.
  ~BoundedHttpServer() override;

  // Closes waiting and idle connections, lets workers finish the requests
  // they serve, joins every thread. REQUIRES: stop() was called and
  // listen_after_bind has returned. Idempotent.
  void StopConnections();

  // After bind_to_port/bind_to_any_port: lets `max_connections` wait to be
  // accepted (httplib listens with a backlog of 5, so bursts of connections
  // would wait for SYN retries, 1 s and more).
  void RaiseListenBacklog();

  // Connections open now (for tests and metrics).
  int open_connections() const { return open_.load(); }

  // On a worker, for the request it serves: at most `bytes` raw body bytes
  // (chunked framing included) may be read from now on; a read past them
  // fails and BodyError says ResourceExhausted. No-op elsewhere.
  static void LimitBody(uint64_t bytes);
  // On a worker: close the connection after this answer (its body may be
  // unread). No-op elsewhere.
  static void CloseAfterResponse();
  // On a worker: why reading the body failed: ResourceExhausted (past
  // LimitBody, HTTP 413), DeadlineExceeded (read_timeout or body_timeout,
  // HTTP 408), Cancelled (the client went away); OK if it did not fail.
  static absl::Status BodyError();

 private:
  struct Connection;
  class ConnectionStream;

  // httplib's accept thread, for each accepted socket (see new_task_queue).
  bool process_and_close_socket(socket_t sock) override;
  // The stream of the request this thread serves; null off the workers.
  static thread_local ConnectionStream* current_;

  void Close(std::unique_ptr<Connection> connection);
  // Hands `connection` to the waiting room (from any thread).
  void Wait(std::unique_ptr<Connection> connection);
  void WaitingRoomLoop();
  // One readable connection in the waiting room: false when it is done
  // (closed, answered or handed to a worker).
  bool Advance(std::unique_ptr<Connection>& connection, absl::Time now);
  void WorkerLoop();
  // Serves one request of `connection`, then waits, lingers or closes it.
  void ServeOne(std::unique_ptr<Connection> connection);

  const HttpLimits limits_;
  const std::shared_ptr<const HttpTls> tls_;  // Null: plain HTTP.
  std::atomic<int> open_{0};
  std::atomic<bool> stopping_{false};
  int wake_fd_ = -1;  // eventfd: new connections for the waiting room.

  absl::Mutex mu_;
  std::vector<std::unique_ptr<Connection>> arrivals_ ABSL_GUARDED_BY(mu_);
  std::deque<std::unique_ptr<Connection>> ready_ ABSL_GUARDED_BY(mu_);

  std::thread waiting_room_;
  std::vector<std::thread> workers_;
};

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_REST_BOUNDED_HTTP_SERVER_H_
