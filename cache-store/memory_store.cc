// The in-memory KvBackend and NewMemoryStore.
#include "cache-store/memory_store.h"

#include <array>
#include <map>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "cache-store/kv_backend.h"
#include "cache-store/kv_cache_store.h"

namespace wasmhpc {
namespace cache {
namespace {

// One ordered map per space, under one mutex. Values are immutable shared
// strings: Get hands out a reference, a later Put replaces the pointer.
class MemoryKv final : public KvBackend {
 public:
  absl::StatusOr<SharedBytes> Get(Space space,
                                  absl::string_view key) const override {
    absl::MutexLock lock(&mu_);
    const Map& map = maps_[Index(space)];
    auto it = map.find(std::string(key));
    if (it == map.end()) return absl::NotFoundError("no such key");
    return SharedBytes(it->second);
  }

  absl::Status Write(std::vector<KvWrite> writes) override {
    absl::MutexLock lock(&mu_);
    for (KvWrite& write : writes) {
      Map& map = maps_[Index(write.space)];
      if (write.value.has_value()) {
        map[std::move(write.key)] =
            std::make_shared<const std::string>(*std::move(write.value));
      } else {
        map.erase(write.key);
      }
    }
    return absl::OkStatus();
  }

  absl::Status Scan(
      Space space, absl::string_view start, ScanDirection direction,
      absl::FunctionRef<bool(absl::string_view, absl::string_view)> visit)
      const override {
    absl::MutexLock lock(&mu_);
    const Map& map = maps_[Index(space)];
    if (direction == ScanDirection::kForward) {
      for (auto it = map.lower_bound(std::string(start)); it != map.end();
           ++it) {
        if (!visit(it->first, *it->second)) break;
      }
      return absl::OkStatus();
    }
    for (auto it =
             std::make_reverse_iterator(map.upper_bound(std::string(start)));
         it != map.rend(); ++it) {
      if (!visit(it->first, *it->second)) break;
    }
    return absl::OkStatus();
  }

  bool read_only() const override { return false; }
  const std::string& name() const override { return name_; }

 private:
  using Map = std::map<std::string, std::shared_ptr<const std::string>>;
  static size_t Index(Space space) { return static_cast<size_t>(space); }

  const std::string name_ = "memory cache";
  mutable absl::Mutex mu_;
  std::array<Map, std::size(kAllSpaces) + 1> maps_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

std::unique_ptr<KvBackend> NewMemoryKv() {
  return std::make_unique<MemoryKv>();
}

}  // namespace cache

std::unique_ptr<CacheStore> NewMemoryStore(StoreOptions options) {
  return cache::NewKvCacheStore(cache::NewMemoryKv(), std::move(options.log));
}

}  // namespace wasmhpc
