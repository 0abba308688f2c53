// The RocksDB KvBackend, for OpenRocksDbStore and for tests.
//
// Internal to cache-store: tests use it to reach raw entries (to damage
// them) and to inject a failing rocksdb::Env (to fill the disk).
#ifndef WASMHPC_CACHE_STORE_ROCKSDB_KV_H_
#define WASMHPC_CACHE_STORE_ROCKSDB_KV_H_

#include <memory>

#include "absl/status/statusor.h"
#include "cache-store/kv_backend.h"
#include "cache-store/rocksdb_store.h"

namespace rocksdb {
class Env;
}  // namespace rocksdb

namespace wasmhpc::cache {

// Opens the backend; errors as documented for OpenRocksDbStore. `env`: the
// RocksDB environment, not owned, must outlive the backend; null means
// rocksdb::Env::Default(). options.log is not used here.
absl::StatusOr<std::unique_ptr<KvBackend>> OpenRocksDbKv(
    const RocksDbOptions& options, rocksdb::Env* env = nullptr);

}  // namespace wasmhpc::cache

#endif  // WASMHPC_CACHE_STORE_ROCKSDB_KV_H_
