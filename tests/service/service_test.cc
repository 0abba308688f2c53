// End-to-end tests of wasmhpc-head: the real binary on a free port over a
// temporary data directory, driven over gRPC by this test (as a client and as
// a fake worker pool on the real Attach stream).
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "cache-store/code_key.h"
#include "cache-store/module_digest.h"
#include "common/test_files.h"
#include "engine/engine.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/service/head_process.h"

namespace wasmhpc::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// "job:STATE" or "log@OFFSET/rRANK:DATA".
std::string Summary(const v1::JobEvent& e) {
  if (e.has_job()) return "job:" + v1::JobState_Name(e.job().state());
  return "log@" + std::to_string(e.log().offset()) + "/r" +
         std::to_string(e.log().rank()) + ":" + e.log().data();
}

std::string Bytes(grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  (void)buffer.Dump(&slices);
  std::string bytes;
  for (const grpc::Slice& s : slices) {
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return bytes;
}

// Calls of methods this test has no generated stub for (health,
// reflection), with hand-encoded protobuf bytes, on a completion queue.
class RawCall {
 public:
  explicit RawCall(std::shared_ptr<grpc::Channel> channel) : stub_(channel) {}
  ~RawCall() {
    cq_.Shutdown();
    void* tag;
    bool ok;
    while (cq_.Next(&tag, &ok)) {
    }
  }

  // A unary call; the response bytes.
  absl::StatusOr<std::string> Unary(const std::string& method,
                                    const std::string& request) {
    grpc::Slice slice(request);
    grpc::ByteBuffer in(&slice, 1), out;
    auto call = stub_.PrepareUnaryCall(&context_, method, in, &cq_);
    call->StartCall();
    grpc::Status status;
    call->Finish(&out, &status, Tag());
    if (!Wait() || !status.ok()) {
      return absl::UnavailableError(status.error_message());
    }
    return Bytes(out);
  }

  // A bidi call with one request; the first response's bytes.
  absl::StatusOr<std::string> FirstOfStream(const std::string& method,
                                            const std::string& request) {
    auto call = stub_.PrepareCall(&context_, method, &cq_);
    call->StartCall(Tag());
    if (!Wait()) return absl::UnavailableError("call not started");
    grpc::Slice slice(request);
    grpc::ByteBuffer in(&slice, 1), out;
    call->Write(in, Tag());
    if (!Wait()) return absl::UnavailableError("write failed");
    call->WritesDone(Tag());
    Wait();
    call->Read(&out, Tag());
    bool read = Wait();
    grpc::Status status;
    call->Finish(&status, Tag());
    Wait();
    if (!read) return absl::UnavailableError(status.error_message());
    return Bytes(out);
  }

 private:
  void* Tag() { return reinterpret_cast<void*>(++tags_); }
  bool Wait() {
    void* tag;
    bool ok = false;
    return cq_.Next(&tag, &ok) && ok;
  }

  grpc::GenericStub stub_;
  grpc::ClientContext context_;
  grpc::CompletionQueue cq_;
  intptr_t tags_ = 0;
};

absl::StatusOr<std::string> HealthCheck(
    std::shared_ptr<grpc::Channel> channel) {
  return RawCall(channel).Unary("/grpc.health.v1.Health/Check", "");
}

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    allowed_ = root_.Path("allowed");
    fs::create_directories(allowed_);
    StartHead();
  }
  void TearDown() override { head_.reset(); }

  void StartHead(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--allow-dir", allowed_};
    args.insert(args.end(), extra.begin(), extra.end());
    absl::StatusOr<std::unique_ptr<HeadProcess>> head =
        HeadProcess::Start(WASMHPC_HEAD_BINARY, root_.Path("data"), args);
    ASSERT_TRUE(head.ok()) << head.status();
    head_ = *std::move(head);
    channel_ = head_->Connect();
    modules_ = v1::ModuleService::NewStub(channel_);
    jobs_ = v1::JobService::NewStub(channel_);
    pools_ = v1::PoolService::NewStub(channel_);
  }

  grpc::Status Upload(const std::string& bytes, v1::UploadModuleResponse* out,
                      bool announce_size = true) {
    grpc::ClientContext context;
    Authorize(&context, token_);
    auto writer = modules_->Upload(&context, out);
    v1::UploadModuleRequest part;
    part.mutable_header()->set_name("hello.wasm");
    if (announce_size) part.mutable_header()->set_size_bytes(bytes.size());
    writer->Write(part);
    for (size_t at = 0; at < bytes.size(); at += 4096) {
      part.set_chunk(bytes.substr(at, 4096));
      if (!writer->Write(part)) break;
    }
    writer->WritesDone();
    return writer->Finish();
  }
  std::string UploadHello() {
    v1::UploadModuleResponse response;
    grpc::Status status = Upload(hello_, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.module().digest();
  }

  grpc::Status Submit(const v1::JobSpec& spec, v1::Job* job) {
    grpc::ClientContext context;
    Authorize(&context, token_);
    v1::SubmitJobRequest request;
    *request.mutable_spec() = spec;
    return jobs_->Submit(&context, request, job);
  }
  v1::JobSpec Spec(const std::string& digest, int ranks) {
    v1::JobSpec spec;
    spec.set_module_digest(digest);
    spec.set_ranks(ranks);
    return spec;
  }
  v1::Job Get(const std::string& id) {
    grpc::ClientContext context;
    Authorize(&context, token_);
    v1::GetJobRequest request;
    request.set_id(id);
    v1::Job job;
    grpc::Status status = jobs_->Get(&context, request, &job);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return job;
  }
  // What `stub` (modules_, jobs_) lists; a test failure when listing fails.
  template <typename Response, typename Stub>
  Response List(Stub& stub) {
    grpc::ClientContext context;
    Authorize(&context, token_);
    Response list;
    grpc::Status status = stub->List(&context, {}, &list);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return list;
  }
  // Polls until the job is in `state` (10 s at most).
  v1::Job WaitForState(const std::string& id, v1::JobState state) {
    absl::Time deadline = absl::Now() + absl::Seconds(10);
    v1::Job job = Get(id);
    while (job.state() != state && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(10));
      job = Get(id);
    }
    EXPECT_EQ(job.state(), state)
        << "job " << id << " never reached " << v1::JobState_Name(state);
    return job;
  }
  // The next head message that is an Assign.
  v1::HeadMessage::Assign NextAssign(GrpcFakePool& pool) {
    std::optional<v1::HeadMessage> message = pool.Next();
    EXPECT_TRUE(message && message->has_assign()) << "no assignment";
    return message ? message->assign() : v1::HeadMessage::Assign();
  }

  TempDir root_{"wasmhpc_service_test."};
  std::string allowed_, token_;
  std::string hello_ = ReadTestFile(WASMHPC_HELLO_WASM);
  std::unique_ptr<HeadProcess> head_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::ModuleService::Stub> modules_;
  std::unique_ptr<v1::JobService::Stub> jobs_;
  std::unique_ptr<v1::PoolService::Stub> pools_;
};

