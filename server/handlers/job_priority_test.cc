// The queue's order: priorities within the submitter's allowance, then fair
// share between submitters, then submission order (scheduler.h).
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/handlers/head_test_fixture.h"

namespace wasmhpc::server {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const Caller kAlice{"alice", static_cast<uint8_t>(Role::kUser)};
const Caller kBob{"bob", static_cast<uint8_t>(Role::kUser)};
const Caller kAdmin{"root", static_cast<uint8_t>(Role::kAdmin) |
                                static_cast<uint8_t>(Role::kUser)};

class JobPriorityTest : public HeadTest {
 protected:
  absl::StatusOr<v1::Job> TrySubmit(const Caller& caller, int ranks,
                                    int priority = 0) {
    v1::JobSpec spec = head_->Spec(digest_, ranks);
    spec.set_priority(priority);
    spec.set_name(caller.name);
    return head_->jobs->Submit(spec, caller);
  }
  std::string Submit(const Caller& caller, int ranks, int priority = 0) {
    absl::StatusOr<v1::Job> job = TrySubmit(caller, ranks, priority);
    EXPECT_TRUE(job.ok()) << job.status();
    return job.ok() ? job->id() : "";
  }
  // The queued jobs of `ids` in queue order.
  std::vector<std::string> QueueOrder(const std::vector<std::string>& ids) {
    std::vector<std::pair<int, std::string>> queued;
    for (const std::string& id : ids) {
      v1::Job job = *head_->jobs->Get(id, Caller::Local());
      if (job.state() == v1::QUEUED) {
        queued.emplace_back(job.queue().position(), id);
      }
    }
    std::sort(queued.begin(), queued.end());
    std::vector<std::string> order;
    for (auto& [position, id] : queued) order.push_back(id);
    return order;
  }
  // Runs the job the pool was last given to its end.
  void Finish(const std::string& id) {
    pool_.Started(id);
    pool_.Succeeded(id, 1);
  }
};

TEST_F(JobPriorityTest, HigherPriorityOvertakesTheQueueButNotARunningJob) {
  ASSERT_TRUE(pool_.Attach(2).ok());  // 1 executor.
  std::string running = Submit(kAdmin, 1, -10);
  std::string low = Submit(kAdmin, 1, -5);
  std::string normal = Submit(kAdmin, 1);
  std::string urgent = Submit(kAdmin, 1, 1000);
  std::string normal2 = Submit(kAdmin, 1);
  EXPECT_EQ(head_->jobs->Get(running, kAdmin)->state(), v1::STARTING);
  EXPECT_THAT(QueueOrder({low, normal, urgent, normal2}),
              ElementsAre(urgent, normal, normal2, low));
  Finish(running);
  EXPECT_EQ(head_->jobs->Get(urgent, kAdmin)->state(), v1::STARTING);
  EXPECT_EQ(head_->jobs->Get(normal, kAdmin)->state(), v1::QUEUED);
}

TEST_F(JobPriorityTest, UsersAskOnlyUpToTheirAllowance) {
  ASSERT_TRUE(pool_.Attach(2).ok());
  absl::StatusOr<v1::Job> refused = TrySubmit(kAlice, 1, 1);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(refused.status().message(),
              HasSubstr("priority 1 is above the 0 a user may ask on this "
                        "head (wasmhpc-head --max-user-priority)"));
  EXPECT_TRUE(TrySubmit(kAlice, 1, -1000).ok());
  EXPECT_TRUE(TrySubmit(kAdmin, 1, 1000).ok());
  for (int bad : {1001, -1001}) {
    absl::StatusOr<v1::Job> out = TrySubmit(kAdmin, 1, bad);
    EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(out.status().message(),
                HasSubstr("priority must be in -1000..1000"));
  }
}

TEST_F(JobPriorityTest, FairShareInterleavesSubmittersOfOnePriority) {
  ASSERT_TRUE(pool_.Attach(2).ok());  // 1 executor.
  std::string first = Submit(kAlice, 1);
  std::vector<std::string> alice, bob;
  for (int i = 0; i < 3; ++i) alice.push_back(Submit(kAlice, 1));
  for (int i = 0; i < 3; ++i) bob.push_back(Submit(kBob, 1));
  // Alice has a rank in use: bob's first job goes ahead of all of hers,
  // then they take turns; each submitter's jobs keep their order.
  EXPECT_THAT(
      QueueOrder({alice[0], alice[1], alice[2], bob[0], bob[1], bob[2]}),
      ElementsAre(bob[0], alice[0], bob[1], alice[1], bob[2], alice[2]));
  Finish(first);
  EXPECT_EQ(head_->jobs->Get(bob[0], kBob)->state(), v1::STARTING);
  Finish(bob[0]);
  EXPECT_EQ(head_->jobs->Get(alice[0], kAlice)->state(), v1::STARTING);
}

TEST_F(JobPriorityTest, OrderSurvivesAHeadRestart) {
  ASSERT_TRUE(pool_.Attach(2).ok());  // 1 executor.
  Submit(kAdmin, 1);
  std::string low = Submit(kAdmin, 1, -1);
  std::string high = Submit(kAdmin, 1, 7);
  EXPECT_THAT(QueueOrder({low, high}), ElementsAre(high, low));
  head_.reset();
  head_ = std::make_unique<TestHead>(store_.get(), &clock_);
  FakePool pool(head_->pools.get());
  EXPECT_THAT(QueueOrder({low, high}), ElementsAre(high, low));
  ASSERT_TRUE(pool.Attach(2).ok());
  EXPECT_EQ(head_->jobs->Get(high, kAdmin)->state(), v1::STARTING);
  EXPECT_EQ(head_->jobs->Get(low, kAdmin)->state(), v1::QUEUED);
}

}  // namespace
}  // namespace wasmhpc::server
