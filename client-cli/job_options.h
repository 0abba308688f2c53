// The options of wasmhpc-cli that shape a job or pick jobs out: --label
// (submit and jobs), the dependency flags of submit, and the filters of jobs.
// Each parses its values as CLI11 reads them and rejects a bad one through
// Reject (a usage error naming the flag).
#ifndef WASMHPC_CLIENT_CLI_JOB_OPTIONS_H_
#define WASMHPC_CLIENT_CLI_JOB_OPTIONS_H_

#include <string>

#include "CLI/CLI.hpp"
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

// jobs: --state, --name, --label, --oldest-first into `filter`; --limit N
// into `limit`.
void AddJobsOptions(CLI::App& sub, v1::ListJobsRequest& filter, int& limit);

}  // namespace wasmhpc::cli

#endif  // WASMHPC_CLIENT_CLI_JOB_OPTIONS_H_
