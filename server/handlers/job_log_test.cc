// JobLog: framed pieces of output, read back from any data offset; the cap,
// the stored size and the cost of a seek.
#include "server/handlers/job_log.h"

#include <atomic>
#include <random>

#include "absl/strings/str_cat.h"
#include "cache-store/memory_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/handlers/counting_store.h"
#include "server/handlers/job_log_format.h"

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

using Chunks = google::protobuf::RepeatedPtrField<v1::LogChunk>;

// The whole log from `offset`: its data, and "rRANK/sSTREAM:DATA" pieces.
std::string DataFrom(const JobLog& log, uint64_t offset,
                     std::vector<std::string>* pieces = nullptr) {
  std::string data;
  absl::StatusOr<LogCursor> cursor = log.Seek("job-1", offset);
  EXPECT_TRUE(cursor.ok()) << cursor.status();
  while (cursor.ok()) {
    absl::StatusOr<std::vector<v1::LogChunk>> chunks =
        log.Read("job-1", &*cursor, 1 << 16);
    EXPECT_TRUE(chunks.ok()) << chunks.status();
    if (!chunks.ok() || chunks->empty()) break;
    for (const v1::LogChunk& c : *chunks) {
      EXPECT_EQ(c.offset(), offset + data.size());
      data += c.data();
      if (pieces != nullptr) {
        pieces->push_back(
            absl::StrCat("r", c.rank(), "/s", c.stream(), ":", c.data()));
      }
    }
  }
  return data;
}

TEST(JobLog, OutputPastTheCapIsDroppedAndTheLogSaysWhere) {
  auto store = NewMemoryStore();
  JobLog log(store.get(), nullptr);
  log.set_max_bytes(10);
  EXPECT_EQ(*log.Append("job-1", Chunk(0, "0123")), 0u);
  EXPECT_EQ(*log.Append("job-1", Chunk(1, "456789ab")), 4u);
  const std::string cut = LogCutLine(10);
  EXPECT_EQ(cut,
            "\n[wasmhpc: log cut at 10 bytes; the job's further output was "
            "dropped]\n");
  EXPECT_EQ(*log.Size("job-1"), 10 + cut.size());
  // Later output is dropped without error, and without a second line.
  EXPECT_EQ(*log.Append("job-1", Chunk(0, "more")), 10 + cut.size());
  std::vector<std::string> pieces;
  EXPECT_EQ(DataFrom(log, 0, &pieces), "0123456789" + cut);
  EXPECT_THAT(pieces, testing::ElementsAre("r0/s1:0123", "r1/s1:456789",
                                           "r-1/s2:" + cut));
  // A head that restarts keeps dropping.
  JobLog again(store.get(), nullptr);
  again.set_max_bytes(10);
  EXPECT_EQ(*again.Append("job-1", Chunk(0, "x")), 10 + cut.size());
  EXPECT_EQ(*again.Size("job-1"), 10 + cut.size());
}

TEST(JobLog, CapIsCutWhenTheFirstByteIsDroppedAndZeroMeansUnlimited) {
  auto store = NewMemoryStore();
  JobLog log(store.get(), nullptr);
  log.set_max_bytes(4);
  ASSERT_TRUE(log.Append("job-1", Chunk(0, "abcd")).ok());
  EXPECT_EQ(DataFrom(log, 0), "abcd");  // Exactly at the cap: nothing cut.
  ASSERT_TRUE(log.Append("job-1", Chunk(0, "e")).ok());
  EXPECT_EQ(DataFrom(log, 0), "abcd" + LogCutLine(4));

  JobLog unlimited(store.get(), nullptr);
  unlimited.set_max_bytes(0);
  std::string big(3 * kMaxPieceBody + 5, 'q');
  ASSERT_TRUE(unlimited.Append("job-2", Chunk(0, big)).ok());
  EXPECT_EQ(*unlimited.Size("job-2"), big.size());
}

