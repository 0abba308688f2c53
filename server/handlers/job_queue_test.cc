// What queued jobs are told about the queue (Job.queue), retried submits
// (SubmitJobRequest.request_id) and finding jobs (names, labels, order).
#include "absl/strings/str_cat.h"
#include "cache-store/memory_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/handlers/head_test_fixture.h"
#include "server/handlers/job_handler.h"

namespace wasmhpc::server {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class JobQueueTest : public ::testing::Test {
 protected:
  v1::Job Submit(v1::SubmitJobRequest request,
                 const Caller& caller = Caller::Local()) {
    request.mutable_spec()->set_module_digest(digest_);
    if (request.spec().ranks() == 0) request.mutable_spec()->set_ranks(1);
    absl::StatusOr<v1::Job> job = head_->jobs->Submit(request, caller);
    EXPECT_TRUE(job.ok()) << job.status();
    return job.value_or(v1::Job());
  }
  v1::Job Submit(int ranks) {
    v1::SubmitJobRequest request;
    request.mutable_spec()->set_ranks(ranks);
    return Submit(request);
  }
  static v1::SubmitJobRequest Named(std::string name,
                                    std::map<std::string, std::string> labels,
                                    std::string request_id = "") {
    v1::SubmitJobRequest request;
    request.mutable_spec()->set_name(std::move(name));
    for (auto& [k, v] : labels)
      (*request.mutable_spec()->mutable_labels())[k] = v;
    request.set_request_id(std::move(request_id));
    return request;
  }
  std::vector<std::string> ListedIds(const v1::ListJobsRequest& request) {
    absl::StatusOr<v1::ListJobsResponse> listed =
        head_->jobs->List(request, Caller::Local());
    EXPECT_TRUE(listed.ok()) << listed.status();
    std::vector<std::string> ids;
    if (listed.ok()) {
      for (const v1::Job& job : listed->jobs()) ids.push_back(job.id());
    }
    return ids;
  }
  // The QueueStates of the snapshots the watcher has now.
  std::vector<std::string> QueueUpdates(JobWatcher& watcher) {
    std::vector<std::string> out;
    v1::JobEvent event;
    while (*watcher.Next(absl::ZeroDuration(), &event) ==
           JobWatcher::Step::kEvent) {
      if (!event.has_job()) continue;
      const v1::Job& job = event.job();
      out.push_back(job.has_queue()
                        ? absl::StrCat(v1::JobState_Name(job.state()), " ",
                                       job.queue().position(), "/",
                                       job.queue().largest_free_block())
                        : v1::JobState_Name(job.state()));
    }
    return out;
  }

