#include "worker/pool/pool_controller.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"

namespace wasmhpc::pool {
namespace {

// Tags for MPI_Comm_create_group cycle through [1, kMaxCommTag]: far below
// any MPI_TAG_UB, and never two live jobs with one tag.
constexpr int32_t kMaxCommTag = 1 << 20;

}  // namespace

bool IsFailure(const ToController::Result& result) {
  switch (result.outcome()) {
    case OUTCOME_EXITED:
      return result.result().exit_code() != 0;
    case OUTCOME_TRAPPED:
    case OUTCOME_ABORTED:
    case OUTCOME_LOAD_FAILED:
    case OUTCOME_PEER_ENDED:
      return true;
    default:
      return false;
  }
}

std::string DescribeFailure(const ToController::Result& result) {
  const v1::RankResult& r = result.result();
  switch (result.outcome()) {
    case OUTCOME_TRAPPED: {
      // The message only: the stack stays in the rank's RankResult.
      std::string message = r.trap().substr(0, r.trap().find('\n'));
      return absl::StrCat("rank ", r.rank(), " trapped: ", message);
    }
    case OUTCOME_ABORTED:
      return absl::StrCat("rank ", r.rank(), " called MPI_Abort with code ",
                          r.exit_code());
    case OUTCOME_LOAD_FAILED:
      return absl::StrCat("rank ", r.rank(),
                          " could not start: ", result.error());
    case OUTCOME_STOPPED:
      return absl::StrCat("rank ", r.rank(), " stopped");
    case OUTCOME_SKIPPED:
      return absl::StrCat("rank ", r.rank(), " did not start");
    case OUTCOME_PEER_ENDED:
      return result.error();
    default:
      return absl::StrCat("rank ", r.rank(), " exited with code ",
                          r.exit_code(),
                          result.mpi_initialized() && !result.mpi_finalized()
                              ? " before MPI_Finalize"
                              : "");
  }
}

PoolController::PoolController(PoolControllerOptions options)
    : options_(std::move(options)),
      rank_job_(std::max(options_.world_size, 1)),
      modules_(std::max<size_t>(options_.module_cache_entries, 1)) {}

void PoolController::Log(const std::string& line) const {
  if (options_.log) options_.log(line);
}

void PoolController::OnHeadMessage(const v1::HeadMessage& message) {
  switch (message.message_case()) {
    case v1::HeadMessage::kWelcome:
      pool_id_ = message.welcome().pool_id();
      break;
    case v1::HeadMessage::kAssign:
      Assign(message.assign());
      break;
    case v1::HeadMessage::kCancel:
      Cancel(message.cancel());
      break;
    case v1::HeadMessage::kDetach:
      Detach(message.detach());
      break;
    default:
      Log("ignoring an empty message from the head");
      break;
  }
}

void PoolController::OnAttached() { attached_ = true; }

void PoolController::Drain(const std::string& reason) {
  if (draining_) {
    Log(absl::StrCat("draining already (", reason, ")"));
    return;
  }
  draining_ = true;
  Log(absl::StrCat("draining (", reason, "): no new jobs; ", jobs_.size(),
                   " running"));
  if (attached_) {
    v1::PoolMessage out;
    out.mutable_drain()->set_reason(reason);
    options_.head->Send(out);
  }
  MaybeShutDown();
}

void PoolController::Detach(const v1::HeadMessage::Detach& detach) {
  if (!detaching_) {
    std::string line = "the head detaches the pool";
    if (!detach.reason().empty())
      absl::StrAppend(&line, " (", detach.reason(), ")");
    if (!jobs_.empty()) {
      absl::StrAppend(&line, "; leaving once its ", jobs_.size(), " jobs end");
    }
    Log(line);
  }
  detaching_ = true;
  MaybeShutDown();
}

void PoolController::MaybeShutDown() {
  if (shut_down_ || !jobs_.empty()) return;
  if (!detaching_ && !(draining_ && !attached_)) return;
  shut_down_ = true;
  Log(stuck_.empty()
          ? "shutting down the pool's ranks"
          : absl::StrCat("shutting down the pool's ranks; ", stuck_.size(),
                         " stuck: the pool restarts"));
  ToExecutor out;
  out.mutable_shutdown();
  for (int rank = 1; rank < options_.world_size; ++rank) {
    if (!stuck_.contains(rank)) options_.executors->Send(rank, out);
  }
}

std::string PoolController::Refusal(
    const v1::HeadMessage::Assign& assign) const {
  if (!lost_.empty()) return absl::StrCat("worker pool lost: ", lost_);
  if (draining()) return "pool is draining";
  const v1::JobSpec& spec = assign.spec();
  if (spec.module_digest().empty()) return "the job names no module";
  if (assign.ranks().empty()) return "the assignment names no ranks";
  if (spec.ranks() != 0 && spec.ranks() != assign.ranks_size()) {
    return absl::StrCat("the job asks for ", spec.ranks(),
                        " ranks but was assigned ", assign.ranks_size());
  }
  std::set<int> seen;
  for (int rank : assign.ranks()) {
    if (rank < 1 || rank >= options_.world_size) {
      return absl::StrCat(
          "rank ", rank, " is not an executor of this pool",
          options_.world_size > 1
              ? absl::StrCat(" (ranks 1..", options_.world_size - 1, ")")
              : std::string(" (it has none)"));
    }
    if (!seen.insert(rank).second) {
      return absl::StrCat("rank ", rank, " is assigned twice");
    }
    if (!rank_job_[rank].empty()) {
      return absl::StrCat("rank ", rank, " is busy with job ", rank_job_[rank]);
    }
  }
  return "";
}

void PoolController::Assign(const v1::HeadMessage::Assign& assign) {
  if (assign.job_id().empty() || jobs_.contains(assign.job_id())) {
    Log(absl::StrCat(
        "ignoring an assignment with ",
        assign.job_id().empty() ? "no job id" : "the id of a running job: ",
        assign.job_id()));
    return;
  }
  if (std::string refusal = Refusal(assign); !refusal.empty()) {
    // A pool that is leaving gives the job back; a malformed assignment
    // fails (another try would fail the same way).
    const bool leaving = !lost_.empty() || draining();
    Log(absl::StrCat(leaving ? "giving back job " : "refusing job ",
                     assign.job_id(), ": ", refusal));
    SendNotRun(assign.job_id(), refusal, leaving);
    return;
  }
  Job& job = jobs_[assign.job_id()];
  job.id = assign.job_id();
  job.spec = assign.spec();
  job.ranks.assign(assign.ranks().begin(), assign.ranks().end());
  job.results.resize(job.ranks.size());
  const google::protobuf::Duration& timeout = job.spec.timeout();
  if (timeout.seconds() > 0 || timeout.nanos() > 0) {
    job.deadline = options_.clock->Now() + absl::Seconds(timeout.seconds()) +
                   absl::Nanoseconds(timeout.nanos());
  }
  ToExecutor out;
  ToExecutor::Assign* a = out.mutable_assign();
  a->set_job_id(job.id);
  *a->mutable_spec() = job.spec;
  *a->mutable_ranks() = assign.ranks();
  a->set_comm_tag(next_comm_tag_);
  a->set_module_name(assign.module_name());
  next_comm_tag_ = next_comm_tag_ % kMaxCommTag + 1;
  for (int rank : job.ranks) {
    rank_job_[rank] = job.id;
    options_.executors->Send(rank, out);
  }
}

void PoolController::Cancel(const v1::HeadMessage::Cancel& cancel) {
  auto it = jobs_.find(cancel.job_id());
  if (it == jobs_.end()) return;  // ended already: nothing to do
  if (it->second.stop == StopCause::kNone) {
    Stop(it->second, StopCause::kCancel,
         cancel.reason().empty() ? "cancelled" : cancel.reason());
  }
}

PoolController::Job* PoolController::Find(int rank, const std::string& job_id,
                                          int* job_rank) {
  auto it = jobs_.find(job_id);
  if (it != jobs_.end()) {
    const std::vector<int>& ranks = it->second.ranks;
    auto pos = std::find(ranks.begin(), ranks.end(), rank);
    if (pos != ranks.end()) {
      *job_rank = static_cast<int>(pos - ranks.begin());
      return &it->second;
    }
  }
  Log(absl::StrCat("dropping a report from rank ", rank, " about job ", job_id,
                   ", which it does not run"));
  return nullptr;
}

void PoolController::OnExecutorMessage(int rank, const ToController& message) {
  int job_rank = 0;
  switch (message.message_case()) {
    case ToController::kNeedModule:
      if (Job* job = Find(rank, message.need_module().job_id(), &job_rank)) {
        NeedModule(rank, *job, message.need_module());
      }
      break;
    case ToController::kStarted:
      if (Job* job = Find(rank, message.started().job_id(), &job_rank)) {
        if (++job->started == static_cast<int>(job->ranks.size())) {
          v1::PoolMessage out;
          out.mutable_started()->set_job_id(job->id);
          options_.head->Send(out);
        }
      }
      break;
    case ToController::kLogs:
      if (Find(rank, message.logs().job_id(), &job_rank)) {
        v1::PoolMessage out;
        v1::PoolMessage::JobLogs* logs = out.mutable_logs();
        logs->set_job_id(message.logs().job_id());
        *logs->mutable_chunks() = message.logs().chunks();
        options_.head->Send(out);
      }
      break;
    case ToController::kResult:
      if (Job* job = Find(rank, message.result().job_id(), &job_rank)) {
        ToController::Result result = message.result();
        result.mutable_result()->set_rank(job_rank);
        Result(rank, *job, result);
      }
      break;
    case ToController::kCompiledCode:
      CodeCompiled(rank, message.compiled_code());
      break;
    case ToController::kStuck:
      if (Job* job = Find(rank, message.stuck().job_id(), &job_rank)) {
        Stuck(rank, *job, job_rank, message.stuck());
      }
      break;
    default:
      Log(absl::StrCat("dropping an empty message from rank ", rank));
      break;
  }
}

void PoolController::CodeCompiled(int rank,
                                  const ToController::CompiledCode& code) {
  if (code.digest().empty() || code.code().empty()) {
    Log(absl::StrCat("dropping compiled code without ",
                     code.digest().empty() ? "a digest" : "code", " from rank ",
                     rank));
    return;
  }
  // Kept with the bytes, if the controller still has them; the executors
  // use the code only where their engine's fingerprint matches.
  std::string bytes;
  if (std::shared_ptr<const ModuleBlob>* kept = modules_.Get(code.digest())) {
    bytes = (*kept)->bytes;
  }
  if (!options_.sign_code) return;  // Unsigned code is never passed on.
  auto blob = std::make_shared<const ModuleBlob>(
      ModuleBlob{std::move(bytes), code.code(), code.engine_fingerprint(),
                 options_.sign_code(code.digest(), code.engine_fingerprint(),
                                    code.code())});
  if (!blob->bytes.empty()) modules_.Put(code.digest(), blob);
  if (options_.uploader) options_.uploader->StartUpload(code.digest(), blob);
}

void PoolController::NeedModule(int rank, Job& job,
                                const ToController::NeedModule& need) {
  if (std::shared_ptr<const ModuleBlob>* blob = modules_.Get(need.digest())) {
    SendModule(rank, job.id, *blob);
    return;
  }
  std::vector<std::pair<int, std::string>>& waiting = fetching_[need.digest()];
  waiting.emplace_back(rank, job.id);
  if (waiting.size() == 1) options_.fetcher->StartFetch(need.digest());
}

void PoolController::OnModuleFetched(
    const std::string& digest,
    absl::StatusOr<std::shared_ptr<const ModuleBlob>> blob) {
  auto it = fetching_.find(digest);
  if (it == fetching_.end()) return;
  std::vector<std::pair<int, std::string>> waiting = std::move(it->second);
  fetching_.erase(it);
  if (blob.ok()) modules_.Put(digest, *blob);
  for (const auto& [rank, job_id] : waiting) {
    // A stopped job's rank 0 still waits for an answer (or its Stop).
    if (jobs_.contains(job_id)) SendModule(rank, job_id, blob);
  }
}

void PoolController::SendModule(
    int rank, const std::string& job_id,
    const absl::StatusOr<std::shared_ptr<const ModuleBlob>>& blob) {
  ToExecutor out;
  ToExecutor::Module* module = out.mutable_module();
  module->set_job_id(job_id);
  if (blob.ok()) {
    module->set_module_bytes((*blob)->bytes);
    module->set_compiled_code((*blob)->compiled_code);
    module->set_engine_fingerprint((*blob)->engine_fingerprint);
    module->set_code_signature((*blob)->code_signature);
  } else {
    module->set_error(std::string(blob.status().message()));
  }
  options_.executors->Send(rank, out);
}

void PoolController::Result(int rank, Job& job,
                            const ToController::Result& result) {
  int job_rank = result.result().rank();
  if (job.results[job_rank]) {
    Log(absl::StrCat("dropping a second result from rank ", rank, " for job ",
                     job.id));
    return;
  }
  job.results[job_rank] = result;
  ++job.reported;
  rank_job_[rank].clear();
  if (job.stop == StopCause::kNone) {
    bool others_run = job.reported < static_cast<int>(job.ranks.size());
    std::string failure = IsFailure(result) ? DescribeFailure(result)
                                            : UnfinalizedEnd(job, result);
    if (!failure.empty()) {
      job.failed_rank = result.outcome() == OUTCOME_PEER_ENDED
                            ? result.ended_rank()
                            : job_rank;
      job.failure = std::move(failure);
      Stop(job, StopCause::kFailure, job.failure);
    } else if (others_run) {
      AnnounceEnd(job, result);
    }
  }
  if (job.reported == static_cast<int>(job.ranks.size())) Finish(job);
}

std::string PoolController::UnfinalizedEnd(
    const Job& job, const ToController::Result& result) const {
  if (job.ranks.size() < 2 || !result.mpi_initialized() ||
      result.mpi_finalized()) {
    return "";
  }
  bool others_run = job.reported < static_cast<int>(job.ranks.size());
  return absl::StrCat("rank ", result.result().rank(), " exited (code ",
                      result.result().exit_code(), ") before MPI_Finalize",
                      others_run ? " while other ranks still ran" : "");
}

void PoolController::AnnounceEnd(const Job& job,
                                 const ToController::Result& result) {
  ToExecutor out;
  ToExecutor::PeerEnded* ended = out.mutable_peer_ended();
  ended->set_job_id(job.id);
  ended->set_job_rank(result.result().rank());
  ended->set_how(absl::StrCat(
      "exited (code ", result.result().exit_code(), ")",
      result.mpi_finalized() ? " after MPI_Finalize" : " without using MPI"));
  for (size_t i = 0; i < job.ranks.size(); ++i) {
    if (!job.results[i]) options_.executors->Send(job.ranks[i], out);
  }
}

void PoolController::Stuck(int rank, Job& job, int job_rank,
                           const ToController::Stuck& stuck) {
  std::string what =
      absl::StrCat("executor rank ", rank, " is stuck in ", stuck.call(),
                   " since job ", job.id, " was stopped");
  Log(what);
  ToController::Result result;
  result.set_job_id(job.id);
  result.set_outcome(OUTCOME_STOPPED);
  result.set_error(what);
  result.mutable_result()->set_rank(job_rank);
  result.mutable_result()->set_exit_code(kStoppedExit);
  stuck_[rank] = stuck.call();
  Result(rank, job, result);    // may finish the job and erase it
  rank_job_[rank] = "(stuck)";  // never assigned again
  Drain(absl::StrCat("restarting: ", what));
}

void PoolController::Stop(Job& job, StopCause cause, std::string reason) {
  job.stop = cause;
  job.stop_reason = std::move(reason);
  ToExecutor out;
  out.mutable_stop()->set_job_id(job.id);
  for (size_t i = 0; i < job.ranks.size(); ++i) {
    if (!job.results[i]) options_.executors->Send(job.ranks[i], out);
  }
}

void PoolController::Finish(Job& job) {
  v1::PoolMessage out;
  v1::PoolMessage::JobFinished* finished = out.mutable_finished();
  finished->set_job_id(job.id);
  bool all_zero = true;
  for (const std::optional<ToController::Result>& r : job.results) {
    *finished->add_ranks() = r->result();
    all_zero &= r->outcome() == OUTCOME_EXITED && r->result().exit_code() == 0;
  }
  finished->set_failed_rank(-1);
  if (all_zero && job.failed_rank < 0) {
    finished->set_state(v1::SUCCEEDED);
  } else if (job.failed_rank >= 0) {
    finished->set_state(v1::FAILED);
    finished->set_failed_rank(job.failed_rank);
    finished->set_reason(job.failure);
  } else {
    switch (job.stop) {
      case StopCause::kCancel:
        finished->set_state(v1::CANCELLED);
        break;
      case StopCause::kTimeout:
        finished->set_state(v1::TIMED_OUT);
        break;
      default:
        finished->set_state(v1::FAILED);
        break;
    }
    finished->set_reason(job.stop_reason.empty() ? "the job did not finish"
                                                 : job.stop_reason);
  }
  options_.head->Send(out);
  std::string id = job.id;  // `job` goes with the erase
  jobs_.erase(id);
  MaybeShutDown();
}

void PoolController::OnHeadLost() {
  attached_ = false;
  for (auto& [id, job] : jobs_) {
    if (job.stop == StopCause::kNone) {
      Stop(job, StopCause::kHeadLost, "worker pool lost its head");
    }
  }
  MaybeShutDown();
}

void PoolController::Lost(const std::string& reason) {
  if (!lost_.empty()) return;
  lost_ = reason;
  Log(absl::StrCat("the pool is going down: ", reason));
  // First of all, no more assignments.
  if (attached_ && !draining_) {
    v1::PoolMessage out;
    out.mutable_drain()->set_reason(absl::StrCat("going down: ", reason));
    options_.head->Send(out);
  }
  for (auto& [id, job] : jobs_) {
    // A job no rank started yet can run elsewhere.
    SendNotRun(id, absl::StrCat("worker pool lost: ", reason),
               job.started == 0);
    for (int rank : job.ranks) rank_job_[rank].clear();
  }
  jobs_.clear();
}

void PoolController::SendNotRun(const std::string& job_id,
                                const std::string& reason, bool give_back) {
  v1::PoolMessage out;
  v1::PoolMessage::JobFinished* finished = out.mutable_finished();
  finished->set_job_id(job_id);
  finished->set_state(v1::FAILED);
  finished->set_failed_rank(-1);
  finished->set_reason(reason);
  finished->set_not_run(give_back);
  options_.head->Send(out);
}

void PoolController::Tick() {
  absl::Time now = options_.clock->Now();
  for (auto& [id, job] : jobs_) {
    if (job.stop == StopCause::kNone && job.deadline && *job.deadline <= now) {
      const google::protobuf::Duration& t = job.spec.timeout();
      Stop(job, StopCause::kTimeout,
           absl::StrCat("timed out after ",
                        absl::FormatDuration(absl::Seconds(t.seconds()) +
                                             absl::Nanoseconds(t.nanos()))));
    }
  }
}

std::optional<absl::Time> PoolController::NextDeadline() const {
  std::optional<absl::Time> next;
  for (const auto& [id, job] : jobs_) {
    if (job.stop == StopCause::kNone && job.deadline &&
        (!next || *job.deadline < *next)) {
      next = job.deadline;
    }
  }
  return next;
}

}  // namespace wasmhpc::pool
