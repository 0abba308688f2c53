#include "worker/pool/pool_controller.h"

#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wasmhpc::pool {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class RecordingHead : public HeadLink {
 public:
  void Send(const v1::PoolMessage& message) override {
    sent.push_back(message);
  }
  std::vector<v1::PoolMessage> sent;
};

class RecordingExecutors : public ExecutorLink {
 public:
  void Send(int rank, const ToExecutor& message) override {
    sent.emplace_back(rank, message);
  }
  // Ranks that got a message of `kind`, in order.
  std::vector<int> RanksGot(ToExecutor::MessageCase kind) const {
    std::vector<int> ranks;
    for (const auto& [rank, m] : sent) {
      if (m.message_case() == kind) ranks.push_back(rank);
    }
    return ranks;
  }
  std::vector<std::pair<int, ToExecutor>> sent;
};

class RecordingFetcher : public ModuleFetcher {
 public:
  void StartFetch(const std::string& digest) override {
    started.push_back(digest);
  }
  std::vector<std::string> started;
};

class RecordingUploader : public CodeUploader {
 public:
  void StartUpload(const std::string& digest,
                   std::shared_ptr<const ModuleBlob> code) override {
    started.emplace_back(digest, std::move(code));
  }
  std::vector<std::pair<std::string, std::shared_ptr<const ModuleBlob>>>
      started;
};

class PoolControllerTest : public ::testing::Test {
 protected:
  PoolControllerTest()
      : controller_({.world_size = 5,
                     .head = &head_,
                     .executors = &executors_,
                     .fetcher = &fetcher_,
                     .uploader = &uploader_,
                     .sign_code =
                         [](const std::string& digest, const std::string& fp,
                            const std::string& code) {
                           return "signed " + digest + " " + fp + " " + code;
                         },
                     .module_cache_entries = 2,
                     .clock = &clock_,
                     .log = {}}) {}

  void Assign(const std::string& id, std::vector<int> ranks,
              absl::Duration timeout = absl::ZeroDuration()) {
    v1::HeadMessage m;
    v1::HeadMessage::Assign* a = m.mutable_assign();
    a->set_job_id(id);
    a->mutable_spec()->set_module_digest("sha256:m");
    a->mutable_spec()->set_ranks(static_cast<int>(ranks.size()));
    a->mutable_spec()->mutable_timeout()->set_seconds(
        absl::ToInt64Seconds(timeout));
    for (int r : ranks) a->add_ranks(r);
    controller_.OnHeadMessage(m);
  }

  void Cancel(const std::string& id) {
    v1::HeadMessage m;
    m.mutable_cancel()->set_job_id(id);
    m.mutable_cancel()->set_reason("cancelled by user");
    controller_.OnHeadMessage(m);
  }

  void Report(int rank, const std::string& id, Outcome outcome,
              int exit_code = 0, std::string trap = "") {
    ToController m;
    ToController::Result* r = m.mutable_result();
    r->set_job_id(id);
    r->set_outcome(outcome);
    r->mutable_result()->set_exit_code(exit_code);
    r->mutable_result()->set_trap(std::move(trap));
    controller_.OnExecutorMessage(rank, m);
  }

  // A clean exit of a guest that used MPI: `finalized` says whether it
  // called MPI_Finalize.
  void ReportMpiExit(int rank, const std::string& id, bool finalized,
                     int exit_code = 0) {
    ToController m;
    ToController::Result* r = m.mutable_result();
    r->set_job_id(id);
    r->set_outcome(OUTCOME_EXITED);
    r->mutable_result()->set_exit_code(exit_code);
    r->set_mpi_initialized(true);
    r->set_mpi_finalized(finalized);
    controller_.OnExecutorMessage(rank, m);
  }

  void NeedModule(int rank, const std::string& id, const std::string& digest) {
    ToController m;
    m.mutable_need_module()->set_job_id(id);
    m.mutable_need_module()->set_digest(digest);
    controller_.OnExecutorMessage(rank, m);
  }

  void Detach() {
    v1::HeadMessage m;
    m.mutable_detach()->set_reason("drained by operator");
    controller_.OnHeadMessage(m);
  }

