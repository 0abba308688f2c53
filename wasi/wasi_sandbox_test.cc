// Sandbox tests: a guest never reaches outside its preopens (".." escapes,
// absolute paths, symlinks pointing out), and a read-only preopen refuses
// every mutation with EROFS.
#include <sys/stat.h>
#include <unistd.h>

#include "wasi/wasi_test_fixture.h"

namespace wasmhpc::wasi {
namespace {

class WasiSandboxTest : public WasiTest {
 protected:
  void SetUp() override {
    WasiTest::SetUp();
    WriteHostFile(box_ + "/inside.txt", "inside\n");
    ASSERT_EQ(mkdir((box_ + "/sub").c_str(), 0755), 0);
    ASSERT_EQ(symlink("/etc/passwd", (box_ + "/abs").c_str()), 0);
    ASSERT_EQ(symlink("../outside.txt", (box_ + "/rel").c_str()), 0);
    ASSERT_EQ(symlink(root_.c_str(), (box_ + "/dirlink").c_str()), 0);
    ASSERT_EQ(symlink("../created.txt", (box_ + "/dangling").c_str()), 0);
    ASSERT_EQ(symlink("inside.txt", (box_ + "/in").c_str()), 0);
    ASSERT_EQ(symlink("../inside.txt", (box_ + "/sub/up").c_str()), 0);
  }

