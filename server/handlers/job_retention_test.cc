// The head's quotas on stored output: ended jobs expire with their logs
// (Scheduler::ExpireJobs) or when their owner prunes them (JobHandler::
// Prune), and a pool's log batches are stored compactly.
#include <atomic>

#include "absl/strings/str_cat.h"
#include "cache-store/memory_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/handlers/api_limits.h"
#include "server/handlers/counting_store.h"
#include "server/handlers/head_test_fixture.h"
#include "server/handlers/scheduler.h"

namespace wasmhpc::server {
namespace {

class JobRetentionTest : public ::testing::Test {
 protected:
  v1::Job Submit(int ranks, const Caller& caller = Caller::Local(),
                 const std::string& name = "") {
    v1::JobSpec spec = head_->Spec(digest_, ranks);
    spec.set_name(name);
    absl::StatusOr<v1::Job> job = head_->jobs->Submit(spec, caller);
    EXPECT_TRUE(job.ok()) << job.status();
    return job.ok() ? *job : v1::Job();
  }
  // A job that printed `output` and succeeded.
  v1::Job Done(const std::string& output,
               const Caller& caller = Caller::Local(),
               const std::string& name = "") {
    v1::Job job = Submit(1, caller, name);
    pool_.Started(job.id());
    pool_.Log(job.id(), 0, output);
    pool_.Succeeded(job.id(), 1);
    return job;
  }
  std::vector<std::string> Listed() {
    std::vector<std::string> ids;
    absl::StatusOr<v1::ListJobsResponse> list =
        head_->jobs->List({}, Caller::Local());
    EXPECT_TRUE(list.ok()) << list.status();
    if (!list.ok()) return ids;
    for (const v1::Job& job : list->jobs()) {
      ids.push_back(job.id());
    }
    return ids;
  }
  uint64_t StoredLog(const std::string& id) {
    return store_->ReadLog(id, 0, 0)->log_size;
  }

