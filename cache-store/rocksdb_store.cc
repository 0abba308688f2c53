// The RocksDB KvBackend and OpenRocksDbStore.
#include "cache-store/rocksdb_store.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <filesystem>
#include <iterator>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "cache-store/kv_cache_store.h"
#include "cache-store/rocksdb_config.h"
#include "cache-store/rocksdb_kv.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/iterator.h"
#include "rocksdb/options.h"
#include "rocksdb/write_batch.h"

namespace wasmhpc {
namespace cache {
namespace {

namespace fs = std::filesystem;

absl::StatusCode CodeForErrno(int err) {
  switch (err) {
    case EACCES:
    case EPERM:
    case EROFS:
      return absl::StatusCode::kPermissionDenied;
    case ENOTDIR:
    case EEXIST:
      return absl::StatusCode::kFailedPrecondition;
    case ENOENT:
      return absl::StatusCode::kNotFound;
    case ENOSPC:
    case EDQUOT:
      return absl::StatusCode::kResourceExhausted;
    default:
      return absl::StatusCode::kUnavailable;
  }
}

absl::Status ErrnoStatus(int err, absl::string_view what,
                         absl::StatusCode code = absl::StatusCode::kUnknown) {
  if (code == absl::StatusCode::kUnknown) code = CodeForErrno(err);
  // error_code::message, unlike strerror, is thread safe.
  return absl::Status(
      code,
      absl::StrCat(what, ": ",
                   std::error_code(err, std::generic_category()).message()));
}

// Checks (and for a writer creates) the directory before RocksDB sees it,
// so the common mistakes get clear errors naming the path.
absl::Status PrepareDirectory(const RocksDbOptions& options) {
  const std::string& path = options.path;
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (ec && ec != std::errc::no_such_file_or_directory) {
    return ErrnoStatus(ec.value(), absl::StrCat("cannot reach cache ", path));
  }
  if (fs::exists(status)) {
    if (!fs::is_directory(status)) {
      return absl::FailedPreconditionError(
          absl::StrCat("cache path ", path, " exists and is not a directory"));
    }
  } else if (options.read_only || !options.create_if_missing) {
    return absl::NotFoundError(
        absl::StrCat("no cache at ", path, ": the directory does not exist"));
  } else if (fs::create_directories(path, ec); ec) {
    // ENOENT from mkdir (e.g. inside /proc): it cannot be created here.
    return ErrnoStatus(
        ec.value(), absl::StrCat("cannot create cache directory ", path),
        ec.value() == ENOENT ? absl::StatusCode::kFailedPrecondition
                             : absl::StatusCode::kUnknown);
  }
  if (options.read_only) {
    if (!fs::exists(fs::path(path) / "CURRENT", ec)) {
      return absl::NotFoundError(
          absl::StrCat("no cache at ", path, ": no RocksDB CURRENT file"));
    }
  } else if (::access(path.c_str(), W_OK | X_OK) != 0) {
    return ErrnoStatus(
        errno, absl::StrCat("cache directory ", path, " is not writable"));
  }
  return absl::OkStatus();
}

bool HasBlobFiles(Space space) {
  return space == Space::kModules || space == Space::kCode;
}

// True if `value`, read from a space with blob files, was stored in a blob
// file: RocksDB 7.8 then reads it into a buffer that the PinnableSlice owns
// (BlobSource::PinOwnedBlob; no blob cache is configured), independent of
// the DB's lifetime.
bool SurelyBlob(absl::string_view value) {
  return value.size() >= kMinBlobSize;
}

// handles_[i] belongs to descriptor i: Space values must be 1, 2, ... in
// kAllSpaces order, after RocksDB's "default" family at 0.
constexpr bool SpacesAreDense() {
  for (size_t i = 0; i < std::size(kAllSpaces); ++i) {
    if (static_cast<size_t>(kAllSpaces[i]) != i + 1) return false;
  }
  return true;
}
static_assert(SpacesAreDense());

class RocksDbKv final : public KvBackend {
 public:
  RocksDbKv(RocksDbOptions options, rocksdb::Env* env)
      : options_(std::move(options)),
        name_(options_.name.empty() ? absl::StrCat("cache ", options_.path)
                                    : options_.name),
        env_(env) {
    write_options_.sync = options_.sync_writes;
  }
  ~RocksDbKv() override {
    absl::MutexLock lock(&mu_);
    db_.Close(/*flush=*/!degraded_ && wrote_.load(std::memory_order_relaxed));
  }

