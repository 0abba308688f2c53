// FakeHead's ModuleService and JobService (fake_head.h).
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cache-store/module_digest.h"
#include "tests/support/fake_head_state.h"
#include "wasmhpc/v1/jobs.grpc.pb.h"
#include "wasmhpc/v1/modules.grpc.pb.h"

namespace wasmhpc::testing {
namespace {

constexpr int kPageSize = 2;

grpc::Status NotFound(const std::string& what) {
  return grpc::Status(grpc::StatusCode::NOT_FOUND, "no " + what);
}

// The page of `items` that `page_token` names, and the next page's token.
template <typename T, typename Add>
void Page(const std::vector<const T*>& items, const std::string& page_token,
          Add add, std::string* next_page_token) {
  int start = 0;
  if (!page_token.empty()) (void)absl::SimpleAtoi(page_token, &start);
  for (int i = start;
       i < static_cast<int>(items.size()) && i < start + kPageSize; ++i) {
    add(*items[i]);
  }
  if (start + kPageSize < static_cast<int>(items.size())) {
    *next_page_token = absl::StrCat(start + kPageSize);
  }
}

class FakeModuleService final : public v1::ModuleService::Service {
 public:
  explicit FakeModuleService(FakeHeadState* state) : state_(*state) {}

  grpc::Status Get(grpc::ServerContext* context,
                   const v1::GetModuleRequest* request,
                   v1::Module* response) override {
    if (auto s = state_.Admit(context, "/wasmhpc.v1.ModuleService/Get");
        !s.ok())
      return s;
    absl::MutexLock lock(&state_.mu);
    ++state_.module_gets;
    auto it = state_.modules.find(request->digest());
    if (it == state_.modules.end()) {
      return NotFound("module " + request->digest());
    }
    *response = it->second.record;
    return grpc::Status::OK;
  }

  grpc::Status Upload(grpc::ServerContext* context,
                      grpc::ServerReader<v1::UploadModuleRequest>* reader,
                      v1::UploadModuleResponse* response) override {
    if (auto s = state_.Admit(context, "/wasmhpc.v1.ModuleService/Upload");
        !s.ok())
      return s;
    v1::UploadModuleRequest message;
    v1::UploadModuleRequest::Header header;
    DigestBuilder digest;
    FakeHeadState::Module module;
    int chunks = 0;
    while (reader->Read(&message)) {
      if (message.has_header()) {
        header = message.header();
      } else {
        digest.Update(message.chunk());
        module.bytes += message.chunk();
        ++chunks;
      }
    }
    v1::Module& record = module.record;
    record.set_size_bytes(digest.size());
    record.set_digest(digest.Finish());
    record.set_name(header.name());
    *record.mutable_uploaded() = FakeHeadNow();
    if (!header.expected_digest().empty() &&
        header.expected_digest() != record.digest()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "bytes do not match expected_digest");
    }
    absl::MutexLock lock(&state_.mu);
    ++state_.module_uploads;
    state_.upload_chunks += chunks;
    response->set_already_present(state_.modules.contains(record.digest()));
    *response->mutable_module() = record;
    state_.modules[record.digest()] = std::move(module);
    return grpc::Status::OK;
  }

  grpc::Status List(grpc::ServerContext* context,
                    const v1::ListModulesRequest* request,
                    v1::ListModulesResponse* response) override {
    if (auto s = state_.Admit(context, "/wasmhpc.v1.ModuleService/List");
        !s.ok())
      return s;
    absl::MutexLock lock(&state_.mu);
    std::vector<const v1::Module*> all;
    for (const auto& [digest, module] : state_.modules) {
      all.push_back(&module.record);
    }
    Page(
        all, request->page_token(),
        [&](const v1::Module& m) { *response->add_modules() = m; },
        response->mutable_next_page_token());
    return grpc::Status::OK;
  }

  grpc::Status Delete(grpc::ServerContext* context,
                      const v1::DeleteModuleRequest* request,
                      v1::DeleteModuleResponse*) override {
    if (auto s = state_.Admit(context, "/wasmhpc.v1.ModuleService/Delete");
        !s.ok())
      return s;
    absl::MutexLock lock(&state_.mu);
    if (state_.modules.erase(request->digest()) == 0) {
      return NotFound("module " + request->digest());
    }
    return grpc::Status::OK;
  }

