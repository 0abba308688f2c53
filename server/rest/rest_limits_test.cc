// The REST server's input limits over raw loopback sockets (issue 15, item
// 4): bodies refused before they are read (size, route, token, framing,
// encoding), chunked bodies cut at their route's limit, slow and idle
// clients that hold no worker, a cap on connections, request heads bounded
// in size and time, keep-alive still working. Each test runs over plain HTTP
// and over TLS (issue 15, item 2), with a CA made at test time.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "proto/test_certs.h"
#include "server/rest/rest_test_fixture.h"

namespace wasmhpc::server {
namespace {

using ::testing::HasSubstr;

// A raw client connection, over TLS when given a client context (then
// connected() says the handshake succeeded); closed on destruction.
class Socket {
 public:
  Socket(int port, SSL_CTX* tls) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address),
                           sizeof(address)) == 0;
    if (connected_ && tls != nullptr) connected_ = Handshake(tls);
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
  }
  ~Socket() {
    SSL_free(ssl_);
    ::close(fd_);
  }
  bool connected() const { return connected_; }

  // False once the server stopped taking bytes (closed, reset).
  bool Send(const std::string& data) {
    size_t sent = 0;
    while (sent < data.size()) {
      const ssize_t n = SendSome(data.data() + sent, data.size() - sent);
      if (n < 0 && errno == EAGAIN) {
        pollfd p{fd_, wants_, 0};
        if (::poll(&p, 1, 5000) <= 0) return false;
        continue;
      }
      if (n <= 0) return false;
      sent += n;
    }
    return true;
  }

  // The next answer's status and text (head and Content-Length body); 0 if
  // none came within `timeout`.
  std::pair<int, std::string> Answer(absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    for (;;) {
      const size_t head = in_.find("\r\n\r\n");
      if (head != std::string::npos) {
        size_t length = 0;
        const size_t at = in_.find("Content-Length: ");
        if (at != std::string::npos && at < head) {
          (void)absl::SimpleAtoi(
              in_.substr(at + 16, in_.find("\r\n", at) - at - 16), &length);
        }
        if (in_.size() >= head + 4 + length) {
          std::string answer = in_.substr(0, head + 4 + length);
          in_.erase(0, head + 4 + length);
          int status = 0;
          (void)absl::SimpleAtoi(answer.substr(9, 3), &status);
          return {status, answer};
        }
      }
      char data[65536];
      const ssize_t n = RecvSome(data, sizeof(data));
      if (n > 0) {
        in_.append(data, n);
        continue;
      }
      if (n == 0 || errno != EAGAIN) return {0, in_};
      const absl::Duration left = deadline - absl::Now();
      pollfd p{fd_, wants_, 0};
      if (left <= absl::ZeroDuration() ||
          ::poll(&p, 1, absl::ToInt64Milliseconds(left) + 1) <= 0) {
        return {0, in_};
      }
    }
  }

  // True when the server closes the connection within `timeout` (what it
  // sends first is dropped).
  bool ClosedWithin(absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    for (;;) {
      char data[4096];
      const ssize_t n = ::recv(fd_, data, sizeof(data), 0);
      if (n == 0 || (n < 0 && errno != EAGAIN)) return true;
      if (n > 0) continue;
      const absl::Duration left = deadline - absl::Now();
      pollfd p{fd_, POLLIN, 0};
      if (left <= absl::ZeroDuration() ||
          ::poll(&p, 1, absl::ToInt64Milliseconds(left) + 1) < 0) {
        return false;
      }
    }
  }

 private:
  // A blocking handshake (at most 5 s) that checks the server's certificate
  // for 127.0.0.1 against the context's CA.
  bool Handshake(SSL_CTX* tls) {
    timeval timeout{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    ssl_ = SSL_new(tls);
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), "127.0.0.1");
    SSL_set_fd(ssl_, fd_);
    return SSL_connect(ssl_) == 1;
  }
  // As recv/send: -1 with errno EAGAIN when wants_ must be polled first.
  ssize_t RecvSome(char* data, size_t size) {
    wants_ = POLLIN;
    if (ssl_ == nullptr) return ::recv(fd_, data, size, 0);
    return SslResult(SSL_read(ssl_, data, static_cast<int>(size)));
  }
  ssize_t SendSome(const char* data, size_t size) {
    wants_ = POLLOUT;
    if (ssl_ == nullptr) return ::send(fd_, data, size, MSG_NOSIGNAL);
    return SslResult(SSL_write(ssl_, data, static_cast<int>(size)));
  }
  ssize_t SslResult(int rc) {
    if (rc > 0) return rc;
    const int error = SSL_get_error(ssl_, rc);
    if (error == SSL_ERROR_ZERO_RETURN) return 0;
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
      wants_ = error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
      errno = EAGAIN;
    } else {
      errno = ECONNRESET;
    }
    return -1;
  }

  int fd_;
  SSL* ssl_ = nullptr;
  short wants_ = POLLIN;
  bool connected_ = false;
  std::string in_;
};