  // Opens the database; see OpenRocksDbStore.
  absl::Status Open();

  absl::StatusOr<SharedBytes> Get(Space space,
                                  absl::string_view key) const override;
  absl::Status Write(std::vector<KvWrite> writes) override;
  absl::Status Scan(
      Space space, absl::string_view start, ScanDirection direction,
      absl::FunctionRef<bool(absl::string_view, absl::string_view)> visit)
      const override;
  bool read_only() const override { return options_.read_only; }
  const std::string& name() const override { return name_; }

 private:
  rocksdb::ColumnFamilyHandle* Handle(Space space) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_) {
    return db_.handles[static_cast<size_t>(space)];
  }
  // Opens db_ for writing if the disk has `keep` bytes free, else
  // read-only (degraded_) when open_when_full, and returns why.
  absl::Status OpenWriter(uint64_t keep) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // ResourceExhausted unless the disk keeps `keep` bytes free after `bytes`.
  absl::Status CheckSpace(uint64_t bytes, absl::string_view why,
                          uint64_t keep) const;
  // Writes `batch` to a healthy database; false if RocksDB refuses writes
  // after an I/O error that Resume did not clear (then `status` holds it).
  bool TryWrite(rocksdb::WriteBatch& batch, absl::Status& status)
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // Reopens the database for writing (after a full disk, or when opened
  // read-only on one), then writes `batch`.
  absl::Status ReopenAndWrite(rocksdb::WriteBatch& batch, uint64_t keep);
  // Opens the database again if a reopen left it closed (see OpenWriter).
  absl::Status EnsureOpen(uint64_t keep);
  absl::Status Closed() const {
    return absl::UnavailableError(
        absl::StrCat(name_,
                     " is closed: it could not be reopened after a full disk; "
                     "free space there and the next write reopens it"));
  }

  // A write to a space whose family a degraded (read-only on a full disk)
  // open of an older store lacks: it cannot be batched until reopened.
  absl::Status MissingFamily(Space space) const {
    return DiskFullError(absl::StrCat(
        name_, ": cannot write ", SpaceName(space),
        ": the store was opened read-only on a full disk; free space there "
        "and writes resume"));
  }

