#include "cache-store/cache_store_test_base.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cache-store/blob_format.h"
#include "cache-store/kv_cache_store.h"
#include "cache-store/module_digest.h"
#include "gmock/gmock.h"

namespace wasmhpc::cache::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

constexpr char kFingerprintA[] = "v8-10.2.154;--no-liftoff;avx2";
constexpr char kFingerprintB[] = "v8-10.2.154;--no-liftoff;sse4.2";

// Deterministic module-like bytes; differs with `seed`.
std::string Bytes(size_t size, uint32_t seed) {
  std::string bytes(size, '\0');
  uint32_t state = seed * 2654435761u + 1;
  for (char& c : bytes) {
    state = state * 1103515245u + 12345u;
    c = static_cast<char>(state >> 24);
  }
  return bytes;
}

std::vector<std::string> Ids(const std::vector<JobRecord>& jobs) {
  std::vector<std::string> ids;
  for (const JobRecord& job : jobs) ids.push_back(job.job_id);
  return ids;
}

}  // namespace

GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(CacheStoreTest);

void CacheStoreTest::SetUp() {
  harness_ = GetParam().make([this](absl::string_view message) {
    absl::MutexLock lock(&log_mu_);
    log_lines_.emplace_back(message);
  });
  ASSERT_NE(harness_, nullptr);
}

std::vector<std::string> CacheStoreTest::LogLines() {
  absl::MutexLock lock(&log_mu_);
  return log_lines_;
}

void CacheStoreTest::MutateRaw(
    Space space, const std::string& key,
    const std::function<std::string(std::string)>& mutate) {
  absl::StatusOr<SharedBytes> old = raw().Get(space, key);
  ASSERT_TRUE(old.ok()) << old.status();
  std::vector<KvWrite> writes;
  writes.push_back({space, key, mutate(old->ToString())});
  ASSERT_TRUE(raw().Write(std::move(writes)).ok());
}

// --- Modules ---------------------------------------------------------------

TEST_P(CacheStoreTest, ModuleRoundTrip) {
  const std::string bytes = Bytes(4096, 1);
  const std::string digest = ModuleDigest(bytes);
  ASSERT_TRUE(store().PutModule(digest, bytes).ok());
  absl::StatusOr<SharedBytes> got = store().GetModule(digest);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->view(), bytes);
  EXPECT_EQ(ModuleDigest(got->span()), digest);  // Stable across the store.
  EXPECT_EQ(store().HasModule(digest).value_or(false), true);
}

TEST_P(CacheStoreTest, LargeAndEmptyModulesRoundTrip) {
  for (const std::string& bytes : {Bytes(3 << 20, 2), std::string()}) {
    const std::string digest = ModuleDigest(bytes);
    ASSERT_TRUE(store().PutModule(digest, bytes).ok());
    absl::StatusOr<SharedBytes> got = store().GetModule(digest);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_TRUE(got->view() == bytes);
  }
}

TEST_P(CacheStoreTest, MissingModuleIsNotFound) {
  const std::string digest = ModuleDigest("never stored");
  absl::StatusOr<SharedBytes> got = store().GetModule(digest);
  EXPECT_TRUE(absl::IsNotFound(got.status())) << got.status();
  EXPECT_TRUE(IsCacheMiss(got.status()));
  EXPECT_EQ(store().HasModule(digest).value_or(true), false);
}

TEST_P(CacheStoreTest, PutModuleRejectsWrongOrMalformedDigest) {
  const std::string bytes = Bytes(100, 3);
  const std::string other = ModuleDigest(Bytes(100, 4));
  EXPECT_TRUE(absl::IsInvalidArgument(store().PutModule(other, bytes)));
  for (const char* bad : {"", "sha256:abc", "md5:00",
                          "sha256:ABCDEF0000000000000000000000000000000000000"
                          "000000000000000000000"}) {
    EXPECT_TRUE(absl::IsInvalidArgument(store().PutModule(bad, bytes))) << bad;
    EXPECT_TRUE(absl::IsInvalidArgument(store().GetModule(bad).status()));
  }
  EXPECT_EQ(store().HasModule(other).value_or(true), false);
}

TEST_P(CacheStoreTest, ChangedByteGivesNewDigestAndEntry) {
  std::string bytes = Bytes(1000, 5);
  const std::string first = ModuleDigest(bytes);
  bytes[500] ^= 1;
  const std::string second = ModuleDigest(bytes);
  EXPECT_NE(first, second);
  ASSERT_TRUE(store().PutModule(second, bytes).ok());
  EXPECT_TRUE(absl::IsNotFound(store().GetModule(first).status()));
}

