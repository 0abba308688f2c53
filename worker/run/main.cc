// wasmhpc-run: runs a WASI command module, standalone or under mpirun.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/command_line.h"
#include "common/heap_tuning.h"
#include "common/logging.h"
#include "engine/engine.h"
#include "wasi/wasi.h"
#include "worker/guest/guest.h"
#include "worker/run/module_loader.h"
#include "worker/run/mpi_session.h"
#include "worker/run/run_options.h"

namespace wasmhpc::run {
namespace {

constexpr int kUsageExit = 2;
constexpr int kLoadExit = 125;
constexpr int kTrapExit = 134;

// This process's MPI rank as the launcher tells it, 0 when standalone.
int LauncherRank() {
  for (const char* name : {"OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK"}) {
    if (const char* v = std::getenv(name)) return std::atoi(v);
  }
  return 0;
}

// One line on stderr, prefixed with the program's name.
void Say(absl::string_view message) {
  std::cerr << "wasmhpc-run: " << message << "\n";
}

int Fail(int code, absl::string_view message) {
  Say(message);
  return code;
}

absl::StatusOr<std::vector<uint8_t>> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) {
    return absl::NotFoundError(absl::StrCat(path, ": ", std::strerror(errno)));
  }
  // One read of the whole file, not a character at a time.
  std::vector<uint8_t> bytes(static_cast<size_t>(in.tellg()));
  in.seekg(0);
  if (!in.read(reinterpret_cast<char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()))) {
    return absl::DataLossError(absl::StrCat(path, ": short read"));
  }
  return bytes;
}

// "    at f (...)" lines; a run of identical frames (deep recursion) is
// printed once with its count.
void AppendFrames(const std::vector<std::string>& frames, std::string* out) {
  for (size_t i = 0; i < frames.size();) {
    size_t same = 1;
    while (i + same < frames.size() && frames[i + same] == frames[i]) ++same;
    absl::StrAppend(out, "\n    at ", frames[i]);
    if (same > 1) {
      absl::StrAppend(out, "\n    ... (same frame repeated ", same - 1,
                      " more times)");
    }
    i += same;
  }
}

// Loads the module; under MPI one rank per node loads (cache or compile)
// and hands the compiled code to its node peers.
absl::StatusOr<std::unique_ptr<engine::Module>> LoadOnNode(
    ModuleLoader& loader, engine::Store& store, MpiSession* mpi,
    absl::Span<const uint8_t> bytes, LoadReport* report) {
  std::vector<uint8_t> code;
  absl::StatusOr<std::unique_ptr<engine::Module>> module =
      absl::UnknownError("not loaded");
  bool leader = mpi == nullptr || mpi->node_leader();
  if (leader) module = loader.Load(store, bytes, mpi ? &code : nullptr, report);
  if (mpi) mpi->ShareWithNode(&code);
  if (!leader) module = loader.LoadFromPeer(store, bytes, code, report);
  return module;
}

double Milliseconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now() - since)
      .count();
}

