#include "server/rest/rest_params.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "server/rest/rest_json.h"

namespace wasmhpc::server {

absl::Status CheckParams(const httplib::Request& request,
                         std::initializer_list<absl::string_view> known) {
  for (const auto& [name, value] : request.params) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown query parameter '", name, "'",
          known.size() == 0
              ? " (this route takes none)"
              : absl::StrCat(" (known: ", absl::StrJoin(known, ", "), ")")));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<int64_t> IntParam(const httplib::Request& request,
                                 const std::string& name, int64_t fallback,
                                 int64_t min, int64_t max) {
  if (!request.has_param(name.c_str())) return fallback;
  const std::string value = request.get_param_value(name.c_str());
  int64_t number = 0;
  if (!absl::SimpleAtoi(value, &number) || number < min || number > max) {
    return absl::InvalidArgumentError(
        absl::StrCat("query parameter ", name, "='", value,
                     "': expected a whole number from ", min, " to ", max));
  }
  return number;
}

absl::StatusOr<bool> BoolParam(const httplib::Request& request,
                               const std::string& name, bool fallback) {
  if (!request.has_param(name.c_str())) return fallback;
  const std::string value = request.get_param_value(name.c_str());
  if (value.empty() || value == "1" || value == "true") return true;
  if (value == "0" || value == "false") return false;
  return absl::InvalidArgumentError(
      absl::StrCat("query parameter ", name, "='", value,
                   "': expected 1, 0, true or false"));
}

void DrainBody(const httplib::ContentReader& body, size_t limit) {
  size_t drained = 0;
  body([&](const char*, size_t length) {
    drained += length;
    return drained <= limit;
  });
}

void SetJson(httplib::Response& response,
             const google::protobuf::Message& message, int http_status) {
  response.status = http_status;
  response.set_content(ToJson(message) + "\n", "application/json");
}

absl::Status LabelParams(
    const httplib::Request& request,
    google::protobuf::Map<std::string, std::string>* labels) {
  // From the raw query: httplib keeps only what follows the last '=' of
  // "label=KEY=VALUE".
  const size_t query = request.target.find('?');
  if (query == std::string::npos) return absl::OkStatus();
  for (absl::string_view item : absl::StrSplit(
           absl::string_view(request.target).substr(query + 1), '&')) {
    if (!absl::ConsumePrefix(&item, "label=")) continue;
    const std::string label =
        httplib::detail::decode_url(std::string(item), true);
    const size_t eq = label.find('=');
    if (eq == std::string::npos || eq == 0) {
      return absl::InvalidArgumentError(absl::StrCat(
          "query parameter label='", label, "': expected KEY=VALUE"));
    }
    (*labels)[label.substr(0, eq)] = label.substr(eq + 1);
  }
  return absl::OkStatus();
}

}  // namespace wasmhpc::server
