// End-to-end tests of wasmhpc-worker: a real pool under mpirun, attached to
// a fake head (fake_head.h) that assigns jobs and records what the pool
// reports.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "engine/engine.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/pool/pool_process.h"
#include "tests/pool/test_guest.h"
#include "tests/support/fake_head.h"
#include "worker/pool/pool_controller.h"

namespace wasmhpc::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr absl::Duration kStartup = absl::Seconds(60);
constexpr absl::Duration kJob = absl::Seconds(30);

// A fresh directory under /tmp.
std::string MakeTempDir() {
  char path[] = "/tmp/wasmhpc-pool-test-XXXXXX";
  return mkdtemp(path) ? path : "";
}

// The files under `dir` that any of `pids` has open.
std::vector<std::string> OpenFilesUnder(const std::vector<pid_t>& pids,
                                        const std::string& dir) {
  std::vector<std::string> open;
  for (pid_t pid : pids) {
    std::error_code ec;
    std::filesystem::path fds = absl::StrCat("/proc/", pid, "/fd");
    for (const auto& fd : std::filesystem::directory_iterator(fds, ec)) {
      std::string target = std::filesystem::read_symlink(fd, ec).string();
      if (!ec && target.rfind(dir + "/", 0) == 0) open.push_back(target);
    }
  }
  return open;
}

class PoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    hello_ = LoadGuest(WASMHPC_HELLO_WASM);
    traps_ = LoadGuest(WASMHPC_TRAPS_WASM);
    guest_ = LoadGuest(WASMHPC_POOL_GUEST_WASM);
    for (const Guest* g : {&hello_, &traps_, &guest_}) {
      ASSERT_FALSE(g->bytes.empty()) << "a test module is missing";
    }
    head_ = FakeHead::Start();
    ASSERT_NE(head_, nullptr);
    for (const Guest* g : {&hello_, &traps_, &guest_}) {
      head_->AddModule(g->digest, g->bytes);
    }
  }

  // Starts a pool of `ranks` (holding the head's code key unless
  // `with_code_key` is false) and waits for its Hello.
  void StartPool(int ranks = 4, std::vector<std::string> args = {},
                 bool with_code_key = true) {
    if (with_code_key) {
      args.insert(args.end(), {"--code-key", FakeHead::CodeKeyFile()});
    }
    pool_ = std::make_unique<PoolProcess>(WASMHPC_WORKER, ranks, head_->port(),
                                          args);
    hello_message_ = head_->AwaitHello(kStartup);
    ASSERT_TRUE(hello_message_.has_value())
        << "the pool did not attach; its output:\n"
        << pool_->Output();
  }

  // `data`: a host directory the guest sees as /data, if not empty.
  void Assign(const std::string& id, const Guest& guest, std::vector<int> ranks,
              std::vector<std::string> args = {},
              absl::Duration timeout = absl::ZeroDuration(),
              std::map<std::string, std::string> env = {},
              const std::string& data = "") {
    v1::HeadMessage m;
    v1::HeadMessage::Assign* a = m.mutable_assign();
    a->set_job_id(id);
    v1::JobSpec* spec = a->mutable_spec();
    spec->set_module_digest(guest.digest);
    spec->set_ranks(static_cast<int>(ranks.size()));
    for (const std::string& arg : args) spec->add_args(arg);
    spec->mutable_timeout()->set_seconds(absl::ToInt64Seconds(timeout));
    spec->mutable_env()->insert(env.begin(), env.end());
    if (!data.empty()) {
      v1::Dir* dir = spec->add_dirs();
      dir->set_host_path(data);
      dir->set_guest_path("/data");
    }
    for (int r : ranks) a->add_ranks(r);
    ASSERT_TRUE(head_->Send(m));
  }

  void Cancel(const std::string& id) {
    v1::HeadMessage m;
    m.mutable_cancel()->set_job_id(id);
    m.mutable_cancel()->set_reason("cancelled by the test");
    ASSERT_TRUE(head_->Send(m));
  }

  // The job's JobFinished; fails the test if it does not come in time.
  v1::PoolMessage::JobFinished Finished(const std::string& id,
                                        absl::Duration timeout = kJob) {
    std::optional<v1::PoolMessage::JobFinished> f =
        head_->AwaitFinished(id, timeout);
    EXPECT_TRUE(f.has_value()) << "job " << id << " did not finish; log:\n"
                               << head_->Log(id) << "\npool output:\n"
                               << pool_->Output();
    return f.value_or(v1::PoolMessage::JobFinished{});
  }

  // Runs hello.wasm on `ranks` and expects it to succeed.
  void ExpectHelloRuns(const std::string& id, std::vector<int> ranks) {
    int n = static_cast<int>(ranks.size());
    Assign(id, hello_, ranks);
    v1::PoolMessage::JobFinished f = Finished(id);
    EXPECT_EQ(f.state(), v1::SUCCEEDED) << f.reason();
    for (int r = 0; r < n; ++r) {
      EXPECT_THAT(head_->Log(id),
                  HasSubstr(absl::StrCat("hello from rank ", r, " of ", n)));
    }
  }

  // Runs `mode` of the pool guest on ranks 1 and 2 and expects the job to
  // fail within 2 s of starting, with rank 1 and `reason`.
  void ExpectRankOneEndsTheJob(const std::string& mode,
                               const std::string& reason) {
    Assign("early", guest_, {1, 2}, {mode});
    ASSERT_TRUE(head_->AwaitStarted("early", kJob));
    auto started = std::chrono::steady_clock::now();
    std::optional<v1::PoolMessage::JobFinished> f =
        head_->AwaitFinished("early", absl::Seconds(10));
    ASSERT_TRUE(f.has_value()) << "the job kept running; pool output:\n"
                               << pool_->Output();
    EXPECT_LT(std::chrono::steady_clock::now() - started,
              std::chrono::seconds(2));
    EXPECT_EQ(f->state(), v1::FAILED);
    EXPECT_EQ(f->failed_rank(), 1);
    EXPECT_EQ(f->reason(), reason);
  }

  // Cancels job `id` once `running_line` is in its log, and expects it
  // CANCELLED within 1 s.
  void ExpectCancelWithinASecond(const std::string& id,
                                 const std::string& running_line) {
    ASSERT_TRUE(head_->AwaitLog(id, running_line, kJob)) << head_->Log(id);
    ASSERT_TRUE(head_->AwaitStarted(id, kJob));
    absl::Time cancelled = absl::Now();
    Cancel(id);
    std::optional<v1::PoolMessage::JobFinished> f =
        head_->AwaitFinished(id, absl::Seconds(1));
    ASSERT_TRUE(f.has_value()) << "not stopped within 1 s";
    EXPECT_EQ(f->state(), v1::CANCELLED);
    EXPECT_EQ(f->reason(), "cancelled by the test");
    EXPECT_LT(absl::Now() - cancelled, absl::Seconds(1));
  }

  // Tells the pool to leave, as the head does once a draining pool is idle.
  void Detach() {
    v1::HeadMessage m;
    m.mutable_detach()->set_reason("drained by the test");
    ASSERT_TRUE(head_->Send(m));
  }

  // Expects mpirun, so every rank, to exit 0 within `timeout`.
  void ExpectPoolExitsZero(absl::Duration timeout = kJob) {
    ExpectPoolExits(0, timeout);
  }

  void ExpectPoolExits(int code, absl::Duration timeout = kJob) {
    std::optional<int> status = pool_->AwaitExit(timeout);
    ASSERT_TRUE(status.has_value()) << "mpirun kept running; its output:\n"
                                    << pool_->Output();
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == code)
        << "mpirun ended with wait status " << *status << "; its output:\n"
        << pool_->Output();
  }

  // The pool's "compiled module" lines for `guest` (complete once mpirun
  // has exited: the ranks' stderr reaches mpirun asynchronously).
  int CompileLines(const Guest& guest) const {
    std::string line =
        absl::StrCat(" compiled module ", guest.digest.substr(0, 19),
                     " (no cached code for this engine)\n");
    std::string output = pool_->Output();
    int count = 0;
    for (size_t at = output.find(line); at != std::string::npos;
         at = output.find(line, at + 1)) {
      ++count;
    }
    return count;
  }

  Guest hello_, traps_, guest_;
  std::unique_ptr<FakeHead> head_;
  std::unique_ptr<PoolProcess> pool_;
  std::optional<v1::PoolMessage::Hello> hello_message_;
};

