#include "client-cli/fake_head.h"

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <map>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "cache-store/module_digest.h"
#include "wasmhpc/v1/jobs.grpc.pb.h"
#include "wasmhpc/v1/modules.grpc.pb.h"
#include "wasmhpc/v1/pools.grpc.pb.h"

namespace wasmhpc::cli::testing {
namespace {

constexpr int kPageSize = 2;

google::protobuf::Timestamp Now() {
  google::protobuf::Timestamp time;
  time.set_seconds(absl::ToUnixSeconds(absl::Now()));
  return time;
}

}  // namespace

struct FakeHead::State {
  struct Job {
    v1::Job job;      // As Get/List report it.
    v1::Job running;  // What Watch sends first.
    std::vector<v1::LogChunk> log;
    std::string behaviour;  // spec.args(0)
    int watches = 0;
  };

  FakeHeadOptions options;
  mutable absl::Mutex mu;
  std::map<std::string, v1::Module> modules ABSL_GUARDED_BY(mu);
  std::map<std::string, Job> jobs ABSL_GUARDED_BY(mu);  // Ids sort in order.
  int next_job ABSL_GUARDED_BY(mu) = 1;
  int uploads ABSL_GUARDED_BY(mu) = 0;
  int upload_chunks ABSL_GUARDED_BY(mu) = 0;
  int module_gets ABSL_GUARDED_BY(mu) = 0;
  std::map<std::string, std::vector<uint64_t>> watch_offsets
      ABSL_GUARDED_BY(mu);
  std::map<std::string, int> open_watches ABSL_GUARDED_BY(mu);
  std::vector<std::string> cancelled ABSL_GUARDED_BY(mu);
  std::vector<v1::JobSpec> submitted ABSL_GUARDED_BY(mu);
  std::string last_authorization ABSL_GUARDED_BY(mu);
  bool shutting_down ABSL_GUARDED_BY(mu) = false;

  grpc::Status Authorize(grpc::ServerContext* context) {
    const auto& metadata = context->client_metadata();
    auto it = metadata.find("authorization");
    std::string value;
    if (it != metadata.end())
      value.assign(it->second.data(), it->second.size());
    absl::MutexLock lock(&mu);
    last_authorization = value;
    if (options.required_token.empty() ||
        value == "Bearer " + options.required_token) {
      return grpc::Status::OK;
    }
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "missing or wrong bearer token");
  }

  // Builds the canned run of a new job (see fake_head.h).
  static void Script(Job& job) {
    uint64_t offset = 0;
    auto write = [&](int rank, v1::Stream stream, const std::string& data) {
      v1::LogChunk& chunk = job.log.emplace_back();
      chunk.set_offset(offset);
      chunk.set_rank(rank);
      chunk.set_stream(stream);
      chunk.set_data(data);
      offset += data.size();
    };
    v1::Job& end = job.job;
    end.set_state(v1::SUCCEEDED);
    end.set_failed_rank(-1);
    if (job.behaviour == "succeed") {
      write(0, v1::STDOUT, "hello from rank 0\n");
      write(1, v1::STDERR, "warning from rank 1\n");
    } else if (job.behaviour == "fail") {
      write(0, v1::STDOUT, "rank 0 ok\n");
      end.set_state(v1::FAILED);
      end.set_exit_code(3);
      end.set_failed_rank(1);
      end.set_reason("rank 1 exited with code 3");
    } else if (job.behaviour == "timeout") {
      write(0, v1::STDOUT, "working\n");
      end.set_state(v1::TIMED_OUT);
      end.set_reason("exceeded its timeout of 1s");
    } else if (job.behaviour == "hang") {
      write(0, v1::STDOUT, "waiting\n");
      end.set_state(v1::RUNNING);
    } else if (job.behaviour == "flaky") {
      write(0, v1::STDOUT, "first\n");
      write(0, v1::STDOUT, "second\n");
    }
    for (int rank = 0; rank < end.spec().ranks() && end.state() != v1::RUNNING;
         ++rank) {
      v1::RankResult* result = end.add_ranks();
      result->set_rank(rank);
      result->set_exit_code(rank == end.failed_rank() ? end.exit_code() : 0);
    }
  }
};

