// Job arrays: one job per index, each told its index, at most max_running
// at once, cancelled together, refused whole when they do not fit.
#include "server/handlers/job_array.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/handlers/head_test_fixture.h"

namespace wasmhpc::server {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

v1::ArraySpec Array(int first, int last, int step = 0, int max_running = 0) {
  v1::ArraySpec a;
  a.set_first(first);
  a.set_last(last);
  a.set_step(step);
  a.set_max_running(max_running);
  return a;
}

TEST(ArrayIndices, FirstToLastByStep) {
  v1::JobSpec spec;
  EXPECT_THAT(ArrayIndices(spec), ElementsAre());
  *spec.mutable_array() = Array(3, 10, 3);
  EXPECT_THAT(ArrayIndices(spec), ElementsAre(3, 6, 9));
  *spec.mutable_array() = Array(5, 5);
  EXPECT_THAT(ArrayIndices(spec), ElementsAre(5));
  EXPECT_TRUE(CheckArray(spec).ok());
  for (const v1::ArraySpec& bad :
       {Array(-1, 3), Array(4, 3), Array(0, 3, -1), Array(0, 3, 1, -2)}) {
    *spec.mutable_array() = bad;
    EXPECT_THAT(CheckArray(spec).message(), HasSubstr("want first >= 0"));
  }
  *spec.mutable_array() = Array(0, 1000);
  EXPECT_EQ(CheckArray(spec).message(),
            "array 0-1000 has 1001 tasks; an array may have at most 1000");
  *spec.mutable_array() = Array(0, 1998, 2);
  EXPECT_TRUE(CheckArray(spec).ok());
}

class JobArrayTest : public HeadTest {
 protected:
  absl::StatusOr<v1::Job> SubmitArray(const v1::ArraySpec& array,
                                      int ranks = 1) {
    v1::JobSpec spec = head_->Spec(digest_, ranks);
    *spec.mutable_array() = array;
    return head_->jobs->Submit(spec, Caller::Local());
  }
  std::vector<std::string> Tasks(const std::string& array_id) {
    v1::ListJobsRequest list;
    list.set_array_id(array_id);
    list.set_oldest_first(true);
    absl::StatusOr<v1::ListJobsResponse> listed =
        head_->jobs->List(list, Caller::Local());
    EXPECT_TRUE(listed.ok()) << listed.status();
    std::vector<std::string> ids;
    if (!listed.ok()) return ids;
    for (const v1::Job& job : listed->jobs()) ids.push_back(job.id());
    return ids;
  }
  v1::JobState StateOf(const std::string& id) {
    return head_->jobs->Get(id, Caller::Local())->state();
  }
};

TEST_F(JobArrayTest, EachTaskIsAJobToldItsIndexAtMostMaxRunningAtOnce) {
  ASSERT_TRUE(pool_.Attach(5).ok());  // 4 executors.
  absl::StatusOr<v1::Job> first = SubmitArray(Array(10, 14, 2, 2));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->array_id(), first->id());
  EXPECT_EQ(first->array_index(), 10);
  std::vector<std::string> tasks = Tasks(first->id());
  ASSERT_EQ(tasks.size(), 3u);
  EXPECT_EQ(tasks[0], first->id());
  // Two run although there is room for four; the third waits.
  EXPECT_EQ(StateOf(tasks[0]), v1::STARTING);
  EXPECT_EQ(StateOf(tasks[1]), v1::STARTING);
  EXPECT_EQ(StateOf(tasks[2]), v1::QUEUED);
  // A held task holds up nobody.
  v1::Job other =
      *head_->jobs->Submit(head_->Spec(digest_, 2), Caller::Local());
  EXPECT_EQ(other.state(), v1::STARTING);
  const v1::HeadMessage::Assign assign = *pool_.AssignOf(tasks[1]);
  EXPECT_EQ(assign.spec().env().at("WASMHPC_ARRAY_INDEX"), "12");
  EXPECT_EQ(assign.spec().env().at("WASMHPC_ARRAY_ID"), first->id());
  EXPECT_FALSE(
      pool_.AssignOf(other.id())->spec().env().contains("WASMHPC_ARRAY_INDEX"));
  pool_.Started(tasks[0]);
  pool_.Succeeded(tasks[0], 1);
  EXPECT_EQ(StateOf(tasks[2]), v1::STARTING);
  EXPECT_EQ(pool_.AssignOf(tasks[2])->spec().env().at("WASMHPC_ARRAY_INDEX"),
            "14");
}

TEST_F(JobArrayTest, CancelArrayStopsEveryTaskNotEnded) {
  ASSERT_TRUE(pool_.Attach(2).ok());  // 1 executor.
  v1::Job first = *SubmitArray(Array(0, 3));
  std::vector<std::string> tasks = Tasks(first.id());
  ASSERT_EQ(tasks.size(), 4u);
  pool_.Started(tasks[0]);
  pool_.Succeeded(tasks[0], 1);  // tasks[1] starts.
  ASSERT_EQ(StateOf(tasks[1]), v1::STARTING);
  absl::StatusOr<v1::Job> cancelled =
      head_->jobs->Cancel(tasks[2], Caller::Local(), /*array=*/true);
  ASSERT_TRUE(cancelled.ok()) << cancelled.status();
  EXPECT_EQ(cancelled->state(), v1::CANCELLED);
  EXPECT_EQ(StateOf(tasks[0]), v1::SUCCEEDED);
  EXPECT_TRUE(pool_.CancelOf(tasks[1]).has_value());
  EXPECT_EQ(StateOf(tasks[3]), v1::CANCELLED);
  v1::Job single =
      *head_->jobs->Submit(head_->Spec(digest_, 1), Caller::Local());
  EXPECT_THAT(head_->jobs->Cancel(single.id(), Caller::Local(), true)
                  .status()
                  .message(),
              HasSubstr("is not a task of a job array"));
}

TEST_F(JobArrayTest, AnArrayIsQueuedWholeOrNotAtAll) {
  head_.reset();
  head_ = std::make_unique<TestHead>(store_.get(), &clock_,
                                     std::vector<std::string>{},
                                     /*max_jobs_per_owner=*/5);
  FakePool pool(head_->pools.get());
  ASSERT_TRUE(pool.Attach(2).ok());
  ASSERT_TRUE(SubmitArray(Array(0, 1)).ok());
  absl::StatusOr<v1::Job> refused = SubmitArray(Array(0, 3));
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(refused.status().message(),
              HasSubstr("has 2 jobs queued or running; 4 more would pass 5"));
  EXPECT_EQ(head_->jobs->List({}, Caller::Local())->jobs_size(), 2);
  EXPECT_EQ(SubmitArray(Array(0, 2000)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace wasmhpc::server
