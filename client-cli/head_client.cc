#include "client-cli/head_client.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "proto/grpc_status.h"
#include "wasmhpc/v1/jobs.grpc.pb.h"
#include "wasmhpc/v1/modules.grpc.pb.h"
#include "wasmhpc/v1/pools.grpc.pb.h"

namespace wasmhpc::cli {
namespace {

void AddToken(const std::string& token, grpc::ClientContext& context) {
  if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
}

// Watch events, read ahead on a thread into a bounded queue.
class GrpcJobEventStream final : public JobEventStream {
 public:
  GrpcJobEventStream(v1::JobService::Stub& stub,
                     const v1::WatchJobRequest& request,
                     const std::string& token) {
    AddToken(token, context_);
    reader_ = stub.Watch(&context_, request);
    thread_ = std::thread([this] { ReadLoop(); });
  }

  ~GrpcJobEventStream() override {
    context_.TryCancel();  // A blocked Read returns false.
    {
      absl::MutexLock lock(&mu_);
      closing_ = true;
    }
    thread_.join();
  }

  Step Next(absl::Duration max_wait, v1::JobEvent* event) override {
    absl::MutexLock lock(&mu_);
    auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !queue_.empty() || ended_;
    };
    mu_.AwaitWithTimeout(absl::Condition(&ready), max_wait);
    if (!queue_.empty()) {
      *event = std::move(queue_.front());
      queue_.pop_front();
      return Step::kEvent;
    }
    return ended_ ? Step::kEnd : Step::kIdle;
  }

  absl::Status status() const override {
    absl::MutexLock lock(&mu_);
    return status_;
  }

 private:
  // Events buffered ahead of the reader (a slow stdout slows the stream).
  static constexpr size_t kMaxQueued = 256;