TEST(JobLog, DefaultCapIs64MiB) {
  EXPECT_EQ(kDefaultMaxLogBytes, uint64_t{64} << 20);
  auto store = NewMemoryStore();
  JobLog log(store.get(), nullptr);
  const std::string mib(1 << 20, 'm');
  for (int i = 0; i < 65; ++i)
    ASSERT_TRUE(log.Append("job-1", Chunk(0, mib)).ok());
  EXPECT_EQ(*log.Size("job-1"),
            kDefaultMaxLogBytes + LogCutLine(kDefaultMaxLogBytes).size());
}

// Regression: 1 MB written one byte at a time, alternating stdout and
// stderr, became 72 MB in the store (a record per byte, each with its key,
// an envelope and a 12-byte frame header).
TEST(JobLog, InterleavedOneByteWritesCostAtMostTwoStoredBytesEach) {
  std::atomic<uint64_t> written{0};
  auto store = NewCountingMemoryStore(&written);
  JobLog log(store.get(), nullptr);
  constexpr int kBytes = 1 << 20;
  constexpr int kBatch = 64 << 10;  // A pool's batch (log_flush_bytes).
  std::string expected;
  for (int at = 0; at < kBytes; at += kBatch) {
    Chunks batch;
    for (int i = 0; i < kBatch; ++i) {
      v1::LogChunk* c = batch.Add();
      c->set_rank(3);
      c->set_stream(i % 2 == 0 ? v1::STDOUT : v1::STDERR);
      c->set_data(std::string(1, static_cast<char>('a' + (at + i) % 26)));
      expected += c->data();
    }
    ASSERT_EQ(*log.Append("job-1", batch), static_cast<uint64_t>(at));
  }
  EXPECT_LE(written.load(), 2u * kBytes + (64u << 10)) << written.load();
  std::vector<std::string> pieces;
  EXPECT_EQ(DataFrom(log, 0, &pieces), expected);
  ASSERT_EQ(pieces.size(), static_cast<size_t>(kBytes));
  EXPECT_EQ(pieces[0], "r3/s1:a");
  EXPECT_EQ(pieces[1], "r3/s2:b");
}

// Regression: reading at offset 1e6 scanned every frame from the start
// (15.8 s). A seek now visits O(log n) pieces and reads one.
TEST(JobLog, SeekReadsABoundedAmountOfTheLog) {
  auto memory = NewMemoryStore();
  CountingStore store(memory.get());
  JobLog log(&store, nullptr);
  log.set_max_bytes(0);
  constexpr int kBytes = 4 << 20;
  for (int at = 0; at < kBytes; at += 4096) {
    Chunks batch;
    for (int i = 0; i < 4096; ++i) {
      v1::LogChunk* c = batch.Add();
      c->set_rank(i % 3);
      c->set_stream(v1::STDOUT);
      c->set_data(std::string(1, static_cast<char>('0' + (at + i) % 10)));
    }
    ASSERT_TRUE(log.Append("job-1", batch).ok());
  }
  for (uint64_t offset : {uint64_t{kBytes}, uint64_t{1000000},
                          uint64_t{kBytes - 1}, uint64_t{12345}}) {
    store.Reset();
    absl::StatusOr<LogCursor> cursor = log.Seek("job-1", offset);
    ASSERT_TRUE(cursor.ok()) << cursor.status();
    EXPECT_EQ(cursor->data_offset, offset);
    // ~log2(store size) probes of two calls, 20 header bytes each, plus the
    // piece that holds the offset.
    EXPECT_LE(store.log_reads(), 2u * 64 + 4) << offset;
    EXPECT_LE(store.log_bytes_read(),
              64u * log_format::kPieceHeaderBytes + kMaxPieceBody + 64)
        << offset;
    absl::StatusOr<std::vector<v1::LogChunk>> chunks =
        log.Read("job-1", &*cursor, 1);
    ASSERT_TRUE(chunks.ok());
    if (offset == kBytes) {
      EXPECT_TRUE(chunks->empty());
    } else {
      ASSERT_FALSE(chunks->empty());
      EXPECT_EQ((*chunks)[0].offset(), offset);
      EXPECT_EQ((*chunks)[0].data(), std::string(1, '0' + offset % 10));
      EXPECT_EQ((*chunks)[0].rank(), static_cast<int>(offset % 4096 % 3));
    }
  }
  store.Reset();
  EXPECT_EQ(*log.Size("job-1"), uint64_t{kBytes});
  EXPECT_LE(store.log_reads(), 3u);
}

