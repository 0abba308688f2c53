// The RocksDB KvBackend and OpenRocksDbStore.
#include "cache-store/rocksdb_store.h"

#include <unistd.h>

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
#include "cache-store/kv_cache_store.h"
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

// Values at least this large (modules, compiled code) go to blob files, so
// compactions do not rewrite them.
constexpr uint64_t kMinBlobSize = uint64_t{64} << 10;

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

// Maps a RocksDB status; `context` names the store and the operation.
absl::Status FromRocks(const rocksdb::Status& s, absl::string_view context) {
  if (s.ok()) return absl::OkStatus();
  const std::string message = absl::StrCat(context, ": ", s.ToString());
  if (s.IsNotFound()) return absl::NotFoundError(message);
  if (s.IsNoSpace()) return absl::ResourceExhaustedError(message);
  if (s.IsCorruption()) return absl::DataLossError(message);
  if (s.IsInvalidArgument()) return absl::InvalidArgumentError(message);
  if (s.IsNotSupported()) return absl::FailedPreconditionError(message);
  if (s.IsIOError()) {
    const std::string text = s.ToString();
    if (absl::StrContains(text, "Permission denied") ||
        absl::StrContains(text, "Read-only file system")) {
      return absl::PermissionDeniedError(message);
    }
    return absl::UnavailableError(message);
  }
  if (s.IsBusy() || s.IsTimedOut() || s.IsTryAgain() || s.IsAborted()) {
    return absl::UnavailableError(message);
  }
  return absl::InternalError(message);
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

bool IsLockFailure(const rocksdb::Status& s) {
  if (!s.IsIOError()) return false;
  const std::string text = s.ToString();
  return absl::StrContains(text, "/LOCK") ||
         absl::StrContains(text, "lock hold");
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

rocksdb::ColumnFamilyOptions SpaceOptions(Space space) {
  rocksdb::ColumnFamilyOptions options;
  if (HasBlobFiles(space)) {
    options.enable_blob_files = true;
    options.min_blob_size = kMinBlobSize;
    options.enable_blob_garbage_collection = true;
  }
  return options;
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
  RocksDbKv(std::string name, bool read_only, bool sync)
      : name_(std::move(name)), read_only_(read_only) {
    write_options_.sync = sync;
  }
  ~RocksDbKv() override;

  // Opens the database at `path`; fills db_ and handles_.
  absl::Status Open(const std::string& path, rocksdb::Env* env);

  absl::StatusOr<SharedBytes> Get(Space space,
                                  absl::string_view key) const override;
  absl::Status Write(std::vector<KvWrite> writes) override;
  absl::Status Scan(
      Space space, absl::string_view start, ScanDirection direction,
      absl::FunctionRef<bool(absl::string_view, absl::string_view)> visit)
      const override;
  bool read_only() const override { return read_only_; }
  const std::string& name() const override { return name_; }

 private:
  rocksdb::ColumnFamilyHandle* Handle(Space space) const {
    return handles_[static_cast<size_t>(space)];
  }

  const std::string name_;
  const bool read_only_;
  rocksdb::WriteOptions write_options_;
  // Set by the first successful write: the destructor flushes.
  std::atomic<bool> wrote_{false};
  std::unique_ptr<rocksdb::DB> db_;
  // Indexed by Space; [0] is RocksDB's "default" family (unused).
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

RocksDbKv::~RocksDbKv() {
  if (db_ == nullptr) return;
  if (wrote_.load(std::memory_order_relaxed)) {
    // Writes sit in the write-ahead log and the memtable until flushed; a
    // later read-only open would replay the whole log (megabytes of code)
    // and a writable one would leave a new log behind. Best effort: a
    // failure leaves the data in the log, which the next writer recovers.
    db_->Flush(rocksdb::FlushOptions(), handles_).PermitUncheckedError();
  }
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
  }
  db_->Close().PermitUncheckedError();
}

absl::Status RocksDbKv::Open(const std::string& path, rocksdb::Env* env) {
  rocksdb::DBOptions options;
  options.create_if_missing = !read_only_;
  options.create_missing_column_families = !read_only_;
  options.keep_log_file_num = 4;
  // The default (16) starts 16 threads per column family on every open to
  // load table files in parallel: ~1.5 ms of a cache hit in a short-lived
  // process, for stores that hold a handful of files.
  options.max_file_opening_threads = 1;
  // Blob files (modules, code) are read through a mapping: a Get copies the
  // value once instead of pread-ing it into a buffer and copying that.
  options.allow_mmap_reads = true;
  if (env != nullptr) options.env = env;
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  families.emplace_back(rocksdb::kDefaultColumnFamilyName,
                        rocksdb::ColumnFamilyOptions());
  for (Space space : kAllSpaces) {
    families.emplace_back(SpaceName(space), SpaceOptions(space));
  }
  rocksdb::DB* db = nullptr;
  const rocksdb::Status s =
      read_only_ ? rocksdb::DB::OpenForReadOnly(options, path, families,
                                                &handles_, &db)
                 : rocksdb::DB::Open(options, path, families, &handles_, &db);
  if (IsLockFailure(s)) {
    return absl::UnavailableError(absl::StrCat(
        name_,
        " is in use by another process (or another store in this "
        "process) that has it open for writing; open it read_only or "
        "use another path (",
        s.ToString(), ")"));
  }
  if (!s.ok()) return FromRocks(s, absl::StrCat("cannot open ", name_));
  db_.reset(db);
  return absl::OkStatus();
}

absl::StatusOr<SharedBytes> RocksDbKv::Get(Space space,
                                           absl::string_view key) const {
  // Every value carries its own CRC32C envelope (blob_format.h), checked in
  // hardware by the store; RocksDB's software block/blob checksums would
  // check the same bytes again (a third of a code-cache load's time).
  rocksdb::ReadOptions options;
  options.verify_checksums = false;
  auto value = std::make_shared<rocksdb::PinnableSlice>();
  const rocksdb::Status s =
      db_->Get(options, Handle(space),
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
  if (read_only_) {
    return absl::FailedPreconditionError(
        absl::StrCat(name_, " is opened read-only"));
  }
  rocksdb::WriteBatch batch;
  for (const KvWrite& write : writes) {
    const rocksdb::Slice key(write.key);
    const rocksdb::Status s =
        write.value.has_value()
            ? batch.Put(Handle(write.space), key, *write.value)
            : batch.Delete(Handle(write.space), key);
    if (!s.ok()) return FromRocks(s, absl::StrCat(name_, ": batch"));
  }
  rocksdb::Status s = db_->Write(write_options_, &batch);
  if (s.IsIOError() && db_->Resume().ok()) {
    // After a failed write (e.g. disk full) RocksDB refuses all writes until
    // resumed. Best effort: Resume is Busy while RocksDB's own recovery runs
    // and fails while the cause lasts; then the error below stands.
    s = db_->Write(write_options_, &batch);
  }
  if (s.ok()) wrote_.store(true, std::memory_order_relaxed);
  return FromRocks(s, absl::StrCat(name_, ": write"));
}

absl::Status RocksDbKv::Scan(
    Space space, absl::string_view start, ScanDirection direction,
    absl::FunctionRef<bool(absl::string_view, absl::string_view)> visit) const {
  std::unique_ptr<rocksdb::Iterator> it(
      db_->NewIterator(rocksdb::ReadOptions(), Handle(space)));
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
  auto kv = std::make_unique<RocksDbKv>(absl::StrCat("cache ", options.path),
                                        options.read_only, options.sync_writes);
  if (absl::Status s = kv->Open(options.path, env); !s.ok()) return s;
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
