// LruCache: a bounded map that forgets its least recently used entry.
//
// Executors keep compiled modules in one (keyed by module digest) and the
// controller keeps fetched module bytes + code in another. Capacity counts
// entries; Put beyond it evicts the entry used longest ago (Get and Put
// count as uses).
//
// Thread safety: none; each user keeps its cache on one thread.
#ifndef WASMHPC_WORKER_POOL_LRU_CACHE_H_
#define WASMHPC_WORKER_POOL_LRU_CACHE_H_

#include <cstddef>
#include <list>
#include <map>
#include <utility>

namespace wasmhpc::pool {

template <typename Key, typename Value>
class LruCache {
 public:
  // REQUIRES: capacity >= 1.
  explicit LruCache(size_t capacity) : capacity_(capacity) {}

  // The value under `key`, now the most recently used; nullptr if absent.
  // The pointer stays valid until the entry is evicted or replaced.
  Value* Get(const Key& key) {
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second);
    return &it->second->second;
  }

  // Stores `value` under `key` (replacing any value there) as the most
  // recently used entry, evicting the least recently used one if full.
  // Returns the stored value.
  Value& Put(const Key& key, Value value) {
    if (auto it = index_.find(key); it != index_.end()) {
      order_.erase(it->second);
      index_.erase(it);
    }
    if (index_.size() >= capacity_) {
      index_.erase(order_.back().first);
      order_.pop_back();
    }
    order_.emplace_front(key, std::move(value));
    index_[key] = order_.begin();
    return order_.front().second;
  }

  bool Contains(const Key& key) const { return index_.contains(key); }
  size_t size() const { return index_.size(); }
  size_t capacity() const { return capacity_; }

 private:
  using Entry = std::pair<Key, Value>;
  size_t capacity_;
  std::list<Entry> order_;  // most recently used first
  std::map<Key, typename std::list<Entry>::iterator> index_;
};

}  // namespace wasmhpc::pool

#endif  // WASMHPC_WORKER_POOL_LRU_CACHE_H_
