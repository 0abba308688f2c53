// GuestMemory: the one bounds-checked door into a Wasm instance's linear memory.
//
// Every host function reaches guest memory through Span(); nothing else adds
// a base pointer to a guest offset. Thread safety: not thread-safe; one
// instance, one thread.
#ifndef WASMHPC_WORKER_ENGINE_GUEST_MEMORY_H_
#define WASMHPC_WORKER_ENGINE_GUEST_MEMORY_H_

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace wasmhpc::engine {

class GuestMemory {
 public:
  virtual ~GuestMemory() = default;

  // Current size of linear memory in bytes (it can grow between calls).
  virtual uint64_t size() const = 0;

  // Host view of guest bytes [offset, offset + length). Returns
  // OutOfRange (message naming `what`, the range and the memory size) if any
  // byte lies outside linear memory. The span is valid until the guest runs
  // again (memory.grow keeps the base address, see ARCHITECTURE.md).
  absl::StatusOr<absl::Span<uint8_t>> Span(uint64_t offset, uint64_t length,
                                           std::string_view what = "") const;

 protected:
  // Base address of linear memory; valid for size() bytes.
  virtual uint8_t* base() const = 0;
};

}  // namespace wasmhpc::engine

#endif  // WASMHPC_WORKER_ENGINE_GUEST_MEMORY_H_
