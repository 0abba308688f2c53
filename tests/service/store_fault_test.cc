// End-to-end tests of wasmhpc-head's data dir under faults: a full disk (a
// 20 MiB tmpfs, so these need root to mount it) and damaged RocksDB files
// (--repair, --backup). The real binary, a gRPC client and a fake pool.
#include <grpcpp/grpcpp.h>
#include <httplib.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "common/test_files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/service/head_process.h"

namespace wasmhpc::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

// Runs `command` with stderr joined to stdout; the output and exit code.
std::pair<std::string, int> RunCommand(const std::string& command) {
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  std::string output;
  char buffer[4096];
  for (size_t n; (n = fread(buffer, 1, sizeof(buffer), pipe)) > 0;) {
    output.append(buffer, n);
  }
  const int status = ::pclose(pipe);
  return {output, WIFEXITED(status) ? WEXITSTATUS(status) : -1};
}

// Writes `path` until the file system is full, or `bytes` of it.
void FillDisk(const std::string& path, size_t bytes = SIZE_MAX) {
  std::ofstream out(path, std::ios::binary);
  const std::string chunk(1 << 16, 'f');
  for (size_t n = 0; n < bytes && out.write(chunk.data(), chunk.size());
       n += chunk.size()) {
  }
}

class StoreFaultTest : public ::testing::Test {
 protected:
  void TearDown() override {
    head_.reset();
    if (mounted_) RunCommand("umount -l " + root_.Path("fs"));
  }
  // Puts data_ on a 20 MiB tmpfs; false if that cannot be done here.
  bool MountSmallDisk() {
    fs::create_directories(root_.Path("fs"));
    if (::geteuid() != 0) return false;
    mounted_ =
        RunCommand("mount -t tmpfs -o size=20m tmpfs " + root_.Path("fs"))
            .second == 0;
    data_ = root_.Path("fs/data");
    return mounted_;
  }
  void StartHead() {
    absl::StatusOr<std::unique_ptr<HeadProcess>> head =
        HeadProcess::Start(WASMHPC_HEAD_BINARY, data_);
    ASSERT_TRUE(head.ok()) << head.status();
    head_ = *std::move(head);
    channel_ = head_->Connect();
    modules_ = v1::ModuleService::NewStub(channel_);
    jobs_ = v1::JobService::NewStub(channel_);
  }
  grpc::Status Upload(const std::string& bytes, std::string* digest) {
    grpc::ClientContext context;
    v1::UploadModuleResponse response;
    auto writer = modules_->Upload(&context, &response);
    v1::UploadModuleRequest part;
    part.mutable_header()->set_name("hello.wasm");
    writer->Write(part);
    part.set_chunk(bytes);
    writer->Write(part);
    writer->WritesDone();
    grpc::Status status = writer->Finish();
    if (digest != nullptr) *digest = response.module().digest();
    return status;
  }
  grpc::Status Submit(const std::string& digest, v1::Job* job) {
    grpc::ClientContext context;
    v1::SubmitJobRequest request;
    request.mutable_spec()->set_module_digest(digest);
    request.mutable_spec()->set_ranks(1);
    return jobs_->Submit(&context, request, job);
  }
  grpc::Status Get(const std::string& id, v1::Job* job) {
    grpc::ClientContext context;
    v1::GetJobRequest request;
    request.set_id(id);
    return jobs_->Get(&context, request, job);
  }
  std::vector<std::string> ListJobIds() {
    grpc::ClientContext context;
    v1::ListJobsResponse list;
    grpc::Status status = jobs_->List(&context, {}, &list);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::vector<std::string> ids;
    for (const v1::Job& job : list.jobs()) ids.push_back(job.id());
    return ids;
  }
  std::string LogOf(const std::string& id) {
    grpc::ClientContext context;
    v1::WatchJobRequest request;
    request.set_id(id);
    request.set_no_follow(true);
    auto reader = jobs_->Watch(&context, request);
    std::string log;
    for (v1::JobEvent event; reader->Read(&event);) log += event.log().data();
    EXPECT_TRUE(reader->Finish().ok());
    return log;
  }
  bool Healthy() {
    httplib::Client client("http://" + head_->rest_address());
    auto result = client.Get("/healthz");
    return result && result->status == 200;
  }
  // A job run to success on `pool`, with `log` as its output.
  std::string RunJob(GrpcFakePool& pool, const std::string& digest,
                     const std::string& log) {
    v1::Job job;
    grpc::Status submitted = Submit(digest, &job);
    EXPECT_TRUE(submitted.ok()) << submitted.error_message();
    std::optional<v1::HeadMessage> assign = pool.Next();
    EXPECT_TRUE(assign && assign->has_assign());
    pool.Started(job.id());
    pool.Log(job.id(), 0, log);
    pool.Succeeded(job.id(), 1);
    for (absl::Time deadline = absl::Now() + absl::Seconds(10);
         absl::Now() < deadline && job.state() != v1::SUCCEEDED;) {
      Get(job.id(), &job);
    }
    EXPECT_EQ(job.state(), v1::SUCCEEDED);
    return job.id();
  }

