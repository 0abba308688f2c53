// wasmhpc-run: runs a WASI command module, standalone or under mpirun.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "worker/engine/engine.h"
#include "worker/run/mpi_session.h"
#include "worker/run/run_options.h"
#include "worker/wasi/wasi.h"

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

int Fail(int code, absl::string_view message) {
  std::cerr << "wasmhpc-run: " << message << "\n";
  return code;
}

absl::StatusOr<std::vector<uint8_t>> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat(path, ": ", std::strerror(errno)));
  }
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
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

int Run(const RunOptions& options) {
  absl::StatusOr<engine::Tier> tier = engine::ParseTier(options.tier);
  if (!tier.ok()) return Fail(kUsageExit, tier.status().message());
  absl::StatusOr<engine::Engine*> engine = engine::Engine::Get(
      {.tier = *tier, .max_memory_bytes = options.max_memory_mib << 20});
  if (!engine.ok()) return Fail(kUsageExit, engine.status().message());

  wasi::WasiOptions wasi_options;
  wasi_options.args = options.guest_args;
  wasi_options.env = options.env;
  wasi_options.preopens = options.dirs;
  absl::StatusOr<std::unique_ptr<wasi::Wasi>> wasi =
      wasi::Wasi::Create(std::move(wasi_options));
  if (!wasi.ok()) return Fail(kUsageExit, wasi.status().message());

  absl::StatusOr<std::vector<uint8_t>> bytes = ReadFile(options.module_path);
  if (!bytes.ok()) return Fail(kLoadExit, bytes.status().message());
  std::unique_ptr<engine::Store> store = engine::Store::Create(**engine);
  auto module = engine::Module::Compile(*store, *bytes);
  if (!module.ok()) {
    return Fail(kLoadExit, absl::StrCat(options.module_path, ": ",
                                        module.status().message()));
  }
  std::vector<engine::HostFunc> imports = (*wasi)->Imports();
  std::unique_ptr<MpiSession> mpi;
  if (MpiSession::Needed((*module)->info())) {
    absl::StatusOr<std::unique_ptr<MpiSession>> session =
        MpiSession::Start((*module)->info());
    if (!session.ok()) {
      return Fail(kLoadExit, absl::StrCat(options.module_path, ": ",
                                          session.status().message()));
    }
    mpi = *std::move(session);
    for (engine::HostFunc& f : mpi->Imports()) imports.push_back(std::move(f));
  }
  auto instance = engine::Instance::Create(*store, **module, imports);
  if (!instance.ok()) {
    return Fail(kLoadExit, absl::StrCat(options.module_path, ": ",
                                        instance.status().message()));
  }
  absl::StatusOr<engine::RunResult> result = (*instance)->RunStart();
  if (!result.ok()) {
    return Fail(kLoadExit,
                absl::StrCat(options.module_path, ": ", result.status().message()));
  }
  int exit_code = result->exit_code;
  if (result->trap) {
    std::string text = absl::StrCat("trap in rank ", LauncherRank(), ": ",
                                    result->trap->message);
    AppendFrames(result->trap->frames, &text);
    exit_code = Fail(kTrapExit, text);
  }
  return mpi ? mpi->Finish(result->trap.has_value(), exit_code) : exit_code;
}

}  // namespace
}  // namespace wasmhpc::run

int main(int argc, char** argv) {
  using namespace wasmhpc::run;
  absl::StatusOr<RunOptions> options =
      ParseRunOptions(std::vector<std::string>(argv, argv + argc));
  if (!options.ok()) {
    std::cerr << "wasmhpc-run: " << options.status().message() << "\n"
              << kUsage;
    return 2;
  }
  if (options->help) {
    std::cout << kUsage;
    return 0;
  }
  return Run(*options);
}