TEST_F(PoolTest, HelloListsEveryRank) {
  StartPool(4);
  const v1::PoolMessage::Hello& hello = *hello_message_;
  ASSERT_EQ(hello.ranks_size(), 4);
  for (int r = 0; r < 4; ++r) {
    EXPECT_EQ(hello.ranks(r).rank(), r);
    EXPECT_FALSE(hello.ranks(r).host().empty());
  }
  EXPECT_FALSE(hello.name().empty());
  EXPECT_FALSE(hello.version().empty());
  absl::StatusOr<engine::Engine*> engine = engine::Engine::Get();
  ASSERT_TRUE(engine.ok());
  EXPECT_EQ(hello.engine_fingerprint(), (*engine)->Fingerprint());
}

TEST_F(PoolTest, TwoRankJobSucceedsWithItsLogsTaggedByRank) {
  StartPool(4);
  Assign("hello", hello_, {1, 2});
  v1::PoolMessage::JobFinished f = Finished("hello");
  EXPECT_EQ(f.state(), v1::SUCCEEDED) << f.reason();
  ASSERT_EQ(f.ranks_size(), 2);
  for (int r = 0; r < 2; ++r) {
    EXPECT_EQ(f.ranks(r).rank(), r);
    EXPECT_EQ(f.ranks(r).exit_code(), 0);
    EXPECT_GE(head_->LogChunks("hello", r), 1);
  }
  std::string log = head_->Log("hello");
  EXPECT_THAT(log, HasSubstr("hello from rank 0 of 2\n"));
  EXPECT_THAT(log, HasSubstr("hello from rank 1 of 2\n"));
  EXPECT_TRUE(head_->AwaitStarted("hello", absl::ZeroDuration()));
}

TEST_F(PoolTest, ModuleIsFetchedOncePerJobAndThenKept) {
  StartPool(4);
  ExpectHelloRuns("first", {1, 2});
  EXPECT_EQ(head_->fetches(hello_.digest), 1);
  ExpectHelloRuns("again", {2, 1});  // both ranks have it compiled
  ExpectHelloRuns("mixed", {3, 1});  // rank 3 gets it from the controller
  EXPECT_EQ(head_->fetches(hello_.digest), 1);
}

