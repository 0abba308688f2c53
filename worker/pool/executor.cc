#include "worker/pool/executor.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <deque>
#include <iostream>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/logging.h"
#include "mpi-bridge/bridge.h"
#include "mpi-bridge/release.h"
#include "wasi/wasi.h"
#include "worker/guest/guest.h"
#include "worker/pool/broadcast_message.h"
#include "worker/pool/control.pb.h"
#include "worker/pool/control_socket.h"
#include "worker/pool/interruptible_transport.h"
#include "worker/pool/log_batcher.h"
#include "worker/pool/lru_cache.h"
#include "worker/pool/peer_watch.h"
#include "worker/pool/pool_controller.h"
#include "worker/pool/run_control.h"

namespace wasmhpc::pool {
namespace {

// How long an executor waits idle after a job before it collects the job's
// garbage (its instance's memory and tables): jobs arriving back to back
// leave it to the next instantiation, as V8 would; a job after a pause
// then starts without that collection (~8% of an executor's time at job
// start, measured with perf).
constexpr absl::Duration kIdleBeforeCollecting = absl::Milliseconds(50);

// The main thread's mailbox: what the control thread received for it.
class Inbox {
 public:
  void Push(ToExecutor message) {
    absl::MutexLock lock(&mu_);
    queue_.push_back(std::move(message));
    cv_.SignalAll();
  }

  // Wakes the waits (a stop came).
  void Wake() {
    absl::MutexLock lock(&mu_);
    cv_.SignalAll();
  }

  // The next message, waiting for one at most `timeout`.
  std::optional<ToExecutor> Pop(absl::Duration timeout) {
    absl::MutexLock lock(&mu_);
    const absl::Time deadline = absl::Now() + timeout;
    while (queue_.empty()) {
      if (cv_.WaitWithDeadline(&mu_, deadline)) {
        if (queue_.empty()) return std::nullopt;
      }
    }
    ToExecutor message = std::move(queue_.front());
    queue_.pop_front();
    return message;
  }

  // The module for `job_id`, or nullopt once `stopped()` is true (checked
  // after every Wake). Other messages stay queued.
  std::optional<ToExecutor::Module> WaitModule(
      const std::string& job_id, const std::function<bool()>& stopped) {
    absl::MutexLock lock(&mu_);
    for (;;) {
      for (auto it = queue_.begin(); it != queue_.end(); ++it) {
        if (it->has_module() && it->module().job_id() == job_id) {
          ToExecutor::Module module = std::move(*it->mutable_module());
          queue_.erase(it);
          return module;
        }
      }
      if (stopped()) return std::nullopt;
      cv_.Wait(&mu_);
    }
  }

 private:
  absl::Mutex mu_;
  absl::CondVar cv_;
  std::deque<ToExecutor> queue_ ABSL_GUARDED_BY(mu_);
};

// "divide by zero\n    at divide (...)": a trap with its Wasm stack, runs
// of one frame (deep recursion) folded.
std::string TrapText(const engine::Trap& trap) {
  std::string text = trap.message;
  const std::vector<std::string>& frames = trap.frames;
  for (size_t i = 0; i < frames.size();) {
    size_t same = 1;
    while (i + same < frames.size() && frames[i + same] == frames[i]) ++same;
    absl::StrAppend(&text, "\n    at ", frames[i]);
    if (same > 1) {
      absl::StrAppend(&text, "\n    ... (same frame repeated ", same - 1,
                      " more times)");
    }
    i += same;
  }
  return text;
}

ToController::Result MakeResult(Outcome outcome, int32_t exit_code) {
  ToController::Result result;
  result.set_outcome(outcome);
  result.mutable_result()->set_exit_code(exit_code);
  return result;
}

ToController::Result LoadFailed(absl::string_view error) {
  ToController::Result result =
      MakeResult(OUTCOME_LOAD_FAILED, kLoadFailedExit);
  result.set_error(std::string(error));
  return result;
}

// What lives for one job; the guest goes before its communicator.
struct JobScope {
  MPI_Comm comm = MPI_COMM_NULL;
  int stdin_fd = -1;  // Rank 0's input (JobSpec.stdin), if any.
  std::unique_ptr<guest::Guest> guest;