  void CompiledCode(int rank, const std::string& digest,
                    const std::string& code, const std::string& fingerprint) {
    ToController m;
    m.mutable_compiled_code()->set_digest(digest);
    m.mutable_compiled_code()->set_code(code);
    m.mutable_compiled_code()->set_engine_fingerprint(fingerprint);
    controller_.OnExecutorMessage(rank, m);
  }

  // The reasons of the Drain messages sent to the head.
  std::vector<std::string> DrainsSent() const {
    std::vector<std::string> reasons;
    for (const v1::PoolMessage& m : head_.sent) {
      if (m.has_drain()) reasons.push_back(m.drain().reason());
    }
    return reasons;
  }

  // The last message to the head, which must be a JobFinished.
  v1::PoolMessage::JobFinished LastFinished() {
    EXPECT_FALSE(head_.sent.empty());
    EXPECT_TRUE(head_.sent.back().has_finished());
    return head_.sent.back().finished();
  }

  FakeClock clock_;
  RecordingHead head_;
  RecordingExecutors executors_;
  RecordingFetcher fetcher_;
  RecordingUploader uploader_;
  PoolController controller_;
};

TEST_F(PoolControllerTest, AssignReachesEveryRankOfTheJob) {
  Assign("j", {3, 1});
  ASSERT_EQ(executors_.sent.size(), 2u);
  EXPECT_THAT(executors_.RanksGot(ToExecutor::kAssign), ElementsAre(3, 1));
  const ToExecutor::Assign& a = executors_.sent[0].second.assign();
  EXPECT_EQ(a.job_id(), "j");
  EXPECT_THAT(a.ranks(), ElementsAre(3, 1));
  EXPECT_EQ(executors_.sent[1].second.assign().comm_tag(), a.comm_tag());
  EXPECT_TRUE(controller_.rank_busy(3));
  EXPECT_FALSE(controller_.rank_busy(2));
}

TEST_F(PoolControllerTest, ConcurrentJobsGetDistinctCommTags) {
  Assign("a", {1});
  Assign("b", {2});
  EXPECT_NE(executors_.sent[0].second.assign().comm_tag(),
            executors_.sent[1].second.assign().comm_tag());
}

TEST_F(PoolControllerTest, StartedOnceEveryRankEnteredStart) {
  Assign("j", {1, 2});
  ToController started;
  started.mutable_started()->set_job_id("j");
  controller_.OnExecutorMessage(1, started);
  EXPECT_TRUE(head_.sent.empty());
  controller_.OnExecutorMessage(2, started);
  ASSERT_EQ(head_.sent.size(), 1u);
  EXPECT_EQ(head_.sent[0].started().job_id(), "j");
}

TEST_F(PoolControllerTest, AllRanksExitZeroSucceeds) {
  Assign("j", {2, 1});
  Report(1, "j", OUTCOME_EXITED);
  EXPECT_TRUE(head_.sent.empty());
  Report(2, "j", OUTCOME_EXITED);
  v1::PoolMessage::JobFinished f = LastFinished();
  EXPECT_EQ(f.state(), v1::SUCCEEDED);
  EXPECT_EQ(f.failed_rank(), -1);
  ASSERT_EQ(f.ranks_size(), 2);
  EXPECT_EQ(f.ranks(0).rank(), 0);  // job rank of pool rank 2
  EXPECT_EQ(f.ranks(1).rank(), 1);
  EXPECT_FALSE(controller_.rank_busy(1));
  EXPECT_FALSE(controller_.rank_busy(2));
  EXPECT_EQ(controller_.active_jobs(), 0u);
}

TEST_F(PoolControllerTest, TrapFailsTheJobAndStopsTheOtherRanks) {
  Assign("j", {1, 2, 3});
  Report(1, "j", OUTCOME_EXITED);
  Report(3, "j", OUTCOME_TRAPPED, 134, "divide by zero\n    at divide");
  EXPECT_THAT(executors_.RanksGot(ToExecutor::kStop), ElementsAre(2));
  Report(2, "j", OUTCOME_STOPPED, 143);
  v1::PoolMessage::JobFinished f = LastFinished();
  EXPECT_EQ(f.state(), v1::FAILED);
  EXPECT_EQ(f.failed_rank(), 2);
  EXPECT_EQ(f.reason(), "rank 2 trapped: divide by zero");
  EXPECT_EQ(f.ranks(2).trap(), "divide by zero\n    at divide");
}

