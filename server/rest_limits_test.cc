// The REST server's input limits over raw loopback sockets (issue 15, item
// 4): bodies refused before they are read (size, route, token, framing,
// encoding), chunked bodies cut at their route's limit, slow and idle
// clients that hold no worker, a cap on connections, request heads bounded
// in size and time, keep-alive still working.
#include <arpa/inet.h>
#include <netinet/in.h>
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
#include "server/rest_test_fixture.h"

namespace wasmhpc::server {
namespace {

using ::testing::HasSubstr;

// A raw client connection; closed on destruction.
class Socket {
 public:
  explicit Socket(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address),
                           sizeof(address)) == 0;
  }
  ~Socket() { ::close(fd_); }
  bool connected() const { return connected_; }

  // False once the server stopped taking bytes (closed, reset).
  bool Send(const std::string& data) {
    size_t sent = 0;
    while (sent < data.size()) {
      pollfd p{fd_, POLLOUT, 0};
      if (::poll(&p, 1, 5000) <= 0) return false;
      const ssize_t n = ::send(fd_, data.data() + sent, data.size() - sent,
                               MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && errno == EAGAIN) continue;
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
      const absl::Duration left = deadline - absl::Now();
      pollfd p{fd_, POLLIN, 0};
      if (left <= absl::ZeroDuration() ||
          ::poll(&p, 1, absl::ToInt64Milliseconds(left) + 1) <= 0) {
        return {0, in_};
      }
      char data[65536];
      const ssize_t n = ::recv(fd_, data, sizeof(data), 0);
      if (n <= 0) return {0, in_};
      in_.append(data, n);
    }
  }

 private:
  int fd_;
  bool connected_ = false;
  std::string in_;
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

class RestLimitsTest : public RestTest {
 protected:
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
    if (tweak) tweak(options);
    absl::StatusOr<std::unique_ptr<RestServer>> server =
        RestServer::Start(options);
    EXPECT_TRUE(server.ok()) << server.status();
    return *std::move(server);
  }
};

// --- Bodies refused before they are read ------------------------------------

TEST_F(RestLimitsTest, OversizedBodiesAreRefusedBeforeTheyAreSent) {
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
    Socket socket(server_->port());
    ASSERT_TRUE(socket.Send(
        Head(c.request_line, {"Content-Length: 1073741824"})));  // 1 GiB.
    // Only the head was sent: the answer comes without the body.
    auto [status, text] = socket.Answer(absl::Seconds(3));
    EXPECT_EQ(status, c.status) << c.request_line << "\n" << text;
    EXPECT_THAT(text, HasSubstr("Connection: close")) << c.request_line;
  }
}