  ~JobScope() {
    guest.reset();
    if (stdin_fd >= 0) close(stdin_fd);
    if (comm != MPI_COMM_NULL) MPI_Comm_free(&comm);
  }
};

// A file holding `bytes`, read from its start: the guest's stdin.
absl::StatusOr<int> InputFile(const std::string& bytes) {
  int fd = memfd_create("wasmhpc-stdin", MFD_CLOEXEC);
  if (fd < 0) {
    return absl::ErrnoToStatus(errno, "cannot hold the job's stdin");
  }
  for (size_t done = 0; done < bytes.size();) {
    ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      absl::Status error =
          absl::ErrnoToStatus(errno, "cannot hold the job's stdin");
      close(fd);
      return error;
    }
    done += static_cast<size_t>(n);
  }
  lseek(fd, 0, SEEK_SET);
  return fd;
}

}  // namespace

struct Executor::State {
  explicit State(ExecutorOptions opts)
      : options(std::move(opts)),
        modules(std::max<size_t>(options.module_cache_entries, 1)) {}

  void ControlLoop();
  // Acts on a message from the controller; false for Shutdown.
  bool Dispatch(ToExecutor message, absl::Time& next_flush);
  // Tells the controller this rank did not end `job` kStuckGrace after its
  // stop, naming the call it waits in.
  void ReportStuck(const std::string& job);
  void RunJob(const ToExecutor::Assign& assign);
  ToController::Result RunJobOn(const ToExecutor::Assign& assign, int job_rank,
                                JobScope& job);
  absl::StatusOr<engine::Module*> LoadModule(const ToExecutor::Assign& assign,
                                             int job_rank, MPI_Comm comm);
  // The controller's answer to NeedModule, or an error once stopped.
  ToExecutor::Module RequestModule(const ToExecutor::Assign& assign);
  // Clears the blob's compiled code unless its signature verifies with the
  // code key: V8 must never deserialize code it cannot trust.
  void DropUnverifiedCode(const std::string& digest, ToExecutor::Module& blob);
  // Compiles `blob` (with its code if it is this engine's), keeps the module
  // in the LRU and logs a compile that used no code.
  absl::StatusOr<engine::Module*> CompileModule(const std::string& digest,
                                                const ToExecutor::Module& blob);
  absl::Status Instantiate(const ToExecutor::Assign& assign, int job_rank,
                           const engine::Module& module, JobScope& job);
  ToController::Result Classify(const absl::StatusOr<engine::RunResult>& run,
                                const mpi::Bridge& bridge);
  void SendUp(const ToController& message);
  void FlushLogs();
  void FlushLogsLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(uplink_mu);
  void Log(const std::string& line) { options.log(line); }

  ExecutorOptions options;
  int rank = 0;
  std::string host;
  std::string fingerprint;
  std::unique_ptr<engine::Store> store;
  std::unique_ptr<RunControl> run;
  std::unique_ptr<PeerWatch> peers;
  std::unique_ptr<InterruptibleTransport> transport;
  // Main thread: the job in progress, and why a wait of it gave up on an
  // ended rank (PeerWatch), if one did.
  std::string current_job;
  std::string stuck_reason;
  int stuck_rank = -1;
  Inbox inbox;
  // Assignments the control thread passed on that the main thread has not
  // finished: while any, the control thread wakes to flush output.
  std::atomic<int> jobs_in_hand{0};
  LruCache<std::string, std::unique_ptr<engine::Module>> modules;
  LogBatcher logs;
  std::thread control_thread;

  // Sends to the controller, one at a time, and the job they are about.
  absl::Mutex uplink_mu;
  std::string job_id ABSL_GUARDED_BY(uplink_mu);
  int job_rank ABSL_GUARDED_BY(uplink_mu) = 0;
};

