#include "client-cli/output_format.h"

#include <algorithm>
#include <set>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/json_util.h"

namespace wasmhpc::cli {
namespace {

using Row = std::vector<std::string>;

// Left-aligned columns, three spaces apart; the last column is not padded.
std::string FormatTable(const std::vector<Row>& rows) {
  std::vector<size_t> widths;
  for (const Row& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  }
  std::string out;
  for (const Row& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      out += row[i];
      if (i + 1 < row.size()) {
        out.append(widths[i] - row[i].size() + 3, ' ');
      }
    }
    out += '\n';
  }
  return out;
}

// "-" for an empty cell.
std::string Dash(absl::string_view text) {
  return text.empty() ? "-" : std::string(text);
}

bool IsSet(const google::protobuf::Timestamp& time) {
  return time.seconds() != 0 || time.nanos() != 0;
}

std::string AgeSince(const google::protobuf::Timestamp& time,
                     const FormatContext& ctx) {
  if (!IsSet(time)) return "-";
  return FormatAge(ctx.now - ToAbslTime(time));
}

std::string FormatDirs(const v1::JobSpec& spec) {
  std::vector<std::string> dirs;
  for (const v1::Dir& dir : spec.dirs()) {
    std::string text = dir.host_path();
    if (!dir.guest_path().empty() && dir.guest_path() != dir.host_path()) {
      absl::StrAppend(&text, ":", dir.guest_path());
    }
    if (dir.read_only()) absl::StrAppend(&text, ":ro");
    dirs.push_back(std::move(text));
  }
  return absl::StrJoin(dirs, " ");
}

std::string FormatEnv(const v1::JobSpec& spec) {
  // Sorted: protobuf maps have no order.
  std::map<std::string, std::string> env(spec.env().begin(), spec.env().end());
  return absl::StrJoin(env, " ", absl::PairFormatter("="));
}

}  // namespace

std::string StateName(v1::JobState state) {
  if (state == v1::JOB_STATE_UNSPECIFIED || !v1::JobState_IsValid(state)) {
    return "UNKNOWN";
  }
  return v1::JobState_Name(state);
}

bool IsFinalState(v1::JobState state) {
  return state == v1::SUCCEEDED || state == v1::FAILED ||
         state == v1::CANCELLED || state == v1::TIMED_OUT;
}

int JobExitCode(const v1::Job& job) {
  switch (job.state()) {
    case v1::SUCCEEDED:
      return 0;
    case v1::FAILED:
      return job.exit_code() != 0 ? job.exit_code() : kExitError;
    case v1::TIMED_OUT:
      return kExitTimedOut;
    case v1::CANCELLED:
      return kExitCancelled;
    default:
      return kExitError;
  }
}

std::string QueueMessage(const v1::Job& job) {
  if (job.state() != v1::QUEUED || !job.has_queue()) return "";
  if (!job.queue().waiting_for().empty()) {
    return absl::StrCat(job.id(), " queued: waiting for ",
                        job.queue().waiting_for());
  }
  return absl::StrCat(job.id(), " queued: position ", job.queue().position(),
                      ", needs ", job.spec().ranks(),
                      " ranks, largest free block ",
                      job.queue().largest_free_block());
}

std::string JobEndMessage(const v1::Job& job) {
  std::string what;
  switch (job.state()) {
    case v1::FAILED:
      what = absl::StrCat("job ", job.id(), " failed");
      if (job.failed_rank() >= 0) {
        absl::StrAppend(&what, " on rank ", job.failed_rank());
      }
      if (job.exit_code() != 0) {
        absl::StrAppend(&what, " (exit code ", job.exit_code(), ")");
      }
      break;
    case v1::TIMED_OUT:
      what = absl::StrCat("job ", job.id(), " timed out");
      break;
    case v1::CANCELLED:
      what = absl::StrCat("job ", job.id(), " was cancelled");
      break;
    default:
      return "";
  }
  if (!job.reason().empty()) absl::StrAppend(&what, ": ", job.reason());
  return what;
}

std::string FormatAge(absl::Duration age) {
  if (age < absl::ZeroDuration()) return "0s";
  if (age < absl::Minutes(1)) {
    return absl::StrCat(absl::ToInt64Seconds(age), "s");
  }
  if (age < absl::Hours(1)) {
    return absl::StrCat(absl::ToInt64Minutes(age), "m");
  }
  if (age < absl::Hours(24)) return absl::StrCat(absl::ToInt64Hours(age), "h");
  return absl::StrCat(absl::ToInt64Hours(age) / 24, "d");
}