TEST_F(PoolControllerTest, NonZeroExitFailsTheJob) {
  Assign("j", {1, 2});
  Report(2, "j", OUTCOME_EXITED, 3);
  Report(1, "j", OUTCOME_STOPPED, 143);
  EXPECT_EQ(LastFinished().state(), v1::FAILED);
  EXPECT_EQ(LastFinished().reason(), "rank 1 exited with code 3");
}

// Regression (issue 15): a rank that returned without MPI_Finalize left
// its peers waiting in MPI_Recv, and the job RUNNING, until cancelled.
TEST_F(PoolControllerTest, ExitBeforeFinalizeWhileOthersRunFailsTheJob) {
  Assign("j", {1, 2, 3});
  ReportMpiExit(2, "j", /*finalized=*/false);
  EXPECT_THAT(executors_.RanksGot(ToExecutor::kStop), ElementsAre(1, 3));
  Report(1, "j", OUTCOME_STOPPED, 143);
  Report(3, "j", OUTCOME_STOPPED, 143);
  v1::PoolMessage::JobFinished f = LastFinished();
  EXPECT_EQ(f.state(), v1::FAILED);
  EXPECT_EQ(f.failed_rank(), 1);
  EXPECT_EQ(f.reason(),
            "rank 1 exited (code 0) before MPI_Finalize while other ranks "
            "still ran");
}

TEST_F(PoolControllerTest, LastRankExitingBeforeFinalizeFailsTheJobToo) {
  Assign("j", {1, 2});
  ReportMpiExit(1, "j", /*finalized=*/true);
  ReportMpiExit(2, "j", /*finalized=*/false);
  v1::PoolMessage::JobFinished f = LastFinished();
  EXPECT_EQ(f.state(), v1::FAILED);
  EXPECT_EQ(f.failed_rank(), 1);
  EXPECT_EQ(f.reason(), "rank 1 exited (code 0) before MPI_Finalize");
}

TEST_F(PoolControllerTest, OneRankJobMayEndWithoutFinalize) {
  Assign("j", {1});
  ReportMpiExit(1, "j", /*finalized=*/false);
  EXPECT_EQ(LastFinished().state(), v1::SUCCEEDED);
}

TEST_F(PoolControllerTest, NonZeroExitBeforeFinalizeSaysSo) {
  Assign("j", {1, 2});
  ReportMpiExit(2, "j", /*finalized=*/false, 3);
  Report(1, "j", OUTCOME_STOPPED, 143);
  EXPECT_EQ(LastFinished().reason(),
            "rank 1 exited with code 3 before MPI_Finalize");
}

TEST_F(PoolControllerTest, CleanEndIsAnnouncedToTheRanksStillRunning) {
  Assign("j", {1, 2, 3});
  ReportMpiExit(2, "j", /*finalized=*/true);
  EXPECT_THAT(executors_.RanksGot(ToExecutor::kStop), ElementsAre());
  EXPECT_THAT(executors_.RanksGot(ToExecutor::kPeerEnded), ElementsAre(1, 3));
  const ToExecutor::PeerEnded& ended =
      executors_.sent.back().second.peer_ended();
  EXPECT_EQ(ended.job_id(), "j");
  EXPECT_EQ(ended.job_rank(), 1);
  EXPECT_EQ(ended.how(), "exited (code 0) after MPI_Finalize");
  Report(1, "j", OUTCOME_EXITED);  // without MPI: nothing left to announce to
  EXPECT_THAT(executors_.RanksGot(ToExecutor::kPeerEnded),
              ElementsAre(1, 3, 3));
  ReportMpiExit(3, "j", /*finalized=*/true);
  EXPECT_EQ(LastFinished().state(), v1::SUCCEEDED);
}