absl::StatusOr<std::unique_ptr<Executor>> Executor::Create(
    ExecutorOptions options) {
  if (options.engine == nullptr || options.control == nullptr) {
    return absl::InvalidArgumentError(
        "an executor needs an engine and a control connection");
  }
  if (!options.log) {
    options.log = LogInfo;
  }
  auto state = std::make_unique<State>(std::move(options));
  State& s = *state;
  MPI_Comm_rank(s.options.world, &s.rank);
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  s.host = host;
  // Host errors that belong to no communicator (MPI_Group_incl with a bad
  // rank, ...) are raised on MPI_COMM_WORLD: fatal there, a guest's bad
  // call would abort the whole pool. The bridge reports them to the guest.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  s.fingerprint = s.options.engine->Fingerprint();
  s.store = engine::Store::Create(*s.options.engine);
  absl::StatusOr<std::unique_ptr<RunControl>> run =
      RunControl::Create(*s.store, [&s] { s.inbox.Wake(); });
  if (!run.ok()) return run.status();
  s.run = *std::move(run);
  // Called on the main thread, from a wait in the guest's MPI call.
  s.peers = std::make_unique<PeerWatch>([&s](std::string reason, int rank) {
    s.stuck_reason = std::move(reason);
    s.stuck_rank = rank;
    s.run->Stop(s.current_job);
  });
  s.transport = std::make_unique<InterruptibleTransport>(
      s.run->stop_flag(), s.options.interruptible_collectives, s.peers.get());
  return std::unique_ptr<Executor>(new Executor(std::move(state)));
}

Executor::Executor(std::unique_ptr<State> state) : state_(std::move(state)) {}
Executor::~Executor() = default;

void Executor::Run() {
  State& s = *state_;
  s.control_thread = std::thread([&s] { s.ControlLoop(); });
  bool garbage = false;  // a job's instance is gone, not yet collected
  for (;;) {
    std::optional<ToExecutor> message =
        s.inbox.Pop(garbage ? kIdleBeforeCollecting : absl::InfiniteDuration());
    if (!message) {
      s.store->CollectGarbage();
      garbage = false;
      continue;
    }
    if (message->has_shutdown()) break;
    if (message->has_assign()) {
      s.RunJob(message->assign());
      --s.jobs_in_hand;
      garbage = true;
    }
    // Anything else is a module for a job that ended: dropped.
  }
  s.control_thread.join();
}

void Executor::State::ControlLoop() {
  absl::Time next_flush = absl::Now() + options.log_flush_interval;
  // A job stopped while it ran, and when it counts as stuck if still here.
  std::string stopped_job;
  absl::Time stuck_at = absl::InfiniteFuture();
  for (;;) {
    // Idle, this thread sleeps in poll(2) until the controller writes; with
    // a job in hand it also wakes to send the guest's output.
    absl::Time wake = jobs_in_hand.load() > 0 ? next_flush : stuck_at;
    wake = std::min(wake, stuck_at);
    ToExecutor message;
    absl::StatusOr<bool> got = options.control->Receive(
        &message, wake == absl::InfiniteFuture()
                      ? absl::InfiniteDuration()
                      : std::max(wake - absl::Now(), absl::ZeroDuration()));
    if (!got.ok()) {
      // The controller is gone: nothing more can come or be reported.
      Log(absl::StrCat("control connection: ", got.status().message(),
                       "; this executor ends"));
      run->StopCurrent();
      ToExecutor shutdown;
      shutdown.mutable_shutdown();
      inbox.Push(std::move(shutdown));
      return;
    }
    if (*got) {
      if (message.has_stop() && message.stop().job_id() == run->current_job()) {
        stopped_job = message.stop().job_id();
        stuck_at = absl::Now() + kStuckGrace;
      }
      if (!Dispatch(std::move(message), next_flush)) return;
      continue;
    }
    absl::Time now = absl::Now();
    if (now >= stuck_at) {
      if (run->current_job() == stopped_job) ReportStuck(stopped_job);
      stuck_at = absl::InfiniteFuture();
    }
    if (now >= next_flush) {
      // Never wait for the main thread's send: stops must get through.
      if (uplink_mu.TryLock()) {
        FlushLogsLocked();
        uplink_mu.Unlock();
      }
      next_flush = now + options.log_flush_interval;
    }
  }
}

bool Executor::State::Dispatch(ToExecutor message, absl::Time& next_flush) {
  switch (message.message_case()) {
    case ToExecutor::kStop:
      run->Stop(message.stop().job_id());
      return true;
    case ToExecutor::kPeerEnded:
      peers->Ended(message.peer_ended().job_id(),
                   message.peer_ended().job_rank(), message.peer_ended().how());
      return true;
    case ToExecutor::kShutdown:
      inbox.Push(std::move(message));
      return false;
    case ToExecutor::kAssign:
      ++jobs_in_hand;
      next_flush = absl::Now() + options.log_flush_interval;
      inbox.Push(std::move(message));
      return true;
    default:
      inbox.Push(std::move(message));
      return true;
  }
}

