// A store that a head before module records and code size entries wrote
// (five column families; module metadata as "module/<digest>" job records)
// opens, read-only and for writing, with everything in it.
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cache-store/blob_format.h"
#include "cache-store/kv_cache_store.h"
#include "cache-store/rocksdb_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"

namespace wasmhpc::cache {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;

constexpr char kFingerprint[] = "v8;old";

// The families and entries as the older head wrote them, through RocksDB.
void WriteOldStore(const std::string& path, const std::string& module) {
  const std::string digest = ModuleDigest(module);
  const std::string record_key = absl::StrCat("module/", digest);
  const std::string code_key = CodeKey(digest, kFingerprint);
  const Space old_spaces[] = {Space::kModules, Space::kModuleSizes,
                              Space::kCode, Space::kJobs, Space::kLogs};
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, {}}};
  for (Space space : old_spaces) families.push_back({SpaceName(space), {}});
  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(options, path, families, &handles, &db).ok());
  auto put = [&](Space space, const std::string& key,
                 const std::string& payload) {
    rocksdb::ColumnFamilyHandle* handle = handles[static_cast<size_t>(space)];
    ASSERT_TRUE(db->Put({}, handle, key, EncodeBlob(space, key, payload)).ok());
  };
  put(Space::kModules, digest, module);
  put(Space::kModuleSizes, digest, std::string("\x06\0\0\0\0\0\0\0", 8));
  put(Space::kCode, code_key, "old code");
  put(Space::kJobs, "job-00000001", "job record");
  put(Space::kJobs, record_key, "module metadata");
  for (auto* handle : handles) {
    ASSERT_TRUE(db->DestroyColumnFamilyHandle(handle).ok());
  }
  delete db;
}

// Everything WriteOldStore stored, as the store shows it now.
void ExpectAllThere(CacheStore& store, const std::string& module) {
  const std::string digest = ModuleDigest(module);
  absl::StatusOr<std::vector<ModuleInfo>> modules = store.ListModules();
  ASSERT_TRUE(modules.ok()) << modules.status();
  ASSERT_EQ(modules->size(), 1u);
  EXPECT_EQ((*modules)[0].digest, digest);
  EXPECT_EQ((*modules)[0].size, module.size());
  EXPECT_EQ(store.GetModule(digest)->view(), module);
  absl::StatusOr<std::vector<JobRecord>> jobs = store.ListAllJobs();
  ASSERT_TRUE(jobs.ok()) << jobs.status();
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_EQ((*jobs)[0].job_id, "job-00000001");
  EXPECT_EQ((*jobs)[0].record, "job record");
  EXPECT_EQ(store.GetModuleRecord(digest).value_or(""), "module metadata");
  EXPECT_EQ(store.HasCode(digest, kFingerprint).value_or(false), true);
  EXPECT_EQ(store.GetCode(digest, kFingerprint)->view(), "old code");
}

TEST(RocksDbOldStore, OpensReadOnlyThenMigratesWhenWritable) {
  std::string dir = ::testing::TempDir() + "old_store.XXXXXX";
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  const std::string path = dir + "/cache";
  const std::string module = "module";
  WriteOldStore(path, module);
  std::vector<std::string> lines;
  RocksDbOptions options;
  options.path = path;
  options.log = [&](absl::string_view line) { lines.emplace_back(line); };
  for (bool read_only : {true, false, true}) {
    SCOPED_TRACE(read_only ? "read-only" : "writable");
    options.read_only = read_only;
    absl::StatusOr<std::unique_ptr<CacheStore>> store =
        OpenRocksDbStore(options);
    ASSERT_TRUE(store.ok()) << store.status();
    ExpectAllThere(**store, module);
  }
  EXPECT_THAT(lines, ElementsAre(::testing::HasSubstr(
                         "moved 1 old module records out of the job records")));
  // After the move the store lists modules and jobs with a new head's
  // calls alone, and a module deleted takes its record along.
  options.read_only = false;
  std::unique_ptr<CacheStore> store = *OpenRocksDbStore(options);
  ASSERT_TRUE(store->DeleteModule(ModuleDigest(module)).ok());
  EXPECT_TRUE(
      absl::IsNotFound(store->GetModuleRecord(ModuleDigest(module)).status()));
  EXPECT_EQ(store->ListAllJobs()->size(), 1u);
  store.reset();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace wasmhpc::cache