// A CA, a server certificate it signs for 127.0.0.1, and contexts for a
// client that trusts the CA, with and without a client certificate.
class TestTls {
 public:
  TestTls()
      : ca_(testing::MakeTestCa("rest test CA")),
        server_(testing::MakeTestLeaf(ca_, "head")),
        client_cert_(testing::MakeTestLeaf(ca_, "client")) {
    material_.cert_chain = server_.cert_pem;
    material_.private_key = server_.key_pem;
    client_ = ClientContext(ca_.cert_pem, nullptr);
    with_cert_ = ClientContext(ca_.cert_pem, &client_cert_);
    const testing::TestCert other_ca = testing::MakeTestCa("other CA");
    const testing::TestCert rogue = testing::MakeTestLeaf(other_ca, "rogue");
    with_rogue_cert_ = ClientContext(ca_.cert_pem, &rogue);
  }
  ~TestTls() {
    SSL_CTX_free(client_);
    SSL_CTX_free(with_cert_);
    SSL_CTX_free(with_rogue_cert_);
  }
  // The server's material; with the CA as client CA when `verify_clients`.
  const ServerTls* server(bool verify_clients) {
    material_.client_ca = verify_clients ? ca_.cert_pem : "";
    return &material_;
  }
  SSL_CTX* client() const { return client_; }
  SSL_CTX* with_cert() const { return with_cert_; }
  SSL_CTX* with_rogue_cert() const { return with_rogue_cert_; }

 private:
  static SSL_CTX* ClientContext(const std::string& ca_pem,
                                const testing::TestCert* cert) {
    SSL_CTX* context = SSL_CTX_new(TLS_client_method());
    BIO* bio = BIO_new_mem_buf(ca_pem.data(), static_cast<int>(ca_pem.size()));
    X509* ca = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    X509_STORE_add_cert(SSL_CTX_get_cert_store(context), ca);
    X509_free(ca);
    BIO_free(bio);
    SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
    if (cert != nullptr) {
      bio = BIO_new_mem_buf(cert->cert_pem.data(),
                            static_cast<int>(cert->cert_pem.size()));
      X509* x509 = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
      SSL_CTX_use_certificate(context, x509);
      X509_free(x509);
      BIO_free(bio);
      bio = BIO_new_mem_buf(cert->key_pem.data(),
                            static_cast<int>(cert->key_pem.size()));
      EVP_PKEY* key = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
      SSL_CTX_use_PrivateKey(context, key);
      EVP_PKEY_free(key);
      BIO_free(bio);
    }
    return context;
  }

  testing::TestCert ca_, server_, client_cert_;
  ServerTls material_;
  SSL_CTX* client_ = nullptr;
  SSL_CTX* with_cert_ = nullptr;
  SSL_CTX* with_rogue_cert_ = nullptr;
};

// The most resident memory this process had, in bytes (VmHWM).
int64_t PeakRss() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) {
      int64_t kib = 0;
      (void)absl::SimpleAtoi(
          absl::StripAsciiWhitespace(line.substr(6, line.size() - 9)), &kib);
      return kib * 1024;
    }
  }
  return 0;
}

