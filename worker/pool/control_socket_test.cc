#include "worker/pool/control_socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "worker/pool/control.pb.h"

namespace wasmhpc::pool {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr absl::Duration kLong = absl::Seconds(10);

// Two connected TCP sockets on 127.0.0.1, made with plain POSIX calls.
struct TcpPair {
  int a = -1;
  int b = -1;
};

// A socket bound to a port of 127.0.0.1 without listening: connecting to
// it is refused. Returns the fd; *port is set.
int BoundNotListening(int* port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof(address);
  EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), size), 0);
  EXPECT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size), 0);
  *port = ntohs(address.sin_port);
  return fd;
}

int ConnectRaw(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address = {};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)),
            0);
  return fd;
}

TcpPair MakePair() {
  int port = 0;
  int listener = BoundNotListening(&port);
  EXPECT_EQ(listen(listener, 1), 0);
  TcpPair pair;
  pair.b = ConnectRaw(port);
  pair.a = accept(listener, nullptr, nullptr);
  EXPECT_GE(pair.a, 0);
  close(listener);
  return pair;
}

// The port of the listener's 127.0.0.1 address (the last one).
int LoopbackPort(const ControlListener& listener) {
  std::vector<std::string> addresses =
      absl::StrSplit(listener.Addresses(), ',');
  std::vector<std::string> parts = absl::StrSplit(addresses.back(), ':');
  return std::stoi(parts.at(1));
}

void SendRaw(int fd, const std::string& bytes) {
  ASSERT_EQ(send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(bytes.size()));
}

std::string LengthBytes(uint32_t length) {
  std::string bytes(4, '\0');
  for (int i = 0; i < 4; ++i) bytes[i] = static_cast<char>(length >> (8 * i));
  return bytes;
}

std::string Frame(const std::string& payload) {
  return LengthBytes(payload.size()) + payload;
}

ToController Started(const std::string& job_id) {
  ToController message;
  message.mutable_started()->set_job_id(job_id);
  return message;
}

// Receives one ToController within kLong; its started.job_id.
std::string ReceiveStarted(ControlConnection& connection) {
  ToController message;
  absl::StatusOr<bool> got = connection.Receive(&message, kLong);
  EXPECT_TRUE(got.ok()) << got.status();
  EXPECT_TRUE(got.value_or(false));
  return message.started().job_id();
}

// A pool of `world_size` ranks, connected: both ends of every executor's
// connection (index = rank; index 0 empty).
struct ConnectedPool {
  std::vector<std::unique_ptr<ControlConnection>> controller;
  std::vector<std::unique_ptr<ControlConnection>> executors;
};

ConnectedPool Connect(int world_size) {
  auto listener = ControlListener::Listen();
  EXPECT_TRUE(listener.ok()) << listener.status();
  std::string secret = NewControlSecret();
  std::string addresses = (*listener)->Addresses();
  ConnectedPool pool;
  pool.executors.resize(world_size);
  std::vector<std::thread> threads;
  for (int rank = 1; rank < world_size; ++rank) {
    threads.emplace_back([&, rank] {
      auto connection = ConnectToController(addresses, rank, secret, kLong);
      ASSERT_TRUE(connection.ok()) << connection.status();
      pool.executors[rank] = *std::move(connection);
    });
  }
  auto accepted = (*listener)->AcceptExecutors(world_size, secret, kLong);
  for (std::thread& thread : threads) thread.join();
  EXPECT_TRUE(accepted.ok()) << accepted.status();
  if (accepted.ok()) pool.controller = *std::move(accepted);
  return pool;
}

TEST(ControlSocket, MessagesRoundTripBothWays) {
  ConnectedPool pool = Connect(2);
  ASSERT_EQ(pool.controller.size(), 2u);
  EXPECT_EQ(pool.controller[0], nullptr);
  ASSERT_NE(pool.controller[1], nullptr);

  ToExecutor assign;
  assign.mutable_assign()->set_job_id("job-1");
  assign.mutable_assign()->add_ranks(1);
  assign.mutable_assign()->set_comm_tag(7);
  assign.mutable_assign()->set_module_name("hello.wasm");
  ASSERT_TRUE(pool.controller[1]->Send(assign).ok());
  ToExecutor assigned;
  absl::StatusOr<bool> got = pool.executors[1]->Receive(&assigned, kLong);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_TRUE(*got);
  EXPECT_EQ(assigned.assign().job_id(), "job-1");
  EXPECT_THAT(assigned.assign().ranks(), ElementsAre(1));
  EXPECT_EQ(assigned.assign().comm_tag(), 7);
  EXPECT_EQ(assigned.assign().module_name(), "hello.wasm");

  ToController result;
  result.mutable_result()->set_job_id("job-1");
  result.mutable_result()->mutable_result()->set_exit_code(3);
  result.mutable_result()->set_outcome(OUTCOME_ABORTED);
  ASSERT_TRUE(pool.executors[1]->Send(result).ok());
  ToController reported;
  got = pool.controller[1]->Receive(&reported, kLong);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_TRUE(*got);
  EXPECT_EQ(reported.result().job_id(), "job-1");
  EXPECT_EQ(reported.result().result().exit_code(), 3);
  EXPECT_EQ(reported.result().outcome(), OUTCOME_ABORTED);
}

