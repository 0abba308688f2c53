// metrics: the exposition follows the format and counts what the head does.
#include "server/rest/metrics.h"

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
  HttpRequestCounter requests_;
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
  requests_.Count("GET", "/v1/jobs/{id}", 404);
  requests_.Count("GET", "/v1/jobs/{id}", 404);

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

TEST(PrometheusText, RefusesMalformedText) {
  EXPECT_FALSE(ParseExposition("wasmhpc_x 1\n").ok());  // No TYPE.
  EXPECT_FALSE(ParseExposition("# TYPE a gauge\na{b=c} 1\n").ok());
  EXPECT_FALSE(ParseExposition("# TYPE a gauge\na one\n").ok());
  EXPECT_FALSE(ParseExposition("# TYPE a gauge\na 1").ok());
  EXPECT_TRUE(ParseExposition("# TYPE a gauge\na{b=\"c\\\"\"} 1\n").ok());
}

}  // namespace
}  // namespace wasmhpc::server
