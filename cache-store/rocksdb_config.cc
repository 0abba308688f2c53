// The RocksDB setup shared by the store, repair and backup.
#include "cache-store/rocksdb_config.h"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>
#include <system_error>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cache-store/cache_store.h"
#include "cache-store/kv_backend.h"
#include "rocksdb/listener.h"

namespace wasmhpc::cache {
namespace {

namespace fs = std::filesystem;

// Memtable size per column family. RocksDB needs this much free space (the
// memtable's flush) before it can resume writing after a full disk, so it
// stays small; the default (64 MiB) would never resume on a small disk.
constexpr size_t kWriteBufferBytes = size_t{4} << 20;

// An info log that writes each line with one write(2) and ignores failures
// (a full disk loses log lines, nothing else). Thread safe.
class FileLogger final : public rocksdb::Logger {
 public:
  explicit FileLogger(int fd)
      : rocksdb::Logger(rocksdb::InfoLogLevel::INFO_LEVEL), fd_(fd) {}
  ~FileLogger() override {
    if (fd_ >= 0) ::close(fd_);
  }
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    if (fd_ < 0) return;
    char line[4096];
    struct timeval now;
    ::gettimeofday(&now, nullptr);
    struct tm t;
    ::localtime_r(&now.tv_sec, &t);
    int n = std::snprintf(line, sizeof(line),
                          "%04d/%02d/%02d-%02d:%02d:%02d.%06ld ",
                          t.tm_year + 1900, t.tm_mon + 1, t.tm_mday, t.tm_hour,
                          t.tm_min, t.tm_sec, static_cast<long>(now.tv_usec));
    const int body = std::vsnprintf(line + n, sizeof(line) - n - 1, format, ap);
    if (body < 0) return;
    n = std::min<int>(n + body, sizeof(line) - 2);
    line[n++] = '\n';
    (void)!::write(fd_, line, n);
  }

 private:
  const int fd_;
};

// Turns off RocksDB's own recovery from a full disk: it waits until the
// free space exceeds the sum of the memtables (SstFileManager's "required
// disk buffer"), which a small disk never has; DB::Resume then answers
// Busy. The store resumes instead (RocksDbKv::Write).
class NoAutoRecovery final : public rocksdb::EventListener {
 public:
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason /*reason*/,
                            rocksdb::Status /*bg_error*/,
                            bool* auto_recovery) override {
    *auto_recovery = false;
  }
};

// True if an I/O error names one of the store's own files.
bool NamesStoreFile(const std::string& text) {
  return absl::StrContains(text, ".sst") || absl::StrContains(text, ".blob") ||
         absl::StrContains(text, "/MANIFEST-") ||
         absl::StrContains(text, "/CURRENT");
}

std::shared_ptr<rocksdb::Logger> WriterLog(const std::string& path) {
  const std::string log = path + "/LOG";
  std::error_code ec;
  fs::rename(log, log + ".old", ec);  // Keeps the previous run's log.
  const int fd =
      ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  return std::make_shared<FileLogger>(fd);  // fd -1: discards.
}

rocksdb::ColumnFamilyOptions SpaceOptions(Space space) {
  rocksdb::ColumnFamilyOptions options;
  options.write_buffer_size = kWriteBufferBytes;
  if (space == Space::kModules || space == Space::kCode) {
    options.enable_blob_files = true;
    options.min_blob_size = kMinBlobSize;
    options.enable_blob_garbage_collection = true;
  }
  return options;
}

// The descriptors of `all` whose family exists in the store at `path`, and
// their indexes in `all` (`present`). A store written before a family was
// added lacks it; a read-only open must not name it. If the families cannot
// be listed, all of them (the open then reports why).
std::vector<rocksdb::ColumnFamilyDescriptor> PresentFamilies(
    const rocksdb::DBOptions& options, const std::string& path,
    const std::vector<rocksdb::ColumnFamilyDescriptor>& all,
    std::vector<size_t>& present) {
  std::vector<std::string> names;
  if (!rocksdb::DB::ListColumnFamilies(options, path, &names).ok()) return all;
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (size_t i = 0; i < all.size(); ++i) {
    if (std::find(names.begin(), names.end(), all[i].name) == names.end()) {
      continue;
    }
    families.push_back(all[i]);
    present.push_back(i);
  }
  return families;
}

bool IsLockFailure(const rocksdb::Status& s) {
  if (!s.IsIOError()) return false;
  const std::string text = s.ToString();
  return absl::StrContains(text, "/LOCK") ||
         absl::StrContains(text, "lock hold");
}

}  // namespace

void OpenDb::Close(bool flush) {
  if (db == nullptr) return;
  if (flush) db->Flush(rocksdb::FlushOptions(), handles).PermitUncheckedError();
  for (rocksdb::ColumnFamilyHandle* handle : handles) {
    if (handle == nullptr) continue;  // A family the store lacks.
    db->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
  }
  handles.clear();
  db->Close().PermitUncheckedError();
  db.reset();
}

