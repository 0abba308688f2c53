// Repair and backup of a RocksDB store directory (rocksdb_store.h): the
// work behind `wasmhpc-head --repair` and `wasmhpc-head --backup`.
//
// Both open the directory for writing, so no other process may have it open
// (stop the head first): otherwise they fail with Unavailable ("... is in
// use by another process"). No RocksDB type appears here.
#ifndef WASMHPC_CACHE_STORE_ROCKSDB_ADMIN_H_
#define WASMHPC_CACHE_STORE_ROCKSDB_ADMIN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace wasmhpc {

// What a store holds, counted entry by entry.
struct StoreCounts {
  // False when the store could not be opened or read to the end; `error`
  // then says why and the counts are what was read before it.
  bool known = false;
  std::string error;
  uint64_t modules = 0;     // stored modules
  uint64_t code = 0;        // compiled code entries
  uint64_t records = 0;     // job records (the head keeps module records here)
  uint64_t logs = 0;        // job logs (distinct job ids)
  uint64_t log_chunks = 0;  // appended chunks over all logs
};

// Counts the entries of the store at `path`, opened read-only (works beside
// a writer). Never fails: see StoreCounts::known.
StoreCounts CountRocksDbStore(const std::string& path);

struct RepairReport {
  StoreCounts before;  // usually unknown: a damaged store does not open
  StoreCounts after;
  // Large values (modules, compiled code) re-stored from RocksDB's blob
  // files, which RocksDB's repair does not keep.
  uint64_t blobs_restored = 0;
  // Files under <path>/lost after the repair (RocksDB moves what it could
  // not use there: old MANIFESTs, unreadable tables and logs), relative to
  // <path>. They may hold data that was lost; delete them once satisfied.
  std::vector<std::string> lost_files;
};

// Salvages a damaged store in place with rocksdb::RepairDB: rebuilds the
// MANIFEST and CURRENT from the table and log files, drops what cannot be
// read (moved to <path>/lost), then re-stores the large values kept in blob
// files. Back up the directory first: repair may lose data. Errors:
// NotFound (no directory), Unavailable (in use), or RocksDB's error.
absl::StatusOr<RepairReport> RepairRocksDbStore(const std::string& path);

// Writes a consistent copy of the store at `path` to `dest` (a
// rocksdb::Checkpoint: hard links where `dest` is on the same file system,
// copies otherwise). `dest` must not exist; its parent must. Restoring is
// copying `dest` back as the store directory. Errors: NotFound (no store),
// Unavailable (in use: stop the process that has it open), AlreadyExists
// (dest exists), or RocksDB's error naming `dest`.
absl::Status BackupRocksDbStore(const std::string& path,
                                const std::string& dest);

}  // namespace wasmhpc

#endif  // WASMHPC_CACHE_STORE_ROCKSDB_ADMIN_H_