TEST_F(PoolControllerTest, RankStuckOnAnEndedPeerFailsTheJobNamingThePeer) {
  Assign("j", {1, 2});
  ReportMpiExit(2, "j", /*finalized=*/true);
  ToController m;
  ToController::Result* r = m.mutable_result();
  r->set_job_id("j");
  r->set_outcome(OUTCOME_PEER_ENDED);
  r->mutable_result()->set_exit_code(143);
  r->set_error(
      "rank 1 exited (code 0) after MPI_Finalize while rank 0 still waited "
      "for it in MPI_Recv");
  r->set_ended_rank(1);
  r->set_mpi_initialized(true);
  controller_.OnExecutorMessage(1, m);
  v1::PoolMessage::JobFinished f = LastFinished();
  EXPECT_EQ(f.state(), v1::FAILED);
  EXPECT_EQ(f.failed_rank(), 1);
  EXPECT_EQ(f.reason(), r->error());
}

TEST_F(PoolControllerTest, CancelStopsEveryRankAndEndsCancelled) {
  Assign("j", {1, 2});
  Cancel("j");
  EXPECT_THAT(executors_.RanksGot(ToExecutor::kStop), ElementsAre(1, 2));
  // A rank failing on its way out does not turn the cancel into a failure.
  Report(1, "j", OUTCOME_TRAPPED, 134, "MPI_Recv: stopped");
  Report(2, "j", OUTCOME_STOPPED, 143);
  v1::PoolMessage::JobFinished f = LastFinished();
  EXPECT_EQ(f.state(), v1::CANCELLED);
  EXPECT_EQ(f.reason(), "cancelled by user");
  EXPECT_EQ(f.failed_rank(), -1);
}

TEST_F(PoolControllerTest, StuckRankCountsAsStoppedAndThePoolRestarts) {
  controller_.OnAttached();
  Assign("j", {1, 2});
  Cancel("j");
  Report(1, "j", OUTCOME_STOPPED, 143);
  ToController stuck;
  stuck.mutable_stuck()->set_job_id("j");
  stuck.mutable_stuck()->set_call("MPI_Allreduce");
  controller_.OnExecutorMessage(2, stuck);
  // The job ends, then the pool drains.
  ASSERT_GE(head_.sent.size(), 2u);
  ASSERT_TRUE(head_.sent.end()[-2].has_finished());
  v1::PoolMessage::JobFinished f = head_.sent.end()[-2].finished();
  EXPECT_EQ(f.state(), v1::CANCELLED);
  ASSERT_EQ(f.ranks_size(), 2);
  EXPECT_EQ(f.ranks(1).exit_code(), 143);
  EXPECT_THAT(DrainsSent(),
              ElementsAre("restarting: executor rank 2 is stuck in "
                          "MPI_Allreduce since job j was stopped"));
  EXPECT_TRUE(controller_.rank_busy(2));  // never assigned again
  EXPECT_FALSE(controller_.shut_down());  // until the head detaches
  size_t sent = executors_.sent.size();
  Detach();
  EXPECT_TRUE(controller_.shut_down());
  EXPECT_EQ(controller_.exit_code(), kRestartExitCode);
  // Shutdown goes to every executor but the stuck one.
  std::vector<int> shut;
  for (size_t i = sent; i < executors_.sent.size(); ++i) {
    if (executors_.sent[i].second.has_shutdown()) {
      shut.push_back(executors_.sent[i].first);
    }
  }
  EXPECT_THAT(shut, ElementsAre(1, 3, 4));
}

TEST_F(PoolControllerTest, PoolWithoutStuckRanksExitsZero) {
  Detach();
  EXPECT_TRUE(controller_.shut_down());
  EXPECT_EQ(controller_.exit_code(), 0);
}

TEST_F(PoolControllerTest, CancelOfAnEndedJobIsIgnored) {
  Assign("j", {1});
  Report(1, "j", OUTCOME_EXITED);
  size_t sent = executors_.sent.size();
  Cancel("j");
  EXPECT_EQ(executors_.sent.size(), sent);
}

TEST_F(PoolControllerTest, JobThatEndsCleanlyDespiteCancelSucceeds) {
  Assign("j", {1});
  Cancel("j");
  Report(1, "j", OUTCOME_EXITED);
  EXPECT_EQ(LastFinished().state(), v1::SUCCEEDED);
}

