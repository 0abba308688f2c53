// Preview1: poll_oneoff. Clock subscriptions really wait; regular files and
// the output sink are always ready; other host fds (pipes, terminals) are
// waited on with ppoll(2).
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <vector>

#include "worker/wasi/host_errno.h"
#include "worker/wasi/preview1.h"

namespace wasmhpc::wasi {
namespace {

constexpr uint64_t kForever = std::numeric_limits<uint64_t>::max();
// How often a wait checks WasiOptions::interrupted.
constexpr uint64_t kInterruptSliceNs = 100'000'000;

struct Subscription {
  uint64_t userdata;
  uint8_t type;
  uint32_t clock_id;
  uint64_t timeout;
  uint16_t clock_flags;
  uint32_t fd;
};

struct Event {
  uint64_t userdata;
  Errno error;
  uint8_t type;
  uint64_t nbytes;
  uint16_t flags;
};

Subscription ParseSubscription(const uint8_t* p) {
  Subscription s;
  std::memcpy(&s.userdata, p + abi::kSubUserdata, 8);
  s.type = p[abi::kSubTag];
  std::memcpy(&s.clock_id, p + abi::kSubClockId, 4);
  std::memcpy(&s.timeout, p + abi::kSubClockTimeout, 8);
  std::memcpy(&s.clock_flags, p + abi::kSubClockFlags, 2);
  std::memcpy(&s.fd, p + abi::kSubFd, 4);
  return s;
}

void StoreEvent(const Event& e, uint8_t* p) {
  std::memset(p, 0, abi::kEventSize);
  std::memcpy(p + abi::kEventUserdata, &e.userdata, 8);
  uint16_t error = static_cast<uint16_t>(e.error);
  std::memcpy(p + abi::kEventError, &error, 2);
  p[abi::kEventType] = e.type;
  std::memcpy(p + abi::kEventNbytes, &e.nbytes, 8);
  std::memcpy(p + abi::kEventFlags, &e.flags, 2);
}

// Bytes left to read in a regular file (0 for others or on error).
uint64_t BytesLeft(int fd) {
  struct stat st;
  off_t pos = lseek(fd, 0, SEEK_CUR);
  if (pos < 0 || fstat(fd, &st) != 0 || st.st_size <= pos) return 0;
  return static_cast<uint64_t>(st.st_size - pos);
}

struct timespec Timespec(uint64_t ns) {
  return {static_cast<time_t>(ns / 1'000'000'000),
          static_cast<long>(ns % 1'000'000'000)};
}

}  // namespace

Errno Preview1::PollOneoff(Ctx& ctx, uint32_t in, uint32_t out,
                           uint32_t nsubscriptions, uint32_t nevents_ptr) {
  if (nsubscriptions == 0) return Errno::kInval;
  GuestView guest(ctx.memory());
  absl::Span<uint8_t> sub_bytes, event_bytes;
  WASI_TRY(guest.Bytes(
      in, uint64_t{nsubscriptions} * abi::kSubscriptionSize, &sub_bytes));
  WASI_TRY(guest.Bytes(out, uint64_t{nsubscriptions} * abi::kEventSize,
                       &event_bytes));
  WASI_TRY(guest.Check(nevents_ptr, 4));
  // Parse everything first: the guest may pass overlapping in and out.
  std::vector<Subscription> subs;
  for (uint32_t i = 0; i < nsubscriptions; ++i) {
    subs.push_back(
        ParseSubscription(sub_bytes.data() + i * abi::kSubscriptionSize));
  }

  Clock& clock = *options_.clock;
  std::vector<Event> events;
  std::vector<std::pair<size_t, uint64_t>> clocks;  // sub index, wait ns
  std::vector<pollfd> pfds;
  std::vector<size_t> pfd_sub;
  uint64_t wait = kForever;
  for (size_t i = 0; i < subs.size(); ++i) {
    const Subscription& s = subs[i];
    Event ready{s.userdata, Errno::kSuccess, s.type, 0, 0};
    if (s.type == abi::kEventClock) {
      absl::StatusOr<uint64_t> now = clock.Now(s.clock_id);
      if (!now.ok()) {
        ready.error = Errno::kInval;
        events.push_back(ready);
        continue;
      }
      uint64_t rel = s.timeout;
      if (s.clock_flags & abi::kSubclockAbstime) {
        rel = s.timeout > *now ? s.timeout - *now : 0;
      }
      clocks.emplace_back(i, rel);
      wait = std::min(wait, rel);
      continue;
    }
    if (s.type != abi::kEventFdRead && s.type != abi::kEventFdWrite) {
      return Errno::kInval;
    }
    FdEntry* entry;
    ready.error = Lookup(s.fd, abi::kRightPollFdReadwrite, &entry);
    if (ready.error != Errno::kSuccess) {
      events.push_back(ready);
    } else if (entry->kind == FdEntry::Kind::kNoInput) {
      ready.flags = abi::kEventrwHangup;
      events.push_back(ready);
    } else if (entry->kind == FdEntry::Kind::kOutput ||
               entry->filetype == abi::Filetype::kRegularFile ||
               entry->filetype == abi::Filetype::kDirectory) {
      if (s.type == abi::kEventFdRead && entry->kind == FdEntry::Kind::kHost) {
        ready.nbytes = BytesLeft(entry->host_fd);
      }
      events.push_back(ready);
    } else {
      short what = s.type == abi::kEventFdRead ? POLLIN : POLLOUT;
      pfds.push_back(pollfd{entry->host_fd, what, 0});
      pfd_sub.push_back(i);
    }
  }

  // Wait: not at all if something is ready, else until the earliest clock
  // or a host fd, in slices when cancellation is possible.
  if (!events.empty()) wait = 0;
  const uint64_t start = clock.Now(abi::kClockMonotonic).value_or(0);
  uint64_t elapsed = 0;
  uint64_t slept = 0;  // full slices waited: progress even if the clock lags
  for (;;) {
    uint64_t slice = wait == kForever ? kForever : wait - elapsed;
    if (options_.interrupted) slice = std::min(slice, kInterruptSliceNs);
    if (!pfds.empty()) {
      struct timespec ts = Timespec(slice);
      int n = ppoll(pfds.data(), pfds.size(),
                    slice == kForever ? nullptr : &ts, nullptr);
      if (n < 0 && errno != EINTR) return LastHostErrno();
      if (n > 0) break;
      if (n == 0) slept += slice;
    } else {
      clock.SleepFor(slice);
      slept += slice;
    }
    uint64_t now = clock.Now(abi::kClockMonotonic).value_or(start);
    elapsed = std::max(now > start ? now - start : 0, slept);
    if (wait != kForever && elapsed >= wait) break;
    if (options_.interrupted && options_.interrupted()) return Errno::kIntr;
  }

  for (size_t i = 0; i < pfds.size(); ++i) {
    if (pfds[i].revents == 0) continue;
    const Subscription& s = subs[pfd_sub[i]];
    Event e{s.userdata, Errno::kSuccess, s.type, 0, 0};
    if (pfds[i].revents & POLLNVAL) e.error = Errno::kBadf;
    if (pfds[i].revents & POLLERR) e.error = Errno::kIo;
    if (pfds[i].revents & POLLHUP) e.flags = abi::kEventrwHangup;
    int avail = 0;
    if (s.type == abi::kEventFdRead &&
        ioctl(pfds[i].fd, FIONREAD, &avail) == 0 && avail > 0) {
      e.nbytes = static_cast<uint64_t>(avail);
    }
    events.push_back(e);
  }
  for (const auto& [index, rel] : clocks) {
    if (rel <= elapsed) {
      events.push_back(
          Event{subs[index].userdata, Errno::kSuccess, abi::kEventClock, 0, 0});
    }
  }
  for (size_t i = 0; i < events.size(); ++i) {
    StoreEvent(events[i], event_bytes.data() + i * abi::kEventSize);
  }
  return guest.Store<uint32_t>(nevents_ptr,
                               static_cast<uint32_t>(events.size()));
}

}  // namespace wasmhpc::wasi
