// Unit tests of the file and directory calls on a temporary preopen:
// read/write/seek, flags, rights, readdir, path calls, prestats, renumber.
#include <fcntl.h>
#include <unistd.h>

#include <set>

#include "wasi/wasi_test_fixture.h"

namespace wasmhpc::wasi {
namespace {

TEST_F(WasiTest, FileWriteSeekReadRoundTrip) {
  Make();
  uint32_t fd;
  ASSERT_EQ(Open("data.txt", abi::kOflagCreat | abi::kOflagTrunc,
                 kReadWriteRights, &fd),
            0u);
  EXPECT_EQ(fd, 4u);
  uint32_t n;
  ASSERT_EQ(Write(fd, "hello world", &n), 0u);
  EXPECT_EQ(n, 11u);
  ASSERT_EQ(Call("fd_tell", {fd, kResult}), 0u);
  EXPECT_EQ(mem().Load<uint64_t>(kResult), 11u);
  ASSERT_EQ(Call("fd_seek", {fd, 6, abi::kWhenceSet, kResult}), 0u);
  EXPECT_EQ(mem().Load<uint64_t>(kResult), 6u);
  std::string data;
  ASSERT_EQ(Read(fd, 100, &data), 0u);
  EXPECT_EQ(data, "world");
  ASSERT_EQ(Call("fd_seek",
                 {fd, static_cast<uint64_t>(-5), abi::kWhenceEnd, kResult}),
            0u);
  EXPECT_EQ(mem().Load<uint64_t>(kResult), 6u);
  EXPECT_EQ(Call("fd_seek", {fd, 0, 9, kResult}), E(Errno::kInval));

  // pwrite/pread leave the position alone.
  Put(kBuffer, "HELLO");
  mem().Store<uint32_t>(kIovs, kBuffer);
  mem().Store<uint32_t>(kIovs + 4, 5);
  ASSERT_EQ(Call("fd_pwrite", {fd, kIovs, 1, 0, kResult}), 0u);
  EXPECT_EQ(mem().Load<uint32_t>(kResult), 5u);
  mem().Store<uint32_t>(kIovs + 4, 8);
  ASSERT_EQ(Call("fd_pread", {fd, kIovs, 1, 3, kResult}), 0u);
  EXPECT_EQ(Get(kBuffer, mem().Load<uint32_t>(kResult)), "LO world");
  ASSERT_EQ(Call("fd_tell", {fd, kResult}), 0u);
  EXPECT_EQ(mem().Load<uint64_t>(kResult), 6u);

  ASSERT_EQ(Call("fd_filestat_get", {fd, kBuffer}), 0u);
  EXPECT_EQ(mem().Load<uint8_t>(kBuffer + abi::kFilestatFiletype),
            static_cast<uint8_t>(abi::Filetype::kRegularFile));
  EXPECT_EQ(mem().Load<uint64_t>(kBuffer + abi::kFilestatSizeField), 11u);
  EXPECT_EQ(mem().Load<uint64_t>(kBuffer + abi::kFilestatNlink), 1u);
  ASSERT_EQ(Call("fd_filestat_set_size", {fd, 5}), 0u);
  ASSERT_EQ(Call("fd_allocate", {fd, 0, 64}), 0u);
  ASSERT_EQ(Call("fd_advise", {fd, 0, 0, abi::kAdviceSequential}), 0u);
  EXPECT_EQ(Call("fd_advise", {fd, 0, 0, 17}), E(Errno::kInval));
  ASSERT_EQ(Call("fd_sync", {fd}), 0u);
  ASSERT_EQ(Call("fd_datasync", {fd}), 0u);
  ASSERT_EQ(Call("fd_close", {fd}), 0u);
  EXPECT_EQ(Call("fd_close", {fd}), E(Errno::kBadf));
  EXPECT_EQ(ReadHostFile(box_ + "/data.txt"),
            std::string("HELLO") + std::string(59, '\0'));
}

TEST_F(WasiTest, AppendFlagAndFdstat) {
  WriteHostFile(box_ + "/log", "a");
  Make();
  uint32_t fd;
  ASSERT_EQ(Open("log", 0, kReadWriteRights, &fd, kPreopenFd,
                 abi::kLookupSymlinkFollow, abi::kFdflagAppend),
            0u);
  ASSERT_EQ(Write(fd, "b"), 0u);
  ASSERT_EQ(Call("fd_fdstat_get", {fd, kBuffer}), 0u);
  EXPECT_EQ(mem().Load<uint8_t>(kBuffer + abi::kFdstatFiletype),
            static_cast<uint8_t>(abi::Filetype::kRegularFile));
  EXPECT_EQ(mem().Load<uint16_t>(kBuffer + abi::kFdstatFlags),
            abi::kFdflagAppend);
  EXPECT_EQ(mem().Load<uint64_t>(kBuffer + abi::kFdstatRightsBase),
            kReadWriteRights & abi::kFileRights);
  ASSERT_EQ(Call("fd_fdstat_set_flags", {fd, 0}), 0u);
  ASSERT_EQ(Call("fd_seek", {fd, 0, abi::kWhenceSet, kResult}), 0u);
  ASSERT_EQ(Write(fd, "c"), 0u);
  EXPECT_EQ(ReadHostFile(box_ + "/log"), "cb");
  EXPECT_EQ(Call("fd_fdstat_set_flags", {fd, abi::kFdflagSync}),
            E(Errno::kNotsup));
  EXPECT_EQ(Call("fd_fdstat_set_flags", {fd, 1 << 9}), E(Errno::kInval));
}

TEST_F(WasiTest, FdstatSetRightsOnlyDropsRights) {
  Make();
  uint32_t fd;
  ASSERT_EQ(Open("f", abi::kOflagCreat, kReadWriteRights, &fd), 0u);
  ASSERT_EQ(Call("fd_fdstat_set_rights", {fd, abi::kRightFdRead, 0}), 0u);
  EXPECT_EQ(Write(fd, "x"), E(Errno::kBadf));
  EXPECT_EQ(Call("fd_tell", {fd, kResult}), E(Errno::kNotcapable));
  EXPECT_EQ(Call("fd_fdstat_set_rights",
                 {fd, abi::kRightFdRead | abi::kRightFdWrite, 0}),
            E(Errno::kNotcapable));
}

TEST_F(WasiTest, ReaddirWalksCookiesThroughSmallBuffers) {
  for (const char* name : {"b", "a", "a_rather_long_file_name.dat"}) {
    WriteHostFile(box_ + "/" + name, "x");
  }
  ASSERT_EQ(mkdir((box_ + "/sub").c_str(), 0755), 0);
  Make();
  std::set<std::pair<std::string, uint8_t>> seen;
  uint64_t cookie = 0;
  constexpr uint32_t kBufLen = 40;  // header + a short name: forces cuts
  for (int round = 0; round < 100; ++round) {
    uint32_t bufsize = kBufLen;
    std::string name;
    uint64_t next = 0;
    // Grow the buffer until the entry at `cookie` fits, as libc does.
    for (;; bufsize *= 2) {
      ASSERT_EQ(
          Call("fd_readdir", {kPreopenFd, kBuffer, bufsize, cookie, kResult}),
          0u);
      uint32_t used = mem().Load<uint32_t>(kResult);
      if (used == 0) break;
      uint32_t namlen = mem().Load<uint32_t>(kBuffer + abi::kDirentNamlen);
      if (used < abi::kDirentSize + namlen && used == bufsize) continue;
      next = mem().Load<uint64_t>(kBuffer + abi::kDirentNext);
      name = Get(kBuffer + abi::kDirentSize, namlen);
      seen.emplace(name, mem().Load<uint8_t>(kBuffer + abi::kDirentType));
      break;
    }
    if (name.empty()) break;
    cookie = next;
  }
  constexpr uint8_t kFile = static_cast<uint8_t>(abi::Filetype::kRegularFile);
  constexpr uint8_t kDir = static_cast<uint8_t>(abi::Filetype::kDirectory);
  std::set<std::pair<std::string, uint8_t>> want = {
      {".", kDir},
      {"..", kDir},
      {"a", kFile},
      {"b", kFile},
      {"a_rather_long_file_name.dat", kFile},
      {"sub", kDir}};
  EXPECT_EQ(seen, want);
  // A regular file cannot be listed; a directory cannot be read.
  uint32_t fd;
  ASSERT_EQ(Open("a", 0, kReadRights, &fd), 0u);
  EXPECT_EQ(Call("fd_readdir", {fd, kBuffer, 100, 0, kResult}),
            E(Errno::kNotcapable));
  std::string data;
  EXPECT_EQ(Read(kPreopenFd, 10, &data), E(Errno::kIsdir));
}

TEST_F(WasiTest, PathCallsCreateRenameLinkAndRemove) {
  Make();
  ASSERT_EQ(PathCall("path_create_directory", "d"), 0u);
  EXPECT_EQ(PathCall("path_create_directory", "d"), E(Errno::kExist));
  uint32_t len = Put(kPath, "d");
  ASSERT_EQ(Call("path_filestat_get", {kPreopenFd, 0, kPath, len, kBuffer}),
            0u);
  EXPECT_EQ(mem().Load<uint8_t>(kBuffer + abi::kFilestatFiletype),
            static_cast<uint8_t>(abi::Filetype::kDirectory));

  uint32_t fd;
  ASSERT_EQ(Open("d/f", abi::kOflagCreat, kReadWriteRights, &fd), 0u);
  ASSERT_EQ(Write(fd, "12345"), 0u);
  uint32_t from = Put(kPath, "d/f");
  uint32_t to = Put(kPath2, "g");
  ASSERT_EQ(
      Call("path_rename", {kPreopenFd, kPath, from, kPreopenFd, kPath2, to}),
      0u);
  EXPECT_TRUE(Exists(box_ + "/g"));
  EXPECT_FALSE(Exists(box_ + "/d/f"));

  from = Put(kPath, "g");
  to = Put(kPath2, "d/hard");
  ASSERT_EQ(
      Call("path_link", {kPreopenFd, 0, kPath, from, kPreopenFd, kPath2, to}),
      0u);
  len = Put(kPath, "g");
  ASSERT_EQ(Call("path_filestat_get", {kPreopenFd, 0, kPath, len, kBuffer}),
            0u);
  EXPECT_EQ(mem().Load<uint64_t>(kBuffer + abi::kFilestatNlink), 2u);
  EXPECT_EQ(mem().Load<uint64_t>(kBuffer + abi::kFilestatSizeField), 5u);

  from = Put(kPath, "g");
  to = Put(kPath2, "sym");
  ASSERT_EQ(Call("path_symlink", {kPath, from, kPreopenFd, kPath2, to}), 0u);
  len = Put(kPath, "sym");
  ASSERT_EQ(
      Call("path_readlink", {kPreopenFd, kPath, len, kBuffer, 64, kResult}),
      0u);
  EXPECT_EQ(Get(kBuffer, mem().Load<uint32_t>(kResult)), "g");
  ASSERT_EQ(Call("path_filestat_get", {kPreopenFd, 0, kPath, len, kBuffer}),
            0u);
  EXPECT_EQ(mem().Load<uint8_t>(kBuffer + abi::kFilestatFiletype),
            static_cast<uint8_t>(abi::Filetype::kSymbolicLink));
  ASSERT_EQ(Call("path_filestat_get",
                 {kPreopenFd, abi::kLookupSymlinkFollow, kPath, len, kBuffer}),
            0u);
  EXPECT_EQ(mem().Load<uint8_t>(kBuffer + abi::kFilestatFiletype),
            static_cast<uint8_t>(abi::Filetype::kRegularFile));

  len = Put(kPath, "g");
  constexpr uint64_t kMtime = 1'600'000'000ull * 1'000'000'000 + 123;
  ASSERT_EQ(Call("path_filestat_set_times",
                 {kPreopenFd, abi::kLookupSymlinkFollow, kPath, len, 0, kMtime,
                  abi::kFstflagMtim}),
            0u);
  ASSERT_EQ(Call("path_filestat_get", {kPreopenFd, 0, kPath, len, kBuffer}),
            0u);
  EXPECT_EQ(mem().Load<uint64_t>(kBuffer + abi::kFilestatMtim), kMtime);
  EXPECT_EQ(Call("path_filestat_set_times",
                 {kPreopenFd, 0, kPath, len, 0, 0,
                  abi::kFstflagMtim | abi::kFstflagMtimNow}),
            E(Errno::kInval));
  ASSERT_EQ(Call("fd_filestat_set_times",
                 {fd, 0, 0, abi::kFstflagAtimNow | abi::kFstflagMtimNow}),
            0u);

  EXPECT_EQ(PathCall("path_remove_directory", "d"), E(Errno::kNotempty));
  EXPECT_EQ(PathCall("path_unlink_file", "d"), E(Errno::kIsdir));
  EXPECT_EQ(PathCall("path_unlink_file", "g/"), E(Errno::kNotdir));
  ASSERT_EQ(PathCall("path_unlink_file", "d/hard"), 0u);
  ASSERT_EQ(PathCall("path_remove_directory", "d/"), 0u);
  ASSERT_EQ(PathCall("path_unlink_file", "sym"), 0u);
  EXPECT_TRUE(Exists(box_ + "/g"));
  EXPECT_EQ(PathCall("path_unlink_file", "nope"), E(Errno::kNoent));
  EXPECT_EQ(PathCall("path_unlink_file", ""), E(Errno::kNoent));
}

TEST_F(WasiTest, PreopensAreListedAsPrestats) {
  Make();
  ASSERT_EQ(Call("fd_prestat_get", {kPreopenFd, kResult}), 0u);
  EXPECT_EQ(mem().Load<uint8_t>(kResult), abi::kPreopenDir);
  EXPECT_EQ(mem().Load<uint32_t>(kResult + 4), 4u);
  ASSERT_EQ(Call("fd_prestat_dir_name", {kPreopenFd, kBuffer, 4}), 0u);
  EXPECT_EQ(Get(kBuffer, 4), "/box");
  EXPECT_EQ(Call("fd_prestat_dir_name", {kPreopenFd, kBuffer, 3}),
            E(Errno::kNametoolong));
  // libc scans fds from 3 until EBADF.
  EXPECT_EQ(Call("fd_prestat_get", {4, kResult}), E(Errno::kBadf));
  EXPECT_EQ(Call("fd_prestat_get", {1, kResult}), E(Errno::kBadf));

  ASSERT_EQ(Call("fd_fdstat_get", {kPreopenFd, kBuffer}), 0u);
  EXPECT_EQ(mem().Load<uint8_t>(kBuffer + abi::kFdstatFiletype),
            static_cast<uint8_t>(abi::Filetype::kDirectory));
  EXPECT_EQ(mem().Load<uint64_t>(kBuffer + abi::kFdstatRightsBase),
            abi::kDirRights);
  EXPECT_EQ(mem().Load<uint64_t>(kBuffer + abi::kFdstatRightsInheriting),
            abi::kDirRights | abi::kFileRights);
}

TEST_F(WasiTest, RenumberAndClosingAPreopen) {
  Make();
  uint32_t fd;
  ASSERT_EQ(Open("f", abi::kOflagCreat, kReadWriteRights, &fd), 0u);
  ASSERT_EQ(Call("fd_renumber", {fd, 1}), 0u);  // stdout now goes to "f"
  ASSERT_EQ(Write(1, "redirected"), 0u);
  EXPECT_EQ(stdout_, "");
  EXPECT_EQ(ReadHostFile(box_ + "/f"), "redirected");
  EXPECT_EQ(Call("fd_close", {fd}), E(Errno::kBadf));
  EXPECT_EQ(Call("fd_renumber", {1, 99}), E(Errno::kBadf));
  EXPECT_EQ(Call("fd_renumber", {99, 1}), E(Errno::kBadf));
  ASSERT_EQ(Call("fd_close", {kPreopenFd}), 0u);
  EXPECT_EQ(Call("fd_prestat_get", {kPreopenFd, kResult}), E(Errno::kBadf));
  EXPECT_EQ(Open("f", 0, kReadRights, &fd), E(Errno::kBadf));
}

TEST_F(WasiTest, OpenFdsAreCapped) {
  WasiOptions options;
  options.max_open_fds = 5;  // stdio, the preopen and one more
  Make(options);
  uint32_t fd;
  ASSERT_EQ(Open("a", abi::kOflagCreat, kReadWriteRights, &fd), 0u);
  EXPECT_EQ(Open("b", abi::kOflagCreat, kReadWriteRights, &fd),
            E(Errno::kMfile));
  EXPECT_FALSE(Exists(box_ + "/b"));
}

}  // namespace
}  // namespace wasmhpc::wasi