TEST_F(PoolTest, CompiledCodeFromTheHeadIsLoaded) {
  absl::StatusOr<engine::Engine*> engine = engine::Engine::Get();
  ASSERT_TRUE(engine.ok());
  std::unique_ptr<engine::Store> store = engine::Store::Create(**engine);
  auto bytes = absl::Span<const uint8_t>(
      reinterpret_cast<const uint8_t*>(hello_.bytes.data()),
      hello_.bytes.size());
  auto module = engine::Module::Compile(*store, bytes);
  ASSERT_TRUE(module.ok()) << module.status();
  std::vector<uint8_t> code = (*module)->Serialize();
  ASSERT_FALSE(code.empty());
  head_->AddModule(hello_.digest, hello_.bytes,
                   std::string(code.begin(), code.end()),
                   (*engine)->Fingerprint());
  StartPool(3);
  ExpectHelloRuns("cached", {1, 2});
  Detach();
  ExpectPoolExitsZero();
  EXPECT_EQ(CompileLines(hello_), 0) << pool_->Output();
  EXPECT_EQ(head_->code_uploads(), 0);
}

// The head serves no code for the pool's engine: the job's rank 0 compiles
// once for all its ranks and uploads the code; the controller keeps it for
// later jobs, and the head serves it to the next pool.
TEST_F(PoolTest, ModuleIsCompiledOncePerJobAndItsCodeUploaded) {
  StartPool(4);
  ExpectHelloRuns("first", {1, 2});
  std::optional<FakeHead::CodeUpload> upload =
      head_->AwaitCodeUpload(hello_.digest, kJob);
  ASSERT_TRUE(upload.has_value()) << pool_->Output();
  EXPECT_EQ(upload->fingerprint, hello_message_->engine_fingerprint());
  EXPECT_FALSE(upload->code.empty());
  EXPECT_TRUE(FakeHead::TestCodeKey().Verify(hello_.digest, upload->fingerprint,
                                             upload->code, upload->signature));
  EXPECT_LE(upload->largest_chunk, size_t{1} << 20);
  // Rank 3 lacks the module: it gets the code from the controller's LRU.
  ExpectHelloRuns("second", {3, 1});
  EXPECT_EQ(head_->fetches(hello_.digest), 1);
  Detach();
  ExpectPoolExitsZero();
  EXPECT_EQ(CompileLines(hello_), 1) << pool_->Output();
  EXPECT_THAT(pool_->Output(),
              HasSubstr(absl::StrCat(
                  "wasmhpc-worker: rank 1 on ", hello_message_->ranks(1).host(),
                  " compiled module ", hello_.digest.substr(0, 19),
                  " (no cached code for this engine)\n")));
  EXPECT_EQ(head_->code_uploads(), 1);

  StartPool(3);  // a new pool of the same engine: the head has the code now
  ExpectHelloRuns("next-pool", {1, 2});
  Detach();
  ExpectPoolExitsZero();
  EXPECT_EQ(CompileLines(hello_), 0) << pool_->Output();
}

// Regression (issue 15): code the head serves is native code once V8
// deserializes it; random bytes under a module's digest made every executor
// segfault and the pool was lost. Code whose signature does not verify with
// the pool's code key is never deserialized: the module is compiled instead.
TEST_F(PoolTest, CodeWithoutAValidSignatureIsNeverLoaded) {
  absl::StatusOr<engine::Engine*> engine = engine::Engine::Get();
  ASSERT_TRUE(engine.ok());
  std::string junk(64 << 10, '\xcc');  // int3 all the way down
  head_->AddModule(hello_.digest, hello_.bytes, junk, (*engine)->Fingerprint(),
                   /*signature=*/std::string(32, 'f'));
  StartPool(3);
  ExpectHelloRuns("poisoned", {1, 2});
  EXPECT_THAT(pool_->Output(), HasSubstr("its signature does not verify"));
  // The same junk signed with another key: refused as well.
  CodeKey other = CodeKey::FromBytes(std::string(32, 'o'));
  head_->AddModule(guest_.digest, guest_.bytes, junk, (*engine)->Fingerprint(),
                   other.Sign(guest_.digest, (*engine)->Fingerprint(), junk));
  Assign("other-key", guest_, {1}, {"exit", "0"});
  EXPECT_EQ(Finished("other-key").state(), v1::SUCCEEDED);
  ExpectHelloRuns("still-serving", {2, 1});
  Detach();
  ExpectPoolExitsZero();
}

// A pool without the code key asks for no code, compiles every module and
// uploads none (the head would refuse unsigned code).
TEST_F(PoolTest, PoolWithoutCodeKeySharesNoCode) {
  absl::StatusOr<engine::Engine*> engine = engine::Engine::Get();
  ASSERT_TRUE(engine.ok());
  head_->AddModule(hello_.digest, hello_.bytes, std::string(4096, '\xcc'),
                   (*engine)->Fingerprint());
  StartPool(3, {}, /*with_code_key=*/false);
  ExpectHelloRuns("no-key", {1, 2});
  Detach();
  ExpectPoolExitsZero();
  EXPECT_EQ(CompileLines(hello_), 1) << pool_->Output();
  EXPECT_THAT(pool_->Output(), HasSubstr("no --code-key"));
  EXPECT_EQ(head_->code_uploads(), 0);
}

TEST_F(PoolTest, TokenFileIsSentAsBearerMetadata) {
  std::string path =
      absl::StrCat(::testing::TempDir(), "/pool-token-", getpid());
  std::ofstream(path) << "s3cret\n";
  StartPool(3, {"--token-file", path});
  EXPECT_EQ(head_->Authorization("/wasmhpc.v1.PoolService/Attach"),
            "Bearer s3cret");
  ExpectHelloRuns("hello", {1, 2});
  EXPECT_EQ(head_->Authorization("/wasmhpc.v1.PoolService/FetchModule"),
            "Bearer s3cret");
  ASSERT_TRUE(head_->AwaitCodeUpload(hello_.digest, kJob).has_value());
  EXPECT_EQ(head_->Authorization("/wasmhpc.v1.PoolService/UploadCode"),
            "Bearer s3cret");
  unlink(path.c_str());
}