TEST_P(CacheStoreTest, ListModulesGivesDigestAndSizeInOrder) {
  std::vector<ModuleInfo> want;
  for (uint32_t seed = 10; seed < 15; ++seed) {
    const std::string bytes = Bytes(size_t{100} * seed, seed);
    want.push_back({ModuleDigest(bytes), bytes.size()});
    ASSERT_TRUE(store().PutModule(want.back().digest, bytes).ok());
  }
  std::sort(want.begin(), want.end(),
            [](const auto& a, const auto& b) { return a.digest < b.digest; });
  absl::StatusOr<std::vector<ModuleInfo>> listed = store().ListModules();
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_THAT(*listed, SizeIs(want.size()));
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ((*listed)[i].digest, want[i].digest);
    EXPECT_EQ((*listed)[i].size, want[i].size);
  }
}

TEST_P(CacheStoreTest, DeleteModuleRemovesItsCode) {
  const std::string bytes = Bytes(100, 6);
  const std::string digest = ModuleDigest(bytes);
  const std::string other = ModuleDigest(Bytes(100, 7));
  ASSERT_TRUE(store().PutModule(digest, bytes).ok());
  ASSERT_TRUE(store().PutCode(digest, kFingerprintA, "code-a").ok());
  ASSERT_TRUE(store().PutCode(digest, kFingerprintB, "code-b").ok());
  ASSERT_TRUE(store().PutCode(other, kFingerprintA, "other").ok());
  ASSERT_TRUE(store().DeleteModule(digest).ok());
  EXPECT_TRUE(absl::IsNotFound(store().GetModule(digest).status()));
  EXPECT_EQ(store().HasModule(digest).value_or(true), false);
  EXPECT_TRUE(
      absl::IsNotFound(store().GetCode(digest, kFingerprintA).status()));
  EXPECT_TRUE(
      absl::IsNotFound(store().GetCode(digest, kFingerprintB).status()));
  EXPECT_TRUE(store().GetCode(other, kFingerprintA).ok());
  EXPECT_TRUE(store().DeleteModule(digest).ok());  // Absent: still OK.
}

TEST_P(CacheStoreTest, ModuleRecordIsItsOwnKindAndGoesWithTheModule) {
  const std::string bytes = Bytes(100, 20);
  const std::string digest = ModuleDigest(bytes);
  EXPECT_TRUE(absl::IsNotFound(store().GetModuleRecord(digest).status()));
  ASSERT_TRUE(store().PutModule(digest, bytes).ok());
  ASSERT_TRUE(store().PutModuleRecord(digest, "metadata").ok());
  ASSERT_TRUE(store().PutJob("job-1", "record").ok());
  EXPECT_EQ(store().GetModuleRecord(digest).value_or(""), "metadata");
  // Not a job record: listings hold jobs only.
  EXPECT_THAT(Ids(*store().ListAllJobs()), ElementsAre("job-1"));
  EXPECT_TRUE(
      absl::IsInvalidArgument(store().PutModuleRecord("module/x", "metadata")));
  ASSERT_TRUE(store().DeleteModule(digest).ok());
  EXPECT_TRUE(absl::IsNotFound(store().GetModuleRecord(digest).status()));
}

// --- Compiled code ---------------------------------------------------------

TEST_P(CacheStoreTest, HasCodeReadsTheSizeEntryNotTheCode) {
  const std::string digest = ModuleDigest(Bytes(100, 21));
  ASSERT_TRUE(store().PutCode(digest, kFingerprintA, Bytes(5000, 22)).ok());
  EXPECT_EQ(store().HasCode(digest, kFingerprintA).value_or(false), true);
  EXPECT_EQ(store().HasCode(digest, kFingerprintB).value_or(true), false);
  // Damaged code still has its size entry: HasCode did not read the code.
  MutateRaw(Space::kCode, CodeKey(digest, kFingerprintA),
            [](const std::string&) { return std::string("garbage"); });
  EXPECT_EQ(store().HasCode(digest, kFingerprintA).value_or(false), true);
  EXPECT_FALSE(store().GetCode(digest, kFingerprintA).ok());  // Drops both.
  EXPECT_EQ(store().HasCode(digest, kFingerprintA).value_or(true), false);
  ASSERT_TRUE(store().PutCode(digest, kFingerprintB, "code").ok());
  ASSERT_TRUE(store().DeleteModule(digest).ok());
  EXPECT_EQ(store().HasCode(digest, kFingerprintB).value_or(true), false);
  EXPECT_TRUE(absl::IsInvalidArgument(store().HasCode(digest, "").status()));
}

