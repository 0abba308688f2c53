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

class JobQueueTest : public HeadTest {
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

v1::SubmitJobRequest After(v1::Dependency::Kind kind, const std::string& id,
                           int ranks = 1) {
  v1::SubmitJobRequest request;
  request.mutable_spec()->set_ranks(ranks);
  v1::Dependency* d = request.mutable_spec()->add_dependencies();
  d->set_kind(kind);
  d->set_job_id(id);
  return request;
}

TEST_F(JobQueueTest, DependentJobsWaitWithoutHoldingUpTheQueue) {
  ASSERT_TRUE(pool_.Attach(5).ok());  // 4 executors.
  v1::Job first = Submit(2);
  v1::Job ok = Submit(After(v1::Dependency::AFTER_OK, first.id()));
  v1::Job any = Submit(After(v1::Dependency::AFTER_ANY, first.id()));
  v1::Job started = Submit(After(v1::Dependency::AFTER, first.id()));
  v1::Job free = Submit(1);  // Not held up by the waiting ones.
  EXPECT_EQ(ok.state(), v1::QUEUED);
  EXPECT_EQ(ok.queue().waiting_for(), first.id() + " to succeed");
  EXPECT_EQ(any.queue().waiting_for(), first.id() + " to end");
  EXPECT_EQ(started.queue().waiting_for(), first.id() + " to start");
  EXPECT_EQ(free.state(), v1::STARTING);
  pool_.Started(first.id());
  EXPECT_EQ(head_->jobs->Get(started.id(), Caller::Local())->state(),
            v1::STARTING);
  EXPECT_EQ(head_->jobs->Get(ok.id(), Caller::Local())->state(), v1::QUEUED);
  pool_.Started(free.id());
  pool_.Succeeded(free.id(), 1);
  pool_.Succeeded(first.id(), 2);
  EXPECT_EQ(head_->jobs->Get(ok.id(), Caller::Local())->state(), v1::STARTING);
  EXPECT_EQ(head_->jobs->Get(any.id(), Caller::Local())->state(), v1::STARTING);
}

TEST_F(JobQueueTest, ABrokenDependencyCancelsTheChainNamingWhy) {
  ASSERT_TRUE(pool_.Attach(3).ok());
  v1::Job first = Submit(2);
  v1::Job second = Submit(After(v1::Dependency::AFTER_OK, first.id()));
  v1::Job third = Submit(After(v1::Dependency::AFTER_OK, second.id()));
  v1::Job cleanup = Submit(After(v1::Dependency::AFTER_NOT_OK, first.id()));
  pool_.Started(first.id());
  v1::PoolMessage::JobFinished failed;
  failed.set_job_id(first.id());
  failed.set_state(v1::FAILED);
  failed.set_failed_rank(1);
  pool_.Finished(failed);
  v1::Job s = *head_->jobs->Get(second.id(), Caller::Local());
  EXPECT_EQ(s.state(), v1::CANCELLED);
  EXPECT_EQ(s.reason(), absl::StrCat("dependency not met: ", first.id(),
                                     " ended FAILED; this job waited for ",
                                     first.id(), " to succeed"));
  EXPECT_EQ(head_->jobs->Get(third.id(), Caller::Local())->state(),
            v1::CANCELLED);
  EXPECT_EQ(head_->jobs->Get(cleanup.id(), Caller::Local())->state(),
            v1::STARTING);
  // A dependency that can no longer be met, or on no job, is refused.
  v1::SubmitJobRequest never = After(v1::Dependency::AFTER_OK, first.id());
  never.mutable_spec()->set_module_digest(digest_);
  absl::StatusOr<v1::Job> refused = head_->jobs->Submit(never, Caller::Local());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("would wait forever"));
  v1::SubmitJobRequest unknown = After(v1::Dependency::AFTER, "job-99999999");
  unknown.mutable_spec()->set_module_digest(digest_);
  EXPECT_EQ(head_->jobs->Submit(unknown, Caller::Local()).status().code(),
            absl::StatusCode::kNotFound);
  v1::SubmitJobRequest kindless =
      After(v1::Dependency::KIND_UNSPECIFIED, first.id());
  kindless.mutable_spec()->set_module_digest(digest_);
  EXPECT_EQ(head_->jobs->Submit(kindless, Caller::Local()).status().code(),
            absl::StatusCode::kInvalidArgument);
  // Another user's job is as unknown.
  Caller alice{"alice", static_cast<uint8_t>(Role::kUser)};
  v1::SubmitJobRequest foreign = After(v1::Dependency::AFTER_ANY, first.id());
  foreign.mutable_spec()->set_module_digest(digest_);
  EXPECT_EQ(head_->jobs->Submit(foreign, alice).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(JobQueueTest, DependenciesHoldAcrossAHeadRestart) {
  ASSERT_TRUE(pool_.Attach(3).ok());
  v1::Job first = Submit(2);
  v1::Job waits = Submit(After(v1::Dependency::AFTER_OK, first.id()));
  pool_.Started(first.id());
  head_.reset();  // first was RUNNING: the new head fails it.
  head_ = std::make_unique<TestHead>(store_.get(), &clock_);
  v1::Job after = *head_->jobs->Get(waits.id(), Caller::Local());
  EXPECT_EQ(after.state(), v1::CANCELLED);
  EXPECT_THAT(after.reason(), HasSubstr("would wait forever"));
}

}  // namespace
}  // namespace wasmhpc::server