void Executor::State::ReportStuck(const std::string& job) {
  const char* call = transport->blocking_call();
  std::string what = call ? absl::StrCat("MPI_", call)
                          : std::string("a call a stop cannot end");
  Log(absl::StrCat("rank ", rank, " is stuck in ", what, " since job ", job,
                   " was stopped ", absl::FormatDuration(kStuckGrace), " ago"));
  ToController message;
  message.mutable_stuck()->set_job_id(job);
  message.mutable_stuck()->set_call(what);
  SendUp(message);
}

void Executor::State::SendUp(const ToController& message) {
  absl::MutexLock lock(&uplink_mu);
  if (absl::Status sent = options.control->Send(message); !sent.ok()) {
    Log(std::string(sent.message()));
  }
}

void Executor::State::FlushLogs() {
  absl::MutexLock lock(&uplink_mu);
  FlushLogsLocked();
}

void Executor::State::FlushLogsLocked() {
  if (job_id.empty()) return;
  ToController message;
  ToController::Logs* batch = message.mutable_logs();
  batch->set_job_id(job_id);
  if (!logs.Take(job_rank, batch)) return;
  if (absl::Status sent = options.control->Send(message); !sent.ok()) {
    Log(std::string(sent.message()));
  }
}

void Executor::State::RunJob(const ToExecutor::Assign& assign) {
  const auto& ranks = assign.ranks();
  int my_job_rank = static_cast<int>(
      std::find(ranks.begin(), ranks.end(), rank) - ranks.begin());
  run->BeginJob(assign.job_id());
  current_job = assign.job_id();
  stuck_reason.clear();
  stuck_rank = -1;
  {
    absl::MutexLock lock(&uplink_mu);
    job_id = assign.job_id();
    job_rank = my_job_rank;
  }
  ToController message;
  {
    JobScope job;
    *message.mutable_result() = RunJobOn(assign, my_job_rank, job);
    if (job.guest && job.guest->bridge()) {
      mpi::Leftovers left = mpi::ReleaseLeftovers(*job.guest->bridge());
      if (!left.empty()) {
        Log(absl::StrCat("job ", assign.job_id(), " rank ", my_job_rank, ": ",
                         left.Describe()));
      }
    }
    peers->EndJob();
  }  // the instance and the job communicator are gone: idle from here
  ToController::Result& result = *message.mutable_result();
  result.set_job_id(assign.job_id());
  result.mutable_result()->set_rank(my_job_rank);
  {
    absl::MutexLock lock(&uplink_mu);
    FlushLogsLocked();  // all output before the result
    if (absl::Status sent = options.control->Send(message); !sent.ok()) {
      Log(std::string(sent.message()));
    }
    job_id.clear();
  }
  run->EndJob();
}

ToController::Result Executor::State::RunJobOn(const ToExecutor::Assign& assign,
                                               int my_job_rank, JobScope& job) {
  MPI_Group world_group, job_group;
  MPI_Comm_group(options.world, &world_group);
  MPI_Group_incl(world_group, assign.ranks_size(), assign.ranks().data(),
                 &job_group);
  int rc = MPI_Comm_create_group(options.world, job_group, assign.comm_tag(),
                                 &job.comm);
  MPI_Group_free(&job_group);
  MPI_Group_free(&world_group);
  if (rc != MPI_SUCCESS) {
    job.comm = MPI_COMM_NULL;
    return LoadFailed("could not create the job's communicator");
  }
  peers->BeginJob(assign.job_id(), job.comm, my_job_rank);

  absl::Status ready = absl::OkStatus();
  absl::StatusOr<engine::Module*> module =
      LoadModule(assign, my_job_rank, job.comm);
  if (!module.ok()) {
    ready = module.status();
  } else {
    ready = Instantiate(assign, my_job_rank, **module, job);
  }
  // Run only if every rank is ready and none was stopped.
  int ok = ready.ok() && !run->stop_requested(), all_ok = 0;
  MPI_Allreduce(&ok, &all_ok, 1, MPI_INT, MPI_MIN, job.comm);
  if (!all_ok) {
    if (!ready.ok() && !run->stop_requested()) {
      return LoadFailed(ready.message());
    }
    return MakeResult(OUTCOME_SKIPPED, kStoppedExit);
  }

  ToController started;
  started.mutable_started()->set_job_id(assign.job_id());
  SendUp(started);
  if (!run->EnterRun()) return MakeResult(OUTCOME_SKIPPED, kStoppedExit);
  absl::StatusOr<engine::RunResult> result = job.guest->RunStart();
  run->LeaveRun(result.ok() ? *result : engine::RunResult{});
  const mpi::Bridge& bridge = *job.guest->bridge();
  ToController::Result classified = Classify(result, bridge);
  classified.set_mpi_initialized(bridge.state() !=
                                 mpi::Bridge::State::kNotInitialized);
  classified.set_mpi_finalized(bridge.state() ==
                               mpi::Bridge::State::kFinalized);
  return classified;
}