TEST_P(CacheStoreTest, HasCodeFindsCodeStoredWithoutASizeEntry) {
  // As an older store wrote it: the code alone.
  const std::string digest = ModuleDigest(Bytes(100, 23));
  const std::string key = CodeKey(digest, kFingerprintA);
  ASSERT_TRUE(store().PutCode(digest, kFingerprintA, "code").ok());
  std::vector<KvWrite> writes;
  writes.push_back({Space::kCodeSizes, key, std::nullopt});
  ASSERT_TRUE(raw().Write(std::move(writes)).ok());
  EXPECT_EQ(store().HasCode(digest, kFingerprintA).value_or(false), true);
  EXPECT_TRUE(raw().Get(Space::kCodeSizes, key).ok());  // Added back.
  ASSERT_TRUE(store().DeleteModule(digest).ok());
  EXPECT_FALSE(raw().Get(Space::kCodeSizes, key).ok());
}

TEST_P(CacheStoreTest, CodeIsKeyedByFingerprint) {
  const std::string digest = ModuleDigest(Bytes(100, 8));
  ASSERT_TRUE(store().PutCode(digest, kFingerprintA, "code for A").ok());
  EXPECT_TRUE(
      absl::IsNotFound(store().GetCode(digest, kFingerprintB).status()));
  ASSERT_TRUE(store().PutCode(digest, kFingerprintB, "code for B").ok());
  EXPECT_EQ(store().GetCode(digest, kFingerprintA)->view(), "code for A");
  EXPECT_EQ(store().GetCode(digest, kFingerprintB)->view(), "code for B");
  ASSERT_TRUE(store().PutCode(digest, kFingerprintA, "recompiled").ok());
  EXPECT_EQ(store().GetCode(digest, kFingerprintA)->view(), "recompiled");
  EXPECT_TRUE(absl::IsInvalidArgument(store().PutCode(digest, "", "x")));
}

TEST_P(CacheStoreTest, CodeStoredForAnotherFingerprintIsAMiss) {
  const std::string digest = ModuleDigest(Bytes(100, 9));
  ASSERT_TRUE(store().PutCode(digest, kFingerprintA, "code for A").ok());
  // A value carrying fingerprint A found under the key of fingerprint B.
  absl::StatusOr<SharedBytes> stored =
      raw().Get(Space::kCode, CodeKey(digest, kFingerprintA));
  ASSERT_TRUE(stored.ok());
  std::vector<KvWrite> writes;
  writes.push_back(
      {Space::kCode, CodeKey(digest, kFingerprintB), stored->ToString()});
  ASSERT_TRUE(raw().Write(std::move(writes)).ok());
  absl::StatusOr<SharedBytes> got = store().GetCode(digest, kFingerprintB);
  EXPECT_TRUE(absl::IsNotFound(got.status()));
  EXPECT_THAT(got.status().message(), HasSubstr("stored under another key"));
  EXPECT_EQ(store().GetCode(digest, kFingerprintA)->view(), "code for A");
}

// --- Corrupt entries -------------------------------------------------------

TEST_P(CacheStoreTest, CorruptModuleIsAMissReportedAndDropped) {
  const std::string bytes = Bytes(2000, 11);
  const std::string digest = ModuleDigest(bytes);
  ASSERT_TRUE(store().PutModule(digest, bytes).ok());
  MutateRaw(Space::kModules, digest,
            [](const std::string&) { return std::string("garbage bytes"); });
  absl::StatusOr<SharedBytes> got = store().GetModule(digest);
  EXPECT_TRUE(absl::IsNotFound(got.status())) << got.status();
  EXPECT_THAT(got.status().message(), HasSubstr("corrupt"));
  // The corrupt entry was dropped: later reads are plain misses, and a new
  // Put repairs it.
  EXPECT_TRUE(absl::IsNotFound(store().GetModule(digest).status()));
  EXPECT_EQ(store().HasModule(digest).value_or(true), false);
  EXPECT_THAT(LogLines(), ElementsAre(HasSubstr(digest)));
  ASSERT_TRUE(store().PutModule(digest, bytes).ok());
  EXPECT_EQ(store().GetModule(digest)->view(), bytes);
}