TEST_F(PoolTest, UnreadableTokenFileEndsThePool) {
  pool_ = std::make_unique<PoolProcess>(
      WASMHPC_WORKER, 2, head_->port(),
      std::vector<std::string>{"--token-file", "/nonexistent/token"});
  std::optional<int> status = pool_->AwaitExit(kStartup);
  ASSERT_TRUE(status.has_value());
  EXPECT_FALSE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0);
  EXPECT_THAT(pool_->Output(),
              HasSubstr("--token-file /nonexistent/token: cannot open it"));
  EXPECT_EQ(head_->attaches(), 0);
}

// The wasmhpc-pool launcher turns TERM/USR1 into SIGUSR1 for mpirun, which
// forwards it to every rank.
TEST_F(PoolTest, SigusrOneDrainsThePoolAndItExitsZeroOnDetach) {
  StartPool(3);
  ExpectHelloRuns("before-drain", {1, 2});
  ASSERT_EQ(kill(pool_->pid(), SIGUSR1), 0);
  EXPECT_EQ(head_->AwaitDrain(kJob), "SIGUSR1") << pool_->Output();
  // The head sends no jobs to a draining pool; one that comes is refused.
  Assign("late", hello_, {1});
  v1::PoolMessage::JobFinished late = Finished("late");
  EXPECT_EQ(late.state(), v1::FAILED);
  EXPECT_EQ(late.reason(), "pool is draining");
  Detach();
  ExpectPoolExitsZero();
  EXPECT_TRUE(head_->AwaitStreamsEnded(1, kJob));
  EXPECT_EQ(head_->drains(), 1);
  EXPECT_THAT(pool_->Output(), Not(HasSubstr("lost the head")));
}

// A Detach while a job runs (an operator's `pools drain --detach`, or
// Slurm's SIGTERM to rank 0 first): the pool leaves once the job ends.
TEST_F(PoolTest, SigtermToTheControllerDrainsAndDetachWaitsForTheJob) {
  StartPool(3);
  Assign("spin", guest_, {1, 2}, {"spin"});
  ASSERT_TRUE(head_->AwaitStarted("spin", kJob));
  std::optional<pid_t> controller = pool_->RankPid(0);
  ASSERT_TRUE(controller.has_value());
  ASSERT_EQ(kill(*controller, SIGTERM), 0);
  EXPECT_EQ(head_->AwaitDrain(kJob), "SIGTERM");
  Detach();
  EXPECT_FALSE(pool_->AwaitExit(absl::Seconds(2)).has_value())
      << "the pool left while its job ran";
  EXPECT_FALSE(head_->AwaitFinished("spin", absl::ZeroDuration()).has_value());
  Cancel("spin");
  EXPECT_EQ(Finished("spin").state(), v1::CANCELLED);
  ExpectPoolExitsZero();
}

// A cancelled guest leaves MPI requests behind on its job communicator: the
// ranks still finalize MPI and exit 0.
TEST_F(PoolTest, PoolExitsZeroAfterAJobCancelledInMpiRecv) {
  StartPool(4);
  Assign("deadlock", guest_, {1, 2, 3}, {"deadlock"});
  ExpectCancelWithinASecond("deadlock", "rank 2 of 3: deadlock");
  ASSERT_EQ(kill(pool_->pid(), SIGUSR1), 0);
  ASSERT_TRUE(head_->AwaitDrain(kJob).has_value());
  Detach();
  ExpectPoolExitsZero();
}

TEST_F(PoolTest, DrainingPoolWithoutAHeadExitsOnceIdle) {
  StartPool(3);
  head_.reset();
  ASSERT_TRUE(pool_->AwaitOutput("lost the head", kJob)) << pool_->Output();
  ASSERT_EQ(kill(pool_->pid(), SIGUSR1), 0);
  ExpectPoolExitsZero();
}

TEST_F(PoolTest, PoolAttachesToAHeadThatStartsLater) {
  int port = head_->port();
  head_.reset();
  pool_ = std::make_unique<PoolProcess>(WASMHPC_WORKER, 3, port);
  ASSERT_TRUE(pool_->AwaitOutput("; retrying", kStartup)) << pool_->Output();
  head_ = FakeHead::Start({.port = port});
  ASSERT_NE(head_, nullptr);
  head_->AddModule(hello_.digest, hello_.bytes);
  ASSERT_TRUE(head_->AwaitHello(kStartup).has_value()) << pool_->Output();
  ExpectHelloRuns("late-head", {1, 2});
}

TEST_F(PoolTest, JobsOnDisjointRanksRunAtOnce) {
  StartPool(4);
  Assign("busy", guest_, {1}, {"spin"});
  ASSERT_TRUE(head_->AwaitLog("busy", "rank 0 of 1: spin", kJob));
  ExpectHelloRuns("beside-a-running-job", {2});
  ExpectHelloRuns("and-another", {3});
  Cancel("busy");
  EXPECT_EQ(Finished("busy").state(), v1::CANCELLED);
}

TEST_F(PoolTest, TwoJobsAssignedTogetherBothFinish) {
  StartPool(4);
  Assign("a", hello_, {1});
  Assign("b", hello_, {3});
  EXPECT_EQ(Finished("a").state(), v1::SUCCEEDED);
  EXPECT_EQ(Finished("b").state(), v1::SUCCEEDED);
  EXPECT_THAT(head_->Log("a"), HasSubstr("hello from rank 0 of 1"));
  EXPECT_THAT(head_->Log("b"), HasSubstr("hello from rank 0 of 1"));
}

