// GuestMemory: the one bounds-checked door into a Wasm instance's linear
// memory.
//
// Every host function reaches guest memory through Data() or Span();
// nothing else adds a base pointer to a guest offset. Linear memory only
// grows, so the last known size is a safe bound: a range inside it is
// valid without asking the engine, a range past it re-reads the size
// first. Thread safety: not thread-safe; one instance, one thread.
#ifndef WASMHPC_ENGINE_GUEST_MEMORY_H_
#define WASMHPC_ENGINE_GUEST_MEMORY_H_

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace wasmhpc::engine {

class GuestMemory {
 public:
  virtual ~GuestMemory() = default;

  // Current size of linear memory in bytes (it can grow between calls).
  uint64_t size() const {
    Refresh();
    return size_;
  }

  // Host address of guest bytes [offset, offset + length), or nullptr if
  // any of them lies outside linear memory. The fast path of Span(). Valid
  // until the guest runs again (memory.grow keeps the base address).
  uint8_t* Data(uint64_t offset, uint64_t length) const {
    if (!Inside(offset, length)) {
      Refresh();
      if (!Inside(offset, length)) return nullptr;
    }
    return base_ + offset;
  }

  // As Data(), but an out-of-range request is OutOfRange with a message
  // naming `what`, the range and the memory size.
  absl::StatusOr<absl::Span<uint8_t>> Span(uint64_t offset, uint64_t length,
                                           std::string_view what = "") const;

 protected:
  // Re-reads base_ and size_ from the engine (a cache: hence const).
  virtual void Refresh() const = 0;

  mutable uint8_t* base_ = nullptr;
  mutable uint64_t size_ = 0;

 private:
  bool Inside(uint64_t offset, uint64_t length) const {
    return offset <= size_ && length <= size_ - offset;
  }
};

}  // namespace wasmhpc::engine

#endif  // WASMHPC_ENGINE_GUEST_MEMORY_H_
