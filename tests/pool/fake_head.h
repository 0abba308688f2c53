// FakeHead: a PoolService gRPC server driven by a test, standing in for
// wasmhpc-head when testing wasmhpc-worker.
//
// It serves one pool at a time: Attach answers the Hello with a Welcome and
// records every PoolMessage; the test sends assignments, cancels and
// detaches with Send() and waits for what the pool reports with the Await*
// calls (bounded waits on the recorded state, never sleeps). FetchModule
// serves the modules added with AddModule and counts the fetches;
// UploadCode records the code and, like the head, serves it from then on
// to pools of that engine fingerprint.
//
// Thread safety: thread-safe.
#ifndef WASMHPC_TESTS_POOL_FAKE_HEAD_H_
#define WASMHPC_TESTS_POOL_FAKE_HEAD_H_

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "cache-store/code_key.h"
#include "wasmhpc/v1/pools.pb.h"

namespace wasmhpc::testing {

class FakeHead {
 public:
  // Listens on 127.0.0.1:`port` (0: a free port). Null (with a message on
  // stderr) if the server cannot start.
  static std::unique_ptr<FakeHead> Start(int port = 0);
  ~FakeHead();

  int port() const;

  // The deployment code key this head signs with (CodeKeyFile() holds it).
  static const CodeKey& TestCodeKey();
  // A file with TestCodeKey (mode 0600) for wasmhpc-worker --code-key.
  static std::string CodeKeyFile();

  // FetchModule serves `bytes` under `digest`, and `code` when asked for
  // `fingerprint`, signed with TestCodeKey unless `signature` is given.
  void AddModule(const std::string& digest, std::string bytes,
                 std::string code = "", std::string fingerprint = "",
                 std::optional<std::string> signature = std::nullopt);
  // FetchModule calls for `digest` so far (counted as they begin).
  int fetches(const std::string& digest) const;
  // True once `count` FetchModule calls for `digest` have begun.
  bool AwaitFetches(const std::string& digest, int count,
                    absl::Duration timeout);
  // While held, FetchModule calls wait (up to 30 s) before answering.
  void HoldFetches(bool hold);

  // Code a pool uploaded for a module.
  struct Upload {
    std::string fingerprint;
    std::string code;
    std::string signature;
    int chunks = 0;
    size_t largest_chunk = 0;
  };
  // The last UploadCode for `digest`, waiting up to `timeout` for one.
  std::optional<Upload> AwaitUpload(const std::string& digest,
                                    absl::Duration timeout);
  // UploadCode calls so far.
  int uploads() const;

  // The `authorization` metadata of the latest call of `method` ("Attach",
  // "FetchModule", "UploadCode"); "" if it had none.
  std::string Authorization(const std::string& method) const;

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

  struct State;

 private:
  FakeHead() = default;
  std::unique_ptr<State> state_;
};

}  // namespace wasmhpc::testing

#endif  // WASMHPC_TESTS_POOL_FAKE_HEAD_H_