TEST_F(PoolTest, TrapFailsTheJobAndThePoolGoesOn) {
  StartPool(3);
  Assign("trap", traps_, {2}, {"divzero"});
  v1::PoolMessage::JobFinished f = Finished("trap");
  EXPECT_EQ(f.state(), v1::FAILED);
  EXPECT_EQ(f.failed_rank(), 0);
  EXPECT_THAT(f.reason(), HasSubstr("divide by zero"));
  ASSERT_EQ(f.ranks_size(), 1);
  EXPECT_THAT(f.ranks(0).trap(), HasSubstr("divide by zero"));
  EXPECT_THAT(f.ranks(0).trap(), HasSubstr("at divide"));
  EXPECT_THAT(head_->Log("trap"), HasSubstr("about to trap: divzero"));
  ExpectHelloRuns("after-trap", {2, 1});
}

TEST_F(PoolTest, TrapStopsTheRanksWaitingForTheTrappedOne) {
  StartPool(4);
  Assign("trap", guest_, {1, 2, 3}, {"trap"});
  v1::PoolMessage::JobFinished f = Finished("trap");
  EXPECT_EQ(f.state(), v1::FAILED);
  EXPECT_EQ(f.failed_rank(), 2);
  EXPECT_THAT(f.reason(), HasSubstr("rank 2 trapped: divide by zero"));
  ExpectHelloRuns("after-trap", {3, 2, 1});
}

TEST_F(PoolTest, MpiAbortFailsTheJob) {
  StartPool(3, {"--interruptible-collectives"});
  Assign("abort", guest_, {1, 2}, {"abort", "7"});
  v1::PoolMessage::JobFinished f = Finished("abort");
  EXPECT_EQ(f.state(), v1::FAILED);
  EXPECT_EQ(f.failed_rank(), 1);
  EXPECT_EQ(f.reason(), "rank 1 called MPI_Abort with code 7");
  EXPECT_EQ(f.ranks(1).exit_code(), 7);
  ExpectHelloRuns("after-abort", {1, 2});
}

TEST_F(PoolTest, ArgsAndEnvReachTheGuest) {
  StartPool(2);
  Assign("env", guest_, {1}, {"env", "WASMHPC_POOL_TEST"}, absl::ZeroDuration(),
         {{"WASMHPC_POOL_TEST", "yes"}});
  EXPECT_EQ(Finished("env").state(), v1::SUCCEEDED);
  EXPECT_THAT(head_->Log("env"), HasSubstr("rank 0: WASMHPC_POOL_TEST=yes"));
}

TEST_F(PoolTest, LotsOfOutputArrivesWholeInBatches) {
  StartPool(3);
  constexpr int kLines = 20000;
  Assign("flood", guest_, {1, 2}, {"flood", std::to_string(kLines)});
  EXPECT_EQ(Finished("flood").state(), v1::SUCCEEDED);
  for (int r = 0; r < 2; ++r) {
    // Every line of the rank, whole and in order, on its stdout.
    std::string out = head_->RankLog("flood", r, v1::STDOUT);
    std::string want = absl::StrCat("rank ", r, " of 2: flood\n");
    for (int i = 0; i < kLines; ++i) {
      absl::StrAppend(&want, "rank ", r, " line ", i, " of ", kLines, "\n");
    }
    EXPECT_TRUE(out == want)
        << "rank " << r << " stdout differs, " << out.size()
        << " bytes instead of " << want.size();
    EXPECT_THAT(head_->RankLog("flood", r, v1::STDERR),
                HasSubstr(absl::StrCat("rank ", r, " passed line 19000\n")));
    int chunks = head_->LogChunks("flood", r);
    EXPECT_GT(chunks, 2);            // sent in batches...
    EXPECT_LT(chunks, kLines / 10);  // ... not line by line
  }
}

// Regression: the executor's control thread polls MPI while the guest
// runs; a guest's nonblocking reduction with its own MPI_Op must not have
// the op run on that thread (it trapped: "Maximum call stack size
// exceeded", off the isolate's thread).
// Only the guest's thread calls MPI, so its own op runs there, and the
// nonblocking reduction does not block (traffic between its start and its
// wait goes through).
TEST_F(PoolTest, NonblockingReductionWithAUserOpRunsOnTheGuestThread) {
  StartPool(4);
  Assign("nbc", guest_, {1, 2, 3}, {"nbc_user_op"});
  v1::PoolMessage::JobFinished f = Finished("nbc");
  EXPECT_EQ(f.state(), v1::SUCCEEDED) << f.reason() << pool_->Output();
  for (int r = 0; r < 3; ++r) {
    EXPECT_THAT(head_->Log("nbc"),
                HasSubstr(absl::StrCat("rank ", r, ": product 6 8\n")));
  }
}

TEST_F(PoolTest, NonZeroExitFailsTheJob) {
  StartPool(3);
  Assign("exit", guest_, {1, 2}, {"exit", "3"});
  v1::PoolMessage::JobFinished f = Finished("exit");
  EXPECT_EQ(f.state(), v1::FAILED);
  EXPECT_THAT(f.reason(), HasSubstr("exited with code 3"));
}

