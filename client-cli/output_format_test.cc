#include "client-cli/output_format.h"

#include <string>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

namespace wasmhpc::cli {
namespace {

using ::testing::HasSubstr;

const absl::Time kNow = absl::FromUnixSeconds(1714564800);  // 2024-05-01 12:00

google::protobuf::Timestamp At(absl::Time time) {
  google::protobuf::Timestamp stamp;
  stamp.set_seconds(absl::ToUnixSeconds(time));
  return stamp;
}

FormatContext Context() { return {.now = kNow, .zone = absl::UTCTimeZone()}; }

v1::Job FailedJob() {
  v1::Job job;
  job.set_id("job-7");
  job.set_state(v1::FAILED);
  job.mutable_spec()->set_module_digest("sha256:" + std::string(64, 'b'));
  job.mutable_spec()->set_ranks(2);
  job.mutable_spec()->add_args("in.dat");
  *job.mutable_submitted() = At(kNow - absl::Minutes(5));
  job.set_exit_code(3);
  job.set_failed_rank(1);
  job.set_reason("rank 1 exited with code 3");
  return job;
}

TEST(JobExitCode, MapsFinalStates) {
  v1::Job job;
  job.set_state(v1::SUCCEEDED);
  EXPECT_EQ(JobExitCode(job), 0);
  EXPECT_EQ(JobExitCode(FailedJob()), 3);
  job.set_state(v1::FAILED);  // A trap or a lost pool: no code.
  EXPECT_EQ(JobExitCode(job), 1);
  job.set_state(v1::TIMED_OUT);
  EXPECT_EQ(JobExitCode(job), 124);
  job.set_state(v1::CANCELLED);
  EXPECT_EQ(JobExitCode(job), 130);
}

TEST(JobEndMessage, SaysHowTheJobEnded) {
  EXPECT_EQ(JobEndMessage(FailedJob()),
            "job job-7 failed on rank 1 (exit code 3): rank 1 exited with "
            "code 3");
  v1::Job job;
  job.set_id("job-8");
  job.set_state(v1::FAILED);
  job.set_failed_rank(-1);
  job.set_reason("worker pool lost");
  EXPECT_EQ(JobEndMessage(job), "job job-8 failed: worker pool lost");
  job.set_state(v1::TIMED_OUT);
  job.set_reason("");
  EXPECT_EQ(JobEndMessage(job), "job job-8 timed out");
  job.set_state(v1::CANCELLED);
  job.set_reason("cancelled by user");
  EXPECT_EQ(JobEndMessage(job), "job job-8 was cancelled: cancelled by user");
  job.set_state(v1::SUCCEEDED);
  EXPECT_EQ(JobEndMessage(job), "");
  job.set_state(v1::RUNNING);
  EXPECT_EQ(JobEndMessage(job), "");
}

TEST(QueueMessage, SaysWhereAQueuedJobStands) {
  v1::Job job;
  job.set_id("job-9");
  job.mutable_spec()->set_ranks(4);
  job.set_state(v1::QUEUED);
  EXPECT_EQ(QueueMessage(job), "");  // No QueueState.
  job.mutable_queue()->set_position(2);
  job.mutable_queue()->set_largest_free_block(1);
  EXPECT_EQ(QueueMessage(job),
            "job-9 queued: position 2, needs 4 ranks, largest free block 1");
  job.mutable_queue()->set_waiting_for("job-8 to succeed");
  EXPECT_EQ(QueueMessage(job), "job-9 queued: waiting for job-8 to succeed");
  job.set_state(v1::STARTING);
  EXPECT_EQ(QueueMessage(job), "");
}

TEST(FormatAge, LargestWholeUnit) {
  EXPECT_EQ(FormatAge(absl::Seconds(42)), "42s");
  EXPECT_EQ(FormatAge(absl::Seconds(299)), "4m");
  EXPECT_EQ(FormatAge(absl::Hours(3) + absl::Minutes(59)), "3h");
  EXPECT_EQ(FormatAge(absl::Hours(49)), "2d");
  EXPECT_EQ(FormatAge(-absl::Seconds(3)), "0s");
}

TEST(FormatSize, BinaryUnits) {
  EXPECT_EQ(FormatSize(0), "0 B");
  EXPECT_EQ(FormatSize(1023), "1023 B");
  EXPECT_EQ(FormatSize(1536), "1.5 KiB");
  EXPECT_EQ(FormatSize(12 << 20), "12.0 MiB");
  EXPECT_EQ(FormatSize(uint64_t{2} << 30), "2.0 GiB");
}

TEST(FormatTimestamp, InTheGivenZoneOrDash) {
  EXPECT_EQ(FormatTimestamp(At(kNow), Context()), "2024-05-01 12:00:00");
  EXPECT_EQ(FormatTimestamp(google::protobuf::Timestamp(), Context()), "-");
}

TEST(FormatJobsTable, AlignsColumns) {
  v1::ListJobsResponse jobs;
  *jobs.add_jobs() = FailedJob();
  v1::Job* running = jobs.add_jobs();
  running->set_id("job-10");
  running->set_state(v1::RUNNING);
  running->mutable_spec()->set_ranks(16);
  running->mutable_spec()->set_module_digest("sha256:" + std::string(64, 'c'));
  running->set_module_name("cg.wasm");  // Named at upload: the name shows.
  *running->mutable_submitted() = At(kNow - absl::Seconds(9));
  EXPECT_EQ(FormatJobsTable(jobs, Context()),
            "ID       STATE     RANKS   MODULE                SUBMITTED        "
            "     AGE\n"
            "job-7    FAILED    2       sha256:bbbbbbbbbbbb   2024-05-01 "
            "11:55:00   5m\n"
            "job-10   RUNNING   16      cg.wasm               2024-05-01 "
            "11:59:51   9s\n");
  EXPECT_EQ(FormatJobsTable(v1::ListJobsResponse(), Context()),
            "ID   STATE   RANKS   MODULE   SUBMITTED   AGE\n");
}

TEST(FormatJobsTable, WideAddsTimesExitPoolOwnerLimitsAndDigest) {
  v1::ListJobsResponse jobs;
  v1::Job& failed = *jobs.add_jobs() = FailedJob();
  *failed.mutable_started() = At(kNow - absl::Seconds(290));
  *failed.mutable_finished() = At(kNow - absl::Seconds(280));
  failed.set_pool_id("pool-1");
  failed.set_owner("alice");
  failed.mutable_spec()->mutable_timeout()->set_seconds(90);
  failed.mutable_spec()->set_memory_limit_bytes(64 << 20);
  v1::Job* queued = jobs.add_jobs();
  queued->set_id("job-8");
  queued->set_state(v1::QUEUED);
  queued->mutable_spec()->set_ranks(1);
  queued->mutable_spec()->set_module_digest("sha256:" + std::string(64, 'c'));
  *queued->mutable_submitted() = At(kNow);
  const std::string wide = FormatJobsTable(jobs, Context(), /*wide=*/true);
  std::vector<std::string> lines = absl::StrSplit(wide, '\n');
  ASSERT_EQ(lines.size(), 4u) << wide;
  EXPECT_THAT(lines[0], ::testing::MatchesRegex(
                            "ID +STATE +RANKS +MODULE +SUBMITTED +AGE +STARTED "
                            "+FINISHED +EXIT +POOL +OWNER +TIMEOUT +MEMORY "
                            "+DIGEST"));
  EXPECT_THAT(lines[1],
              ::testing::MatchesRegex(
                  "job-7 +FAILED .* 5m +2024-05-01 11:55:10 +2024-05-01 "
                  "11:55:20 +3 +pool-1 +alice +1m30s +64.0 MiB +"
                  "sha256:bbbbbbbbbbbb"));
  EXPECT_THAT(lines[2], ::testing::MatchesRegex(
                            "job-8 +QUEUED .* 0s +- +- +- +- +- +- +- +"
                            "sha256:cccccccccccc"));
  EXPECT_EQ(FormatJobsTable(v1::ListJobsResponse(), Context(), true),
            "ID   STATE   RANKS   MODULE   SUBMITTED   AGE   STARTED   "
            "FINISHED   EXIT   POOL   OWNER   TIMEOUT   MEMORY   DIGEST\n");
}

TEST(FormatModulesTable, FullDigestNameSizeTime) {
  v1::ListModulesResponse modules;
  v1::Module* module = modules.add_modules();
  module->set_digest("sha256:" + std::string(64, 'd'));
  module->set_name("cg.wasm");
  module->set_size_bytes(113 * 1024);
  *module->mutable_uploaded() = At(kNow);
  EXPECT_EQ(FormatModulesTable(modules, Context()),
            "DIGEST" + std::string(65 + 3, ' ') +
                "NAME      SIZE        UPLOADED\n"
                "sha256:" +
                std::string(64, 'd') +
                "   cg.wasm   113.0 KiB   2024-05-01 12:00:00\n");
}

TEST(FormatModulesTable, WideAddsOwnerImportsAndLabels) {
  v1::ListModulesResponse modules;
  v1::Module* module = modules.add_modules();
  module->set_digest("sha256:d");
  module->set_size_bytes(10);
  module->set_owner("bob");
  module->add_mpi_imports("MPI_Init");
  module->add_mpi_imports("MPI_Send");
  (*module->mutable_labels())["team"] = "cfd";
  (*module->mutable_labels())["app"] = "cg";
  EXPECT_EQ(FormatModulesTable(modules, Context(), /*wide=*/true),
            "DIGEST     NAME   SIZE   UPLOADED   OWNER   MPI-IMPORTS   LABELS\n"
            "sha256:d   -      10 B   -          bob     2             "
            "app=cg,team=cfd\n");
}

TEST(EngineTag, IsStableShortAndTellsFingerprintsApart) {
  EXPECT_EQ(EngineTag(""), "-");
  EXPECT_EQ(EngineTag("v8 a"), EngineTag("v8 a"));
  EXPECT_NE(EngineTag("v8 a"), EngineTag("v8 b"));
  EXPECT_THAT(EngineTag("v8 a"), ::testing::MatchesRegex("[0-9a-f]{8}"));
}

TEST(FormatPoolsTable, ShowsStateHostsRanksAndFailures) {
  v1::ListPoolsResponse pools;
  v1::Pool* pool = pools.add_pools();
  pool->set_id("pool-1");
  for (int rank = 0; rank < 5; ++rank) {
    v1::RankInfo* info = pool->add_ranks();
    info->set_rank(rank);
    info->set_host(rank < 3 ? "a" : "b");
  }
  pool->set_state(v1::POOL_DRAINING);
  pool->set_reason("SIGUSR1");
  pool->set_busy_ranks(2);
  pool->set_free_ranks(2);
  pool->set_engine_fingerprint("v8 10.2 --flags cpu avx2");
  *pool->mutable_attached() = At(kNow - absl::Hours(2));
  v1::Pool* failed = pools.add_pools();
  failed->set_name("rack2");
  failed->add_hosts("n1");
  failed->add_hosts("n2");
  failed->set_state(v1::POOL_FAILED);
  failed->set_reason("mpirun exited with code 1:\nunreachable");
  *failed->mutable_failed() = At(kNow - absl::Minutes(3));
  EXPECT_EQ(
      FormatPoolsTable(pools, Context()),
      "ID       NAME   STATE      HOSTS   BUSY   FREE   ENGINE     "
      "ATTACHED\n"
      "pool-1   -      draining   a,b     2      2      " +
          EngineTag("v8 10.2 --flags cpu avx2") +
          "   2h\n"
          "pool-1 draining: SIGUSR1\n"
          "launch of rack2 on n1,n2 failed (3m ago): mpirun exited with code "
          "1:\n    unreachable\n");
  pool->set_version("0.9.0");
  EXPECT_THAT(FormatPoolsTable(pools, Context(), /*wide=*/true),
              ::testing::StartsWith(
                  "ID       NAME   STATE      HOSTS   BUSY   FREE   ENGINE     "
                  "ATTACHED   RANKS   VERSION   FINGERPRINT\n"
                  "pool-1   -      draining   a,b     2      2      " +
                  EngineTag("v8 10.2 --flags cpu avx2") +
                  "   2h         5       0.9.0     v8 10.2 --flags cpu avx2\n"
                  "pool-1 draining: SIGUSR1\n"));
}

TEST(FormatJobDetails, KeyValueLinesAndRankResults) {
  v1::Job job = FailedJob();
  (*job.mutable_spec()->mutable_env())["B"] = "2";
  (*job.mutable_spec()->mutable_env())["A"] = "1";
  v1::Dir* dir = job.mutable_spec()->add_dirs();
  dir->set_host_path("/data");
  dir->set_guest_path("/in");
  dir->set_read_only(true);
  job.mutable_spec()->mutable_timeout()->set_seconds(90);
  v1::RankResult* rank0 = job.add_ranks();
  rank0->set_rank(0);
  v1::RankResult* rank1 = job.add_ranks();
  rank1->set_rank(1);
  rank1->set_exit_code(3);
  rank1->set_trap("unreachable\nat main");
  EXPECT_EQ(FormatJobDetails(job, Context()),
            "id:          job-7\n"
            "state:       FAILED\n"
            "module:      sha256:" +
                std::string(64, 'b') +
                "\n"
                "ranks:       2\n"
                "args:        in.dat\n"
                "env:         A=1 B=2\n"
                "dirs:        /data:/in:ro\n"
                "timeout:     1m30s\n"
                "submitted:   2024-05-01 11:55:00\n"
                "started:     -\n"
                "finished:    -\n"
                "exit code:   3\n"
                "failed rank: 1\n"
                "reason:      rank 1 exited with code 3\n"
                "rank 0:      exit 0\n"
                "rank 1:      exit 3, trap: unreachable\n"
                "    at main\n");
}

TEST(ToJson, RoundTripsAndPrintsZeroValues) {
  v1::Job job = FailedJob();
  absl::StatusOr<std::string> json = ToJson(job, /*pretty=*/false);
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(json->find('\n'), std::string::npos);
  EXPECT_THAT(*json, HasSubstr("\"state\":\"FAILED\""));
  EXPECT_THAT(*json, HasSubstr("\"exitCode\":3"));
  EXPECT_THAT(*json, HasSubstr("\"memoryLimitBytes\":\"0\""));  // zero printed
  v1::Job back;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(*json, &back).ok());
  EXPECT_EQ(back.SerializeAsString(), job.SerializeAsString());

