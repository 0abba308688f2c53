// The REST routes' query and path parameters on arbitrary request targets,
// parsed the way httplib parses them (path decoded, query split into
// params, the route pattern matched with std::regex). Invariants:
// CheckParams refuses exactly the unknown names, IntParam returns only
// numbers in range (or the fallback when absent), BoolParam only the
// documented spellings, PathParam one non-empty path segment.
#include <httplib.h>

#include <cstddef>
#include <cstdint>
#include <regex>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "fuzz/fuzz_check.h"
#include "server/rest/rest_params.h"

namespace server = wasmhpc::server;

namespace {

// httplib refuses longer request targets (414) before any routing.
constexpr size_t kMaxTarget = CPPHTTPLIB_REQUEST_URI_MAX_LENGTH;

// The parameterized routes of server/rest/rest_router.h, as httplib matches
// them (rest_router.cc's PathPattern).
const std::regex& RoutePattern(uint8_t which) {
  static const auto* patterns = new std::regex[]{
      std::regex("/v1/modules/([^/]+)"), std::regex("/v1/jobs/([^/]+)"),
      std::regex("/v1/jobs/([^/]+)/logs"),
      std::regex("/v1/pools/([^/]+)/drain"),
      std::regex("/v1/pools/([^/]+)/resume")};
  return patterns[which % 5];
}

void CheckInt(const httplib::Request& request, const std::string& name) {
  constexpr int64_t kFallback = 100, kMin = 1, kMax = 1000;
  absl::StatusOr<int64_t> value =
      server::IntParam(request, name, kFallback, kMin, kMax);
  if (!request.has_param(name.c_str())) {
    FUZZ_CHECK(value.ok() && *value == kFallback);
  } else if (value.ok()) {
    FUZZ_CHECK(*value >= kMin && *value <= kMax);
    int64_t parsed = 0;
    FUZZ_CHECK(
        absl::SimpleAtoi(request.get_param_value(name.c_str()), &parsed) &&
        parsed == *value);
  } else {
    FUZZ_CHECK(absl::IsInvalidArgument(value.status()));
  }
}

void CheckBool(const httplib::Request& request, const std::string& name) {
  absl::StatusOr<bool> value = server::BoolParam(request, name, false);
  if (!request.has_param(name.c_str())) {
    FUZZ_CHECK(value.ok() && !*value);
    return;
  }
  const std::string text = request.get_param_value(name.c_str());
  const bool known = text.empty() || text == "1" || text == "true" ||
                     text == "0" || text == "false";
  FUZZ_CHECK(value.ok() == known);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1 || size - 1 > kMaxTarget) return 0;
  httplib::Request request;
  request.target.assign(reinterpret_cast<const char*>(data) + 1, size - 1);
  const size_t query = request.target.find('?');
  request.path =
      httplib::detail::decode_url(request.target.substr(0, query), false);
  if (query != std::string::npos) {
    httplib::detail::parse_query_text(request.target.substr(query + 1),
                                      request.params);
  }

  const absl::Status known =
      server::CheckParams(request, {"page_size", "follow", "state"});
  bool all_known = true;
  for (const auto& [name, value] : request.params) {
    all_known &= name == "page_size" || name == "follow" || name == "state";
  }
  FUZZ_CHECK(known.ok() == all_known);
  FUZZ_CHECK(known.ok() || absl::StrContains(known.message(), "(known: "));
  FUZZ_CHECK(server::CheckParams(request, {}).ok() == request.params.empty());

  CheckInt(request, "page_size");
  CheckBool(request, "follow");

  const bool matched =
      std::regex_match(request.path, request.matches, RoutePattern(data[0]));
  const std::string segment = server::PathParam(request);
  FUZZ_CHECK(matched == !segment.empty());
  FUZZ_CHECK(segment.find('/') == std::string::npos);
  return 0;
}