TEST_F(ServiceTest, UploadListGetDeleteModules) {
  v1::UploadModuleResponse uploaded;
  ASSERT_TRUE(Upload(hello_, &uploaded).ok());
  EXPECT_EQ(uploaded.module().digest(), ModuleDigest(hello_));
  EXPECT_EQ(uploaded.module().size_bytes(), hello_.size());
  EXPECT_EQ(uploaded.module().name(), "hello.wasm");
  EXPECT_THAT(uploaded.module().mpi_imports(), Contains("MPI_Comm_rank"));
  EXPECT_FALSE(uploaded.already_present());
  v1::UploadModuleResponse again;
  ASSERT_TRUE(Upload(hello_, &again).ok());
  EXPECT_TRUE(again.already_present());

  grpc::ClientContext list_context;
  v1::ListModulesResponse list;
  ASSERT_TRUE(modules_->List(&list_context, {}, &list).ok());
  ASSERT_EQ(list.modules_size(), 1);
  EXPECT_EQ(list.modules(0).digest(), uploaded.module().digest());

  v1::GetModuleRequest get;
  get.set_digest(uploaded.module().digest());
  v1::Module module;
  grpc::ClientContext get_context;
  ASSERT_TRUE(modules_->Get(&get_context, get, &module).ok());
  EXPECT_EQ(module.name(), "hello.wasm");

  v1::DeleteModuleRequest del;
  del.set_digest(uploaded.module().digest());
  v1::DeleteModuleResponse deleted;
  grpc::ClientContext delete_context;
  ASSERT_TRUE(modules_->Delete(&delete_context, del, &deleted).ok());
  grpc::ClientContext gone_context;
  EXPECT_EQ(modules_->Get(&gone_context, get, &module).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(ServiceTest, MalformedUploadIsRefusedWithTheValidatorsMessage) {
  v1::UploadModuleResponse response;
  grpc::Status text = Upload("#!/bin/sh\necho hi\n", &response);
  EXPECT_EQ(text.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(text.error_message(), HasSubstr("not a WebAssembly module"));
  grpc::Status cut = Upload(hello_.substr(0, 300), &response);
  EXPECT_EQ(cut.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(cut.error_message(), HasSubstr("invalid module:"));
  EXPECT_EQ(List<v1::ListModulesResponse>(modules_).modules_size(), 0);
}

// A module no pool could run is refused at upload, every MPI function
// wasmhpc lacks named at once, in wasmhpc-run's words (issue 18).
TEST_F(ServiceTest, ModuleImportingUnprovidedMpiFunctionsIsRefusedAtUpload) {
  v1::UploadModuleResponse response;
  grpc::Status refused =
      Upload(ReadTestFile(WASMHPC_MPI_UNSUPPORTED_WASM), &response);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(refused.error_message(),
              HasSubstr("the module imports MPI functions wasmhpc does not "
                        "provide yet: MPI_Win_allocate_shared, "
                        "MPI_Win_shared_query, MPI_Comm_spawn ("));
  EXPECT_EQ(List<v1::ListModulesResponse>(modules_).modules_size(), 0);
}

TEST_F(ServiceTest, ClientThatDisconnectsMidUploadLeavesNothing) {
  {
    grpc::ClientContext context;
    v1::UploadModuleResponse response;
    auto writer = modules_->Upload(&context, &response);
    v1::UploadModuleRequest part;
    part.mutable_header()->set_name("half.wasm");
    ASSERT_TRUE(writer->Write(part));
    part.set_chunk(hello_.substr(0, hello_.size() / 2));
    ASSERT_TRUE(writer->Write(part));
    context.TryCancel();
    EXPECT_EQ(writer->Finish().error_code(), grpc::StatusCode::CANCELLED);
  }
  // A full upload after it is the only module.
  std::string digest = UploadHello();
  v1::ListModulesResponse list = List<v1::ListModulesResponse>(modules_);
  ASSERT_EQ(list.modules_size(), 1);
  EXPECT_EQ(list.modules(0).digest(), digest);
}

TEST_F(ServiceTest, JobOnAFakePoolWithWatchAndLogResume) {
  absl::StatusOr<engine::Engine*> engine = engine::Engine::Get();
  ASSERT_TRUE(engine.ok());
  const std::string fingerprint = (*engine)->Fingerprint();
  GrpcFakePool pool(channel_);
  absl::StatusOr<std::string> pool_id = pool.Attach(5, fingerprint);
  ASSERT_TRUE(pool_id.ok()) << pool_id.status();
  std::string digest = UploadHello();

  v1::JobSpec spec = Spec(digest, 2);
  spec.add_args("--size=3");
  (*spec.mutable_env())["OMP_NUM_THREADS"] = "1";
  spec.add_dirs()->set_host_path(allowed_);
  v1::Job job;
  ASSERT_TRUE(Submit(spec, &job).ok());
  EXPECT_EQ(job.state(), v1::STARTING);
  v1::HeadMessage::Assign assign = NextAssign(pool);
  EXPECT_EQ(assign.job_id(), job.id());
  EXPECT_THAT(assign.ranks(), ElementsAre(1, 2));
  EXPECT_THAT(assign.spec().args(), ElementsAre("--size=3"));
  EXPECT_EQ(assign.spec().env().at("OMP_NUM_THREADS"), "1");

  // The pool fetches the module with the code compiled for its engine.
  for (const std::string& fp : {fingerprint, std::string("other engine")}) {
    grpc::ClientContext context;
    v1::FetchModuleRequest fetch;
    fetch.set_digest(digest);
    fetch.set_engine_fingerprint(fp);
    auto reader = pools_->FetchModule(&context, fetch);
    std::string bytes, code;
    for (v1::FetchModuleChunk chunk; reader->Read(&chunk);) {
      bytes += chunk.module_bytes();
      code += chunk.compiled_code();
    }
    ASSERT_TRUE(reader->Finish().ok());
    EXPECT_EQ(bytes, hello_);
    EXPECT_EQ(code.empty(), fp != fingerprint) << fp;
  }

  grpc::ClientContext watch_context;
  v1::WatchJobRequest watch;
  watch.set_id(job.id());
  auto events = jobs_->Watch(&watch_context, watch);
  v1::JobEvent event;
  ASSERT_TRUE(events->Read(&event));
  EXPECT_EQ(Summary(event), "job:STARTING");
  pool.Started(job.id());
  pool.Log(job.id(), 0, "hello from rank 0 of 2\n");
  pool.Log(job.id(), 1, "hello from rank 1 of 2\n");
  pool.Succeeded(job.id(), 2);
  std::vector<std::string> seen;
  while (events->Read(&event)) seen.push_back(Summary(event));
  EXPECT_TRUE(events->Finish().ok());
  EXPECT_THAT(
      seen, ElementsAre("job:RUNNING", "log@0/r0:hello from rank 0 of 2\n",
                        "log@23/r1:hello from rank 1 of 2\n", "job:SUCCEEDED"));

  // Resume from the middle of the first line.
  grpc::ClientContext resume_context;
  watch.set_log_offset(6);
  auto resumed = jobs_->Watch(&resume_context, watch);
  seen.clear();
  while (resumed->Read(&event)) seen.push_back(Summary(event));
  EXPECT_TRUE(resumed->Finish().ok());
  EXPECT_THAT(seen, ElementsAre("job:SUCCEEDED", "log@6/r0:from rank 0 of 2\n",
                                "log@23/r1:hello from rank 1 of 2\n"));

  grpc::ClientContext list_context;
  v1::ListPoolsResponse pools;
  ASSERT_TRUE(pools_->List(&list_context, {}, &pools).ok());
  ASSERT_EQ(pools.pools_size(), 1);
  EXPECT_EQ(pools.pools(0).id(), *pool_id);
  EXPECT_EQ(pools.pools(0).free_ranks(), 4);
  EXPECT_EQ(pools.pools(0).engine_fingerprint(), fingerprint);
}

TEST_F(ServiceTest, BadSubmissionsGetClearCodes) {
  GrpcFakePool pool(channel_);
  ASSERT_TRUE(pool.Attach(5).ok());
  std::string digest = UploadHello();
  v1::Job job;
  grpc::Status status = Submit(Spec("sha256:" + std::string(64, 'a'), 1), &job);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Submit(Spec(digest, 0), &job).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  status = Submit(Spec(digest, 8), &job);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(status.error_message(),
            "job asks 8 ranks; the largest pool has 4 executor ranks");
  v1::JobSpec outside = Spec(digest, 1);
  outside.add_dirs()->set_host_path("/etc");
  status = Submit(outside, &job);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(status.error_message(), HasSubstr("/etc"));
  EXPECT_EQ(List<v1::ListJobsResponse>(jobs_).jobs_size(), 0);
}

TEST_F(ServiceTest, CancelTimeoutAndLostPool) {
  GrpcFakePool pool(channel_);
  ASSERT_TRUE(pool.Attach(4).ok());  // 3 executors.
  std::string digest = UploadHello();
  v1::Job cancelled, timed, lost;
  ASSERT_TRUE(Submit(Spec(digest, 1), &cancelled).ok());
  NextAssign(pool);
  v1::JobSpec short_spec = Spec(digest, 1);
  short_spec.mutable_timeout()->set_nanos(300'000'000);
  ASSERT_TRUE(Submit(short_spec, &timed).ok());
  NextAssign(pool);
  ASSERT_TRUE(Submit(Spec(digest, 1), &lost).ok());
  NextAssign(pool);

  // Cancel while STARTING: the pool is told, and confirms.
  grpc::ClientContext cancel_context;
  v1::CancelJobRequest cancel;
  cancel.set_id(cancelled.id());
  v1::Job after;
  ASSERT_TRUE(jobs_->Cancel(&cancel_context, cancel, &after).ok());
  EXPECT_EQ(after.state(), v1::STARTING);
  std::optional<v1::HeadMessage> message = pool.Next();
  ASSERT_TRUE(message && message->has_cancel());
  EXPECT_EQ(message->cancel().job_id(), cancelled.id());
  v1::PoolMessage finished;
  finished.mutable_finished()->set_job_id(cancelled.id());
  finished.mutable_finished()->set_state(v1::CANCELLED);
  pool.Send(finished);
  WaitForState(cancelled.id(), v1::CANCELLED);

  // Timeout: 0.3 s after Started the pool gets a Cancel.
  pool.Started(timed.id());
  message = pool.Next();
  ASSERT_TRUE(message && message->has_cancel());
  EXPECT_EQ(message->cancel().job_id(), timed.id());
  EXPECT_THAT(message->cancel().reason(), HasSubstr("timed out"));
  finished.mutable_finished()->set_job_id(timed.id());
  pool.Send(finished);
  EXPECT_EQ(WaitForState(timed.id(), v1::TIMED_OUT).reason(),
            "timed out after 300ms");

  // The pool dies with a running job.
  pool.Started(lost.id());
  WaitForState(lost.id(), v1::RUNNING);
  pool.Lose();
  EXPECT_EQ(WaitForState(lost.id(), v1::FAILED).reason(), "worker pool lost");
  GrpcFakePool again(channel_);
  absl::StatusOr<std::string> new_id = again.Attach(4);
  ASSERT_TRUE(new_id.ok());
  EXPECT_NE(*new_id, Get(lost.id()).pool_id());
}

TEST_F(ServiceTest, PoolUploadsCodeForItsEngineDrainsAndDetaches) {
  GrpcFakePool pool(channel_);
  absl::StatusOr<std::string> pool_id = pool.Attach(3, "other engine");
  ASSERT_TRUE(pool_id.ok()) << pool_id.status();
  std::string digest = UploadHello();

  // Code the pool compiled for its engine, signed with the deployment's code
  // key (the head made it in its data dir), is served back for that engine.
  absl::StatusOr<CodeKey> key = CodeKey::FromFile(root_.Path("data/code.key"));
  ASSERT_TRUE(key.ok()) << key.status();
  auto upload = [&](const std::string& d, const std::string& fingerprint,
                    const std::string& code) {
    grpc::ClientContext context;
    v1::UploadCodeResponse response;
    auto writer = pools_->UploadCode(&context, &response);
    v1::UploadCodeRequest chunk;
    chunk.set_digest(d);
    chunk.set_engine_fingerprint(fingerprint);
    chunk.set_signature(key->Sign(d, fingerprint, code));
    chunk.set_code(code.substr(0, 3));
    writer->Write(chunk);
    chunk.Clear();
    chunk.set_code(code.substr(3));
    writer->Write(chunk);
    writer->WritesDone();
    return writer->Finish();
  };
  ASSERT_TRUE(upload(digest, "other engine", "compiled!").ok());
  grpc::ClientContext fetch_context;
  v1::FetchModuleRequest fetch;
  fetch.set_digest(digest);
  fetch.set_engine_fingerprint("other engine");
  auto reader = pools_->FetchModule(&fetch_context, fetch);
  std::string code;
  for (v1::FetchModuleChunk chunk; reader->Read(&chunk);) {
    code += chunk.compiled_code();
  }
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_EQ(code, "compiled!");
  // Stored code is never replaced, even by a signed upload.
  EXPECT_EQ(upload(digest, "other engine", "replaced").error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(upload("sha256:" + std::string(64, 'a'), "e", "xxxx").error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(upload(digest, "", "xxxx").error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  // The pool asks to leave while a job runs: Detach once it ended.
  v1::Job job;
  ASSERT_TRUE(Submit(Spec(digest, 1), &job).ok());
  NextAssign(pool);
  pool.Started(job.id());
  v1::PoolMessage drain;
  drain.mutable_drain()->set_reason("SIGUSR1");
  pool.Send(drain);
  v1::ListPoolsResponse listed;
  auto list = [&] {
    grpc::ClientContext context;
    EXPECT_TRUE(pools_->List(&context, {}, &listed).ok());
    return listed.pools_size() > 0 ? listed.pools(0).state()
                                   : v1::POOL_STATE_UNSPECIFIED;
  };
  // The stream's messages are applied in order, but after Send returns.
  for (absl::Time deadline = absl::Now() + absl::Seconds(10);
       list() != v1::POOL_DETACHING && absl::Now() < deadline;) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  ASSERT_EQ(listed.pools_size(), 1);
  EXPECT_EQ(listed.pools(0).state(), v1::POOL_DETACHING);
  v1::Job refused;  // No other pool: nothing can take it.
  EXPECT_EQ(Submit(Spec(digest, 1), &refused).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  pool.Succeeded(job.id(), 1);
  std::optional<v1::HeadMessage> detach = pool.Next();
  ASSERT_TRUE(detach && detach->has_detach());
  EXPECT_EQ(detach->detach().reason(), "SIGUSR1");
  EXPECT_EQ(WaitForState(job.id(), v1::SUCCEEDED).pool_id(), *pool_id);

  // A launcher reports a pool that never came up.
  grpc::ClientContext report_context;
  v1::ReportPoolFailureRequest report;
  report.set_name("rack2");
  report.add_hosts("n1");
  report.set_reason("mpirun exited with code 1");
  v1::Pool failed;
  ASSERT_TRUE(pools_->ReportFailure(&report_context, report, &failed).ok());
  list();
  ASSERT_EQ(listed.pools_size(), 2);
  EXPECT_EQ(listed.pools(1).state(), v1::POOL_FAILED);
  EXPECT_EQ(listed.pools(1).reason(), "mpirun exited with code 1");
  grpc::ClientContext bad_context;
  report.clear_reason();
  EXPECT_EQ(pools_->ReportFailure(&bad_context, report, &failed).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ServiceTest, HealthIsServingAndReflectionIsOn) {
  // grpc.health.v1.HealthCheckResponse{status: SERVING} is 08 01.
  absl::StatusOr<std::string> health = HealthCheck(channel_);
  ASSERT_TRUE(health.ok()) << health.status();
  EXPECT_EQ(*health, std::string("\x08\x01", 2));
  // ServerReflectionRequest{list_services: ""} is 3a 00; the response names
  // the services.
  absl::StatusOr<std::string> services = RawCall(channel_).FirstOfStream(
      "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
      std::string("\x3a\x00", 2));
  ASSERT_TRUE(services.ok()) << services.status();
  EXPECT_THAT(*services, HasSubstr("wasmhpc.v1.ModuleService"));
  EXPECT_THAT(*services, HasSubstr("wasmhpc.v1.JobService"));
  EXPECT_THAT(*services, HasSubstr("wasmhpc.v1.PoolService"));
}

TEST_F(ServiceTest, TokensAreRequiredWhenAuthIsOn) {
  std::string tokens = root_.Path("tokens");
  std::ofstream(tokens) << "# operators\nright-token-0123456789 alice user\n"
                        << "pool-token-0123456789 pool-a pool\n";
  head_.reset();
  StartHead({"--auth-tokens", tokens});
  for (const std::string& token : {std::string(), std::string("wrong")}) {
    grpc::ClientContext context;
    Authorize(&context, token);
    v1::ListJobsResponse list;
    grpc::Status status = jobs_->List(&context, {}, &list);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << token;
    GrpcFakePool pool(channel_, token);
    EXPECT_THAT(pool.Attach(2).status().message(), HasSubstr("bearer token"));
  }
  token_ = "right-token-0123456789";
  std::string digest = UploadHello();
  EXPECT_FALSE(digest.empty());
  grpc::ClientContext context;
  Authorize(&context, token_);
  v1::ListJobsResponse list;
  EXPECT_TRUE(jobs_->List(&context, {}, &list).ok());
  GrpcFakePool pool(channel_, "pool-token-0123456789");
  EXPECT_TRUE(pool.Attach(2).ok());
  // Health stays open for probes.
  EXPECT_TRUE(HealthCheck(channel_).ok());
}

// Regression (issue 15): any token could attach as a pool (and receive other
// users' jobs with their secrets), drain pools, and overwrite any module's
// compiled code.
TEST_F(ServiceTest, RolesKeepUsersOffThePoolApi) {
  std::string tokens = root_.Path("tokens");
  std::ofstream(tokens) << "user-token-0123456789 alice user\n"
                        << "pool-token-0123456789 pool-a pool\n";
  head_.reset();
  StartHead({"--auth-tokens", tokens});
  token_ = "user-token-0123456789";
  const std::string digest = UploadHello();
  GrpcFakePool rogue(channel_, token_);
  absl::Status attach = rogue.Attach(2).status();
  EXPECT_THAT(attach.message(), HasSubstr("may not attach pools"));
  GrpcFakePool pool(channel_, "pool-token-0123456789");
  absl::StatusOr<std::string> pool_id = pool.Attach(2);
  ASSERT_TRUE(pool_id.ok()) << pool_id.status();
  {
    grpc::ClientContext context;
    Authorize(&context, token_);
    v1::DrainPoolRequest drain;
    drain.set_pool_id(*pool_id);
    v1::Pool drained;
    EXPECT_EQ(pools_->Drain(&context, drain, &drained).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  // The poisoning: another module's bytes as this module's code, from a
  // user, then from a pool without the code key. Neither is stored.
  auto upload_code = [&](const std::string& token,
                         const std::string& signature) {
    grpc::ClientContext context;
    Authorize(&context, token);
    v1::UploadCodeResponse response;
    auto writer = pools_->UploadCode(&context, &response);
    v1::UploadCodeRequest request;
    request.set_digest(digest);
    request.set_engine_fingerprint("poisoned-engine");
    request.set_code(std::string(4096, '\xcc'));
    request.set_signature(signature);
    writer->Write(request);
    writer->WritesDone();
    return writer->Finish().error_code();
  };
  EXPECT_EQ(upload_code(token_, ""), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(upload_code("pool-token-0123456789", std::string(32, 'x')),
            grpc::StatusCode::PERMISSION_DENIED);
  grpc::ClientContext context;
  Authorize(&context, "pool-token-0123456789");
  v1::FetchModuleRequest fetch;
  fetch.set_digest(digest);
  fetch.set_engine_fingerprint("poisoned-engine");
  auto reader = pools_->FetchModule(&context, fetch);
  v1::FetchModuleChunk chunk;
  while (reader->Read(&chunk)) EXPECT_FALSE(chunk.has_compiled_code());
  EXPECT_TRUE(reader->Finish().ok());
}

TEST_F(ServiceTest, KillDashNineAndRestartKeepsModulesAndJobs) {
  std::string digest = UploadHello();
  v1::Job done, running, queued;
  {
    GrpcFakePool pool(channel_);
    ASSERT_TRUE(pool.Attach(3).ok());  // 2 executors.
    ASSERT_TRUE(Submit(Spec(digest, 1), &done).ok());
    NextAssign(pool);
    pool.Started(done.id());
    pool.Log(done.id(), 0, "kept\n");
    pool.Succeeded(done.id(), 1);
    WaitForState(done.id(), v1::SUCCEEDED);
    ASSERT_TRUE(Submit(Spec(digest, 2), &running).ok());
    NextAssign(pool);
    pool.Started(running.id());
    WaitForState(running.id(), v1::RUNNING);
    ASSERT_TRUE(Submit(Spec(digest, 1), &queued).ok());
    EXPECT_EQ(queued.state(), v1::QUEUED);
    int status = head_->Stop(SIGKILL);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  }
  StartHead();
  v1::GetModuleRequest get;
  get.set_digest(digest);
  v1::Module module;
  grpc::ClientContext get_context;
  ASSERT_TRUE(modules_->Get(&get_context, get, &module).ok());
  EXPECT_EQ(module.name(), "hello.wasm");
  EXPECT_EQ(Get(done.id()).state(), v1::SUCCEEDED);
  v1::Job reconciled = Get(running.id());
  EXPECT_EQ(reconciled.state(), v1::FAILED);
  EXPECT_EQ(reconciled.reason(), "head restarted");
  EXPECT_EQ(Get(queued.id()).state(), v1::QUEUED);
  // The log of the finished job is still there.
  grpc::ClientContext watch_context;
  v1::WatchJobRequest watch;
  watch.set_id(done.id());
  auto events = jobs_->Watch(&watch_context, watch);
  std::vector<std::string> seen;
  for (v1::JobEvent event; events->Read(&event);)
    seen.push_back(Summary(event));
  EXPECT_TRUE(events->Finish().ok());
  EXPECT_THAT(seen, ElementsAre("job:SUCCEEDED", "log@0/r0:kept\n"));
  // A pool attaching to the new head gets the queued job.
  GrpcFakePool pool(channel_);
  ASSERT_TRUE(pool.Attach(3).ok());
  EXPECT_EQ(NextAssign(pool).job_id(), queued.id());
}

TEST_F(ServiceTest, SigtermEndsStreamsAndLeavesRecordsForTheNextHead) {
  std::string digest = UploadHello();
  GrpcFakePool pool(channel_);
  ASSERT_TRUE(pool.Attach(2).ok());
  v1::Job job;
  ASSERT_TRUE(Submit(Spec(digest, 1), &job).ok());
  NextAssign(pool);
  pool.Started(job.id());
  WaitForState(job.id(), v1::RUNNING);
  grpc::ClientContext watch_context;
  v1::WatchJobRequest watch;
  watch.set_id(job.id());
  auto events = jobs_->Watch(&watch_context, watch);
  v1::JobEvent event;
  ASSERT_TRUE(events->Read(&event));

  // Open streams (a watcher, a pool) must not keep the head from stopping.
  int status = head_->Stop(SIGTERM);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_FALSE(events->Read(&event));
  EXPECT_FALSE(events->Finish().ok());
  EXPECT_FALSE(pool.Next(absl::Seconds(5)));  // Its stream ended.

  // Shutting down is not a lost pool: the next head reconciles the job.
  StartHead();
  v1::Job after = Get(job.id());
  EXPECT_EQ(after.state(), v1::FAILED);
  EXPECT_EQ(after.reason(), "head restarted");
}

}  // namespace
}  // namespace wasmhpc::testing
