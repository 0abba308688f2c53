#include "common/heap_tuning.h"

#include <malloc.h>

namespace wasmhpc {

void KeepFreedHeapMemory() {
  // Setting either fixes both (glibc's moving thresholds are off).
  mallopt(M_MMAP_THRESHOLD, kMmapBytes);
  mallopt(M_TRIM_THRESHOLD, kTrimBytes);
}

}  // namespace wasmhpc
