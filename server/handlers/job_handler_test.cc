// JobHandler: submit validation, listing, and Watch with log resume.
#include "server/handlers/job_handler.h"

#include <filesystem>

#include "cache-store/memory_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/handlers/head_test_fixture.h"

namespace wasmhpc::server {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

namespace fs = std::filesystem;

class JobHandlerTest : public ::testing::Test {
 protected:
  JobHandlerTest() {
    fs::create_directories(fs::path(allowed_) / "sub");
    fs::create_directories(outside_);
    head_ = std::make_unique<TestHead>(store_.get(), &clock_,
                                       std::vector<std::string>{allowed_});
    digest_ = head_->Upload(TinyModule({"MPI_Init"}));
    pool_ = std::make_unique<FakePool>(head_->pools.get());
    EXPECT_TRUE(pool_->Attach(5).ok());
  }
  ~JobHandlerTest() override { fs::remove_all(root_); }

  absl::Status SubmitStatus(const v1::JobSpec& spec) {
    return head_->jobs->Submit(spec, Caller::Local()).status();
  }
  v1::JobSpec WithDir(const std::string& host) {
    v1::JobSpec spec = head_->Spec(digest_, 1);
    spec.add_dirs()->set_host_path(host);
    return spec;
  }

  // Every event until kDone (waits up to 1 s per step).
  std::vector<v1::JobEvent> Drain(JobWatcher& watcher) {
    std::vector<v1::JobEvent> events;
    while (true) {
      v1::JobEvent event;
      absl::StatusOr<JobWatcher::Step> step =
          watcher.Next(absl::Seconds(1), &event);
      EXPECT_TRUE(step.ok()) << step.status();
      if (!step.ok() || *step == JobWatcher::Step::kDone) return events;
      EXPECT_EQ(*step, JobWatcher::Step::kEvent) << "no event within 1 s";
      if (*step != JobWatcher::Step::kEvent) return events;
      events.push_back(event);
    }
  }

  // Summaries: "job:STATE" or "log@OFFSET/rRANK:DATA".
  static std::vector<std::string> Summary(
      const std::vector<v1::JobEvent>& events) {
    std::vector<std::string> out;
    for (const v1::JobEvent& e : events) {
      if (e.has_job()) {
        out.push_back("job:" + v1::JobState_Name(e.job().state()));
      } else {
        out.push_back("log@" + std::to_string(e.log().offset()) + "/r" +
                      std::to_string(e.log().rank()) + ":" + e.log().data());
      }
    }
    return out;
  }

  std::unique_ptr<JobWatcher> Watch(const std::string& id, uint64_t offset = 0,
                                    bool states_only = false) {
    v1::WatchJobRequest request;
    request.set_id(id);
    request.set_log_offset(offset);
    request.set_states_only(states_only);
    absl::StatusOr<std::unique_ptr<JobWatcher>> watcher =
        head_->jobs->Watch(request, Caller::Local());
    EXPECT_TRUE(watcher.ok()) << watcher.status();
    return watcher.ok() ? *std::move(watcher) : nullptr;
  }

