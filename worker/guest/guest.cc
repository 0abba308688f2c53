#include "worker/guest/guest.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "mpi-bridge/preopen_file_gate.h"
#include "mpi-bridge/provided_functions.h"

namespace wasmhpc::guest {
namespace {

bool IsMpiImport(const engine::ImportInfo& imp) {
  return imp.module == "env" && imp.name.starts_with("MPI_");
}

}  // namespace

bool ImportsMpi(const engine::ModuleInfo& info) {
  return std::any_of(info.imports.begin(), info.imports.end(), IsMpiImport);
}

absl::Status CheckMpiImports(const engine::ModuleInfo& info) {
  std::vector<std::string> names;
  for (const engine::ImportInfo& imp : info.imports) {
    if (IsMpiImport(imp)) names.push_back(imp.name);
  }
  return mpi::CheckFunctionsProvided(names);
}

absl::StatusOr<std::unique_ptr<Guest>> Guest::Create(
    wasi::WasiOptions options) {
  std::unique_ptr<Guest> guest(new Guest());
  const std::vector<wasi::Preopen> dirs = options.preopens;
  absl::StatusOr<std::unique_ptr<wasi::Wasi>> wasi =
      wasi::Wasi::Create(std::move(options));
  if (!wasi.ok()) return wasi.status();
  guest->wasi_ = *std::move(wasi);
  // After WASI has checked the directories.
  absl::StatusOr<std::unique_ptr<mpi::PreopenFileGate>> files =
      mpi::PreopenFileGate::Create(dirs);
  if (!files.ok()) return files.status();
  guest->files_ = *std::move(files);
  return guest;
}

absl::Status Guest::Instantiate(engine::Store& store,
                                const engine::Module& module,
                                const InstantiateOptions& options) {
  if (absl::Status s = CheckMpiImports(module.info()); !s.ok()) return s;
  std::vector<engine::HostFunc> imports = wasi_->Imports();
  if (options.transport != nullptr) {
    bridge_ = std::make_unique<mpi::Bridge>(
        mpi::BridgeOptions{.transport = options.transport,
                           .world = options.world,
                           .files = files_.get()});
    for (engine::HostFunc& f : bridge_->Imports()) {
      imports.push_back(std::move(f));
    }
  }
  absl::StatusOr<std::unique_ptr<engine::Instance>> instance =
      engine::Instance::Create(store, module, std::move(imports),
                               {.max_memory_bytes = options.max_memory_bytes});
  if (!instance.ok()) return instance.status();
  instance_ = *std::move(instance);
  return absl::OkStatus();
}

Guest::~Guest() {
  instance_.reset();
  bridge_.reset();
  files_.reset();
  wasi_.reset();
}

absl::StatusOr<engine::RunResult> Guest::RunStart() {
  return instance_->RunStart();
}

}  // namespace wasmhpc::guest
