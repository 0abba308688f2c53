// HeadClient: wasmhpc-cli's door to the head, one method per call of the
// wasmhpc.v1 ModuleService, JobService and PoolService. No gRPC type
// appears here; failures are absl::Status values with the gRPC code and
// message unchanged (the conversion lives in head_client.cc only).
//
// Thread safety: all HeadClient methods may be called from any thread at
// once (the Ctrl-C handler cancels while the main thread watches). A
// JobEventStream is read by one thread.
#ifndef WASMHPC_CLIENT_CLI_HEAD_CLIENT_H_
#define WASMHPC_CLIENT_CLI_HEAD_CLIENT_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "proto/grpc_tls.h"
#include "wasmhpc/v1/jobs.pb.h"
#include "wasmhpc/v1/modules.pb.h"
#include "wasmhpc/v1/pools.pb.h"

namespace wasmhpc::cli {

// The events of one JobService.Watch call, read ahead by a background
// thread so that a reader can wait with a time limit.
class JobEventStream {
 public:
  enum class Step {
    kEvent,  // *event is set.
    kIdle,   // Nothing arrived within max_wait; call again.
    kEnd,    // The stream is over; status() says how.
  };

  virtual ~JobEventStream() = default;

  // The next event, waiting up to `max_wait` for one.
  virtual Step Next(absl::Duration max_wait, v1::JobEvent* event) = 0;

  // After kEnd: OK when the head closed the stream normally, else the
  // call's status (Unavailable when the connection broke).
  virtual absl::Status status() const = 0;
};

struct HeadClientOptions {
  // "HOST:PORT" of the head's gRPC service. REQUIRED.
  std::string server;
  // Sent as "authorization: Bearer <token>" on every call. Default: "" (no
  // authorization metadata).
  std::string token;
  // TLS (LoadClientTls). Default: plaintext.
  ClientTls tls;
  // Deadline of each unary call. Default: 30 s.
  absl::Duration call_timeout = absl::Seconds(30);
  // Bytes per Upload message. Default: 1 MiB.
  size_t upload_chunk_bytes = 1 << 20;
};

// Progress of an upload: bytes sent so far of `total`.
using UploadProgress = std::function<void(uint64_t sent, uint64_t total)>;

class HeadClient {
 public:
  // Creates the channel; nothing connects until the first call.
  explicit HeadClient(HeadClientOptions options);
  ~HeadClient();
  HeadClient(const HeadClient&) = delete;
  HeadClient& operator=(const HeadClient&) = delete;

  const std::string& server() const { return options_.server; }

  // ModuleService. GetModule: NotFound when the head lacks the digest.
  absl::StatusOr<v1::Module> GetModule(const std::string& digest);
  // Streams `header`, then `bytes` in upload_chunk_bytes pieces, calling
  // `progress` (if set) after each piece.
  absl::StatusOr<v1::UploadModuleResponse> UploadModule(
      const v1::UploadModuleRequest::Header& header, absl::string_view bytes,
      const UploadProgress& progress);
  // Every page, merged (next_page_token empty).
  absl::StatusOr<v1::ListModulesResponse> ListModules();
  absl::Status DeleteModule(const std::string& digest);

  // JobService.
  absl::StatusOr<v1::Job> SubmitJob(const v1::SubmitJobRequest& request);
  absl::StatusOr<v1::Job> GetJob(const std::string& id);
  // The jobs `filter` selects (its page fields are ignored), every page
  // merged, at most `limit` of them (0: all).
  absl::StatusOr<v1::ListJobsResponse> ListJobs(
      const v1::ListJobsRequest& filter, int limit = 0);
  // With `array`, every task of the job array `id` belongs to.
  absl::StatusOr<v1::Job> CancelJob(const std::string& id, bool array = false);
  absl::StatusOr<v1::PruneJobsResponse> PruneJobs(
      const v1::PruneJobsRequest& request);
  // Starts a Watch call (no deadline). Errors, such as NotFound for an
  // unknown job, come from the stream as its status.
  std::unique_ptr<JobEventStream> WatchJob(const v1::WatchJobRequest& request);

  // PoolService.
  absl::StatusOr<v1::ListPoolsResponse> ListPools();
  absl::StatusOr<v1::Pool> DrainPool(const v1::DrainPoolRequest& request);
  absl::StatusOr<v1::Pool> ResumePool(const std::string& id);
  absl::StatusOr<v1::Pool> ReportPoolFailure(
      const v1::ReportPoolFailureRequest& request);

 private:
  struct Stubs;  // The channel and the generated stubs.

  const HeadClientOptions options_;
  std::unique_ptr<Stubs> stubs_;
};

}  // namespace wasmhpc::cli

#endif  // WASMHPC_CLIENT_CLI_HEAD_CLIENT_H_
