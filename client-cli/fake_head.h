// FakeHead: an in-process gRPC server on 127.0.0.1 (a free port) with
// canned ModuleService, JobService and PoolService behaviour, for
// wasmhpc-cli's end-to-end tests. It records what the CLI did (uploads,
// watches, cancels, authorization) for the tests to check.
//
// Modules: Get answers NotFound until a module was uploaded (or added with
// AddModule); Upload hashes the chunks and checks expected_digest. List
// pages hold 2 entries, so the CLI must follow next_page_token.
//
// Jobs behave by their first guest argument:
//   "succeed"  rank 0 writes "hello from rank 0\n" to stdout, then rank 1
//              "warning from rank 1\n" to stderr; SUCCEEDED.
//   "fail"     rank 0 writes "rank 0 ok\n"; FAILED on rank 1 with exit
//              code 3, reason "rank 1 exited with code 3".
//   "timeout"  writes "working\n"; TIMED_OUT, reason "exceeded its
//              timeout of 1s".
//   "hang"     writes "waiting\n" and stays RUNNING until cancelled;
//              then CANCELLED, reason "cancelled by user".
//   "flaky"    the first Watch sends "first\n" and then fails UNAVAILABLE;
//              the next sends the log from its log_offset ("second\n"
//              follows) and SUCCEEDED.
//   other      SUCCEEDED without output.
// Submit answers NotFound for a digest it does not know.
//
// Thread safety: all methods may be called from any thread.
#ifndef WASMHPC_CLIENT_CLI_FAKE_HEAD_H_
#define WASMHPC_CLIENT_CLI_FAKE_HEAD_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "wasmhpc/v1/jobs.pb.h"
#include "wasmhpc/v1/modules.pb.h"

namespace wasmhpc::cli::testing {

struct FakeHeadOptions {
  // When set, every call must carry "authorization: Bearer <token>", else
  // it fails UNAUTHENTICATED. Default: "" (no check).
  std::string required_token;
};

class FakeHead {
 public:
  explicit FakeHead(FakeHeadOptions options = {});
  ~FakeHead();  // Stops the server; hanging watches end.

  // "127.0.0.1:PORT".
  std::string address() const;

  // Stores a module as if uploaded (does not count as an upload).
  void AddModule(const std::string& digest, const std::string& name);

  // What the CLI did so far.
  int uploads() const;        // completed Upload calls
  int upload_chunks() const;  // chunk messages, all uploads
  int module_gets() const;    // ModuleService.Get calls
  std::vector<uint64_t> watch_offsets(const std::string& job_id) const;
  std::vector<std::string> cancelled() const;  // ids, in order
  std::string last_authorization() const;
  std::vector<v1::JobSpec> submitted() const;

  // Waits until a Watch of `job_id` is open; false after `timeout`.
  bool WaitForWatch(const std::string& job_id, absl::Duration timeout) const;

 private:
  struct State;
  class Services;

  std::shared_ptr<State> state_;
  std::unique_ptr<Services> services_;
};

}  // namespace wasmhpc::cli::testing

#endif  // WASMHPC_CLIENT_CLI_FAKE_HEAD_H_
