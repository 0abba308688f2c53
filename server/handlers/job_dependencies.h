// Job dependencies (JobSpec.dependencies): when one is met, when it can no
// longer be, and how to say so.
#ifndef WASMHPC_SERVER_HANDLERS_JOB_DEPENDENCIES_H_
#define WASMHPC_SERVER_HANDLERS_JOB_DEPENDENCIES_H_

#include <string>

#include "absl/status/status.h"
#include "wasmhpc/v1/jobs.pb.h"

namespace wasmhpc::server {

// At most this many dependencies per job.
inline constexpr int kMaxDependencies = 64;

enum class DependencyOutcome { kMet, kWaiting, kNever };

// What the dependency's job being in `state` means for it.
DependencyOutcome Evaluate(const v1::Dependency& dependency,
                           v1::JobState state);

// "job-00000003 to succeed", "job-00000003 to start", ...
std::string Describe(const v1::Dependency& dependency);

// InvalidArgument for more than kMaxDependencies, a kind left unspecified
// or a job id that is not one ("job-...").
absl::Status CheckDependencies(const v1::JobSpec& spec);

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_HANDLERS_JOB_DEPENDENCIES_H_