TEST_P(CacheStoreTest, TruncatedModuleIsAMiss) {
  const std::string bytes = Bytes(100000, 12);
  const std::string digest = ModuleDigest(bytes);
  ASSERT_TRUE(store().PutModule(digest, bytes).ok());
  MutateRaw(Space::kModules, digest, [](std::string value) {
    return value.substr(0, value.size() / 2);
  });
  absl::StatusOr<SharedBytes> got = store().GetModule(digest);
  EXPECT_TRUE(absl::IsNotFound(got.status()));
  EXPECT_THAT(got.status().message(), HasSubstr("truncated"));
  EXPECT_THAT(LogLines(), SizeIs(1));
}

TEST_P(CacheStoreTest, FlippedByteInCodeIsAMiss) {
  const std::string digest = ModuleDigest(Bytes(100, 13));
  ASSERT_TRUE(store().PutCode(digest, kFingerprintA, Bytes(5000, 14)).ok());
  MutateRaw(Space::kCode, CodeKey(digest, kFingerprintA), [](std::string v) {
    v[v.size() - 100] ^= 0x20;
    return v;
  });
  absl::StatusOr<SharedBytes> got = store().GetCode(digest, kFingerprintA);
  EXPECT_TRUE(absl::IsNotFound(got.status()));
  EXPECT_THAT(got.status().message(), HasSubstr("checksum mismatch"));
  EXPECT_THAT(LogLines(), ElementsAre(HasSubstr("corrupt code")));
}

TEST_P(CacheStoreTest, CorruptJobRecordIsAMissReportedOnceAndSkipped) {
  ASSERT_TRUE(store().PutJob("job-1", "record 1").ok());
  ASSERT_TRUE(store().PutJob("job-2", "record 2").ok());
  MutateRaw(Space::kJobs, "job-1", [](std::string v) {
    v[2] = 'X';  // Magic.
    return v;
  });
  for (int i = 0; i < 2; ++i) {  // Kept (not a cache entry), reported once.
    EXPECT_TRUE(absl::IsNotFound(store().GetJob("job-1").status()));
  }
  absl::StatusOr<std::vector<JobRecord>> jobs = store().ListAllJobs();
  ASSERT_TRUE(jobs.ok());
  EXPECT_THAT(Ids(*jobs), ElementsAre("job-2"));
  EXPECT_THAT(LogLines(), ElementsAre(HasSubstr("bad magic")));
}

TEST_P(CacheStoreTest, CorruptLogChunkIsDataLoss) {
  ASSERT_EQ(store().AppendLog("job", "first ").value_or(99), 0u);
  ASSERT_EQ(store().AppendLog("job", "second ").value_or(99), 6u);
  ASSERT_EQ(store().AppendLog("job", "third").value_or(99), 13u);
  MutateRaw(Space::kLogs, LogKey("job", 6), [](std::string v) {
    v.back() ^= 1;
    return v;
  });
  EXPECT_EQ(store().ReadLog("job", 0, 6)->data, "first ");
  absl::StatusOr<LogSlice> read = store().ReadLog("job", 0, 100);
  EXPECT_TRUE(absl::IsDataLoss(read.status())) << read.status();
  EXPECT_THAT(read.status().message(), HasSubstr("offset 6"));
  EXPECT_EQ(store().ReadLog("job", 13, 100)->data, "third");
}

// --- Job records -----------------------------------------------------------

TEST_P(CacheStoreTest, JobsRoundTripAndListInKeyOrder) {
  for (const char* id : {"job-0003", "job-0001", "job-0002", "a-first"}) {
    ASSERT_TRUE(store().PutJob(id, absl::StrCat("record of ", id)).ok());
  }
  EXPECT_EQ(store().GetJob("job-0002").value_or(""), "record of job-0002");
  EXPECT_TRUE(absl::IsNotFound(store().GetJob("job-9").status()));
  ASSERT_TRUE(store().PutJob("job-0002", "updated").ok());
  EXPECT_EQ(store().GetJob("job-0002").value_or(""), "updated");

  absl::StatusOr<std::vector<JobRecord>> all = store().ListAllJobs();
  ASSERT_TRUE(all.ok());
  EXPECT_THAT(Ids(*all),
              ElementsAre("a-first", "job-0001", "job-0002", "job-0003"));
  EXPECT_EQ((*all)[2].record, "updated");
  absl::StatusOr<std::vector<JobRecord>> page = store().ListJobs("a-first", 2);
  ASSERT_TRUE(page.ok());
  EXPECT_THAT(Ids(*page), ElementsAre("job-0001", "job-0002"));
  page = store().ListJobs("job-0002", 2);
  EXPECT_THAT(Ids(*page), ElementsAre("job-0003"));
  page = store().ListJobsBefore("", 3);
  ASSERT_TRUE(page.ok());
  EXPECT_THAT(Ids(*page), ElementsAre("job-0003", "job-0002", "job-0001"));
  page = store().ListJobsBefore("job-0001", 3);
  EXPECT_THAT(Ids(*page), ElementsAre("a-first"));
}

