// Runs the shared CacheStore suite against the RocksDB backend, then the
// RocksDB-only cases: reopening, damage on disk, bad directories, two
// processes, a full disk.
//
// This binary doubles as the helper process of the two-process tests:
// `cache_store_rocksdb_test --hold-cache PATH` opens PATH for writing, stores
// one module, prints "ready" and holds the cache until stdin closes.
#include "cache-store/rocksdb_store.h"

#include <fcntl.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "cache-store/cache_store_test_base.h"
#include "cache-store/kv_cache_store.h"
#include "cache-store/rocksdb_kv.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"

namespace wasmhpc::cache::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr char kHeldModule[] = "module stored by the helper process";

// A fresh directory under the test temp dir, removed on destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern = ::testing::TempDir() + "cache_store_test.XXXXXX";
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

class RocksDbHarness final : public BackendHarness {
 public:
  explicit RocksDbHarness(CacheLogFn log) : log_(std::move(log)) {
    options_.path = dir_.Sub("cache");
    absl::Status opened = Reopen();
    if (!opened.ok()) ADD_FAILURE() << opened;
  }
  CacheStore& store() override { return *store_; }
  KvBackend& raw() override { return *raw_; }
  bool persistent() const override { return true; }
  absl::Status Reopen() override {
    store_.reset();
    absl::StatusOr<std::unique_ptr<KvBackend>> kv = OpenRocksDbKv(options_);
    if (!kv.ok()) return kv.status();
    raw_ = kv->get();
    store_ = NewKvCacheStore(*std::move(kv), log_);
    return absl::OkStatus();
  }

 private:
  TempDir dir_;
  RocksDbOptions options_;
  CacheLogFn log_;
  KvBackend* raw_ = nullptr;
  std::unique_ptr<CacheStore> store_;
};

BackendParam RocksDbBackend() {
  return {"RocksDb", [](CacheLogFn log) {
            return std::make_unique<RocksDbHarness>(std::move(log));
          }};
}

INSTANTIATE_TEST_SUITE_P(RocksDb, CacheStoreTest,
                         ::testing::Values(RocksDbBackend()), BackendParamName);

RocksDbOptions Options(const std::string& path, bool read_only = false) {
  RocksDbOptions options;
  options.path = path;
  options.read_only = read_only;
  return options;
}

TEST(RocksDbStore, DataSurvivesCloseAndReopenThroughPublicFactory) {
  TempDir dir;
  const std::string path = dir.Sub("c");
  const std::string big(1 << 20, 'm');  // Over kMinBlobSize: a blob file.
  const std::string digest = ModuleDigest(big);
  {
    absl::StatusOr<std::unique_ptr<CacheStore>> store =
        OpenRocksDbStore(Options(path));
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE((*store)->PutModule(digest, big).ok());
    EXPECT_EQ((*store)->name(), "cache " + path);
  }
  for (bool read_only : {false, true}) {
    absl::StatusOr<std::unique_ptr<CacheStore>> store =
        OpenRocksDbStore(Options(path, read_only));
    ASSERT_TRUE(store.ok()) << store.status();
    EXPECT_TRUE((*store)->GetModule(digest)->view() == big);
  }
  bool has_blob_file = false;
  for (const auto& entry : fs::directory_iterator(path)) {
    has_blob_file |= entry.path().extension() == ".blob";
  }
  EXPECT_TRUE(has_blob_file);
}

// Regression: reads hand out RocksDB's own buffer for blob values (no copy);
// those bytes, and small values copied out of the block cache, must stay
// valid after the store (and its block cache) is gone.
TEST(RocksDbStore, ReturnedBytesOutliveTheStore) {
  TempDir dir;
  const std::string path = dir.Sub("c");
  const std::string big(3 << 20, 'c');  // Over kMinBlobSize: a blob file.
  const std::string digest = ModuleDigest("module");
  {
    absl::StatusOr<std::unique_ptr<CacheStore>> store =
        OpenRocksDbStore(Options(path));
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE((*store)->PutCode(digest, "fp", big).ok());
    ASSERT_TRUE((*store)->PutJob("job", "small record").ok());
  }
  for (bool read_only : {false, true}) {
    SharedBytes code;
    std::string job;
    {
      absl::StatusOr<std::unique_ptr<CacheStore>> store =
          OpenRocksDbStore(Options(path, read_only));
      ASSERT_TRUE(store.ok()) << store.status();
      code = *(*store)->GetCode(digest, "fp");
      job = (*store)->GetJob("job").value_or("");
    }
    EXPECT_TRUE(code.view() == big);
    EXPECT_EQ(job, "small record");
  }
}