TEST_F(PoolControllerTest, TimeoutStopsTheJobAndEndsTimedOut) {
  Assign("j", {1, 2}, absl::Seconds(2));
  EXPECT_EQ(controller_.NextDeadline(), clock_.Now() + absl::Seconds(2));
  clock_.Advance(absl::Seconds(1));
  controller_.Tick();
  EXPECT_TRUE(executors_.RanksGot(ToExecutor::kStop).empty());
  clock_.Advance(absl::Seconds(2));
  controller_.Tick();
  EXPECT_THAT(executors_.RanksGot(ToExecutor::kStop), ElementsAre(1, 2));
  EXPECT_EQ(controller_.NextDeadline(), std::nullopt);
  Report(1, "j", OUTCOME_STOPPED, 143);
  Report(2, "j", OUTCOME_SKIPPED, 143);
  v1::PoolMessage::JobFinished f = LastFinished();
  EXPECT_EQ(f.state(), v1::TIMED_OUT);
  EXPECT_EQ(f.reason(), "timed out after 2s");
}

TEST_F(PoolControllerTest, UnrunnableAssignmentsFailAtOnce) {
  Assign("busy", {1});
  struct Case {
    std::vector<int> ranks;
    std::string reason;
  };
  for (const Case& c : std::vector<Case>{
           {{0}, "rank 0 is not an executor of this pool (ranks 1..4)"},
           {{5}, "rank 5 is not an executor of this pool"},
           {{2, 2}, "rank 2 is assigned twice"},
           {{1}, "rank 1 is busy with job busy"},
           {{}, "the assignment names no ranks"}}) {
    Assign("x", c.ranks);
    v1::PoolMessage::JobFinished f = LastFinished();
    EXPECT_EQ(f.job_id(), "x");
    EXPECT_EQ(f.state(), v1::FAILED);
    EXPECT_THAT(f.reason(), HasSubstr(c.reason));
  }
  EXPECT_EQ(controller_.active_jobs(), 1u);
}

TEST_F(PoolControllerTest, RanksMustMatchTheSpec) {
  v1::HeadMessage m;
  m.mutable_assign()->set_job_id("x");
  m.mutable_assign()->mutable_spec()->set_module_digest("sha256:m");
  m.mutable_assign()->mutable_spec()->set_ranks(3);
  m.mutable_assign()->add_ranks(1);
  controller_.OnHeadMessage(m);
  EXPECT_EQ(LastFinished().reason(),
            "the job asks for 3 ranks but was assigned 1");
}

TEST_F(PoolControllerTest, OneFetchServesEveryWaitingJobAndLaterOnes) {
  Assign("a", {1, 2});
  Assign("b", {3});
  NeedModule(1, "a", "sha256:m");
  NeedModule(3, "b", "sha256:m");
  EXPECT_THAT(fetcher_.started, ElementsAre("sha256:m"));
  EXPECT_TRUE(executors_.RanksGot(ToExecutor::kModule).empty());
  auto blob = std::make_shared<const ModuleBlob>(ModuleBlob{
      .bytes = "bytes", .compiled_code = "code", .engine_fingerprint = "fp"});
  controller_.OnModuleFetched("sha256:m", blob);
  EXPECT_THAT(executors_.RanksGot(ToExecutor::kModule), ElementsAre(1, 3));
  const ToExecutor::Module& sent = executors_.sent.back().second.module();
  EXPECT_EQ(sent.job_id(), "b");
  EXPECT_EQ(sent.module_bytes(), "bytes");
  EXPECT_EQ(sent.compiled_code(), "code");
  EXPECT_EQ(sent.engine_fingerprint(), "fp");

  Report(3, "b", OUTCOME_EXITED);
  Assign("c", {3});
  NeedModule(3, "c", "sha256:m");  // from the controller's cache
  EXPECT_EQ(fetcher_.started.size(), 1u);
  EXPECT_EQ(executors_.sent.back().second.module().job_id(), "c");
}

TEST_F(PoolControllerTest, FetchErrorReachesTheRank) {
  Assign("a", {1});
  NeedModule(1, "a", "sha256:gone");
  controller_.OnModuleFetched("sha256:gone",
                              absl::NotFoundError("unknown module"));
  ASSERT_THAT(executors_.RanksGot(ToExecutor::kModule), ElementsAre(1));
  EXPECT_EQ(executors_.sent.back().second.module().error(), "unknown module");
  NeedModule(1, "a", "sha256:gone");  // errors are not cached
  EXPECT_EQ(fetcher_.started.size(), 2u);
}

