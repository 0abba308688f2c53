// RepairRocksDbStore, BackupRocksDbStore and CountRocksDbStore on real
// directories, damaged the ways a crash or a bad disk damages them.
#include "cache-store/rocksdb_admin.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "cache-store/module_digest.h"
#include "cache-store/rocksdb_store.h"
#include "common/test_files.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wasmhpc {
namespace {

namespace fs = std::filesystem;
using ::testing::Contains;
using ::testing::HasSubstr;

class RocksDbAdminTest : public ::testing::Test {
 protected:
  std::unique_ptr<CacheStore> Open() {
    RocksDbOptions options;
    options.path = path_;
    absl::StatusOr<std::unique_ptr<CacheStore>> store =
        OpenRocksDbStore(options);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }
  absl::Status OpenStatus() {
    RocksDbOptions options;
    options.path = path_;
    return OpenRocksDbStore(options).status();
  }
  // Two modules (one large: in a blob file), large code, two job records,
  // two logs; closed (flushed).
  void Fill() {
    std::unique_ptr<CacheStore> store = Open();
    ASSERT_TRUE(store->PutModule(ModuleDigest(big_), big_).ok());
    ASSERT_TRUE(store->PutModule(ModuleDigest("small"), "small").ok());
    ASSERT_TRUE(store->PutCode(ModuleDigest("small"), "fp", big_).ok());
    ASSERT_TRUE(store->PutJob("job-1", "record 1").ok());
    ASSERT_TRUE(store->PutJob("job-2", "record 2").ok());
    ASSERT_TRUE(store->AppendLog("job-1", "hello ").ok());
    ASSERT_TRUE(store->AppendLog("job-1", "world").ok());
    ASSERT_TRUE(store->AppendLog("job-2", "log 2").ok());
  }
  std::vector<fs::path> Files(const std::string& prefix,
                              const std::string& ext) {
    std::vector<fs::path> found;
    for (const auto& entry : fs::directory_iterator(path_)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind(prefix, 0) == 0 && entry.path().extension() == ext) {
        found.push_back(entry.path());
      }
    }
    return found;
  }
  // Everything Fill stored is back.
  void ExpectAllThere() {
    std::unique_ptr<CacheStore> store = Open();
    ASSERT_NE(store, nullptr);
    EXPECT_EQ(store->GetModule(ModuleDigest(big_))->view(), big_);
    EXPECT_EQ(store->GetModule(ModuleDigest("small"))->view(), "small");
    EXPECT_EQ(store->GetCode(ModuleDigest("small"), "fp")->view(), big_);
    EXPECT_EQ(store->GetJob("job-2").value_or(""), "record 2");
    EXPECT_EQ(store->ReadLog("job-1", 0, 100)->data, "hello world");
    EXPECT_EQ(store->ListModules()->size(), 2u);
  }

  TempDir root_{"rocksdb_admin_test."};
  std::string path_ = root_.Path("data");
  const std::string big_ = std::string(300000, 'B');  // Over the blob size.
};

TEST_F(RocksDbAdminTest, CountsWhatAStoreHolds) {
  Fill();
  StoreCounts counts = CountRocksDbStore(path_);
  EXPECT_TRUE(counts.known) << counts.error;
  EXPECT_EQ(counts.modules, 2u);
  EXPECT_EQ(counts.code, 1u);
  EXPECT_EQ(counts.records, 2u);
  EXPECT_EQ(counts.logs, 2u);
  EXPECT_EQ(counts.log_chunks, 3u);
  StoreCounts none = CountRocksDbStore(root_.Path("none"));
  EXPECT_FALSE(none.known);
  EXPECT_FALSE(none.error.empty());
}

// A new data dir holding an operator's own files (a head.log beside it) is
// not a damaged store: only RocksDB's numbered files say a store was there.
TEST_F(RocksDbAdminTest, ForeignFilesInANewDataDirAreNotADamagedStore) {
  fs::create_directories(path_);
  for (const char* name : {"head.log", "notes.sst", "x.blob"}) {
    std::ofstream(path_ + "/" + name) << "not RocksDB\n";
  }
  absl::Status opened = OpenStatus();
  EXPECT_TRUE(opened.ok()) << opened;
}

