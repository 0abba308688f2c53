#include "wasi/file_stat.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/socket.h>

namespace wasmhpc::wasi {
namespace {

constexpr uint64_t kNanosPerSecond = 1'000'000'000;

uint64_t Nanos(const struct timespec& ts) {
  if (ts.tv_sec < 0) return 0;
  return static_cast<uint64_t>(ts.tv_sec) * kNanosPerSecond +
         static_cast<uint64_t>(ts.tv_nsec);
}

struct timespec Timespec(uint64_t nanos) {
  struct timespec ts = {};
  ts.tv_sec = static_cast<time_t>(nanos / kNanosPerSecond);
  ts.tv_nsec = static_cast<long>(nanos % kNanosPerSecond);
  return ts;
}

// One timespec of a utimensat pair from a WASI value and its two flags.
Errno TimeFromFlags(uint64_t value, bool set, bool now, struct timespec* ts) {
  if (set && now) return Errno::kInval;
  if (now) {
    *ts = {0, UTIME_NOW};
  } else if (set) {
    *ts = Timespec(value);
  } else {
    *ts = {0, UTIME_OMIT};
  }
  return Errno::kSuccess;
}

}  // namespace

abi::Filetype FiletypeFromMode(mode_t mode) {
  switch (mode & S_IFMT) {
    case S_IFREG:
      return abi::Filetype::kRegularFile;
    case S_IFDIR:
      return abi::Filetype::kDirectory;
    case S_IFCHR:
      return abi::Filetype::kCharacterDevice;
    case S_IFBLK:
      return abi::Filetype::kBlockDevice;
    case S_IFLNK:
      return abi::Filetype::kSymbolicLink;
    case S_IFSOCK:
      return abi::Filetype::kSocketStream;
    default:
      return abi::Filetype::kUnknown;
  }
}

abi::Filetype FiletypeOfHostFd(int fd) {
  struct stat st = {};
  if (fstat(fd, &st) != 0) return abi::Filetype::kUnknown;
  if (S_ISSOCK(st.st_mode)) {
    int type = 0;
    socklen_t len = sizeof(type);
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 &&
        type == SOCK_DGRAM) {
      return abi::Filetype::kSocketDgram;
    }
  }
  return FiletypeFromMode(st.st_mode);
}

abi::Filetype FiletypeFromDtype(unsigned char d_type) {
  switch (d_type) {
    case DT_REG:
      return abi::Filetype::kRegularFile;
    case DT_DIR:
      return abi::Filetype::kDirectory;
    case DT_CHR:
      return abi::Filetype::kCharacterDevice;
    case DT_BLK:
      return abi::Filetype::kBlockDevice;
    case DT_LNK:
      return abi::Filetype::kSymbolicLink;
    case DT_SOCK:
      return abi::Filetype::kSocketStream;
    default:
      return abi::Filetype::kUnknown;
  }
}

Errno StoreFilestat(const GuestView& guest, uint32_t ptr, const struct stat& st,
                    abi::Filetype type) {
  absl::Span<uint8_t> out;
  WASI_TRY(guest.Bytes(ptr, abi::kFilestatSize, &out));
  std::memset(out.data(), 0, out.size());
  auto put64 = [&](uint32_t offset, uint64_t v) {
    std::memcpy(out.data() + offset, &v, sizeof(v));
  };
  put64(abi::kFilestatDev, st.st_dev);
  put64(abi::kFilestatIno, st.st_ino);
  out[abi::kFilestatFiletype] = static_cast<uint8_t>(type);
  put64(abi::kFilestatNlink, st.st_nlink);
  put64(abi::kFilestatSizeField, static_cast<uint64_t>(st.st_size));
  put64(abi::kFilestatAtim, Nanos(st.st_atim));
  put64(abi::kFilestatMtim, Nanos(st.st_mtim));
  put64(abi::kFilestatCtim, Nanos(st.st_ctim));
  return Errno::kSuccess;
}

uint16_t FdflagsFromHost(int status_flags) {
  uint16_t flags = 0;
  if (status_flags & O_APPEND) flags |= abi::kFdflagAppend;
  if (status_flags & O_NONBLOCK) flags |= abi::kFdflagNonblock;
  // On Linux O_SYNC includes the O_DSYNC bit, and O_RSYNC equals O_SYNC.
  if ((status_flags & O_SYNC) == O_SYNC) {
    flags |= abi::kFdflagSync | abi::kFdflagRsync;
  } else if (status_flags & O_DSYNC) {
    flags |= abi::kFdflagDsync;
  }
  return flags;
}

int HostFlagsFromFdflags(uint16_t fdflags) {
  int flags = 0;
  if (fdflags & abi::kFdflagAppend) flags |= O_APPEND;
  if (fdflags & abi::kFdflagNonblock) flags |= O_NONBLOCK;
  if (fdflags & abi::kFdflagDsync) flags |= O_DSYNC;
  if (fdflags & (abi::kFdflagSync | abi::kFdflagRsync)) flags |= O_SYNC;
  return flags;
}

Errno TimesFromFstflags(uint64_t atim, uint64_t mtim, uint32_t fst_flags,
                        struct timespec times[2]) {
  constexpr uint32_t kKnown = abi::kFstflagAtim | abi::kFstflagAtimNow |
                              abi::kFstflagMtim | abi::kFstflagMtimNow;
  if (fst_flags & ~kKnown) return Errno::kInval;
  WASI_TRY(TimeFromFlags(atim, fst_flags & abi::kFstflagAtim,
                         fst_flags & abi::kFstflagAtimNow, &times[0]));
  WASI_TRY(TimeFromFlags(mtim, fst_flags & abi::kFstflagMtim,
                         fst_flags & abi::kFstflagMtimNow, &times[1]));
  return Errno::kSuccess;
}

}  // namespace wasmhpc::wasi