TEST_F(PoolControllerTest, LoadFailureIsTheReason) {
  Assign("a", {1, 2});
  ToController m;
  m.mutable_result()->set_job_id("a");
  m.mutable_result()->set_outcome(OUTCOME_LOAD_FAILED);
  m.mutable_result()->set_error("unknown import env.nope (function)");
  controller_.OnExecutorMessage(2, m);
  Report(1, "a", OUTCOME_SKIPPED, 143);
  EXPECT_EQ(LastFinished().reason(),
            "rank 1 could not start: unknown import env.nope (function)");
}

TEST_F(PoolControllerTest, LogsAreForwardedWithTheirJob) {
  Assign("a", {1});
  ToController m;
  m.mutable_logs()->set_job_id("a");
  v1::LogChunk* chunk = m.mutable_logs()->add_chunks();
  chunk->set_rank(0);
  chunk->set_data("hi\n");
  controller_.OnExecutorMessage(1, m);
  ASSERT_EQ(head_.sent.size(), 1u);
  EXPECT_EQ(head_.sent[0].logs().job_id(), "a");
  EXPECT_EQ(head_.sent[0].logs().chunks(0).data(), "hi\n");
}

TEST_F(PoolControllerTest, StrayReportsAreDropped) {
  std::vector<std::string> lines;
  PoolController controller(
      {.world_size = 3,
       .head = &head_,
       .executors = &executors_,
       .fetcher = &fetcher_,
       .log = [&](const std::string& l) { lines.push_back(l); }});
  v1::HeadMessage m;
  m.mutable_assign()->set_job_id("a");
  m.mutable_assign()->mutable_spec()->set_module_digest("sha256:m");
  m.mutable_assign()->add_ranks(1);
  controller.OnHeadMessage(m);
  ToController r;
  r.mutable_result()->set_job_id("a");
  controller.OnExecutorMessage(2, r);  // rank 2 is not in job a
  r.mutable_result()->set_job_id("nope");
  controller.OnExecutorMessage(1, r);
  EXPECT_TRUE(head_.sent.empty());
  EXPECT_EQ(lines.size(), 2u);
  EXPECT_TRUE(controller.rank_busy(1));
}

TEST_F(PoolControllerTest, LosingTheHeadStopsEveryJob) {
  Assign("a", {1});
  Assign("b", {2, 3});
  controller_.OnHeadLost();
  EXPECT_THAT(executors_.RanksGot(ToExecutor::kStop), ElementsAre(1, 2, 3));
  Report(1, "a", OUTCOME_STOPPED, 143);
  EXPECT_EQ(LastFinished().state(), v1::FAILED);
  EXPECT_EQ(LastFinished().reason(), "worker pool lost its head");
}

TEST_F(PoolControllerTest, WelcomeRecordsThePoolId) {
  v1::HeadMessage m;
  m.mutable_welcome()->set_pool_id("pool-7");
  controller_.OnHeadMessage(m);
  EXPECT_EQ(controller_.pool_id(), "pool-7");
}

TEST_F(PoolControllerTest, DrainingRefusesNewAssignmentsAndLetsJobsFinish) {
  controller_.OnAttached();
  Assign("running", {1});
  controller_.Drain("SIGUSR1");
  EXPECT_THAT(DrainsSent(), ElementsAre("SIGUSR1"));
  EXPECT_TRUE(controller_.draining());
  Assign("late", {2});
  v1::PoolMessage::JobFinished refused = LastFinished();
  EXPECT_EQ(refused.job_id(), "late");
  EXPECT_EQ(refused.state(), v1::FAILED);
  EXPECT_EQ(refused.reason(), "pool is draining");
  EXPECT_TRUE(refused.not_run());  // The head queues it again.
  EXPECT_THAT(executors_.RanksGot(ToExecutor::kAssign), ElementsAre(1));
  EXPECT_TRUE(executors_.RanksGot(ToExecutor::kStop).empty());
  Report(1, "running", OUTCOME_EXITED);
  EXPECT_EQ(LastFinished().state(), v1::SUCCEEDED);
  // Idle and attached: the pool waits for the head's Detach.
  EXPECT_FALSE(controller_.shut_down());
  EXPECT_TRUE(executors_.RanksGot(ToExecutor::kShutdown).empty());
}