// A writer flushes on close: a read-only open then replays no write-ahead
// log (megabytes of code on every cache hit), and opens leave no logs behind.
TEST(RocksDbStore, ClosedWriterLeavesNoLogToReplay) {
  TempDir dir;
  const std::string path = dir.Sub("c");
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<std::unique_ptr<CacheStore>> store =
        OpenRocksDbStore(Options(path));
    ASSERT_TRUE(store.ok()) << store.status();
    const std::string digest = ModuleDigest(absl::StrCat("module ", i));
    ASSERT_TRUE(
        (*store)->PutCode(digest, "fp", std::string(1 << 20, 'c')).ok());
  }
  uintmax_t log_bytes = 0;
  int logs = 0;
  for (const auto& entry : fs::directory_iterator(path)) {
    if (entry.path().extension() == ".log") {
      ++logs;
      log_bytes += entry.file_size();
    }
  }
  EXPECT_LE(logs, 1);
  EXPECT_EQ(log_bytes, 0u);
}

TEST(RocksDbStore, GarbageWrittenOnDiskIsAMissAfterReopen) {
  TempDir dir;
  const std::string path = dir.Sub("c");
  const std::string digest = ModuleDigest("module");
  ASSERT_TRUE(
      (*OpenRocksDbStore(Options(path)))->PutModule(digest, "module").ok());
  {  // Damage the value through RocksDB itself, behind the store's back.
    std::vector<rocksdb::ColumnFamilyDescriptor> families = {
        {rocksdb::kDefaultColumnFamilyName, {}}};
    for (Space space : kAllSpaces) families.push_back({SpaceName(space), {}});
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open({}, path, families, &handles, &db).ok());
    const auto modules = static_cast<size_t>(Space::kModules);
    ASSERT_TRUE(db->Put({}, handles[modules], digest, "\x01garbage").ok());
    for (auto* handle : handles)
      ASSERT_TRUE(db->DestroyColumnFamilyHandle(handle).ok());
    delete db;
  }
  std::vector<std::string> lines;
  RocksDbOptions options = Options(path);
  options.log = [&](absl::string_view line) { lines.emplace_back(line); };
  std::unique_ptr<CacheStore> store = *OpenRocksDbStore(options);
  absl::StatusOr<SharedBytes> got = store->GetModule(digest);
  EXPECT_TRUE(absl::IsNotFound(got.status())) << got.status();
  EXPECT_THAT(lines, ::testing::ElementsAre(HasSubstr("corrupt module")));
}

// --- Bad directories -------------------------------------------------------
// Tests run as root, which chmod does not stop; so these use paths no
// process can write: a regular file where the directory should be, a path
// beneath a regular file, and a directory inside /proc.

TEST(RocksDbStore, RegularFileAsDirectoryIsFailedPrecondition) {
  TempDir dir;
  const std::string file = dir.Sub("file");
  std::fclose(std::fopen(file.c_str(), "w"));
  for (const std::string& path : {file, file + "/cache"}) {
    for (bool read_only : {false, true}) {
      absl::StatusOr<std::unique_ptr<CacheStore>> store =
          OpenRocksDbStore(Options(path, read_only));
      EXPECT_TRUE(absl::IsFailedPrecondition(store.status())) << store.status();
      EXPECT_THAT(store.status().message(), HasSubstr(path));
    }
  }
}