 private:
  FakeHeadState& state_;
};

// Builds the canned run of a new job (see fake_head.h).
void Script(FakeHeadState::ScriptedJob& job) {
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

class FakeJobService final : public v1::JobService::Service {
 public:
  explicit FakeJobService(FakeHeadState* state) : state_(*state) {}

  grpc::Status Submit(grpc::ServerContext* context,
                      const v1::SubmitJobRequest* request,
                      v1::Job* response) override {
    if (auto s = state_.Admit(context, "/wasmhpc.v1.JobService/Submit");
        !s.ok())
      return s;
    absl::MutexLock lock(&state_.mu);
    const v1::JobSpec& spec = request->spec();
    state_.submitted.push_back(spec);
    if (!state_.modules.contains(spec.module_digest())) {
      return NotFound("module " + spec.module_digest());
    }
    FakeHeadState::ScriptedJob job;
    job.behaviour = spec.args_size() > 0 ? spec.args(0) : "";
    job.job.set_id(absl::StrFormat("job-%04d", state_.next_job++));
    *job.job.mutable_spec() = spec;
    *job.job.mutable_submitted() = FakeHeadNow();
    job.job.set_pool_id("pool-1");
    job.running = job.job;
    job.running.set_state(v1::RUNNING);
    *response = job.job;
    response->set_state(v1::QUEUED);
    Script(job);
    state_.jobs[job.job.id()] = std::move(job);
    return grpc::Status::OK;
  }

  grpc::Status Get(grpc::ServerContext* context,
                   const v1::GetJobRequest* request,
                   v1::Job* response) override {
    if (auto s = state_.Admit(context, "/wasmhpc.v1.JobService/Get"); !s.ok())
      return s;
    absl::MutexLock lock(&state_.mu);
    auto it = state_.jobs.find(request->id());
    if (it == state_.jobs.end()) return NotFound("job " + request->id());
    *response = it->second.job;
    return grpc::Status::OK;
  }

  grpc::Status List(grpc::ServerContext* context,
                    const v1::ListJobsRequest* request,
                    v1::ListJobsResponse* response) override {
    if (auto s = state_.Admit(context, "/wasmhpc.v1.JobService/List"); !s.ok())
      return s;
    absl::MutexLock lock(&state_.mu);
    std::vector<const v1::Job*> matching;
    for (const auto& [id, job] : state_.jobs) {
      bool wanted = request->states().empty();
      for (int state : request->states()) wanted |= job.job.state() == state;
      if (wanted) matching.push_back(&job.job);
    }
    Page(
        matching, request->page_token(),
        [&](const v1::Job& job) { *response->add_jobs() = job; },
        response->mutable_next_page_token());
    return grpc::Status::OK;
  }

  grpc::Status Cancel(grpc::ServerContext* context,
                      const v1::CancelJobRequest* request,
                      v1::Job* response) override {
    if (auto s = state_.Admit(context, "/wasmhpc.v1.JobService/Cancel");
        !s.ok())
      return s;
    absl::MutexLock lock(&state_.mu);
    auto it = state_.jobs.find(request->id());
    if (it == state_.jobs.end()) return NotFound("job " + request->id());
    state_.cancelled.push_back(request->id());
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
    if (auto s = state_.Admit(context, "/wasmhpc.v1.JobService/Watch"); !s.ok())
      return s;
    FakeHeadState::ScriptedJob job;
    int attempt = 0;
    {
      absl::MutexLock lock(&state_.mu);
      auto it = state_.jobs.find(request->id());
      if (it == state_.jobs.end()) return NotFound("job " + request->id());
      attempt = ++it->second.watches;
      state_.watch_offsets[request->id()].push_back(request->log_offset());
      ++state_.open_watches[request->id()];
      job = it->second;
    }
    grpc::Status status = Stream(context, *request, job, attempt, *writer);
    absl::MutexLock lock(&state_.mu);
    --state_.open_watches[request->id()];
    return status;
  }

 private:
  grpc::Status Stream(grpc::ServerContext* context,
                      const v1::WatchJobRequest& request,
                      const FakeHeadState::ScriptedJob& job, int attempt,
                      grpc::ServerWriter<v1::JobEvent>& writer) {
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
      absl::MutexLock lock(&state_.mu);
      const v1::Job& stored = state_.jobs[request.id()].job;
      auto ended = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(state_.mu) {
        return stored.state() != v1::RUNNING || state_.shutting_down ||
               context->IsCancelled();
      };
      while (!state_.mu.AwaitWithTimeout(absl::Condition(&ended),
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

  FakeHeadState& state_;
};

}  // namespace

std::unique_ptr<grpc::Service> NewFakeModuleService(FakeHeadState* state) {
  return std::make_unique<FakeModuleService>(state);
}

std::unique_ptr<grpc::Service> NewFakeJobService(FakeHeadState* state) {
  return std::make_unique<FakeJobService>(state);
}

}  // namespace wasmhpc::testing
