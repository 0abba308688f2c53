// Clock: where code whose behaviour depends on the time (timeouts,
// deadlines, timestamps) reads it, so tests can move it by hand. The head
// and the pool use it alike; purely local poll deadlines (how long to wait
// on a socket) read absl::Now() directly.
//
// Thread safety: Now() may be called from any thread; FakeClock's Advance
// too.
#ifndef WASMHPC_COMMON_CLOCK_H_
#define WASMHPC_COMMON_CLOCK_H_

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace wasmhpc {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

// The system clock. Never destroyed.
inline Clock* RealClock() {
  class Real final : public Clock {
   public:
    absl::Time Now() const override { return absl::Now(); }
  };
  static Real* const clock = new Real;
  return clock;
}

// A clock that moves only when told to. Starts at 2024-01-01 00:00 UTC.
class FakeClock final : public Clock {
 public:
  absl::Time Now() const override {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_) = absl::FromUnixSeconds(1704067200);
};

}  // namespace wasmhpc

#endif  // WASMHPC_COMMON_CLOCK_H_
