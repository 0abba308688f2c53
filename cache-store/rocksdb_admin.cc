// Repair (rocksdb::RepairDB plus re-storing blob values) and backup
// (rocksdb::Checkpoint) of a store directory.
#include "cache-store/rocksdb_admin.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "cache-store/kv_backend.h"
#include "cache-store/rocksdb_config.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/utilities/checkpoint.h"

namespace wasmhpc {
namespace {

namespace fs = std::filesystem;
using cache::OpenDb;
using cache::Space;

// Blob file layout (RocksDB db/blob/blob_log_format.h, version 1): a 30-byte
// header (magic u32, version u32, column family id u32, flags u8,
// compression u8, expiration range 2 x u64), records of a 32-byte header
// (key length u64, value length u64, expiration u64, two CRCs u32) then key
// and value, and a 32-byte footer starting with the magic. Little endian.
constexpr uint32_t kBlobMagic = 2395959;
constexpr size_t kBlobHeaderBytes = 30;
constexpr size_t kBlobRecordHeaderBytes = 32;

template <typename T>
T Fixed(const std::string& bytes, size_t at) {
  T value;
  std::memcpy(&value, bytes.data() + at, sizeof(T));  // Little-endian host.
  return value;
}

StoreCounts CountOpen(OpenDb& opened) {
  StoreCounts counts;
  counts.known = true;
  for (Space space : cache::kAllSpaces) {
    rocksdb::ColumnFamilyHandle* handle =
        opened.handles[static_cast<size_t>(space)];
    // Modules and code are counted by their sizes; a missing family is
    // empty.
    if (space == Space::kModules || space == Space::kCodeSizes ||
        handle == nullptr) {
      continue;
    }
    std::unique_ptr<rocksdb::Iterator> it(
        opened.db->NewIterator(rocksdb::ReadOptions(), handle));
    std::string last_log;
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      const rocksdb::Slice key = it->key();
      switch (space) {
        case Space::kModuleSizes:
          ++counts.modules;
          break;
        case Space::kCode:
          ++counts.code;
          break;
        case Space::kJobs:
        case Space::kModuleRecords:
          ++counts.records;
          break;
        case Space::kLogs: {
          ++counts.log_chunks;
          const std::string job(key.data(), strnlen(key.data(), key.size()));
          if (counts.log_chunks == 1 || job != last_log) ++counts.logs;
          last_log = job;
          break;
        }
        default:
          break;
      }
    }
    if (!it->status().ok()) {
      counts.known = false;
      counts.error =
          absl::StrCat(cache::SpaceName(space), ": ", it->status().ToString());
      break;
    }
  }
  return counts;
}

// Hard-links (or copies) every blob file of `path` into `keep`: RocksDB's
// repair forgets them and the next open deletes them.
absl::StatusOr<std::vector<fs::path>> KeepBlobFiles(const fs::path& path,
                                                    const fs::path& keep) {
  std::vector<fs::path> kept;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(path, ec)) {
    if (entry.path().extension() != ".blob") continue;
    if (kept.empty()) fs::create_directories(keep, ec);
    const fs::path to = keep / entry.path().filename();
    fs::create_hard_link(entry.path(), to, ec);
    if (ec) fs::copy_file(entry.path(), to, ec);
    if (ec) {
      return absl::UnavailableError(
          absl::StrCat("cannot keep ", entry.path().string(), " as ",
                       to.string(), ": ", ec.message()));
    }
    kept.push_back(to);
  }
  if (ec) {
    return absl::NotFoundError(
        absl::StrCat("cannot list ", path.string(), ": ", ec.message()));
  }
  return kept;
}

// Re-stores the values of blob file `file` whose keys the repaired store
// still references but cannot read (their blob file is gone). Returns how
// many, or an error if the file is not a readable blob file.
absl::StatusOr<uint64_t> RestoreBlobFile(OpenDb& opened, const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), {});
  if (bytes.size() < kBlobHeaderBytes ||
      Fixed<uint32_t>(bytes, 0) != kBlobMagic ||
      bytes[13] != 0 /* compression */) {
    return absl::DataLossError(
        absl::StrCat(file.string(), ": not an uncompressed blob file"));
  }
  const uint32_t family = Fixed<uint32_t>(bytes, 8);
  auto handle = std::find_if(opened.handles.begin(), opened.handles.end(),
                             [&](rocksdb::ColumnFamilyHandle* h) {
                               return h != nullptr && h->GetID() == family;
                             });
  if (handle == opened.handles.end()) {
    return absl::DataLossError(
        absl::StrCat(file.string(), ": unknown column family ", family));
  }
  uint64_t restored = 0;
  for (size_t at = kBlobHeaderBytes;
       bytes.size() - at >= kBlobRecordHeaderBytes;) {
    if (Fixed<uint32_t>(bytes, at) == kBlobMagic &&
        bytes.size() - at == kBlobRecordHeaderBytes) {
      break;  // The footer.
    }
    const uint64_t key_size = Fixed<uint64_t>(bytes, at);
    const uint64_t value_size = Fixed<uint64_t>(bytes, at + 8);
    const size_t body = at + kBlobRecordHeaderBytes;
    if (key_size > bytes.size() - body ||
        value_size > bytes.size() - body - key_size) {
      return absl::DataLossError(
          absl::StrCat(file.string(), ": record at ", at, " is cut off"));
    }
    const rocksdb::Slice key(bytes.data() + body, key_size);
    const rocksdb::Slice value(bytes.data() + body + key_size, value_size);
    std::string current;
    rocksdb::Status s = opened.db->Get({}, *handle, key, &current);
    if (!s.ok() && !s.IsNotFound()) {  // Referenced, but its blob is gone.
      s = opened.db->Put({}, *handle, key, value);
      if (!s.ok()) return cache::FromRocks(s, file.string());
      ++restored;
    }
    at = body + key_size + value_size;
  }
  return restored;
}