absl::Time ToAbslTime(const google::protobuf::Timestamp& time) {
  return absl::FromUnixSeconds(time.seconds()) +
         absl::Nanoseconds(time.nanos());
}

std::string FormatTimestamp(const google::protobuf::Timestamp& time,
                            const FormatContext& ctx) {
  if (!IsSet(time)) return "-";
  return absl::FormatTime("%Y-%m-%d %H:%M:%S", ToAbslTime(time), ctx.zone);
}

std::string FormatSize(uint64_t bytes) {
  if (bytes < 1024) return absl::StrCat(bytes, " B");
  const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes) / 1024;
  int unit = 0;
  while (value >= 1024 && unit < 3) {
    value /= 1024;
    ++unit;
  }
  return absl::StrFormat("%.1f %s", value, units[unit]);
}

std::string ShortDigest(absl::string_view digest) {
  constexpr size_t kShort = 7 + 12;  // "sha256:" + 12 hex digits.
  if (!absl::StartsWith(digest, "sha256:") || digest.size() <= kShort) {
    return std::string(digest);
  }
  return std::string(digest.substr(0, kShort));
}

// The module as users named it at upload; its short digest without a name.
std::string ModuleLabel(const v1::Job& job) {
  const std::string& digest = job.spec().module_digest();
  if (job.module_name().empty() || job.module_name() == digest) {
    return ShortDigest(digest);
  }
  return job.module_name();
}

std::string FormatJobsTable(const v1::ListJobsResponse& jobs,
                            const FormatContext& ctx, bool wide) {
  std::vector<Row> rows = {
      {"ID", "STATE", "RANKS", "MODULE", "SUBMITTED", "AGE"}};
  if (wide) {
    rows[0].insert(rows[0].end(), {"STARTED", "FINISHED", "EXIT", "POOL",
                                   "OWNER", "TIMEOUT", "MEMORY", "DIGEST"});
  }
  for (const v1::Job& job : jobs.jobs()) {
    rows.push_back({job.id(), StateName(job.state()),
                    absl::StrCat(job.spec().ranks()), ModuleLabel(job),
                    FormatTimestamp(job.submitted(), ctx),
                    AgeSince(job.submitted(), ctx)});
    if (!wide) continue;
    const v1::JobSpec& spec = job.spec();
    rows.back().insert(
        rows.back().end(),
        {FormatTimestamp(job.started(), ctx),
         FormatTimestamp(job.finished(), ctx),
         IsFinalState(job.state()) ? absl::StrCat(job.exit_code()) : "-",
         Dash(job.pool_id()), Dash(job.owner()),
         spec.has_timeout()
             ? absl::FormatDuration(absl::Seconds(spec.timeout().seconds()) +
                                    absl::Nanoseconds(spec.timeout().nanos()))
             : "-",
         spec.memory_limit_bytes() == 0 ? "-"
                                        : FormatSize(spec.memory_limit_bytes()),
         ShortDigest(spec.module_digest())});
  }
  return FormatTable(rows);
}

std::string FormatModulesTable(const v1::ListModulesResponse& modules,
                               const FormatContext& ctx, bool wide) {
  std::vector<Row> rows = {{"DIGEST", "NAME", "SIZE", "UPLOADED"}};
  if (wide) rows[0].insert(rows[0].end(), {"OWNER", "MPI-IMPORTS", "LABELS"});
  for (const v1::Module& module : modules.modules()) {
    rows.push_back({module.digest(), Dash(module.name()),
                    FormatSize(module.size_bytes()),
                    FormatTimestamp(module.uploaded(), ctx)});
    if (!wide) continue;
    std::map<std::string, std::string> labels(module.labels().begin(),
                                              module.labels().end());
    rows.back().insert(
        rows.back().end(),
        {Dash(module.owner()), absl::StrCat(module.mpi_imports_size()),
         Dash(absl::StrJoin(labels, ",", absl::PairFormatter("=")))});
  }
  return FormatTable(rows);
}

