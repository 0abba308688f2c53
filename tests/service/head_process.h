// Test helpers for end-to-end tests of wasmhpc-head: the real binary in a
// child process, and a fake worker pool that speaks PoolService.Attach over
// gRPC like a pool's rank 0 does.
#ifndef WASMHPC_TESTS_SERVICE_HEAD_PROCESS_H_
#define WASMHPC_TESTS_SERVICE_HEAD_PROCESS_H_

#include <grpcpp/grpcpp.h>
#include <sys/types.h>

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "wasmhpc/v1/jobs.grpc.pb.h"
#include "wasmhpc/v1/modules.grpc.pb.h"
#include "wasmhpc/v1/pools.grpc.pb.h"

namespace wasmhpc::testing {

// wasmhpc-head running as a child process.
class HeadProcess {
 public:
  // Starts `binary --grpc-port 0 --rest-port 0 --data-dir DATA_DIR ARGS...`
  // and waits (up to 30 s) for its stdout lines "wasmhpc-head: listening on
  // 127.0.0.1:PORT" and "wasmhpc-head: REST on 127.0.0.1:PORT" (the second
  // not when ARGS turn REST off). Errors name what went wrong, with the exit
  // status.
  static absl::StatusOr<std::unique_ptr<HeadProcess>> Start(
      const std::string& binary, const std::string& data_dir,
      const std::vector<std::string>& args = {});
  // SIGKILLs the process if it still runs.
  ~HeadProcess();

  const std::string& address() const { return address_; }
  // The REST server's "127.0.0.1:PORT"; empty when REST is off.
  const std::string& rest_address() const { return rest_address_; }
  pid_t pid() const { return pid_; }

  // Sends `signal` and waits for the exit; returns the wait status.
  int Stop(int signal);

  // A channel to the head, connected (waits up to 10 s).
  std::shared_ptr<grpc::Channel> Connect() const;

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string address_;
  std::string rest_address_;
};

// Adds `authorization: Bearer <token>` to a call when the token is set.
void Authorize(grpc::ClientContext* context, const std::string& token);

// A worker pool over a real Attach stream: a reader thread queues what the
// head sends; the test sends pool messages and waits for head messages.
class GrpcFakePool {
 public:
  explicit GrpcFakePool(std::shared_ptr<grpc::Channel> channel,
                        std::string token = "");
  ~GrpcFakePool();

  // Sends Hello for a world of `world_size` ranks and waits for Welcome.
  // Returns the pool id.
  absl::StatusOr<std::string> Attach(int world_size,
                                     const std::string& fingerprint = "fake");

  // The next message from the head, waiting up to `timeout`; nullopt on
  // timeout or when the stream ended.
  std::optional<v1::HeadMessage> Next(
      absl::Duration timeout = absl::Seconds(10));

  bool Send(const v1::PoolMessage& message);
  void Started(const std::string& job_id);
  void Log(const std::string& job_id, int rank, const std::string& data);
  void Succeeded(const std::string& job_id, int ranks);

  // Breaks the stream as a dying pool would (the call is cancelled).
  void Lose();

  // The stream's final status (after Lose or the head ending it).
  grpc::Status Finish();

 private:
  void ReadLoop();

  std::unique_ptr<v1::PoolService::Stub> stub_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReaderWriter<v1::PoolMessage, v1::HeadMessage>>
      stream_;
  std::thread reader_;
  absl::Mutex mu_;
  std::deque<v1::HeadMessage> inbox_ ABSL_GUARDED_BY(mu_);
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<grpc::Status> status_;
};

}  // namespace wasmhpc::testing

#endif  // WASMHPC_TESTS_SERVICE_HEAD_PROCESS_H_
