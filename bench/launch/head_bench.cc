// wasmhpc-head-bench: submits jobs straight over gRPC (the CLI's
// HeadClient, without the CLI's process start) and times them, for
// bench/launch_bench.py. Times are CLOCK_REALTIME nanoseconds, the clock
// the guest reads (bench/launch/trivial.c), so the guest's first-instruction
// stamp can be subtracted from the submit time.
//
//   wasmhpc-head-bench --server HOST:PORT --module DIGEST latency
//       --ranks N [--jobs K]
//     K jobs one after another; per job one line
//       job ID state STATE submit_ns S first_ns MIN MAX ended_ns E drained_ns D
//     S: just before Submit; MIN/MAX: the guest's first-instruction stamps
//     (from its output, -1 if none); E: the Watch stream's final state
//     arrived; D: the stream closed (output drained).
//
//   wasmhpc-head-bench --server HOST:PORT --module DIGEST throughput
//       --jobs M --clients T [--ranks N]
//     M jobs from T threads, each submitting its next job when its last one
//     ended (Watch, states only); one line
//       throughput jobs M succeeded S failed F lost L seconds X jobs_per_s R
//       p50_ms A p99_ms B max_ms C
//     A job is lost when no final state arrives within 60 s of its submit.
//
// Before timing, one ListPools call opens the channel, so no job pays for
// the TCP and HTTP/2 handshake. Exit code 0 when every job was followed to
// its end (whatever the state), 1 otherwise, 2 on a bad command line.
#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "client-cli/head_client.h"

namespace wasmhpc::bench {
namespace {

constexpr absl::Duration kJobLimit = absl::Seconds(60);

struct Args {
  std::string server;
  std::string module;
  std::string mode;
  int ranks = 1;
  int jobs = 1;
  int clients = 1;
};

// What following one job saw. Times in Unix nanoseconds; -1: never.
struct JobTimes {
  std::string id;
  v1::JobState state = v1::JOB_STATE_UNSPECIFIED;
  int64_t submit_ns = -1;
  int64_t first_min_ns = -1;
  int64_t first_max_ns = -1;
  int64_t ended_ns = -1;
  int64_t drained_ns = -1;
  std::string error;  // Set when the job could not be followed to its end.
};

int64_t NowNs() { return absl::ToUnixNanos(absl::Now()); }

bool IsFinal(v1::JobState state) { return state >= v1::SUCCEEDED; }

// The "first_instruction_ns MIN MAX ..." line of trivial.c in `text`.
void ParseFirstInstruction(const std::string& text, JobTimes& times) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    std::vector<absl::string_view> words = absl::StrSplit(line, ' ');
    if (words.size() >= 3 && words[0] == "first_instruction_ns") {
      if (!absl::SimpleAtoi(words[1], &times.first_min_ns) ||
          !absl::SimpleAtoi(words[2], &times.first_max_ns)) {
        times.first_min_ns = times.first_max_ns = -1;
      }
    }
  }
}

// Submits one job and follows it until its Watch stream closes.
JobTimes RunJob(cli::HeadClient& client, const v1::JobSpec& spec,
                bool with_log) {
  JobTimes times;
  v1::SubmitJobRequest submit;
  *submit.mutable_spec() = spec;
  times.submit_ns = NowNs();
  absl::StatusOr<v1::Job> job = client.SubmitJob(submit);
  if (!job.ok()) {
    times.error = "submit: " + job.status().ToString();
    return times;
  }
  times.id = job->id();
  v1::WatchJobRequest request;
  request.set_id(job->id());
  request.set_states_only(!with_log);
  std::unique_ptr<cli::JobEventStream> stream = client.WatchJob(request);
  const absl::Time limit = absl::FromUnixNanos(times.submit_ns) + kJobLimit;
  std::string output;
  v1::JobEvent event;
  for (;;) {
    absl::Duration left = limit - absl::Now();
    if (left <= absl::ZeroDuration()) {
      times.error = "no end within " + absl::FormatDuration(kJobLimit);
      return times;
    }
    cli::JobEventStream::Step step = stream->Next(left, &event);
    if (step == cli::JobEventStream::Step::kEnd) break;
    if (step != cli::JobEventStream::Step::kEvent) continue;
    if (event.has_log()) output += event.log().data();
    if (event.has_job() && IsFinal(event.job().state()) && times.ended_ns < 0) {
      times.ended_ns = NowNs();
      times.state = event.job().state();
    }
  }
  times.drained_ns = NowNs();
  if (!stream->status().ok()) times.error = stream->status().ToString();
  if (times.ended_ns < 0 && times.error.empty()) {
    times.error = "the stream closed before a final state";
  }
  ParseFirstInstruction(output, times);
  return times;
}

v1::JobSpec Spec(const Args& args) {
  v1::JobSpec spec;
  spec.set_module_digest(args.module);
  spec.set_ranks(args.ranks);
  return spec;
}

