// FakeHead: an in-process gRPC server on 127.0.0.1 standing in for
// wasmhpc-head in tests. It serves ModuleService, JobService and
// PoolService with canned behaviour, records what the clients did, and
// authorizes every call as the head does: GrpcAuthorizer over the head's
// method table (server/grpc/grpc_auth.h) with the token of FakeHeadOptions.
//
// For wasmhpc-cli (user calls):
//   Modules: Get answers NotFound until a module was uploaded (or added
//   with AddModule); Upload hashes the chunks and checks expected_digest.
//   List pages hold 2 entries, so a client must follow next_page_token.
//   Jobs behave by their first guest argument:
//     "succeed"  rank 0 writes "hello from rank 0\n" to stdout, then rank 1
//                "warning from rank 1\n" to stderr; SUCCEEDED.
//     "fail"     rank 0 writes "rank 0 ok\n"; FAILED on rank 1 with exit
//                code 3, reason "rank 1 exited with code 3".
//     "timeout"  writes "working\n"; TIMED_OUT, reason "exceeded its
//                timeout of 1s".
//     "hang"     writes "waiting\n" and stays RUNNING until cancelled;
//                then CANCELLED, reason "cancelled by user".
//     "flaky"    the first Watch sends "first\n" and then fails
//                UNAVAILABLE; the next sends the log from its log_offset
//                ("second\n" follows) and SUCCEEDED.
//     other      SUCCEEDED without output.
//   Submit answers NotFound for a digest it does not know. PoolService.List
//   shows one pool "pool-1" ("local", 5 ranks on node-a); Drain answers the
//   request back as pool-1's new state; ReportFailure answers a FAILED pool.
//
// For wasmhpc-worker (pool calls), one pool at a time: Attach answers the
// Hello with a Welcome (pool-1) and records every PoolMessage; the test
// sends assignments, cancels and detaches with Send() and waits for what
// the pool reports with the Await* calls (bounded waits on the recorded
// state, never sleeps). FetchModule serves the modules added with
// AddModule or uploaded, and counts the fetches; UploadCode records the
// code and, like the head, serves it from then on to pools of that engine
// fingerprint.
//
// Thread safety: all methods may be called from any thread.
#ifndef WASMHPC_TESTS_SUPPORT_FAKE_HEAD_H_
#define WASMHPC_TESTS_SUPPORT_FAKE_HEAD_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "cache-store/code_key.h"
#include "wasmhpc/v1/jobs.pb.h"
#include "wasmhpc/v1/pools.pb.h"

namespace grpc {
class Server;
}  // namespace grpc

namespace wasmhpc::testing {

struct FakeHeadState;

struct FakeHeadOptions {
  // When set, calls must carry "authorization: Bearer <token>" (the token
  // names a caller with role user); else the head's refusal. Default: ""
  // (authorization off: every call is the local caller). At least 16
  // characters, as in the head's token file.
  std::string required_token;
  // The port to listen on; 0: a free one.
  int port = 0;
};

class FakeHead {
 public:
  // Null (with a message on stderr) if the server cannot start.
  static std::unique_ptr<FakeHead> Start(FakeHeadOptions options = {});
  ~FakeHead();  // Stops the server; hanging watches and fetches end.

  int port() const;
  std::string address() const;  // "127.0.0.1:PORT"

  // The `authorization` metadata of the latest call of `method` (its full
  // name, "/wasmhpc.v1.PoolService/Attach"); "" if it had none or there was
  // no call.
  std::string Authorization(const std::string& method) const;

  // --- Modules ---

  // The deployment code key this head signs with (CodeKeyFile() holds it).
  static const CodeKey& TestCodeKey();
  // A file with TestCodeKey (mode 0600) for wasmhpc-worker --code-key.
  static std::string CodeKeyFile();

  // Stores `bytes` under `digest` as if uploaded (not counted as an
  // upload). FetchModule serves them, and `code` when asked for
  // `fingerprint`, signed with TestCodeKey unless `signature` is given.
  void AddModule(const std::string& digest, std::string bytes,
                 std::string code = "", std::string fingerprint = "",
                 std::optional<std::string> signature = std::nullopt);
  int module_uploads() const;  // completed ModuleService.Upload calls
  int upload_chunks() const;   // their chunk messages, all uploads
  int module_gets() const;     // ModuleService.Get calls

  // --- Jobs, as wasmhpc-cli drives them ---

  std::vector<v1::JobSpec> submitted() const;
  std::vector<uint64_t> watch_offsets(const std::string& job_id) const;
  std::vector<std::string> cancelled() const;  // ids, in order
  // Waits until a Watch of `job_id` is open; false after `timeout`.
  bool WaitForWatch(const std::string& job_id, absl::Duration timeout) const;

  // --- Pools, as wasmhpc-worker talks to the head ---

  // FetchModule calls for `digest` so far (counted as they begin).
  int fetches(const std::string& digest) const;
  // True once `count` FetchModule calls for `digest` have begun.
  bool AwaitFetches(const std::string& digest, int count,
                    absl::Duration timeout);
  // While held, FetchModule calls wait (up to 30 s) before answering.
  void HoldFetches(bool hold);

  // Code a pool uploaded for a module.
  struct CodeUpload {
    std::string fingerprint;
    std::string code;
    std::string signature;
    int chunks = 0;
    size_t largest_chunk = 0;
  };
  // The last UploadCode for `digest`, waiting up to `timeout` for one.
  std::optional<CodeUpload> AwaitCodeUpload(const std::string& digest,
                                            absl::Duration timeout);
  int code_uploads() const;  // UploadCode calls so far

  // The Hello of the attached pool, waiting up to `timeout` for one.
  std::optional<v1::PoolMessage::Hello> AwaitHello(absl::Duration timeout);
  // Sends to the attached pool. False if none is attached.
  bool Send(const v1::HeadMessage& message);

  // True once the pool reported JobStarted for `job_id`.
  bool AwaitStarted(const std::string& job_id, absl::Duration timeout);
  // True once the job's log holds `text`.
  bool AwaitLog(const std::string& job_id, const std::string& text,
                absl::Duration timeout);
  // The job's JobFinished, once reported.
  std::optional<v1::PoolMessage::JobFinished> AwaitFinished(
      const std::string& job_id, absl::Duration timeout);
  // Everything the job's ranks wrote, in arrival order.
  std::string Log(const std::string& job_id) const;
  // What job rank `rank` wrote to `stream` (v1::STDOUT / v1::STDERR).
  std::string RankLog(const std::string& job_id, int rank, int stream) const;
  // How many log chunks of the job were tagged with job rank `rank`.
  int LogChunks(const std::string& job_id, int rank) const;

  // The reason of the pool's first PoolMessage.Drain, waiting up to
  // `timeout` for one.
  std::optional<std::string> AwaitDrain(absl::Duration timeout);
  // PoolMessage.Drain messages received so far.
  int drains() const;

  // True once `count` Attach streams have ended.
  bool AwaitStreamsEnded(int count, absl::Duration timeout);
  // Attach streams opened so far.
  int attaches() const;

 private:
  FakeHead();

  std::unique_ptr<FakeHeadState> state_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace wasmhpc::testing

#endif  // WASMHPC_TESTS_SUPPORT_FAKE_HEAD_H_