absl::StatusOr<engine::Module*> Executor::State::LoadModule(
    const ToExecutor::Assign& assign, int my_job_rank, MPI_Comm comm) {
  const std::string& digest = assign.spec().module_digest();
  std::unique_ptr<engine::Module>* cached = modules.Get(digest);
  int missing = cached == nullptr, any_missing = 0;
  MPI_Allreduce(&missing, &any_missing, 1, MPI_INT, MPI_MAX, comm);
  if (!any_missing) return cached->get();

  engine::Module* module = cached ? cached->get() : nullptr;
  ToExecutor::Module blob;
  absl::Status failed = absl::OkStatus();  // rank 0's own compile
  bool report_code = false;
  if (my_job_rank == 0) {
    blob = RequestModule(assign);
    DropUnverifiedCode(digest, blob);
    bool usable = !blob.compiled_code().empty() &&
                  blob.engine_fingerprint() == fingerprint;
    if (blob.error().empty() && !usable) {
      // No code for this engine: this rank compiles once and shares the
      // code with the job's other ranks (and the controller).
      if (module == nullptr) {
        absl::StatusOr<engine::Module*> compiled = CompileModule(digest, blob);
        if (compiled.ok()) {
          module = *compiled;
        } else {
          failed = compiled.status();
          blob.set_error(std::string(failed.message()));
        }
      }
      if (module != nullptr) {
        std::vector<uint8_t> code = module->Serialize();
        blob.set_compiled_code(std::string(code.begin(), code.end()));
        blob.set_engine_fingerprint(fingerprint);
        report_code = !code.empty();  // Liftoff code is not serializable
      }
    }
  }
  absl::Status shared = BroadcastMessage(comm, 0, &blob);
  if (report_code) {
    ToController report;
    ToController::CompiledCode* code = report.mutable_compiled_code();
    code->set_digest(digest);
    code->set_engine_fingerprint(fingerprint);
    code->set_code(std::move(*blob.mutable_compiled_code()));
    SendUp(report);
  }
  if (!failed.ok()) return failed;
  if (module != nullptr) return module;
  if (!shared.ok()) return shared;
  if (!blob.error().empty()) return absl::UnavailableError(blob.error());
  return CompileModule(digest, blob);
}

ToExecutor::Module Executor::State::RequestModule(
    const ToExecutor::Assign& assign) {
  ToController need;
  need.mutable_need_module()->set_job_id(assign.job_id());
  need.mutable_need_module()->set_digest(assign.spec().module_digest());
  SendUp(need);
  std::optional<ToExecutor::Module> answer = inbox.WaitModule(
      assign.job_id(), [this] { return run->stop_requested(); });
  if (answer) return *std::move(answer);
  ToExecutor::Module stopped;
  stopped.set_error("the job was stopped");
  return stopped;
}

void Executor::State::DropUnverifiedCode(const std::string& digest,
                                         ToExecutor::Module& blob) {
  if (blob.compiled_code().empty()) return;
  const CodeKey* key = options.code_key;
  if (key != nullptr &&
      key->Verify(digest, blob.engine_fingerprint(), blob.compiled_code(),
                  blob.code_signature())) {
    return;
  }
  Log(absl::StrCat("rank ", rank, " on ", host, ": compiled code of ",
                   digest.substr(0, 19),
                   key == nullptr ? " ignored (no --code-key)"
                                  : " ignored: its signature does not verify",
                   "; compiling the module"));
  blob.clear_compiled_code();
  blob.clear_code_signature();
}

