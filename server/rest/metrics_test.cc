// metrics and the operator's log: the exposition follows the format and counts
// what the head does; each job transition is one log line.
#include "server/rest/metrics.h"

#include "absl/strings/match.h"
#include "cache-store/memory_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/handlers/head_test_fixture.h"
#include "server/rest/prometheus_text.h"

namespace wasmhpc::server {
namespace {

using ::testing::Contains;
using ::testing::Key;
using ::testing::Not;
using ::testing::Pair;

class MetricsTest : public ::testing::Test {
 protected:
  std::map<std::string, double> Scrape() {
    MetricsSources sources;
    sources.scheduler = head_.scheduler.get();
    sources.modules = head_.modules.get();
    sources.requests = &requests_;
    absl::StatusOr<std::map<std::string, double>> samples =
        ParseExposition(RenderMetrics(sources));
    EXPECT_TRUE(samples.ok()) << samples.status();
    return samples.ok() ? *samples : std::map<std::string, double>();
  }

  std::unique_ptr<CacheStore> store_ = NewMemoryStore();
  FakeClock clock_;
  TestHead head_{store_.get(), &clock_};
  RequestCounter requests_;
};

TEST_F(MetricsTest, EmptyHeadHasZeros) {
  auto samples = Scrape();
  EXPECT_THAT(samples, Contains(Pair("wasmhpc_jobs{state=\"queued\"}", 0)));
  EXPECT_THAT(samples, Contains(Pair("wasmhpc_jobs_submitted_total", 0)));
  EXPECT_THAT(samples, Contains(Pair("wasmhpc_modules_stored", 0)));
  EXPECT_THAT(samples, Contains(Pair("wasmhpc_pools", 0)));
  EXPECT_THAT(samples, Not(Contains(Key("wasmhpc_http_requests_total"))));
}

TEST_F(MetricsTest, CountsJobsModulesPoolsAndRequests) {
  const std::string module = TinyModule({"MPI_Init"});
  const std::string digest = head_.Upload(module);
  FakePool pool(head_.pools.get());
  ASSERT_TRUE(pool.Attach(4).ok());  // 3 executors.
  absl::StatusOr<v1::Job> running =
      head_.jobs->Submit(head_.Spec(digest, 2), Caller::Local());
  ASSERT_TRUE(running.ok()) << running.status();
  pool.Started(running->id());
  absl::StatusOr<v1::Job> queued =
      head_.jobs->Submit(head_.Spec(digest, 3), Caller::Local());
  ASSERT_TRUE(queued.ok());
  ASSERT_TRUE(head_.jobs->Cancel(queued->id(), Caller::Local()).ok());
  requests_.Count("GET", "/v1/jobs/{id}", "404");
  requests_.Count("GET", "/v1/jobs/{id}", "404");

  auto samples = Scrape();
  EXPECT_THAT(samples, Contains(Pair("wasmhpc_jobs{state=\"running\"}", 1)));
  EXPECT_THAT(samples, Contains(Pair("wasmhpc_jobs{state=\"queued\"}", 0)));
  EXPECT_THAT(samples, Contains(Pair("wasmhpc_jobs_submitted_total", 2)));
  EXPECT_THAT(
      samples,
      Contains(Pair("wasmhpc_jobs_ended_total{state=\"cancelled\"}", 1)));
  EXPECT_THAT(samples, Contains(Pair("wasmhpc_modules_stored", 1)));
  EXPECT_THAT(samples,
              Contains(Pair("wasmhpc_module_bytes_stored", module.size())));
  EXPECT_THAT(samples, Contains(Pair("wasmhpc_pools", 1)));
  const std::string ranks = "wasmhpc_pool_ranks{pool=\"" + pool.id();
  EXPECT_THAT(samples, Contains(Pair(ranks + "\",state=\"free\"}", 1)));
  EXPECT_THAT(samples, Contains(Pair(ranks + "\",state=\"busy\"}", 2)));
  EXPECT_THAT(samples,
              Contains(Pair("wasmhpc_http_requests_total{method=\"GET\","
                            "route=\"/v1/jobs/{id}\",code=\"404\"}",
                            2)));
}

TEST_F(MetricsTest, QueueWaitAndRunTimeAreHistograms) {
  const std::string digest = head_.Upload(TinyModule({"MPI_Init"}));
  FakePool pool(head_.pools.get());
  ASSERT_TRUE(pool.Attach(3).ok());  // 2 executors.
  v1::Job first = *head_.jobs->Submit(head_.Spec(digest, 2), Caller::Local());
  v1::Job second = *head_.jobs->Submit(head_.Spec(digest, 1), Caller::Local());
  pool.Started(first.id());
  clock_.Advance(absl::Seconds(90));
  pool.Succeeded(first.id(), 2);  // Ran 90 s; the second waited 90 s.
  ASSERT_TRUE(pool.AssignOf(second.id()).has_value());

  auto samples = Scrape();
  const std::string wait = "wasmhpc_job_queue_wait_seconds";
  EXPECT_THAT(samples, Contains(Pair(wait + "_bucket{le=\"0.01\"}", 1)));
  EXPECT_THAT(samples, Contains(Pair(wait + "_bucket{le=\"60\"}", 1)));
  EXPECT_THAT(samples, Contains(Pair(wait + "_bucket{le=\"600\"}", 2)));
  EXPECT_THAT(samples, Contains(Pair(wait + "_bucket{le=\"+Inf\"}", 2)));
  EXPECT_THAT(samples, Contains(Pair(wait + "_count", 2)));
  EXPECT_THAT(samples, Contains(Pair(wait + "_sum", 90)));
  const std::string run = "wasmhpc_job_run_seconds";
  EXPECT_THAT(samples, Contains(Pair(run + "_bucket{le=\"60\"}", 0)));
  EXPECT_THAT(samples, Contains(Pair(run + "_bucket{le=\"600\"}", 1)));
  EXPECT_THAT(samples, Contains(Pair(run + "_count", 1)));
  EXPECT_THAT(samples, Contains(Pair(run + "_sum", 90)));
}

// One log line per job transition, saying what an operator asks first.
TEST(SchedulerLog, OneLinePerJobTransition) {
  std::unique_ptr<CacheStore> store = NewMemoryStore();
  FakeClock clock;
  TestHead head(store.get(), &clock);
  std::vector<std::string> lines;
  SchedulerOptions options;
  options.store = store.get();
  options.clock = &clock;
  options.log = [&lines](const std::string& line) { lines.push_back(line); };
  head.scheduler = *Scheduler::Create(std::move(options));
  head.pools = std::make_unique<PoolHandler>([&] {
    PoolHandlerOptions o;
    o.scheduler = head.scheduler.get();
    o.store = store.get();
    o.log = [](const std::string&) {};
    o.code_key = &head.code_key;
    return o;
  }());
  const std::string digest = head.Upload(TinyModule({"MPI_Init"}));
  FakePool pool(head.pools.get());
  ASSERT_TRUE(pool.Attach(2).ok());
  v1::JobSpec spec = head.Spec(digest, 1);
  absl::StatusOr<v1::Job> job = head.scheduler->Submit(spec, "app.wasm", "bob");
  ASSERT_TRUE(job.ok()) << job.status();
  clock.Advance(absl::Milliseconds(1500));
  pool.Started(job->id());
  clock.Advance(absl::Seconds(2));
  pool.Succeeded(job->id(), 1);
  std::vector<std::string> jobs;
  for (const std::string& line : lines) {
    if (absl::StartsWith(line, "job ")) jobs.push_back(line);
  }
  const std::string id = job->id();
  EXPECT_THAT(
      jobs, ::testing::ElementsAre(
                "job " + id + " QUEUED: 1 ranks of app.wasm for bob",
                "job " + id + " STARTING on " + pool.id() + " after 0s queued",
                "job " + id + " RUNNING",
                "job " + id + " SUCCEEDED, exit code 0 after 2s"));
}

TEST(PrometheusText, RefusesMalformedText) {
  EXPECT_FALSE(ParseExposition("wasmhpc_x 1\n").ok());  // No TYPE.
  EXPECT_FALSE(ParseExposition("# TYPE a gauge\na{b=c} 1\n").ok());
  EXPECT_FALSE(ParseExposition("# TYPE a gauge\na one\n").ok());
  EXPECT_FALSE(ParseExposition("# TYPE a gauge\na 1").ok());
  EXPECT_TRUE(ParseExposition("# TYPE a gauge\na{b=\"c\\\"\"} 1\n").ok());
}

}  // namespace
}  // namespace wasmhpc::server
