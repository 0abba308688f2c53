// KeepFreedHeapMemory: a large block freed stays in the heap for reuse.
#include "common/heap_tuning.h"

#include <malloc.h>

#include <cstdlib>
#include <cstring>

#include "gtest/gtest.h"

namespace wasmhpc {
namespace {

TEST(HeapTuning, FreedLargeBlocksStayInTheHeap) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer's allocator replaces glibc's malloc";
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  GTEST_SKIP() << "AddressSanitizer's allocator replaces glibc's malloc";
#endif
#endif
  KeepFreedHeapMemory();
  constexpr size_t kBlock = 8 << 20;  // below kMmapBytes, over glibc's 128 KiB
  static_assert(kBlock < kMmapBytes && kBlock < kTrimBytes);
  void* block = std::malloc(kBlock);
  ASSERT_NE(block, nullptr);
  std::memset(block, 1, kBlock);
  // From the heap (brk), not a mapping of its own.
  EXPECT_LT(mallinfo2().hblkhd, kBlock);
  std::free(block);
  // Still there: free heap, not trimmed back to the OS.
  EXPECT_GE(mallinfo2().fordblks, kBlock);
}

}  // namespace
}  // namespace wasmhpc