TEST_F(RestLimitsTest, ChunkedBodyIsCutAtTheLimitWithoutBeingBuffered) {
  Socket socket(server_->port());
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

TEST_F(RestLimitsTest, CompressedBodyIsRefusedNotInflated) {
  const std::string bomb = GzipZeros(size_t{256} << 20);  // 256 MiB inflated.
  const int64_t before = PeakRss();
  for (const std::string coding : {"gzip", "deflate", "br", "x-gzip"}) {
    Socket socket(server_->port());
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

TEST_F(RestLimitsTest, AmbiguousFramingIsRefused) {
  const std::vector<std::vector<std::string>> heads = {
      {"Content-Length: 2", "Content-Length: 20"},
      {"Content-Length: 2", "Content-Length: 2"},
      {"Content-Length: 2", "Transfer-Encoding: chunked"},
      {"Content-Length: +2"},
      {"Content-Length: 2, 2"},
      {"Transfer-Encoding: gzip, chunked"},
  };
  for (const auto& headers : heads) {
    Socket socket(server_->port());
    ASSERT_TRUE(socket.Send(Head("POST /v1/jobs", headers) + "{}"));
    auto [status, text] = socket.Answer(absl::Seconds(3));
    EXPECT_TRUE(status == 400 || status == 501) << headers[0] << "\n" << text;
  }
}

TEST_F(RestLimitsTest, UnauthenticatedBodyIsRefusedBeforeItIsRead) {
  absl::StatusOr<TokenAuth> auth = TokenAuth::FromText("s3cret\n");
  ASSERT_TRUE(auth.ok());
  std::unique_ptr<RestServer> server = Start(&*auth);
  for (const std::string line : {"POST /v1/jobs", "POST /v1/modules"}) {
    Socket socket(server->port());
    // A body within the route's limit, never sent.
    ASSERT_TRUE(socket.Send(Head(line, {"Content-Length: 500000"})));
    auto [status, text] = socket.Answer(absl::Seconds(3));
    EXPECT_EQ(status, 401) << line << "\n" << text;
    EXPECT_THAT(text, HasSubstr("WWW-Authenticate: Bearer"));
  }
  // With the token, the same head waits for its body.
  Socket socket(server->port());
  ASSERT_TRUE(socket.Send(Head(
      "POST /v1/jobs", {"Content-Length: 2", "Authorization: Bearer s3cret"})));
  EXPECT_EQ(socket.Answer(absl::Milliseconds(300)).first, 0);
  ASSERT_TRUE(socket.Send("{}"));
  EXPECT_EQ(socket.Answer(absl::Seconds(3)).first, 400);  // No spec.
  server->Shutdown();
}

TEST_F(RestLimitsTest, PostWithoutLengthHasAnEmptyBody) {
  // curl -X POST sends neither Content-Length nor Transfer-Encoding.
  Socket socket(server_->port());
  ASSERT_TRUE(socket.Send(Head("POST /v1/pools/nope/resume", {})));
  auto [status, text] = socket.Answer(absl::Seconds(2));
  EXPECT_EQ(status, 404) << text;
  EXPECT_THAT(text, HasSubstr("nope"));
}

// --- Slow, idle and too many clients -----------------------------------------

TEST_F(RestLimitsTest, SlowClientsDoNotStarveHealthz) {
  std::unique_ptr<RestServer> server =
      Start(&no_auth_, [](RestServerOptions& o) { o.threads = 4; });
  std::vector<std::unique_ptr<Socket>> slow;
  for (int i = 0; i < 40; ++i) {
    slow.push_back(std::make_unique<Socket>(server->port()));
    ASSERT_TRUE(slow.back()->connected());
    if (i % 2 == 0)
      ASSERT_TRUE(slow.back()->Send("GET /healthz HTTP/1.1\r\nHo"));
  }
  for (int round = 0; round < 3; ++round) {
    for (auto& socket : slow) socket->Send("s");  // A byte at a time.
    const absl::Time start = absl::Now();
    Socket probe(server->port());
    ASSERT_TRUE(probe.Send(Head("GET /healthz", {})));
    auto [status, text] = probe.Answer(absl::Seconds(2));
    EXPECT_EQ(status, 200) << text;
    EXPECT_LT(absl::Now() - start, absl::Seconds(1));
  }
  server->Shutdown();
}

TEST_F(RestLimitsTest, HeadsAreBoundedInTimeAndSize) {
  std::unique_ptr<RestServer> server =
      Start(&no_auth_, [](RestServerOptions& o) {
        o.header_timeout = absl::Milliseconds(300);
        o.max_header_bytes = 4096;
      });
  Socket slow(server->port());
  ASSERT_TRUE(slow.Send("GET /healthz HTTP/1.1\r\n"));
  auto [status, text] = slow.Answer(absl::Seconds(3));
  EXPECT_EQ(status, 408) << text;

  Socket big(server->port());
  big.Send(
      absl::StrCat("GET /healthz HTTP/1.1\r\nX: ", std::string(8192, 'a')));
  std::tie(status, text) = big.Answer(absl::Seconds(3));
  EXPECT_EQ(status, 431) << text;
  server->Shutdown();
}

TEST_F(RestLimitsTest, ConnectionsOverTheLimitAreRefusedAtOnce) {
  std::unique_ptr<RestServer> server =
      Start(&no_auth_, [](RestServerOptions& o) { o.max_connections = 8; });
  std::vector<std::unique_ptr<Socket>> idle;
  for (int i = 0; i < 8; ++i) {
    idle.push_back(std::make_unique<Socket>(server->port()));
  }
  // The server has accepted all eight once one of them is served.
  ASSERT_TRUE(idle[0]->Send(Head("GET /healthz", {})));
  ASSERT_EQ(idle[0]->Answer(absl::Seconds(2)).first, 200);
  Socket extra(server->port());
  auto [status, text] = extra.Answer(absl::Seconds(2));
  EXPECT_EQ(status, 503) << text;
  EXPECT_THAT(text, HasSubstr("too many connections"));
  // Once one closes, a new one is served.
  idle.pop_back();
  const absl::Time deadline = absl::Now() + absl::Seconds(3);
  int served = 0;
  while (served != 200 && absl::Now() < deadline) {
    Socket next(server->port());
    next.Send(Head("GET /healthz", {}));
    served = next.Answer(absl::Seconds(1)).first;
  }
  EXPECT_EQ(served, 200);
  server->Shutdown();
}

TEST_F(RestLimitsTest, KeepAliveAndPipeliningStillWork) {
  Socket socket(server_->port());
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