TEST(RocksDbStore, UnwritableProcDirectoriesAreErrorsNamingThePath) {
  // mkdir in /proc fails (ENOENT here); /proc/self exists but takes no
  // files (EPERM/EACCES), also for root.
  for (const char* path : {"/proc/wasmhpc-cache-store-test", "/proc/self"}) {
    absl::StatusOr<std::unique_ptr<CacheStore>> store =
        OpenRocksDbStore(Options(path));
    ASSERT_FALSE(store.ok()) << path;
    EXPECT_TRUE(absl::IsPermissionDenied(store.status()) ||
                absl::IsFailedPrecondition(store.status()))
        << store.status();
    EXPECT_THAT(store.status().message(), HasSubstr(path));
  }
}

TEST(RocksDbStore, UnwritableDirectoryIsPermissionDenied) {
  if (::geteuid() == 0) {
    GTEST_SKIP() << "root writes through chmod 0555; see the /proc case";
  }
  TempDir dir;
  const std::string path = dir.Sub("ro");
  fs::create_directory(path);
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_exec);
  absl::StatusOr<std::unique_ptr<CacheStore>> store =
      OpenRocksDbStore(Options(path));
  EXPECT_TRUE(absl::IsPermissionDenied(store.status())) << store.status();
  fs::permissions(path, fs::perms::owner_all);
}

TEST(RocksDbStore, MissingCacheIsNotFound) {
  TempDir dir;
  EXPECT_TRUE(absl::IsNotFound(
      OpenRocksDbStore(Options(dir.Sub("none"), true)).status()));
  RocksDbOptions options = Options(dir.Sub("none"));
  options.create_if_missing = false;
  EXPECT_TRUE(absl::IsNotFound(OpenRocksDbStore(options).status()));
  fs::create_directory(dir.Sub("empty"));
  EXPECT_TRUE(absl::IsNotFound(
      OpenRocksDbStore(Options(dir.Sub("empty"), true)).status()));
  EXPECT_TRUE(absl::IsInvalidArgument(OpenRocksDbStore(Options("")).status()));
}

// --- Sharing a directory ---------------------------------------------------

TEST(RocksDbStore, SecondWriterInProcessIsUnavailable) {
  TempDir dir;
  std::unique_ptr<CacheStore> first = *OpenRocksDbStore(Options(dir.Sub("c")));
  absl::StatusOr<std::unique_ptr<CacheStore>> second =
      OpenRocksDbStore(Options(dir.Sub("c")));
  EXPECT_TRUE(absl::IsUnavailable(second.status())) << second.status();
  EXPECT_THAT(second.status().message(), HasSubstr("in use by another"));
}

TEST(RocksDbStore, ReadOnlyStoreReadsAlongsideWriterAndRefusesWrites) {
  TempDir dir;
  const std::string digest = ModuleDigest("module");
  std::unique_ptr<CacheStore> writer = *OpenRocksDbStore(Options(dir.Sub("c")));
  ASSERT_TRUE(writer->PutModule(digest, "module").ok());
  ASSERT_TRUE(writer->AppendLog("job", "line").ok());
  absl::StatusOr<std::unique_ptr<CacheStore>> reader =
      OpenRocksDbStore(Options(dir.Sub("c"), /*read_only=*/true));
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_TRUE((*reader)->read_only());
  EXPECT_EQ((*reader)->GetModule(digest)->view(), "module");
  EXPECT_EQ((*reader)->ReadLog("job", 0, 10)->data, "line");
  absl::Status write = (*reader)->PutJob("job", "record");
  EXPECT_TRUE(absl::IsFailedPrecondition(write)) << write;
  EXPECT_THAT(write.message(), HasSubstr("read-only"));
  EXPECT_TRUE(
      absl::IsFailedPrecondition((*reader)->AppendLog("j", "x").status()));
  EXPECT_TRUE(writer->PutJob("job", "record").ok());  // Writer unaffected.
}

