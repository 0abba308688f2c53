// Preview1: the path_* calls. Every path is resolved beneath the directory
// fd the guest names (sandbox_path.h); the last component of a mutation is
// never followed.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "absl/strings/str_cat.h"
#include "wasi/file_stat.h"
#include "wasi/host_errno.h"
#include "wasi/preview1.h"
#include "wasi/sandbox_path.h"

namespace wasmhpc::wasi {
namespace {

bool Follows(uint32_t lookup_flags) {
  return lookup_flags & abi::kLookupSymlinkFollow;
}

// A path with a trailing slash must name a directory; the name itself is
// not followed, so "symlink-to-dir/" is refused with kNotdir.
Errno RequireDirectoryIfSlash(const ParentAndName& p) {
  if (!p.trailing_slash) return Errno::kSuccess;
  struct stat st = {};
  if (fstatat(p.parent.get(), p.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return LastHostErrno();
  }
  return S_ISDIR(st.st_mode) ? Errno::kSuccess : Errno::kNotdir;
}

// What creating "name/" (a link or symlink) answers natively.
Errno CreateWithSlash(const ParentAndName& p) {
  struct stat st = {};
  return fstatat(p.parent.get(), p.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0
             ? Errno::kExist
             : Errno::kNoent;
}

// The magic link through which *at() calls reach an O_PATH fd.
std::string ProcFdPath(int fd) { return absl::StrCat("/proc/self/fd/", fd); }

// utimensat on what an O_PATH fd refers to.
Errno UtimesOnPathFd(int fd, const struct timespec times[2]) {
  if (utimensat(fd, "", times, AT_EMPTY_PATH) == 0) return Errno::kSuccess;
  if (errno != EINVAL && errno != ENOENT) return LastHostErrno();
  // Kernels without AT_EMPTY_PATH for utimensat.
  return utimensat(AT_FDCWD, ProcFdPath(fd).c_str(), times, 0) == 0
             ? Errno::kSuccess
             : LastHostErrno();
}

}  // namespace

Errno Preview1::PathCreateDirectory(Ctx& ctx, uint32_t fd, uint32_t path,
                                    uint32_t path_len) {
  FdEntry* dir;
  WASI_TRY(Lookup(fd, abi::kRightPathCreateDirectory, &dir));
  std::string p;
  WASI_TRY(GuestView(ctx.memory()).Path(path, path_len, &p));
  ParentAndName target;
  WASI_TRY(ResolveParent(dir->host_fd, p, Errno::kExist, &target));
  return mkdirat(target.parent.get(), target.name.c_str(), 0777) == 0
             ? Errno::kSuccess
             : LastHostErrno();
}

Errno Preview1::PathFilestatGet(Ctx& ctx, uint32_t fd, uint32_t flags,
                                uint32_t path, uint32_t path_len,
                                uint32_t stat_ptr) {
  FdEntry* dir;
  WASI_TRY(Lookup(fd, abi::kRightPathFilestatGet, &dir));
  GuestView guest(ctx.memory());
  std::string p;
  WASI_TRY(guest.Path(path, path_len, &p));
  WASI_TRY(guest.Check(stat_ptr, abi::kFilestatSize));
  UniqueFd file;
  WASI_TRY(OpenBeneath(dir->host_fd, p,
                       O_PATH | (Follows(flags) ? 0 : O_NOFOLLOW), 0, &file));
  struct stat st = {};
  if (fstat(file.get(), &st) != 0) return LastHostErrno();
  return StoreFilestat(guest, stat_ptr, st, FiletypeFromMode(st.st_mode));
}

Errno Preview1::PathFilestatSetTimes(Ctx& ctx, uint32_t fd, uint32_t flags,
                                     uint32_t path, uint32_t path_len,
                                     uint64_t atim, uint64_t mtim,
                                     uint32_t fst_flags) {
  FdEntry* dir;
  WASI_TRY(Lookup(fd, abi::kRightPathFilestatSetTimes, &dir));
  std::string p;
  WASI_TRY(GuestView(ctx.memory()).Path(path, path_len, &p));
  struct timespec times[2];
  WASI_TRY(TimesFromFstflags(atim, mtim, fst_flags, times));
  // "." and ".." are never symlinks: they take the O_PATH route below.
  if (!Follows(flags) && !EndsInDotName(p)) {
    ParentAndName target;
    WASI_TRY(ResolveParent(dir->host_fd, p, Errno::kInval, &target));
    WASI_TRY(RequireDirectoryIfSlash(target));
    return utimensat(target.parent.get(), target.name.c_str(), times,
                     AT_SYMLINK_NOFOLLOW) == 0
               ? Errno::kSuccess
               : LastHostErrno();
  }
  UniqueFd file;
  WASI_TRY(OpenBeneath(dir->host_fd, p, O_PATH, 0, &file));
  return UtimesOnPathFd(file.get(), times);
}

Errno Preview1::PathLink(Ctx& ctx, uint32_t old_fd, uint32_t old_flags,
                         uint32_t old_path, uint32_t old_path_len,
                         uint32_t new_fd, uint32_t new_path,
                         uint32_t new_path_len) {
  FdEntry *old_dir, *new_dir;
  WASI_TRY(Lookup(old_fd, abi::kRightPathLinkSource, &old_dir));
  WASI_TRY(Lookup(new_fd, abi::kRightPathLinkTarget, &new_dir));
  GuestView guest(ctx.memory());
  std::string from, to;
  WASI_TRY(guest.Path(old_path, old_path_len, &from));
  WASI_TRY(guest.Path(new_path, new_path_len, &to));
  ParentAndName target;
  WASI_TRY(ResolveParent(new_dir->host_fd, to, Errno::kExist, &target));
  if (target.trailing_slash) return CreateWithSlash(target);
  if (Follows(old_flags)) {
    // Link what a symlink points to: resolve it beneath, then link through
    // the O_PATH fd's magic link (AT_EMPTY_PATH would need a capability).
    UniqueFd file;
    WASI_TRY(OpenBeneath(old_dir->host_fd, from, O_PATH, 0, &file));
    return linkat(AT_FDCWD, ProcFdPath(file.get()).c_str(), target.parent.get(),
                  target.name.c_str(), AT_SYMLINK_FOLLOW) == 0
               ? Errno::kSuccess
               : LastHostErrno();
  }
  ParentAndName source;
  WASI_TRY(ResolveParent(old_dir->host_fd, from, Errno::kPerm, &source));
  WASI_TRY(RequireDirectoryIfSlash(source));
  return linkat(source.parent.get(), source.name.c_str(), target.parent.get(),
                target.name.c_str(), 0) == 0
             ? Errno::kSuccess
             : LastHostErrno();
}

Errno Preview1::OpenFlags(const FdEntry& dir, uint32_t dirflags,
                          uint32_t oflags, uint64_t rights, uint32_t fdflags,
                          int* flags) const {
  if ((oflags & ~uint32_t{abi::kOflagsAll}) ||
      (fdflags & ~uint32_t{abi::kFdflagsAll})) {
    return Errno::kInval;
  }
  const uint64_t granted = rights & dir.rights_inheriting;
  const bool write = granted & abi::kOpenForWriteRights;
  const bool read = granted & (abi::kRightFdRead | abi::kRightFdReaddir);
  if (dir.read_only &&
      (write || (oflags & (abi::kOflagCreat | abi::kOflagTrunc)))) {
    return Errno::kRofs;
  }
  if ((oflags & abi::kOflagCreat) &&
      !(dir.rights_base & abi::kRightPathCreateFile)) {
    return Errno::kNotcapable;
  }
  if ((oflags & abi::kOflagTrunc) &&
      !(dir.rights_base & abi::kRightPathFilestatSetSize)) {
    return Errno::kNotcapable;
  }
  int f = write ? (read ? O_RDWR : O_WRONLY) : O_RDONLY;
  f |= O_NOCTTY | HostFlagsFromFdflags(static_cast<uint16_t>(fdflags));
  if (!Follows(dirflags)) f |= O_NOFOLLOW;
  if (oflags & abi::kOflagCreat) f |= O_CREAT;
  if (oflags & abi::kOflagDirectory) f |= O_DIRECTORY;
  if (oflags & abi::kOflagExcl) f |= O_EXCL;
  if (oflags & abi::kOflagTrunc) f |= O_TRUNC;
  *flags = f;
  return Errno::kSuccess;
}

Errno Preview1::PathOpen(Ctx& ctx, uint32_t fd, uint32_t dirflags,
                         uint32_t path, uint32_t path_len, uint32_t oflags,
                         uint64_t rights_base, uint64_t rights_inheriting,
                         uint32_t fdflags, uint32_t fd_ptr) {
  FdEntry* dir;
  WASI_TRY(Lookup(fd, abi::kRightPathOpen, &dir));
  GuestView guest(ctx.memory());
  std::string p;
  WASI_TRY(guest.Path(path, path_len, &p));
  WASI_TRY(guest.Check(fd_ptr, 4));
  int flags;
  WASI_TRY(OpenFlags(*dir, dirflags, oflags, rights_base, fdflags, &flags));
  if (fds_.open_count() >= options_.max_open_fds) return Errno::kMfile;
  UniqueFd file;
  WASI_TRY(OpenBeneath(dir->host_fd, p, flags, 0666, &file));

  auto entry = std::make_unique<FdEntry>();
  entry->filetype = FiletypeOfHostFd(file.get());
  const bool is_dir = entry->filetype == abi::Filetype::kDirectory;
  uint64_t base = rights_base & dir->rights_inheriting &
                  (is_dir ? abi::kDirRights : abi::kFileRights);
  const int mode = flags & O_ACCMODE;
  if (mode == O_RDONLY) base &= ~abi::kOpenForWriteRights;
  if (mode == O_WRONLY) base &= ~(abi::kRightFdRead | abi::kRightFdReaddir);
  entry->read_only = dir->read_only;
  if (entry->read_only) base &= ~abi::kMutatingRights;
  entry->rights_base = base;
  entry->rights_inheriting = rights_inheriting & dir->rights_inheriting;
  entry->host_fd = file.release();
  entry->owns_host_fd = true;
  uint32_t new_fd = fds_.Insert(std::move(entry));
  return guest.Store<uint32_t>(fd_ptr, new_fd);
}

Errno Preview1::PathReadlink(Ctx& ctx, uint32_t fd, uint32_t path,
                             uint32_t path_len, uint32_t buf, uint32_t buf_len,
                             uint32_t bufused_ptr) {
  FdEntry* dir;
  WASI_TRY(Lookup(fd, abi::kRightPathReadlink, &dir));
  GuestView guest(ctx.memory());
  std::string p;
  WASI_TRY(guest.Path(path, path_len, &p));
  absl::Span<uint8_t> out;
  WASI_TRY(guest.Bytes(buf, buf_len, &out));
  WASI_TRY(guest.Check(bufused_ptr, 4));
  ParentAndName link;
  WASI_TRY(ResolveParent(dir->host_fd, p, Errno::kInval, &link));
  if (link.trailing_slash) return Errno::kInval;
  ssize_t n = readlinkat(link.parent.get(), link.name.c_str(),
                         reinterpret_cast<char*>(out.data()), out.size());
  if (n < 0) return LastHostErrno();
  return guest.Store<uint32_t>(bufused_ptr, static_cast<uint32_t>(n));
}

Errno Preview1::PathRemoveDirectory(Ctx& ctx, uint32_t fd, uint32_t path,
                                    uint32_t path_len) {
  FdEntry* dir;
  WASI_TRY(Lookup(fd, abi::kRightPathRemoveDirectory, &dir));
  std::string p;
  WASI_TRY(GuestView(ctx.memory()).Path(path, path_len, &p));
  ParentAndName target;
  WASI_TRY(ResolveParent(dir->host_fd, p, Errno::kInval, &target));
  return unlinkat(target.parent.get(), target.name.c_str(), AT_REMOVEDIR) == 0
             ? Errno::kSuccess
             : LastHostErrno();
}

Errno Preview1::PathRename(Ctx& ctx, uint32_t fd, uint32_t old_path,
                           uint32_t old_path_len, uint32_t new_fd,
                           uint32_t new_path, uint32_t new_path_len) {
  FdEntry *old_dir, *new_dir;
  WASI_TRY(Lookup(fd, abi::kRightPathRenameSource, &old_dir));
  WASI_TRY(Lookup(new_fd, abi::kRightPathRenameTarget, &new_dir));
  GuestView guest(ctx.memory());
  std::string from, to;
  WASI_TRY(guest.Path(old_path, old_path_len, &from));
  WASI_TRY(guest.Path(new_path, new_path_len, &to));
  ParentAndName source, target;
  WASI_TRY(ResolveParent(old_dir->host_fd, from, Errno::kBusy, &source));
  WASI_TRY(ResolveParent(new_dir->host_fd, to, Errno::kBusy, &target));
  WASI_TRY(RequireDirectoryIfSlash(source));
  if (target.trailing_slash) {
    source.trailing_slash = true;
    WASI_TRY(RequireDirectoryIfSlash(source));
  }
  return renameat(source.parent.get(), source.name.c_str(), target.parent.get(),
                  target.name.c_str()) == 0
             ? Errno::kSuccess
             : LastHostErrno();
}

Errno Preview1::PathSymlink(Ctx& ctx, uint32_t old_path, uint32_t old_path_len,
                            uint32_t fd, uint32_t new_path,
                            uint32_t new_path_len) {
  FdEntry* dir;
  WASI_TRY(Lookup(fd, abi::kRightPathSymlink, &dir));
  GuestView guest(ctx.memory());
  std::string contents, p;
  // The link's contents are data: an absolute or escaping target may be
  // stored, but resolving it later fails beneath the preopen.
  WASI_TRY(guest.Path(old_path, old_path_len, &contents));
  WASI_TRY(guest.Path(new_path, new_path_len, &p));
  ParentAndName link;
  WASI_TRY(ResolveParent(dir->host_fd, p, Errno::kExist, &link));
  if (link.trailing_slash) return CreateWithSlash(link);
  return symlinkat(contents.c_str(), link.parent.get(), link.name.c_str()) == 0
             ? Errno::kSuccess
             : LastHostErrno();
}

Errno Preview1::PathUnlinkFile(Ctx& ctx, uint32_t fd, uint32_t path,
                               uint32_t path_len) {
  FdEntry* dir;
  WASI_TRY(Lookup(fd, abi::kRightPathUnlinkFile, &dir));
  std::string p;
  WASI_TRY(GuestView(ctx.memory()).Path(path, path_len, &p));
  ParentAndName target;
  WASI_TRY(ResolveParent(dir->host_fd, p, Errno::kIsdir, &target));
  if (target.trailing_slash) {
    // unlink("dir/") is EISDIR, unlink("file/") ENOTDIR.
    Errno e = RequireDirectoryIfSlash(target);
    return e == Errno::kSuccess ? Errno::kIsdir : e;
  }
  return unlinkat(target.parent.get(), target.name.c_str(), 0) == 0
             ? Errno::kSuccess
             : LastHostErrno();
}

}  // namespace wasmhpc::wasi
