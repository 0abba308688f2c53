#include "client-cli/interrupt.h"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <thread>
#include <utility>

#include "absl/synchronization/mutex.h"

namespace wasmhpc::cli {
namespace {

struct HandlerSlot {
  absl::Mutex mu;
  std::function<void()> handler ABSL_GUARDED_BY(mu);
};

HandlerSlot& Slot() {
  static HandlerSlot* const slot = new HandlerSlot;  // Never destroyed.
  return *slot;
}

sigset_t InterruptSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  return set;
}

void WatchLoop() {
  const sigset_t set = InterruptSet();
  while (true) {
    int signal = 0;
    if (sigwait(&set, &signal) != 0) continue;
    std::function<void()> handler;
    {
      absl::MutexLock lock(&Slot().mu);
      handler = Slot().handler;
    }
    if (!handler) {
      std::fflush(stdout);
      std::fflush(stderr);
      _exit(130);
    }
    handler();
  }
}

}  // namespace

void InterruptWatcher::Install() {
  const sigset_t set = InterruptSet();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread(WatchLoop).detach();
}

void InterruptWatcher::SetHandler(std::function<void()> handler) {
  absl::MutexLock lock(&Slot().mu);
  Slot().handler = std::move(handler);
}

InterruptWatcher::Answer InterruptWatcher::ReadLineOrInterrupt(int fd) {
  const sigset_t set = InterruptSet();
  const timespec no_wait = {0, 0};
  Answer answer;
  while (true) {
    if (sigtimedwait(&set, nullptr, &no_wait) == SIGINT) {
      answer.kind = Answer::kInterrupted;
      return answer;
    }
    pollfd input = {fd, POLLIN, 0};
    int ready = poll(&input, 1, /*timeout_ms=*/100);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return answer;  // kEnd
    if (ready == 0) continue;
    char c = 0;
    ssize_t n = read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return answer;  // kEnd
    if (c == '\n') {
      answer.kind = Answer::kLine;
      return answer;
    }
    answer.line += c;
  }
}

}  // namespace wasmhpc::cli
