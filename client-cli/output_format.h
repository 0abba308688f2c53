// Output of wasmhpc-cli: tables and details for people, JSON for scripts,
// the upload progress bar, rank-tagged log lines, error lines and the exit
// code a finished job maps to.
//
// Everything here is a pure function of its arguments (the clock and the
// time zone come in through FormatContext), so tests pin every byte.
//
// Thread safety: the functions are thread safe; a RankTagger is used by one
// thread at a time.
#ifndef WASMHPC_CLIENT_CLI_OUTPUT_FORMAT_H_
#define WASMHPC_CLIENT_CLI_OUTPUT_FORMAT_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "wasmhpc/v1/jobs.pb.h"
#include "wasmhpc/v1/modules.pb.h"
#include "wasmhpc/v1/pools.pb.h"

namespace wasmhpc::cli {

// Exit codes of wasmhpc-cli beside the job's own.
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitTimedOut = 124;
inline constexpr int kExitCancelled = 130;

struct FormatContext {
  // "Now", for ages. Default: the Unix epoch (callers set it).
  absl::Time now = absl::UnixEpoch();
  // Zone of printed times. Default: UTC.
  absl::TimeZone zone = absl::UTCTimeZone();
};

// "RUNNING", "TIMED_OUT", ...; "UNKNOWN" for JOB_STATE_UNSPECIFIED.
std::string StateName(v1::JobState state);

// SUCCEEDED, FAILED, CANCELLED or TIMED_OUT.
bool IsFinalState(v1::JobState state);

// The exit code `submit` returns for a job in a final state: 0 SUCCEEDED;
// the job's exit code for FAILED (1 when the job has none, as after a trap
// without a code or a lost pool); 124 TIMED_OUT; 130 CANCELLED.
int JobExitCode(const v1::Job& job);

// One line saying how the job ended when it did not succeed, for stderr:
//   "job job-7 failed on rank 1 (exit code 3): rank 1 exited with code 3"
//   "job job-7 timed out: exceeded its timeout of 1s"
// "" for SUCCEEDED and for jobs that have not ended.
std::string JobEndMessage(const v1::Job& job);

// Where a QUEUED job stands, for stderr:
//   "job-00000007 queued: position 2, needs 4 ranks, largest free block 1"
//   "job-00000008 queued: waiting for job-00000007 to succeed"
// "" when the job carries no QueueState (not queued).
std::string QueueMessage(const v1::Job& job);

// "42s", "5m", "3h", "2d" (the largest whole unit); "0s" for negatives.
std::string FormatAge(absl::Duration age);

// "2024-05-01 12:00:03" in ctx.zone; "-" for an unset timestamp.
std::string FormatTimestamp(const google::protobuf::Timestamp& time,
                            const FormatContext& ctx);
absl::Time ToAbslTime(const google::protobuf::Timestamp& time);

// "512 B", "1.5 KiB", "12.0 MiB", "2.0 GiB".
std::string FormatSize(uint64_t bytes);

// "sha256:" and the first 12 hex digits; other strings unchanged.
std::string ShortDigest(absl::string_view digest);

// Tables: a header row, columns separated by three spaces, one job/module/
// pool per line, each line ending in '\n'. Empty lists give the header only.
// The pools table is followed by a line per pool with a reason (draining)
// and per failed launch. `wide` (-o wide) adds columns after the usual ones:
// jobs STARTED FINISHED EXIT POOL OWNER TIMEOUT MEMORY DIGEST; modules
// OWNER MPI-IMPORTS LABELS; pools RANKS VERSION FINGERPRINT ("-" when
// unset).
std::string FormatJobsTable(const v1::ListJobsResponse& jobs,
                            const FormatContext& ctx, bool wide = false);
std::string FormatModulesTable(const v1::ListModulesResponse& modules,
                               const FormatContext& ctx, bool wide = false);
std::string FormatPoolsTable(const v1::ListPoolsResponse& pools,
                             const FormatContext& ctx, bool wide = false);
// A stable 8-hex-digit tag of an engine fingerprint ("-" for none): pools
// showing the same tag share compiled code.
std::string EngineTag(absl::string_view fingerprint);
// One line about a pool an operator command returned.
std::string FormatPoolLine(const v1::Pool& pool);

// `status ID`: "key: value" lines, then one line per rank result.
std::string FormatJobDetails(const v1::Job& job, const FormatContext& ctx);

// The message as JSON (proto3 mapping: lowerCamelCase names, enums by name,
// zero values printed). `pretty`: indented over several lines; otherwise one
// line. Ends without a newline.
absl::StatusOr<std::string> ToJson(const google::protobuf::Message& message,
                                   bool pretty);

// The upload progress bar, `width` characters of bar:
//   "uploading app.wasm [##########..........]  50%  1.0 MiB/2.0 MiB"
std::string FormatProgressBar(absl::string_view name, uint64_t sent,
                              uint64_t total, int width);

// One line for a failed call to the head, naming the server and the gRPC
// status, without the "wasmhpc-cli: " prefix:
//   "cannot reach head at 127.0.0.1:7070: UNAVAILABLE: ..."
//   "head at 127.0.0.1:7070 refused the request (UNAUTHENTICATED: ...); ..."
//   "submit: head at 127.0.0.1:7070 answered NOT_FOUND: no module ..."
// Newlines in the status message become "; ".
std::string FormatRpcError(absl::string_view server, absl::string_view action,
                           const absl::Status& status);

// Puts "[rank N] " before every line of each rank's output, tracking per
// rank and stream whether the last chunk ended a line, so lines split over
// several chunks get one prefix.
class RankTagger {
 public:
  std::string Tag(int32_t rank, v1::Stream stream, absl::string_view data);

 private:
  // (rank, stream) -> the last byte written was not '\n'.
  std::map<std::pair<int32_t, int>, bool> mid_line_;
};

// True for "y" and "yes" in any case, around spaces; false otherwise.
bool IsYes(absl::string_view answer);

}  // namespace wasmhpc::cli

#endif  // WASMHPC_CLIENT_CLI_OUTPUT_FORMAT_H_
