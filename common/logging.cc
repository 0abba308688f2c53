#include "common/logging.h"

#include <atomic>
#include <memory>
#include <sstream>
#include <string>

#include "spdlog/sinks/ostream_sink.h"
#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"

namespace wasmhpc {
namespace {

// ISO 8601 local time with milliseconds and offset, level, program.
constexpr char kPattern[] = "%Y-%m-%dT%H:%M:%S.%e%z [%l] %n: %v";

std::shared_ptr<spdlog::logger> NewLogger(absl::string_view program,
                                          spdlog::sink_ptr sink) {
  auto logger =
      std::make_shared<spdlog::logger>(std::string(program), std::move(sink));
  logger->set_pattern(kPattern);
  // Lines are flushed as they are written: a crash loses none.
  logger->flush_on(spdlog::level::trace);
  return logger;
}

// The process's logger; replaced by InitLogging.
std::shared_ptr<spdlog::logger>& Logger() {
  // stderr_sink_mt formats a line in memory and fwrites it at once to the
  // unbuffered stderr: one write(2) per line.
  static auto* logger = new std::shared_ptr<spdlog::logger>(
      NewLogger("wasmhpc", std::make_shared<spdlog::sinks::stderr_sink_mt>()));
  return *logger;
}

void Log(spdlog::level::level_enum level, absl::string_view message) {
  std::atomic_load(&Logger())->log(
      level, spdlog::string_view_t(message.data(), message.size()));
}

}  // namespace

void InitLogging(absl::string_view program) {
  std::atomic_store(
      &Logger(),
      NewLogger(program, std::make_shared<spdlog::sinks::stderr_sink_mt>()));
}

void LogInfo(absl::string_view message) { Log(spdlog::level::info, message); }
void LogWarning(absl::string_view message) {
  Log(spdlog::level::warn, message);
}
void LogError(absl::string_view message) { Log(spdlog::level::err, message); }

std::string FormatLogLineForTest(absl::string_view message) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(out);
  NewLogger(std::atomic_load(&Logger())->name(), sink)
      ->info(spdlog::string_view_t(message.data(), message.size()));
  std::string line = out.str();
  if (!line.empty() && line.back() == '\n') line.pop_back();
  return line;
}

}  // namespace wasmhpc
