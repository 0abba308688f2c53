// InterruptWatcher: Ctrl-C (SIGINT) for wasmhpc-cli, taken by one thread
// with sigwait, so that ordinary code, not a signal handler, decides what
// it means: while `submit` follows a job it asks whether to cancel it;
// otherwise the CLI exits 130 as the default action would.
//
// Thread safety: SetHandler may be called from any thread. A handler runs
// on the watcher thread, one SIGINT at a time; a SIGINT that comes while a
// handler runs waits for it (or is taken by ReadLineOrInterrupt).
#ifndef WASMHPC_CLIENT_CLI_INTERRUPT_H_
#define WASMHPC_CLIENT_CLI_INTERRUPT_H_

#include <functional>
#include <string>

namespace wasmhpc::cli {

class InterruptWatcher {
 public:
  // Blocks SIGINT in the calling thread and starts the watcher thread.
  // REQUIRES: called once, first thing in main, before any other thread
  // exists (threads inherit the blocked mask, so only the watcher takes
  // SIGINT).
  static void Install();

  // While `handler` is set, each SIGINT runs it on the watcher thread; with
  // none (nullptr), SIGINT flushes stdout and stderr and exits 130. The
  // handler must keep what it uses alive itself (capture shared_ptrs): it
  // may still run after SetHandler(nullptr) returns.
  static void SetHandler(std::function<void()> handler);

  struct Answer {
    enum Kind {
      kLine,         // `line` holds what was typed, without the newline.
      kInterrupted,  // Another SIGINT came first.
      kEnd,          // The input ended (Ctrl-D) or failed.
    };
    Kind kind = kEnd;
    std::string line;
  };

  // For a handler asking a question: reads one line from `fd` (a terminal)
  // unless another SIGINT comes first.
  static Answer ReadLineOrInterrupt(int fd);
};

}  // namespace wasmhpc::cli

#endif  // WASMHPC_CLIENT_CLI_INTERRUPT_H_
