#include "wasi/sandbox_path.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "wasi/host_errno.h"

namespace wasmhpc::wasi {
namespace {

// openat2 may answer EAGAIN when a concurrent rename races a ".." step;
// retrying a few times is what the man page suggests.
constexpr int kEagainRetries = 8;

int Openat2(int dir_fd, const std::string& path, int flags, mode_t mode) {
  open_how how{};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.mode = (flags & O_CREAT) ? mode : 0;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  int fd;
  int tries = 0;
  do {
    fd = static_cast<int>(
        syscall(SYS_openat2, dir_fd, path.c_str(), &how, sizeof(how)));
  } while (fd < 0 && (errno == EINTR || errno == EAGAIN) &&
           ++tries < kEagainRetries);
  return fd;
}

}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = other.release();
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) close(fd_);
}

bool HaveOpenat2() {
  static const bool have = [] {
    UniqueFd fd(Openat2(AT_FDCWD, ".", O_PATH | O_DIRECTORY, 0));
    return fd.get() >= 0 || errno != ENOSYS;
  }();
  return have;
}

Errno OpenBeneath(int dir_fd, std::string_view path, int flags, mode_t mode,
                  UniqueFd* out) {
  if (path.empty()) return Errno::kNoent;
  if (path.front() == '/') return Errno::kNotcapable;
  int fd = Openat2(dir_fd, std::string(path), flags, mode);
  if (fd < 0) {
    // RESOLVE_BENEATH reports every escape as EXDEV.
    return errno == EXDEV ? Errno::kNotcapable : LastHostErrno();
  }
  *out = UniqueFd(fd);
  return Errno::kSuccess;
}

namespace {

// The last component of `path` without trailing slashes, and whether
// there were any.
std::string_view LastName(std::string_view path, bool* trailing_slash) {
  size_t end = path.find_last_not_of('/');
  if (trailing_slash) *trailing_slash = end + 1 < path.size();
  path = path.substr(0, end + 1);
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

bool EndsInDotName(std::string_view path) {
  std::string_view name = LastName(path, nullptr);
  return name == "." || name == "..";
}

Errno ResolveParent(int dir_fd, std::string_view path, Errno dot_errno,
                    ParentAndName* out) {
  if (path.empty()) return Errno::kNoent;
  if (path.front() == '/') return Errno::kNotcapable;
  std::string_view name = LastName(path, &out->trailing_slash);
  std::string_view parent = path.substr(0, name.data() - path.data());
  if (parent.empty()) parent = ".";
  if (name == "." || name == "..") return dot_errno;
  out->name = std::string(name);
  return OpenBeneath(dir_fd, parent, O_PATH | O_DIRECTORY, 0, &out->parent);
}

}  // namespace wasmhpc::wasi
