// Preview1: poll_oneoff. Clock subscriptions really wait; regular files,
// directories and the output sink are always ready; other host fds (pipes,
// terminals, sockets) are waited on with ppoll(2).
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <limits>
#include <vector>

#include "wasi/host_errno.h"
#include "wasi/preview1.h"

namespace wasmhpc::wasi {
namespace {

constexpr uint64_t kForever = std::numeric_limits<uint64_t>::max();
// How often a wait checks WasiOptions::interrupted.
constexpr uint64_t kInterruptSliceNs = 100'000'000;

struct Subscription {
  uint64_t userdata;
  uint8_t type;
  uint32_t clock_id;  // clock
  uint64_t timeout;   // clock
  uint16_t flags;     // clock
  uint32_t fd;        // fd_read, fd_write
};

struct Event {
  uint64_t userdata;
  Errno error;
  uint8_t type;
  uint64_t nbytes = 0;
  uint16_t flags = 0;
};

Subscription LoadSubscription(const uint8_t* p) {
  Subscription s = {};
  std::memcpy(&s.userdata, p + abi::kSubUserdata, 8);
  s.type = p[abi::kSubTag];
  std::memcpy(&s.clock_id, p + abi::kSubClockId, 4);
  std::memcpy(&s.timeout, p + abi::kSubClockTimeout, 8);
  std::memcpy(&s.flags, p + abi::kSubClockFlags, 2);
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

// Bytes left to read in a regular file (0 on error).
uint64_t BytesLeft(int fd) {
  struct stat st = {};
  off_t pos = lseek(fd, 0, SEEK_CUR);
  if (pos < 0 || fstat(fd, &st) != 0 || st.st_size <= pos) return 0;
  return static_cast<uint64_t>(st.st_size - pos);
}

// The subscriptions of one poll_oneoff call and the events they produce.
class PollSet {
 public:
  explicit PollSet(Clock& clock)
      : clock_(clock), start_(clock.Now(abi::kClockMonotonic).value_or(0)) {}

  // A clock subscription: due after its (relative or absolute) timeout.
  void AddClock(const Subscription& s) {
    absl::StatusOr<uint64_t> now = clock_.Now(s.clock_id);
    if (!now.ok()) return AddEvent(s, Errno::kInval);
    uint64_t wait = s.timeout;
    if (s.flags & abi::kSubclockAbstime) {
      wait = s.timeout > *now ? s.timeout - *now : 0;
    }
    clocks_.push_back({s.userdata, wait});
    first_due_ = std::min(first_due_, wait);
  }

  // An fd subscription on an open entry.
  void AddFd(const Subscription& s, const FdEntry& entry) {
    if (entry.kind == FdEntry::Kind::kNoInput) {
      ready_.push_back(
          {s.userdata, Errno::kSuccess, s.type, 0, abi::kEventrwHangup});
    } else if (entry.kind == FdEntry::Kind::kOutput ||
               entry.filetype == abi::Filetype::kRegularFile ||
               entry.filetype == abi::Filetype::kDirectory) {
      uint64_t nbytes = 0;
      if (s.type == abi::kEventFdRead && entry.kind == FdEntry::Kind::kHost) {
        nbytes = BytesLeft(entry.host_fd);
      }
      ready_.push_back({s.userdata, Errno::kSuccess, s.type, nbytes});
    } else {
      short what = s.type == abi::kEventFdRead ? POLLIN : POLLOUT;
      pfds_.push_back(pollfd{entry.host_fd, what, 0});
      pfd_subs_.push_back(s);
    }
  }

  // An event due at once (e.g. an error for a bad fd).
  void AddEvent(const Subscription& s, Errno error) {
    ready_.push_back({s.userdata, error, s.type});
  }

  // Waits until an event is ready: not at all if one already is, else until
  // the first clock is due or a host fd is ready. Returns kIntr when
  // `interrupted` (checked every kInterruptSliceNs) says so.
  Errno Wait(const std::function<bool()>& interrupted);

  // The events, at most one per subscription.
  std::vector<Event> Events() const;

 private:
  struct PendingClock {
    uint64_t userdata;
    uint64_t wait;
  };

  Clock& clock_;
  const uint64_t start_;
  uint64_t first_due_ = kForever;
  uint64_t elapsed_ = 0;
  std::vector<Event> ready_;
  std::vector<PendingClock> clocks_;
  std::vector<pollfd> pfds_;
  std::vector<Subscription> pfd_subs_;
};

Errno PollSet::Wait(const std::function<bool()>& interrupted) {
  const uint64_t wait = ready_.empty() ? first_due_ : 0;
  uint64_t slept = 0;  // whole slices waited: progress even if a clock lags
  for (;;) {
    uint64_t slice = wait == kForever ? kForever : wait - elapsed_;
    if (interrupted) slice = std::min(slice, kInterruptSliceNs);
    if (!pfds_.empty()) {
      struct timespec ts = {static_cast<time_t>(slice / 1'000'000'000),
                            static_cast<long>(slice % 1'000'000'000)};
      int n = ppoll(pfds_.data(), pfds_.size(),
                    slice == kForever ? nullptr : &ts, nullptr);
      if (n < 0 && errno != EINTR) return LastHostErrno();
      if (n > 0) return Errno::kSuccess;
      if (n == 0) slept += slice;
    } else {
      clock_.SleepFor(slice);
      slept += slice;
    }
    uint64_t now = clock_.Now(abi::kClockMonotonic).value_or(start_);
    elapsed_ = std::max(now > start_ ? now - start_ : 0, slept);
    if (elapsed_ >= wait) return Errno::kSuccess;
    if (interrupted && interrupted()) return Errno::kIntr;
  }
}

std::vector<Event> PollSet::Events() const {
  std::vector<Event> events = ready_;
  for (size_t i = 0; i < pfds_.size(); ++i) {
    const short revents = pfds_[i].revents;
    if (revents == 0) continue;
    const Subscription& s = pfd_subs_[i];
    Event e{s.userdata, Errno::kSuccess, s.type};
    if (revents & POLLNVAL) e.error = Errno::kBadf;
    if (revents & POLLERR) e.error = Errno::kIo;
    if (revents & POLLHUP) e.flags = abi::kEventrwHangup;
    int avail = 0;
    if (s.type == abi::kEventFdRead &&
        ioctl(pfds_[i].fd, FIONREAD, &avail) == 0 && avail > 0) {
      e.nbytes = static_cast<uint64_t>(avail);
    }
    events.push_back(e);
  }
  for (const PendingClock& c : clocks_) {
    if (c.wait <= elapsed_) {
      events.push_back({c.userdata, Errno::kSuccess, abi::kEventClock});
    }
  }
  return events;
}

}  // namespace

Errno Preview1::PollOneoff(Ctx& ctx, uint32_t in, uint32_t out,
                           uint32_t nsubscriptions, uint32_t nevents_ptr) {
  if (nsubscriptions == 0) return Errno::kInval;
  GuestView guest(ctx.memory());
  absl::Span<uint8_t> sub_bytes, event_bytes;
  WASI_TRY(guest.Bytes(in, uint64_t{nsubscriptions} * abi::kSubscriptionSize,
                       &sub_bytes));
  WASI_TRY(guest.Bytes(out, uint64_t{nsubscriptions} * abi::kEventSize,
                       &event_bytes));
  WASI_TRY(guest.Check(nevents_ptr, 4));
  // Every subscription is read before any event is written: the guest may
  // pass overlapping arrays.
  PollSet set(*options_.clock);
  for (size_t i = 0; i < nsubscriptions; ++i) {
    Subscription s =
        LoadSubscription(sub_bytes.data() + i * abi::kSubscriptionSize);
    if (s.type == abi::kEventClock) {
      set.AddClock(s);
    } else if (s.type == abi::kEventFdRead || s.type == abi::kEventFdWrite) {
      FdEntry* entry;
      Errno e = Lookup(s.fd, abi::kRightPollFdReadwrite, &entry);
      e == Errno::kSuccess ? set.AddFd(s, *entry) : set.AddEvent(s, e);
    } else {
      return Errno::kInval;
    }
  }
  WASI_TRY(set.Wait(options_.interrupted));
  std::vector<Event> events = set.Events();
  for (size_t i = 0; i < events.size(); ++i) {
    StoreEvent(events[i], event_bytes.data() + i * abi::kEventSize);
  }
  return guest.Store<uint32_t>(nevents_ptr,
                               static_cast<uint32_t>(events.size()));
}

}  // namespace wasmhpc::wasi
