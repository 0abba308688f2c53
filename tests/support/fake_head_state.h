// FakeHeadState: what FakeHead's services share (fake_head.h); internal to
// the fake head's files.
#ifndef WASMHPC_TESTS_SUPPORT_FAKE_HEAD_STATE_H_
#define WASMHPC_TESTS_SUPPORT_FAKE_HEAD_STATE_H_

#include <grpcpp/grpcpp.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/auth/token_auth.h"
#include "server/grpc/grpc_auth.h"
#include "tests/support/fake_head.h"
#include "wasmhpc/v1/jobs.pb.h"
#include "wasmhpc/v1/modules.pb.h"
#include "wasmhpc/v1/pools.grpc.pb.h"

namespace wasmhpc::testing {

using AttachStream = grpc::ServerReaderWriter<v1::HeadMessage, v1::PoolMessage>;

// The current time as a protobuf Timestamp.
google::protobuf::Timestamp FakeHeadNow();

struct FakeHeadState {
  // A module as uploaded or added: its record and what FetchModule serves.
  struct Module {
    v1::Module record;
    std::string bytes, code, fingerprint, signature;
  };
  // A job submitted through JobService: its canned run.
  struct ScriptedJob {
    v1::Job job;      // As Get/List report it.
    v1::Job running;  // What Watch sends first.
    std::vector<v1::LogChunk> log;
    std::string behaviour;  // spec.args(0)
    int watches = 0;
  };
  // A job as the attached pool reported it.
  struct ReportedJob {
    bool started = false;
    std::string log;
    std::map<int, int> chunks_by_rank;
    std::map<std::pair<int, int>, std::string> by_rank_and_stream;
    std::optional<v1::PoolMessage::JobFinished> finished;
  };

  explicit FakeHeadState(server::TokenAuth token_auth)
      : auth(std::move(token_auth)), authorizer(&auth) {}

  // Records the call's authorization metadata under `method` (its full
  // name) and answers the authorizer's decision: OK or its refusal.
  grpc::Status Admit(grpc::ServerContext* context, const std::string& method);

  // Waits until `ready` holds (under mu), up to `timeout`.
  bool Await(const std::function<bool()>& ready, absl::Duration timeout) {
    absl::MutexLock lock(&mu);
    return mu.AwaitWithTimeout(absl::Condition(&ready), timeout);
  }

  const server::TokenAuth auth;
  server::GrpcAuthorizer authorizer;
  std::vector<std::unique_ptr<grpc::Service>> services;

  mutable absl::Mutex mu;
  bool shutting_down ABSL_GUARDED_BY(mu) = false;
  std::map<std::string, std::string> authorization ABSL_GUARDED_BY(mu);

  // Modules.
  std::map<std::string, Module> modules ABSL_GUARDED_BY(mu);
  int module_uploads ABSL_GUARDED_BY(mu) = 0;
  int upload_chunks ABSL_GUARDED_BY(mu) = 0;
  int module_gets ABSL_GUARDED_BY(mu) = 0;

  // Jobs.
  std::map<std::string, ScriptedJob> jobs ABSL_GUARDED_BY(mu);  // In order.
  int next_job ABSL_GUARDED_BY(mu) = 1;
  std::map<std::string, std::vector<uint64_t>> watch_offsets
      ABSL_GUARDED_BY(mu);
  std::map<std::string, int> open_watches ABSL_GUARDED_BY(mu);
  std::vector<std::string> cancelled ABSL_GUARDED_BY(mu);
  std::vector<v1::JobSpec> submitted ABSL_GUARDED_BY(mu);

  // Pools. The canned pool-1 attached when the fake head started (so two
  // listings agree).
  const google::protobuf::Timestamp pool_attached = FakeHeadNow();
  std::optional<v1::PoolMessage::Hello> hello ABSL_GUARDED_BY(mu);
  std::map<std::string, ReportedJob> reported ABSL_GUARDED_BY(mu);
  std::map<std::string, int> fetches ABSL_GUARDED_BY(mu);
  int attaches ABSL_GUARDED_BY(mu) = 0;
  bool hold_fetches ABSL_GUARDED_BY(mu) = false;
  int ended ABSL_GUARDED_BY(mu) = 0;
  std::vector<std::string> drains ABSL_GUARDED_BY(mu);
  std::map<std::string, FakeHead::CodeUpload> code_uploads ABSL_GUARDED_BY(mu);
  int code_upload_calls ABSL_GUARDED_BY(mu) = 0;

  // The attached pool's stream; writes are serialized by write_mu.
  absl::Mutex write_mu;
  AttachStream* stream ABSL_GUARDED_BY(write_mu) = nullptr;
};

// The services, each serving from `state` (which outlives them).
std::unique_ptr<grpc::Service> NewFakeModuleService(FakeHeadState* state);
std::unique_ptr<grpc::Service> NewFakeJobService(FakeHeadState* state);
std::unique_ptr<grpc::Service> NewFakePoolService(FakeHeadState* state);

}  // namespace wasmhpc::testing

#endif  // WASMHPC_TESTS_SUPPORT_FAKE_HEAD_STATE_H_