TEST_F(RocksDbAdminTest, MissingCurrentIsDataLossAndRepairKeepsEverything) {
  Fill();
  fs::remove(path_ + "/CURRENT");
  absl::Status opened = OpenStatus();
  EXPECT_TRUE(absl::IsDataLoss(opened)) << opened;
  EXPECT_THAT(opened.message(), HasSubstr("no CURRENT file"));
  EXPECT_FALSE(fs::exists(path_ + "/CURRENT")) << "must not start afresh";

  absl::StatusOr<RepairReport> report = RepairRocksDbStore(path_);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_FALSE(report->before.known);
  EXPECT_TRUE(report->after.known) << report->after.error;
  EXPECT_EQ(report->after.modules, 2u);
  EXPECT_EQ(report->after.records, 2u);
  EXPECT_EQ(report->after.logs, 2u);
  // RocksDB's repair drops blob files; the large module and code come back.
  EXPECT_EQ(report->blobs_restored, 2u);
  EXPECT_THAT(report->lost_files, Contains(HasSubstr("lost/MANIFEST-")));
  ExpectAllThere();
}

TEST_F(RocksDbAdminTest, CorruptManifestIsDataLossAndRepairKeepsEverything) {
  Fill();
  std::vector<fs::path> manifests = Files("MANIFEST-", "");
  ASSERT_EQ(manifests.size(), 1u);
  { std::ofstream(manifests[0], std::ios::binary) << "garbage, not a log"; }
  absl::Status opened = OpenStatus();
  EXPECT_TRUE(absl::IsDataLoss(opened)) << opened;

  absl::StatusOr<RepairReport> report = RepairRocksDbStore(path_);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->after.modules, 2u);
  ExpectAllThere();
}

TEST_F(RocksDbAdminTest, MissingTableFileIsDataLoss) {
  Fill();
  std::vector<fs::path> tables = Files("", ".sst");
  ASSERT_FALSE(tables.empty());
  fs::remove(tables[0]);
  absl::Status opened = OpenStatus();
  EXPECT_TRUE(absl::IsDataLoss(opened)) << opened;
  absl::StatusOr<RepairReport> report = RepairRocksDbStore(path_);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(OpenStatus().ok());
}

TEST_F(RocksDbAdminTest, CorruptTableIsSetAsideAndTheRestKept) {
  Fill();
  std::vector<fs::path> tables = Files("", ".sst");
  ASSERT_FALSE(tables.empty());
  // Garbage over every table but the store still opens after repair with
  // what is left, and says what it set aside.
  for (const fs::path& table : tables) {
    std::fstream file(table, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(0);
    file << std::string(64, '\xff');
  }
  absl::StatusOr<RepairReport> report = RepairRocksDbStore(path_);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->after.known) << report->after.error;
  EXPECT_THAT(report->lost_files, Contains(HasSubstr(".sst")));
  EXPECT_TRUE(OpenStatus().ok());
}

TEST_F(RocksDbAdminTest, RepairRefusesAStoreInUseAndAMissingDirectory) {
  Fill();
  std::unique_ptr<CacheStore> holder = Open();
  absl::StatusOr<RepairReport> report = RepairRocksDbStore(path_);
  EXPECT_TRUE(absl::IsUnavailable(report.status())) << report.status();
  EXPECT_THAT(report.status().message(), HasSubstr("in use"));
  EXPECT_TRUE(
      absl::IsNotFound(RepairRocksDbStore(root_.Path("none")).status()));
}

TEST_F(RocksDbAdminTest, BackupCopiesEverythingAndRestoresByCopyingBack) {
  Fill();
  const std::string backup = root_.Path("backup");
  ASSERT_TRUE(BackupRocksDbStore(path_, backup).ok());
  StoreCounts counts = CountRocksDbStore(backup);
  EXPECT_TRUE(counts.known) << counts.error;
  EXPECT_EQ(counts.modules, 2u);
  EXPECT_EQ(counts.log_chunks, 3u);

  absl::Status again = BackupRocksDbStore(path_, backup);
  EXPECT_TRUE(absl::IsAlreadyExists(again)) << again;
  {
    std::unique_ptr<CacheStore> holder = Open();
    absl::Status busy = BackupRocksDbStore(path_, root_.Path("busy"));
    EXPECT_TRUE(absl::IsUnavailable(busy)) << busy;
  }
  fs::remove_all(path_);  // Restore: copy the backup back.
  fs::copy(backup, path_, fs::copy_options::recursive);
  ExpectAllThere();
}

}  // namespace
}  // namespace wasmhpc
