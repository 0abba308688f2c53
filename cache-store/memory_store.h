// The in-memory CacheStore backend: for tests, and for running without a
// cache directory.
//
// Same contract as every CacheStore (cache_store.h), minus durability: the
// data lives as long as the store object. Values are kept in their checked
// stored form, so reads return views without copying.
#ifndef WASMHPC_CACHE_STORE_MEMORY_STORE_H_
#define WASMHPC_CACHE_STORE_MEMORY_STORE_H_

#include <memory>

#include "cache-store/cache_store.h"

namespace wasmhpc {

// Returns an empty, writable store. Never fails.
std::unique_ptr<CacheStore> NewMemoryStore(StoreOptions options = {});

}  // namespace wasmhpc

#endif  // WASMHPC_CACHE_STORE_MEMORY_STORE_H_
