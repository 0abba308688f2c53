// Unit tests of poll_oneoff: clocks really wait, ready fds do not, pipes
// are polled, waits can be interrupted.
#include <unistd.h>

#include <algorithm>
#include <chrono>

#include "wasi/wasi_test_fixture.h"

namespace wasmhpc::wasi {
namespace {

// Writes a subscription at `at`.
void PutSubscription(engine::FakeGuestMemory& m, uint32_t at, uint64_t userdata,
                     uint8_t type, uint32_t clock_or_fd, uint64_t timeout = 0,
                     uint16_t flags = 0) {
  std::fill_n(m.bytes().begin() + at, abi::kSubscriptionSize, 0);
  m.Store<uint64_t>(at + abi::kSubUserdata, userdata);
  m.Store<uint8_t>(at + abi::kSubTag, type);
  m.Store<uint32_t>(at + abi::kSubClockId, clock_or_fd);
  m.Store<uint64_t>(at + abi::kSubClockTimeout, timeout);
  m.Store<uint16_t>(at + abi::kSubClockFlags, flags);
}

TEST_F(WasiTest, PollOneoffClockReallySleeps) {
  Make();
  PutSubscription(mem(), kBuffer, 42, abi::kEventClock, abi::kClockMonotonic,
                  20'000'000);
  auto start = std::chrono::steady_clock::now();
  ASSERT_EQ(Call("poll_oneoff", {kBuffer, kBuffer + 1024, 1, kResult}), 0u);
  EXPECT_GE(std::chrono::steady_clock::now() - start,
            std::chrono::milliseconds(20));
  ASSERT_EQ(mem().Load<uint32_t>(kResult), 1u);
  EXPECT_EQ(mem().Load<uint64_t>(kBuffer + 1024 + abi::kEventUserdata), 42u);
  EXPECT_EQ(mem().Load<uint16_t>(kBuffer + 1024 + abi::kEventError), 0u);
  EXPECT_EQ(mem().Load<uint8_t>(kBuffer + 1024 + abi::kEventType),
            abi::kEventClock);
}

TEST_F(WasiTest, PollOneoffWaitsForTheEarliestClock) {
  auto clock = std::make_shared<FakeClock>();
  WasiOptions options;
  options.clock = clock;
  Make(options);
  PutSubscription(mem(), kBuffer, 1, abi::kEventClock, abi::kClockMonotonic,
                  5'000);
  PutSubscription(mem(), kBuffer + 48, 2, abi::kEventClock, abi::kClockRealtime,
                  FakeClock::kEpoch + 2'000, abi::kSubclockAbstime);
  ASSERT_EQ(Call("poll_oneoff", {kBuffer, kBuffer + 1024, 2, kResult}), 0u);
  EXPECT_EQ(clock->slept_, 2'000u);
  ASSERT_EQ(mem().Load<uint32_t>(kResult), 1u);
  EXPECT_EQ(mem().Load<uint64_t>(kBuffer + 1024), 2u);
}

TEST_F(WasiTest, PollOneoffReportsReadyFdsWithoutSleeping) {
  auto clock = std::make_shared<FakeClock>();
  WasiOptions options;
  options.clock = clock;
  Make(options);
  WriteHostFile(box_ + "/f", "0123456789");
  uint32_t fd;
  ASSERT_EQ(Open("f", 0, kReadRights, &fd), 0u);
  PutSubscription(mem(), kBuffer, 1, abi::kEventClock, abi::kClockMonotonic,
                  10'000'000'000);
  PutSubscription(mem(), kBuffer + 48, 2, abi::kEventFdWrite, 1);
  PutSubscription(mem(), kBuffer + 96, 3, abi::kEventFdRead, fd);
  PutSubscription(mem(), kBuffer + 144, 4, abi::kEventFdRead, 77);
  ASSERT_EQ(Call("poll_oneoff", {kBuffer, kBuffer + 1024, 4, kResult}), 0u);
  EXPECT_EQ(clock->slept_, 0u);
  ASSERT_EQ(mem().Load<uint32_t>(kResult), 3u);
  const uint32_t ev = kBuffer + 1024;
  EXPECT_EQ(mem().Load<uint64_t>(ev), 2u);
  EXPECT_EQ(mem().Load<uint8_t>(ev + abi::kEventType), abi::kEventFdWrite);
  EXPECT_EQ(mem().Load<uint64_t>(ev + 32), 3u);
  EXPECT_EQ(mem().Load<uint64_t>(ev + 32 + abi::kEventNbytes), 10u);
  EXPECT_EQ(mem().Load<uint64_t>(ev + 64), 4u);
  EXPECT_EQ(mem().Load<uint16_t>(ev + 64 + abi::kEventError), E(Errno::kBadf));
  EXPECT_EQ(Call("poll_oneoff", {kBuffer, kBuffer + 1024, 0, kResult}),
            E(Errno::kInval));
}

TEST_F(WasiTest, PollOneoffWaitsOnAPipe) {
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  WasiOptions options;
  options.stdin_fd = pipe_fds[0];
  Make(options);
  PutSubscription(mem(), kBuffer, 1, abi::kEventClock, abi::kClockMonotonic,
                  5'000'000);
  PutSubscription(mem(), kBuffer + 48, 2, abi::kEventFdRead, 0);
  ASSERT_EQ(Call("poll_oneoff", {kBuffer, kBuffer + 1024, 2, kResult}), 0u);
  ASSERT_EQ(mem().Load<uint32_t>(kResult), 1u);
  EXPECT_EQ(mem().Load<uint64_t>(kBuffer + 1024), 1u);  // the timeout

  ASSERT_EQ(write(pipe_fds[1], "abc", 3), 3);
  ASSERT_EQ(Call("poll_oneoff", {kBuffer, kBuffer + 1024, 2, kResult}), 0u);
  ASSERT_EQ(mem().Load<uint32_t>(kResult), 1u);
  EXPECT_EQ(mem().Load<uint64_t>(kBuffer + 1024), 2u);
  EXPECT_EQ(mem().Load<uint64_t>(kBuffer + 1024 + abi::kEventNbytes), 3u);
  close(pipe_fds[0]);
  close(pipe_fds[1]);
}

TEST_F(WasiTest, PollOneoffStopsWhenInterrupted) {
  WasiOptions options;
  int polls = 0;
  options.interrupted = [&polls] { return ++polls >= 2; };
  Make(options);
  PutSubscription(mem(), kBuffer, 1, abi::kEventClock, abi::kClockMonotonic,
                  3600ull * 1'000'000'000);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Call("poll_oneoff", {kBuffer, kBuffer + 1024, 1, kResult}),
            E(Errno::kIntr));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

}  // namespace
}  // namespace wasmhpc::wasi
