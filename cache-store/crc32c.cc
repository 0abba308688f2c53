#include "cache-store/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace wasmhpc::cache {
namespace {

constexpr uint32_t kPolynomial = 0x82F63B78;  // Castagnoli, reflected.

constexpr std::array<uint32_t, 256> MakeTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t crc = i;
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc >> 1) ^ ((crc & 1) ? kPolynomial : 0);
    }
    table[i] = crc;
  }
  return table;
}

constexpr std::array<uint32_t, 256> kTable = MakeTable();

#if defined(__x86_64__)
// The crc32 instruction takes 3 cycles but can start one per cycle: three
// independent streams over three adjacent blocks run ~3x faster than one
// (a 3 MB code blob: ~0.45 ms -> ~0.15 ms). The block CRCs are then joined
// with ShiftTable: the CRC register of A||B is the register of A advanced
// over |B| zero bytes, xor the register of B started from 0.

// A linear map on CRC registers, as a 32x32 matrix over GF(2): column i is
// the image of bit i.
using Gf2Matrix = std::array<uint32_t, 32>;

uint32_t Apply(const Gf2Matrix& matrix, uint32_t vector) {
  uint32_t sum = 0;
  for (int i = 0; vector != 0; ++i, vector >>= 1) {
    if (vector & 1) sum ^= matrix[i];
  }
  return sum;
}

Gf2Matrix Square(const Gf2Matrix& matrix) {
  Gf2Matrix square;
  for (int i = 0; i < 32; ++i) square[i] = Apply(matrix, matrix[i]);
  return square;
}

// The map that advances a register over `bytes` zero bytes.
Gf2Matrix ZeroBytesOperator(size_t bytes) {
  Gf2Matrix op;  // One zero bit: shift right, xor the polynomial on carry.
  op[0] = kPolynomial;
  for (int i = 1; i < 32; ++i) op[i] = uint32_t{1} << (i - 1);
  for (int i = 0; i < 3; ++i) op = Square(op);  // 8 bits: one byte.
  Gf2Matrix result{};
  bool have = false;
  for (; bytes != 0; bytes >>= 1, op = Square(op)) {
    if ((bytes & 1) == 0) continue;
    if (!have) {
      result = op;
      have = true;
    } else {
      for (uint32_t& column : result) column = Apply(op, column);
    }
  }
  return result;
}

// ZeroBytesOperator(bytes) as four byte-indexed tables.
struct ShiftTable {
  explicit ShiftTable(size_t bytes) {
    const Gf2Matrix op = ZeroBytesOperator(bytes);
    for (uint32_t n = 0; n < 256; ++n) {
      for (int b = 0; b < 4; ++b) table[b][n] = Apply(op, n << (8 * b));
    }
  }
  uint32_t Shift(uint32_t crc) const {
    return table[0][crc & 0xFF] ^ table[1][(crc >> 8) & 0xFF] ^
           table[2][(crc >> 16) & 0xFF] ^ table[3][crc >> 24];
  }
  uint32_t table[4][256];
};

// Runs the three streams over [p, p + 3 * block) as long as n allows.
__attribute__((target("sse4.2"))) uint64_t Crc32cThreeStreams(
    uint64_t state, const uint8_t*& p, size_t& n, size_t block,
    const ShiftTable& shift) {
  while (n >= 3 * block) {
    uint64_t state1 = 0, state2 = 0;
    for (size_t i = 0; i < block; i += 8) {
      uint64_t w0, w1, w2;
      std::memcpy(&w0, p + i, 8);
      std::memcpy(&w1, p + block + i, 8);
      std::memcpy(&w2, p + 2 * block + i, 8);
      state = _mm_crc32_u64(state, w0);
      state1 = _mm_crc32_u64(state1, w1);
      state2 = _mm_crc32_u64(state2, w2);
    }
    state = shift.Shift(static_cast<uint32_t>(state)) ^ state1;
    state = shift.Shift(static_cast<uint32_t>(state)) ^ state2;
    p += 3 * block;
    n -= 3 * block;
  }
  return state;
}

__attribute__((target("sse4.2"))) uint32_t Crc32cExtendSse42(uint32_t crc,
                                                             const void* data,
                                                             size_t n) {
  constexpr size_t kLongBlock = 8192, kShortBlock = 256;
  static const ShiftTable* const long_shift = new ShiftTable(kLongBlock);
  static const ShiftTable* const short_shift = new ShiftTable(kShortBlock);
  const auto* p = static_cast<const uint8_t*>(data);
  uint64_t state = ~crc;
  state = Crc32cThreeStreams(state, p, n, kLongBlock, *long_shift);
  state = Crc32cThreeStreams(state, p, n, kShortBlock, *short_shift);
  while (n >= 8) {
    uint64_t word;
    std::memcpy(&word, p, sizeof(word));
    state = _mm_crc32_u64(state, word);
    p += 8;
    n -= 8;
  }
  auto state32 = static_cast<uint32_t>(state);
  while (n > 0) {
    state32 = _mm_crc32_u8(state32, *p++);
    --n;
  }
  return ~state32;
}

bool CpuHasSse42() {
  static const bool has = __builtin_cpu_supports("sse4.2");
  return has;
}
#endif

}  // namespace

uint32_t Crc32cExtendPortable(uint32_t crc, const void* data, size_t n) {
  const auto* p = static_cast<const uint8_t*>(data);
  uint32_t state = ~crc;
  for (size_t i = 0; i < n; ++i) {
    state = kTable[(state ^ p[i]) & 0xFF] ^ (state >> 8);
  }
  return ~state;
}

uint32_t Crc32cExtend(uint32_t crc, const void* data, size_t n) {
#if defined(__x86_64__)
  if (CpuHasSse42()) return Crc32cExtendSse42(crc, data, n);
#endif
  return Crc32cExtendPortable(crc, data, n);
}

}  // namespace wasmhpc::cache
