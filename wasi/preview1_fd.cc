// Preview1: the fd_* calls.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <string>

#include "wasi/file_stat.h"
#include "wasi/host_errno.h"
#include "wasi/preview1.h"

namespace wasmhpc::wasi {
namespace {

constexpr uint64_t kMaxOffset = std::numeric_limits<off_t>::max();

bool IsDirectory(const FdEntry& entry) {
  return entry.filetype == abi::Filetype::kDirectory;
}

// The fd's current flags as WASI fdflags.
uint16_t CurrentFdflags(const FdEntry& entry) {
  if (entry.kind != FdEntry::Kind::kHost) return 0;
  int flags = fcntl(entry.host_fd, F_GETFL);
  return flags < 0 ? 0 : FdflagsFromHost(flags);
}

// Folds the equivalent sync flags together (O_RSYNC == O_SYNC on Linux).
uint16_t SyncBits(uint16_t fdflags) {
  if (fdflags & (abi::kFdflagSync | abi::kFdflagRsync)) {
    return abi::kFdflagSync | abi::kFdflagRsync;
  }
  return fdflags & abi::kFdflagDsync;
}

// A snapshot of the directory open as `dir_fd`, "." and ".." included.
Errno ReadListing(int dir_fd, std::vector<DirEntry>* out) {
  int fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return LastHostErrno();
  DIR* dir = fdopendir(fd);
  if (dir == nullptr) {
    Errno e = LastHostErrno();
    close(fd);
    return e;
  }
  out->clear();
  errno = 0;
  while (const dirent* d = readdir(dir)) {
    DirEntry entry{d->d_name, d->d_ino, FiletypeFromDtype(d->d_type)};
    struct stat st = {};
    if (d->d_type == DT_UNKNOWN &&
        fstatat(dirfd(dir), d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
      entry.type = FiletypeFromMode(st.st_mode);
    }
    out->push_back(std::move(entry));
    errno = 0;
  }
  Errno result = LastHostErrno();
  closedir(dir);
  return result;
}

// Serializes listing[first..] as WASI dirents into `buf`, the last one
// possibly cut short. Returns the bytes used.
uint32_t StoreDirents(const std::vector<DirEntry>& listing, uint64_t first,
                      absl::Span<uint8_t> buf) {
  size_t used = 0;
  for (uint64_t i = first; i < listing.size() && used < buf.size(); ++i) {
    const DirEntry& entry = listing[i];
    uint8_t header[abi::kDirentSize] = {};
    uint64_t next = i + 1;
    uint32_t namlen = static_cast<uint32_t>(entry.name.size());
    std::memcpy(header + abi::kDirentNext, &next, 8);
    std::memcpy(header + abi::kDirentIno, &entry.ino, 8);
    std::memcpy(header + abi::kDirentNamlen, &namlen, 4);
    header[abi::kDirentType] = static_cast<uint8_t>(entry.type);
    size_t n = std::min<size_t>(sizeof(header), buf.size() - used);
    std::memcpy(buf.data() + used, header, n);
    used += n;
    n = std::min<size_t>(entry.name.size(), buf.size() - used);
    std::memcpy(buf.data() + used, entry.name.data(), n);
    used += n;
  }
  return static_cast<uint32_t>(used);
}

// The host's lseek whence for a WASI one, or -1.
int HostWhence(uint32_t whence) {
  switch (whence) {
    case abi::kWhenceSet:
      return SEEK_SET;
    case abi::kWhenceCur:
      return SEEK_CUR;
    case abi::kWhenceEnd:
      return SEEK_END;
    default:
      return -1;
  }
}

// The host's posix_fadvise advice for a WASI one, or -1.
int HostAdvice(uint32_t advice) {
  switch (advice) {
    case abi::kAdviceNormal:
      return POSIX_FADV_NORMAL;
    case abi::kAdviceSequential:
      return POSIX_FADV_SEQUENTIAL;
    case abi::kAdviceRandom:
      return POSIX_FADV_RANDOM;
    case abi::kAdviceWillneed:
      return POSIX_FADV_WILLNEED;
    case abi::kAdviceDontneed:
      return POSIX_FADV_DONTNEED;
    case abi::kAdviceNoreuse:
      return POSIX_FADV_NOREUSE;
    default:
      return -1;
  }
}

}  // namespace

Errno Preview1::FdAdvise(Ctx& /*ctx*/, uint32_t fd, uint64_t offset,
                         uint64_t len, uint32_t advice) {
  FdEntry* entry;
  WASI_TRY(Lookup(fd, abi::kRightFdAdvise, &entry));
  int host_advice = HostAdvice(advice);
  if (host_advice < 0 || offset > kMaxOffset || len > kMaxOffset) {
    return Errno::kInval;
  }
  return FromHostErrno(posix_fadvise(entry->host_fd, offset, len, host_advice));
}

Errno Preview1::FdAllocate(Ctx& /*ctx*/, uint32_t fd, uint64_t offset,
                           uint64_t len) {
  FdEntry* entry;
  WASI_TRY(Lookup(fd, abi::kRightFdAllocate, &entry));
  if (offset > kMaxOffset || len > kMaxOffset - offset) return Errno::kInval;
  return FromHostErrno(posix_fallocate(entry->host_fd, offset, len));
}

Errno Preview1::FdClose(Ctx& /*ctx*/, uint32_t fd) {
  return fds_.Remove(fd) != nullptr ? Errno::kSuccess : Errno::kBadf;
}

Errno Preview1::FdDatasync(Ctx& /*ctx*/, uint32_t fd) {
  FdEntry* entry;
  WASI_TRY(Lookup(fd, abi::kRightFdDatasync, &entry));
  if (entry->kind != FdEntry::Kind::kHost) return Errno::kSuccess;
  return fdatasync(entry->host_fd) == 0 ? Errno::kSuccess : LastHostErrno();
}

Errno Preview1::FdSync(Ctx& /*ctx*/, uint32_t fd) {
  FdEntry* entry;
  WASI_TRY(Lookup(fd, abi::kRightFdSync, &entry));
  if (entry->kind != FdEntry::Kind::kHost) return Errno::kSuccess;
  return fsync(entry->host_fd) == 0 ? Errno::kSuccess : LastHostErrno();
}

Errno Preview1::FdFdstatGet(Ctx& ctx, uint32_t fd, uint32_t stat_ptr) {
  FdEntry* entry;
  WASI_TRY(Lookup(fd, 0, &entry));
  absl::Span<uint8_t> out;
  WASI_TRY(GuestView(ctx.memory()).Bytes(stat_ptr, abi::kFdstatSize, &out));
  std::memset(out.data(), 0, out.size());
  out[abi::kFdstatFiletype] = static_cast<uint8_t>(entry->filetype);
  uint16_t flags = CurrentFdflags(*entry);
  std::memcpy(out.data() + abi::kFdstatFlags, &flags, 2);
  std::memcpy(out.data() + abi::kFdstatRightsBase, &entry->rights_base, 8);
  std::memcpy(out.data() + abi::kFdstatRightsInheriting,
              &entry->rights_inheriting, 8);
  return Errno::kSuccess;
}

Errno Preview1::FdFdstatSetFlags(Ctx& /*ctx*/, uint32_t fd, uint32_t flags) {
  FdEntry* entry;
  WASI_TRY(Lookup(fd, abi::kRightFdFdstatSetFlags, &entry));
  if (flags & ~uint32_t{abi::kFdflagsAll}) return Errno::kInval;
  uint16_t current = CurrentFdflags(*entry);
  if (entry->is_stdio || entry->kind != FdEntry::Kind::kHost) {
    // Borrowed host stdio is shared with the embedder: accept no change but
    // for APPEND, which is meaningless on a stream.
    constexpr uint16_t kMask = ~abi::kFdflagAppend;
    return (flags & kMask) == (current & kMask) ? Errno::kSuccess
                                                : Errno::kNotsup;
  }
  // Linux cannot change the sync flags of an open file.
  if (SyncBits(flags) != SyncBits(current)) return Errno::kNotsup;
  int host = fcntl(entry->host_fd, F_GETFL);
  if (host < 0) return LastHostErrno();
  host &= ~(O_APPEND | O_NONBLOCK);
  host |=
      HostFlagsFromFdflags(flags & (abi::kFdflagAppend | abi::kFdflagNonblock));
  return fcntl(entry->host_fd, F_SETFL, host) == 0 ? Errno::kSuccess
                                                   : LastHostErrno();
}

Errno Preview1::FdFdstatSetRights(Ctx& /*ctx*/, uint32_t fd, uint64_t base,
                                  uint64_t inheriting) {
  FdEntry* entry;
  WASI_TRY(Lookup(fd, 0, &entry));
  if ((base & ~entry->rights_base) ||
      (inheriting & ~entry->rights_inheriting)) {
    return Errno::kNotcapable;
  }
  entry->rights_base = base;
  entry->rights_inheriting = inheriting;
  return Errno::kSuccess;
}

Errno Preview1::FdFilestatGet(Ctx& ctx, uint32_t fd, uint32_t stat_ptr) {
  FdEntry* entry;
  WASI_TRY(Lookup(fd, abi::kRightFdFilestatGet, &entry));
  struct stat st = {};
  if (entry->kind == FdEntry::Kind::kHost && fstat(entry->host_fd, &st) != 0) {
    return LastHostErrno();
  }
  return StoreFilestat(GuestView(ctx.memory()), stat_ptr, st, entry->filetype);
}

Errno Preview1::FdFilestatSetSize(Ctx& /*ctx*/, uint32_t fd, uint64_t size) {
  FdEntry* entry;
  WASI_TRY(Lookup(fd, abi::kRightFdFilestatSetSize, &entry));
  if (size > kMaxOffset) return Errno::kInval;
  return ftruncate(entry->host_fd, static_cast<off_t>(size)) == 0
             ? Errno::kSuccess
             : LastHostErrno();
}

Errno Preview1::FdFilestatSetTimes(Ctx& /*ctx*/, uint32_t fd, uint64_t atim,
                                   uint64_t mtim, uint32_t fst_flags) {
  FdEntry* entry;
  WASI_TRY(Lookup(fd, abi::kRightFdFilestatSetTimes, &entry));
  struct timespec times[2];
  WASI_TRY(TimesFromFstflags(atim, mtim, fst_flags, times));
  return futimens(entry->host_fd, times) == 0 ? Errno::kSuccess
                                              : LastHostErrno();
}

Errno Preview1::FdPread(Ctx& ctx, uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                        uint64_t offset, uint32_t nread_ptr) {
  FdEntry* entry = fds_.Get(fd);
  if (entry != nullptr && entry->is_stdio) return Errno::kSpipe;
  if (entry != nullptr && IsDirectory(*entry)) return Errno::kIsdir;
  WASI_TRY(Lookup(fd, abi::kRightFdRead | abi::kRightFdSeek, &entry));
  GuestView guest(ctx.memory());
  std::vector<iovec> iov;
  WASI_TRY(guest.Iovecs(iovs, iovs_len, &iov));
  WASI_TRY(guest.Check(nread_ptr, 4));
  if (offset > kMaxOffset) return Errno::kInval;
  ssize_t n;
  do {
    n = preadv(entry->host_fd, iov.data(), static_cast<int>(iov.size()),
               static_cast<off_t>(offset));
  } while (n < 0 && errno == EINTR);
  if (n < 0) return LastHostErrno();
  return guest.Store<uint32_t>(nread_ptr, static_cast<uint32_t>(n));
}

Errno Preview1::FdPwrite(Ctx& ctx, uint32_t fd, uint32_t iovs,
                         uint32_t iovs_len, uint64_t offset,
                         uint32_t nwritten_ptr) {
  FdEntry* entry = fds_.Get(fd);
  if (entry != nullptr && entry->is_stdio) return Errno::kSpipe;
  WASI_TRY(Lookup(fd, abi::kRightFdWrite | abi::kRightFdSeek, &entry));
  GuestView guest(ctx.memory());
  std::vector<iovec> iov;
  WASI_TRY(guest.Iovecs(iovs, iovs_len, &iov));
  WASI_TRY(guest.Check(nwritten_ptr, 4));
  if (offset > kMaxOffset) return Errno::kInval;
  ssize_t n;
  do {
    n = pwritev(entry->host_fd, iov.data(), static_cast<int>(iov.size()),
                static_cast<off_t>(offset));
  } while (n < 0 && errno == EINTR);
  if (n < 0) return LastHostErrno();
  return guest.Store<uint32_t>(nwritten_ptr, static_cast<uint32_t>(n));
}

Errno Preview1::FdPrestatGet(Ctx& ctx, uint32_t fd, uint32_t prestat_ptr) {
  FdEntry* entry = fds_.Get(fd);
  if (entry == nullptr || !entry->preopen_name) return Errno::kBadf;
  absl::Span<uint8_t> out;
  WASI_TRY(GuestView(ctx.memory()).Bytes(prestat_ptr, abi::kPrestatSize, &out));
  std::memset(out.data(), 0, out.size());
  out[abi::kPrestatTag] = abi::kPreopenDir;
  uint32_t len = static_cast<uint32_t>(entry->preopen_name->size());
  std::memcpy(out.data() + abi::kPrestatNameLen, &len, 4);
  return Errno::kSuccess;
}

Errno Preview1::FdPrestatDirName(Ctx& ctx, uint32_t fd, uint32_t path,
                                 uint32_t path_len) {
  FdEntry* entry = fds_.Get(fd);
  if (entry == nullptr || !entry->preopen_name) return Errno::kBadf;
  const std::string& name = *entry->preopen_name;
  if (path_len < name.size()) return Errno::kNametoolong;
  absl::Span<uint8_t> out;
  WASI_TRY(GuestView(ctx.memory()).Bytes(path, name.size(), &out));
  std::memcpy(out.data(), name.data(), name.size());
  return Errno::kSuccess;
}

Errno Preview1::ReadEntry(FdEntry& entry, const std::vector<iovec>& iov,
                          size_t* done) {
  if (entry.kind == FdEntry::Kind::kNoInput) {
    *done = 0;
    return Errno::kSuccess;
  }
  ssize_t n;
  do {
    n = readv(entry.host_fd, iov.data(), static_cast<int>(iov.size()));
  } while (n < 0 && errno == EINTR);
  if (n < 0) return LastHostErrno();
  *done = static_cast<size_t>(n);
  return Errno::kSuccess;
}

Errno Preview1::WriteEntry(FdEntry& entry, const std::vector<iovec>& iov,
                           size_t* done) {
  if (entry.kind == FdEntry::Kind::kOutput) {
    std::string bytes;
    for (const iovec& v : iov) {
      bytes.append(static_cast<const char*>(v.iov_base), v.iov_len);
    }
    if (!bytes.empty()) options_.output(entry.output_stream, bytes);
    *done = bytes.size();
    return Errno::kSuccess;
  }
  ssize_t n;
  do {
    n = writev(entry.host_fd, iov.data(), static_cast<int>(iov.size()));
  } while (n < 0 && errno == EINTR);
  if (n < 0) return LastHostErrno();
  *done = static_cast<size_t>(n);
  return Errno::kSuccess;
}

Errno Preview1::FdRead(Ctx& ctx, uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                       uint32_t nread_ptr) {
  FdEntry* entry = fds_.Get(fd);
  if (entry != nullptr && IsDirectory(*entry)) return Errno::kIsdir;
  WASI_TRY(Lookup(fd, abi::kRightFdRead, &entry));
  GuestView guest(ctx.memory());
  std::vector<iovec> iov;
  WASI_TRY(guest.Iovecs(iovs, iovs_len, &iov));
  WASI_TRY(guest.Check(nread_ptr, 4));
  size_t n;
  WASI_TRY(ReadEntry(*entry, iov, &n));
  return guest.Store<uint32_t>(nread_ptr, static_cast<uint32_t>(n));
}

Errno Preview1::FdWrite(Ctx& ctx, uint32_t fd, uint32_t iovs, uint32_t iovs_len,
                        uint32_t nwritten_ptr) {
  FdEntry* entry;
  WASI_TRY(Lookup(fd, abi::kRightFdWrite, &entry));
  GuestView guest(ctx.memory());
  std::vector<iovec> iov;
  WASI_TRY(guest.Iovecs(iovs, iovs_len, &iov));
  WASI_TRY(guest.Check(nwritten_ptr, 4));
  size_t n;
  WASI_TRY(WriteEntry(*entry, iov, &n));
  return guest.Store<uint32_t>(nwritten_ptr, static_cast<uint32_t>(n));
}

Errno Preview1::FdReaddir(Ctx& ctx, uint32_t fd, uint32_t buf, uint32_t buf_len,
                          uint64_t cookie, uint32_t bufused_ptr) {
  FdEntry* entry;
  WASI_TRY(Lookup(fd, abi::kRightFdReaddir, &entry));
  GuestView guest(ctx.memory());
  absl::Span<uint8_t> out;
  WASI_TRY(guest.Bytes(buf, buf_len, &out));
  WASI_TRY(guest.Check(bufused_ptr, 4));
  if (cookie == 0 || entry->listing.empty()) {
    WASI_TRY(ReadListing(entry->host_fd, &entry->listing));
  }
  return guest.Store<uint32_t>(bufused_ptr,
                               StoreDirents(entry->listing, cookie, out));
}

Errno Preview1::FdRenumber(Ctx& /*ctx*/, uint32_t fd, uint32_t to) {
  return fds_.Renumber(fd, to) ? Errno::kSuccess : Errno::kBadf;
}

Errno Preview1::FdSeek(Ctx& ctx, uint32_t fd, uint64_t offset, uint32_t whence,
                       uint32_t newoffset_ptr) {
  FdEntry* entry = fds_.Get(fd);
  if (entry != nullptr && entry->is_stdio) return Errno::kSpipe;
  int host_whence = HostWhence(whence);
  const bool tell_only = whence == abi::kWhenceCur && offset == 0;
  WASI_TRY(
      Lookup(fd, tell_only ? abi::kRightFdTell : abi::kRightFdSeek, &entry));
  if (host_whence < 0) return Errno::kInval;
  GuestView guest(ctx.memory());
  WASI_TRY(guest.Check(newoffset_ptr, 8));
  off_t pos = lseek(entry->host_fd, static_cast<off_t>(offset), host_whence);
  if (pos < 0) return LastHostErrno();
  return guest.Store<uint64_t>(newoffset_ptr, static_cast<uint64_t>(pos));
}

Errno Preview1::FdTell(Ctx& ctx, uint32_t fd, uint32_t offset_ptr) {
  FdEntry* entry = fds_.Get(fd);
  if (entry != nullptr && entry->is_stdio) return Errno::kSpipe;
  WASI_TRY(Lookup(fd, abi::kRightFdTell, &entry));
  GuestView guest(ctx.memory());
  WASI_TRY(guest.Check(offset_ptr, 8));
  off_t pos = lseek(entry->host_fd, 0, SEEK_CUR);
  if (pos < 0) return LastHostErrno();
  return guest.Store<uint64_t>(offset_ptr, static_cast<uint64_t>(pos));
}

}  // namespace wasmhpc::wasi
