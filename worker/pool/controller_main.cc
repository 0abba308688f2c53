#include "worker/pool/controller_main.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <deque>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "cache-store/module_digest.h"
#include "common/logging.h"
#include "worker/pool/control_socket.h"
#include "worker/pool/drain_signals.h"
#include "worker/pool/executor.h"
#include "worker/pool/head_client.h"
#include "worker/pool/pool_controller.h"

namespace wasmhpc::pool {
namespace {

// CodeKey::Sign as PoolControllerOptions::sign_code; empty without a key.
std::function<std::string(const std::string&, const std::string&,
                          const std::string&)>
SignerOf(const CodeKey* key) {
  if (key == nullptr) return {};
  return [key](const std::string& digest, const std::string& fingerprint,
               const std::string& code) {
    return key->Sign(digest, fingerprint, code);
  };
}

using Log = std::function<void(const std::string&)>;

// Events for the loop thread.
class EventLoop {
 public:
  void Post(std::function<void()> event) {
    absl::MutexLock lock(&mu_);
    events_.push_back(std::move(event));
    cv_.Signal();
  }

  // Runs what was posted, first waiting for an event until `deadline`.
  void RunUntil(absl::Time deadline) {
    std::deque<std::function<void()>> batch;
    {
      absl::MutexLock lock(&mu_);
      while (events_.empty() && !cv_.WaitWithDeadline(&mu_, deadline)) {
      }
      batch.swap(events_);
    }
    for (std::function<void()>& event : batch) event();
  }

 private:
  absl::Mutex mu_;
  absl::CondVar cv_;
  std::deque<std::function<void()>> events_ ABSL_GUARDED_BY(mu_);
};

class StreamHeadLink : public HeadLink {
 public:
  explicit StreamHeadLink(HeadClient& client) : client_(client) {}
  void Send(const v1::PoolMessage& message) override { client_.Send(message); }

 private:
  HeadClient& client_;
};

// The executors' control connections (index: pool rank).
using Connections = std::vector<std::unique_ptr<ControlConnection>>;

class SocketExecutorLink : public ExecutorLink {
 public:
  SocketExecutorLink(const Connections& executors, Log log)
      : executors_(executors), log_(std::move(log)) {}
  void Send(int rank, const ToExecutor& message) override {
    if (rank <= 0 || rank >= static_cast<int>(executors_.size())) return;
    absl::Status sent = executors_[rank]->Send(message);
    if (!sent.ok()) {
      log_(absl::StrCat("sending to rank ", rank, ": ", sent.message()));
    }
  }

 private:
  const Connections& executors_;
  Log log_;
};

// Runs FetchModule and UploadCode calls one at a time on its own thread.
class TransferThread : public ModuleFetcher, public CodeUploader {
 public:
  using Done = std::function<void(
      const std::string&, absl::StatusOr<std::shared_ptr<const ModuleBlob>>)>;

  TransferThread(HeadClient& client, const ControllerConfig& config, Done done)
      : client_(client),
        fingerprint_(config.hello.engine_fingerprint()),
        fetch_timeout_(config.fetch_timeout),
        upload_timeout_(config.upload_timeout),
        code_key_(config.code_key),
        done_(std::move(done)),
        log_(config.log),
        thread_([this] { Loop(); }) {}

  // Runs the calls queued so far (each bounded by its timeout), then stops.
  ~TransferThread() override {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
    }
    thread_.join();
  }

  void StartFetch(const std::string& digest) override {
    Enqueue([this, digest] { done_(digest, Fetch(digest)); });
  }

  void StartUpload(const std::string& digest,
                   std::shared_ptr<const ModuleBlob> code) override {
    Enqueue([this, digest, code = std::move(code)] {
      absl::Status uploaded = client_.UploadCode(
          digest, code->engine_fingerprint, code->compiled_code,
          code->code_signature, upload_timeout_);
      if (!uploaded.ok()) {
        log_(absl::StrCat("uploading the compiled code of ", digest,
                          " to the head: ", uploaded.message()));
      }
    });
  }

 private:
  void Enqueue(std::function<void()> call) {
    absl::MutexLock lock(&mu_);
    queue_.push_back(std::move(call));
  }

  void Loop() {
    for (;;) {
      std::function<void()> call;
      {
        absl::MutexLock lock(&mu_);
        mu_.Await(absl::Condition(this, &TransferThread::Ready));
        if (queue_.empty()) return;  // stopping
        call = std::move(queue_.front());
        queue_.pop_front();
      }
      call();
    }
  }

  bool Ready() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !queue_.empty() || stopping_;
  }

