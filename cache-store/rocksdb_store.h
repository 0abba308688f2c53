// The RocksDB CacheStore backend: one directory, one column family per kind
// of data ("modules", "module_sizes", "code", "jobs", "logs").
//
// Same contract as every CacheStore (cache_store.h); data survives closing
// and reopening. No RocksDB type appears here: only this target links it.
//
// Full disk: a write is refused with ResourceExhausted ("<name>: write:
// the disk is full (...); free space there and writes resume") when it would
// leave less than min_free_bytes free: RocksDB itself must not meet a full
// disk (Debian's build keeps its asserts, and a failed write-ahead log write
// followed by another write aborts the process). Nothing changes, reads keep
// working, nothing stored is lost; the first write after space is freed goes
// through, without reopening by the caller. Should RocksDB still fail a
// write (another process filled the disk first), the store resumes it or
// reopens the database itself at the next write. A writer opened on a full
// disk opens read-only instead (see open_when_full).
//
// Damage: a store whose RocksDB files are damaged (corrupt or missing
// CURRENT, MANIFEST or table files) fails to open with DataLoss;
// RepairRocksDbStore (rocksdb_admin.h) salvages what is left.
//
// Processes: one process at a time may open a directory for writing
// (RocksDB's LOCK file); any number may open it read-only alongside, each
// seeing the data as of its opening.
#ifndef WASMHPC_CACHE_STORE_ROCKSDB_STORE_H_
#define WASMHPC_CACHE_STORE_ROCKSDB_STORE_H_

#include <cstdint>
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
  // Names the store in messages. Default (empty): "cache <path>".
  std::string name = {};
  // A writer that cannot open because the disk is full opens read-only
  // instead: reads work, writes fail with ResourceExhausted until space is
  // freed, and the first write after that reopens for writing. A line
  // through `log` says so. Default: true.
  bool open_when_full = true;
  // Writes that would leave less free space on the file system than this
  // are refused (ResourceExhausted): room for RocksDB's own work (a memtable
  // flush of up to 4 MiB, the MANIFEST). Should that work still fail for
  // want of space, RocksDB fails it cleanly and the store resumes after.
  // Writes that only delete may use three quarters of it. Default: 4 MiB.
  uint64_t min_free_bytes = uint64_t{4} << 20;
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
//   ResourceExhausted   the disk is full (only with !open_when_full, or
//                       when not even a read-only open works)
//   DataLoss            damaged files: a corrupt or missing CURRENT,
//                       MANIFEST or table file (RepairRocksDbStore)
//   Internal            other RocksDB failures
// Callers that can run without a cache go on without one on any error.
absl::StatusOr<std::unique_ptr<CacheStore>> OpenRocksDbStore(
    const RocksDbOptions& options);

}  // namespace wasmhpc

#endif  // WASMHPC_CACHE_STORE_ROCKSDB_STORE_H_