int Latency(cli::HeadClient& client, const Args& args) {
  int failures = 0;
  for (int i = 0; i < args.jobs; ++i) {
    JobTimes t = RunJob(client, Spec(args), /*with_log=*/true);
    if (!t.error.empty()) {
      std::fprintf(stderr, "wasmhpc-head-bench: job %s: %s\n", t.id.c_str(),
                   t.error.c_str());
      ++failures;
      continue;
    }
    std::printf(
        "job %s state %s submit_ns %lld first_ns %lld %lld ended_ns %lld "
        "drained_ns %lld\n",
        t.id.c_str(), v1::JobState_Name(t.state).c_str(),
        static_cast<long long>(t.submit_ns),
        static_cast<long long>(t.first_min_ns),
        static_cast<long long>(t.first_max_ns),
        static_cast<long long>(t.ended_ns),
        static_cast<long long>(t.drained_ns));
    std::fflush(stdout);
  }
  return failures == 0 ? 0 : 1;
}

double Percentile(std::vector<double> sorted, double p) {
  if (sorted.empty()) return -1;
  size_t index = static_cast<size_t>(p * (sorted.size() - 1) + 0.5);
  return sorted[std::min(index, sorted.size() - 1)];
}

// The throughput run's tallies, shared by the client threads.
struct Tally {
  absl::Mutex mu;
  std::vector<double> latency_ms ABSL_GUARDED_BY(mu);
  int succeeded ABSL_GUARDED_BY(mu) = 0;
  int failed ABSL_GUARDED_BY(mu) = 0;
  int lost ABSL_GUARDED_BY(mu) = 0;
};

void ClientLoop(cli::HeadClient& client, const Args& args,
                std::atomic<int>& next, Tally& tally) {
  const v1::JobSpec spec = Spec(args);
  while (next.fetch_add(1) < args.jobs) {
    JobTimes t = RunJob(client, spec, /*with_log=*/false);
    absl::MutexLock lock(&tally.mu);
    if (!t.error.empty()) {
      ++tally.lost;
      std::fprintf(stderr, "wasmhpc-head-bench: job %s: %s\n", t.id.c_str(),
                   t.error.c_str());
      continue;
    }
    tally.latency_ms.push_back((t.ended_ns - t.submit_ns) / 1e6);
    ++(t.state == v1::SUCCEEDED ? tally.succeeded : tally.failed);
  }
}

int Throughput(cli::HeadClient& client, const Args& args) {
  std::atomic<int> next{0};
  Tally tally;
  const absl::Time start = absl::Now();
  std::vector<std::thread> threads;
  for (int i = 0; i < args.clients; ++i) {
    threads.emplace_back([&] { ClientLoop(client, args, next, tally); });
  }
  for (std::thread& thread : threads) thread.join();
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  absl::MutexLock lock(&tally.mu);
  std::sort(tally.latency_ms.begin(), tally.latency_ms.end());
  std::printf(
      "throughput jobs %d succeeded %d failed %d lost %d seconds %.3f "
      "jobs_per_s %.1f p50_ms %.2f p99_ms %.2f max_ms %.2f\n",
      args.jobs, tally.succeeded, tally.failed, tally.lost, seconds,
      tally.succeeded / seconds, Percentile(tally.latency_ms, 0.50),
      Percentile(tally.latency_ms, 0.99), Percentile(tally.latency_ms, 1.0));
  return tally.lost == 0 ? 0 : 1;
}

bool ParseArgs(int argc, char** argv, Args& args) {
  const std::pair<const char*, std::string*> texts[] = {
      {"--server", &args.server}, {"--module", &args.module}};
  const std::pair<const char*, int*> counts[] = {{"--ranks", &args.ranks},
                                                 {"--jobs", &args.jobs},
                                                 {"--clients", &args.clients}};
  const std::vector<std::string> words(argv + 1, argv + argc);
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& arg = words[i];
    const std::string* value = i + 1 < words.size() ? &words[i + 1] : nullptr;
    bool taken = false;
    for (const auto& [flag, out] : texts) {
      if (arg == flag && value != nullptr) {
        *out = *value;
        taken = true;
      }
    }
    for (const auto& [flag, out] : counts) {
      if (arg == flag && value != nullptr) {
        taken = absl::SimpleAtoi(*value, out) && *out > 0;
      }
    }
    if (taken) {
      ++i;
    } else if (args.mode.empty() && arg[0] != '-') {
      args.mode = arg;
    } else {
      std::fprintf(stderr, "wasmhpc-head-bench: bad argument %s\n",
                   arg.c_str());
      return false;
    }
  }
  return !args.server.empty() && !args.module.empty() &&
         (args.mode == "latency" || args.mode == "throughput");
}

}  // namespace
}  // namespace wasmhpc::bench

int main(int argc, char** argv) {
  using namespace wasmhpc;
  bench::Args args;
  if (!bench::ParseArgs(argc, argv, args)) {
    std::fprintf(stderr,
                 "usage: wasmhpc-head-bench --server HOST:PORT --module DIGEST "
                 "latency|throughput [--ranks N] [--jobs M] [--clients T]\n");
    return 2;
  }
  cli::HeadClientOptions options;
  options.server = args.server;
  cli::HeadClient client(std::move(options));
  if (absl::StatusOr<v1::ListPoolsResponse> pools = client.ListPools();
      !pools.ok()) {
    std::fprintf(stderr, "wasmhpc-head-bench: %s: %s\n", args.server.c_str(),
                 pools.status().ToString().c_str());
    return 1;
  }
  return args.mode == "latency" ? bench::Latency(client, args)
                                : bench::Throughput(client, args);
}