absl::StatusOr<engine::Module*> Executor::State::CompileModule(
    const std::string& digest, const ToExecutor::Module& blob) {
  auto bytes = absl::Span<const uint8_t>(
      reinterpret_cast<const uint8_t*>(blob.module_bytes().data()),
      blob.module_bytes().size());
  auto code = absl::Span<const uint8_t>(
      reinterpret_cast<const uint8_t*>(blob.compiled_code().data()),
      blob.compiled_code().size());
  // Code for another engine would crash V8: only this engine's is used.
  absl::StatusOr<std::unique_ptr<engine::Module>> compiled =
      !code.empty() && blob.engine_fingerprint() == fingerprint
          ? engine::Module::CompileWithCache(*store, bytes, code)
          : engine::Module::Compile(*store, bytes);
  if (!compiled.ok()) return compiled.status();
  if (!(*compiled)->from_cache()) {
    Log(absl::StrCat("rank ", rank, " on ", host, " compiled module ",
                     digest.substr(0, 19),
                     " (no cached code for this engine)"));
  }
  return modules.Put(digest, *std::move(compiled)).get();
}

absl::Status Executor::State::Instantiate(const ToExecutor::Assign& assign,
                                          int job_rank,
                                          const engine::Module& module,
                                          JobScope& job) {
  const v1::JobSpec& spec = assign.spec();
  wasi::WasiOptions w;
  w.args.push_back(assign.module_name().empty() ? spec.module_digest()
                                                : assign.module_name());
  w.args.insert(w.args.end(), spec.args().begin(), spec.args().end());
  for (const auto& [key, value] : spec.env()) {
    w.env.push_back(absl::StrCat(key, "=", value));
  }
  std::sort(w.env.begin(), w.env.end());
  for (const v1::Dir& dir : spec.dirs()) {
    w.preopens.push_back(
        {dir.host_path(),
         dir.guest_path().empty() ? dir.host_path() : dir.guest_path(),
         dir.read_only(), /*strict=*/true, options.allowed_dirs});
  }
  // As under mpirun: rank 0 reads the job's input, the others end of file.
  if (job_rank == 0 && !spec.stdin().empty()) {
    absl::StatusOr<int> fd = InputFile(spec.stdin());
    if (!fd.ok()) return fd.status();
    job.stdin_fd = *fd;
  }
  w.stdin_fd = job.stdin_fd;
  w.output = [this](int fd, std::string_view bytes) {
    logs.Append(fd, bytes);
    if (logs.pending_bytes() >= options.log_flush_bytes) FlushLogs();
  };
  w.interrupted = [this] { return run->stop_requested(); };
  absl::StatusOr<std::unique_ptr<guest::Guest>> guest =
      guest::Guest::Create(std::move(w));
  if (!guest.ok()) return guest.status();
  job.guest = *std::move(guest);
  // The job's memory limit, in this rank: initial memory and tables,
  // memory.grow past it fails, and the engine heap may grow by as much
  // (0: the pool's --max-memory).
  return job.guest->Instantiate(
      *store, module,
      {.transport = transport.get(),
       .world = job.comm,
       .max_memory_bytes = spec.memory_limit_bytes()});
}

ToController::Result Executor::State::Classify(
    const absl::StatusOr<engine::RunResult>& run_result,
    const mpi::Bridge& bridge) {
  if (!run_result.ok()) return LoadFailed(run_result.status().message());
  if (!stuck_reason.empty()) {  // a wait gave up on an ended rank
    ToController::Result result = MakeResult(OUTCOME_PEER_ENDED, kStoppedExit);
    result.set_error(stuck_reason);
    result.set_ended_rank(stuck_rank);
    return result;
  }
  const engine::RunResult& r = *run_result;
  bool clean_exit = !r.terminated && !r.trap && r.exit_code == 0;
  // A stopped guest may also trap or exit non-zero on its way out (an MPI
  // wait that gave up returns an error): that is the stop, not a failure.
  if (r.terminated || (run->stop_requested() && !clean_exit)) {
    return MakeResult(OUTCOME_STOPPED, kStoppedExit);
  }
  if (bridge.aborted()) return MakeResult(OUTCOME_ABORTED, bridge.abort_code());
  if (r.trap) {
    ToController::Result result = MakeResult(OUTCOME_TRAPPED, kTrapExit);
    result.mutable_result()->set_trap(TrapText(*r.trap));
    return result;
  }
  return MakeResult(OUTCOME_EXITED, r.exit_code);
}

}  // namespace wasmhpc::pool
