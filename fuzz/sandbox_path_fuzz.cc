// WASI path resolution on arbitrary guest paths, beneath a small tree made
// once per process in a temporary directory: a file, a subdirectory and
// symlinks that point inside, outside (relative and absolute) and at
// themselves. Invariant: whatever OpenBeneath or ResolveParent opens is one
// of the tree's own inodes (compared by device and inode), never anything
// outside it; ResolveParent's name is one component. Side-effect free: only
// O_RDONLY and O_PATH opens, never O_CREAT.
#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "fuzz/fuzz_check.h"
#include "wasi/sandbox_path.h"

namespace wasi = wasmhpc::wasi;

namespace {

using Inode = std::pair<dev_t, ino_t>;

struct Tree {
  std::string path;
  int fd = -1;             // O_PATH | O_DIRECTORY on `path`
  std::set<Inode> inodes;  // Of every file and directory beneath `path`.
};

std::set<Inode>* walked = nullptr;

int Collect(const char*, const struct stat* st, int, struct FTW*) {
  walked->insert({st->st_dev, st->st_ino});
  return 0;
}

void Must(bool ok, const char* what) {
  if (!ok) {
    std::perror(what);
    std::abort();
  }
}

const Tree* made = nullptr;

// Removes the tree at exit (every entry in it is the harness's own).
void RemoveTree() {
  const std::string& r = made->path;
  for (const char* name : {"/sub/inner.txt", "/sub/up", "/file.txt", "/in",
                           "/out", "/abs", "/loop", "/deep/up2"}) {
    unlink((r + name).c_str());
  }
  rmdir((r + "/deep").c_str());
  rmdir((r + "/sub").c_str());
  rmdir(r.c_str());
}

const Tree& MakeTree() {
  static const Tree* tree = [] {
    char dir[] = "/tmp/wasmhpc-fuzz-sandbox-XXXXXX";
    Must(mkdtemp(dir) != nullptr, "mkdtemp");
    auto* t = new Tree{dir, -1, {}};
    const std::string& r = t->path;
    Must(mkdir((r + "/sub").c_str(), 0755) == 0, "mkdir sub");
    Must(mkdir((r + "/deep").c_str(), 0755) == 0, "mkdir deep");
    for (const char* name : {"/file.txt", "/sub/inner.txt"}) {
      int fd = open((r + name).c_str(), O_CREAT | O_WRONLY, 0644);
      Must(fd >= 0, "create");
      close(fd);
    }
    Must(symlink("sub", (r + "/in").c_str()) == 0, "symlink in");
    Must(symlink("..", (r + "/out").c_str()) == 0, "symlink out");
    Must(symlink("/", (r + "/abs").c_str()) == 0, "symlink abs");
    Must(symlink("loop", (r + "/loop").c_str()) == 0, "symlink loop");
    Must(symlink("..", (r + "/sub/up").c_str()) == 0, "symlink up");
    Must(symlink("../..", (r + "/deep/up2").c_str()) == 0, "symlink up2");
    walked = &t->inodes;
    Must(nftw(r.c_str(), Collect, 16, FTW_PHYS) == 0, "nftw");
    t->fd = open(r.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    Must(t->fd >= 0, "open tree");
    made = t;
    std::atexit(RemoveTree);
    return t;
  }();
  return *tree;
}

void CheckBeneath(const Tree& tree, int fd) {
  struct stat st;
  Must(fstat(fd, &st) == 0, "fstat");
  FUZZ_CHECK(tree.inodes.count({st.st_dev, st.st_ino}) == 1);
}

// Flags a guest open may reach here without side effects.
constexpr int kFlags[] = {O_RDONLY | O_NONBLOCK,
                          O_PATH,
                          O_PATH | O_NOFOLLOW,
                          O_PATH | O_DIRECTORY,
                          O_RDONLY | O_NONBLOCK | O_DIRECTORY,
                          O_RDONLY | O_NONBLOCK | O_NOFOLLOW};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  if (!wasi::HaveOpenat2()) {
    // Every path call fails closed (kNosys): nothing to fuzz.
    std::fprintf(stderr,
                 "skipped: this kernel has no openat2 (Linux >= 5.6)\n");
    std::exit(77);  // ctest's skip code
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const Tree& tree = MakeTree();
  const std::string_view path(reinterpret_cast<const char*>(data) + 1,
                              size - 1);
  const int flags = kFlags[data[0] % std::size(kFlags)];

  wasi::UniqueFd fd;
  const wasi::Errno opened = wasi::OpenBeneath(tree.fd, path, flags, 0, &fd);
  if (opened == wasi::Errno::kSuccess) {
    CheckBeneath(tree, fd.get());
  } else {
    FUZZ_CHECK(fd.get() < 0);
  }

  wasi::ParentAndName parent;
  const wasi::Errno resolved =
      wasi::ResolveParent(tree.fd, path, wasi::Errno::kExist, &parent);
  if (!path.empty() && path.front() != '/' && wasi::EndsInDotName(path)) {
    FUZZ_CHECK(resolved == wasi::Errno::kExist);
  }
  if (resolved == wasi::Errno::kSuccess) {
    CheckBeneath(tree, parent.parent.get());
    FUZZ_CHECK(!parent.name.empty());
    FUZZ_CHECK(parent.name.find('/') == std::string::npos);
    FUZZ_CHECK(parent.name != "." && parent.name != "..");
  }
  return 0;
}