// Regression (issue 15): a rank that returned from main without
// MPI_Finalize (or after it) while its peer waited in MPI_Recv for it left
// the job RUNNING until cancelled. Now the job fails within about a second
// (a 200 ms grace for messages in flight), naming the rank, and the pool
// runs the next job.
TEST_F(PoolTest, RankReturningWithoutFinalizeFailsTheJobAtOnce) {
  StartPool(3);
  ExpectRankOneEndsTheJob("no_finalize",
                          "rank 1 exited (code 0) before MPI_Finalize while "
                          "other ranks still ran");
  ExpectHelloRuns("after-early", {2, 1});
}

TEST_F(PoolTest, RankEndingAfterFinalizeFailsTheJobWaitingForIt) {
  StartPool(3);
  ExpectRankOneEndsTheJob("finalize_exit",
                          "rank 1 exited (code 0) after MPI_Finalize while "
                          "rank 0 still waited for it in MPI_Recv");
  ExpectHelloRuns("after-early", {1, 2});
}

// Regression (issue 15): an executor that died made mpirun end the pool,
// and its jobs were reported as "worker pool lost while draining
// (SIGTERM)". Now the controller tells the head which executor died.
TEST_F(PoolTest, KilledExecutorFailsItsJobSayingItDied) {
  StartPool(3);
  Assign("spin", guest_, {1, 2}, {"spin"});
  ASSERT_TRUE(head_->AwaitStarted("spin", kJob));
  std::optional<pid_t> victim = pool_->RankPid(2);
  ASSERT_TRUE(victim.has_value()) << pool_->Output();
  ASSERT_EQ(kill(*victim, SIGKILL), 0);
  v1::PoolMessage::JobFinished f = Finished("spin");
  EXPECT_EQ(f.state(), v1::FAILED);
  EXPECT_THAT(f.reason(), HasSubstr("executor rank 2 (host "));
  EXPECT_THAT(f.reason(), HasSubstr(" died"));
  EXPECT_THAT(f.reason(), Not(HasSubstr("draining")));
  EXPECT_FALSE(f.not_run());  // Its guest ran: it is not given back.
  // Before that, the head heard that the pool takes no more jobs, and why.
  std::optional<std::string> drain = head_->AwaitDrain(absl::Seconds(5));
  ASSERT_TRUE(drain.has_value());
  EXPECT_THAT(*drain, HasSubstr("going down: executor rank 2 (host "));
  EXPECT_EQ(head_->drains(), 1);
}

TEST_F(PoolTest, CancelStopsAComputingJobWithinASecond) {
  StartPool(4);
  Assign("spin", guest_, {1, 2}, {"spin"});
  ExpectCancelWithinASecond("spin", "rank 1 of 2: spin");
  ExpectHelloRuns("after-cancel", {1, 2});
}

TEST_F(PoolTest, CancelStopsAJobBlockedInMpiRecvWithinASecond) {
  StartPool(4);
  Assign("deadlock", guest_, {1, 2, 3}, {"deadlock"});
  ExpectCancelWithinASecond("deadlock", "rank 2 of 3: deadlock");
  ExpectHelloRuns("after-cancel", {3, 1, 2});
}

TEST_F(PoolTest, CancelStopsAJobWaitingInABarrierWithinASecond) {
  StartPool(3, {"--interruptible-collectives"});
  Assign("barrier", guest_, {1, 2}, {"barrier"});
  ExpectCancelWithinASecond("barrier", "rank 1 of 2: barrier");
  ExpectHelloRuns("after-cancel", {1, 2});
}

// By default collectives are the host's blocking ones: a stop cannot end
// rank 1's wait in MPI_Barrier, which rank 0 (terminated) never enters.
// The rank is reported stuck, the job still ends as cancelled, and the
// pool restarts to replace the rank: it drains saying why and, once
// detached, exits with kRestartExitCode (75) for its service to start it
// again.
TEST_F(PoolTest, RankStuckInABlockingCollectiveIsReportedAndThePoolRestarts) {
  StartPool(3);
  Assign("barrier", guest_, {1, 2}, {"barrier"});
  ASSERT_TRUE(head_->AwaitLog("barrier", "rank 1 of 2: barrier", kJob));
  ASSERT_TRUE(head_->AwaitStarted("barrier", kJob));
  Cancel("barrier");
  v1::PoolMessage::JobFinished f = Finished("barrier");
  EXPECT_EQ(f.state(), v1::CANCELLED);
  std::optional<std::string> drain = head_->AwaitDrain(kJob);
  ASSERT_TRUE(drain.has_value()) << pool_->Output();
  EXPECT_EQ(*drain,
            "restarting: executor rank 2 is stuck in MPI_Barrier since job "
            "barrier was stopped");
  // The other rank is free, but a draining pool takes no more jobs.
  Assign("late", hello_, {1});
  EXPECT_EQ(Finished("late").reason(), "pool is draining");
  Detach();
  ExpectPoolExits(pool::kRestartExitCode);
}

// A rank that fails while its peers wait in a blocking collective: the job
// fails with that rank's reason; the waiting rank is stuck as above.
TEST_F(PoolTest, MpiAbortWhilePeersWaitInABarrierFailsTheJobAndRestarts) {
  StartPool(3);
  Assign("abort", guest_, {1, 2}, {"abort", "7"});
  v1::PoolMessage::JobFinished f = Finished("abort");
  EXPECT_EQ(f.state(), v1::FAILED);
  EXPECT_EQ(f.reason(), "rank 1 called MPI_Abort with code 7");
  std::optional<std::string> drain = head_->AwaitDrain(kJob);
  ASSERT_TRUE(drain.has_value()) << pool_->Output();
  EXPECT_THAT(*drain, HasSubstr("executor rank 1 is stuck in MPI_Barrier"));
}