// A child process holding a cache open for writing.
class HolderProcess {
 public:
  explicit HolderProcess(const std::string& path) {
    int to_child[2], from_child[2];
    // O_CLOEXEC: the child keeps only the dup2-ed ends, so it sees EOF.
    if (::pipe2(to_child, O_CLOEXEC) != 0 ||
        ::pipe2(from_child, O_CLOEXEC) != 0) {
      return;
    }
    pid_ = ::fork();
    if (pid_ == 0) {  // Only async-signal-safe calls until exec.
      ::dup2(to_child[0], 0);
      ::dup2(from_child[1], 1);
      ::execl("/proc/self/exe", "cache_store_rocksdb_test", "--hold-cache",
              path.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(to_child[0]);
    ::close(from_child[1]);
    stdin_ = to_child[1];
    stdout_ = from_child[0];
  }
  ~HolderProcess() {
    if (stdin_ >= 0) ::close(stdin_);
    if (stdout_ >= 0) ::close(stdout_);
    if (pid_ > 0) ::waitpid(pid_, nullptr, 0);
  }
  // Waits for the child's first line.
  std::string ReadLine() {
    std::string line;
    char c;
    while (::read(stdout_, &c, 1) == 1 && c != '\n') line.push_back(c);
    return line;
  }
  // Closes the child's stdin and returns its exit status.
  int Finish() {
    ::close(stdin_);
    stdin_ = -1;
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
  int stdin_ = -1;
  int stdout_ = -1;
};

TEST(RocksDbStore, TwoProcessesOneWriterManyReaders) {
  TempDir dir;
  const std::string path = dir.Sub("c");
  HolderProcess holder(path);
  ASSERT_EQ(holder.ReadLine(), "ready");

  absl::StatusOr<std::unique_ptr<CacheStore>> writer =
      OpenRocksDbStore(Options(path));
  EXPECT_TRUE(absl::IsUnavailable(writer.status())) << writer.status();
  EXPECT_THAT(writer.status().message(),
              HasSubstr("cache " + path + " is in use by another process"));

  absl::StatusOr<std::unique_ptr<CacheStore>> reader =
      OpenRocksDbStore(Options(path, /*read_only=*/true));
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ((*reader)->GetModule(ModuleDigest(kHeldModule))->view(),
            kHeldModule);

  EXPECT_EQ(holder.Finish(), 0);
  writer = OpenRocksDbStore(Options(path));  // The lock is free again.
  EXPECT_TRUE(writer.ok()) << writer.status();
}

// --- Full disk -------------------------------------------------------------

// Files whose writes fail with "no space" while `full` is set.
class FullDiskFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FullDiskFile(std::unique_ptr<rocksdb::FSWritableFile> file,
               const std::atomic<bool>* full)
      : FSWritableFileOwnerWrapper(std::move(file)), full_(full) {}
  rocksdb::IOStatus Append(const rocksdb::Slice& data,
                           const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
    if (*full_) return rocksdb::IOStatus::NoSpace("test: disk full");
    return target()->Append(data, options, dbg);
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data,
                           const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& info,
                           rocksdb::IODebugContext* dbg) override {
    if (*full_) return rocksdb::IOStatus::NoSpace("test: disk full");
    return target()->Append(data, options, info, dbg);
  }

 private:
  const std::atomic<bool>* full_;
};

class FullDiskFs final : public rocksdb::FileSystemWrapper {
 public:
  FullDiskFs() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "FullDiskFs"; }
  void set_full(bool full) { full_ = full; }
  rocksdb::IOStatus NewWritableFile(
      const std::string& name, const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* file,
      rocksdb::IODebugContext* dbg) override {
    if (full_) return rocksdb::IOStatus::NoSpace("test: disk full");
    rocksdb::IOStatus s = target()->NewWritableFile(name, options, file, dbg);
    if (s.ok())
      *file = std::make_unique<FullDiskFile>(std::move(*file), &full_);
    return s;
  }

 private:
  std::atomic<bool> full_{false};
};

// Opens a store at `path` through `env`; null on error.
std::unique_ptr<CacheStore> OpenWithEnv(const std::string& path,
                                        rocksdb::Env* env) {
  absl::StatusOr<std::unique_ptr<KvBackend>> kv =
      OpenRocksDbKv(Options(path), env);
  if (!kv.ok()) return nullptr;
  return NewKvCacheStore(*std::move(kv), {});
}

TEST(RocksDbStore, FullDiskFailsWritesAndTheyResumeWithoutReopening) {
  TempDir dir;
  auto fs = std::make_shared<FullDiskFs>();
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  std::unique_ptr<CacheStore> store = OpenWithEnv(dir.Sub("c"), env.get());
  ASSERT_NE(store, nullptr);
  const std::string digest = ModuleDigest("kept");
  ASSERT_TRUE(store->PutModule(digest, "kept").ok());
  ASSERT_EQ(store->AppendLog("job", "0123").value_or(99), 0u);

  fs->set_full(true);
  absl::Status put = store->PutModule(ModuleDigest("lost"), "lost");
  EXPECT_TRUE(absl::IsResourceExhausted(put)) << put;
  EXPECT_THAT(put.message(), HasSubstr(dir.Sub("c")));
  EXPECT_THAT(put.message(), HasSubstr("the disk is full"));
  EXPECT_THAT(put.message(), HasSubstr("free space there and writes resume"));
  for (int i = 0; i < 3; ++i) {  // Again and again: still no crash.
    EXPECT_TRUE(
        absl::IsResourceExhausted(store->AppendLog("job", "lost").status()));
    EXPECT_TRUE(absl::IsResourceExhausted(store->PutJob("job", "record")));
  }
  // Reads still work; the failed append left the log as it was.
  EXPECT_EQ(store->GetModule(digest)->view(), "kept");
  EXPECT_EQ(store->ReadLog("job", 0, 100)->data, "0123");

  // Space is back: the next write resumes RocksDB and goes through.
  fs->set_full(false);
  absl::StatusOr<uint64_t> resumed = store->AppendLog("job", "4567");
  EXPECT_TRUE(resumed.ok()) << resumed.status();
  EXPECT_EQ(resumed.value_or(99), 4u);
  EXPECT_TRUE(store->PutJob("job", "record").ok());
  EXPECT_TRUE(
      absl::IsNotFound(store->GetModule(ModuleDigest("lost")).status()));

  store.reset();  // Nothing acknowledged is lost across a reopen.
  store = OpenWithEnv(dir.Sub("c"), env.get());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->GetModule(digest)->view(), "kept");
  EXPECT_EQ(store->ReadLog("job", 0, 100)->data, "01234567");
  EXPECT_EQ(store->GetJob("job").value_or(""), "record");
}