namespace {

// "draining" for POOL_DRAINING.
std::string PoolStateName(v1::PoolState state) {
  if (state == v1::POOL_STATE_UNSPECIFIED) return "-";
  absl::string_view name = v1::PoolState_Name(state);
  absl::ConsumePrefix(&name, "POOL_");
  return absl::AsciiStrToLower(std::string(name.data(), name.size()));
}

// The pool's hosts; from its ranks when a head did not list them.
std::string HostList(const v1::Pool& pool) {
  std::vector<std::string> hosts(pool.hosts().begin(), pool.hosts().end());
  for (const v1::RankInfo& rank : pool.ranks()) {
    if (pool.hosts().empty() &&
        std::find(hosts.begin(), hosts.end(), rank.host()) == hosts.end()) {
      hosts.push_back(rank.host());
    }
  }
  return hosts.empty() ? "-" : absl::StrJoin(hosts, ",");
}

}  // namespace

std::string EngineTag(absl::string_view fingerprint) {
  if (fingerprint.empty()) return "-";
  uint64_t hash = 0xcbf29ce484222325u;  // FNV-1a
  for (unsigned char c : fingerprint) hash = (hash ^ c) * 0x100000001b3u;
  return absl::StrFormat("%08x", static_cast<uint32_t>(hash ^ (hash >> 32)));
}

std::string FormatPoolsTable(const v1::ListPoolsResponse& pools,
                             const FormatContext& ctx, bool wide) {
  std::vector<Row> rows = {
      {"ID", "NAME", "STATE", "HOSTS", "BUSY", "FREE", "ENGINE", "ATTACHED"}};
  if (wide) rows[0].insert(rows[0].end(), {"RANKS", "VERSION", "FINGERPRINT"});
  std::string notes;
  for (const v1::Pool& pool : pools.pools()) {
    const std::string name = pool.name().empty() ? "-" : pool.name();
    if (pool.state() == v1::POOL_FAILED) {
      absl::StrAppend(&notes, "launch of ", name,
                      pool.hosts().empty() ? "" : " on " + HostList(pool),
                      " failed (", AgeSince(pool.failed(), ctx), " ago): ",
                      absl::StrReplaceAll(pool.reason(), {{"\n", "\n    "}}),
                      "\n");
      continue;
    }
    rows.push_back(
        {pool.id(), name, PoolStateName(pool.state()), HostList(pool),
         absl::StrCat(pool.busy_ranks()), absl::StrCat(pool.free_ranks()),
         EngineTag(pool.engine_fingerprint()), AgeSince(pool.attached(), ctx)});
    if (wide) {
      rows.back().insert(rows.back().end(),
                         {absl::StrCat(pool.ranks_size()), Dash(pool.version()),
                          Dash(pool.engine_fingerprint())});
    }
    if (!pool.reason().empty()) {
      absl::StrAppend(&notes, pool.id(), " ", PoolStateName(pool.state()), ": ",
                      pool.reason(), "\n");
    }
  }
  return FormatTable(rows) + notes;
}

std::string FormatPoolLine(const v1::Pool& pool) {
  if (pool.state() == v1::POOL_FAILED) {
    return absl::StrCat("recorded failed launch of ", pool.name(), "\n");
  }
  return absl::StrCat(pool.id(), " (", pool.name(),
                      "): ", PoolStateName(pool.state()), ", ",
                      pool.busy_ranks(), " busy, ", pool.free_ranks(), " free",
                      pool.reason().empty() ? "" : " - ", pool.reason(), "\n");
}

