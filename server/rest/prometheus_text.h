// A strict reader of the Prometheus text exposition format (0.0.4) for the
// tests of /metrics: checks every line and returns the samples.
#ifndef WASMHPC_SERVER_REST_PROMETHEUS_TEXT_H_
#define WASMHPC_SERVER_REST_PROMETHEUS_TEXT_H_

#include <map>
#include <regex>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace wasmhpc::server {

// Samples keyed by `name{labels}` as written ("wasmhpc_pools",
// "wasmhpc_jobs{state=\"queued\"}"). InvalidArgument naming the first bad
// line: a malformed line, a sample without a TYPE line before it, a TYPE
// other than counter, gauge or histogram, a value that is not a number, a
// repeated sample, a missing final newline.
inline absl::StatusOr<std::map<std::string, double>> ParseExposition(
    const std::string& text) {
  static const std::regex kHelp(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .*)");
  static const std::regex kType(
      R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram))");
  static const std::regex kSample(
      R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\.)*")(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\.)*")*\})? (\S+))");
  if (!text.empty() && text.back() != '\n') {
    return absl::InvalidArgumentError("no newline at the end");
  }
  std::set<std::string> typed, histograms;
  std::map<std::string, double> samples;
  for (absl::string_view piece : absl::StrSplit(text, '\n')) {
    const std::string line(piece);
    std::smatch match;
    if (line.empty()) continue;
    if (std::regex_match(line, match, kHelp)) continue;
    if (std::regex_match(line, match, kType)) {
      if (!typed.insert(match[1]).second) {
        return absl::InvalidArgumentError(absl::StrCat("second TYPE: ", line));
      }
      if (match[2] == "histogram") histograms.insert(match[1]);
      continue;
    }
    if (line[0] == '#') continue;  // A comment.
    if (!std::regex_match(line, match, kSample)) {
      return absl::InvalidArgumentError(absl::StrCat("bad line: ", line));
    }
    // A histogram's samples: its name with _bucket (le labels), _sum and
    // _count.
    const std::string name = match[1];
    static const std::regex kHistogramPart("(.*)_(bucket|sum|count)");
    std::smatch part;
    const bool histogram_part = std::regex_match(name, part, kHistogramPart) &&
                                histograms.count(part[1]) > 0;
    if (typed.count(name) == 0 && !histogram_part) {
      return absl::InvalidArgumentError(absl::StrCat("no TYPE for: ", line));
    }
    double value = 0;
    if (!absl::SimpleAtod(match[7].str(), &value)) {
      return absl::InvalidArgumentError(absl::StrCat("bad value: ", line));
    }
    const std::string key = match[1].str() + match[2].str();
    if (!samples.emplace(key, value).second) {
      return absl::InvalidArgumentError(absl::StrCat("repeated: ", line));
    }
  }
  return samples;
}

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_REST_PROMETHEUS_TEXT_H_