TEST_P(CacheStoreTest, BadJobIdsAreRejected) {
  const std::string with_nul("job\0x", 5);
  for (const std::string& id :
       {std::string(), with_nul, std::string(kMaxJobIdBytes + 1, 'j')}) {
    EXPECT_TRUE(absl::IsInvalidArgument(store().PutJob(id, "r")));
    EXPECT_TRUE(absl::IsInvalidArgument(store().AppendLog(id, "x").status()));
  }
}

TEST_P(CacheStoreTest, DeleteJobRemovesRecordAndLog) {
  ASSERT_TRUE(store().PutJob("job-a", "record").ok());
  ASSERT_TRUE(store().AppendLog("job-a", "output").ok());
  ASSERT_TRUE(store().AppendLog("job-ab", "neighbour").ok());
  ASSERT_TRUE(store().DeleteJob("job-a").ok());
  EXPECT_TRUE(absl::IsNotFound(store().GetJob("job-a").status()));
  EXPECT_EQ(store().ReadLog("job-a", 0, 100)->log_size, 0u);
  EXPECT_EQ(store().AppendLog("job-a", "again").value_or(99), 0u);
  EXPECT_EQ(store().ReadLog("job-ab", 0, 100)->data, "neighbour");
}

// --- Job logs --------------------------------------------------------------

TEST_P(CacheStoreTest, LogAppendsReturnOffsetsAndReadsSpanChunks) {
  EXPECT_EQ(store().ReadLog("job", 0, 10)->log_size, 0u);  // Never written.
  EXPECT_EQ(store().AppendLog("job", "hello ").value_or(99), 0u);
  EXPECT_EQ(store().AppendLog("job", "").value_or(99), 6u);
  EXPECT_EQ(store().AppendLog("job", "world").value_or(99), 6u);
  EXPECT_EQ(store().AppendLog("job", "!\n").value_or(99), 11u);

  absl::StatusOr<LogSlice> all = store().ReadLog("job", 0, 1000);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(all->data, "hello world!\n");
  EXPECT_EQ(all->log_size, 13u);
  EXPECT_EQ(store().ReadLog("job", 3, 5)->data, "lo wo");
  EXPECT_EQ(store().ReadLog("job", 6, 5)->data, "world");
  EXPECT_EQ(store().ReadLog("job", 10, 1000)->data, "d!\n");
  EXPECT_EQ(store().ReadLog("job", 4, 0)->data, "");
  absl::StatusOr<LogSlice> at_end = store().ReadLog("job", 13, 10);
  ASSERT_TRUE(at_end.ok());
  EXPECT_EQ(at_end->data, "");
  EXPECT_TRUE(absl::IsOutOfRange(store().ReadLog("job", 14, 10).status()));
}

TEST_P(CacheStoreTest, LogAppendStartFindsTheAppendHoldingAnOffset) {
  EXPECT_TRUE(absl::IsOutOfRange(store().LogAppendStart("job", 0).status()));
  ASSERT_TRUE(store().AppendLog("job", "hello ").ok());
  ASSERT_TRUE(store().AppendLog("job", "world").ok());
  ASSERT_TRUE(store().AppendLog("job", "!").ok());
  ASSERT_TRUE(store().AppendLog("job-b", "other").ok());
  for (uint64_t offset = 0; offset < 12; ++offset) {
    const uint64_t want = offset < 6 ? 0 : offset < 11 ? 6 : 11;
    EXPECT_EQ(store().LogAppendStart("job", offset).value_or(99), want)
        << offset;
  }
  EXPECT_TRUE(absl::IsOutOfRange(store().LogAppendStart("job", 12).status()));
  EXPECT_EQ(store().LogAppendStart("job-b", 4).value_or(99), 0u);
  EXPECT_TRUE(absl::IsInvalidArgument(store().LogAppendStart("", 0).status()));
  if (!harness_->persistent()) return;
  ASSERT_TRUE(harness_->Reopen().ok());
  EXPECT_EQ(store().LogAppendStart("job", 8).value_or(99), 6u);
}