  void ReadLoop() {
    v1::JobEvent event;
    bool read_all = false;
    while (true) {
      {
        absl::MutexLock lock(&mu_);
        auto room = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
          return queue_.size() < kMaxQueued || closing_;
        };
        mu_.Await(absl::Condition(&room));
        if (closing_) break;
      }
      if (!reader_->Read(&event)) {
        read_all = true;
        break;
      }
      absl::MutexLock lock(&mu_);
      queue_.push_back(std::move(event));
    }
    // After TryCancel the remaining reads fail at once; Finish needs them done.
    while (!read_all && reader_->Read(&event)) {
    }
    absl::Status status = ToAbslStatus(reader_->Finish());
    absl::MutexLock lock(&mu_);
    status_ = std::move(status);
    ended_ = true;
  }

  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<v1::JobEvent>> reader_;
  std::thread thread_;
  mutable absl::Mutex mu_;
  std::deque<v1::JobEvent> queue_ ABSL_GUARDED_BY(mu_);
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
  bool closing_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status status_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

struct HeadClient::Stubs {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::ModuleService::Stub> modules;
  std::unique_ptr<v1::JobService::Stub> jobs;
  std::unique_ptr<v1::PoolService::Stub> pools;
};

namespace {

// A context for a unary call: token and deadline.
std::unique_ptr<grpc::ClientContext> UnaryContext(
    const HeadClientOptions& options) {
  auto context = std::make_unique<grpc::ClientContext>();
  AddToken(options.token, *context);
  context->set_deadline(std::chrono::system_clock::now() +
                        absl::ToChronoMilliseconds(options.call_timeout));
  return context;
}

// One unary call: `call(context, &response)` under UnaryContext.
template <typename Response, typename Call>
absl::StatusOr<Response> Unary(const HeadClientOptions& options, Call call) {
  Response response;
  auto context = UnaryContext(options);
  absl::Status status = ToAbslStatus(call(context.get(), &response));
  if (!status.ok()) return status;
  return response;
}

}  // namespace

HeadClient::HeadClient(HeadClientOptions options)
    : options_(std::move(options)), stubs_(std::make_unique<Stubs>()) {
  stubs_->channel =
      grpc::CreateChannel(options_.server, ChannelCredentials(options_.tls));
  stubs_->modules = v1::ModuleService::NewStub(stubs_->channel);
  stubs_->jobs = v1::JobService::NewStub(stubs_->channel);
  stubs_->pools = v1::PoolService::NewStub(stubs_->channel);
}

HeadClient::~HeadClient() = default;

absl::StatusOr<v1::Module> HeadClient::GetModule(const std::string& digest) {
  v1::GetModuleRequest request;
  request.set_digest(digest);
  return Unary<v1::Module>(options_, [&](auto* context, auto* response) {
    return stubs_->modules->Get(context, request, response);
  });
}

absl::StatusOr<v1::UploadModuleResponse> HeadClient::UploadModule(
    const v1::UploadModuleRequest::Header& header, absl::string_view bytes,
    const UploadProgress& progress) {
  grpc::ClientContext context;  // No deadline: big modules take a while.
  AddToken(options_.token, context);
  v1::UploadModuleResponse response;
  std::unique_ptr<grpc::ClientWriter<v1::UploadModuleRequest>> writer =
      stubs_->modules->Upload(&context, &response);
  v1::UploadModuleRequest message;
  *message.mutable_header() = header;
  bool open = writer->Write(message);
  const size_t step = std::max<size_t>(options_.upload_chunk_bytes, 1);
  for (size_t sent = 0; open && sent < bytes.size();) {
    size_t n = std::min(step, bytes.size() - sent);
    message.set_chunk(bytes.data() + sent, n);
    open = writer->Write(message);
    sent += n;
    if (open && progress) progress(sent, bytes.size());
  }
  // A failed Write means the head ended the call; Finish says why.
  if (open) writer->WritesDone();
  absl::Status status = ToAbslStatus(writer->Finish());
  if (!status.ok()) return status;
  return response;
}

absl::StatusOr<v1::ListModulesResponse> HeadClient::ListModules() {
  v1::ListModulesResponse all;
  v1::ListModulesRequest request;
  do {
    v1::ListModulesResponse page;
    auto context = UnaryContext(options_);
    absl::Status status =
        ToAbslStatus(stubs_->modules->List(context.get(), request, &page));
    if (!status.ok()) return status;
    for (v1::Module& module : *page.mutable_modules()) {
      *all.add_modules() = std::move(module);
    }
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  return all;
}

absl::Status HeadClient::DeleteModule(const std::string& digest) {
  v1::DeleteModuleRequest request;
  request.set_digest(digest);
  v1::DeleteModuleResponse response;
  auto context = UnaryContext(options_);
  return ToAbslStatus(
      stubs_->modules->Delete(context.get(), request, &response));
}

absl::StatusOr<v1::Job> HeadClient::SubmitJob(
    const v1::SubmitJobRequest& request) {
  return Unary<v1::Job>(options_, [&](auto* context, auto* response) {
    return stubs_->jobs->Submit(context, request, response);
  });
}

absl::StatusOr<v1::Job> HeadClient::GetJob(const std::string& id) {
  v1::GetJobRequest request;
  request.set_id(id);
  return Unary<v1::Job>(options_, [&](auto* context, auto* response) {
    return stubs_->jobs->Get(context, request, response);
  });
}

absl::StatusOr<v1::ListJobsResponse> HeadClient::ListJobs(
    const v1::ListJobsRequest& filter, int limit) {
  constexpr int kMaxPage = 1000;  // The head's largest page.
  v1::ListJobsResponse all;
  v1::ListJobsRequest request = filter;
  request.clear_page_token();
  do {
    if (limit > 0) {
      request.set_page_size(std::min(limit - all.jobs_size(), kMaxPage));
    }
    v1::ListJobsResponse page;
    auto context = UnaryContext(options_);
    absl::Status status =
        ToAbslStatus(stubs_->jobs->List(context.get(), request, &page));
    if (!status.ok()) return status;
    for (v1::Job& job : *page.mutable_jobs()) *all.add_jobs() = std::move(job);
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty() &&
           (limit == 0 || all.jobs_size() < limit));
  return all;
}

absl::StatusOr<v1::Job> HeadClient::CancelJob(const std::string& id,
                                              bool array) {
  v1::CancelJobRequest request;
  request.set_id(id);
  request.set_array(array);
  return Unary<v1::Job>(options_, [&](auto* context, auto* response) {
    return stubs_->jobs->Cancel(context, request, response);
  });
}

absl::StatusOr<v1::PruneJobsResponse> HeadClient::PruneJobs(
    const v1::PruneJobsRequest& request) {
  return Unary<v1::PruneJobsResponse>(
      options_, [&](auto* context, auto* response) {
        return stubs_->jobs->Prune(context, request, response);
      });
}

std::unique_ptr<JobEventStream> HeadClient::WatchJob(
    const v1::WatchJobRequest& request) {
  return std::make_unique<GrpcJobEventStream>(*stubs_->jobs, request,
                                              options_.token);
}

absl::StatusOr<v1::ListPoolsResponse> HeadClient::ListPools() {
  v1::ListPoolsRequest request;
  return Unary<v1::ListPoolsResponse>(
      options_, [&](auto* context, auto* response) {
        return stubs_->pools->List(context, request, response);
      });
}

absl::StatusOr<v1::Pool> HeadClient::DrainPool(
    const v1::DrainPoolRequest& request) {
  return Unary<v1::Pool>(options_, [&](auto* context, auto* response) {
    return stubs_->pools->Drain(context, request, response);
  });
}

absl::StatusOr<v1::Pool> HeadClient::ResumePool(const std::string& id) {
  v1::ResumePoolRequest request;
  request.set_pool_id(id);
  return Unary<v1::Pool>(options_, [&](auto* context, auto* response) {
    return stubs_->pools->Resume(context, request, response);
  });
}

absl::StatusOr<v1::Pool> HeadClient::ReportPoolFailure(
    const v1::ReportPoolFailureRequest& request) {
  return Unary<v1::Pool>(options_, [&](auto* context, auto* response) {
    return stubs_->pools->ReportFailure(context, request, response);
  });
}

}  // namespace wasmhpc::cli