int Run(const RunOptions& options) {
  absl::StatusOr<engine::Tier> tier = engine::ParseTier(options.tier);
  if (!tier.ok()) return Fail(kUsageExit, tier.status().message());
  absl::StatusOr<engine::Engine*> engine =
      engine::Engine::Get({.tier = *tier,
                           .max_memory_bytes = options.max_memory_mib << 20,
                           .fast_host_calls = options.fast_calls});
  if (!engine.ok()) return Fail(kUsageExit, engine.status().message());

  wasi::WasiOptions wasi_options;
  wasi_options.args = options.guest_args;
  wasi_options.env = options.env;
  wasi_options.preopens = options.dirs;
  // WASI checks its options (the --dir directories) before MPI starts.
  absl::StatusOr<std::unique_ptr<guest::Guest>> prepared =
      guest::Guest::Create(std::move(wasi_options));
  if (!prepared.ok()) return Fail(kUsageExit, prepared.status().message());

  absl::StatusOr<std::vector<uint8_t>> bytes = ReadFile(options.module_path);
  if (!bytes.ok()) return Fail(kLoadExit, bytes.status().message());
  auto failed = [&](absl::string_view what) {
    return Fail(kLoadExit, absl::StrCat(options.module_path, ": ", what));
  };

  // The rank that loads the module (under MPI one per node: its peers get
  // the compiled code from it) starts the cache lookup on helper threads,
  // to overlap MPI start-up and creating the isolate.
  ModuleLoader loader(**engine, options.cache_dir,
                      [](std::string line) { Say(line); });
  std::unique_ptr<MpiSession> mpi;
  absl::StatusOr<engine::ModuleInfo> info = engine::ParseModuleInfo(*bytes);
  if (info.ok() && guest::ImportsMpi(*info)) {
    absl::StatusOr<std::unique_ptr<MpiSession>> session =
        MpiSession::Start(*info);
    if (!session.ok()) return failed(session.status().message());
    mpi = *std::move(session);
    if (mpi->node_leader()) loader.Prepare(*bytes);
  } else {
    loader.Prepare(*bytes);
  }
  // Past this point a failure ends the whole MPI job.
  const mpi::Bridge* bridge = nullptr;  // the guest's, once instantiated
  auto end = [&](int code, bool abort_job) {
    return mpi ? mpi->Finish(bridge, abort_job, code) : code;
  };

  std::unique_ptr<engine::Store> store = engine::Store::Create(**engine);
  LoadReport report;
  auto module = LoadOnNode(loader, *store, mpi.get(), *bytes, &report);
  if (!module.ok()) return end(failed(module.status().message()), true);

  // Declared after the store, the module and the MPI session it uses, so
  // it goes first.
  std::unique_ptr<guest::Guest> guest = *std::move(prepared);
  auto started = std::chrono::steady_clock::now();
  absl::Status instantiated = guest->Instantiate(
      *store, **module,
      {.transport = mpi ? mpi->transport() : nullptr, .world = MPI_COMM_WORLD});
  bridge = guest->bridge();
  if (!instantiated.ok()) return end(failed(instantiated.message()), true);
  double instantiate_ms = Milliseconds(started);

  started = std::chrono::steady_clock::now();
  absl::StatusOr<engine::RunResult> result = guest->RunStart();
  if (!result.ok()) return end(failed(result.status().message()), true);
  double run_ms = Milliseconds(started);

  int exit_code = result->exit_code;
  if (result->trap) {
    std::string text = absl::StrCat("trap in rank ", LauncherRank(), ": ",
                                    result->trap->message);
    AppendFrames(result->trap->frames, &text);
    exit_code = Fail(kTrapExit, text);
  }
  if (options.timings) {
    Say(absl::StrFormat(
        "rank %d timings: code %s in %.3f ms (open cache %.3f ms, digest "
        "%.3f ms, cache read %.3f ms, waited for them %.3f ms, %s %.3f ms), "
        "instantiate %.3f ms, run %.3f ms",
        LauncherRank(), ToString(report.source), report.milliseconds,
        report.open_milliseconds, report.digest_milliseconds,
        report.read_milliseconds, report.wait_milliseconds,
        report.source == LoadReport::Source::kCompiled ? "compile"
                                                       : "deserialize",
        report.compile_milliseconds, instantiate_ms, run_ms));
  }
  return end(exit_code, result->trap.has_value());
}

}  // namespace
}  // namespace wasmhpc::run

int main(int argc, char** argv) {
  using namespace wasmhpc::run;
  wasmhpc::KeepFreedHeapMemory();
  wasmhpc::InitLogging("wasmhpc-run");
  absl::StatusOr<RunOptions> options = ParseRunOptions(
      std::vector<std::string>(argv, argv + argc), DefaultCacheDir());
  if (!options.ok()) {
    std::cerr << "wasmhpc-run: " << options.status().message() << "\n"
              << wasmhpc::UsageHint("wasmhpc-run") << "\n";
    return 2;
  }
  if (!options->exit_text.empty()) {
    std::cout << options->exit_text;
    return 0;
  }
  return Run(*options);
}
