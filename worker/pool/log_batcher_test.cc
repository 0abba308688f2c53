#include "worker/pool/log_batcher.h"

#include "gtest/gtest.h"

namespace wasmhpc::pool {
namespace {

TEST(LogBatcher, MergesConsecutiveWritesToOneStream) {
  LogBatcher batcher;
  batcher.Append(1, "hello ");
  batcher.Append(1, "world\n");
  batcher.Append(2, "oops\n");
  batcher.Append(1, "again\n");
  EXPECT_EQ(batcher.pending_bytes(), 23u);
  ToController::Logs logs;
  ASSERT_TRUE(batcher.Take(3, &logs));
  ASSERT_EQ(logs.chunks_size(), 3);
  EXPECT_EQ(logs.chunks(0).data(), "hello world\n");
  EXPECT_EQ(logs.chunks(0).stream(), v1::STDOUT);
  EXPECT_EQ(logs.chunks(1).data(), "oops\n");
  EXPECT_EQ(logs.chunks(1).stream(), v1::STDERR);
  EXPECT_EQ(logs.chunks(2).data(), "again\n");
  for (const v1::LogChunk& chunk : logs.chunks()) EXPECT_EQ(chunk.rank(), 3);
  EXPECT_EQ(batcher.pending_bytes(), 0u);
}

TEST(LogBatcher, NothingToTakeLeavesTheBatchAlone) {
  LogBatcher batcher;
  ToController::Logs logs;
  logs.set_job_id("j");
  batcher.Append(1, "");
  EXPECT_FALSE(batcher.Take(0, &logs));
  EXPECT_EQ(logs.chunks_size(), 0);
  EXPECT_EQ(logs.job_id(), "j");
}

TEST(LogBatcher, TakeStartsAFreshBatch) {
  LogBatcher batcher;
  batcher.Append(1, "one");
  ToController::Logs first, second;
  ASSERT_TRUE(batcher.Take(0, &first));
  batcher.Append(1, "two");
  ASSERT_TRUE(batcher.Take(0, &second));
  ASSERT_EQ(second.chunks_size(), 1);
  EXPECT_EQ(second.chunks(0).data(), "two");
}

}  // namespace
}  // namespace wasmhpc::pool
