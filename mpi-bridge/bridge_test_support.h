// Test support for the bridge's unit tests: BridgeFixture, a fixture that
// calls a Bridge's imports by name through their callbacks, as the engine
// calls a guest's imports; GiveGuestAllocator and ExportBumpMalloc, a
// guest's malloc and free.
//
// Thread safety: none; one test's fixture owns them.
#ifndef WASMHPC_MPI_BRIDGE_BRIDGE_TEST_SUPPORT_H_
#define WASMHPC_MPI_BRIDGE_BRIDGE_TEST_SUPPORT_H_

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "engine/fake_guest_memory.h"
#include "engine/host_func.h"
#include "gtest/gtest.h"
#include "mpi-bridge/abi.h"
#include "mpi-bridge/bridge.h"
#include "mpi-bridge/guest_data.h"

namespace wasmhpc::mpi {

// The base of the bridge's test fixtures: a derived fixture owns a Bridge
// and a guest context and binds them in its constructor.
class BridgeFixture : public ::testing::Test {
 protected:
  // Binds `bridge`'s imports (replacing those of the same names), called
  // in `guest`; both outlive the calls.
  void Bind(Bridge& bridge, engine::HostContext& guest) {
    guest_context_ = &guest;
    for (engine::HostFunc& f : bridge.Imports()) {
      imports_[f.name] = std::move(f);
    }
  }

  // Calls import `name` with `args` (one per Wasm parameter). A test
  // failure when no import has that name (NotFound) or `args` does not
  // match its parameters.
  absl::StatusOr<uint64_t> Call(const std::string& name,
                                std::vector<uint64_t> args) {
    auto it = imports_.find(name);
    EXPECT_NE(it, imports_.end()) << name;
    if (it == imports_.end()) return absl::NotFoundError(name);
    EXPECT_EQ(it->second.type.params.size(), args.size()) << name;
    return it->second.callback(*guest_context_, args.data());
  }

  // The MPI return code of a call that must not trap (-1 if it does).
  int32_t Code(const std::string& name, std::vector<uint64_t> args) {
    absl::StatusOr<uint64_t> r = Call(name, std::move(args));
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? static_cast<int32_t>(*r) : -1;
  }

  // MPI_Init as a guest calls it; then, with `errors_return`,
  // MPI_COMM_WORLD's handler MPI_ERRORS_RETURN, so errors come back as
  // codes instead of traps.
  void InitMpi(bool errors_return) {
    ASSERT_EQ(Code("MPI_Init", {0, 0}), 0);
    if (!errors_return) return;
    ASSERT_EQ(
        Code("MPI_Comm_set_errhandler", {abi::kCommWorld, abi::kErrorsReturn}),
        0);
  }

  // Every bound import, by name.
  const absl::flat_hash_map<std::string, engine::HostFunc>& imports() const {
    return imports_;
  }

 private:
  engine::HostContext* guest_context_ = nullptr;
  absl::flat_hash_map<std::string, engine::HostFunc> imports_;
};

// Table indices of the fake guest's malloc and free (GiveGuestAllocator).
inline constexpr uint32_t kFakeMallocIndex = 0xa110c;
inline constexpr uint32_t kFakeFreeIndex = 0xa110d;

// Gives `guest` the SDK's allocator record (guest_data.h): the exported
// global kGuestAllocator pointing at `record` (8 bytes of guest memory),
// which holds the table indices of `malloc_fn` and `free_fn`.
inline void GiveGuestAllocator(
    engine::FakeHostContext& guest, uint32_t record,
    std::function<uint64_t(const std::vector<uint64_t>&)> malloc_fn,
    std::function<uint64_t(const std::vector<uint64_t>&)> free_fn) {
  using engine::ValType;
  guest.table[kFakeMallocIndex] = {{{ValType::kI32}, {ValType::kI32}},
                                   std::move(malloc_fn)};
  guest.table[kFakeFreeIndex] = {{{ValType::kI32}, {}}, std::move(free_fn)};
  guest.globals[kGuestAllocator] = record;
  guest.fake_memory().Store<uint32_t>(record, kFakeMallocIndex);
  guest.fake_memory().Store<uint32_t>(record + 4, kFakeFreeIndex);
}

// Gives `guest` a malloc, a bump allocator from `heap` in 8-byte steps
// that never runs out, and a free, which appends the address it frees to
// `freed` (which outlives `guest`'s calls). The allocator record takes the
// 8 bytes below `heap`.
inline void ExportBumpMalloc(engine::FakeHostContext& guest, uint32_t heap,
                             std::vector<uint64_t>& freed) {
  GiveGuestAllocator(
      guest, heap - 8,
      [next = uint64_t{heap}](const std::vector<uint64_t>& a) mutable {
        uint64_t p = next;
        next += (a[0] + 7) & ~7ull;
        return p;
      },
      [&freed](const std::vector<uint64_t>& a) {
        freed.push_back(a[0]);
        return uint64_t{0};
      });
}

}  // namespace wasmhpc::mpi

#endif  // WASMHPC_MPI_BRIDGE_BRIDGE_TEST_SUPPORT_H_