TEST_P(CacheStoreTest, ConcurrentAppendsGetDistinctContiguousOffsets) {
  constexpr int kThreads = 4;
  constexpr int kAppends = 50;
  std::vector<std::vector<std::pair<uint64_t, std::string>>> placed(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kAppends; ++i) {
        std::string chunk = absl::StrCat("[t", t, " i", i, "]");
        absl::StatusOr<uint64_t> offset = store().AppendLog("job", chunk);
        if (offset.ok()) placed[t].emplace_back(*offset, std::move(chunk));
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  absl::StatusOr<LogSlice> log = store().ReadLog("job", 0, 1 << 20);
  ASSERT_TRUE(log.ok()) << log.status();
  size_t total = 0;
  for (const auto& chunks : placed) {
    ASSERT_THAT(chunks, SizeIs(kAppends));
    for (const auto& [offset, chunk] : chunks) {
      EXPECT_EQ(log->data.substr(offset, chunk.size()), chunk);
      total += chunk.size();
    }
  }
  EXPECT_EQ(log->data.size(), total);
}

// --- Durability ------------------------------------------------------------

TEST_P(CacheStoreTest, DataSurvivesReopen) {
  if (!harness_->persistent()) GTEST_SKIP() << "backend keeps no data";
  const std::string bytes = Bytes(200000, 15);
  const std::string digest = ModuleDigest(bytes);
  ASSERT_TRUE(store().PutModule(digest, bytes).ok());
  ASSERT_TRUE(store().PutCode(digest, kFingerprintA, "code").ok());
  ASSERT_TRUE(store().PutJob("job-1", "record").ok());
  ASSERT_TRUE(store().AppendLog("job-1", "line 1\n").ok());
  ASSERT_TRUE(harness_->Reopen().ok());
  EXPECT_EQ(store().GetModule(digest)->view(), bytes);
  EXPECT_EQ(store().GetCode(digest, kFingerprintA)->view(), "code");
  EXPECT_EQ(store().GetJob("job-1").value_or(""), "record");
  EXPECT_EQ(store().AppendLog("job-1", "line 2\n").value_or(99), 7u);
  EXPECT_EQ(store().ReadLog("job-1", 0, 100)->data, "line 1\nline 2\n");
  EXPECT_THAT(*store().ListModules(), SizeIs(1));
}

TEST_P(CacheStoreTest, OldModuleRecordsMoveOutOfTheJobsAtOpen) {
  if (!harness_->persistent()) GTEST_SKIP() << "backend keeps no data";
  const std::string bytes = Bytes(100, 24);
  const std::string digest = ModuleDigest(bytes);
  ASSERT_TRUE(store().PutModule(digest, bytes).ok());
  ASSERT_TRUE(store().PutJob("job-00000001", "job record").ok());
  // As heads wrote module metadata before it was a kind of its own.
  const std::string old_key = absl::StrCat("module/", digest);
  std::vector<KvWrite> writes;
  writes.push_back(
      {Space::kJobs, old_key, EncodeBlob(Space::kJobs, old_key, "metadata")});
  ASSERT_TRUE(raw().Write(std::move(writes)).ok());
  ASSERT_TRUE(harness_->Reopen().ok());
  EXPECT_EQ(store().GetModuleRecord(digest).value_or(""), "metadata");
  EXPECT_THAT(Ids(*store().ListAllJobs()), ElementsAre("job-00000001"));
  EXPECT_THAT(*store().ListModules(), SizeIs(1));
  EXPECT_FALSE(raw().Get(Space::kJobs, old_key).ok());
  EXPECT_THAT(LogLines(), ElementsAre(HasSubstr("moved 1 old module record")));
}

TEST_P(CacheStoreTest, ConcurrentModuleWritersAndReaders) {
  constexpr int kThreads = 4;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (uint32_t i = 0; i < 20; ++i) {
        const std::string bytes = Bytes(1000 + i, 100 * t + i);
        const std::string digest = ModuleDigest(bytes);
        EXPECT_TRUE(store().PutModule(digest, bytes).ok());
        absl::StatusOr<SharedBytes> got = store().GetModule(digest);
        EXPECT_TRUE(got.ok() && got->view() == bytes);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_THAT(*store().ListModules(), SizeIs(kThreads * 20));
}

}  // namespace wasmhpc::cache::testing
