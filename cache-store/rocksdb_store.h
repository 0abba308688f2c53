// The RocksDB CacheStore backend: one directory, one column family per kind
// of data ("modules", "module_sizes", "code", "jobs", "logs").
//
// Same contract as every CacheStore (cache_store.h); data survives closing
// and reopening. No RocksDB type appears here: only this target links it.
//
// Failing disk: a write that fails (disk full: ResourceExhausted) changes
// nothing and leaves reads working. RocksDB then refuses writes until it has
// recovered; this store retries its Resume on later writes, and reopening
// the store always clears it.
//
// Processes: one process at a time may open a directory for writing
// (RocksDB's LOCK file); any number may open it read-only alongside, each
// seeing the data as of its opening.
#ifndef WASMHPC_CACHE_STORE_ROCKSDB_STORE_H_
#define WASMHPC_CACHE_STORE_ROCKSDB_STORE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "cache-store/cache_store.h"

namespace wasmhpc {

struct RocksDbOptions {
  // The cache directory. REQUIRED (no default).
  std::string path;
  // Open for reading only (rocksdb::DB::OpenForReadOnly): takes no lock, so
  // it works while another process has the directory open for writing.
  // Writes then fail with FailedPrecondition. Default: false.
  bool read_only = false;
  // Create the directory (and parents) and an empty cache if missing.
  // Ignored when read_only. Default: true.
  bool create_if_missing = true;
  // fsync the write-ahead log on every write, so a write survives a machine
  // crash once it returns. Slower. Default: false.
  bool sync_writes = false;
  // Diagnostics; see StoreOptions::log. Default: stderr.
  CacheLogFn log;
};

// Opens the cache at options.path. Errors, each naming the path:
//   InvalidArgument     empty path
//   NotFound            no cache there (read_only, or !create_if_missing)
//   FailedPrecondition  the path (or a parent) exists and is not a directory
//   PermissionDenied    the directory cannot be created or written (no
//                       permission, read-only file system)
//   Unavailable         "cache <path> is in use by another process": another
//                       store holds it open for writing (open read_only, or
//                       use another path)
//   ResourceExhausted   the disk is full
//   Internal / DataLoss other RocksDB failures (e.g. corrupt MANIFEST)
// Callers that can run without a cache go on without one on any error.
absl::StatusOr<std::unique_ptr<CacheStore>> OpenRocksDbStore(
    const RocksDbOptions& options);

}  // namespace wasmhpc

#endif  // WASMHPC_CACHE_STORE_ROCKSDB_STORE_H_
