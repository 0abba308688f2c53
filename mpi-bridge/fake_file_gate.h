// FakeFileGate: a FileSystemGate for bridge unit tests. Paths listed in
// `allowed` resolve to "/host/" + the guest path; any other path fails
// with `refusal`. Records every call.
#ifndef WASMHPC_MPI_BRIDGE_FAKE_FILE_GATE_H_
#define WASMHPC_MPI_BRIDGE_FAKE_FILE_GATE_H_

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "mpi-bridge/file_gate.h"

namespace wasmhpc::mpi {

class FakeFileGate final : public FileSystemGate {
 public:
  std::set<std::string> allowed;
  int32_t refusal = abi::kErrAccess;
  std::vector<std::pair<std::string, FileAccess>> calls;

  GateResult Resolve(std::string_view guest_path, FileAccess access) override {
    calls.emplace_back(std::string(guest_path), access);
    if (!allowed.contains(std::string(guest_path))) {
      return {
          .error_class = refusal,
          .message = "refused by the fake gate: " + std::string(guest_path)};
    }
    return {.path = std::make_unique<Path>("/host/" + std::string(guest_path))};
  }

 private:
  class Path final : public GatedPath {
   public:
    explicit Path(std::string p) : path_(std::move(p)) {}
    const std::string& host_path() const override { return path_; }

   private:
    std::string path_;
  };
};

}  // namespace wasmhpc::mpi

#endif  // WASMHPC_MPI_BRIDGE_FAKE_FILE_GATE_H_
