#include "client-cli/job_options.h"

#include <iterator>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "client-cli/cli_options.h"

namespace wasmhpc::cli {

namespace {

using S = const std::string&;
using Strings = std::vector<std::string>;

}  // namespace

void Reject(S flag, absl::string_view message) {
  throw CLI::ValidationError(flag, std::string(message));
}

void AddLabelOption(CLI::App& sub,
                    google::protobuf::Map<std::string, std::string>* labels,
                    S help) {
  sub.add_option_function<Strings>(
         "--label",
         [labels](const Strings& values) {
           for (S label : values) {
             size_t eq = label.find('=');
             if (eq == std::string::npos || eq == 0) {
               Reject("--label", absl::StrCat(label, ": expected K=V"));
             }
             (*labels)[label.substr(0, eq)] = label.substr(eq + 1);
           }
         },
         help)
      ->allow_extra_args(false)
      ->type_name("K=V");
}

void AddDependencyOptions(CLI::App& sub, v1::JobSpec& spec) {
  static constexpr std::pair<const char*, v1::Dependency::Kind> kKinds[] = {
      {"--after", v1::Dependency::AFTER},
      {"--afterok", v1::Dependency::AFTER_OK},
      {"--afterany", v1::Dependency::AFTER_ANY},
      {"--afternotok", v1::Dependency::AFTER_NOT_OK}};
  static constexpr const char* kWhen[] = {"has started", "has succeeded",
                                          "has ended", "has failed"};
  for (size_t i = 0; i < std::size(kKinds); ++i) {
    const char* flag = kKinds[i].first;
    const v1::Dependency::Kind kind = kKinds[i].second;
    sub.add_option_function<Strings>(
           flag,
           [&spec, flag, kind](const Strings& values) {
             for (S value : values) {
               for (absl::string_view id : absl::StrSplit(value, ',')) {
                 if (id.empty()) Reject(flag, value + ": expected JOB[,JOB]");
                 v1::Dependency* d = spec.add_dependencies();
                 d->set_kind(kind);
                 d->set_job_id(std::string(id));
               }
             }
           },
           absl::StrCat("start only once JOB ", kWhen[i],
                        " (repeatable, or comma-separated)"))
        ->allow_extra_args(false)
        ->type_name("JOB");
  }
}

void AddJobsOptions(CLI::App& sub, v1::ListJobsRequest& filter, int& limit) {
  sub.add_option_function<Strings>(
         "--state",
         [&filter](const Strings& values) {
           for (S value : values) {
             for (absl::string_view part : absl::StrSplit(value, ',')) {
               absl::StatusOr<v1::JobState> state = ParseJobState(part);
               if (!state.ok()) Reject("--state", state.status().message());
               filter.add_states(*state);
             }
           }
         },
         "only jobs in STATE (QUEUED, RUNNING, FAILED, ...; repeatable, or "
         "comma-separated)")
      ->allow_extra_args(false);
  sub.add_option("--name", *filter.mutable_name(),
                 "only jobs submitted with --name NAME")
      ->type_name("NAME");
  AddLabelOption(sub, filter.mutable_labels(),
                 "only jobs with label K=V (repeatable: all must match)");
  sub.add_option_function<std::string>(
         "--limit",
         [&limit](S v) {
           if (!absl::SimpleAtoi(v, &limit) || limit < 1) {
             Reject("--limit",
                    absl::StrCat(v, ": expected a number of at least 1"));
           }
         },
         "at most N jobs (default: all)")
      ->type_name("N");
  sub.add_flag(
      "--oldest-first", [&filter](int64_t) { filter.set_oldest_first(true); },
      "list the oldest job first (default: newest first)");
}

}  // namespace wasmhpc::cli