  uint64_t Rename(std::string_view from, std::string_view to) {
    uint32_t a = Put(kPath, from);
    uint32_t b = Put(kPath2, to);
    return Call("path_rename", {kPreopenFd, kPath, a, kPreopenFd, kPath2, b});
  }
  uint64_t Link(std::string_view from, std::string_view to,
                uint32_t flags = 0) {
    uint32_t a = Put(kPath, from);
    uint32_t b = Put(kPath2, to);
    return Call("path_link",
                {kPreopenFd, flags, kPath, a, kPreopenFd, kPath2, b});
  }
  uint64_t Symlink(std::string_view contents, std::string_view at) {
    uint32_t a = Put(kPath, contents);
    uint32_t b = Put(kPath2, at);
    return Call("path_symlink", {kPath, a, kPreopenFd, kPath2, b});
  }
  uint64_t Stat(std::string_view path, uint32_t flags) {
    uint32_t len = Put(kPath, path);
    return Call("path_filestat_get", {kPreopenFd, flags, kPath, len, kBuffer});
  }
  uint64_t Touch(std::string_view path, uint32_t flags) {
    uint32_t len = Put(kPath, path);
    return Call("path_filestat_set_times",
                {kPreopenFd, flags, kPath, len, 0, 0, abi::kFstflagMtimNow});
  }
};

constexpr uint32_t kFollow = abi::kLookupSymlinkFollow;

TEST_F(WasiSandboxTest, DotDotEscapesAreRefused) {
  Make();
  uint32_t fd;
  for (const char* path : {"..", "../outside.txt", "sub/../../outside.txt",
                           "sub/../..", "./../box/inside.txt"}) {
    EXPECT_EQ(Open(path, 0, kReadRights, &fd), E(Errno::kNotcapable)) << path;
    EXPECT_EQ(Stat(path, kFollow), E(Errno::kNotcapable)) << path;
  }
  EXPECT_EQ(Open("../escaped.txt", abi::kOflagCreat, kReadWriteRights, &fd),
            E(Errno::kNotcapable));
  EXPECT_EQ(PathCall("path_create_directory", "../newdir"),
            E(Errno::kNotcapable));
  EXPECT_EQ(PathCall("path_unlink_file", "../outside.txt"),
            E(Errno::kNotcapable));
  EXPECT_EQ(PathCall("path_remove_directory", "../box"), E(Errno::kNotcapable));
  EXPECT_EQ(Rename("inside.txt", "../moved.txt"), E(Errno::kNotcapable));
  EXPECT_EQ(Rename("../outside.txt", "stolen.txt"), E(Errno::kNotcapable));
  EXPECT_EQ(Link("../outside.txt", "hard"), E(Errno::kNotcapable));
  EXPECT_EQ(Link("inside.txt", "../hard"), E(Errno::kNotcapable));
  EXPECT_EQ(Symlink("x", "../l"), E(Errno::kNotcapable));
  EXPECT_EQ(Touch("../outside.txt", 0), E(Errno::kNotcapable));
  uint32_t len = Put(kPath, "../box/abs");
  EXPECT_EQ(
      Call("path_readlink", {kPreopenFd, kPath, len, kBuffer, 64, kResult}),
      E(Errno::kNotcapable));
  // A last component of ".." is refused before any host call.
  EXPECT_EQ(PathCall("path_unlink_file", "sub/.."), E(Errno::kIsdir));
  EXPECT_EQ(PathCall("path_create_directory", ".."), E(Errno::kExist));

  EXPECT_TRUE(Exists(root_ + "/outside.txt"));
  EXPECT_FALSE(Exists(root_ + "/newdir"));
  EXPECT_FALSE(Exists(root_ + "/escaped.txt"));
  EXPECT_FALSE(Exists(root_ + "/moved.txt"));
  EXPECT_FALSE(Exists(root_ + "/hard"));
  EXPECT_TRUE(Exists(box_ + "/inside.txt"));
}

TEST_F(WasiSandboxTest, AbsolutePathsAreRefused) {
  Make();
  uint32_t fd;
  for (const std::string& path :
       {std::string("/etc/passwd"), box_ + "/inside.txt", std::string("/")}) {
    EXPECT_EQ(Open(path, 0, kReadRights, &fd), E(Errno::kNotcapable)) << path;
    EXPECT_EQ(Stat(path, 0), E(Errno::kNotcapable)) << path;
    EXPECT_EQ(PathCall("path_unlink_file", path), E(Errno::kNotcapable));
  }
  EXPECT_EQ(PathCall("path_create_directory", root_ + "/x"),
            E(Errno::kNotcapable));
  EXPECT_FALSE(Exists(root_ + "/x"));
}

TEST_F(WasiSandboxTest, SymlinksPointingOutsideAreNotFollowed) {
  Make();
  uint32_t fd;
  for (const char* path :
       {"abs", "rel", "dirlink/outside.txt", "dirlink", "sub/../abs"}) {
    EXPECT_EQ(Open(path, 0, kReadRights, &fd), E(Errno::kNotcapable)) << path;
    EXPECT_EQ(Stat(path, kFollow), E(Errno::kNotcapable)) << path;
    EXPECT_EQ(Touch(path, kFollow), E(Errno::kNotcapable)) << path;
  }
  // Creating through a dangling symlink that points outside.
  EXPECT_EQ(Open("dangling", abi::kOflagCreat, kReadWriteRights, &fd),
            E(Errno::kNotcapable));
  EXPECT_FALSE(Exists(root_ + "/created.txt"));
  // Intermediate components are always followed, so also refused.
  EXPECT_EQ(PathCall("path_create_directory", "dirlink/made"),
            E(Errno::kNotcapable));
  EXPECT_EQ(PathCall("path_unlink_file", "dirlink/outside.txt"),
            E(Errno::kNotcapable));
  EXPECT_EQ(Link("rel", "hard", kFollow), E(Errno::kNotcapable));
  // Without follow the link itself is what is seen or acted on.
  ASSERT_EQ(Stat("abs", 0), 0u);
  EXPECT_EQ(mem().Load<uint8_t>(kBuffer + abi::kFilestatFiletype),
            static_cast<uint8_t>(abi::Filetype::kSymbolicLink));
  EXPECT_EQ(Open("abs", 0, kReadRights, &fd, kPreopenFd, 0), E(Errno::kLoop));
  ASSERT_EQ(PathCall("path_unlink_file", "rel"), 0u);
  ASSERT_EQ(Rename("dirlink", "moved_link"), 0u);
  EXPECT_TRUE(Exists(root_ + "/outside.txt"));
  EXPECT_TRUE(Exists(root_ + "/box"));
}

TEST_F(WasiSandboxTest, SymlinksInsideAreFollowed) {
  Make();
  uint32_t fd;
  ASSERT_EQ(Open("in", 0, kReadRights, &fd), 0u);
  std::string data;
  ASSERT_EQ(Read(fd, 100, &data), 0u);
  EXPECT_EQ(data, "inside\n");
  // sub/up -> ../inside.txt stays within the preopen.
  ASSERT_EQ(Open("sub/up", 0, kReadRights, &fd), 0u);
  ASSERT_EQ(Read(fd, 100, &data), 0u);
  EXPECT_EQ(data, "inside\n");
}

TEST_F(WasiSandboxTest, EscapingSymlinkMayBeCreatedButNotFollowed) {
  Make();
  ASSERT_EQ(Symlink("/etc/passwd", "mine"), 0u);
  ASSERT_EQ(Symlink("../../../outside.txt", "sub/mine"), 0u);
  uint32_t len = Put(kPath, "mine");
  ASSERT_EQ(
      Call("path_readlink", {kPreopenFd, kPath, len, kBuffer, 64, kResult}),
      0u);
  EXPECT_EQ(Get(kBuffer, mem().Load<uint32_t>(kResult)), "/etc/passwd");
  uint32_t fd;
  EXPECT_EQ(Open("mine", 0, kReadRights, &fd), E(Errno::kNotcapable));
  EXPECT_EQ(Open("sub/mine", 0, kReadRights, &fd), E(Errno::kNotcapable));
}

TEST_F(WasiSandboxTest, ADirectoryFdConfinesToItself) {
  Make();
  uint32_t sub;
  ASSERT_EQ(Open("sub", abi::kOflagDirectory, kReadRights | abi::kRightPathOpen,
                 &sub),
            0u);
  uint32_t fd;
  EXPECT_EQ(Open("../inside.txt", 0, kReadRights, &fd, sub),
            E(Errno::kNotcapable));
  // Its symlink to ../inside.txt climbs out of *this* fd: refused too.
  EXPECT_EQ(Open("up", 0, kReadRights, &fd, sub), E(Errno::kNotcapable));
}

TEST_F(WasiSandboxTest, ReadOnlyPreopenShowsReducedRights) {
  Make({}, /*read_only=*/true);
  ASSERT_EQ(Call("fd_fdstat_get", {kPreopenFd, kBuffer}), 0u);
  uint64_t base = mem().Load<uint64_t>(kBuffer + abi::kFdstatRightsBase);
  uint64_t inheriting =
      mem().Load<uint64_t>(kBuffer + abi::kFdstatRightsInheriting);
  EXPECT_EQ(base & abi::kMutatingRights, 0u);
  EXPECT_NE(base & abi::kRightPathOpen, 0u);
  EXPECT_NE(base & abi::kRightFdReaddir, 0u);
  EXPECT_EQ(inheriting & abi::kRightPathCreateFile, 0u);
  EXPECT_EQ(inheriting & abi::kRightFdFilestatSetTimes, 0u);
}

TEST_F(WasiSandboxTest, ReadOnlyPreopenRefusesEveryWrite) {
  Make({}, /*read_only=*/true);
  uint32_t fd;
  EXPECT_EQ(Open("new.txt", abi::kOflagCreat, kReadRights, &fd),
            E(Errno::kRofs));
  EXPECT_EQ(Open("inside.txt", 0, kReadWriteRights, &fd), E(Errno::kRofs));
  EXPECT_EQ(Open("inside.txt", abi::kOflagTrunc, kReadRights, &fd),
            E(Errno::kRofs));
  EXPECT_EQ(PathCall("path_create_directory", "d"), E(Errno::kRofs));
  EXPECT_EQ(PathCall("path_unlink_file", "inside.txt"), E(Errno::kRofs));
  EXPECT_EQ(PathCall("path_remove_directory", "sub"), E(Errno::kRofs));
  EXPECT_EQ(Rename("inside.txt", "renamed.txt"), E(Errno::kRofs));
  EXPECT_EQ(Link("inside.txt", "hard"), E(Errno::kRofs));
  EXPECT_EQ(Symlink("inside.txt", "l"), E(Errno::kRofs));
  EXPECT_EQ(Touch("inside.txt", kFollow), E(Errno::kRofs));

  // Reading works; the fd has no write rights.
  ASSERT_EQ(Open("inside.txt", 0, kReadRights, &fd), 0u);
  std::string data;
  ASSERT_EQ(Read(fd, 100, &data), 0u);
  EXPECT_EQ(data, "inside\n");
  EXPECT_EQ(Write(fd, "x"), E(Errno::kRofs));
  EXPECT_EQ(Call("fd_filestat_set_size", {fd, 0}), E(Errno::kRofs));
  EXPECT_EQ(Call("fd_filestat_set_times", {fd, 0, 0, abi::kFstflagMtimNow}),
            E(Errno::kRofs));
  EXPECT_EQ(Call("fd_allocate", {fd, 0, 10}), E(Errno::kRofs));
  EXPECT_EQ(
      Call("fd_fdstat_set_rights", {fd, kReadRights | abi::kRightFdWrite, 0}),
      E(Errno::kNotcapable));

  // A directory opened beneath it is read-only too.
  uint32_t sub;
  ASSERT_EQ(
      Open("sub", abi::kOflagDirectory,
           kReadRights | abi::kRightPathOpen | abi::kRightPathCreateFile, &sub),
      0u);
  EXPECT_EQ(Open("x", abi::kOflagCreat, kReadRights, &fd, sub),
            E(Errno::kRofs));
  EXPECT_EQ(PathCall("path_create_directory", "d", sub), E(Errno::kRofs));

  EXPECT_EQ(ReadHostFile(box_ + "/inside.txt"), "inside\n");
  EXPECT_FALSE(Exists(box_ + "/new.txt"));
  EXPECT_FALSE(Exists(box_ + "/d"));
  EXPECT_TRUE(Exists(box_ + "/sub"));
}

TEST_F(WasiSandboxTest, ReadOnlyTreeCannotBeLinkedIntoAWritableOne) {
  std::string rw = root_ + "/rw";
  ASSERT_EQ(mkdir(rw.c_str(), 0755), 0);
  WasiOptions options;
  options.preopens = {
      {.host_path = box_, .guest_path = "/ro", .read_only = true},
      {.host_path = rw, .guest_path = "/rw"}};
  Make(options);
  uint32_t a = Put(kPath, "inside.txt");
  uint32_t b = Put(kPath2, "hard");
  EXPECT_EQ(
      Call("path_link", {kPreopenFd, 0, kPath, a, kPreopenFd + 1, kPath2, b}),
      E(Errno::kRofs));
  EXPECT_EQ(
      Call("path_rename", {kPreopenFd, kPath, a, kPreopenFd + 1, kPath2, b}),
      E(Errno::kRofs));
  EXPECT_FALSE(Exists(rw + "/hard"));
}

}  // namespace
}  // namespace wasmhpc::wasi