// `bytes` zeros, gzip-compressed (a compression bomb: about 1000:1).
std::string GzipZeros(size_t bytes) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 9, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY), Z_OK);
  const std::string zeros(1 << 20, '\0');
  std::string out;
  char buffer[65536];
  for (size_t left = bytes; left > 0 || z.avail_in > 0;) {
    if (z.avail_in == 0) {
      const size_t n = std::min(left, zeros.size());
      z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(zeros.data()));
      z.avail_in = n;
      left -= n;
    }
    do {
      z.next_out = reinterpret_cast<Bytef*>(buffer);
      z.avail_out = sizeof(buffer);
      deflate(&z, left == 0 ? Z_FINISH : Z_NO_FLUSH);
      out.append(buffer, sizeof(buffer) - z.avail_out);
    } while (z.avail_out == 0);
  }
  deflateEnd(&z);
  return out;
}

std::string Head(const std::string& request_line,
                 const std::vector<std::string>& headers) {
  std::string head = absl::StrCat(request_line, " HTTP/1.1\r\nHost: x\r\n");
  for (const std::string& header : headers)
    absl::StrAppend(&head, header, "\r\n");
  return head + "\r\n";
}

// The parameter: over TLS.
class RestLimitsTest : public RestTest,
                       public ::testing::WithParamInterface<bool> {
 protected:
  RestLimitsTest() {
    if (GetParam()) {  // The fixture's server, over TLS.
      server_->Shutdown();
      server_ = Start(&no_auth_);
    }
  }
  // The client context of this test's Sockets (null: plain).
  SSL_CTX* tls() const { return GetParam() ? tls_.client() : nullptr; }

  std::unique_ptr<RestServer> Start(
      const TokenAuth* auth,
      const std::function<void(RestServerOptions&)>& tweak = nullptr) {
    RestServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.poll = absl::Milliseconds(20);
    options.modules = head_->modules.get();
    options.jobs = head_->jobs.get();
    options.pools = head_->pools.get();
    options.scheduler = head_->scheduler.get();
    options.auth = auth;
    if (GetParam()) options.tls = tls_.server(false);
    if (tweak) tweak(options);
    absl::StatusOr<std::unique_ptr<RestServer>> server =
        RestServer::Start(options);
    EXPECT_TRUE(server.ok()) << server.status();
    return *std::move(server);
  }

  TestTls tls_;
};

INSTANTIATE_TEST_SUITE_P(Http, RestLimitsTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Tls" : "Plain";
                         });

// --- Bodies refused before they are read ------------------------------------

TEST_P(RestLimitsTest, OversizedBodiesAreRefusedBeforeTheyAreSent) {
  struct Case {
    std::string request_line;
    int status;
  };
  for (const Case& c : std::vector<Case>{
           {"POST /v1/jobs", 413},            // Over the JSON limit.
           {"POST /v1/modules", 413},         // Over the upload limit.
           {"PUT /v1/jobs", 404},             // No such route.
           {"GET /healthz", 413},             // Takes no body.
           {"POST /v1/pools/p/resume", 413},  // Takes no body.
       }) {
    Socket socket(server_->port(), tls());
    ASSERT_TRUE(socket.Send(
        Head(c.request_line, {"Content-Length: 1073741824"})));  // 1 GiB.
    // Only the head was sent: the answer comes without the body.
    auto [status, text] = socket.Answer(absl::Seconds(3));
    EXPECT_EQ(status, c.status) << c.request_line << "\n" << text;
    EXPECT_THAT(text, HasSubstr("Connection: close")) << c.request_line;
  }
}

