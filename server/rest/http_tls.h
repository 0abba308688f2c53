// HttpTls: the REST server's TLS context (OpenSSL), made once from the
// head's TLS material (ServerTls: --tls-cert, --tls-key, --tls-client-ca),
// and the TLS sessions of its connections.
//
// Clients: TLS 1.2 or later. With a client CA, a client may present a
// certificate, verified against it (one that does not verify fails the
// handshake); clients without one are still served, as over gRPC: a
// certificate grants no role, tokens do.
//
// Thread safety: an HttpTls is immutable once made and may make sessions
// from any thread; each TlsSession belongs to one thread at a time.
#ifndef WASMHPC_SERVER_REST_HTTP_TLS_H_
#define WASMHPC_SERVER_REST_HTTP_TLS_H_

#include <openssl/ssl.h>
#include <sys/types.h>

#include <memory>

#include "absl/status/statusor.h"
#include "server/auth/tls_config.h"

namespace wasmhpc::server {

// One connection's TLS session over a non-blocking socket it does not own.
// Every call returns at once; "again" results mean: poll the socket for
// wants() and call again.
class TlsSession {
 public:
  enum class Step { kDone, kAgain, kFailed };

  explicit TlsSession(SSL* ssl) : ssl_(ssl) {}
  ~TlsSession();
  TlsSession(const TlsSession&) = delete;
  TlsSession& operator=(const TlsSession&) = delete;

  // Advances the server handshake.
  Step Handshake();
  bool handshaken() const { return handshaken_; }
  // Decrypted bytes read: > 0 bytes, 0 the peer closed, -1 with errno
  // EAGAIN (again) or ECONNRESET (failed).
  ssize_t Read(char* data, size_t size);
  // Bytes written (some of `size`), or -1 with errno as for Read.
  ssize_t Write(const char* data, size_t size);
  // Bytes read from the socket but not yet returned by Read (poll would not
  // report them).
  bool buffered() const { return SSL_has_pending(ssl_) == 1; }
  // POLLIN or POLLOUT: what the last "again" waits for.
  short wants() const { return wants_; }
  // Sends close_notify (best effort, once).
  void Close();

 private:
  // Maps an OpenSSL result `rc` of a call to kDone/kAgain/kFailed.
  Step Classify(int rc);

  SSL* ssl_;
  bool handshaken_ = false;
  bool closed_ = false;
  short wants_ = 0x001;  // POLLIN
};

class HttpTls {
 public:
  // InvalidArgument when OpenSSL refuses the material (it was checked by
  // LoadServerTls already, so this names what OpenSSL said).
  static absl::StatusOr<std::shared_ptr<const HttpTls>> Create(
      const ServerTls& tls);
  ~HttpTls();

  // A session for accepted socket `fd`, or null when OpenSSL is out of
  // memory.
  std::unique_ptr<TlsSession> NewSession(int fd) const;

 private:
  explicit HttpTls(SSL_CTX* context) : context_(context) {}
  SSL_CTX* context_;
};

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_REST_HTTP_TLS_H_
