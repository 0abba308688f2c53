#include "wasi/wasi.h"

#include <sys/random.h>
#include <time.h>

#include <cerrno>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "wasi/imports.h"
#include "wasi/preview1.h"
#include "wasi/sandbox_path.h"
#include "wasi/wasi_abi.h"

namespace wasmhpc::wasi {
namespace {

constexpr char kDirSyntax[] = "expected HOST[:GUEST][:ro]";

bool HostClockId(uint32_t id, clockid_t* out) {
  switch (id) {
    case abi::kClockRealtime:
      *out = CLOCK_REALTIME;
      return true;
    case abi::kClockMonotonic:
      *out = CLOCK_MONOTONIC;
      return true;
    case abi::kClockProcessCputime:
      *out = CLOCK_PROCESS_CPUTIME_ID;
      return true;
    case abi::kClockThreadCputime:
      *out = CLOCK_THREAD_CPUTIME_ID;
      return true;
    default:
      return false;
  }
}

uint64_t Nanos(const struct timespec& ts) {
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000 +
         static_cast<uint64_t>(ts.tv_nsec);
}

class HostClock : public Clock {
 public:
  absl::StatusOr<uint64_t> Now(uint32_t id) override {
    clockid_t host;
    struct timespec ts = {};
    if (!HostClockId(id, &host) || clock_gettime(host, &ts) != 0) {
      return absl::InvalidArgumentError(absl::StrCat("clock id ", id));
    }
    return Nanos(ts);
  }

  absl::StatusOr<uint64_t> Resolution(uint32_t id) override {
    clockid_t host;
    struct timespec ts = {};
    if (!HostClockId(id, &host) || clock_getres(host, &ts) != 0) {
      return absl::InvalidArgumentError(absl::StrCat("clock id ", id));
    }
    return Nanos(ts);
  }

  void SleepFor(uint64_t ns) override {
    struct timespec ts = {static_cast<time_t>(ns / 1'000'000'000),
                          static_cast<long>(ns % 1'000'000'000)};
    while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR) {
    }
  }
};

absl::Status HostRandom(absl::Span<uint8_t> buf) {
  while (!buf.empty()) {
    ssize_t n = getrandom(buf.data(), buf.size(), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return absl::InternalError(absl::StrCat("getrandom: errno ", errno));
    }
    buf.remove_prefix(static_cast<size_t>(n));
  }
  return absl::OkStatus();
}

bool HasNul(std::string_view s) { return s.find('\0') != s.npos; }

absl::Status Validate(const WasiOptions& options) {
  for (size_t i = 0; i < options.args.size(); ++i) {
    if (HasNul(options.args[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat("guest argument ", i, " contains a NUL byte"));
    }
  }
  for (const std::string& var : options.env) {
    if (HasNul(var)) {
      return absl::InvalidArgumentError(
          "a guest environment string contains a NUL byte");
    }
  }
  for (const Preopen& p : options.preopens) {
    if (p.host_path.empty() || p.guest_path.empty() || HasNul(p.host_path) ||
        HasNul(p.guest_path)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--dir ", p.host_path, ":", p.guest_path, ": ", kDirSyntax));
    }
  }
  if (!options.preopens.empty() && !HaveOpenat2()) {
    return absl::FailedPreconditionError(
        "--dir needs openat2 (Linux 5.6 or later) to confine the guest");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Preopen> ParseDirFlag(std::string_view flag) {
  // Abseil here has its own string_view type: work on a std::string.
  const std::string spec(flag);
  std::vector<std::string> parts = absl::StrSplit(spec, ':');
  Preopen preopen;
  if (parts.size() >= 2 && parts.back() == "ro") {
    preopen.read_only = true;
    parts.pop_back();
  }
  if (parts.size() > 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--dir ", spec, ": unknown mode '", parts.back(), "', ", kDirSyntax));
  }
  preopen.host_path = parts[0];
  preopen.guest_path = parts.size() == 2 ? parts[1] : parts[0];
  if (preopen.host_path.empty() || preopen.guest_path.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--dir ", spec, ": empty path, ", kDirSyntax));
  }
  // "/data/" and "/data" name the same guest directory.
  while (preopen.guest_path.size() > 1 && preopen.guest_path.back() == '/') {
    preopen.guest_path.pop_back();
  }
  return preopen;
}

std::shared_ptr<Clock> SystemClock() {
  static const auto* clock = new std::shared_ptr<Clock>(new HostClock());
  return *clock;
}

absl::StatusOr<std::unique_ptr<Wasi>> Wasi::Create(WasiOptions options) {
  if (absl::Status s = Validate(options); !s.ok()) return s;
  if (!options.clock) options.clock = SystemClock();
  if (!options.random) options.random = HostRandom;
  auto calls = std::make_unique<Preview1>(std::move(options));
  if (absl::Status s = calls->Init(); !s.ok()) return s;
  return std::unique_ptr<Wasi>(new Wasi(std::move(calls)));
}

Wasi::Wasi(std::unique_ptr<Preview1> calls) : calls_(std::move(calls)) {}

Wasi::~Wasi() = default;

std::vector<engine::HostFunc> Wasi::Imports() {
  return Preview1Imports(*calls_);
}

}  // namespace wasmhpc::wasi