TEST_F(PoolControllerTest, PoolGoingDownGivesBackTheJobsNoRankStarted) {
  controller_.OnAttached();
  Assign("running", {1});
  ToController started;
  started.mutable_started()->set_job_id("running");
  controller_.OnExecutorMessage(1, started);
  Assign("starting", {2, 3});
  Assign("malformed", {9});  // Not an executor: fails, never given back.
  EXPECT_FALSE(LastFinished().not_run());
  const size_t before = head_.sent.size();
  controller_.Lost("executor rank 4 (host h, pid 9) died");
  // The head hears first that the pool takes no more jobs.
  ASSERT_GT(head_.sent.size(), before);
  EXPECT_EQ(head_.sent[before].drain().reason(),
            "going down: executor rank 4 (host h, pid 9) died");
  std::map<std::string, v1::PoolMessage::JobFinished> ended;
  for (size_t i = before; i < head_.sent.size(); ++i) {
    if (head_.sent[i].has_finished()) {
      ended[head_.sent[i].finished().job_id()] = head_.sent[i].finished();
    }
  }
  ASSERT_EQ(ended.size(), 2u);
  EXPECT_FALSE(ended["running"].not_run());
  EXPECT_TRUE(ended["starting"].not_run());
  for (const auto& [id, finished] : ended) {
    EXPECT_EQ(finished.state(), v1::FAILED) << id;
    EXPECT_EQ(finished.reason(),
              "worker pool lost: executor rank 4 (host h, pid 9) died");
  }
  Assign("late", {1});
  EXPECT_EQ(LastFinished().job_id(), "late");
  EXPECT_TRUE(LastFinished().not_run());
  EXPECT_EQ(executors_.RanksGot(ToExecutor::kAssign).size(), 3u);
}

TEST_F(PoolControllerTest, DrainIsSentToTheHeadOnce) {
  controller_.OnAttached();
  controller_.Drain("SIGUSR1");
  controller_.Drain("SIGTERM");
  controller_.Drain("SIGUSR1");
  EXPECT_THAT(DrainsSent(), ElementsAre("SIGUSR1"));
  EXPECT_FALSE(controller_.shut_down());
}

TEST_F(PoolControllerTest, DetachAfterDrainShutsEveryExecutorDown) {
  controller_.OnAttached();
  controller_.Drain("SIGTERM");
  Detach();
  EXPECT_TRUE(controller_.shut_down());
  EXPECT_THAT(executors_.RanksGot(ToExecutor::kShutdown),
              ElementsAre(1, 2, 3, 4));
}

TEST_F(PoolControllerTest, DetachWhileJobsRunWaitsForThemThenShutsDown) {
  controller_.OnAttached();
  Assign("a", {1, 2});
  Assign("b", {3});
  Detach();  // no Drain first: an operator's `pools drain --detach`
  EXPECT_FALSE(controller_.shut_down());
  EXPECT_TRUE(executors_.RanksGot(ToExecutor::kStop).empty());
  Assign("late", {4});
  EXPECT_EQ(LastFinished().reason(), "pool is draining");
  Report(1, "a", OUTCOME_EXITED);
  Report(2, "a", OUTCOME_EXITED);
  EXPECT_EQ(LastFinished().state(), v1::SUCCEEDED);
  EXPECT_TRUE(executors_.RanksGot(ToExecutor::kShutdown).empty());
  Report(3, "b", OUTCOME_EXITED);
  EXPECT_EQ(LastFinished().job_id(), "b");
  EXPECT_TRUE(controller_.shut_down());
  EXPECT_THAT(executors_.RanksGot(ToExecutor::kShutdown),
              ElementsAre(1, 2, 3, 4));
  Detach();  // a second Detach sends nothing more
  EXPECT_EQ(executors_.RanksGot(ToExecutor::kShutdown).size(), 4u);
}

TEST_F(PoolControllerTest, DetachWhenIdleShutsDownAtOnce) {
  controller_.OnAttached();
  Detach();
  EXPECT_TRUE(controller_.shut_down());
  EXPECT_THAT(executors_.RanksGot(ToExecutor::kShutdown),
              ElementsAre(1, 2, 3, 4));
  EXPECT_TRUE(DrainsSent().empty());
}

