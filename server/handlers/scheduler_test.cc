// Scheduler: FIFO first-fit assignment, pool events, cancel, timeouts, lost
// pools and head restarts, driven through the handlers with fake pools.
#include "server/handlers/scheduler.h"

#include "absl/base/config.h"
#include "absl/strings/str_cat.h"
#include "cache-store/kv_cache_store.h"
#include "cache-store/memory_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/handlers/counting_store.h"
#include "server/handlers/head_test_fixture.h"

#ifdef ABSL_HAVE_ADDRESS_SANITIZER
#include <sanitizer/lsan_interface.h>
#endif

namespace wasmhpc::server {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class SchedulerTest : public HeadTest {
 protected:
  // Submits and expects success.
  v1::Job Submit(int ranks, int timeout_seconds = 0) {
    v1::JobSpec spec = head_->Spec(digest_, ranks);
    spec.mutable_timeout()->set_seconds(timeout_seconds);
    absl::StatusOr<v1::Job> job = head_->jobs->Submit(spec, Caller::Local());
    EXPECT_TRUE(job.ok()) << job.status();
    return job.ok() ? *job : v1::Job();
  }
  v1::JobState StateOf(const std::string& id) {
    absl::StatusOr<v1::Job> job = head_->jobs->Get(id, Caller::Local());
    EXPECT_TRUE(job.ok()) << job.status();
    return job.ok() ? job->state() : v1::JOB_STATE_UNSPECIFIED;
  }
  v1::Job Get(const std::string& id) {
    return *head_->jobs->Get(id, Caller::Local());
  }
};

TEST_F(SchedulerTest, JobRunsThroughItsStates) {
  ASSERT_TRUE(pool_.Attach(5).ok());
  ASSERT_TRUE(pool_.received()[0].has_welcome());
  EXPECT_EQ(pool_.received()[0].welcome().pool_id(), pool_.id());

  v1::Job job = Submit(2);
  EXPECT_EQ(job.state(), v1::STARTING);
  EXPECT_EQ(job.pool_id(), pool_.id());
  std::optional<v1::HeadMessage::Assign> assign = pool_.AssignOf(job.id());
  ASSERT_TRUE(assign);
  EXPECT_THAT(assign->ranks(), ElementsAre(1, 2));
  EXPECT_EQ(assign->spec().module_digest(), digest_);

  clock_.Advance(absl::Seconds(1));
  pool_.Started(job.id());
  EXPECT_EQ(StateOf(job.id()), v1::RUNNING);
  EXPECT_EQ(FromProto(Get(job.id()).started()), clock_.Now());
  pool_.Succeeded(job.id(), 2);
  v1::Job done = Get(job.id());
  EXPECT_EQ(done.state(), v1::SUCCEEDED);
  EXPECT_EQ(done.exit_code(), 0);
  EXPECT_EQ(done.failed_rank(), -1);
  EXPECT_EQ(done.ranks_size(), 2);
  EXPECT_EQ(head_->scheduler->ListPools()[0].free_ranks(), 4);
}

TEST_F(SchedulerTest, JobsWaitQueuedWhileRanksAreBusyInFifoOrder) {
  ASSERT_TRUE(pool_.Attach(5).ok());  // 4 executors.
  v1::Job a = Submit(3);
  v1::Job b = Submit(2);  // Does not fit next to a.
  v1::Job c = Submit(1);  // Would fit, but must not overtake b.
  EXPECT_EQ(a.state(), v1::STARTING);
  EXPECT_EQ(b.state(), v1::QUEUED);
  EXPECT_EQ(c.state(), v1::QUEUED);
  pool_.Started(a.id());
  pool_.Succeeded(a.id(), 3);
  EXPECT_EQ(StateOf(b.id()), v1::STARTING);
  EXPECT_EQ(StateOf(c.id()), v1::STARTING);
  EXPECT_THAT(pool_.AssignOf(b.id())->ranks(), ElementsAre(1, 2));
  EXPECT_THAT(pool_.AssignOf(c.id())->ranks(), ElementsAre(3));
}

TEST_F(SchedulerTest, FirstFitAcrossPools) {
  FakePool small(head_->pools.get());
  ASSERT_TRUE(small.Attach(2).ok());  // 1 executor, attached first.
  ASSERT_TRUE(pool_.Attach(4).ok());  // 3 executors.
  v1::Job wide = Submit(3);
  v1::Job narrow = Submit(1);
  EXPECT_EQ(wide.pool_id(), pool_.id());
  EXPECT_EQ(narrow.pool_id(), small.id());
}

TEST_F(SchedulerTest, TooManyRanksFailsAtSubmit) {
  absl::StatusOr<v1::Job> none =
      head_->jobs->Submit(head_->Spec(digest_, 2), Caller::Local());
  EXPECT_EQ(none.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(none.status().message(), HasSubstr("no worker pool is attached"));
  ASSERT_TRUE(pool_.Attach(5).ok());
  absl::StatusOr<v1::Job> job =
      head_->jobs->Submit(head_->Spec(digest_, 8), Caller::Local());
  EXPECT_EQ(job.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(job.status().message(),
            "job asks 8 ranks; the largest pool has 4 executor ranks");
  EXPECT_EQ(head_->jobs->List({}, Caller::Local())->jobs_size(),
            0);  // Nothing recorded.
}

TEST_F(SchedulerTest, TrapOnOneRankFailsTheJobWithThatRankAndMessage) {
  ASSERT_TRUE(pool_.Attach(5).ok());
  v1::Job job = Submit(4);
  pool_.Started(job.id());
  v1::PoolMessage::JobFinished finished;
  finished.set_job_id(job.id());
  finished.set_state(v1::FAILED);
  finished.set_failed_rank(2);
  for (int rank = 0; rank < 4; ++rank) {
    v1::RankResult* result = finished.add_ranks();
    result->set_rank(rank);
    if (rank == 2) {
      result->set_exit_code(134);
      result->set_trap("unreachable\n    at main");
    }
  }
  pool_.Finished(finished);
  v1::Job failed = Get(job.id());
  EXPECT_EQ(failed.state(), v1::FAILED);
  EXPECT_EQ(failed.failed_rank(), 2);
  EXPECT_EQ(failed.exit_code(), 134);
  EXPECT_EQ(failed.reason(), "rank 2 trapped: unreachable\n    at main");
  EXPECT_EQ(failed.ranks(2).trap(), "unreachable\n    at main");
  // The pool goes on: all its ranks are free again.
  EXPECT_EQ(head_->scheduler->ListPools()[0].free_ranks(), 4);
}

TEST_F(SchedulerTest, TimeoutStopsTheJobAndEndsItTimedOut) {
  ASSERT_TRUE(pool_.Attach(3).ok());
  v1::Job job = Submit(2, /*timeout_seconds=*/30);
  pool_.Started(job.id());
  clock_.Advance(absl::Seconds(29));
  head_->scheduler->CheckTimeouts();
  EXPECT_FALSE(pool_.CancelOf(job.id()));
  clock_.Advance(absl::Seconds(1));
  head_->scheduler->CheckTimeouts();
  std::optional<v1::HeadMessage::Cancel> cancel = pool_.CancelOf(job.id());
  ASSERT_TRUE(cancel);
  EXPECT_THAT(cancel->reason(), HasSubstr("timed out after 30s"));
  EXPECT_EQ(StateOf(job.id()), v1::RUNNING);  // Until the pool confirms.
  v1::PoolMessage::JobFinished finished;
  finished.set_job_id(job.id());
  finished.set_state(v1::CANCELLED);
  pool_.Finished(finished);
  v1::Job ended = Get(job.id());
  EXPECT_EQ(ended.state(), v1::TIMED_OUT);
  EXPECT_EQ(ended.reason(), "timed out after 30s");
  EXPECT_EQ(ended.failed_rank(), -1);
}

TEST_F(SchedulerTest, UnconfirmedStopEndsAfterGraceAndKeepsRanksBusy) {
  ASSERT_TRUE(pool_.Attach(3).ok());  // 2 executors.
  v1::Job job = Submit(2, 5);
  pool_.Started(job.id());
  clock_.Advance(absl::Seconds(5));
  head_->scheduler->CheckTimeouts();
  clock_.Advance(absl::Seconds(10));  // The fixture's grace.
  head_->scheduler->CheckTimeouts();
  v1::Job ended = Get(job.id());
  EXPECT_EQ(ended.state(), v1::TIMED_OUT);
  EXPECT_THAT(ended.reason(), HasSubstr("did not confirm the stop"));
  v1::Job next = Submit(1);
  EXPECT_EQ(next.state(), v1::QUEUED);          // Ranks still busy in the pool.
  pool_.Succeeded(job.id(), 2);                 // The pool finally stops it.
  EXPECT_EQ(StateOf(job.id()), v1::TIMED_OUT);  // Unchanged.
  EXPECT_EQ(StateOf(next.id()), v1::STARTING);
}

TEST_F(SchedulerTest, CancelDuringStarting) {
  ASSERT_TRUE(pool_.Attach(3).ok());
  v1::Job job = Submit(2);
  ASSERT_EQ(job.state(), v1::STARTING);
  absl::StatusOr<v1::Job> cancelling =
      head_->jobs->Cancel(job.id(), Caller::Local());
  ASSERT_TRUE(cancelling.ok());
  EXPECT_EQ(cancelling->state(), v1::STARTING);
  ASSERT_TRUE(pool_.CancelOf(job.id()));
  EXPECT_EQ(pool_.CancelOf(job.id())->reason(), "cancelled by user");
  // Idempotent: no second Cancel message.
  ASSERT_TRUE(head_->jobs->Cancel(job.id(), Caller::Local()).ok());
  int cancels = 0;
  for (const auto& m : pool_.received()) cancels += m.has_cancel();
  EXPECT_EQ(cancels, 1);
  v1::PoolMessage::JobFinished finished;
  finished.set_job_id(job.id());
  finished.set_state(v1::CANCELLED);
  pool_.Finished(finished);
  EXPECT_EQ(StateOf(job.id()), v1::CANCELLED);
  EXPECT_EQ(Get(job.id()).reason(), "cancelled by user");
  // Cancel of an ended job returns it unchanged.
  EXPECT_EQ(head_->jobs->Cancel(job.id(), Caller::Local())->state(),
            v1::CANCELLED);
}

TEST_F(SchedulerTest, CancelOfAQueuedJobEndsItAtOnce) {
  ASSERT_TRUE(pool_.Attach(2).ok());
  v1::Job running = Submit(1);
  v1::Job queued = Submit(1);
  ASSERT_EQ(queued.state(), v1::QUEUED);
  EXPECT_EQ(head_->jobs->Cancel(queued.id(), Caller::Local())->state(),
            v1::CANCELLED);
  EXPECT_FALSE(pool_.CancelOf(queued.id()));
  pool_.Succeeded(running.id(), 1);
  EXPECT_FALSE(pool_.AssignOf(queued.id()));
  EXPECT_EQ(
      head_->jobs->Cancel("job-99999999", Caller::Local()).status().code(),
      absl::StatusCode::kNotFound);
}

TEST_F(SchedulerTest, CancelledJobThatSucceededFirstStaysSucceeded) {
  ASSERT_TRUE(pool_.Attach(2).ok());
  v1::Job job = Submit(1);
  pool_.Started(job.id());
  ASSERT_TRUE(head_->jobs->Cancel(job.id(), Caller::Local()).ok());
  pool_.Succeeded(job.id(), 1);
  EXPECT_EQ(StateOf(job.id()), v1::SUCCEEDED);
}

TEST_F(SchedulerTest, LostPoolFailsItsJobsAndReattachesAsANewPool) {
  ASSERT_TRUE(pool_.Attach(4).ok());
  v1::Job running = Submit(2);
  v1::Job starting = Submit(1);
  v1::Job queued = Submit(3);
  pool_.Started(running.id());
  pool_.Log(running.id(), 0, "partial output\n");
  pool_.Detach();
  for (const std::string& id : {running.id(), starting.id()}) {
    v1::Job job = Get(id);
    EXPECT_EQ(job.state(), v1::FAILED);
    EXPECT_EQ(job.reason(), "worker pool lost");
    EXPECT_EQ(job.failed_rank(), -1);
  }
  EXPECT_EQ(StateOf(queued.id()), v1::QUEUED);  // Waits for a pool.
  EXPECT_TRUE(head_->scheduler->ListPools().empty());

  FakePool restarted(head_->pools.get());
  ASSERT_TRUE(restarted.Attach(4).ok());
  EXPECT_NE(restarted.id(), pool_.id());
  EXPECT_EQ(StateOf(queued.id()), v1::STARTING);
  EXPECT_EQ(Get(queued.id()).pool_id(), restarted.id());
  // Messages of the old pool about its jobs change nothing.
  pool_.Succeeded(running.id(), 2);
  EXPECT_EQ(StateOf(running.id()), v1::FAILED);
}

TEST_F(SchedulerTest, JobsALeavingPoolGivesBackRunOnAnotherPool) {
  ASSERT_TRUE(pool_.Attach(4).ok());  // 3 executors.
  v1::Job started = Submit(1);
  v1::Job given_back = Submit(1);
  v1::Job cancelled = Submit(1);
  pool_.Started(started.id());
  ASSERT_TRUE(head_->scheduler->Cancel(cancelled.id()).ok());
  // The pool goes down (an executor died): it tells the head, then reports.
  pool_.Drain("going down: executor rank 3 died");
  for (const std::string& id :
       {started.id(), given_back.id(), cancelled.id()}) {
    v1::PoolMessage::JobFinished finished;
    finished.set_job_id(id);
    finished.set_state(v1::FAILED);
    finished.set_failed_rank(-1);
    finished.set_reason("worker pool lost: executor rank 3 died");
    finished.set_not_run(id != started.id());
    pool_.Finished(finished);
  }
  EXPECT_EQ(StateOf(started.id()), v1::FAILED);  // Its guest ran.
  EXPECT_EQ(StateOf(cancelled.id()), v1::CANCELLED);
  v1::Job queued = Get(given_back.id());
  EXPECT_EQ(queued.state(), v1::QUEUED);
  EXPECT_EQ(queued.pool_id(), "");
  // The next pool runs it.
  FakePool next(head_->pools.get());
  ASSERT_TRUE(next.Attach(2).ok());
  EXPECT_EQ(Get(given_back.id()).pool_id(), next.id());
  EXPECT_EQ(StateOf(given_back.id()), v1::STARTING);
  next.Started(given_back.id());
  next.Succeeded(given_back.id(), 1);
  EXPECT_EQ(StateOf(given_back.id()), v1::SUCCEEDED);
}

TEST_F(SchedulerTest, MessagesAboutOtherPoolsJobsAreIgnored) {
  FakePool other(head_->pools.get());
  ASSERT_TRUE(pool_.Attach(2).ok());
  ASSERT_TRUE(other.Attach(2).ok());
  v1::Job job = Submit(1);
  ASSERT_EQ(job.pool_id(), pool_.id());
  other.Started(job.id());
  other.Succeeded(job.id(), 1);
  other.Log(job.id(), 0, "not mine");
  EXPECT_EQ(StateOf(job.id()), v1::STARTING);
  EXPECT_EQ(head_->scheduler->HandlePoolMessage(other.id(), FakePool::Hello(2))
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(SchedulerTest, BadHelloIsRefused) {
  EXPECT_EQ(pool_.Attach(1).status().code(),
            absl::StatusCode::kInvalidArgument);  // No executor.
  v1::PoolMessage started;
  started.mutable_started()->set_job_id("job-00000001");
  EXPECT_EQ(head_->pools->Attach(started, &pool_).status().code(),
            absl::StatusCode::kInvalidArgument);  // Not a hello first.
}

TEST_F(SchedulerTest, HeadRestartKeepsRecordsAndReconcilesActiveJobs) {
  ASSERT_TRUE(pool_.Attach(3).ok());
  v1::Job done = Submit(1);
  pool_.Started(done.id());
  pool_.Log(done.id(), 0, "hello\n");
  pool_.Succeeded(done.id(), 1);
  v1::Job running = Submit(1);
  pool_.Started(running.id());
  v1::Job starting = Submit(1);
  v1::Job queued = Submit(2);
  ASSERT_EQ(Get(starting.id()).state(), v1::STARTING);
  ASSERT_EQ(Get(queued.id()).state(), v1::QUEUED);

  // The head dies (no detach: the process is gone); a new one starts over
  // the same store.
  // Leaked on purpose: a killed head cleans up nothing (LeakSanitizer, in
  // the check build, is told so).
  TestHead* dead = head_.release();
#ifdef ABSL_HAVE_ADDRESS_SANITIZER
  __lsan_ignore_object(dead);
#else
  (void)dead;
#endif
  head_ = std::make_unique<TestHead>(store_.get(), &clock_);

  EXPECT_EQ(head_->modules->Get(digest_)->digest(), digest_);
  EXPECT_EQ(StateOf(done.id()), v1::SUCCEEDED);
  for (const std::string& id : {running.id(), starting.id()}) {
    EXPECT_EQ(StateOf(id), v1::FAILED);
    EXPECT_EQ(Get(id).reason(), "head restarted");
  }
  EXPECT_EQ(StateOf(queued.id()), v1::QUEUED);  // Never started: queued again.
  EXPECT_EQ(head_->jobs->List({}, Caller::Local())->jobs_size(), 4);
  // New ids continue after the old ones; the queued job goes first.
  FakePool pool(head_->pools.get());
  ASSERT_TRUE(pool.Attach(3).ok());
  v1::Job next = Submit(2);
  EXPECT_GT(next.id(), queued.id());
  EXPECT_EQ(StateOf(queued.id()), v1::STARTING);
  EXPECT_EQ(next.state(), v1::QUEUED);
}

// The pool as ListPools shows it (an empty Pool if it is not listed).
v1::Pool Listed(Scheduler& scheduler, const std::string& id) {
  for (const v1::Pool& pool : scheduler.ListPools()) {
    if (pool.id() == id) return pool;
  }
  return v1::Pool();
}

TEST_F(SchedulerTest, DrainedPoolTakesNoNewJobsAndItsRunningJobFinishes) {
  ASSERT_TRUE(pool_.Attach(5).ok());
  FakePool other(head_->pools.get());
  ASSERT_TRUE(other.Attach(3).ok());
  v1::Job running = Submit(1);
  ASSERT_EQ(running.pool_id(), pool_.id());
  pool_.Started(running.id());

  absl::StatusOr<v1::Pool> drained =
      head_->scheduler->DrainPool(pool_.id(), /*detach=*/false, "");
  ASSERT_TRUE(drained.ok()) << drained.status();
  EXPECT_EQ(drained->state(), v1::POOL_DRAINING);
  EXPECT_EQ(drained->reason(), "drained by operator");
  EXPECT_EQ(drained->busy_ranks(), 1);
  EXPECT_EQ(drained->free_ranks(), 3);

  v1::Job next = Submit(1);  // pool_ has free ranks but drains.
  EXPECT_EQ(next.pool_id(), other.id());
  EXPECT_EQ(Submit(4).state(), v1::QUEUED);  // Only pool_ is that wide.
  pool_.Succeeded(running.id(), 1);
  EXPECT_EQ(StateOf(running.id()), v1::SUCCEEDED);
  EXPECT_EQ(Listed(*head_->scheduler, pool_.id()).state(), v1::POOL_DRAINED);
  EXPECT_EQ(pool_.detaches(), 0);  // Drained pools stay attached.

  absl::StatusOr<v1::Pool> resumed = head_->scheduler->ResumePool(pool_.id());
  ASSERT_TRUE(resumed.ok()) << resumed.status();
  EXPECT_EQ(resumed->state(), v1::POOL_ACTIVE);
  EXPECT_EQ(resumed->busy_ranks(), 4);  // The queued wide job went there.
}

TEST_F(SchedulerTest, PoolAskingToLeaveIsDetachedOnceItsJobsEnd) {
  ASSERT_TRUE(pool_.Attach(5).ok());
  v1::Job a = Submit(2);
  v1::Job b = Submit(1);
  pool_.Started(a.id());
  pool_.Started(b.id());
  pool_.Drain("SIGUSR1");
  v1::Pool listed = Listed(*head_->scheduler, pool_.id());
  EXPECT_EQ(listed.state(), v1::POOL_DETACHING);
  EXPECT_EQ(listed.reason(), "SIGUSR1");
  EXPECT_EQ(pool_.detaches(), 0);
  EXPECT_EQ(head_->scheduler->ResumePool(pool_.id()).status().code(),
            absl::StatusCode::kFailedPrecondition);

  pool_.Succeeded(a.id(), 2);
  EXPECT_EQ(pool_.detaches(), 0);  // b still runs.
  pool_.Succeeded(b.id(), 1);
  ASSERT_EQ(pool_.detaches(), 1);
  EXPECT_EQ(pool_.received().back().detach().reason(), "SIGUSR1");
  pool_.Drain("SIGTERM");  // A second signal changes nothing.
  EXPECT_EQ(pool_.detaches(), 1);

  pool_.Detach();  // The pool ends its stream.
  EXPECT_TRUE(head_->scheduler->ListPools().empty());
  EXPECT_EQ(StateOf(a.id()), v1::SUCCEEDED);
  EXPECT_EQ(StateOf(b.id()), v1::SUCCEEDED);
}

TEST_F(SchedulerTest, IdlePoolDrainedWithDetachLeavesAtOnce) {
  ASSERT_TRUE(pool_.Attach(3).ok());
  absl::StatusOr<v1::Pool> pool =
      head_->scheduler->DrainPool(pool_.id(), /*detach=*/true, "upgrade");
  ASSERT_TRUE(pool.ok());
  EXPECT_EQ(pool->state(), v1::POOL_DETACHING);
  EXPECT_EQ(pool_.detaches(), 1);
  EXPECT_EQ(head_->scheduler->DrainPool("pool-none", false, "").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(head_->scheduler->ResumePool("pool-none").status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(SchedulerTest, SubmitWhileEveryPoolLeavesIsRefused) {
  ASSERT_TRUE(pool_.Attach(3).ok());
  v1::Job running = Submit(1);
  ASSERT_TRUE(head_->scheduler->DrainPool(pool_.id(), true, "").ok());
  absl::StatusOr<v1::Job> job =
      head_->jobs->Submit(head_->Spec(digest_, 1), Caller::Local());
  EXPECT_EQ(job.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(job.status().message(),
            "job asks 1 ranks; every attached worker pool is leaving");
}

TEST_F(SchedulerTest, PoolLostWhileDrainingFailsItsJobsNamingTheDrain) {
  ASSERT_TRUE(pool_.Attach(3).ok());
  v1::Job job = Submit(2);
  pool_.Started(job.id());
  pool_.Drain("SIGTERM");
  pool_.Detach();  // Killed before its job ended (Slurm's time limit).
  v1::Job ended = Get(job.id());
  EXPECT_EQ(ended.state(), v1::FAILED);
  EXPECT_EQ(ended.reason(), "worker pool lost while draining (SIGTERM)");
  EXPECT_TRUE(head_->scheduler->ListPools().empty());
}

TEST_F(SchedulerTest, ReportedLaunchFailuresAreListedNewestFirst) {
  ASSERT_TRUE(pool_.Attach(3).ok());
  for (int i = 0; i < 20; ++i) {
    clock_.Advance(absl::Seconds(1));
    head_->scheduler->ReportPoolFailure(absl::StrCat("rack", i), {"n1", "n2"},
                                        absl::StrCat("mpirun exited ", i));
  }
  std::vector<v1::Pool> pools = head_->scheduler->ListPools();
  ASSERT_EQ(pools.size(), 1 + PoolRegistry::kKeptFailures);
  EXPECT_EQ(pools[0].id(), pool_.id());
  EXPECT_EQ(pools[0].state(), v1::POOL_ACTIVE);
  EXPECT_THAT(pools[0].hosts(), ElementsAre("localhost"));
  EXPECT_EQ(pools[1].state(), v1::POOL_FAILED);
  EXPECT_EQ(pools[1].name(), "rack19");
  EXPECT_EQ(pools[1].reason(), "mpirun exited 19");
  EXPECT_THAT(pools[1].hosts(), ElementsAre("n1", "n2"));
  EXPECT_EQ(FromProto(pools[1].failed()), clock_.Now());
  EXPECT_EQ(pools.back().name(), "rack4");
  // Failures never take jobs.
  EXPECT_EQ(Submit(2).pool_id(), pool_.id());
}

// Found by tests/chaos: a short job whose output could not be stored (the
// disk was full) ended SUCCEEDED with an empty log, because its Finished
// came before the stop reached the pool.
TEST(SchedulerOutputLost, AJobWhoseOutputWasLostNeverSucceeds) {
  bool full = false;
  // Log writes fail as on a full disk while `full`.
  std::unique_ptr<CacheStore> store = cache::NewKvCacheStore(
      std::make_unique<InspectedMemoryKv>(
          [&full](const std::vector<cache::KvWrite>& writes) {
            for (const cache::KvWrite& write : writes) {
              if (full && write.space == cache::Space::kLogs) {
                return DiskFullError("the disk is full");
              }
            }
            return absl::OkStatus();
          }),
      [](absl::string_view) {});
  FakeClock clock;
  TestHead head(store.get(), &clock);
  std::string digest = head.Upload(TinyModule({"MPI_Init"}));
  FakePool pool(head.pools.get());
  ASSERT_TRUE(pool.Attach(2).ok());
  absl::StatusOr<v1::Job> job =
      head.jobs->Submit(head.Spec(digest, 1), Caller::Local());
  ASSERT_TRUE(job.ok()) << job.status();
  pool.Started(job->id());
  full = true;
  pool.Log(job->id(), 0, "lost output\n");
  pool.Succeeded(job->id(), 1);  // The pool ran it to the end meanwhile.
  full = false;
  v1::Job ended = *head.jobs->Get(job->id(), Caller::Local());
  EXPECT_EQ(ended.state(), v1::FAILED);
  EXPECT_THAT(ended.reason(), HasSubstr("its output could not be stored"));
}

}  // namespace
}  // namespace wasmhpc::server