TEST_F(PoolTest, CancelStopsAJobWaitingInAWindowFenceWithinASecond) {
  StartPool(3, {"--interruptible-collectives"});
  Assign("fence", guest_, {1, 2}, {"fence"});
  ExpectCancelWithinASecond("fence", "rank 1 of 2: fence");
  ExpectHelloRuns("after-cancel", {1, 2});
}

TEST_F(PoolTest, CancelStopsAJobWaitingInMpiWinWaitWithinASecond) {
  StartPool(3);
  Assign("win_wait", guest_, {1, 2}, {"win_wait"});
  ExpectCancelWithinASecond("win_wait", "rank 1 of 2: win_wait");
  ExpectHelloRuns("after-cancel", {1, 2});
}

TEST_F(PoolTest, CancelStopsAJobWaitingForATargetThatNeverPosts) {
  StartPool(3, {"--interruptible-collectives"});
  Assign("win_start", guest_, {1, 2}, {"win_start"});
  ExpectCancelWithinASecond("win_start", "rank 1 of 2: win_start");
  ExpectHelloRuns("after-cancel", {1, 2});
}

// A long-lived pool must not keep what each job forgot to free.
TEST_F(PoolTest, WhatJobsLeaveIsReleasedAndTheirFilesClosed) {
  StartPool(3);
  std::string data = MakeTempDir();
  ASSERT_FALSE(data.empty());
  for (int i = 0; i < 3; ++i) {
    std::string id = absl::StrCat("leave-", i);
    Assign(id, guest_, {1, 2}, {"leave", "finalize"}, absl::ZeroDuration(), {},
           data);
    v1::PoolMessage::JobFinished f = Finished(id);
    EXPECT_EQ(f.state(), v1::SUCCEEDED) << f.reason() << head_->Log(id);
    EXPECT_THAT(head_->Log(id), HasSubstr("rank 1: left one of each"));
    EXPECT_THAT(OpenFilesUnder(pool_->RankPids(), data), ::testing::IsEmpty());
  }
  EXPECT_EQ(ReadTestFile(data + "/rank1.dat"), "/data/rank1.dat");
  for (int r = 0; r < 2; ++r) {
    EXPECT_TRUE(pool_->AwaitOutput(
        absl::StrCat("job leave-2 rank ", r,
                     ": released 1 request, 1 communicator, 1 group, 1 "
                     "datatype, 1 op, 1 info, 2 windows, 2 files\n"),
        kJob))
        << pool_->Output();
  }
  std::filesystem::remove_all(data);
}

// Regression (issue 15): the head checked a job's dir at submit, but a
// symbolic link swapped in while the job was queued let it write outside the
// allowed dirs. The pool opens dirs without following links, and only below
// its own --allow-dir.
TEST_F(PoolTest, JobDirsAreOpenedWithoutLinksAndBelowThePoolsAllowDirs) {
  std::string allowed = MakeTempDir(), outside = MakeTempDir();
  ASSERT_FALSE(allowed.empty() || outside.empty());
  StartPool(3, {"--allow-dir", allowed});
  std::filesystem::create_directory(allowed + "/work");
  Assign("inside", guest_, {1}, {"leave", "finalize"}, absl::ZeroDuration(), {},
         allowed + "/work");
  EXPECT_EQ(Finished("inside").state(), v1::SUCCEEDED) << head_->Log("inside");
  std::filesystem::create_directory_symlink(outside, allowed + "/swapped");
  Assign("swapped", guest_, {1}, {"leave", "finalize"}, absl::ZeroDuration(),
         {}, allowed + "/swapped");
  v1::PoolMessage::JobFinished f = Finished("swapped");
  EXPECT_EQ(f.state(), v1::FAILED);
  EXPECT_THAT(f.reason(), HasSubstr("symbolic link"));
  Assign("outside", guest_, {1}, {"leave", "finalize"}, absl::ZeroDuration(),
         {}, outside);
  f = Finished("outside");
  EXPECT_EQ(f.state(), v1::FAILED);
  EXPECT_THAT(f.reason(), HasSubstr("outside the pool's --allow-dir"));
  EXPECT_TRUE(std::filesystem::is_empty(outside));
  ExpectHelloRuns("still-serving", {1, 2});
  std::filesystem::remove_all(allowed);
  std::filesystem::remove_all(outside);
}

TEST_F(PoolTest, JobThatTrapsLeavesOnlyWhatItSharedWithOtherRanks) {
  StartPool(3);
  std::string data = MakeTempDir();
  ASSERT_FALSE(data.empty());
  Assign("leave-trap", guest_, {1, 2}, {"leave", "trap"}, absl::ZeroDuration(),
         {}, data);
  v1::PoolMessage::JobFinished f = Finished("leave-trap");
  EXPECT_EQ(f.state(), v1::FAILED);
  EXPECT_THAT(f.reason(), HasSubstr("rank 1 trapped: divide by zero"));
  // Each rank's own file is closed; the one they share is not.
  std::vector<std::string> open = OpenFilesUnder(pool_->RankPids(), data);
  EXPECT_THAT(open,
              ::testing::AllOf(Not(::testing::IsEmpty()),
                               ::testing::Each(HasSubstr("/shared.dat"))));
  for (int r = 0; r < 2; ++r) {
    EXPECT_TRUE(pool_->AwaitOutput(
        absl::StrCat("job leave-trap rank ", r,
                     ": released 1 request, 1 communicator, 1 group, 1 "
                     "datatype, 1 op, 1 info, 1 window, 1 file; left to the "
                     "host MPI: 1 window, 1 file (windows and files shared "
                     "with other ranks are freed by MPI_Finalize; the guest "
                     "did not reach it)\n"),
        kJob))
        << pool_->Output();
  }
  ExpectHelloRuns("after-trap", {2, 1});
  std::filesystem::remove_all(data);
}