TEST_P(RestLimitsTest, ChunkedBodyIsCutAtTheLimitWithoutBeingBuffered) {
  Socket socket(server_->port(), tls());
  ASSERT_TRUE(
      socket.Send(Head("POST /v1/jobs", {"Transfer-Encoding: chunked",
                                         "Content-Type: application/json"})));
  const std::string chunk =
      absl::StrCat("100000\r\n", std::string(1 << 20, ' '),
                   "\r\n");  // 1 MiB chunks.
  const int64_t before = PeakRss();
  int sent = 0;
  while (sent < 256 && socket.Send(chunk)) ++sent;  // Up to 256 MiB.
  auto [status, text] = socket.Answer(absl::Seconds(5));
  EXPECT_EQ(status, 413) << text;
  EXPECT_LT(sent, 64) << "the server kept reading";
  EXPECT_LT(PeakRss() - before, int64_t{32} << 20);
}

TEST_P(RestLimitsTest, CompressedBodyIsRefusedNotInflated) {
  const std::string bomb = GzipZeros(size_t{256} << 20);  // 256 MiB inflated.
  const int64_t before = PeakRss();
  for (const std::string coding : {"gzip", "deflate", "br", "x-gzip"}) {
    Socket socket(server_->port(), tls());
    ASSERT_TRUE(socket.Send(
        Head("POST /v1/jobs", {absl::StrCat("Content-Length: ", bomb.size()),
                               "Content-Type: application/json",
                               absl::StrCat("Content-Encoding: ", coding)})));
    socket.Send(bomb);
    auto [status, text] = socket.Answer(absl::Seconds(5));
    EXPECT_EQ(status, 415) << coding << "\n" << text;
    EXPECT_THAT(text, HasSubstr("send the body uncompressed"));
  }
  EXPECT_LT(PeakRss() - before, int64_t{32} << 20);
}

TEST_P(RestLimitsTest, AmbiguousFramingIsRefused) {
  const std::vector<std::vector<std::string>> heads = {
      {"Content-Length: 2", "Content-Length: 20"},
      {"Content-Length: 2", "Content-Length: 2"},
      {"Content-Length: 2", "Transfer-Encoding: chunked"},
      {"Content-Length: +2"},
      {"Content-Length: 2, 2"},
      {"Transfer-Encoding: gzip, chunked"},
  };
  for (const auto& headers : heads) {
    Socket socket(server_->port(), tls());
    ASSERT_TRUE(socket.Send(Head("POST /v1/jobs", headers) + "{}"));
    auto [status, text] = socket.Answer(absl::Seconds(3));
    EXPECT_TRUE(status == 400 || status == 501) << headers[0] << "\n" << text;
  }
}

TEST_P(RestLimitsTest, UnauthenticatedBodyIsRefusedBeforeItIsRead) {
  absl::StatusOr<TokenAuth> auth = TokenAuth::FromText("s3cret\n");
  ASSERT_TRUE(auth.ok());
  std::unique_ptr<RestServer> server = Start(&*auth);
  for (const std::string line : {"POST /v1/jobs", "POST /v1/modules"}) {
    Socket socket(server->port(), tls());
    // A body within the route's limit, never sent.
    ASSERT_TRUE(socket.Send(Head(line, {"Content-Length: 500000"})));
    auto [status, text] = socket.Answer(absl::Seconds(3));
    EXPECT_EQ(status, 401) << line << "\n" << text;
    EXPECT_THAT(text, HasSubstr("WWW-Authenticate: Bearer"));
  }
  // With the token, the same head waits for its body.
  Socket socket(server->port(), tls());
  ASSERT_TRUE(socket.Send(Head(
      "POST /v1/jobs", {"Content-Length: 2", "Authorization: Bearer s3cret"})));
  EXPECT_EQ(socket.Answer(absl::Milliseconds(300)).first, 0);
  ASSERT_TRUE(socket.Send("{}"));
  EXPECT_EQ(socket.Answer(absl::Seconds(3)).first, 400);  // No spec.
  server->Shutdown();
}

TEST_P(RestLimitsTest, PostWithoutLengthHasAnEmptyBody) {
  // curl -X POST sends neither Content-Length nor Transfer-Encoding.
  Socket socket(server_->port(), tls());
  ASSERT_TRUE(socket.Send(Head("POST /v1/pools/nope/resume", {})));
  auto [status, text] = socket.Answer(absl::Seconds(2));
  EXPECT_EQ(status, 404) << text;
  EXPECT_THAT(text, HasSubstr("nope"));
}

