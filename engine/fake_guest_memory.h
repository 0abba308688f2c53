// FakeGuestMemory: a GuestMemory over a host vector, for unit tests of host
// functions without V8. Not thread-safe.
#ifndef WASMHPC_ENGINE_FAKE_GUEST_MEMORY_H_
#define WASMHPC_ENGINE_FAKE_GUEST_MEMORY_H_

#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engine/guest_memory.h"
#include "engine/host_func.h"

namespace wasmhpc::engine {

class FakeGuestMemory : public GuestMemory {
 public:
  explicit FakeGuestMemory(size_t bytes) : bytes_(bytes, 0) { Refresh(); }

  // Grows or shrinks memory (tests of growth between calls).
  void Resize(size_t bytes) { bytes_.resize(bytes); }
  std::vector<uint8_t>& bytes() { return bytes_; }

  // Test helpers: raw little-endian access, CHECK-free (tests keep in range).
  template <typename T>
  T Load(uint32_t offset) const {
    T v;
    std::memcpy(&v, bytes_.data() + offset, sizeof(T));
    return v;
  }
  template <typename T>
  void Store(uint32_t offset, T v) {
    std::memcpy(bytes_.data() + offset, &v, sizeof(T));
  }
  void StoreString(uint32_t offset, std::string_view s) {
    std::memcpy(bytes_.data() + offset, s.data(), s.size());
  }

 protected:
  void Refresh() const override {
    base_ = const_cast<uint8_t*>(bytes_.data());
    size_ = bytes_.size();
  }

 private:
  std::vector<uint8_t> bytes_;
};

// A HostContext over a FakeGuestMemory that records exit requests.
class FakeHostContext : public HostContext {
 public:
  explicit FakeHostContext(size_t memory_bytes) : memory_(memory_bytes) {}

  GuestMemory& memory() override { return memory_; }
  FakeGuestMemory& fake_memory() { return memory_; }
  void RequestExit(int32_t code) override {
    exit_requested_ = true;
    exit_code_ = code;
  }
  // Guest "functions" for CallIndirect, by table index.
  struct TableEntry {
    FuncType type;
    std::function<uint64_t(const std::vector<uint64_t>&)> fn;
  };
  std::map<uint32_t, TableEntry> table;
  absl::StatusOr<uint64_t> CallIndirect(
      uint32_t index, const FuncType& type,
      const std::vector<uint64_t>& args) override {
    auto it = table.find(index);
    if (it == table.end() || !(it->second.type == type)) {
      return absl::InvalidArgumentError("table index " + std::to_string(index) +
                                        " is not a function of type " +
                                        ToString(type));
    }
    return it->second.fn(args);
  }

  // Exported globals for ExportedGlobal, by name.
  std::map<std::string, uint64_t> globals;
  absl::StatusOr<uint64_t> ExportedGlobal(const std::string& name) override {
    auto it = globals.find(name);
    if (it == globals.end()) {
      return absl::NotFoundError("the module exports no global " + name);
    }
    return it->second;
  }

  bool exit_requested() const { return exit_requested_; }
  int32_t exit_code() const { return exit_code_; }

 private:
  FakeGuestMemory memory_;
  bool exit_requested_ = false;
  int32_t exit_code_ = 0;
};

}  // namespace wasmhpc::engine

#endif  // WASMHPC_ENGINE_FAKE_GUEST_MEMORY_H_
