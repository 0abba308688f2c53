#include "server/handlers/job_array.h"

#include "absl/strings/str_cat.h"
#include "server/handlers/api_limits.h"

namespace wasmhpc::server {
namespace {

int64_t Step(const v1::ArraySpec& array) {
  return array.step() == 0 ? 1 : array.step();
}

}  // namespace

absl::Status CheckArray(const v1::JobSpec& spec) {
  if (!spec.has_array()) return absl::OkStatus();
  const v1::ArraySpec& a = spec.array();
  if (a.first() < 0 || a.last() < a.first() || a.step() < 0 ||
      a.max_running() < 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "array first ", a.first(), ", last ", a.last(), ", step ", a.step(),
        ", max_running ", a.max_running(),
        ": want first >= 0, last >= first, step >= 0 (0 means 1) and "
        "max_running >= 0 (0: no limit)"));
  }
  const int64_t count = (int64_t{a.last()} - a.first()) / Step(a) + 1;
  if (count > kMaxArrayTasks) {
    return absl::InvalidArgumentError(
        absl::StrCat("array ", a.first(), "-", a.last(), " has ", count,
                     " tasks; an array may have at most ", kMaxArrayTasks));
  }
  return absl::OkStatus();
}

std::vector<int32_t> ArrayIndices(const v1::JobSpec& spec) {
  std::vector<int32_t> indices;
  if (!spec.has_array()) return indices;
  const v1::ArraySpec& a = spec.array();
  for (int64_t i = a.first(); i <= a.last(); i += Step(a)) {
    indices.push_back(static_cast<int32_t>(i));
  }
  return indices;
}

}  // namespace wasmhpc::server