class FakeHead::Services final : public v1::ModuleService::Service,
                                 public v1::JobService::Service,
                                 public v1::PoolService::Service {
 public:
  explicit Services(std::shared_ptr<State> state) : state_(std::move(state)) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(),
                             &port_);
    builder.RegisterService(static_cast<v1::ModuleService::Service*>(this));
    builder.RegisterService(static_cast<v1::JobService::Service*>(this));
    builder.RegisterService(static_cast<v1::PoolService::Service*>(this));
    server_ = builder.BuildAndStart();
  }

  ~Services() override {
    {
      absl::MutexLock lock(&state_->mu);
      state_->shutting_down = true;
    }
    server_->Shutdown(std::chrono::system_clock::now() +
                      std::chrono::seconds(2));
  }

  int port() const { return port_; }

  // ModuleService.
  grpc::Status Get(grpc::ServerContext* context,
                   const v1::GetModuleRequest* request,
                   v1::Module* response) override {
    if (auto s = state_->Authorize(context); !s.ok()) return s;
    absl::MutexLock lock(&state_->mu);
    ++state_->module_gets;
    auto it = state_->modules.find(request->digest());
    if (it == state_->modules.end()) {
      return grpc::Status(grpc::StatusCode::NOT_FOUND,
                          "no module " + request->digest());
    }
    *response = it->second;
    return grpc::Status::OK;
  }

  grpc::Status Upload(grpc::ServerContext* context,
                      grpc::ServerReader<v1::UploadModuleRequest>* reader,
                      v1::UploadModuleResponse* response) override {
    if (auto s = state_->Authorize(context); !s.ok()) return s;
    v1::UploadModuleRequest message;
    v1::UploadModuleRequest::Header header;
    DigestBuilder digest;
    int chunks = 0;
    while (reader->Read(&message)) {
      if (message.has_header()) {
        header = message.header();
      } else {
        digest.Update(message.chunk());
        ++chunks;
      }
    }
    v1::Module module;
    module.set_size_bytes(digest.size());
    module.set_digest(digest.Finish());
    module.set_name(header.name());
    *module.mutable_uploaded() = Now();
    if (!header.expected_digest().empty() &&
        header.expected_digest() != module.digest()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "bytes do not match expected_digest");
    }
    absl::MutexLock lock(&state_->mu);
    ++state_->uploads;
    state_->upload_chunks += chunks;
    response->set_already_present(state_->modules.count(module.digest()) > 0);
    state_->modules[module.digest()] = module;
    *response->mutable_module() = module;
    return grpc::Status::OK;
  }

  grpc::Status List(grpc::ServerContext* context,
                    const v1::ListModulesRequest* request,
                    v1::ListModulesResponse* response) override {
    if (auto s = state_->Authorize(context); !s.ok()) return s;
    absl::MutexLock lock(&state_->mu);
    int start = 0;
    if (!request->page_token().empty()) {
      (void)absl::SimpleAtoi(request->page_token(), &start);
    }
    int index = 0;
    for (const auto& [digest, module] : state_->modules) {
      if (index >= start && index < start + kPageSize) {
        *response->add_modules() = module;
      }
      ++index;
    }
    if (start + kPageSize < index) {
      response->set_next_page_token(absl::StrCat(start + kPageSize));
    }
    return grpc::Status::OK;
  }

  grpc::Status Delete(grpc::ServerContext* context,
                      const v1::DeleteModuleRequest* request,
                      v1::DeleteModuleResponse*) override {
    if (auto s = state_->Authorize(context); !s.ok()) return s;
    absl::MutexLock lock(&state_->mu);
    if (state_->modules.erase(request->digest()) == 0) {
      return grpc::Status(grpc::StatusCode::NOT_FOUND,
                          "no module " + request->digest());
    }
    return grpc::Status::OK;
  }

  // JobService.
  grpc::Status Submit(grpc::ServerContext* context,
                      const v1::SubmitJobRequest* request,
                      v1::Job* response) override {
    if (auto s = state_->Authorize(context); !s.ok()) return s;
    absl::MutexLock lock(&state_->mu);
    state_->submitted.push_back(request->spec());
    if (state_->modules.count(request->spec().module_digest()) == 0) {
      return grpc::Status(grpc::StatusCode::NOT_FOUND,
                          "no module " + request->spec().module_digest());
    }
    State::Job job;
    job.behaviour =
        request->spec().args_size() > 0 ? request->spec().args(0) : "";
    job.job.set_id(absl::StrFormat("job-%04d", state_->next_job++));
    *job.job.mutable_spec() = request->spec();
    *job.job.mutable_submitted() = Now();
    job.job.set_pool_id("pool-1");
    job.running = job.job;
    job.running.set_state(v1::RUNNING);
    *response = job.job;
    response->set_state(v1::QUEUED);
    State::Script(job);
    state_->jobs[job.job.id()] = std::move(job);
    return grpc::Status::OK;
  }

  grpc::Status Get(grpc::ServerContext* context,
                   const v1::GetJobRequest* request,
                   v1::Job* response) override {
    if (auto s = state_->Authorize(context); !s.ok()) return s;
    absl::MutexLock lock(&state_->mu);
    auto it = state_->jobs.find(request->id());
    if (it == state_->jobs.end()) {
      return grpc::Status(grpc::StatusCode::NOT_FOUND,
                          "no job " + request->id());
    }
    *response = it->second.job;
    return grpc::Status::OK;
  }

  grpc::Status List(grpc::ServerContext* context,
                    const v1::ListJobsRequest* request,
                    v1::ListJobsResponse* response) override {
    if (auto s = state_->Authorize(context); !s.ok()) return s;
    absl::MutexLock lock(&state_->mu);
    std::vector<const v1::Job*> matching;
    for (const auto& [id, job] : state_->jobs) {
      bool wanted = request->states().empty();
      for (int state : request->states()) wanted |= job.job.state() == state;
      if (wanted) matching.push_back(&job.job);
    }
    int start = 0;
    if (!request->page_token().empty()) {
      (void)absl::SimpleAtoi(request->page_token(), &start);
    }
    for (int i = start;
         i < static_cast<int>(matching.size()) && i < start + kPageSize; ++i) {
      *response->add_jobs() = *matching[i];
    }
    if (start + kPageSize < static_cast<int>(matching.size())) {
      response->set_next_page_token(absl::StrCat(start + kPageSize));
    }
    return grpc::Status::OK;
  }

  grpc::Status Cancel(grpc::ServerContext* context,
                      const v1::CancelJobRequest* request,
                      v1::Job* response) override {
    if (auto s = state_->Authorize(context); !s.ok()) return s;
    absl::MutexLock lock(&state_->mu);
    auto it = state_->jobs.find(request->id());
    if (it == state_->jobs.end()) {
      return grpc::Status(grpc::StatusCode::NOT_FOUND,
                          "no job " + request->id());
    }
    state_->cancelled.push_back(request->id());
    v1::Job& job = it->second.job;
    if (job.state() == v1::RUNNING) {
      job.set_state(v1::CANCELLED);
      job.set_reason("cancelled by user");
    }
    *response = job;
    return grpc::Status::OK;
  }

  grpc::Status Watch(grpc::ServerContext* context,
                     const v1::WatchJobRequest* request,
                     grpc::ServerWriter<v1::JobEvent>* writer) override {
    if (auto s = state_->Authorize(context); !s.ok()) return s;
    State::Job job;
    int attempt = 0;
    {
      absl::MutexLock lock(&state_->mu);
      auto it = state_->jobs.find(request->id());
      if (it == state_->jobs.end()) {
        return grpc::Status(grpc::StatusCode::NOT_FOUND,
                            "no job " + request->id());
      }
      attempt = ++it->second.watches;
      state_->watch_offsets[request->id()].push_back(request->log_offset());
      ++state_->open_watches[request->id()];
      job = it->second;
    }
    grpc::Status status = Stream(context, *request, job, attempt, *writer);
    absl::MutexLock lock(&state_->mu);
    --state_->open_watches[request->id()];
    return status;
  }

  // PoolService.
  grpc::Status List(grpc::ServerContext* context, const v1::ListPoolsRequest*,
                    v1::ListPoolsResponse* response) override {
    if (auto s = state_->Authorize(context); !s.ok()) return s;
    v1::Pool* pool = response->add_pools();
    pool->set_id("pool-1");
    pool->set_name("local");
    for (int rank = 0; rank < 5; ++rank) {
      v1::RankInfo* info = pool->add_ranks();
      info->set_rank(rank);
      info->set_host("node-a");
    }
    pool->add_hosts("node-a");
    pool->set_state(v1::POOL_ACTIVE);
    pool->set_free_ranks(3);
    pool->set_busy_ranks(1);
    *pool->mutable_attached() = Now();
    return grpc::Status::OK;
  }

  // Drain answers the request back as the pool's new state.
  grpc::Status Drain(grpc::ServerContext* context,
                     const v1::DrainPoolRequest* request,
                     v1::Pool* response) override {
    if (auto s = state_->Authorize(context); !s.ok()) return s;
    if (request->pool_id() != "pool-1") {
      return grpc::Status(grpc::StatusCode::NOT_FOUND,
                          "no pool " + request->pool_id());
    }
    response->set_id("pool-1");
    response->set_name("local");
    response->set_state(request->detach() ? v1::POOL_DETACHING
                                          : v1::POOL_DRAINING);
    response->set_reason(request->reason());
    response->set_busy_ranks(1);
    response->set_free_ranks(3);
    return grpc::Status::OK;
  }

  grpc::Status ReportFailure(grpc::ServerContext* context,
                             const v1::ReportPoolFailureRequest* request,
                             v1::Pool* response) override {
    if (auto s = state_->Authorize(context); !s.ok()) return s;
    response->set_name(request->name());
    *response->mutable_hosts() = request->hosts();
    response->set_reason(request->reason());
    response->set_state(v1::POOL_FAILED);
    return grpc::Status::OK;
  }

 private:
  grpc::Status Stream(grpc::ServerContext* context,
                      const v1::WatchJobRequest& request, const State::Job& job,
                      int attempt, grpc::ServerWriter<v1::JobEvent>& writer) {
    v1::JobEvent event;
    *event.mutable_job() = job.running;
    writer.Write(event);
    for (const v1::LogChunk& chunk : job.log) {
      if (chunk.offset() + chunk.data().size() <= request.log_offset())
        continue;
      *event.mutable_log() = chunk;
      writer.Write(event);
      if (job.behaviour == "flaky" && attempt == 1) {
        return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                            "fake head: connection reset");
      }
    }
    v1::Job end = job.job;
    if (job.behaviour == "hang" && request.no_follow()) return grpc::Status::OK;
    if (job.behaviour == "hang") {
      absl::MutexLock lock(&state_->mu);
      const v1::Job& stored = state_->jobs[request.id()].job;
      auto ended = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_->mu) {
        return stored.state() != v1::RUNNING || state_->shutting_down ||
               context->IsCancelled();
      };
      while (!state_->mu.AwaitWithTimeout(absl::Condition(&ended),
                                          absl::Milliseconds(50))) {
      }
      if (stored.state() == v1::RUNNING) {
        return grpc::Status(grpc::StatusCode::UNAVAILABLE,
                            "fake head: stopping");
      }
      end = stored;
    }
    *event.mutable_job() = end;
    writer.Write(event);
    return grpc::Status::OK;
  }

  std::shared_ptr<State> state_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