  std::unique_ptr<CacheStore> store_ = NewMemoryStore();
  FakeClock clock_;
  std::unique_ptr<TestHead> head_ =
      std::make_unique<TestHead>(store_.get(), &clock_);
  std::string digest_ = head_->Upload(TinyModule({"MPI_Init"}));
  FakePool pool_{head_->pools.get()};
};

TEST_F(JobQueueTest, QueuedJobsSayWhereTheyStandAndHearWhenItChanges) {
  ASSERT_TRUE(pool_.Attach(5).ok());  // 4 executors.
  v1::Job wide = Submit(3);
  v1::Job b = Submit(3);
  v1::Job c = Submit(2);
  EXPECT_FALSE(wide.has_queue());  // STARTING
  EXPECT_EQ(b.queue().position(), 1);
  EXPECT_EQ(b.queue().largest_free_block(), 1);
  EXPECT_EQ(c.queue().position(), 2);
  v1::WatchJobRequest watch;
  watch.set_id(c.id());
  watch.set_states_only(true);
  std::unique_ptr<JobWatcher> watcher =
      *head_->jobs->Watch(watch, Caller::Local());
  EXPECT_THAT(QueueUpdates(*watcher), ElementsAre("QUEUED 2/1"));
  ASSERT_TRUE(head_->jobs->Cancel(b.id(), Caller::Local()).ok());
  EXPECT_THAT(QueueUpdates(*watcher), ElementsAre("QUEUED 1/1"));
  pool_.Started(wide.id());
  pool_.Succeeded(wide.id(), 3);
  EXPECT_THAT(QueueUpdates(*watcher), ElementsAre("STARTING"));
  EXPECT_FALSE(head_->jobs->Get(c.id(), Caller::Local())->has_queue());
}

TEST_F(JobQueueTest, ARetriedSubmitReturnsTheFirstJobEvenAfterARestart) {
  ASSERT_TRUE(pool_.Attach(3).ok());
  v1::Job first = Submit(Named("n", {}, "retry-1"));
  v1::Job again = Submit(Named("n", {}, "retry-1"));
  EXPECT_EQ(again.id(), first.id());
  EXPECT_EQ(again.request_id(), "retry-1");
  // Another caller's request ids are its own.
  Caller alice{"alice", static_cast<uint8_t>(Role::kUser)};
  EXPECT_NE(Submit(Named("n", {}, "retry-1"), alice).id(), first.id());
  // The same id for another spec is refused.
  v1::SubmitJobRequest other = Named("other", {}, "retry-1");
  other.mutable_spec()->set_module_digest(digest_);
  other.mutable_spec()->set_ranks(1);
  absl::StatusOr<v1::Job> refused = head_->jobs->Submit(other, Caller::Local());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(refused.status().message(), HasSubstr(first.id()));
  // A new head over the same store knows the request.
  head_.reset();
  head_ = std::make_unique<TestHead>(store_.get(), &clock_);
  FakePool pool(head_->pools.get());
  ASSERT_TRUE(pool.Attach(3).ok());
  EXPECT_EQ(Submit(Named("n", {}, "retry-1")).id(), first.id());
  EXPECT_EQ(head_->jobs->List({}, Caller::Local())->jobs_size(), 2);
}

TEST_F(JobQueueTest, BadNamesLabelsAndRequestIdsAreRefused) {
  ASSERT_TRUE(pool_.Attach(3).ok());
  std::vector<std::pair<v1::SubmitJobRequest, std::string>> bad = {
      {Named("a\nb", {}), "the job name contains a control character"},
      {Named(std::string(300, 'n'), {}), "the job name is 300 bytes"},
      {Named("", {{"", "v"}}), "label keys must not be empty"},
      {Named("", {{"k", "\xff"}}), "not valid UTF-8"},
      {Named("", {{"k", "a\tb"}}), "the value of label 'k' contains a control"},
      {Named("", {}, "has space"), "request_id must be at most 128"},
      {Named("", {}, std::string(129, 'r')), "request_id must be at most"},
  };
  for (auto& [request, message] : bad) {
    request.mutable_spec()->set_module_digest(digest_);
    request.mutable_spec()->set_ranks(1);
    absl::StatusOr<v1::Job> job = head_->jobs->Submit(request, Caller::Local());
    EXPECT_EQ(job.status().code(), absl::StatusCode::kInvalidArgument)
        << message;
    EXPECT_THAT(job.status().message(), HasSubstr(message));
  }
  EXPECT_EQ(head_->jobs->List({}, Caller::Local())->jobs_size(), 0);
}

TEST_F(JobQueueTest, ListsNewestFirstFilteredByNameAndLabels) {
  ASSERT_TRUE(pool_.Attach(3).ok());
  v1::Job a = Submit(Named("sweep", {{"team", "cfd"}, {"run", "1"}}));
  v1::Job b = Submit(Named("sweep", {{"team", "md"}}));
  v1::Job c = Submit(Named("other", {{"team", "cfd"}}));
  EXPECT_THAT(ListedIds({}), ElementsAre(c.id(), b.id(), a.id()));
  v1::ListJobsRequest oldest;
  oldest.set_oldest_first(true);
  EXPECT_THAT(ListedIds(oldest), ElementsAre(a.id(), b.id(), c.id()));
  v1::ListJobsRequest by_name;
  by_name.set_name("sweep");
  EXPECT_THAT(ListedIds(by_name), ElementsAre(b.id(), a.id()));
  v1::ListJobsRequest by_label;
  (*by_label.mutable_labels())["team"] = "cfd";
  EXPECT_THAT(ListedIds(by_label), ElementsAre(c.id(), a.id()));
  by_label.set_name("sweep");
  EXPECT_THAT(ListedIds(by_label), ElementsAre(a.id()));
  // Pages go on where the last one ended, in either order.
  v1::ListJobsRequest page;
  page.set_page_size(2);
  absl::StatusOr<v1::ListJobsResponse> first =
      head_->jobs->List(page, Caller::Local());
  ASSERT_EQ(first->jobs_size(), 2);
  page.set_page_token(first->next_page_token());
  EXPECT_THAT(ListedIds(page), ElementsAre(a.id()));
}

}  // namespace
}  // namespace wasmhpc::server