  const RocksDbOptions options_;
  const std::string name_;
  rocksdb::Env* const env_;
  rocksdb::WriteOptions write_options_;
  // Set by the first successful write: closing flushes.
  std::atomic<bool> wrote_{false};
  // Held shared by every call, exclusively only to reopen the database.
  mutable absl::Mutex mu_;
  OpenDb db_ ABSL_GUARDED_BY(mu_);
  // Opened read-only although a writer: the disk was full.
  bool degraded_ ABSL_GUARDED_BY(mu_) = false;
};

absl::Status RocksDbKv::CheckSpace(uint64_t bytes, absl::string_view why,
                                   uint64_t keep) const {
  const uint64_t free = FreeBytes(options_.path);
  if (free >= keep + bytes) return absl::OkStatus();
  return DiskFullError(absl::StrCat(
      name_, ": ", why, ": the disk is full (", free,
      " bytes free; the store keeps ", keep,
      " free for its own work); free space there and writes resume"));
}

absl::Status RocksDbKv::OpenWriter(uint64_t keep) {
  absl::Status full = CheckSpace(0, "cannot open for writing", keep);
  if (full.ok()) {
    absl::StatusOr<OpenDb> writer =
        OpenStoreDb(options_.path, name_, /*writer=*/true, env_);
    if (writer.ok()) {
      db_ = *std::move(writer);
      degraded_ = false;
      return absl::OkStatus();
    }
    if (!absl::IsResourceExhausted(writer.status())) return writer.status();
    full = writer.status();
  }
  if (!options_.open_when_full) return full;
  absl::StatusOr<OpenDb> reader =
      OpenStoreDb(options_.path, name_, /*writer=*/false, env_);
  if (!reader.ok()) return full;
  db_ = *std::move(reader);
  degraded_ = true;
  EmitLog(options_.log,
          absl::StrCat(name_, " opened read-only: ", full.message()));
  return full;
}

absl::Status RocksDbKv::Open() {
  absl::MutexLock lock(&mu_);
  if (!options_.read_only && HasFilesButNoCurrent(options_.path)) {
    return absl::DataLossError(
        absl::StrCat("cannot open ", name_,
                     ": it holds RocksDB files but no CURRENT file (damaged)"));
  }
  if (options_.read_only) {
    absl::StatusOr<OpenDb> reader =
        OpenStoreDb(options_.path, name_, /*writer=*/false, env_);
    if (!reader.ok()) return reader.status();
    db_ = *std::move(reader);
    return absl::OkStatus();
  }
  absl::Status opened = OpenWriter(options_.min_free_bytes);
  return degraded_ ? absl::OkStatus() : opened;
}

absl::StatusOr<SharedBytes> RocksDbKv::Get(Space space,
                                           absl::string_view key) const {
  // Every value carries its own CRC32C envelope (blob_format.h), checked in
  // hardware by the store; RocksDB's software block/blob checksums would
  // check the same bytes again (a third of a code-cache load's time).
  rocksdb::ReadOptions options;
  options.verify_checksums = false;
  auto value = std::make_shared<rocksdb::PinnableSlice>();
  absl::ReaderMutexLock lock(&mu_);
  if (db_.db == nullptr) return Closed();
  if (Handle(space) == nullptr) return absl::NotFoundError("no such key");
  const rocksdb::Status s =
      db_.db->Get(options, Handle(space),
                  rocksdb::Slice(key.data(), key.size()), value.get());
  if (!s.ok()) {
    return FromRocks(s, absl::StrCat(name_, ": read from ", SpaceName(space)));
  }
  const absl::string_view bytes(value->data(), value->size());
  if (value->IsPinned() && !(HasBlobFiles(space) && SurelyBlob(bytes))) {
    // Pinned in the block cache or a table: valid only while the DB lives.
    return SharedBytes(std::string(bytes));
  }
  // A blob value (module, code) is read into a buffer of its own, which the
  // PinnableSlice owns (or one copied into the slice): kept as is, without
  // another copy of megabytes into freshly faulted pages.
  return SharedBytes(std::shared_ptr<const void>(std::move(value)), bytes);
}

absl::Status RocksDbKv::Write(std::vector<KvWrite> writes) {
  if (options_.read_only) {
    return absl::FailedPreconditionError(
        absl::StrCat(name_, " is opened read-only"));
  }
  // Deletes (small tombstones) may dig into the reserve: they free space.
  const bool deletes = std::none_of(
      writes.begin(), writes.end(),
      [](const KvWrite& write) { return write.value.has_value(); });
  const uint64_t keep =
      deletes ? options_.min_free_bytes / 4 : options_.min_free_bytes;
  if (absl::Status s = EnsureOpen(keep); !s.ok()) return s;
  rocksdb::WriteBatch batch;
  {
    absl::ReaderMutexLock lock(&mu_);
    if (db_.db == nullptr) return Closed();
    for (const KvWrite& write : writes) {
      if (Handle(write.space) == nullptr) return MissingFamily(write.space);
      const rocksdb::Slice key(write.key);
      const rocksdb::Status s =
          write.value.has_value()
              ? batch.Put(Handle(write.space), key, *write.value)
              : batch.Delete(Handle(write.space), key);
      if (!s.ok()) return FromRocks(s, absl::StrCat(name_, ": batch"));
    }
    // RocksDB must not meet a full disk: Debian's build keeps its asserts,
    // and a write after a failed write of the same file aborts the process.
    if (absl::Status s = CheckSpace(batch.GetDataSize(), "write", keep);
        !s.ok()) {
      return s;
    }
    absl::Status status;
    if (!degraded_ && TryWrite(batch, status)) return status;
  }
  return ReopenAndWrite(batch, keep);
}

bool RocksDbKv::TryWrite(rocksdb::WriteBatch& batch, absl::Status& status) {
  rocksdb::Status s = db_.db->Write(write_options_, &batch);
  if (s.IsIOError() && db_.db->Resume().ok()) {
    // After a failed write (e.g. a full disk) RocksDB refuses all writes
    // until resumed.
    s = db_.db->Write(write_options_, &batch);
  }
  status = FromRocks(s, absl::StrCat(name_, ": write"));
  if (s.ok()) wrote_.store(true, std::memory_order_relaxed);
  return !s.IsIOError();
}

absl::Status RocksDbKv::EnsureOpen(uint64_t keep) {
  {
    absl::ReaderMutexLock lock(&mu_);
    if (db_.db != nullptr) return absl::OkStatus();
  }
  absl::MutexLock lock(&mu_);
  if (db_.db != nullptr) return absl::OkStatus();
  absl::Status opened = OpenWriter(keep);
  return db_.db != nullptr ? absl::OkStatus() : opened;
}

absl::Status RocksDbKv::ReopenAndWrite(rocksdb::WriteBatch& batch,
                                       uint64_t keep) {
  absl::MutexLock lock(&mu_);
  // Resume cannot always clear a failed write-ahead log; reopening does
  // (the log is replayed: nothing acknowledged is lost).
  db_.Close(/*flush=*/false);
  if (absl::Status s = OpenWriter(keep); !s.ok()) {
    if (db_.db == nullptr) {  // Not even read-only: reads fail until then.
      EmitLog(options_.log, absl::StrCat(name_, " is closed: ", s.message()));
    }
    return s;
  }
  EmitLog(options_.log, absl::StrCat(name_, " reopened for writing"));
  absl::Status status;
  TryWrite(batch, status);  // Handles keep their ids across opens.
  return status;
}

absl::Status RocksDbKv::Scan(
    Space space, absl::string_view start, ScanDirection direction,
    absl::FunctionRef<bool(absl::string_view, absl::string_view)> visit) const {
  absl::ReaderMutexLock lock(&mu_);
  if (db_.db == nullptr) return Closed();
  if (Handle(space) == nullptr) return absl::OkStatus();  // Empty.
  std::unique_ptr<rocksdb::Iterator> it(
      db_.db->NewIterator(rocksdb::ReadOptions(), Handle(space)));
  const rocksdb::Slice target(start.data(), start.size());
  const bool forward = direction == ScanDirection::kForward;
  if (forward) {
    it->Seek(target);
  } else {
    it->SeekForPrev(target);
  }
  for (; it->Valid(); forward ? it->Next() : it->Prev()) {
    const rocksdb::Slice key = it->key();
    const rocksdb::Slice value = it->value();
    if (!visit(absl::string_view(key.data(), key.size()),
               absl::string_view(value.data(), value.size()))) {
      break;
    }
  }
  return FromRocks(it->status(),
                   absl::StrCat(name_, ": scan of ", SpaceName(space)));
}

}  // namespace

absl::StatusOr<std::unique_ptr<KvBackend>> OpenRocksDbKv(
    const RocksDbOptions& options, rocksdb::Env* env) {
  if (options.path.empty()) {
    return absl::InvalidArgumentError("cache path is empty");
  }
  if (absl::Status s = PrepareDirectory(options); !s.ok()) return s;
  auto kv = std::make_unique<RocksDbKv>(options, env);
  if (absl::Status s = kv->Open(); !s.ok()) return s;
  return std::unique_ptr<KvBackend>(std::move(kv));
}

}  // namespace cache

absl::StatusOr<std::unique_ptr<CacheStore>> OpenRocksDbStore(
    const RocksDbOptions& options) {
  absl::StatusOr<std::unique_ptr<cache::KvBackend>> kv =
      cache::OpenRocksDbKv(options);
  if (!kv.ok()) return kv.status();
  return cache::NewKvCacheStore(*std::move(kv), options.log);
}

}  // namespace wasmhpc