  std::atomic<uint64_t> written_{0};
  std::unique_ptr<CacheStore> store_ = NewCountingMemoryStore(&written_);
  FakeClock clock_;
  std::unique_ptr<TestHead> head_ =
      std::make_unique<TestHead>(store_.get(), &clock_);
  std::string digest_ = head_->Upload(TinyModule({"MPI_Init"}));
  FakePool pool_{head_->pools.get()};
};

TEST_F(JobRetentionTest, EndedJobsExpireWithTheirLogsActiveOnesNever) {
  ASSERT_TRUE(pool_.Attach(3).ok());  // 2 executors.
  v1::Job old = Done("old output\n");
  v1::Job running = Submit(1);
  pool_.Started(running.id());
  pool_.Log(running.id(), 0, "still going\n");
  clock_.Advance(absl::Hours(24 * 7) - absl::Seconds(1));
  v1::Job recent = Done("recent output\n");
  v1::Job queued = Submit(2);  // Waits for the running job's rank.
  ASSERT_EQ(head_->jobs->Get(queued.id(), Caller::Local())->state(),
            v1::QUEUED);
  EXPECT_EQ(head_->scheduler->ExpireJobs(absl::Hours(24 * 7)), 0);

  clock_.Advance(absl::Seconds(1));  // `old` ended 7 days ago now.
  EXPECT_EQ(head_->scheduler->ExpireJobs(absl::Hours(24 * 7)), 1);
  EXPECT_EQ(head_->jobs->Get(old.id(), Caller::Local()).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(StoredLog(old.id()), 0u);
  EXPECT_THAT(Listed(),
              testing::ElementsAre(queued.id(), recent.id(), running.id()));
  EXPECT_GT(StoredLog(recent.id()), 0u);
  EXPECT_GT(StoredLog(running.id()), 0u);

  // Long after: the running and the queued job stay whatever their age.
  clock_.Advance(absl::Hours(24 * 365));
  EXPECT_EQ(head_->scheduler->ExpireJobs(absl::InfiniteDuration()), 0);
  EXPECT_EQ(head_->scheduler->ExpireJobs(absl::Hours(24 * 7)), 1);
  EXPECT_THAT(Listed(), testing::ElementsAre(queued.id(), running.id()));
  EXPECT_EQ(StoredLog(recent.id()), 0u);
  EXPECT_EQ(head_->jobs->Get(running.id(), Caller::Local())->state(),
            v1::RUNNING);
}

TEST_F(JobRetentionTest, ExpiryPagesThroughManyJobs) {
  ASSERT_TRUE(pool_.Attach(2).ok());
  for (int i = 0; i < 600; ++i) Done("x");
  clock_.Advance(absl::Hours(2));
  v1::Job kept = Done("y");
  EXPECT_EQ(head_->scheduler->ExpireJobs(absl::Hours(1)), 600);
  EXPECT_THAT(Listed(), testing::ElementsAre(kept.id()));
}

TEST_F(JobRetentionTest, PruneDeletesTheCallersEndedJobsNow) {
  ASSERT_TRUE(pool_.Attach(3).ok());  // 2 executors.
  const Caller alice{"alice", static_cast<uint8_t>(Role::kUser)};
  const Caller bob{"bob", static_cast<uint8_t>(Role::kUser)};
  v1::Job old = Done("old\n", alice, "sweep");
  v1::Job bobs = Done("bob's\n", bob);
  clock_.Advance(absl::Hours(2));
  v1::Job recent = Done("recent\n", alice, "sweep");
  v1::Job other = Done("other\n", alice, "other");
  v1::Job running = Submit(1, alice);
  pool_.Started(running.id());
  auto prune = [&](const v1::PruneJobsRequest& request, const Caller& caller) {
    absl::StatusOr<v1::PruneJobsResponse> pruned =
        head_->jobs->Prune(request, caller);
    EXPECT_TRUE(pruned.ok()) << pruned.status();
    return pruned.ok() ? pruned->deleted() : -1;
  };
  v1::PruneJobsRequest older;
  older.mutable_older_than()->set_seconds(3600);
  EXPECT_EQ(prune(older, alice), 1);
  EXPECT_EQ(StoredLog(old.id()), 0u);
  v1::PruneJobsRequest named;
  named.set_name("sweep");
  EXPECT_EQ(prune(named, alice), 1);
  EXPECT_EQ(prune({}, alice), 1);  // `other`; bob's and the running one stay.
  EXPECT_THAT(Listed(), testing::ElementsAre(running.id(), bobs.id()));
  EXPECT_EQ(prune({}, Caller::Local()), 1);  // An admin: everyone's.
  EXPECT_THAT(Listed(), testing::ElementsAre(running.id()));

  v1::PruneJobsRequest negative;
  negative.mutable_older_than()->set_seconds(-1);
  EXPECT_EQ(head_->jobs->Prune(negative, alice).status().code(),
            absl::StatusCode::kInvalidArgument);
  // Filters are bounded as a job's labels are, here and in List.
  v1::PruneJobsRequest labelled;
  v1::ListJobsRequest list;
  for (int i = 0; i <= kMaxLabels; ++i) {
    (*labelled.mutable_labels())[absl::StrCat("k", i)] = "v";
    (*list.mutable_labels())[absl::StrCat("k", i)] = "v";
  }
  EXPECT_THAT(head_->jobs->Prune(labelled, alice).status().message(),
              testing::HasSubstr("a filter may have at most 64 labels"));
  EXPECT_THAT(head_->jobs->List(list, alice).status().message(),
              testing::HasSubstr("a filter may have at most 64 labels"));
}

// Regression: a pool's batch of one-byte chunks alternating between stdout
// and stderr was stored a record per chunk, 72 bytes per byte of output.
TEST_F(JobRetentionTest, PoolLogBatchesAreStoredCompactly) {
  ASSERT_TRUE(pool_.Attach(2).ok());
  v1::Job job = Submit(1);
  pool_.Started(job.id());
  const uint64_t before = written_.load();
  constexpr int kBatch = 64 << 10;
  for (int batch = 0; batch < 4; ++batch) {
    v1::PoolMessage message;
    message.mutable_logs()->set_job_id(job.id());
    for (int i = 0; i < kBatch; ++i) {
      v1::LogChunk* chunk = message.mutable_logs()->add_chunks();
      chunk->set_stream(i % 2 == 0 ? v1::STDOUT : v1::STDERR);
      chunk->set_data(i % 2 == 0 ? "o" : "e");
    }
    ASSERT_TRUE(head_->scheduler->HandlePoolMessage(pool_.id(), message).ok());
  }
  const uint64_t stored = written_.load() - before;
  EXPECT_LE(stored, 2u * 4 * kBatch + 4096) << stored;
  EXPECT_EQ(*head_->scheduler->log().Size(job.id()), 4u * kBatch);
}

}  // namespace
}  // namespace wasmhpc::server