TEST(RocksDbStore, WriterOpensReadOnlyOnAFullDiskAndReopensWhenFreed) {
  TempDir dir;
  auto fs = std::make_shared<FullDiskFs>();
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  const std::string digest = ModuleDigest("kept");
  {
    std::unique_ptr<CacheStore> store = OpenWithEnv(dir.Sub("c"), env.get());
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->PutModule(digest, "kept").ok());
    ASSERT_TRUE(store->AppendLog("job", "log").ok());
  }
  fs->set_full(true);
  std::unique_ptr<CacheStore> store = OpenWithEnv(dir.Sub("c"), env.get());
  ASSERT_NE(store, nullptr) << "a full disk must not stop the store opening";
  EXPECT_FALSE(store->read_only());
  EXPECT_EQ(store->GetModule(digest)->view(), "kept");
  EXPECT_EQ(store->ReadLog("job", 0, 10)->data, "log");
  absl::Status put = store->PutJob("job", "record");
  EXPECT_TRUE(absl::IsResourceExhausted(put)) << put;
  EXPECT_THAT(put.message(), HasSubstr("the disk is full"));

  fs->set_full(false);
  EXPECT_TRUE(store->PutJob("job", "record").ok());
  EXPECT_EQ(store->AppendLog("job", "!").value_or(99), 3u);
  EXPECT_EQ(store->GetModule(digest)->view(), "kept");
  store.reset();
  store = OpenWithEnv(dir.Sub("c"), env.get());
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->GetJob("job").value_or(""), "record");
  EXPECT_EQ(store->ReadLog("job", 0, 10)->data, "log!");
}

