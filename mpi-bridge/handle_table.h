// HandleTable: guest MPI handles <-> host objects, O(1) both ways.
//
// Predefined handles (< abi::kPredefinedLimit) index a dense array. User
// handles encode a slot, a 7-bit generation and the object kind:
//   handle = kUserBase + ((generation << 20 | slot) << 4 | kind)
// so a freed handle stays invalid until its slot has been reused 128 times,
// and a handle of another kind (a datatype passed as a communicator) is
// recognised as such. No locks: one table belongs to one guest instance,
// which runs on one thread.
#ifndef WASMHPC_MPI_BRIDGE_HANDLE_TABLE_H_
#define WASMHPC_MPI_BRIDGE_HANDLE_TABLE_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "mpi-bridge/abi.h"

namespace wasmhpc::mpi {

enum class Kind : uint8_t {
  kComm,
  kGroup,
  kDatatype,
  kOp,
  kRequest,
  kInfo,
  kErrhandler,
  kWin,
  kFile,
  kMessage,
  kSession,
};

// "communicator", "datatype", ...
const char* KindName(Kind kind);

// The kind a handle value belongs to, if it is a predefined value or a
// well-formed user handle.
std::optional<Kind> KindOfHandle(abi::Handle handle);

template <typename Entry>
class HandleTable {
 public:
  static constexpr uint32_t kMaxSlots = 1u << 20;

  explicit HandleTable(Kind kind) : kind_(kind) {}

  Kind kind() const { return kind_; }

  // Makes predefined `handle` (< kPredefinedLimit) refer to `entry`.
  void Define(abi::Handle handle, Entry entry) {
    if (handle >= predefined_.size()) predefined_.resize(handle + 1);
    predefined_[handle] = std::move(entry);
  }

  // The entry of a live handle of this table's kind, else nullptr.
  Entry* Find(abi::Handle handle) {
    if (handle < abi::kPredefinedLimit) {
      if (handle >= predefined_.size() || !predefined_[handle]) return nullptr;
      return &*predefined_[handle];
    }
    uint32_t bits = handle - abi::kUserBase;
    if (handle < abi::kUserBase ||
        (bits & 15) != static_cast<uint32_t>(kind_)) {
      return nullptr;
    }
    uint32_t slot = (bits >> 4) & (kMaxSlots - 1);
    uint32_t generation = bits >> 24;
    if (slot >= slots_.size() || !slots_[slot].entry ||
        slots_[slot].generation != generation) {
      return nullptr;
    }
    return &*slots_[slot].entry;
  }

  // Stores `entry` under a new user handle. Returns nullopt when all slots
  // are in use.
  std::optional<abi::Handle> Insert(Entry entry) {
    uint32_t slot;
    if (!free_.empty()) {
      slot = free_.back();
      free_.pop_back();
    } else if (slots_.size() < kMaxSlots) {
      slot = static_cast<uint32_t>(slots_.size());
      slots_.emplace_back();
    } else {
      return std::nullopt;
    }
    slots_[slot].entry = std::move(entry);
    ++live_;
    return abi::kUserBase + (((slots_[slot].generation << 20) | slot) << 4 |
                             static_cast<uint32_t>(kind_));
  }

  // Frees a user handle. Returns false if it was not live (predefined
  // handles cannot be erased).
  bool Erase(abi::Handle handle) {
    if (handle < abi::kPredefinedLimit || Find(handle) == nullptr) return false;
    uint32_t slot = ((handle - abi::kUserBase) >> 4) & (kMaxSlots - 1);
    slots_[slot].entry.reset();
    slots_[slot].generation = (slots_[slot].generation + 1) & 0x7f;
    free_.push_back(slot);
    --live_;
    return true;
  }

  // Number of live user handles.
  size_t live() const { return live_; }

  // Calls fn(handle, entry) for every live user handle.
  template <typename Fn>
  void ForEachUser(Fn fn) {
    for (uint32_t slot = 0; slot < slots_.size(); ++slot) {
      if (!slots_[slot].entry) continue;
      fn(abi::kUserBase + (((slots_[slot].generation << 20) | slot) << 4 |
                           static_cast<uint32_t>(kind_)),
         *slots_[slot].entry);
    }
  }

 private:
  struct Slot {
    std::optional<Entry> entry;
    uint32_t generation = 0;
  };

  Kind kind_;
  std::vector<std::optional<Entry>> predefined_;
  std::vector<Slot> slots_;
  std::vector<uint32_t> free_;
  size_t live_ = 0;
};

}  // namespace wasmhpc::mpi

#endif  // WASMHPC_MPI_BRIDGE_HANDLE_TABLE_H_
