// Heap settings for the long-lived processes that run guests (pool
// executors, wasmhpc-run).
#ifndef WASMHPC_COMMON_HEAP_TUNING_H_
#define WASMHPC_COMMON_HEAP_TUNING_H_

namespace wasmhpc {

// Keeps freed heap memory for reuse instead of handing it back to the OS
// after each large free. By default glibc trims the heap's top once 128 KiB
// are free, so a process that builds and drops a job's state again and
// again (an executor: the bridge's handle tables and ~400 host functions
// per job) faults the same pages in every time: bridge set-up measured
// 630 us -> 5 us, its host functions 1.1 ms -> 0.2 ms. Up to kTrimBytes of
// free heap stay mapped; blocks over kMmapBytes still come from (and go
// back to) mmap. Guest linear memory is V8's own mapping, not the heap.
// Call first thing in main().
void KeepFreedHeapMemory();

inline constexpr int kTrimBytes = 64 << 20;
inline constexpr int kMmapBytes = 32 << 20;

}  // namespace wasmhpc

#endif  // WASMHPC_COMMON_HEAP_TUNING_H_