TEST(RocksDbStore, BelowTheReserveDeletesStillWorkAndPutsAreRefused) {
  TempDir dir;
  RocksDbOptions options = Options(dir.Sub("c"));
  std::unique_ptr<CacheStore> store = *OpenRocksDbStore(options);
  ASSERT_TRUE(store->PutJob("job", "record").ok());
  store.reset();
  struct statvfs st;
  ASSERT_EQ(::statvfs(dir.Sub("c").c_str(), &st), 0);
  // Free space lies between the reserve for deletes and the one for puts.
  options.min_free_bytes = 2 * uint64_t{st.f_bavail} * st.f_frsize;
  store = *OpenRocksDbStore(options);  // Read-only: below the reserve.
  absl::Status put = store->PutJob("other", "record");
  EXPECT_TRUE(absl::IsResourceExhausted(put)) << put;
  EXPECT_THAT(put.message(), HasSubstr("bytes free; the store keeps"));
  EXPECT_EQ(store->GetJob("job").value_or(""), "record");
  absl::Status deleted = store->DeleteJob("job");
  EXPECT_TRUE(deleted.ok()) << deleted;
  EXPECT_TRUE(absl::IsNotFound(store->GetJob("job").status()));
}

// Regression: on a real full file system Debian's RocksDB asserted (its
// WritableFileWriter written again after a failed write: the info log, the
// write-ahead log) and aborted the process, at every restart too.
TEST(RocksDbStore, RealFullFileSystemNeitherCrashesNorLosesData) {
  TempDir dir;
  const std::string mount = dir.Sub("fs");
  fs::create_directory(mount);
  if (::geteuid() != 0 ||
      std::system(("mount -t tmpfs -o size=20m tmpfs " + mount + " 2>/dev/null")
                      .c_str()) != 0) {
    GTEST_SKIP() << "needs root to mount a 20 MiB tmpfs";
  }
  struct Unmount {
    std::string path;
    ~Unmount() { std::system(("umount -l " + path).c_str()); }
  } unmount{mount};
  const std::string path = mount + "/c";
  std::unique_ptr<CacheStore> store = *OpenRocksDbStore(Options(path));
  const std::string digest = ModuleDigest(std::string(100000, 'k'));
  ASSERT_TRUE(store->PutModule(digest, std::string(100000, 'k')).ok());
  {
    std::ofstream filler(mount + "/filler", std::ios::binary);
    filler << std::string(4 << 20, 'f');
  }
  absl::Status full;
  const std::string chunk(64 << 10, 'x');
  for (int i = 0; i < 1000 && full.ok(); ++i) {
    full = store->AppendLog("job", chunk).status();
  }
  ASSERT_TRUE(absl::IsResourceExhausted(full)) << full;
  EXPECT_THAT(full.message(), HasSubstr("the disk is full"));
  EXPECT_TRUE(absl::IsResourceExhausted(store->PutJob("j", "r")));
  EXPECT_EQ(store->GetModule(digest)->size(), 100000u);
  const uint64_t logged = store->ReadLog("job", 0, 0)->log_size;

  store.reset();  // Closing and opening on the full disk both work.
  {               // Full to the last byte.
    std::ofstream rest(mount + "/rest", std::ios::binary);
    while (rest.write(chunk.data(), chunk.size())) {
    }
  }
  absl::StatusOr<std::unique_ptr<CacheStore>> reopened =
      OpenRocksDbStore(Options(path));
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  store = *std::move(reopened);
  EXPECT_EQ(store->GetModule(digest)->size(), 100000u);
  EXPECT_EQ(store->ReadLog("job", 0, 0)->log_size, logged);
  EXPECT_TRUE(absl::IsResourceExhausted(store->PutJob("j", "r")));

  fs::remove(mount + "/filler");
  fs::remove(mount + "/rest");
  EXPECT_TRUE(store->PutJob("j", "r").ok());
  EXPECT_EQ(store->AppendLog("job", "end").value_or(0), logged);
}

}  // namespace

// The helper process of HolderProcess.
int HoldCache(const char* path) {
  absl::StatusOr<std::unique_ptr<CacheStore>> store =
      OpenRocksDbStore(Options(path));
  if (!store.ok()) {
    std::cout << "error: " << store.status() << std::endl;
    return 1;
  }
  if (!(*store)->PutModule(ModuleDigest(kHeldModule), kHeldModule).ok()) {
    return 2;
  }
  std::cout << "ready" << std::endl;
  char c;
  while (::read(0, &c, 1) == 1) {
  }
  return 0;
}

}  // namespace wasmhpc::cache::testing

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--hold-cache") {
    return wasmhpc::cache::testing::HoldCache(argv[2]);
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