TEST_F(PoolTest, TimeoutEndsTheJobTimedOut) {
  StartPool(3);
  Assign("slow", guest_, {1, 2}, {"spin"}, absl::Seconds(1));
  v1::PoolMessage::JobFinished f = Finished("slow");
  EXPECT_EQ(f.state(), v1::TIMED_OUT);
  EXPECT_EQ(f.reason(), "timed out after 1s");
  ExpectHelloRuns("after-timeout", {2});
}

TEST_F(PoolTest, CancelWhileTheModuleIsFetchedStopsTheJob) {
  StartPool(3);
  head_->HoldFetches(true);
  Assign("starting", hello_, {1, 2});
  ASSERT_TRUE(head_->AwaitFetches(hello_.digest, 1, kJob));
  absl::Time cancelled = absl::Now();
  Cancel("starting");
  std::optional<v1::PoolMessage::JobFinished> f =
      head_->AwaitFinished("starting", absl::Seconds(1));
  ASSERT_TRUE(f.has_value()) << "not stopped within 1 s";
  EXPECT_EQ(f->state(), v1::CANCELLED);
  EXPECT_LT(absl::Now() - cancelled, absl::Seconds(1));
  EXPECT_FALSE(head_->AwaitStarted("starting", absl::ZeroDuration()));
  head_->HoldFetches(false);
  ExpectHelloRuns("after-cancel", {1, 2});
  EXPECT_EQ(head_->fetches(hello_.digest), 1);  // kept by the controller
}

TEST_F(PoolTest, UnknownModuleFailsTheJob) {
  StartPool(3);
  Guest missing{"", "sha256:" + std::string(64, '0')};
  Assign("missing", missing, {1, 2});
  v1::PoolMessage::JobFinished f = Finished("missing");
  EXPECT_EQ(f.state(), v1::FAILED);
  EXPECT_THAT(f.reason(), HasSubstr("unknown module"));
  ExpectHelloRuns("after-missing", {1, 2});
}

// The pool assembles guests as wasmhpc-run does (worker/guest): the same
// check of the module's MPI imports, with the same message.
TEST_F(PoolTest, ModuleImportingMpiFunctionsNotProvidedFailsNamingThem) {
  StartPool(3);
  Guest unsupported = LoadGuest(WASMHPC_MPI_UNSUPPORTED_WASM);
  ASSERT_FALSE(unsupported.bytes.empty());
  head_->AddModule(unsupported.digest, unsupported.bytes);
  Assign("unsupported", unsupported, {1, 2});
  v1::PoolMessage::JobFinished f = Finished("unsupported");
  EXPECT_EQ(f.state(), v1::FAILED);
  EXPECT_THAT(f.reason(),
              HasSubstr("the module imports MPI functions wasmhpc does not "
                        "provide yet: MPI_Win_allocate_shared, "
                        "MPI_Win_shared_query"));
  ExpectHelloRuns("after-unsupported", {1, 2});
}

TEST_F(PoolTest, AssignmentToTheControllerIsRefused) {
  StartPool(3);
  Assign("bad", hello_, {0, 1});
  v1::PoolMessage::JobFinished f = Finished("bad");
  EXPECT_EQ(f.state(), v1::FAILED);
  EXPECT_THAT(f.reason(), HasSubstr("rank 0 is not an executor"));
}

TEST_F(PoolTest, PoolAttachesAgainToARestartedHead) {
  StartPool(3);
  Assign("spin", guest_, {1, 2}, {"spin"});
  ASSERT_TRUE(head_->AwaitStarted("spin", kJob));
  int port = head_->port();
  head_.reset();  // the stream ends: the pool stops its jobs
  head_ = FakeHead::Start({.port = port});
  ASSERT_NE(head_, nullptr);
  head_->AddModule(hello_.digest, hello_.bytes);
  ASSERT_TRUE(head_->AwaitHello(kStartup).has_value()) << pool_->Output();
  ExpectHelloRuns("after-restart", {1, 2});
}

TEST_F(PoolTest, KilledExecutorEndsTheAttachStream) {
  StartPool(3);
  Assign("spin", guest_, {1}, {"spin"});
  ASSERT_TRUE(head_->AwaitStarted("spin", kJob));
  std::optional<pid_t> executor = pool_->RankPid(2);
  ASSERT_TRUE(executor.has_value());
  ASSERT_EQ(kill(*executor, SIGKILL), 0);
  EXPECT_TRUE(head_->AwaitStreamsEnded(1, kJob));
  EXPECT_TRUE(pool_->AwaitExit(kJob).has_value()) << "mpirun kept running";
}

TEST_F(PoolTest, KilledControllerEndsTheAttachStream) {
  StartPool(3);
  std::optional<pid_t> controller = pool_->RankPid(0);
  ASSERT_TRUE(controller.has_value());
  ASSERT_EQ(kill(*controller, SIGKILL), 0);
  EXPECT_TRUE(head_->AwaitStreamsEnded(1, kJob));
  EXPECT_TRUE(pool_->AwaitExit(kJob).has_value()) << "mpirun kept running";
}

}  // namespace
}  // namespace wasmhpc::testing