  absl::StatusOr<std::shared_ptr<const ModuleBlob>> Fetch(
      const std::string& digest) {
    absl::StatusOr<ModuleBlob> blob =
        // Without the code key the pool could not check code: ask for none.
        client_.Fetch(digest, code_key_ ? fingerprint_ : std::string(),
                      fetch_timeout_);
    if (!blob.ok()) {
      return absl::Status(
          blob.status().code(),
          absl::StrCat("fetching module ", digest,
                       " from the head: ", blob.status().message()));
    }
    if (std::string got = ModuleDigest(blob->bytes); got != digest) {
      return absl::DataLossError(absl::StrCat(
          "the head sent module bytes with digest ", got, " for ", digest));
    }
    return std::make_shared<const ModuleBlob>(*std::move(blob));
  }

  HeadClient& client_;
  std::string fingerprint_;
  absl::Duration fetch_timeout_;
  absl::Duration upload_timeout_;
  const CodeKey* const code_key_;
  Done done_;
  Log log_;
  absl::Mutex mu_;
  std::deque<std::function<void()>> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

// Why executor `rank`'s connection ended without a Shutdown: it died.
std::string ExecutorGone(const ControllerConfig& config, int rank,
                         const absl::Status& why) {
  const auto& ranks = config.hello.ranks();
  std::string host = rank < ranks.size() ? ranks[rank].host() : "?";
  std::string pid = rank < static_cast<int>(config.pids.size())
                        ? absl::StrCat(", pid ", config.pids[rank])
                        : "";
  return absl::StrCat("executor rank ", rank, " (host ", host, pid,
                      ") died (its control connection ended: ", why.message(),
                      "; killed or crashed, mpirun's output says how)");
}

// Reads the executors' reports (sleeping in poll(2) between them) until
// `wake_fd` becomes readable. A connection that ends means its executor
// died: the pool is lost (mpirun ends it next).
void ReceiveFromExecutors(const Connections& executors, int wake_fd,
                          EventLoop& loop, PoolController& controller,
                          const ControllerConfig& config) {
  std::vector<int> fds = {wake_fd};
  for (size_t r = 1; r < executors.size(); ++r) {
    fds.push_back(executors[r]->fd());
  }
  for (;;) {
    for (size_t i : WaitReadable(fds, absl::InfiniteDuration())) {
      if (i == 0) return;
      int rank = static_cast<int>(i);  // fds[r] is rank r's
      for (;;) {
        auto message = std::make_shared<ToController>();
        absl::StatusOr<bool> got = executors[rank]->TryReceive(message.get());
        if (!got.ok()) {
          fds[i] = -1;  // poll(2) skips it from now on
          std::string why = ExecutorGone(config, rank, got.status());
          loop.Post([&controller, why] {
            if (!controller.shut_down()) controller.Lost(why);
          });
          break;
        }
        if (!*got) break;
        loop.Post([&controller, rank, message] {
          controller.OnExecutorMessage(rank, *message);
        });
      }
    }
  }
}

// Why mpirun sends SIGTERM: the executors on this host whose process is
// gone ("executor rank 2 (host h1) died"), else a guess.
std::string WhyLauncherEnds(const ControllerConfig& config) {
  const auto& ranks = config.hello.ranks();
  std::string dead;
  for (int r = 1; r < ranks.size() && r < static_cast<int>(config.pids.size());
       ++r) {
    if (ranks[r].host() != ranks[0].host() || config.pids[r] <= 0) continue;
    if (kill(config.pids[r], 0) == 0 || errno != ESRCH) continue;
    absl::StrAppend(&dead, dead.empty() ? "" : ", ", "executor rank ", r,
                    " (host ", ranks[r].host(), ", pid ", config.pids[r], ")");
  }
  if (dead.empty()) {
    return "mpirun is ending the pool (a rank on another host died, or "
           "mpirun was told to stop)";
  }
  return absl::StrCat(dead,
                      " died (killed or crashed; mpirun's output says "
                      "how); mpirun is ending the pool");
}

// Runs the loop while `go_on()` holds, up to `until`.
void Serve(EventLoop& loop, PoolController& controller,
           const std::function<bool()>& go_on,
           absl::Time until = absl::InfiniteFuture()) {
  while (go_on() && absl::Now() < until) {
    absl::Time wake = std::min(until, absl::Now() + absl::Seconds(1));
    if (std::optional<absl::Time> next = controller.NextDeadline()) {
      wake = std::min(wake, *next);
    }
    loop.RunUntil(wake);
    controller.Tick();
  }
}

}  // namespace