FakeHead::FakeHead(FakeHeadOptions options)
    : state_(std::make_shared<State>()) {
  state_->options = std::move(options);
  services_ = std::make_unique<Services>(state_);
}

FakeHead::~FakeHead() = default;

std::string FakeHead::address() const {
  return absl::StrCat("127.0.0.1:", services_->port());
}

void FakeHead::AddModule(const std::string& digest, const std::string& name) {
  absl::MutexLock lock(&state_->mu);
  v1::Module& module = state_->modules[digest];
  module.set_digest(digest);
  module.set_name(name);
}

int FakeHead::uploads() const {
  absl::MutexLock lock(&state_->mu);
  return state_->uploads;
}

int FakeHead::upload_chunks() const {
  absl::MutexLock lock(&state_->mu);
  return state_->upload_chunks;
}

int FakeHead::module_gets() const {
  absl::MutexLock lock(&state_->mu);
  return state_->module_gets;
}

std::vector<uint64_t> FakeHead::watch_offsets(const std::string& job_id) const {
  absl::MutexLock lock(&state_->mu);
  auto it = state_->watch_offsets.find(job_id);
  return it == state_->watch_offsets.end() ? std::vector<uint64_t>{}
                                           : it->second;
}

std::vector<std::string> FakeHead::cancelled() const {
  absl::MutexLock lock(&state_->mu);
  return state_->cancelled;
}

std::string FakeHead::last_authorization() const {
  absl::MutexLock lock(&state_->mu);
  return state_->last_authorization;
}

std::vector<v1::JobSpec> FakeHead::submitted() const {
  absl::MutexLock lock(&state_->mu);
  return state_->submitted;
}

bool FakeHead::WaitForWatch(const std::string& job_id,
                            absl::Duration timeout) const {
  absl::MutexLock lock(&state_->mu);
  auto open = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_->mu) {
    auto it = state_->open_watches.find(job_id);
    return it != state_->open_watches.end() && it->second > 0;
  };
  return state_->mu.AwaitWithTimeout(absl::Condition(&open), timeout);
}

}  // namespace wasmhpc::cli::testing
