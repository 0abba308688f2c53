#include "worker/pool/controller_main.h"

#include <algorithm>
#include <atomic>
#include <deque>
#include <iostream>
#include <memory>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "cache-store/module_digest.h"
#include "worker/pool/control_channel.h"
#include "worker/pool/head_client.h"
#include "worker/pool/pool_controller.h"

namespace wasmhpc::pool {
namespace {

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

class MpiExecutorLink : public ExecutorLink {
 public:
  MpiExecutorLink(ControlChannel& channel, Log log)
      : channel_(channel), log_(std::move(log)) {}
  void Send(int rank, const ToExecutor& message) override {
    if (absl::Status sent = channel_.Send(rank, message); !sent.ok()) {
      log_(absl::StrCat("sending to rank ", rank, ": ", sent.message()));
    }
  }

 private:
  ControlChannel& channel_;
  Log log_;
};

// Runs FetchModule calls one at a time on its own thread.
class FetchThread : public ModuleFetcher {
 public:
  using Done = std::function<void(
      const std::string&, absl::StatusOr<std::shared_ptr<const ModuleBlob>>)>;

  FetchThread(HeadClient& client, std::string fingerprint,
              absl::Duration timeout, Done done)
      : client_(client),
        fingerprint_(std::move(fingerprint)),
        timeout_(timeout),
        done_(std::move(done)),
        thread_([this] { Loop(); }) {}

  void StartFetch(const std::string& digest) override {
    absl::MutexLock lock(&mu_);
    queue_.push_back(digest);
  }

 private:
  void Loop() {
    for (;;) {
      std::string digest;
      {
        absl::MutexLock lock(&mu_);
        mu_.Await(absl::Condition(
            +[](std::deque<std::string>* q) { return !q->empty(); }, &queue_));
        digest = std::move(queue_.front());
        queue_.pop_front();
      }
      done_(digest, Fetch(digest));
    }
  }

  absl::StatusOr<std::shared_ptr<const ModuleBlob>> Fetch(
      const std::string& digest) {
    absl::StatusOr<ModuleBlob> blob =
        client_.Fetch(digest, fingerprint_, timeout_);
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
  absl::Duration timeout_;
  Done done_;
  absl::Mutex mu_;
  std::deque<std::string> queue_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;  // runs for the life of the process
};

// Polls the control communicator for the executors' reports.
void ReceiveFromExecutors(ControlChannel& channel, EventLoop& loop,
                          PoolController& controller,
                          absl::Duration max_poll_interval, const Log& log) {
  PollPause pause(max_poll_interval);
  for (;;) {
    auto message = std::make_shared<ToController>();
    int from = 0;
    absl::StatusOr<bool> got =
        channel.TryReceive(MPI_ANY_SOURCE, message.get(), &from);
    if (!got.ok()) {
      log(std::string(got.status().message()));
    } else if (*got) {
      loop.Post([&controller, from, message] {
        controller.OnExecutorMessage(from, *message);
      });
      pause.Reset();
      continue;
    }
    pause.Wait();
  }
}

// Runs the loop until the stream ends (`*attached` turns false).
void Serve(EventLoop& loop, PoolController& controller, const bool& attached) {
  while (attached) {
    absl::Time wake = absl::Now() + absl::Seconds(1);
    if (std::optional<absl::Time> next = controller.NextDeadline()) {
      wake = std::min(wake, *next);
    }
    loop.RunUntil(wake);
    controller.Tick();
  }
}

// After losing the head: lets the stopped jobs end, up to `grace`.
void AwaitStoppedJobs(EventLoop& loop, PoolController& controller,
                      absl::Duration grace) {
  absl::Time until = absl::Now() + grace;
  while (controller.active_jobs() > 0 && absl::Now() < until) {
    loop.RunUntil(std::min(until, absl::Now() + absl::Milliseconds(100)));
  }
}

}  // namespace

void RunController(ControllerConfig config) {
  if (!config.log) {
    config.log = [](const std::string& line) {
      std::cerr << "wasmhpc-worker: " << line << std::endl;
    };
  }
  const Log& log = config.log;
  HeadClient client(config.head);
  ControlChannel channel(config.control);
  EventLoop loop;
  StreamHeadLink head(client);
  MpiExecutorLink executors(channel, log);
  PoolController* controller_ptr = nullptr;
  FetchThread fetcher(
      client, config.hello.engine_fingerprint(), config.fetch_timeout,
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
       .fetcher = &fetcher,
       .module_cache_entries = config.module_cache_entries,
       .now = {},
       .log = log});
  controller_ptr = &controller;
  std::thread receiver([&] {
    ReceiveFromExecutors(channel, loop, controller, config.max_poll_interval,
                         log);
  });

  v1::PoolMessage hello;
  *hello.mutable_hello() = config.hello;
  absl::Duration backoff = absl::Milliseconds(100);
  bool reported_unreachable = false;
  for (;;) {
    bool attached = true;
    absl::Status status = client.Attach(
        hello,
        [&loop, &controller](const v1::HeadMessage& message) {
          loop.Post(
              [&controller, message] { controller.OnHeadMessage(message); });
        },
        [&loop, &controller, &attached, &log](const absl::Status& end) {
          loop.Post([&controller, &attached, &log, end] {
            log(absl::StrCat("lost the head (", end.ToString(),
                             "); stopping its jobs and attaching again"));
            attached = false;
            controller.OnHeadLost();
          });
        });
    if (status.ok()) {
      log(absl::StrCat("attached to ", config.head, " with ",
                       config.hello.ranks_size(), " ranks"));
      reported_unreachable = false;
      backoff = absl::Milliseconds(100);
      Serve(loop, controller, attached);
      client.Detach();
      AwaitStoppedJobs(loop, controller, config.reattach_grace);
    } else if (!reported_unreachable) {
      log(absl::StrCat(status.message(), "; retrying"));
      reported_unreachable = true;
    }
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, absl::Seconds(5));
  }
}

}  // namespace wasmhpc::pool
