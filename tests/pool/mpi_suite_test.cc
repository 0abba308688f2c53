// The MPI correctness suite (tests/mpi) run as pool jobs: every rank's
// stdout must equal the native program's under mpirun. This covers the
// pool's MPI path end to end: the job communicator as MPI_COMM_WORLD, job
// rank order, and the InterruptibleTransport's versions of the blocking
// calls.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cache-store/module_digest.h"
#include "gtest/gtest.h"
#include "tests/pool/pool_process.h"
#include "tests/support/fake_head.h"

namespace wasmhpc::testing {
namespace {

constexpr int kRanks = 4;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

class MpiSuiteTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/wasmhpc-native-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    native_dir_ = dir;
  }
  void TearDown() override { std::filesystem::remove_all(native_dir_); }

  // Runs the native program under mpirun; rank r's stdout is
  // native_dir_/out/1/rank.r/stdout. Without Open MPI's treematch topology
  // component, as in the pool (worker/pool/main.cc): it hangs now and then.
  void RunNative(const std::string& program) {
    std::string command = absl::StrCat(
        "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 "
        "OMPI_MCA_topo=^treematch "
        "timeout 120 mpirun --oversubscribe --bind-to none -np ",
        kRanks, " --output-filename ", native_dir_, "/out ", program, " > ",
        native_dir_, "/console 2>&1");
    ASSERT_EQ(std::system(command.c_str()), 0)
        << ReadFile(native_dir_ + "/console");
  }

  std::string NativeStdout(int rank) {
    return ReadFile(absl::StrCat(native_dir_, "/out/1/rank.", rank, "/stdout"));
  }

  // Every rank of job `name` printed what the native run's rank printed,
  // and the ranks printed something (an empty comparison proves nothing).
  void ExpectRanksPrintedNative(FakeHead& head, const std::string& name) {
    size_t compared = 0;
    for (int r = 0; r < kRanks; ++r) {
      std::string native = NativeStdout(r);
      EXPECT_EQ(head.RankLog(name, r, v1::STDOUT), native) << "rank " << r;
      compared += native.size();
    }
    EXPECT_GT(compared, 0u) << "no rank printed anything: nothing compared";
  }

  // Runs the module at `wasm` as job `name` of `spec` (its module and
  // kRanks ranks filled in) on a fresh pool of kRanks executors, job rank i
  // on pool rank pool_ranks[i]; expects it to succeed with every rank
  // printing what the native run's printed.
  void RunLikeNative(const std::string& name, const std::string& wasm,
                     v1::JobSpec spec, const std::vector<int>& pool_ranks) {
    std::string bytes = ReadFile(wasm);
    ASSERT_FALSE(bytes.empty()) << wasm << " is missing";
    std::unique_ptr<FakeHead> head = FakeHead::Start();
    ASSERT_NE(head, nullptr);
    spec.set_module_digest(ModuleDigest(bytes));
    spec.set_ranks(kRanks);
    head->AddModule(spec.module_digest(), bytes);
    PoolProcess pool(WASMHPC_WORKER, kRanks + 1, head->port(),
                     {"--code-key", FakeHead::CodeKeyFile()});
    ASSERT_TRUE(head->AwaitHello(absl::Seconds(60)).has_value())
        << pool.Output();
    v1::HeadMessage m;
    v1::HeadMessage::Assign* a = m.mutable_assign();
    a->set_job_id(name);
    *a->mutable_spec() = std::move(spec);
    for (int r : pool_ranks) a->add_ranks(r);
    ASSERT_TRUE(head->Send(m));
    std::optional<v1::PoolMessage::JobFinished> f =
        head->AwaitFinished(name, absl::Seconds(60));
    ASSERT_TRUE(f.has_value()) << head->Log(name) << pool.Output();
    EXPECT_EQ(f->state(), v1::SUCCEEDED)
        << f->reason() << "\njob log:\n"
        << head->Log(name) << "\npool output:\n"
        << pool.Output();
    ExpectRanksPrintedNative(*head, name);
  }

  std::string native_dir_;
};

TEST_P(MpiSuiteTest, PoolJobPrintsWhatTheNativeProgramPrints) {
  std::string name = GetParam();
  std::string dir = WASMHPC_MPI_SUITE_DIR;
  RunNative(absl::StrCat(dir, "/", name));
  v1::JobSpec spec;
  RunLikeNative(name, absl::StrCat(dir, "/", name, ".wasm"), spec,
                {3, 1, 4, 2});  // job rank 0 is pool rank 3
}

// MPI-IO in a pool job: the job's dirs are what the guest's MPI_File_open
// reaches. tests/mpi/io.c runs natively in one fresh directory and as a
// job with another preopened as "."; output and files must match.
TEST_F(MpiSuiteTest, PoolJobDoesMpiIoInItsDirectory) {
  std::string dir = WASMHPC_MPI_SUITE_DIR;
  const std::string native_cwd = native_dir_ + "/native.cwd";
  const std::string job_cwd = native_dir_ + "/job.cwd";
  std::filesystem::create_directory(native_cwd);
  std::filesystem::create_directory(job_cwd);
  RunNative(absl::StrCat("-wdir ", native_cwd, " ", dir, "/io"));
  v1::JobSpec spec;
  v1::Dir* d = spec.add_dirs();
  d->set_host_path(job_cwd);
  d->set_guest_path(".");
  RunLikeNative("io", dir + "/io.wasm", spec, {2, 4, 1, 3});
  for (const char* file : {"io_a.dat", "io_c.dat"}) {
    std::string native = ReadFile(native_cwd + "/" + file);
    EXPECT_FALSE(native.empty()) << file;
    EXPECT_EQ(ReadFile(job_cwd + "/" + file), native) << file;
  }
}

INSTANTIATE_TEST_SUITE_P(Programs, MpiSuiteTest,
                         ::testing::Values("p2p", "coll", "comm", "datatypes",
                                           "groups", "ops", "topo", "errors",
                                           "rma"));

}  // namespace
}  // namespace wasmhpc::testing