std::vector<std::string> LostFiles(const fs::path& path) {
  std::vector<std::string> lost;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(path / "lost", ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file()) {
      lost.push_back(fs::relative(it->path(), path, ec).string());
    }
  }
  std::sort(lost.begin(), lost.end());
  return lost;
}

absl::Status CheckStoreDirectory(const std::string& path) {
  std::error_code ec;
  if (!fs::is_directory(path, ec)) {
    return absl::NotFoundError(
        absl::StrCat("no store at ", path, ": not a directory"));
  }
  return absl::OkStatus();
}

// Unavailable if a process (this one included) has the store open for
// writing. RepairDB takes the same lock again right after.
absl::Status CheckNotInUse(const std::string& path) {
  rocksdb::Env* env = rocksdb::Env::Default();
  rocksdb::FileLock* lock = nullptr;
  const rocksdb::Status s = env->LockFile(path + "/LOCK", &lock);
  if (!s.ok()) {
    return absl::UnavailableError(absl::StrCat(
        "store ", path, " is in use by another process: stop it first (",
        s.ToString(), ")"));
  }
  return cache::FromRocks(env->UnlockFile(lock), path);
}

}  // namespace

StoreCounts CountRocksDbStore(const std::string& path) {
  absl::StatusOr<OpenDb> opened = cache::OpenStoreDb(
      path, absl::StrCat("store ", path), /*writer=*/false, nullptr);
  if (!opened.ok()) {
    StoreCounts counts;
    counts.error = std::string(opened.status().message());
    return counts;
  }
  return CountOpen(*opened);
}

absl::StatusOr<RepairReport> RepairRocksDbStore(const std::string& path) {
  if (absl::Status s = CheckStoreDirectory(path); !s.ok()) return s;
  if (absl::Status s = CheckNotInUse(path); !s.ok()) return s;
  const std::string name = absl::StrCat("store ", path);
  RepairReport report;
  report.before = CountRocksDbStore(path);
  const fs::path keep = fs::path(path) / "lost" / "blob-files";
  absl::StatusOr<std::vector<fs::path>> blobs = KeepBlobFiles(path, keep);
  if (!blobs.ok()) return blobs.status();
  const rocksdb::Status repaired = rocksdb::RepairDB(
      path, cache::StoreDbOptions(path, /*writer=*/true, nullptr),
      cache::StoreFamilies());
  if (!repaired.ok()) {
    return cache::FromRocks(repaired, absl::StrCat("cannot repair ", name));
  }
  absl::StatusOr<OpenDb> opened =
      cache::OpenStoreDb(path, name, /*writer=*/true, nullptr);
  if (!opened.ok()) return opened.status();
  bool all_restored = true;
  for (const fs::path& blob : *blobs) {
    absl::StatusOr<uint64_t> restored = RestoreBlobFile(*opened, blob);
    if (restored.ok()) {
      report.blobs_restored += *restored;
    } else {
      all_restored = false;  // Keeps the files under lost/ to look at.
    }
  }
  opened->Close(/*flush=*/true);
  std::error_code ec;
  if (all_restored) fs::remove_all(keep, ec);
  report.after = CountRocksDbStore(path);
  report.lost_files = LostFiles(path);
  return report;
}

absl::Status BackupRocksDbStore(const std::string& path,
                                const std::string& dest) {
  if (absl::Status s = CheckStoreDirectory(path); !s.ok()) return s;
  std::error_code ec;
  if (fs::exists(dest, ec)) {
    return absl::AlreadyExistsError(
        absl::StrCat("backup destination ", dest, " already exists"));
  }
  const std::string name = absl::StrCat("store ", path);
  // For writing: a checkpoint needs a writable database (it flushes first
  // and holds file deletions), and the lock proves nobody else writes.
  absl::StatusOr<OpenDb> opened =
      cache::OpenStoreDb(path, name, /*writer=*/true, nullptr);
  if (!opened.ok()) return opened.status();
  rocksdb::Checkpoint* raw = nullptr;
  rocksdb::Status s = rocksdb::Checkpoint::Create(opened->db.get(), &raw);
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  if (s.ok()) {
    // log_size_for_flush 0: flush first, so the copy needs no log replay.
    s = checkpoint->CreateCheckpoint(dest, /*log_size_for_flush=*/0);
  }
  return cache::FromRocks(s,
                          absl::StrCat("cannot back up ", name, " to ", dest));
}

}  // namespace wasmhpc