  json = ToJson(job, /*pretty=*/true);
  ASSERT_TRUE(json.ok());
  EXPECT_THAT(*json, HasSubstr("\n \"id\": \"job-7\""));
  EXPECT_NE(json->back(), '\n');
}

TEST(FormatProgressBar, ShowsShareAndSizes) {
  EXPECT_EQ(FormatProgressBar("a.wasm", 1 << 20, 2 << 20, 10),
            "uploading a.wasm [#####.....]  50%  1.0 MiB/2.0 MiB");
  EXPECT_EQ(FormatProgressBar("a.wasm", 0, 0, 4),
            "uploading a.wasm [####] 100%  0 B/0 B");
  EXPECT_EQ(FormatProgressBar("a.wasm", 0, 100, 4),
            "uploading a.wasm [....]   0%  0 B/100 B");
}

TEST(FormatRpcError, NamesServerAndStatus) {
  EXPECT_EQ(FormatRpcError("h:1", "jobs",
                           absl::UnavailableError("failed to connect")),
            "cannot reach head at h:1: UNAVAILABLE: failed to connect");
  EXPECT_EQ(FormatRpcError("h:1", "jobs", absl::UnauthenticatedError("no")),
            "head at h:1 refused the request (UNAUTHENTICATED: no); pass "
            "--token-file FILE or set WASMHPC_TOKEN_FILE (or --token, "
            "WASMHPC_TOKEN)");
  EXPECT_EQ(FormatRpcError("h:1", "jobs", absl::DeadlineExceededError("slow")),
            "head at h:1 did not answer in time (DEADLINE_EXCEEDED: slow)");
  EXPECT_EQ(FormatRpcError("h:1", "submit",
                           absl::InvalidArgumentError("bad\nmodule")),
            "submit: head at h:1 answered INVALID_ARGUMENT: bad; module");
}

TEST(RankTagger, OnePrefixPerLineAcrossChunks) {
  RankTagger tagger;
  EXPECT_EQ(tagger.Tag(0, v1::STDOUT, "a\nb"), "[rank 0] a\n[rank 0] b");
  EXPECT_EQ(tagger.Tag(1, v1::STDOUT, "x\n"), "[rank 1] x\n");
  EXPECT_EQ(tagger.Tag(0, v1::STDERR, "e\n"), "[rank 0] e\n");
  EXPECT_EQ(tagger.Tag(0, v1::STDOUT, "c\n\nd\n"),
            "c\n[rank 0] \n[rank 0] d\n");
  EXPECT_EQ(tagger.Tag(0, v1::STDOUT, ""), "");
}

TEST(IsYes, OnlyYesMeansYes) {
  EXPECT_TRUE(IsYes("y"));
  EXPECT_TRUE(IsYes(" YES "));
  EXPECT_FALSE(IsYes(""));
  EXPECT_FALSE(IsYes("n"));
  EXPECT_FALSE(IsYes("yep"));
}

}  // namespace
}  // namespace wasmhpc::cli