std::string FormatJobDetails(const v1::Job& job, const FormatContext& ctx) {
  std::vector<std::pair<std::string, std::string>> lines;
  const v1::JobSpec& spec = job.spec();
  lines.emplace_back("id", job.id());
  lines.emplace_back("state", StateName(job.state()));
  lines.emplace_back(
      "module",
      ModuleLabel(job) == ShortDigest(spec.module_digest())
          ? spec.module_digest()
          : absl::StrCat(job.module_name(), " (", spec.module_digest(), ")"));
  lines.emplace_back("ranks", absl::StrCat(spec.ranks()));
  if (spec.args_size() > 0) {
    lines.emplace_back("args", absl::StrJoin(spec.args(), " "));
  }
  if (!spec.env().empty()) lines.emplace_back("env", FormatEnv(spec));
  if (spec.dirs_size() > 0) lines.emplace_back("dirs", FormatDirs(spec));
  if (spec.has_timeout()) {
    lines.emplace_back(
        "timeout",
        absl::FormatDuration(absl::Seconds(spec.timeout().seconds()) +
                             absl::Nanoseconds(spec.timeout().nanos())));
  }
  if (!job.pool_id().empty()) lines.emplace_back("pool", job.pool_id());
  lines.emplace_back("submitted", FormatTimestamp(job.submitted(), ctx));
  lines.emplace_back("started", FormatTimestamp(job.started(), ctx));
  lines.emplace_back("finished", FormatTimestamp(job.finished(), ctx));
  if (IsFinalState(job.state())) {
    lines.emplace_back("exit code", absl::StrCat(job.exit_code()));
    if (job.state() != v1::SUCCEEDED && job.failed_rank() >= 0) {
      lines.emplace_back("failed rank", absl::StrCat(job.failed_rank()));
    }
  }
  if (!job.reason().empty()) lines.emplace_back("reason", job.reason());
  for (const v1::RankResult& rank : job.ranks()) {
    std::string result = absl::StrCat("exit ", rank.exit_code());
    if (!rank.trap().empty()) {
      absl::StrAppend(&result, ", trap: ",
                      absl::StrReplaceAll(rank.trap(), {{"\n", "\n    "}}));
    }
    lines.emplace_back(absl::StrCat("rank ", rank.rank()), result);
  }
  std::string out;
  for (const auto& [key, value] : lines) {
    absl::StrAppend(&out, absl::StrFormat("%-13s%s\n", key + ":", value));
  }
  return out;
}

absl::StatusOr<std::string> ToJson(const google::protobuf::Message& message,
                                   bool pretty) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = pretty;
  options.always_print_primitive_fields = true;
  std::string json;
  auto status =
      google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat("cannot print ",
                                            message.GetTypeName(),
                                            " as JSON: ", status.ToString()));
  }
  // The printer ends pretty output with a newline; callers add their own.
  while (!json.empty() && json.back() == '\n') json.pop_back();
  return json;
}

std::string FormatProgressBar(absl::string_view name, uint64_t sent,
                              uint64_t total, int width) {
  sent = std::min(sent, total);
  int percent = total == 0 ? 100 : static_cast<int>(sent * 100 / total);
  int filled = total == 0 ? width : static_cast<int>(sent * width / total);
  return absl::StrFormat("uploading %s [%s%s] %3d%%  %s/%s", name,
                         std::string(filled, '#'),
                         std::string(width - filled, '.'), percent,
                         FormatSize(sent), FormatSize(total));
}

std::string FormatRpcError(absl::string_view server, absl::string_view action,
                           const absl::Status& status) {
  const std::string code = absl::StatusCodeToString(status.code());
  const std::string message =
      absl::StrReplaceAll(status.message(), {{"\r\n", "; "}, {"\n", "; "}});
  const std::string host(server);
  switch (status.code()) {
    case absl::StatusCode::kUnavailable:
      return absl::StrCat("cannot reach head at ", host, ": ", code, ": ",
                          message);
    case absl::StatusCode::kUnauthenticated:
      return absl::StrCat("head at ", host, " refused the request (", code,
                          ": ", message,
                          "); pass --token-file FILE or set "
                          "WASMHPC_TOKEN_FILE (or --token, WASMHPC_TOKEN)");
    case absl::StatusCode::kDeadlineExceeded:
      return absl::StrCat("head at ", host, " did not answer in time (", code,
                          ": ", message, ")");
    default:
      return absl::StrCat(std::string(action), ": head at ", host, " answered ",
                          code, ": ", message);
  }
}

std::string RankTagger::Tag(int32_t rank, v1::Stream stream,
                            absl::string_view data) {
  bool& mid_line = mid_line_[{rank, static_cast<int>(stream)}];
  const std::string prefix = absl::StrCat("[rank ", rank, "] ");
  std::string out;
  for (char c : data) {
    if (!mid_line) out += prefix;
    out += c;
    mid_line = c != '\n';
  }
  return out;
}

bool IsYes(absl::string_view answer) {
  std::string word =
      absl::AsciiStrToLower(std::string(absl::StripAsciiWhitespace(answer)));
  return word == "y" || word == "yes";
}

}  // namespace wasmhpc::cli
