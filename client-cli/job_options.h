// The options of wasmhpc-cli that shape a job or pick jobs out: --label
// (submit and jobs), the dependency flags of submit, and the filters of jobs
// and jobs prune.
// Each parses its values as CLI11 reads them and rejects a bad one through
// Reject (a usage error naming the flag).
#ifndef WASMHPC_CLIENT_CLI_JOB_OPTIONS_H_
#define WASMHPC_CLIENT_CLI_JOB_OPTIONS_H_

#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/map.h"
#include "wasmhpc/v1/jobs.pb.h"

namespace wasmhpc::cli {

// Rejects a value: "FLAG: MESSAGE" (ParseArgs reports it, exit code 2).
[[noreturn]] void Reject(const std::string& flag, absl::string_view message);

// --label K=V (repeatable) into `labels`.
void AddLabelOption(CLI::App& sub,
                    google::protobuf::Map<std::string, std::string>* labels,
                    const std::string& help);

// --after, --afterok, --afterany, --afternotok JOB[,JOB...] (repeatable)
// into spec.dependencies.
void AddDependencyOptions(CLI::App& sub, v1::JobSpec& spec);

// "FIRST[-LAST[:STEP]][%MAX]" (Slurm's --array without lists): "0-99%4",
// "1-9:2", "5". InvalidArgument naming the form otherwise; the head checks
// the bounds.
absl::StatusOr<v1::ArraySpec> ParseArraySpec(absl::string_view text);

// jobs: --state, --name, --label, --array, --oldest-first into `filter`;
// --limit N into `limit`.
void AddJobsOptions(CLI::App& sub, v1::ListJobsRequest& filter, int& limit);

// jobs prune: --older-than AGE, --name, --label into `prune`.
void AddPruneOptions(CLI::App& sub, v1::PruneJobsRequest& prune);

}  // namespace wasmhpc::cli

#endif  // WASMHPC_CLIENT_CLI_JOB_OPTIONS_H_