int RunController(ControllerConfig config) {
  if (!config.log) config.log = LogInfo;
  const Log& log = config.log;
  HeadClient client(config.head, config.token, config.tls);
  EventLoop loop;
  StreamHeadLink head(client);
  SocketExecutorLink executors(config.executors, log);
  PoolController* controller_ptr = nullptr;
  TransferThread transfers(
      client, config,
      [&loop, &controller_ptr](
          const std::string& digest,
          absl::StatusOr<std::shared_ptr<const ModuleBlob>> blob) {
        loop.Post([&controller_ptr, digest, blob = std::move(blob)] {
          controller_ptr->OnModuleFetched(digest, blob);
        });
      });
  PoolController controller(
      {.world_size = config.hello.ranks_size(),
       .head = &head,
       .executors = &executors,
       .fetcher = &transfers,
       .uploader = &transfers,
       .sign_code = SignerOf(config.code_key),
       .module_cache_entries = config.module_cache_entries,
       .log = log});
  controller_ptr = &controller;
  int wake[2];
  if (pipe2(wake, O_CLOEXEC) != 0) {
    log(absl::StrCat("pipe2: ", std::strerror(errno)));
    return 1;
  }
  std::thread receiver([&] {
    ReceiveFromExecutors(config.executors, wake[0], loop, controller, config);
  });
  std::optional<DrainSignalWatcher> signals;
  if (config.drain_on_signals) {
    signals.emplace([&loop, &controller, &config](const std::string& name,
                                                  bool from_parent) {
      if (name == "SIGTERM" && from_parent) {
        std::string why = WhyLauncherEnds(config);
        loop.Post([&controller, why] { controller.Lost(why); });
        return;
      }
      loop.Post([&controller, name] { controller.Drain(name); });
    });
  }

  v1::PoolMessage hello;
  *hello.mutable_hello() = config.hello;
  absl::Duration backoff = absl::Milliseconds(100);
  bool reported_unreachable = false;
  // The current stream's state, changed by its events on the loop thread.
  bool attached = false, welcomed = false;
  auto up = [&] { return !controller.shut_down(); };
  while (!controller.shut_down()) {
    if (controller.draining()) {  // no head: leaves once idle
      Serve(loop, controller, up);
      break;
    }
    attached = true;
    welcomed = false;
    absl::Status status = client.Attach(
        hello,
        [&](const v1::HeadMessage& message) {
          loop.Post([&, message] {
            if (message.has_welcome() && !welcomed) {
              welcomed = true;
              reported_unreachable = false;
              backoff = absl::Milliseconds(100);
              log(absl::StrCat("attached to ", config.head, " as pool ",
                               message.welcome().pool_id(), " with ",
                               config.hello.ranks_size(), " ranks"));
            }
            controller.OnHeadMessage(message);
          });
        },
        [&](const absl::Status& end) {
          loop.Post([&, end] {
            attached = false;
            if (controller.shut_down()) return;  // we closed it
            if (!welcomed) {                     // refused: retried quietly
              if (!reported_unreachable) {
                log(
                    absl::StrCat("the head ended the stream before its "
                                 "Welcome (",
                                 end.ToString(), "); retrying"));
                reported_unreachable = true;
              }
            } else {
              log(absl::StrCat("lost the head (", end.ToString(), "); ",
                               controller.draining()
                                   ? "leaving once idle"
                                   : "stopping its jobs and attaching again"));
            }
            controller.OnHeadLost();
          });
        });
    if (status.ok()) {
      controller.OnAttached();
      Serve(loop, controller, [&] { return attached && up(); });
      if (controller.shut_down()) break;
      client.Detach();
      // Lets the stopped jobs end, up to the grace.
      Serve(
          loop, controller,
          [&] { return controller.active_jobs() > 0 && up(); },
          absl::Now() + config.reattach_grace);
    } else if (!reported_unreachable) {
      log(absl::StrCat(status.message(), "; retrying"));
      reported_unreachable = true;
    }
    // The pause serves events too: a drain signal, the executors' reports.
    Serve(
        loop, controller, [&] { return up() && !controller.draining(); },
        absl::Now() + backoff);
    backoff = std::min(backoff * 2, absl::Seconds(5));
  }
  client.Detach();  // closes the stream, if open
  signals.reset();
  char byte = 0;
  while (write(wake[1], &byte, 1) < 0 && errno == EINTR) {
  }
  receiver.join();
  close(wake[0]);
  close(wake[1]);
  log("the pool left its head: every rank exits");
  return controller.exit_code();
}

}  // namespace wasmhpc::pool
