// Job arrays (JobSpec.array, as Slurm's --array): one job per index, each
// a task of its own (Job.array_id, Job.array_index) whose guest learns its
// index from the environment.
#ifndef WASMHPC_SERVER_HANDLERS_JOB_ARRAY_H_
#define WASMHPC_SERVER_HANDLERS_JOB_ARRAY_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "wasmhpc/v1/jobs.pb.h"

namespace wasmhpc::server {

// The environment variables a task's guest gets: its index and the array's
// id (the id of its first task).
inline constexpr absl::string_view kArrayIndexEnv = "WASMHPC_ARRAY_INDEX";
inline constexpr absl::string_view kArrayIdEnv = "WASMHPC_ARRAY_ID";

// OK for no array, or first >= 0, last >= first, step >= 0, max_running >=
// 0 and at most kMaxArrayTasks indices; else InvalidArgument saying so.
absl::Status CheckArray(const v1::JobSpec& spec);

// The indices of spec.array in order; empty when the spec has no array.
// REQUIRES: CheckArray(spec) is OK.
std::vector<int32_t> ArrayIndices(const v1::JobSpec& spec);

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_HANDLERS_JOB_ARRAY_H_