TEST(JobLog, SeekLandsRightEverywhereInRandomOutput) {
  auto store = NewMemoryStore();
  JobLog log(store.get(), nullptr);
  log.set_max_bytes(0);
  std::mt19937 random(7);
  std::string expected;
  const int32_t ranks[] = {-1, 0, 1, 63, 100000, -7};
  for (int batch_no = 0; batch_no < 40; ++batch_no) {
    Chunks batch;
    for (int i = random() % 50; i >= 0; --i) {
      v1::LogChunk* c = batch.Add();
      c->set_rank(ranks[random() % 6]);
      c->set_stream(random() % 2 ? v1::STDOUT : v1::STDERR);
      const size_t size = random() % 8 == 0 ? random() % 300000 : random() % 9;
      std::string data(size, '\0');
      for (char& ch : data) ch = static_cast<char>(random());
      c->set_data(data);
      expected += data;
    }
    ASSERT_TRUE(log.Append("job-1", batch).ok());
  }
  ASSERT_GT(expected.size(), 3 * kMaxPieceBody);
  EXPECT_EQ(*log.Size("job-1"), expected.size());
  for (int i = 0; i < 60; ++i) {
    const uint64_t offset =
        i == 0 ? expected.size() : random() % expected.size();
    ASSERT_EQ(DataFrom(log, offset), expected.substr(offset)) << offset;
  }
  EXPECT_EQ(log.Seek("job-1", expected.size() + 1).status().code(),
            absl::StatusCode::kOutOfRange);
}

// Logs stored by heads before pieces (12-byte frame headers from offset 0)
// stay readable, and are not appended to.
TEST(JobLog, LogsOfOlderHeadsAreReadAndKeptReadOnly) {
  auto store = NewMemoryStore();
  auto legacy_frame = [](uint32_t rank, uint8_t stream, std::string data) {
    std::string frame(12, '\0');
    const uint32_t length = data.size();
    for (int i = 0; i < 4; ++i) {
      frame[i] = static_cast<char>(length >> (8 * i));
      frame[4 + i] = static_cast<char>(rank >> (8 * i));
    }
    frame[8] = static_cast<char>(stream);
    return frame + data;
  };
  ASSERT_TRUE(store->AppendLog("job-1", legacy_frame(0, 1, "old ")).ok());
  ASSERT_TRUE(store->AppendLog("job-1", legacy_frame(2, 2, "log")).ok());
  JobLog log(store.get(), nullptr);
  EXPECT_EQ(*log.Size("job-1"), 7u);
  std::vector<std::string> pieces;
  EXPECT_EQ(DataFrom(log, 0, &pieces), "old log");
  EXPECT_THAT(pieces, testing::ElementsAre("r0/s1:old ", "r2/s2:log"));
  EXPECT_EQ(DataFrom(log, 5), "og");
  EXPECT_EQ(log.Append("job-1", Chunk(0, "new")).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(JobLog, DamagedPieceIsDataLoss) {
  auto store = NewMemoryStore();
  JobLog log(store.get(), nullptr);
  ASSERT_TRUE(log.Append("job-1", Chunk(0, "fine")).ok());
  ASSERT_TRUE(store->AppendLog("job-1", "not a piece at all").ok());
  EXPECT_EQ(log.Seek("job-1", 2).status().code(), absl::StatusCode::kDataLoss);
  LogCursor cursor;
  ASSERT_TRUE(log.Read("job-1", &cursor, 100).ok());  // The good piece.
  EXPECT_EQ(log.Read("job-1", &cursor, 100).status().code(),
            absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace wasmhpc::server
