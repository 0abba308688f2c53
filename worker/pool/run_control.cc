#include "worker/pool/run_control.h"

#include <cstdint>
#include <utility>

namespace wasmhpc::pool {
namespace {

// (module
//   (global $n (mut i32) (i32.const 0))
//   (func (export "_start")
//     (loop $spin
//       (global.set $n (i32.add (global.get $n) (i32.const 1)))
//       (br_if $spin (i32.lt_u (global.get $n) (i32.const 1000))))))
// A loop's back edge checks for interrupts: a pending termination lands
// there at the latest.
constexpr uint8_t kDrainModule[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01,
    0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x06, 0x06, 0x01, 0x7f,
    0x01, 0x41, 0x00, 0x0b, 0x07, 0x0a, 0x01, 0x06, 0x5f, 0x73, 0x74,
    0x61, 0x72, 0x74, 0x00, 0x00, 0x0a, 0x16, 0x01, 0x14, 0x00, 0x03,
    0x40, 0x23, 0x00, 0x41, 0x01, 0x6a, 0x24, 0x00, 0x23, 0x00, 0x41,
    0xe8, 0x07, 0x49, 0x0d, 0x00, 0x0b, 0x0b};

}  // namespace

absl::StatusOr<std::unique_ptr<RunControl>> RunControl::Create(
    engine::Store& store, std::function<void()> on_stop) {
  absl::StatusOr<std::unique_ptr<engine::Module>> drain =
      engine::Module::Compile(store, kDrainModule);
  if (!drain.ok()) return drain.status();
  return std::unique_ptr<RunControl>(
      new RunControl(store, *std::move(drain), std::move(on_stop)));
}

RunControl::RunControl(engine::Store& store,
                       std::unique_ptr<engine::Module> drain,
                       std::function<void()> on_stop)
    : store_(store), drain_(std::move(drain)), on_stop_(std::move(on_stop)) {}

RunControl::~RunControl() = default;

void RunControl::BeginJob(const std::string& job_id) {
  absl::MutexLock lock(&mu_);
  job_ = job_id;
  running_ = false;
  terminated_ = false;
  stop_.store(early_stops_.contains(job_id), std::memory_order_release);
  early_stops_.clear();
}

bool RunControl::EnterRun() {
  absl::MutexLock lock(&mu_);
  if (stop_.load(std::memory_order_acquire)) return false;
  running_ = true;
  return true;
}

void RunControl::LeaveRun(const engine::RunResult& result) {
  bool pending;
  {
    absl::MutexLock lock(&mu_);
    running_ = false;
    pending = terminated_ && !result.terminated;
    terminated_ = false;
  }
  if (pending) Drain();
}

void RunControl::EndJob() {
  absl::MutexLock lock(&mu_);
  job_.clear();
  running_ = false;
}

void RunControl::Stop(const std::string& job_id) {
  {
    absl::MutexLock lock(&mu_);
    if (job_id.empty()) return;
    if (job_id != job_) {
      early_stops_.insert(job_id);
      return;
    }
    stop_.store(true, std::memory_order_release);
    if (running_ && !terminated_) {
      store_.Terminate();
      terminated_ = true;
    }
  }
  if (on_stop_) on_stop_();
}

void RunControl::StopCurrent() { Stop(current_job()); }

std::string RunControl::current_job() const {
  absl::MutexLock lock(&mu_);
  return job_;
}

void RunControl::Drain() {
  ++drained_;
  // The pending termination lands in the first JS or Wasm code V8 runs:
  // the drain's loop, or already the instantiation (which then fails). V8
  // clears it once it has unwound to this outermost call, so a second try
  // instantiates cleanly and runs 1000 iterations of nothing.
  for (int attempt = 0; attempt < 2; ++attempt) {
    absl::StatusOr<std::unique_ptr<engine::Instance>> instance =
        engine::Instance::Create(store_, *drain_, {});
    if (!instance.ok()) continue;
    (void)(*instance)->RunStart();
    return;
  }
}

}  // namespace wasmhpc::pool
