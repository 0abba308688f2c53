// End-to-end tests of memory limits on a pool (wasmhpc-worker under
// mpirun, attached to a fake head): a job's memoryLimitBytes holds on
// memory.grow in every rank, and tables or a V8 heap that runs out fail
// the job, not the pool.
#include <sys/wait.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/pool/pool_process.h"
#include "tests/pool/test_guest.h"
#include "tests/support/fake_head.h"

namespace wasmhpc::testing {
namespace {

using ::testing::HasSubstr;

constexpr absl::Duration kStartup = absl::Seconds(60);
constexpr absl::Duration kJob = absl::Seconds(60);

class PoolMemoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    hello_ = LoadGuest(WASMHPC_HELLO_WASM);
    grow_ = LoadGuest(WASMHPC_GROW_MEMORY_WASM);
    tables_huge_ = LoadGuest(WASMHPC_TABLES_HUGE_WASM);
    tables_grow_ = LoadGuest(WASMHPC_TABLES_GROW_WASM);
    head_ = FakeHead::Start();
    ASSERT_NE(head_, nullptr);
    for (const Guest* g : {&hello_, &grow_, &tables_huge_, &tables_grow_}) {
      ASSERT_FALSE(g->bytes.empty()) << "a test module is missing";
      head_->AddModule(g->digest, g->bytes);
    }
  }

  void StartPool(int ranks, const std::vector<std::string>& args = {}) {
    pool_ = std::make_unique<PoolProcess>(WASMHPC_WORKER, ranks, head_->port(),
                                          args);
    ASSERT_TRUE(head_->AwaitHello(kStartup).has_value())
        << "the pool did not attach; its output:\n"
        << pool_->Output();
  }

  void Assign(const std::string& id, const Guest& guest, std::vector<int> ranks,
              uint64_t memory_limit_bytes = 0) {
    v1::HeadMessage m;
    v1::HeadMessage::Assign* a = m.mutable_assign();
    a->set_job_id(id);
    a->mutable_spec()->set_module_digest(guest.digest);
    a->mutable_spec()->set_ranks(static_cast<int>(ranks.size()));
    a->mutable_spec()->set_memory_limit_bytes(memory_limit_bytes);
    for (int r : ranks) a->add_ranks(r);
    ASSERT_TRUE(head_->Send(m));
  }

  v1::PoolMessage::JobFinished Finished(const std::string& id) {
    std::optional<v1::PoolMessage::JobFinished> f =
        head_->AwaitFinished(id, kJob);
    EXPECT_TRUE(f.has_value()) << "job " << id << " did not finish; log:\n"
                               << head_->Log(id) << "\npool output:\n"
                               << pool_->Output();
    return f.value_or(v1::PoolMessage::JobFinished{});
  }

  void ExpectHelloRuns(const std::string& id, std::vector<int> ranks) {
    Assign(id, hello_, ranks);
    v1::PoolMessage::JobFinished f = Finished(id);
    EXPECT_EQ(f.state(), v1::SUCCEEDED) << f.reason() << "\npool output:\n"
                                        << pool_->Output();
  }

  Guest hello_, grow_, tables_huge_, tables_grow_;
  std::unique_ptr<FakeHead> head_;
  std::unique_ptr<PoolProcess> pool_;
};

// Was: the limit was checked against the module's initial memory only, and
// a job with a 64 MiB limit grew to the pool's --max-memory.
TEST_F(PoolMemoryTest, MemoryGrowPastTheJobsLimitFailsInEveryRank) {
  StartPool(4);
  Assign("limited", grow_, {1, 2}, uint64_t{64} << 20);
  Assign("unlimited", grow_, {3});  // at the same time, on the same pool
  v1::PoolMessage::JobFinished limited = Finished("limited");
  EXPECT_EQ(limited.state(), v1::FAILED);
  ASSERT_EQ(limited.ranks_size(), 2);
  // The first rank whose memory.grow fails exits 8 (64 MiB) and fails the
  // job; the other has then failed the same way or was stopped (143).
  int failed_at_limit = 0;
  for (int r = 0; r < 2; ++r) {
    const int code = limited.ranks(r).exit_code();
    if (code == 143) continue;  // kStoppedExit: stopped by its peer's end.
    EXPECT_EQ(code, 8) << "rank " << r << " grew to " << code * 8
                       << " MiB, not 64";
    EXPECT_EQ(head_->RankLog("limited", r, v1::STDOUT), "memory.grow failed\n");
    ++failed_at_limit;
  }
  EXPECT_GE(failed_at_limit, 1);
  v1::PoolMessage::JobFinished unlimited = Finished("unlimited");
  EXPECT_EQ(unlimited.state(), v1::SUCCEEDED) << unlimited.reason();
  EXPECT_EQ(head_->Log("unlimited"), "grew to 128 MiB\n");
  ExpectHelloRuns("after", {1, 2, 3});
}

// Was: V8 aborted the executor (fatal OOM) and mpirun took the pool down.
TEST_F(PoolMemoryTest, HugeTablesFailTheJobAndThePoolGoesOn) {
  StartPool(3);
  Assign("tables", tables_huge_, {1, 2});
  v1::PoolMessage::JobFinished f = Finished("tables");
  EXPECT_EQ(f.state(), v1::FAILED);
  EXPECT_THAT(f.reason(),
              HasSubstr("the module's 64 tables start with 640000000 entries"));
  ExpectHelloRuns("after", {1, 2});
}

// Tables grown while running fill the rank's V8 heap (the pool's
// --max-memory): the job fails with a message, the executor goes on.
TEST_F(PoolMemoryTest, HeapThatRunsOutFailsTheJobAndThePoolGoesOn) {
  StartPool(3, {"--max-memory", "256"});
  Assign("tables", tables_grow_, {1});
  v1::PoolMessage::JobFinished f = Finished("tables");
  EXPECT_EQ(f.state(), v1::FAILED);
  EXPECT_THAT(f.reason(),
              HasSubstr("out of memory: the engine heap (tables and other V8 "
                        "memory) reached its limit of 256 MiB"));
  ExpectHelloRuns("after", {1, 2});
}

// Was: tables grown while running counted against the pool's --max-memory
// only, not the job's limit. Now the job's limit holds for them, and the
// next job on the same ranks has its own.
TEST_F(PoolMemoryTest, TablesGrownCountAgainstTheJobsLimit) {
  StartPool(3, {"--max-memory", "256"});
  Assign("limited", tables_grow_, {1, 2}, uint64_t{32} << 20);
  v1::PoolMessage::JobFinished f = Finished("limited");
  EXPECT_EQ(f.state(), v1::FAILED);
  EXPECT_THAT(f.reason(),
              HasSubstr("out of memory: the engine heap (tables and other V8 "
                        "memory) reached its limit of 32 MiB"));
  Assign("pool-limit", tables_grow_, {1});
  v1::PoolMessage::JobFinished g = Finished("pool-limit");
  EXPECT_EQ(g.state(), v1::FAILED);
  EXPECT_THAT(g.reason(), HasSubstr("reached its limit of 256 MiB"));
  ExpectHelloRuns("after", {1, 2});
}

}  // namespace
}  // namespace wasmhpc::testing
