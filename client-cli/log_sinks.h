// FollowSinks of wasmhpc-cli: how a followed job reaches the terminal.
//
//   TextFollowSink  each rank's bytes to stdout/stderr as it wrote them
//                   (raw, like mpirun; "[rank N] " per line with
//                   --tag-output)
//   MessageFollowSink  one wasmhpc.v1.JobEvent per line (JSON) or per
//                   document (YAML, "---" before each), for scripts
//
// Both flush after every event, so output appears as the ranks write it.
// Thread safety: used by the following thread only.
#ifndef WASMHPC_CLIENT_CLI_LOG_SINKS_H_
#define WASMHPC_CLIENT_CLI_LOG_SINKS_H_

#include <cstdio>
#include <string>

#include "client-cli/job_follower.h"
#include "client-cli/output_format.h"

namespace wasmhpc::cli {

// Prints the one "reconnecting" line per outage that both sinks share.
class ReconnectNotice {
 public:
  ReconnectNotice(FILE* err, std::string server)
      : err_(err), server_(std::move(server)) {}
  void Broke(const absl::Status& why);
  void Healed() { broken_ = false; }

 private:
  FILE* const err_;
  const std::string server_;
  bool broken_ = false;
};

class TextFollowSink : public FollowSink {
 public:
  // `out`, `err`: where STDOUT and STDERR chunks go. Not owned.
  TextFollowSink(FILE* out, FILE* err, std::string server, bool tag_output);

  void OnJob(const v1::Job& job) override;
  void OnLog(const v1::LogChunk& chunk) override;
  void OnReconnecting(const absl::Status& why) override;

 private:
  FILE* const out_;
  FILE* const err_;
  const bool tag_output_;
  RankTagger tagger_;
  ReconnectNotice notice_;
  std::string queue_message_;  // The last one printed.
};

class MessageFollowSink : public FollowSink {
 public:
  // `out`: JSON lines, or YAML documents when `yaml`; `err`: notices. Not
  // owned.
  MessageFollowSink(FILE* out, FILE* err, std::string server, bool yaml);

  void OnJob(const v1::Job& job) override;
  void OnLog(const v1::LogChunk& chunk) override;
  void OnReconnecting(const absl::Status& why) override;

 private:
  void Print(const v1::JobEvent& event);

  FILE* const out_;
  const bool yaml_;
  ReconnectNotice notice_;
};

}  // namespace wasmhpc::cli

#endif  // WASMHPC_CLIENT_CLI_LOG_SINKS_H_