absl::StatusOr<OpenDb> OpenStoreDb(const std::string& path,
                                   const std::string& name, bool writer,
                                   rocksdb::Env* env) {
  const rocksdb::DBOptions options = StoreDbOptions(path, writer, env);
  OpenDb opened;
  rocksdb::DB* db = nullptr;
  std::vector<rocksdb::ColumnFamilyDescriptor> families = StoreFamilies();
  // Which families exist; families.size() (all) for a writer, which
  // creates the missing ones.
  std::vector<size_t> present;
  if (!writer) families = PresentFamilies(options, path, families, present);
  const rocksdb::Status s =
      writer ? rocksdb::DB::Open(options, path, families, &opened.handles, &db)
             : rocksdb::DB::OpenForReadOnly(options, path, families,
                                            &opened.handles, &db);
  if (s.ok() && !present.empty()) {
    // Back to one slot per Space, null where the family does not exist.
    std::vector<rocksdb::ColumnFamilyHandle*> by_space(StoreFamilies().size(),
                                                       nullptr);
    for (size_t i = 0; i < present.size(); ++i) {
      by_space[present[i]] = opened.handles[i];
    }
    opened.handles = std::move(by_space);
  }
  if (IsLockFailure(s)) {
    return absl::UnavailableError(absl::StrCat(
        name,
        " is in use by another process (or another store in this "
        "process) that has it open for writing; open it read_only or "
        "use another path (",
        s.ToString(), ")"));
  }
  if (!s.ok()) {
    return FromRocks(s, absl::StrCat("cannot open ", name), /*opening=*/true);
  }
  opened.db.reset(db);
  return opened;
}

std::vector<rocksdb::ColumnFamilyDescriptor> StoreFamilies() {
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  rocksdb::ColumnFamilyOptions base;
  base.write_buffer_size = kWriteBufferBytes;
  families.emplace_back(rocksdb::kDefaultColumnFamilyName, base);
  for (Space space : kAllSpaces) {
    families.emplace_back(SpaceName(space), SpaceOptions(space));
  }
  return families;
}

rocksdb::DBOptions StoreDbOptions(const std::string& path, bool writer,
                                  rocksdb::Env* env) {
  rocksdb::DBOptions options;
  options.create_if_missing = writer;
  options.create_missing_column_families = writer;
  // Flushes column families that hold old write-ahead logs, so the logs a
  // full disk keeps (and a resume must flush) stay small.
  options.max_total_wal_size = uint64_t{16} << 20;
  // The default (16) starts 16 threads per column family on every open to
  // load table files in parallel: ~1.5 ms of a cache hit in a short-lived
  // process, for stores that hold a handful of files.
  options.max_file_opening_threads = 1;
  // Blob files (modules, code) are read through a mapping: a Get copies the
  // value once instead of pread-ing it into a buffer and copying that.
  options.allow_mmap_reads = true;
  if (env != nullptr) options.env = env;
  if (writer) {
    options.info_log = WriterLog(path);
    options.listeners.push_back(std::make_shared<NoAutoRecovery>());
  } else {
    options.info_log = std::make_shared<FileLogger>(-1);
  }
  return options;
}

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view context,
                       bool opening) {
  if (s.ok()) return absl::OkStatus();
  const std::string message = absl::StrCat(context, ": ", s.ToString());
  if (s.IsNoSpace()) {
    return ::wasmhpc::DiskFullError(
        absl::StrCat(context, ": the disk is full (", s.ToString(),
                     "); free space there and writes resume"));
  }
  if (s.IsNotFound()) return absl::NotFoundError(message);
  if (s.IsCorruption()) return absl::DataLossError(message);
  if (opening && (s.IsPathNotFound() || NamesStoreFile(s.ToString()))) {
    return absl::DataLossError(message);  // A damaged or missing file.
  }
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

uint64_t FreeBytes(const std::string& path) {
  struct statvfs st;
  if (::statvfs(path.c_str(), &st) != 0) return 0;
  return static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
}

bool HasFilesButNoCurrent(const std::string& path) {
  std::error_code ec;
  if (fs::exists(fs::path(path) / "CURRENT", ec)) return false;
  for (fs::directory_iterator it(path, ec), end; !ec && it != end;
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const std::string ext = it->path().extension().string();
    // RocksDB numbers its tables, blobs and logs (000012.sst): other files
    // (an operator's head.log) say nothing about the store.
    const std::string stem = it->path().stem().string();
    const bool numbered = !stem.empty() && std::all_of(stem.begin(), stem.end(),
                                                       absl::ascii_isdigit);
    if (absl::StartsWith(name, "MANIFEST-") ||
        (numbered && (ext == ".sst" || ext == ".blob" || ext == ".log"))) {
      return true;
    }
  }
  return false;
}

}  // namespace wasmhpc::cache