// --- Slow, idle and too many clients -----------------------------------------

TEST_P(RestLimitsTest, SlowClientsDoNotStarveHealthz) {
  std::unique_ptr<RestServer> server =
      Start(&no_auth_, [](RestServerOptions& o) { o.threads = 4; });
  std::vector<std::unique_ptr<Socket>> slow;
  for (int i = 0; i < 40; ++i) {
    slow.push_back(std::make_unique<Socket>(server->port(), tls()));
    ASSERT_TRUE(slow.back()->connected());
    if (i % 2 == 0) {
      ASSERT_TRUE(slow.back()->Send("GET /healthz HTTP/1.1\r\nHo"));
    }
  }
  for (int round = 0; round < 3; ++round) {
    for (auto& socket : slow) socket->Send("s");  // A byte at a time.
    const absl::Time start = absl::Now();
    Socket probe(server->port(), tls());
    ASSERT_TRUE(probe.Send(Head("GET /healthz", {})));
    auto [status, text] = probe.Answer(absl::Seconds(2));
    EXPECT_EQ(status, 200) << text;
    EXPECT_LT(absl::Now() - start, absl::Seconds(1));
  }
  server->Shutdown();
}

TEST_P(RestLimitsTest, HeadsAreBoundedInTimeAndSize) {
  std::unique_ptr<RestServer> server =
      Start(&no_auth_, [](RestServerOptions& o) {
        o.header_timeout = absl::Milliseconds(300);
        o.max_header_bytes = 4096;
      });
  Socket slow(server->port(), tls());
  ASSERT_TRUE(slow.Send("GET /healthz HTTP/1.1\r\n"));
  auto [status, text] = slow.Answer(absl::Seconds(3));
  EXPECT_EQ(status, 408) << text;

  Socket big(server->port(), tls());
  big.Send(
      absl::StrCat("GET /healthz HTTP/1.1\r\nX: ", std::string(8192, 'a')));
  std::tie(status, text) = big.Answer(absl::Seconds(3));
  EXPECT_EQ(status, 431) << text;
  server->Shutdown();
}

TEST_P(RestLimitsTest, ConnectionsOverTheLimitAreRefusedAtOnce) {
  std::unique_ptr<RestServer> server =
      Start(&no_auth_, [](RestServerOptions& o) { o.max_connections = 8; });
  std::vector<std::unique_ptr<Socket>> idle;
  for (int i = 0; i < 8; ++i) {
    idle.push_back(std::make_unique<Socket>(server->port(), tls()));
  }
  // The server has accepted all eight once one of them is served.
  ASSERT_TRUE(idle[0]->Send(Head("GET /healthz", {})));
  ASSERT_EQ(idle[0]->Answer(absl::Seconds(2)).first, 200);
  Socket extra(server->port(), tls());
  if (GetParam()) {
    // No handshake to answer in: the connection is closed at once.
    EXPECT_FALSE(extra.connected());
  } else {
    auto [status, text] = extra.Answer(absl::Seconds(2));
    EXPECT_EQ(status, 503) << text;
    EXPECT_THAT(text, HasSubstr("too many connections"));
  }
  // Once one closes, a new one is served.
  idle.pop_back();
  const absl::Time deadline = absl::Now() + absl::Seconds(3);
  int served = 0;
  while (served != 200 && absl::Now() < deadline) {
    Socket next(server->port(), tls());
    next.Send(Head("GET /healthz", {}));
    served = next.Answer(absl::Seconds(1)).first;
  }
  EXPECT_EQ(served, 200);
  server->Shutdown();
}

TEST_P(RestLimitsTest, KeepAliveAndPipeliningStillWork) {
  Socket socket(server_->port(), tls());
  ASSERT_TRUE(
      socket.Send(Head("GET /healthz", {}) + Head("GET /healthz", {}) +
                  Head("POST /v1/pools/nope/drain", {"Content-Length: 2"}) +
                  "{}" + Head("GET /healthz", {})));
  for (int expected : {200, 200, 404, 200}) {
    auto [status, text] = socket.Answer(absl::Seconds(2));
    EXPECT_EQ(status, expected) << text;
  }
}

}  // namespace
}  // namespace wasmhpc::server

