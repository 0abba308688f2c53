#include "worker/pool/drain_signals.h"

#include <signal.h>
#include <unistd.h>

#include <ctime>
#include <utility>

namespace wasmhpc::pool {
namespace {

sigset_t DrainSet() {
  sigset_t set;
  sigemptyset(&set);
  for (int signal : {SIGUSR1, SIGUSR2, SIGTERM}) sigaddset(&set, signal);
  return set;
}

std::string SignalName(int signal) {
  switch (signal) {
    case SIGUSR1:
      return "SIGUSR1";
    case SIGUSR2:
      return "SIGUSR2";
    case SIGTERM:
      return "SIGTERM";
    default:
      return "signal " + std::to_string(signal);
  }
}

}  // namespace

void BlockDrainSignals() {
  sigset_t set = DrainSet();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

void IgnoreDrainSignals() {
  for (int signal : {SIGUSR1, SIGUSR2, SIGTERM}) {
    struct sigaction action = {};
    action.sa_handler = SIG_IGN;
    sigemptyset(&action.sa_mask);
    sigaction(signal, &action, nullptr);
  }
}

DrainSignalWatcher::DrainSignalWatcher(
    std::function<void(const std::string&, bool)> on_signal)
    : on_signal_(std::move(on_signal)), thread_([this] {
        const sigset_t set = DrainSet();
        const timespec pause = {.tv_sec = 0, .tv_nsec = 100'000'000};
        while (!stop_.load()) {
          siginfo_t info = {};
          int signal = sigtimedwait(&set, &info, &pause);
          if (signal > 0) {
            on_signal_(SignalName(signal),
                       info.si_code == SI_USER && info.si_pid == getppid());
          }
        }
      }) {}

DrainSignalWatcher::~DrainSignalWatcher() {
  stop_.store(true);
  thread_.join();
}

}  // namespace wasmhpc::pool
