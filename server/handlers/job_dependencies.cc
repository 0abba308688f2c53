#include "server/handlers/job_dependencies.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/handlers/scheduler.h"

namespace wasmhpc::server {

DependencyOutcome Evaluate(const v1::Dependency& dependency,
                           v1::JobState state) {
  const bool ended = IsFinal(state);
  const bool ok = state == v1::SUCCEEDED;
  switch (dependency.kind()) {
    case v1::Dependency::AFTER:
      return state == v1::RUNNING || ended ? DependencyOutcome::kMet
                                           : DependencyOutcome::kWaiting;
    case v1::Dependency::AFTER_OK:
      return !ended ? DependencyOutcome::kWaiting
             : ok   ? DependencyOutcome::kMet
                    : DependencyOutcome::kNever;
    case v1::Dependency::AFTER_ANY:
      return ended ? DependencyOutcome::kMet : DependencyOutcome::kWaiting;
    case v1::Dependency::AFTER_NOT_OK:
      return !ended ? DependencyOutcome::kWaiting
             : ok   ? DependencyOutcome::kNever
                    : DependencyOutcome::kMet;
    default:
      return DependencyOutcome::kNever;
  }
}

std::string Describe(const v1::Dependency& dependency) {
  const char* what = "";
  switch (dependency.kind()) {
    case v1::Dependency::AFTER:
      what = " to start";
      break;
    case v1::Dependency::AFTER_OK:
      what = " to succeed";
      break;
    case v1::Dependency::AFTER_ANY:
      what = " to end";
      break;
    case v1::Dependency::AFTER_NOT_OK:
      what = " to fail";
      break;
    default:
      break;
  }
  return absl::StrCat(dependency.job_id(), what);
}

absl::Status CheckDependencies(const v1::JobSpec& spec) {
  if (spec.dependencies_size() > kMaxDependencies) {
    return absl::InvalidArgumentError(
        absl::StrCat("a job may depend on at most ", kMaxDependencies,
                     " jobs (got ", spec.dependencies_size(), ")"));
  }
  for (const v1::Dependency& d : spec.dependencies()) {
    if (d.kind() == v1::Dependency::KIND_UNSPECIFIED) {
      return absl::InvalidArgumentError(absl::StrCat(
          "the dependency on '", d.job_id(),
          "' has no kind (AFTER, AFTER_OK, AFTER_ANY or AFTER_NOT_OK)"));
    }
    if (!absl::StartsWith(d.job_id(), kJobIdPrefix)) {
      return absl::InvalidArgumentError(
          absl::StrCat("a dependency names '", d.job_id(),
                       "', which is not a job id (job-...)"));
    }
  }
  return absl::OkStatus();
}

}  // namespace wasmhpc::server
