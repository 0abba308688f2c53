// ChangeSignal: a counter that goes up whenever something a watcher may be
// waiting for happens (a job changed, a log grew, the head shuts down), and a
// way to wait for it to move.
//
// Thread safety: all methods may be called from any thread.
// Usage (a watcher): remember count(), look at the state, and if nothing is
// new, WaitPast(remembered, deadline). A change between count() and the wait
// makes the wait return at once, so nothing is missed.
#ifndef WASMHPC_SERVER_HANDLERS_CHANGE_SIGNAL_H_
#define WASMHPC_SERVER_HANDLERS_CHANGE_SIGNAL_H_

#include <cstdint>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace wasmhpc::server {

class ChangeSignal {
 public:
  uint64_t count() const {
    absl::MutexLock lock(&mu_);
    return count_;
  }

  // Wakes every waiter.
  void Notify() {
    absl::MutexLock lock(&mu_);
    ++count_;
  }

  // Blocks until count() != seen or `timeout` passes (real time). Returns
  // true if the count moved.
  bool WaitPast(uint64_t seen, absl::Duration timeout) const {
    absl::MutexLock lock(&mu_);
    auto moved = [this, seen]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return count_ != seen;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&moved), timeout);
  }

 private:
  mutable absl::Mutex mu_;
  uint64_t count_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_HANDLERS_CHANGE_SIGNAL_H_