  const fs::path root_ = fs::temp_directory_path() /
                         ("job_handler_test." + std::to_string(::getpid()));
  const std::string allowed_ = root_ / "data";
  const std::string outside_ = root_ / "etc";
  std::unique_ptr<CacheStore> store_ = NewMemoryStore();
  FakeClock clock_;
  std::unique_ptr<TestHead> head_;
  std::string digest_;
  std::unique_ptr<FakePool> pool_;
};

TEST_F(JobHandlerTest, BadSubmissionsAreRefusedAndLeaveNoRecord) {
  EXPECT_EQ(SubmitStatus(head_->Spec(digest_, 0)).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(SubmitStatus(head_->Spec(digest_, -3)).message(),
              HasSubstr("ranks must be at least 1 (got -3)"));
  std::string unknown = "sha256:" + std::string(64, 'e');
  absl::Status status = SubmitStatus(head_->Spec(unknown, 1));
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(status.message(), HasSubstr("no module " + unknown));
  EXPECT_EQ(SubmitStatus(head_->Spec("app.wasm", 1)).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SubmitStatus(head_->Spec(digest_, 5)).code(),
            absl::StatusCode::kFailedPrecondition);
  v1::JobSpec negative = head_->Spec(digest_, 1);
  negative.mutable_timeout()->set_seconds(-1);
  EXPECT_EQ(SubmitStatus(negative).code(), absl::StatusCode::kInvalidArgument);
  v1::JobSpec bad_env = head_->Spec(digest_, 1);
  (*bad_env.mutable_env())["A=B"] = "c";
  EXPECT_EQ(SubmitStatus(bad_env).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(head_->jobs->List({}, Caller::Local())->jobs_size(), 0);
}

// A module stored before the head checked MPI imports (a store written by
// an older head) is refused at submit, before any rank starts, naming all
// the functions wasmhpc lacks.
TEST_F(JobHandlerTest, ModuleImportingUnprovidedMpiFunctionsIsRefused) {
  std::string bytes =
      TinyModule({"MPI_Init", "MPI_Comm_spawn", "MPI_Open_port"});
  std::string digest = ModuleDigest(bytes);
  ASSERT_TRUE(store_->PutModule(digest, bytes).ok());
  absl::Status refused = SubmitStatus(head_->Spec(digest, 1));
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.message(),
              HasSubstr("does not provide yet: MPI_Comm_spawn, MPI_Open_port"));
  // With its record as an older head wrote it.
  v1::Module record;
  record.add_mpi_imports("MPI_Init");
  record.add_mpi_imports("MPI_Comm_spawn");
  ASSERT_TRUE(store_->PutModuleRecord(digest, record.SerializeAsString()).ok());
  EXPECT_THAT(SubmitStatus(head_->Spec(digest, 1)).message(),
              HasSubstr("does not provide yet: MPI_Comm_spawn ("));
  EXPECT_EQ(head_->jobs->List({}, Caller::Local())->jobs_size(), 0);
}

TEST_F(JobHandlerTest, DirsOutsideAllowDirAreRefused) {
  EXPECT_TRUE(SubmitStatus(WithDir(allowed_)).ok());
  EXPECT_TRUE(SubmitStatus(WithDir(allowed_ + "/sub")).ok());
  EXPECT_TRUE(SubmitStatus(WithDir(allowed_ + "/not-yet-made")).ok());
  for (const std::string& path :
       {outside_, allowed_ + "/../etc", allowed_ + "x", std::string("/")}) {
    absl::Status status = SubmitStatus(WithDir(path));
    EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied) << path;
    EXPECT_THAT(status.message(), HasSubstr("outside the directories"));
  }
  // A symbolic link inside the allowed dir that leads out of it.
  fs::create_directory_symlink(outside_, allowed_ + "/escape");
  EXPECT_EQ(SubmitStatus(WithDir(allowed_ + "/escape")).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(SubmitStatus(WithDir("relative/dir")).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(JobHandlerTest, NoAllowDirRefusesEveryDir) {
  TestHead strict(store_.get(), &clock_);
  FakePool pool(strict.pools.get());
  ASSERT_TRUE(pool.Attach(2).ok());
  v1::JobSpec spec = WithDir(allowed_);
  absl::Status status = strict.jobs->Submit(spec, Caller::Local()).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(status.message(), HasSubstr("allows no host directories"));
}

TEST_F(JobHandlerTest, ListFiltersByStateAndPages) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i)
    ids.push_back(
        head_->jobs->Submit(head_->Spec(digest_, 1), Caller::Local())->id());
  // 4 executors: jobs 0-3 STARTING, job 4 QUEUED.
  v1::ListJobsRequest request;
  request.set_page_size(2);
  std::vector<std::string> listed;
  do {
    absl::StatusOr<v1::ListJobsResponse> page =
        head_->jobs->List(request, Caller::Local());
    ASSERT_TRUE(page.ok());
    for (const v1::Job& job : page->jobs()) listed.push_back(job.id());
    request.set_page_token(page->next_page_token());
  } while (!request.page_token().empty());
  EXPECT_EQ(listed, std::vector<std::string>(ids.rbegin(), ids.rend()));

  v1::ListJobsRequest queued;
  queued.add_states(v1::QUEUED);
  absl::StatusOr<v1::ListJobsResponse> only =
      head_->jobs->List(queued, Caller::Local());
  ASSERT_EQ(only->jobs_size(), 1);
  EXPECT_EQ(only->jobs(0).id(), ids[4]);
  EXPECT_EQ(head_->jobs->Get("job-nope", Caller::Local()).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(JobHandlerTest, WatchStreamsStatesAndLogsThenEnds) {
  v1::Job job = *head_->jobs->Submit(head_->Spec(digest_, 2), Caller::Local());
  std::unique_ptr<JobWatcher> watcher = Watch(job.id());
  pool_->Started(job.id());
  pool_->Log(job.id(), 0, "hello from rank 0\n");
  pool_->Log(job.id(), 1, "oops\n", v1::STDERR);
  pool_->Succeeded(job.id(), 2);
  std::vector<v1::JobEvent> events = Drain(*watcher);
  EXPECT_THAT(
      Summary(events),
      ElementsAre("job:STARTING", "job:RUNNING", "log@0/r0:hello from rank 0\n",
                  "log@18/r1:oops\n", "job:SUCCEEDED"));
  EXPECT_EQ(events[3].log().stream(), v1::STDERR);
}

TEST_F(JobHandlerTest, WatchResumesFromALogOffset) {
  v1::Job job = *head_->jobs->Submit(head_->Spec(digest_, 1), Caller::Local());
  pool_->Started(job.id());
  pool_->Log(job.id(), 0, "0123456789");
  pool_->Log(job.id(), 0, "abcdef");
  pool_->Succeeded(job.id(), 1);
  // From the middle of the first chunk.
  EXPECT_THAT(
      Summary(Drain(*Watch(job.id(), 4))),
      ElementsAre("job:SUCCEEDED", "log@4/r0:456789", "log@10/r0:abcdef"));
  // From a chunk boundary, and from the end.
  EXPECT_THAT(Summary(Drain(*Watch(job.id(), 10))),
              ElementsAre("job:SUCCEEDED", "log@10/r0:abcdef"));
  EXPECT_THAT(Summary(Drain(*Watch(job.id(), 16))),
              ElementsAre("job:SUCCEEDED"));
  // Past the end.
  v1::WatchJobRequest past;
  past.set_id(job.id());
  past.set_log_offset(17);
  EXPECT_EQ(head_->jobs->Watch(past, Caller::Local()).status().code(),
            absl::StatusCode::kOutOfRange);
  // States only.
  EXPECT_THAT(Summary(Drain(*Watch(job.id(), 0, true))),
              ElementsAre("job:SUCCEEDED"));
}

TEST_F(JobHandlerTest, TheModulesNameBecomesTheGuestsArgv0) {
  std::string named = head_->Upload(TinyModule({"MPI_Send"}), "solver.wasm");
  v1::Job job = *head_->jobs->Submit(head_->Spec(named, 1), Caller::Local());
  EXPECT_EQ(job.module_name(), "solver.wasm");
  std::optional<v1::HeadMessage::Assign> assign = pool_->AssignOf(job.id());
  ASSERT_TRUE(assign.has_value());
  EXPECT_EQ(assign->module_name(), "solver.wasm");
  // Without a name, the digest stands in.
  std::string nameless = head_->Upload(TinyModule({"MPI_Finalize"}), "");
  EXPECT_EQ(head_->jobs->Submit(head_->Spec(nameless, 1), Caller::Local())
                ->module_name(),
            nameless);
}

TEST_F(JobHandlerTest, NoFollowWatchEndsAfterTheLogSoFar) {
  v1::Job job = *head_->jobs->Submit(head_->Spec(digest_, 1), Caller::Local());
  pool_->Started(job.id());
  pool_->Log(job.id(), 0, "first\n");
  v1::WatchJobRequest request;
  request.set_id(job.id());
  request.set_no_follow(true);
  std::unique_ptr<JobWatcher> watcher =
      *head_->jobs->Watch(request, Caller::Local());
  pool_->Log(job.id(), 0, "after the watch began\n");
  // Still RUNNING, yet the watch ends without the later line.
  EXPECT_THAT(Summary(Drain(*watcher)),
              ElementsAre("job:RUNNING", "log@0/r0:first\n"));
  pool_->Succeeded(job.id(), 1);
  EXPECT_THAT(
      Summary(Drain(*head_->jobs->Watch(request, Caller::Local()).value())),
      ElementsAre("job:SUCCEEDED", "log@0/r0:first\n",
                  "log@6/r0:after the watch began\n"));
}

TEST_F(JobHandlerTest, WatchWaitsForEventsFromAnotherThread) {
  v1::Job job = *head_->jobs->Submit(head_->Spec(digest_, 1), Caller::Local());
  std::unique_ptr<JobWatcher> watcher = Watch(job.id());
  v1::JobEvent event;
  ASSERT_EQ(*watcher->Next(absl::Seconds(1), &event), JobWatcher::Step::kEvent);
  EXPECT_EQ(*watcher->Next(absl::Milliseconds(20), &event),
            JobWatcher::Step::kIdle);
  std::thread pool([&] {
    pool_->Started(job.id());
    pool_->Log(job.id(), 0, "late line\n");
    pool_->Succeeded(job.id(), 1);
  });
  std::vector<v1::JobEvent> events = Drain(*watcher);
  pool.join();
  EXPECT_THAT(
      Summary(events),
      ElementsAre("job:RUNNING", "log@0/r0:late line\n", "job:SUCCEEDED"));
}

TEST_F(JobHandlerTest, WatchEndsWhenTheHeadShutsDown) {
  v1::Job job = *head_->jobs->Submit(head_->Spec(digest_, 1), Caller::Local());
  std::unique_ptr<JobWatcher> watcher = Watch(job.id());
  v1::JobEvent event;
  ASSERT_EQ(*watcher->Next(absl::Seconds(1), &event), JobWatcher::Step::kEvent);
  head_->scheduler->Shutdown();
  EXPECT_EQ(watcher->Next(absl::Seconds(5), &event).status().code(),
            absl::StatusCode::kUnavailable);
}

TEST_F(JobHandlerTest, WatchOfUnknownJobIsNotFound) {
  v1::WatchJobRequest request;
  request.set_id("job-00000404");
  EXPECT_EQ(head_->jobs->Watch(request, Caller::Local()).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace wasmhpc::server

namespace wasmhpc::server {
namespace {

Caller User(const std::string& name) { return Caller{name, RoleBits("user")}; }

// Regression (issue 15): every job was visible to and cancellable by every
// token.
TEST_F(JobHandlerTest, UsersReachTheirOwnJobsOnlyAdminsAll) {
  const Caller alice = User("alice"), bob = User("bob");
  const Caller admin{"ops", RoleBits("admin")};
  v1::Job mine = *head_->jobs->Submit(head_->Spec(digest_, 1), alice);
  EXPECT_EQ(mine.owner(), "alice");
  v1::Job theirs = *head_->jobs->Submit(head_->Spec(digest_, 1), bob);
  EXPECT_TRUE(head_->jobs->Get(mine.id(), alice).ok());
  for (absl::Status status :
       {head_->jobs->Get(theirs.id(), alice).status(),
        head_->jobs->Cancel(theirs.id(), alice).status()}) {
    EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
    EXPECT_THAT(status.message(), HasSubstr("no job " + theirs.id()));
  }
  v1::WatchJobRequest watch;
  watch.set_id(theirs.id());
  EXPECT_EQ(head_->jobs->Watch(watch, alice).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_NE(head_->jobs->Get(theirs.id(), admin)->state(), v1::CANCELLED);
  absl::StatusOr<v1::ListJobsResponse> listed = head_->jobs->List({}, alice);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->jobs_size(), 1);
  EXPECT_EQ(listed->jobs(0).id(), mine.id());
  EXPECT_EQ(head_->jobs->List({}, admin)->jobs_size(), 2);
  EXPECT_EQ(head_->jobs->Cancel(theirs.id(), admin)->id(), theirs.id());
}

// Regression (issue 15): a 5 MB argument was accepted, then broke the pool's
// stream and every later listing.
TEST_F(JobHandlerTest, SpecsOverTheLimitAreRefused) {
  v1::JobSpec big = head_->Spec(digest_, 1);
  big.add_args(std::string(5 << 20, 'x'));
  absl::Status status = SubmitStatus(big);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("bytes a job may have"));
  v1::JobSpec many = head_->Spec(digest_, 1);
  for (int i = 0; i < 100000; ++i) many.add_args("abc");
  EXPECT_EQ(SubmitStatus(many).code(), absl::StatusCode::kInvalidArgument);
  v1::JobSpec not_utf8 = head_->Spec(digest_, 1);
  (*not_utf8.mutable_labels())["k"] = "\xff";
  status = SubmitStatus(not_utf8);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("labels.value is not valid UTF-8"));
  EXPECT_EQ(head_->jobs->List({}, Caller::Local())->jobs_size(), 0);
}

TEST_F(JobHandlerTest, PagesStayUnderTheMessageLimit) {
  std::vector<std::string> ids;
  for (int i = 0; i < 40; ++i) {
    v1::JobSpec spec = head_->Spec(digest_, 1);
    spec.add_args(std::string(200 << 10, 'a' + i % 26));
    absl::StatusOr<v1::Job> job = head_->jobs->Submit(spec, Caller::Local());
    ASSERT_TRUE(job.ok()) << job.status();
    ids.push_back(job->id());
  }
  v1::ListJobsRequest request;
  request.set_oldest_first(true);
  std::vector<std::string> listed;
  int pages = 0;
  do {
    absl::StatusOr<v1::ListJobsResponse> page =
        head_->jobs->List(request, Caller::Local());
    ASSERT_TRUE(page.ok());
    EXPECT_LE(page->ByteSizeLong(), (size_t{2} << 20) + 4096);
    for (const v1::Job& job : page->jobs()) listed.push_back(job.id());
    request.set_page_token(page->next_page_token());
    ++pages;
  } while (!request.page_token().empty());
  EXPECT_EQ(listed, ids);
  EXPECT_GT(pages, 2);
}

TEST_F(JobHandlerTest, QueuedJobsPerOwnerAreLimited) {
  TestHead limited(store_.get(), &clock_, {}, /*max_jobs_per_owner=*/2);
  std::string digest = limited.Upload(TinyModule({"MPI_Init"}));
  FakePool pool(limited.pools.get());
  ASSERT_TRUE(pool.Attach(2).ok());
  const Caller alice = User("alice");
  ASSERT_TRUE(limited.jobs->Submit(limited.Spec(digest, 1), alice).ok());
  ASSERT_TRUE(limited.jobs->Submit(limited.Spec(digest, 1), alice).ok());
  absl::Status third =
      limited.jobs->Submit(limited.Spec(digest, 1), alice).status();
  EXPECT_EQ(third.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(third.message(), HasSubstr("--max-jobs-per-user"));
  EXPECT_TRUE(limited.jobs->Submit(limited.Spec(digest, 1), User("bob")).ok());
}

// Regression (issue 15): the path was checked at submit but stored as
// given, so a symbolic link swapped in while the job was queued let it
// write outside the allowed dirs. The job keeps the resolved path.
TEST_F(JobHandlerTest, DirsAreStoredResolved) {
  fs::create_directory_symlink(allowed_ + "/sub", allowed_ + "/link");
  v1::JobSpec spec = WithDir(allowed_ + "/link");
  absl::StatusOr<v1::Job> job = head_->jobs->Submit(spec, Caller::Local());
  ASSERT_TRUE(job.ok()) << job.status();
  ASSERT_EQ(job->spec().dirs_size(), 1);
  EXPECT_EQ(job->spec().dirs(0).host_path(),
            fs::canonical(allowed_ + "/sub").string());
  EXPECT_EQ(job->spec().dirs(0).guest_path(), allowed_ + "/link");
  EXPECT_EQ(
      head_->jobs->Get(job->id(), Caller::Local())->spec().dirs(0).host_path(),
      fs::canonical(allowed_ + "/sub").string());
}

}  // namespace
}  // namespace wasmhpc::server