TEST_F(PoolControllerTest, DrainWithoutAHeadShutsDownOnceIdle) {
  controller_.Drain("SIGUSR1");  // never attached: nobody to tell
  EXPECT_TRUE(DrainsSent().empty());
  EXPECT_TRUE(controller_.shut_down());
  EXPECT_THAT(executors_.RanksGot(ToExecutor::kShutdown),
              ElementsAre(1, 2, 3, 4));
}

TEST_F(PoolControllerTest, DrainingPoolThatLosesItsHeadShutsDownOnceIdle) {
  controller_.OnAttached();
  Assign("a", {1});
  controller_.Drain("SIGTERM");
  controller_.OnHeadLost();  // stops job a
  EXPECT_THAT(executors_.RanksGot(ToExecutor::kStop), ElementsAre(1));
  EXPECT_FALSE(controller_.shut_down());
  Report(1, "a", OUTCOME_STOPPED, 143);
  EXPECT_TRUE(controller_.shut_down());
}

TEST_F(PoolControllerTest, LosingTheHeadWithoutDrainDoesNotShutDown) {
  controller_.OnAttached();
  controller_.OnHeadLost();
  EXPECT_FALSE(controller_.shut_down());
  EXPECT_FALSE(controller_.draining());
}

TEST_F(PoolControllerTest, CompiledCodeIsUploadedAndServedToLaterJobs) {
  Assign("a", {1, 2});
  NeedModule(1, "a", "sha256:m");
  controller_.OnModuleFetched("sha256:m", std::make_shared<const ModuleBlob>(
                                              ModuleBlob{.bytes = "bytes"}));
  EXPECT_EQ(executors_.sent.back().second.module().compiled_code(), "");
  CompiledCode(1, "sha256:m", "code", "fp");
  ASSERT_EQ(uploader_.started.size(), 1u);
  EXPECT_EQ(uploader_.started[0].first, "sha256:m");
  EXPECT_EQ(uploader_.started[0].second->compiled_code, "code");
  EXPECT_EQ(uploader_.started[0].second->engine_fingerprint, "fp");
  EXPECT_EQ(uploader_.started[0].second->code_signature,
            "signed sha256:m fp code");
  Report(1, "a", OUTCOME_EXITED);
  Report(2, "a", OUTCOME_EXITED);

  Assign("b", {3, 1});
  NeedModule(3, "b", "sha256:m");  // from the controller's cache, with code
  EXPECT_EQ(fetcher_.started.size(), 1u);
  const ToExecutor::Module& sent = executors_.sent.back().second.module();
  EXPECT_EQ(sent.job_id(), "b");
  EXPECT_EQ(sent.module_bytes(), "bytes");
  EXPECT_EQ(sent.compiled_code(), "code");
  EXPECT_EQ(sent.engine_fingerprint(), "fp");
  EXPECT_EQ(sent.code_signature(), "signed sha256:m fp code");
}

// Without the code key, code an executor compiled is not passed on: other
// executors would refuse it, and so would the head.
TEST(PoolControllerWithoutCodeKey, KeepsAndUploadsNoCode) {
  RecordingHead head;
  RecordingExecutors executors;
  RecordingFetcher fetcher;
  RecordingUploader uploader;
  PoolController controller({.world_size = 3,
                             .head = &head,
                             .executors = &executors,
                             .fetcher = &fetcher,
                             .uploader = &uploader});
  ToController message;
  message.mutable_compiled_code()->set_digest("sha256:m");
  message.mutable_compiled_code()->set_engine_fingerprint("fp");
  message.mutable_compiled_code()->set_code("code");
  controller.OnExecutorMessage(1, message);
  EXPECT_TRUE(uploader.started.empty());
}

TEST_F(PoolControllerTest, CodeForAModuleNoLongerKeptIsOnlyUploaded) {
  CompiledCode(1, "sha256:gone", "code", "fp");
  EXPECT_EQ(uploader_.started.size(), 1u);
  Assign("a", {1});
  NeedModule(1, "a", "sha256:gone");
  EXPECT_THAT(fetcher_.started, ElementsAre("sha256:gone"));
  CompiledCode(1, "sha256:gone", "", "fp");  // nothing to upload
  EXPECT_EQ(uploader_.started.size(), 1u);
}

}  // namespace
}  // namespace wasmhpc::pool
