#include "server/rest/http_tls.h"

#include <errno.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <poll.h>
#include <signal.h>

#include <string>

#include "absl/strings/str_cat.h"

namespace wasmhpc::server {
namespace {

using BioPtr = std::unique_ptr<BIO, decltype(&BIO_free)>;

BioPtr MemoryBio(const std::string& pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())),
                &BIO_free);
}

// What OpenSSL said last (its error queue, cleared).
std::string OpenSslError() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  char text[256];
  ERR_error_string_n(code, text, sizeof(text));
  return text;
}

absl::Status Refused(absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("REST TLS: ", what, ": ", OpenSslError()));
}

// The first certificate of `pem` is the server's, the rest its chain.
absl::Status UseCertificateChain(SSL_CTX* context, const std::string& pem) {
  BioPtr bio = MemoryBio(pem);
  X509* leaf = PEM_read_bio_X509_AUX(bio.get(), nullptr, nullptr, nullptr);
  if (leaf == nullptr) return Refused("--tls-cert holds no certificate");
  const int used = SSL_CTX_use_certificate(context, leaf);
  X509_free(leaf);
  if (used != 1) return Refused("--tls-cert not usable");
  while (X509* link = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    if (SSL_CTX_add0_chain_cert(context, link) != 1) {
      X509_free(link);
      return Refused("--tls-cert chain not usable");
    }
  }
  ERR_clear_error();  // The end of the PEM text.
  return absl::OkStatus();
}

absl::Status UsePrivateKey(SSL_CTX* context, const std::string& pem) {
  BioPtr bio = MemoryBio(pem);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr);
  if (key == nullptr) return Refused("--tls-key holds no private key");
  const int used = SSL_CTX_use_PrivateKey(context, key);
  EVP_PKEY_free(key);
  if (used != 1 || SSL_CTX_check_private_key(context) != 1) {
    return Refused("--tls-key is not the key of --tls-cert");
  }
  return absl::OkStatus();
}

// Clients may present a certificate, which must verify against `pem`.
absl::Status VerifyClientsAgainst(SSL_CTX* context, const std::string& pem) {
  BioPtr bio = MemoryBio(pem);
  X509_STORE* store = SSL_CTX_get_cert_store(context);
  int count = 0;
  while (X509* ca = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    const bool added = X509_STORE_add_cert(store, ca) == 1 &&
                       SSL_CTX_add_client_CA(context, ca) == 1;
    X509_free(ca);
    if (!added) return Refused("--tls-client-ca not usable");
    ++count;
  }
  ERR_clear_error();
  if (count == 0) return Refused("--tls-client-ca holds no certificate");
  SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
  return absl::OkStatus();
}

}  // namespace

TlsSession::~TlsSession() { SSL_free(ssl_); }

TlsSession::Step TlsSession::Classify(int rc) {
  if (rc > 0) return Step::kDone;
  switch (SSL_get_error(ssl_, rc)) {
    case SSL_ERROR_WANT_READ:
      wants_ = POLLIN;
      return Step::kAgain;
    case SSL_ERROR_WANT_WRITE:
      wants_ = POLLOUT;
      return Step::kAgain;
    default:
      ERR_clear_error();
      return Step::kFailed;
  }
}

TlsSession::Step TlsSession::Handshake() {
  const Step step = Classify(SSL_accept(ssl_));
  handshaken_ = step == Step::kDone;
  return step;
}

ssize_t TlsSession::Read(char* data, size_t size) {
  const int rc = SSL_read(ssl_, data, static_cast<int>(size));
  if (rc > 0) return rc;
  if (SSL_get_error(ssl_, rc) == SSL_ERROR_ZERO_RETURN) return 0;
  errno = Classify(rc) == Step::kAgain ? EAGAIN : ECONNRESET;
  return -1;
}

ssize_t TlsSession::Write(const char* data, size_t size) {
  const int rc = SSL_write(ssl_, data, static_cast<int>(size));
  if (rc > 0) return rc;
  errno = Classify(rc) == Step::kAgain ? EAGAIN : ECONNRESET;
  return -1;
}

void TlsSession::Close() {
  if (closed_ || !handshaken_) return;
  closed_ = true;
  (void)SSL_shutdown(ssl_);
  ERR_clear_error();
}

absl::StatusOr<std::shared_ptr<const HttpTls>> HttpTls::Create(
    const ServerTls& tls) {
  // OpenSSL writes with write(2): a client that went away must not kill the
  // head with SIGPIPE.
  ::signal(SIGPIPE, SIG_IGN);
  SSL_CTX* context = SSL_CTX_new(TLS_server_method());
  if (context == nullptr) return Refused("cannot make a TLS context");
  std::shared_ptr<const HttpTls> made(new HttpTls(context));
  SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
  SSL_CTX_set_mode(context, SSL_MODE_ENABLE_PARTIAL_WRITE |
                                SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  absl::Status status = UseCertificateChain(context, tls.cert_chain);
  if (status.ok()) status = UsePrivateKey(context, tls.private_key);
  if (status.ok() && tls.verify_client_certificates()) {
    status = VerifyClientsAgainst(context, tls.client_ca);
  }
  if (!status.ok()) return status;
  return made;
}

HttpTls::~HttpTls() { SSL_CTX_free(context_); }

std::unique_ptr<TlsSession> HttpTls::NewSession(int fd) const {
  SSL* ssl = SSL_new(context_);
  if (ssl == nullptr) return nullptr;
  if (SSL_set_fd(ssl, fd) != 1) {
    SSL_free(ssl);
    return nullptr;
  }
  return std::make_unique<TlsSession>(ssl);
}

}  // namespace wasmhpc::server
