#include "wasi/preopen_dir.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace wasmhpc::wasi {
namespace {

absl::Status OpenError(const Preopen& preopen, int err) {
  if (preopen.strict && (err == ELOOP || err == EXDEV)) {
    return absl::PermissionDeniedError(absl::StrCat(
        "--dir ", preopen.host_path,
        ": a symbolic link in the path, or it leaves the pool's --allow-dir "
        "(the head resolved the path at submit; it changed since)"));
  }
  std::string message =
      absl::StrCat("--dir ", preopen.host_path, ": ", std::strerror(err));
  switch (err) {
    case ENOENT:
      return absl::NotFoundError(message);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(message);
    case ENOTDIR:
    case ELOOP:
    case ENAMETOOLONG:
      return absl::InvalidArgumentError(message);
    default:
      return absl::UnavailableError(message);
  }
}

int Openat2(int dir_fd, const std::string& path, int flags, uint64_t resolve) {
  open_how how{};
  how.flags = static_cast<uint64_t>(flags | O_DIRECTORY | O_CLOEXEC);
  how.resolve = resolve;
  int fd;
  do {
    fd = static_cast<int>(
        syscall(SYS_openat2, dir_fd, path.c_str(), &how, sizeof(how)));
  } while (fd < 0 && (errno == EINTR || errno == EAGAIN));
  return fd;
}

bool Normalized(const std::string& path) {
  if (path.empty() || path[0] != '/') return false;
  for (absl::string_view part : absl::StrSplit(path, '/')) {
    if (part == "." || part == "..") return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<UniqueFd> OpenPreopenDir(const Preopen& preopen, int flags) {
  if (!preopen.strict) {
    int fd = open(preopen.host_path.c_str(), flags | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return OpenError(preopen, errno);
    return UniqueFd(fd);
  }
  if (!Normalized(preopen.host_path)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--dir ", preopen.host_path,
                     ": not an absolute path without . and .. components"));
  }
  constexpr uint64_t kNoLinks = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  if (preopen.roots.empty()) {
    int fd = Openat2(AT_FDCWD, preopen.host_path, flags, kNoLinks);
    if (fd < 0) return OpenError(preopen, errno);
    return UniqueFd(fd);
  }
  for (std::string root : preopen.roots) {
    while (root.size() > 1 && root.back() == '/') root.pop_back();
    std::string rest;
    if (preopen.host_path == root) {
      rest = ".";
    } else if (absl::StartsWith(preopen.host_path,
                                root == "/" ? root : root + "/")) {
      rest = preopen.host_path.substr(root == "/" ? 1 : root.size() + 1);
    } else {
      continue;
    }
    UniqueFd root_fd(open(root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (root_fd.get() < 0) continue;
    int fd = Openat2(root_fd.get(), rest, flags, RESOLVE_BENEATH | kNoLinks);
    if (fd < 0) return OpenError(preopen, errno);
    return UniqueFd(fd);
  }
  return absl::PermissionDeniedError(absl::StrCat(
      "--dir ", preopen.host_path, " is outside the pool's --allow-dir (",
      absl::StrJoin(preopen.roots, ", "), ")"));
}

}  // namespace wasmhpc::wasi