  TempDir root_{"wasmhpc_store_fault_test."};
  std::string data_ = root_.Path("data");
  bool mounted_ = false;
  const std::string hello_ = ReadTestFile(WASMHPC_HELLO_WASM);
  std::unique_ptr<HeadProcess> head_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::ModuleService::Stub> modules_;
  std::unique_ptr<v1::JobService::Stub> jobs_;
};

// Regression: a guest printing 40 MB to a head on a 20 MB file system
// aborted the head (a RocksDB assertion), and again at every restart.
TEST_F(StoreFaultTest, FullDiskKeepsTheHeadUpAndWritesResumeWhenFreed) {
  if (!MountSmallDisk()) GTEST_SKIP() << "needs root to mount a 20 MiB tmpfs";
  StartHead();
  GrpcFakePool pool(channel_);
  ASSERT_TRUE(pool.Attach(2).ok());
  std::string digest;
  ASSERT_TRUE(Upload(hello_, &digest).ok());
  const std::string done = RunJob(pool, digest, "kept output\n");
  // Space the operator frees later (the log takes the rest).
  FillDisk(root_.Path("fs/ballast"), 6 << 20);

  v1::Job running;
  ASSERT_TRUE(Submit(digest, &running).ok());
  ASSERT_TRUE(pool.Next()->has_assign());
  pool.Started(running.id());
  // The guest prints 40 MB into 20 MiB: the head fails the job.
  const std::string line(1 << 16, 'x');
  std::optional<v1::HeadMessage> cancel;
  for (int i = 0; i < 640 && !cancel; ++i) {
    pool.Log(running.id(), 0, line);
    if (i % 16 == 15) cancel = pool.Next(absl::Milliseconds(100));
  }
  if (!cancel) cancel = pool.Next();
  ASSERT_TRUE(cancel && cancel->has_cancel()) << "the job was not stopped";
  EXPECT_EQ(cancel->cancel().job_id(), running.id());
  EXPECT_THAT(cancel->cancel().reason(), HasSubstr("the disk is full"));
  v1::PoolMessage finished;
  finished.mutable_finished()->set_job_id(running.id());
  finished.mutable_finished()->set_state(v1::CANCELLED);
  pool.Send(finished);
  FillDisk(root_.Path("fs/filler"));  // Whatever the log left.

  std::string other;
  grpc::Status upload = Upload(hello_ + std::string("\0\x02\x01x", 4), &other);
  EXPECT_EQ(upload.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << upload.error_message();
  EXPECT_THAT(upload.error_message(), HasSubstr("the disk is full"));
  EXPECT_THAT(upload.error_message(), HasSubstr(data_));
  v1::Job refused;
  grpc::Status submit = Submit(digest, &refused);
  EXPECT_EQ(submit.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << submit.error_message();
  EXPECT_THAT(submit.error_message(), HasSubstr("free space there"));

  // Reads keep working, and nothing stored before is lost.
  EXPECT_TRUE(Healthy());
  EXPECT_THAT(ListJobIds(), ::testing::IsSupersetOf({done, running.id()}));
  v1::Job job;
  ASSERT_TRUE(Get(running.id(), &job).ok());
  EXPECT_EQ(job.state(), v1::FAILED);
  EXPECT_THAT(job.reason(), HasSubstr("could not be stored"));
  EXPECT_EQ(LogOf(done), "kept output\n");
  EXPECT_TRUE(Upload(hello_, nullptr).ok());  // Already stored: no write.

  fs::remove(root_.Path("fs/filler"));
  fs::remove(root_.Path("fs/ballast"));
  RunJob(pool, digest, "after\n");  // Writes resume without a restart.

  // A restart on a full disk: the head starts and serves what it has.
  head_->Stop(SIGTERM);
  FillDisk(root_.Path("fs/ballast"), 6 << 20);
  FillDisk(root_.Path("fs/filler"));
  StartHead();
  EXPECT_TRUE(Healthy());
  EXPECT_THAT(ListJobIds(), ::testing::IsSupersetOf({done, running.id()}));
  EXPECT_EQ(LogOf(done), "kept output\n");
  GrpcFakePool pool2(channel_);
  ASSERT_TRUE(pool2.Attach(2).ok());
  EXPECT_EQ(Submit(digest, &refused).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  fs::remove(root_.Path("fs/filler"));
  fs::remove(root_.Path("fs/ballast"));
  RunJob(pool2, digest, "after restart\n");
}

// Regression: a damaged CURRENT, MANIFEST or table file stopped the head
// for good.
TEST_F(StoreFaultTest, DamagedStoreNamesRepairAndRepairKeepsTheData) {
  for (const std::string damage : {"CURRENT", "MANIFEST", "sst"}) {
    SCOPED_TRACE(damage);
    fs::remove_all(data_);
    StartHead();
    std::string digest;
    ASSERT_TRUE(Upload(hello_, &digest).ok());
    head_->Stop(SIGTERM);
    head_.reset();
    for (const auto& entry : fs::directory_iterator(data_)) {
      const std::string name = entry.path().filename().string();
      if (damage == "CURRENT" && name == "CURRENT") fs::remove(entry.path());
      if ((damage == "MANIFEST" && name.rfind("MANIFEST-", 0) == 0) ||
          (damage == "sst" && entry.path().extension() == ".sst")) {
        std::ofstream(entry.path(), std::ios::binary) << "garbage";
      }
    }
    const std::string head = WASMHPC_HEAD_BINARY;
    auto [start, start_code] =
        RunCommand(head + " --grpc-port 0 --rest-port off --data-dir " + data_);
    EXPECT_EQ(start_code, 1) << start;
    EXPECT_THAT(start, HasSubstr("wasmhpc-head --repair --data-dir " + data_));

    auto [repair, repair_code] =
        RunCommand(head + " --repair --data-dir " + data_);
    EXPECT_EQ(repair_code, 0) << repair;
    EXPECT_THAT(repair, HasSubstr("repaired " + data_));
    EXPECT_THAT(repair, HasSubstr("after:"));
    StartHead();
    grpc::ClientContext context;
    v1::ListModulesResponse list;
    ASSERT_TRUE(modules_->List(&context, {}, &list).ok());
    if (damage != "sst") {  // Garbage over every table loses them.
      ASSERT_EQ(list.modules_size(), 1) << repair;
      EXPECT_EQ(list.modules(0).digest(), digest);
    }
    EXPECT_TRUE(Upload(hello_, nullptr).ok());
    head_->Stop(SIGTERM);
    head_.reset();
  }
}

TEST_F(StoreFaultTest, BackupOfAStoppedHeadRestoresByCopyingBack) {
  StartHead();
  std::string digest;
  ASSERT_TRUE(Upload(hello_, &digest).ok());
  const std::string head = WASMHPC_HEAD_BINARY;
  auto [busy, busy_code] =
      RunCommand(head + " --backup " + root_.Path("busy --data-dir ") + data_);
  EXPECT_EQ(busy_code, 1) << busy;
  EXPECT_THAT(busy, HasSubstr("in use by another process"));
  head_->Stop(SIGTERM);
  head_.reset();
  auto [backup, code] = RunCommand(head + " --backup " +
                                   root_.Path("backup --data-dir ") + data_);
  ASSERT_EQ(code, 0) << backup;
  EXPECT_THAT(backup, HasSubstr("1 modules"));
  fs::remove_all(data_);
  fs::copy(root_.Path("backup"), data_, fs::copy_options::recursive);
  StartHead();
  grpc::ClientContext context;
  v1::ListModulesResponse list;
  ASSERT_TRUE(modules_->List(&context, {}, &list).ok());
  ASSERT_EQ(list.modules_size(), 1);
  EXPECT_EQ(list.modules(0).digest(), digest);
}

}  // namespace
}  // namespace wasmhpc::testing