// Small control messages go out at once (a Stop must arrive fast), and no
// child process inherits a connection.
TEST(ControlSocket, ConnectionsAreNoDelayAndCloseOnExec) {
  ConnectedPool pool = Connect(2);
  for (const auto* connection :
       {pool.controller[1].get(), pool.executors[1].get()}) {
    int no_delay = 0;
    socklen_t size = sizeof(no_delay);
    ASSERT_EQ(getsockopt(connection->fd(), IPPROTO_TCP, TCP_NODELAY, &no_delay,
                         &size),
              0);
    EXPECT_NE(no_delay, 0);
    EXPECT_NE(fcntl(connection->fd(), F_GETFD) & FD_CLOEXEC, 0);
  }
}

TEST(ControlSocket, NothingToReceiveIsFalse) {
  ConnectedPool pool = Connect(2);
  ToController message;
  absl::StatusOr<bool> got = pool.controller[1]->TryReceive(&message);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_FALSE(*got);
  got = pool.controller[1]->Receive(&message, absl::Milliseconds(20));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_FALSE(*got);
}

TEST(ControlSocket, CarriesA64MiBMessage) {
  ConnectedPool pool = Connect(2);
  ToExecutor module;
  std::string bytes(64 << 20, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = (i * 31) % 251;
  module.mutable_module()->set_module_bytes(bytes);
  std::thread sender(
      [&] { EXPECT_TRUE(pool.controller[1]->Send(module).ok()); });
  ToExecutor received;
  absl::StatusOr<bool> got =
      pool.executors[1]->Receive(&received, absl::InfiniteDuration());
  sender.join();
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_TRUE(*got);
  EXPECT_TRUE(received.module().module_bytes() == bytes);
}

TEST(ControlSocket, ManySmallMessagesArriveInOrder) {
  ConnectedPool pool = Connect(2);
  constexpr int kCount = 20000;
  std::thread sender([&] {
    for (int i = 0; i < kCount; ++i) {
      ASSERT_TRUE(pool.executors[1]->Send(Started(absl::StrCat(i))).ok());
    }
  });
  for (int i = 0; i < kCount; ++i) {
    ASSERT_EQ(ReceiveStarted(*pool.controller[1]), absl::StrCat(i));
  }
  sender.join();
}

// Frames big enough for the kernel to split stay whole when two threads
// send at once.
TEST(ControlSocket, ConcurrentSendersDoNotInterleaveFrames) {
  ConnectedPool pool = Connect(2);
  constexpr int kPerSender = 200;
  auto send_all = [&](int sender) {
    for (int i = 0; i < kPerSender; ++i) {
      ToExecutor message;
      message.mutable_module()->set_job_id(absl::StrCat(sender, "/", i));
      message.mutable_module()->set_module_bytes(
          std::string(256 << 10, static_cast<char>('a' + sender)));
      ASSERT_TRUE(pool.controller[1]->Send(message).ok());
    }
  };
  std::thread first(send_all, 0);
  std::thread second(send_all, 1);
  int next[2] = {0, 0};
  for (int i = 0; i < 2 * kPerSender; ++i) {
    ToExecutor message;
    absl::StatusOr<bool> got = pool.executors[1]->Receive(&message, kLong);
    ASSERT_TRUE(got.ok()) << got.status();
    ASSERT_TRUE(*got);
    std::vector<std::string> id =
        absl::StrSplit(message.module().job_id(), '/');
    int sender = std::stoi(id.at(0));
    EXPECT_EQ(id.at(1), absl::StrCat(next[sender]++));
    EXPECT_EQ(message.module().module_bytes(),
              std::string(256 << 10, static_cast<char>('a' + sender)));
  }
  first.join();
  second.join();
}

TEST(ControlSocket, KeepsPartialFramesAcrossCalls) {
  TcpPair pair = MakePair();
  ControlConnection connection(pair.a);
  std::string frame = Frame(Started("byte-by-byte").SerializeAsString());
  ToController message;
  for (size_t i = 0; i + 1 < frame.size(); ++i) {
    SendRaw(pair.b, frame.substr(i, 1));
    ASSERT_THAT(WaitReadable({pair.a}, kLong), ElementsAre(0));
    absl::StatusOr<bool> got = connection.TryReceive(&message);
    ASSERT_TRUE(got.ok()) << got.status();
    ASSERT_FALSE(*got) << "after byte " << i;
  }
  SendRaw(pair.b, frame.substr(frame.size() - 1));
  EXPECT_EQ(ReceiveStarted(connection), "byte-by-byte");
  close(pair.b);
}

TEST(ControlSocket, SplitsFramesThatArriveTogether) {
  TcpPair pair = MakePair();
  ControlConnection connection(pair.a);
  std::string third = Frame(Started("third").SerializeAsString());
  SendRaw(pair.b, Frame(Started("first").SerializeAsString()) +
                      Frame(Started("second").SerializeAsString()) +
                      third.substr(0, 5));
  EXPECT_EQ(ReceiveStarted(connection), "first");
  EXPECT_EQ(ReceiveStarted(connection), "second");
  ToController message;
  absl::StatusOr<bool> got = connection.TryReceive(&message);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_FALSE(*got);
  SendRaw(pair.b, third.substr(5));
  EXPECT_EQ(ReceiveStarted(connection), "third");
  close(pair.b);
}

TEST(ControlSocket, EofMidFrameIsUnavailable) {
  TcpPair pair = MakePair();
  ControlConnection connection(pair.a);
  std::string whole = Frame(Started("whole").SerializeAsString());
  SendRaw(pair.b, whole + whole.substr(0, whole.size() - 2));
  close(pair.b);
  // The whole frame before the end is still delivered.
  EXPECT_EQ(ReceiveStarted(connection), "whole");
  ToController message;
  absl::StatusOr<bool> got = connection.Receive(&message, kLong);
  EXPECT_EQ(got.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(got.status().message(), HasSubstr("closed"));
}

// The length is refused as soon as it arrives: no wait for (and no buffer
// of) the 4 GiB it announces.
TEST(ControlSocket, OversizedLengthIsDataLoss) {
  for (uint32_t length : {uint32_t{0xFFFFFFFF}, uint32_t{0x80000001}}) {
    TcpPair pair = MakePair();
    ControlConnection connection(pair.a);
    SendRaw(pair.b, LengthBytes(length));
    ToController message;
    absl::StatusOr<bool> got = connection.Receive(&message, kLong);
    EXPECT_EQ(got.status().code(), absl::StatusCode::kDataLoss) << length;
    EXPECT_THAT(got.status().message(), HasSubstr(absl::StrCat(length)));
    // The connection stays unusable.
    got = connection.TryReceive(&message);
    EXPECT_EQ(got.status().code(), absl::StatusCode::kDataLoss);
    close(pair.b);
  }
}

TEST(ControlSocket, BytesThatDoNotParseAreDataLoss) {
  TcpPair pair = MakePair();
  ControlConnection connection(pair.a);
  SendRaw(pair.b, Frame(std::string(8, '\xff')));
  ToController message;
  absl::StatusOr<bool> got = connection.Receive(&message, kLong);
  EXPECT_EQ(got.status().code(), absl::StatusCode::kDataLoss);
  close(pair.b);
}

TEST(ControlSocket, SendToAClosedPeerIsUnavailable) {
  TcpPair pair = MakePair();
  ControlConnection connection(pair.a);
  close(pair.b);
  ToExecutor message;
  message.mutable_module()->set_module_bytes(std::string(1 << 20, 'x'));
  absl::Status status;
  // The first sends may still be taken by the kernel; the peer's reset
  // then fails one (EPIPE, which without MSG_NOSIGNAL would kill us).
  for (int i = 0; i < 100 && status.ok(); ++i) {
    status = connection.Send(message);
  }
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
}

TEST(ControlSocket, AcceptsConcurrentExecutorsByRank) {
  ConnectedPool pool = Connect(4);
  ASSERT_EQ(pool.controller.size(), 4u);
  for (int rank = 1; rank < 4; ++rank) {
    ASSERT_NE(pool.executors[rank], nullptr);
    ASSERT_TRUE(
        pool.executors[rank]->Send(Started(absl::StrCat("rank ", rank))).ok());
  }
  for (int rank = 1; rank < 4; ++rank) {
    EXPECT_EQ(ReceiveStarted(*pool.controller[rank]),
              absl::StrCat("rank ", rank));
  }
}

// Every bad hello is closed; the right ones get through, first come first
// served for each rank.
TEST(ControlSocket, RejectsBadHellos) {
  auto listener = ControlListener::Listen();
  ASSERT_TRUE(listener.ok()) << listener.status();
  std::string secret = NewControlSecret();
  std::string addresses = (*listener)->Addresses();
  // All connect (into the kernel's backlog) and say hello before the
  // controller accepts, in this order.
  std::string wrong = secret;
  wrong[0] = wrong[0] == '0' ? '1' : '0';
  auto wrong_secret = ConnectToController(addresses, 1, wrong, kLong);
  auto rank_zero = ConnectToController(addresses, 0, secret, kLong);
  auto rank_too_big = ConnectToController(addresses, 3, secret, kLong);
  int oversized = ConnectRaw(LoopbackPort(**listener));
  SendRaw(oversized, LengthBytes(0x7FFFFFFF) + std::string(100, 'x'));
  auto right1 = ConnectToController(addresses, 1, secret, kLong);
  auto duplicate1 = ConnectToController(addresses, 1, secret, kLong);
  auto right2 = ConnectToController(addresses, 2, secret, kLong);
  for (auto* c : {&wrong_secret, &rank_zero, &rank_too_big, &right1,
                  &duplicate1, &right2}) {
    ASSERT_TRUE(c->ok()) << c->status();
  }

  auto accepted = (*listener)->AcceptExecutors(3, secret, kLong);
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  ASSERT_TRUE((*right1)->Send(Started("right1")).ok());
  ASSERT_TRUE((*right2)->Send(Started("right2")).ok());
  EXPECT_EQ(ReceiveStarted(*(*accepted)[1]), "right1");
  EXPECT_EQ(ReceiveStarted(*(*accepted)[2]), "right2");
  for (auto* c : {&wrong_secret, &rank_zero, &rank_too_big, &duplicate1}) {
    ToExecutor message;
    absl::StatusOr<bool> got = (**c)->Receive(&message, kLong);
    EXPECT_EQ(got.status().code(), absl::StatusCode::kUnavailable);
  }
  // Closed with its bytes unread: reset.
  char byte;
  EXPECT_EQ(recv(oversized, &byte, 1, 0), -1);
  EXPECT_EQ(errno, ECONNRESET);
  close(oversized);
}

TEST(ControlSocket, SilentConnectionDoesNotHoldUpOthers) {
  auto listener = ControlListener::Listen();
  ASSERT_TRUE(listener.ok()) << listener.status();
  std::string secret = NewControlSecret();
  std::string addresses = (*listener)->Addresses();
  int silent = ConnectRaw(LoopbackPort(**listener));
  absl::Time start = absl::Now();
  std::thread executor([&] {
    auto connection = ConnectToController(addresses, 1, secret, kLong);
    EXPECT_TRUE(connection.ok()) << connection.status();
  });
  auto accepted = (*listener)->AcceptExecutors(2, secret, kLong);
  executor.join();
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  // Well before the silent connection's second for its hello is up.
  EXPECT_LT(absl::Now() - start, absl::Seconds(1));
  close(silent);
}

TEST(ControlSocket, SilentConnectionIsClosedAfterASecond) {
  auto listener = ControlListener::Listen();
  ASSERT_TRUE(listener.ok()) << listener.status();
  std::string secret = NewControlSecret();
  std::string addresses = (*listener)->Addresses();
  int silent = ConnectRaw(LoopbackPort(**listener));
  absl::Time start = absl::Now();
  // Rank 1 says hello only once the controller has closed the silent
  // connection, while it still accepts.
  std::thread executor([&] {
    char byte;
    EXPECT_EQ(recv(silent, &byte, 1, 0), 0);
    auto connection = ConnectToController(addresses, 1, secret, kLong);
    EXPECT_TRUE(connection.ok()) << connection.status();
  });
  auto accepted = (*listener)->AcceptExecutors(2, secret, kLong);
  executor.join();
  ASSERT_TRUE(accepted.ok()) << accepted.status();
  EXPECT_GE(absl::Now() - start, absl::Seconds(1));
  close(silent);
}

TEST(ControlSocket, DeadlineNamesTheMissingRanks) {
  auto listener = ControlListener::Listen();
  ASSERT_TRUE(listener.ok()) << listener.status();
  std::string secret = NewControlSecret();
  std::string addresses = (*listener)->Addresses();
  auto rank1 = ConnectToController(addresses, 1, secret, kLong);
  auto rank3 = ConnectToController(addresses, 3, secret, kLong);
  ASSERT_TRUE(rank1.ok() && rank3.ok());
  auto accepted =
      (*listener)->AcceptExecutors(5, secret, absl::Milliseconds(200));
  EXPECT_EQ(accepted.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(accepted.status().message(), HasSubstr("rank(s) 2, 4 within"));
  // The listener is closed on failure too.
  auto late = ConnectToController(addresses, 2, secret, kLong);
  EXPECT_EQ(late.status().code(), absl::StatusCode::kUnavailable);
}

TEST(ControlSocket, ListenerIsClosedAfterAccepting) {
  auto listener = ControlListener::Listen();
  ASSERT_TRUE(listener.ok()) << listener.status();
  std::string secret = NewControlSecret();
  std::string addresses = (*listener)->Addresses();
  auto rank1 = ConnectToController(addresses, 1, secret, kLong);
  ASSERT_TRUE(rank1.ok()) << rank1.status();
  ASSERT_TRUE((*listener)->AcceptExecutors(2, secret, kLong).ok());
  auto again = ConnectToController(addresses, 1, secret, kLong);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(again.status().message(),
              HasSubstr(absl::StrCat("127.0.0.1:", LoopbackPort(**listener))));
  EXPECT_EQ((*listener)->AcceptExecutors(2, secret, kLong).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(ControlSocket, ConnectTriesAddressesInOrder) {
  auto listener = ControlListener::Listen();
  ASSERT_TRUE(listener.ok()) << listener.status();
  std::string secret = NewControlSecret();
  int refused_port = 0;
  int refusing = BoundNotListening(&refused_port);
  std::string addresses =
      absl::StrCat("127.0.0.1:", refused_port, ",", (*listener)->Addresses());
  auto rank1 = ConnectToController(addresses, 1, secret, kLong);
  ASSERT_TRUE(rank1.ok()) << rank1.status();
  ASSERT_TRUE((*listener)->AcceptExecutors(2, secret, kLong).ok());

  auto refused = ConnectToController(absl::StrCat("127.0.0.1:", refused_port),
                                     1, secret, kLong);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(refused.status().message(),
              HasSubstr(absl::StrCat("127.0.0.1:", refused_port)));
  close(refusing);
  EXPECT_EQ(ConnectToController("localhost", 1, secret, kLong).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ControlSocket, AddressesEndWithLoopback) {
  auto listener = ControlListener::Listen();
  ASSERT_TRUE(listener.ok()) << listener.status();
  int port = LoopbackPort(**listener);
  EXPECT_GT(port, 0);
  std::vector<std::string> addresses =
      absl::StrSplit((*listener)->Addresses(), ',');
  EXPECT_EQ(addresses.back(), absl::StrCat("127.0.0.1:", port));
  for (size_t i = 0; i + 1 < addresses.size(); ++i) {
    EXPECT_THAT(addresses[i], ::testing::EndsWith(absl::StrCat(":", port)));
    EXPECT_THAT(addresses[i], ::testing::Not(::testing::StartsWith("127.")));
  }
}

TEST(ControlSocket, SecretsAreRandomHex) {
  std::string secret = NewControlSecret();
  EXPECT_EQ(secret.size(), 64u);
  EXPECT_EQ(secret.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(secret, NewControlSecret());
}

TEST(ControlSocket, WaitReadableReturnsTheReadyOnes) {
  TcpPair quiet = MakePair();
  TcpPair busy = MakePair();
  SendRaw(busy.b, "x");
  EXPECT_THAT(WaitReadable({quiet.a, busy.a}, kLong), ElementsAre(1));
  EXPECT_THAT(WaitReadable({quiet.a}, absl::Milliseconds(20)), IsEmpty());
  close(quiet.b);  // a hang-up is ready: the read sees the end
  EXPECT_THAT(WaitReadable({quiet.a}, absl::InfiniteDuration()),
              ElementsAre(0));
  for (int fd : {quiet.a, busy.a, busy.b}) close(fd);
}

}  // namespace
}  // namespace wasmhpc::pool
