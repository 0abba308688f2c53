// CRC32C (Castagnoli), the checksum in every stored blob's header.
//
// Internal to cache-store. Thread safe: pure functions. Uses the SSE4.2 crc32
// instruction when the CPU has it, a table otherwise; both give the same
// values (crc32c_test checks they agree).
#ifndef WASMHPC_CACHE_STORE_CRC32C_H_
#define WASMHPC_CACHE_STORE_CRC32C_H_

#include <cstddef>
#include <cstdint>

namespace wasmhpc::cache {

// Returns the CRC32C of `data[0, n)` continued from `crc` (the value of an
// earlier call over the preceding bytes; 0 to start). Crc32c("123456789") is
// 0xE3069283.
uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t n);

// The portable table-driven implementation, exposed so tests can compare.
uint32_t Crc32cExtendPortable(uint32_t crc, const void* data, size_t n);

inline uint32_t Crc32c(const void* data, size_t n) {
  return Crc32cExtend(0, data, n);
}

}  // namespace wasmhpc::cache

#endif  // WASMHPC_CACHE_STORE_CRC32C_H_