namespace wasmhpc::server {
namespace {

// --- TLS only ----------------------------------------------------------------

class RestTlsTest : public RestLimitsTest {};

INSTANTIATE_TEST_SUITE_P(Https, RestTlsTest, ::testing::Values(true),
                         [](const ::testing::TestParamInfo<bool>&) {
                           return "Tls";
                         });

TEST_P(RestTlsTest, SlowHandshakesHoldNoWorker) {
  std::unique_ptr<RestServer> server =
      Start(&no_auth_, [](RestServerOptions& o) {
        o.threads = 1;
        o.header_timeout = absl::Seconds(1);
      });
  // Handshake records announced (512 bytes) and sent a byte at a time.
  std::vector<std::unique_ptr<Socket>> slow;
  for (int i = 0; i < 20; ++i) {
    slow.push_back(std::make_unique<Socket>(server->port(), nullptr));
    ASSERT_TRUE(slow.back()->Send(std::string("\x16\x03\x01\x02\x00", 5)));
  }
  for (int round = 0; round < 3; ++round) {
    for (auto& socket : slow) socket->Send("s");
    const absl::Time start = absl::Now();
    Socket probe(server->port(), tls());
    ASSERT_TRUE(probe.connected());
    ASSERT_TRUE(probe.Send(Head("GET /healthz", {})));
    EXPECT_EQ(probe.Answer(absl::Seconds(2)).first, 200);
    EXPECT_LT(absl::Now() - start, absl::Seconds(1));
  }
  // Unfinished handshakes end at header_timeout: the server closes them.
  for (auto& socket : slow) EXPECT_TRUE(socket->ClosedWithin(absl::Seconds(3)));
  server->Shutdown();
}

TEST_P(RestTlsTest, PlainHttpToTheTlsPortGetsNoAnswer) {
  Socket plain(server_->port(), nullptr);
  ASSERT_TRUE(plain.Send(Head("GET /healthz", {})));
  auto [status, text] = plain.Answer(absl::Seconds(3));
  EXPECT_EQ(status, 0);
  EXPECT_THAT(text, ::testing::Not(HasSubstr("HTTP/1.1 200")));
  EXPECT_TRUE(plain.ClosedWithin(absl::Seconds(3)));
}

TEST_P(RestTlsTest, ClientCertificatesAreVerifiedWhenPresented) {
  std::unique_ptr<RestServer> server = Start(
      &no_auth_, [this](RestServerOptions& o) { o.tls = tls_.server(true); });
  for (SSL_CTX* good : {tls_.client(), tls_.with_cert()}) {
    Socket socket(server->port(), good);
    ASSERT_TRUE(socket.connected());
    ASSERT_TRUE(socket.Send(Head("GET /healthz", {})));
    EXPECT_EQ(socket.Answer(absl::Seconds(2)).first, 200);
  }
  Socket rogue(server->port(), tls_.with_rogue_cert());
  // TLS 1.3: the server's verdict on the client's certificate comes after
  // the client's handshake ends, as an alert instead of an answer.
  if (rogue.connected()) {
    rogue.Send(Head("GET /healthz", {}));
    EXPECT_EQ(rogue.Answer(absl::Seconds(2)).first, 0);
  }
  server->Shutdown();
}

TEST_P(RestTlsTest, AClientThatDoesNotTrustTheServerCannotConnect) {
  SSL_CTX* stranger = SSL_CTX_new(TLS_client_method());
  SSL_CTX_set_verify(stranger, SSL_VERIFY_PEER, nullptr);  // No CA.
  {
    Socket socket(server_->port(), stranger);
    EXPECT_FALSE(socket.connected());
  }
  SSL_CTX_free(stranger);
}

}  // namespace
}  // namespace wasmhpc::server
