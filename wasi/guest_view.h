// GuestView: typed access to guest memory for WASI calls, with errno-style
// failures.
//
// Every access goes through GuestMemory::Span; a range outside linear memory
// yields Errno::kFault (the guest sees EFAULT; WASI calls never trap on a bad
// pointer). Not thread-safe; valid while the guest is suspended in a call.
#ifndef WASMHPC_WASI_GUEST_VIEW_H_
#define WASMHPC_WASI_GUEST_VIEW_H_

#include <sys/uio.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "absl/types/span.h"
#include "engine/guest_memory.h"
#include "wasi/wasi_abi.h"

namespace wasmhpc::wasi {

// Most iovecs one call accepts (Linux IOV_MAX); more yield kInval.
inline constexpr uint32_t kMaxIovecs = 1024;
// Longest path a call accepts; longer yields kNametoolong.
inline constexpr uint32_t kMaxPathBytes = 64 * 1024;

class GuestView {
 public:
  explicit GuestView(const engine::GuestMemory& memory) : memory_(memory) {}

  // Host view of guest bytes [ptr, ptr + len).
  Errno Bytes(uint32_t ptr, uint64_t len, absl::Span<uint8_t>* out) const {
    absl::StatusOr<absl::Span<uint8_t>> span = memory_.Span(ptr, len);
    if (!span.ok()) return Errno::kFault;
    *out = *span;
    return Errno::kSuccess;
  }

  // Checks that [ptr, ptr + len) is writable before a call has side effects.
  Errno Check(uint32_t ptr, uint64_t len) const {
    absl::Span<uint8_t> unused;
    return Bytes(ptr, len, &unused);
  }

  // Little-endian scalar load and store (no alignment required).
  template <typename T>
  Errno Load(uint32_t ptr, T* out) const {
    absl::Span<uint8_t> bytes;
    WASI_TRY(Bytes(ptr, sizeof(T), &bytes));
    std::memcpy(out, bytes.data(), sizeof(T));
    return Errno::kSuccess;
  }
  template <typename T>
  Errno Store(uint32_t ptr, T value) const {
    absl::Span<uint8_t> bytes;
    WASI_TRY(Bytes(ptr, sizeof(T), &bytes));
    std::memcpy(bytes.data(), &value, sizeof(T));
    return Errno::kSuccess;
  }

  // Copies a path argument. kNametoolong above kMaxPathBytes, kInval if it
  // holds a NUL byte.
  Errno Path(uint32_t ptr, uint32_t len, std::string* out) const;

  // Resolves a guest iovec array into host iovecs pointing into linear
  // memory; every buffer is bounds-checked. kInval above kMaxIovecs.
  Errno Iovecs(uint32_t iovs, uint32_t count, std::vector<iovec>* out) const;

 private:
  const engine::GuestMemory& memory_;
};

}  // namespace wasmhpc::wasi

#endif  // WASMHPC_WASI_GUEST_VIEW_H_
