// JobLog: framed pieces of output, read back from any data offset.
#include "server/job_log.h"

#include "cache-store/memory_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wasmhpc::server {
namespace {

v1::LogChunk Chunk(int rank, const std::string& data,
                   v1::Stream stream = v1::STDOUT) {
  v1::LogChunk chunk;
  chunk.set_rank(rank);
  chunk.set_stream(stream);
  chunk.set_data(data);
  return chunk;
}

// All of the log from `offset`, as "rRANK:DATA" pieces.
std::vector<std::string> ReadAll(const JobLog& log, uint64_t offset,
                                 size_t max_bytes = 1 << 20) {
  std::vector<std::string> out;
  absl::StatusOr<LogCursor> cursor = log.Seek("job-1", offset);
  EXPECT_TRUE(cursor.ok()) << cursor.status();
  while (cursor.ok()) {
    absl::StatusOr<std::vector<v1::LogChunk>> chunks =
        log.Read("job-1", &*cursor, max_bytes);
    EXPECT_TRUE(chunks.ok()) << chunks.status();
    if (!chunks.ok() || chunks->empty()) break;
    for (const v1::LogChunk& c : *chunks) {
      out.push_back("r" + std::to_string(c.rank()) + ":" + c.data());
    }
  }
  return out;
}

TEST(JobLog, AppendReturnsDataOffsetsAndReadsBackInOrder) {
  auto store = NewMemoryStore();
  ChangeSignal changed;
  JobLog log(store.get(), &changed);
  EXPECT_EQ(*log.Append("job-1", Chunk(0, "abc")), 0u);
  EXPECT_EQ(*log.Append("job-1", Chunk(3, "defgh", v1::STDERR)), 3u);
  EXPECT_EQ(*log.Append("job-1", Chunk(1, "")), 8u);  // Nothing appended.
  EXPECT_EQ(*log.Append("job-1", Chunk(1, "ij")), 8u);
  EXPECT_EQ(changed.count(), 3u);
  EXPECT_THAT(ReadAll(log, 0),
              testing::ElementsAre("r0:abc", "r3:defgh", "r1:ij"));
  EXPECT_THAT(ReadAll(log, 5), testing::ElementsAre("r3:fgh", "r1:ij"));
  EXPECT_THAT(ReadAll(log, 10), testing::IsEmpty());
  EXPECT_EQ(log.Seek("job-1", 11).status().code(),
            absl::StatusCode::kOutOfRange);
  // Small reads still deliver whole frames, one at least.
  EXPECT_THAT(ReadAll(log, 0, 1),
              testing::ElementsAre("r0:abc", "r3:defgh", "r1:ij"));
}

TEST(JobLog, StreamAndRankSurvive) {
  auto store = NewMemoryStore();
  JobLog log(store.get(), nullptr);
  ASSERT_TRUE(log.Append("job-1", Chunk(-1, "x", v1::STDERR)).ok());
  LogCursor cursor;
  auto chunks = log.Read("job-1", &cursor, 100);
  ASSERT_EQ(chunks->size(), 1u);
  EXPECT_EQ((*chunks)[0].rank(), -1);
  EXPECT_EQ((*chunks)[0].stream(), v1::STDERR);
  EXPECT_EQ((*chunks)[0].offset(), 0u);
}

TEST(JobLog, LargeFrameIsReadWhole) {
  auto store = NewMemoryStore();
  JobLog log(store.get(), nullptr);
  std::string big(200 * 1024, 'z');
  ASSERT_TRUE(log.Append("job-1", Chunk(0, "a")).ok());
  ASSERT_TRUE(log.Append("job-1", Chunk(0, big)).ok());
  EXPECT_THAT(ReadAll(log, 0), testing::ElementsAre("r0:a", "r0:" + big));
}

TEST(JobLog, ANewJobLogContinuesAnExistingLog) {
  auto store = NewMemoryStore();
  {
    JobLog log(store.get(), nullptr);
    ASSERT_TRUE(log.Append("job-1", Chunk(0, "four")).ok());
  }
  JobLog again(store.get(), nullptr);
  EXPECT_EQ(*again.Append("job-1", Chunk(0, "more")), 4u);
  again.Forget("job-1");
  EXPECT_EQ(*again.Append("job-1", Chunk(0, "!")), 8u);
  EXPECT_THAT(ReadAll(again, 2),
              testing::ElementsAre("r0:ur", "r0:more", "r0:!"));
}

}  // namespace
}  // namespace wasmhpc::server
