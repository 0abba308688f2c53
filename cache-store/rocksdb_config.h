// The RocksDB setup shared by every opening of a store directory: the
// store itself (rocksdb_store.cc), repair and backup (rocksdb_admin.cc).
//
// Internal to cache-store; only files that link RocksDB include it.
#ifndef WASMHPC_CACHE_STORE_ROCKSDB_CONFIG_H_
#define WASMHPC_CACHE_STORE_ROCKSDB_CONFIG_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"

namespace wasmhpc::cache {

// Values at least this large (modules, compiled code) go to blob files, so
// compactions do not rewrite them.
inline constexpr uint64_t kMinBlobSize = uint64_t{64} << 10;

// Column families: RocksDB's "default" at 0, then one per Space in
// kAllSpaces order (handle i belongs to descriptor i).
std::vector<rocksdb::ColumnFamilyDescriptor> StoreFamilies();

// Options for a store at `path`. A writer logs to path/LOG (the previous
// one kept as LOG.old) through a logger that ignores its own write errors:
// RocksDB's logger asserts when it writes again after a failed write, which
// aborts the process on a full disk. A reader logs nothing (it must not
// rotate a writer's LOG). A writer never lets RocksDB recover from a full
// disk by itself (it waits for more free space than a small disk has); the
// store calls DB::Resume instead. `env` null: rocksdb::Env::Default().
rocksdb::DBOptions StoreDbOptions(const std::string& path, bool writer,
                                  rocksdb::Env* env);

// An open database and its column family handles; closes on destruction.
struct OpenDb {
  OpenDb() = default;
  OpenDb(OpenDb&& other) noexcept { *this = std::move(other); }
  // Closes this database (without flushing) before taking `other`'s.
  OpenDb& operator=(OpenDb&& other) noexcept {
    if (this == &other) return *this;
    Close(/*flush=*/false);
    db = std::move(other.db);
    handles.swap(other.handles);
    return *this;
  }
  ~OpenDb() { Close(/*flush=*/false); }

  // Flushing moves writes from the write-ahead log and the memtables to
  // table files: a later read-only open would otherwise replay the whole log
  // (megabytes of code) and a writable one would leave a new log behind.
  // Best effort: a failure leaves the data in the log, which the next
  // writer recovers.
  void Close(bool flush);

  std::unique_ptr<rocksdb::DB> db;
  // Indexed by Space; [0] is RocksDB's "default" family (unused). Null for
  // a family that a store opened read-only lacks (written before the
  // family existed): that space reads as empty.
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
};

// Opens the store at `path` (StoreFamilies, StoreDbOptions) for writing or
// read-only. `name` names it in errors; see OpenRocksDbStore for them.
absl::StatusOr<OpenDb> OpenStoreDb(const std::string& path,
                                   const std::string& name, bool writer,
                                   rocksdb::Env* env);

// Maps a RocksDB status; `context` names the store and the operation. A
// full disk (ENOSPC) is ResourceExhausted: "<context>: the disk is full
// (<RocksDB's message>); free space there and writes resume". Corruption
// is DataLoss; a missing file while opening is DataLoss too when
// `opening`.
absl::Status FromRocks(const rocksdb::Status& s, absl::string_view context,
                       bool opening = false);

// Bytes free for unprivileged writers on the file system of `path`;
// 0 if it cannot be read.
uint64_t FreeBytes(const std::string& path);

// True if `path` holds RocksDB files (MANIFEST-*, *.sst, *.blob, *.log)
// but no CURRENT file: a damaged store, not an empty directory.
bool HasFilesButNoCurrent(const std::string& path);

}  // namespace wasmhpc::cache

#endif  // WASMHPC_CACHE_STORE_ROCKSDB_CONFIG_H_
