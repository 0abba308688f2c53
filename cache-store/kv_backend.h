// KvBackend: the ordered key-value map under a CacheStore.
//
// Internal to cache-store. A backend is a handful of ordered byte maps, one
// per Space (RocksDB: one column family each; memory: one std::map each).
// A store written before a space existed opens read-only with that space
// empty (RocksDB: a missing column family reads as empty).
// KvCacheStore builds everything else (envelopes, checksums, keys, log
// offsets) on top, so both backends share that logic and one test suite.
//
// Thread safety: every method may be called from any thread at once.
// Errors: NotFound for a missing key; FailedPrecondition for a write to a
// read-only backend; ResourceExhausted when the disk is full; Unavailable /
// Internal / DataLoss for other I/O failures. Messages name the store.
#ifndef WASMHPC_CACHE_STORE_KV_BACKEND_H_
#define WASMHPC_CACHE_STORE_KV_BACKEND_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cache-store/shared_bytes.h"

namespace wasmhpc::cache {

// The kinds of data. The values are stored in blob headers: never renumber.
enum class Space : uint8_t {
  kModules = 1,        // digest -> module bytes
  kModuleSizes = 2,    // digest -> module size (u64), so listing reads no bytes
  kCode = 3,           // digest '\0' fingerprint -> serialized code
  kJobs = 4,           // job id -> job record
  kLogs = 5,           // job id '\0' big-endian u64 offset -> log chunk
  kModuleRecords = 6,  // digest -> module metadata record
  kCodeSizes = 7,  // digest '\0' fingerprint -> code size (u64), for HasCode
};
// Each space with its column family name, in Space order.
struct SpaceInfo {
  Space space;
  const char* name;
};
inline constexpr SpaceInfo kSpaces[] = {
    {Space::kModules, "modules"},
    {Space::kModuleSizes, "module_sizes"},
    {Space::kCode, "code"},
    {Space::kJobs, "jobs"},
    {Space::kLogs, "logs"},
    {Space::kModuleRecords, "module_records"},
    {Space::kCodeSizes, "code_sizes"},
};
// Every space, in Space order.
inline constexpr std::array<Space, std::size(kSpaces)> kAllSpaces = [] {
  std::array<Space, std::size(kSpaces)> all{};
  for (size_t i = 0; i < all.size(); ++i) all[i] = kSpaces[i].space;
  return all;
}();

// Column family name of a space (kSpaces).
const char* SpaceName(Space space);

// One write of a batch: a put, or a delete when `value` is empty.
struct KvWrite {
  Space space;
  std::string key;
  std::optional<std::string> value;
};

enum class ScanDirection { kForward, kBackward };

class KvBackend {
 public:
  virtual ~KvBackend() = default;

  // Returns the value stored under `key`, or NotFound. The returned bytes
  // are shared with the caller, never change, and stay valid after the
  // backend is destroyed.
  virtual absl::StatusOr<SharedBytes> Get(Space space,
                                          absl::string_view key) const = 0;

  // Applies all writes atomically, in order. Deleting a missing key is not
  // an error.
  virtual absl::Status Write(std::vector<KvWrite> writes) = 0;

  // Visits entries in key order starting at `start`: kForward from the first
  // key >= start upwards, kBackward from the last key <= start downwards,
  // until `visit` returns false or the space ends. The views are valid only
  // during the call. `visit` must not call back into the backend.
  virtual absl::Status Scan(
      Space space, absl::string_view start, ScanDirection direction,
      absl::FunctionRef<bool(absl::string_view key, absl::string_view value)>
          visit) const = 0;

  // True if writes are refused (opened read-only).
  virtual bool read_only() const = 0;

  // Names the store in messages: "cache /var/lib/wasmhpc/cache",
  // "memory cache".
  virtual const std::string& name() const = 0;
};

// An empty in-memory backend; never read-only.
std::unique_ptr<KvBackend> NewMemoryKv();

}  // namespace wasmhpc::cache

#endif  // WASMHPC_CACHE_STORE_KV_BACKEND_H_
