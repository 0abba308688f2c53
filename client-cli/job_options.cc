#include "client-cli/job_options.h"

#include <iterator>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "client-cli/cli_options.h"
#include "common/age.h"

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

absl::StatusOr<v1::ArraySpec> ParseArraySpec(absl::string_view text) {
  v1::ArraySpec array;
  absl::string_view rest = text;
  auto number = [](absl::string_view digits, int32_t* out) {
    return !digits.empty() &&
           digits.find_first_not_of("0123456789") == absl::string_view::npos &&
           absl::SimpleAtoi(digits, out);
  };
  bool ok = true;
  int32_t value = 0;
  if (size_t percent = rest.find('%'); percent != absl::string_view::npos) {
    ok &= number(rest.substr(percent + 1), &value);
    array.set_max_running(value);
    rest = rest.substr(0, percent);
  }
  if (size_t colon = rest.find(':'); colon != absl::string_view::npos) {
    ok &= number(rest.substr(colon + 1), &value);
    array.set_step(value);
    rest = rest.substr(0, colon);
  }
  const size_t dash = rest.find('-');
  ok &= number(rest.substr(0, dash), &value);
  array.set_first(value);
  if (dash != absl::string_view::npos) {
    ok &= number(rest.substr(dash + 1), &value);
  }
  array.set_last(value);
  if (!ok) {
    return absl::InvalidArgumentError(absl::StrCat(
        text, ": want FIRST[-LAST[:STEP]][%MAX] (0-99%4, 1-9:2, 5)"));
  }
  return array;
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
  sub.add_option("--array", *filter.mutable_array_id(),
                 "only the tasks of the job array ID (its first task's id)")
      ->type_name("ID");
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

void AddPruneOptions(CLI::App& sub, v1::PruneJobsRequest& prune) {
  sub.add_option_function<std::string>(
         "--older-than",
         [&prune](S v) {
           absl::StatusOr<absl::Duration> age = ParseAge(v);
           if (!age.ok()) Reject("--older-than", age.status().message());
           prune.mutable_older_than()->set_seconds(absl::ToInt64Seconds(*age));
         },
         "only jobs that ended at least AGE ago (7d, 12h, 30m, 90s; default: "
         "all ended jobs)")
      ->type_name("AGE");
  sub.add_option("--name", *prune.mutable_name(),
                 "only jobs submitted with --name NAME")
      ->type_name("NAME");
  AddLabelOption(sub, prune.mutable_labels(),
                 "only jobs with label K=V (repeatable: all must match)");
}

}  // namespace wasmhpc::cli
