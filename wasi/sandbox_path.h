// Path resolution confined beneath a directory fd.
//
// Every guest path is resolved with openat2(RESOLVE_BENEATH |
// RESOLVE_NO_MAGICLINKS) relative to a directory fd the guest holds: ".."
// that leaves it, absolute paths and symlinks (absolute, or relative ones
// that climb out) fail with Errno::kNotcapable. Operations other than open
// resolve the parent directory that way and then act on the last component
// with a *at() call that does not follow it. Needs Linux >= 5.6 (openat2);
// without it every path call fails closed with kNosys. Thread-safe.
#ifndef WASMHPC_WASI_SANDBOX_PATH_H_
#define WASMHPC_WASI_SANDBOX_PATH_H_

#include <sys/types.h>

#include <string>
#include <string_view>

#include "wasi/wasi_abi.h"

namespace wasmhpc::wasi {

// An owned host fd, closed on destruction. Move-only.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();

  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_ = -1;
};

// True if the kernel has openat2 (probed once).
bool HaveOpenat2();

// Opens `path` beneath `dir_fd` with open(2) `flags` (O_CLOEXEC is added)
// and `mode` (used with O_CREAT only). Escapes yield kNotcapable; other
// failures the host errno.
Errno OpenBeneath(int dir_fd, std::string_view path, int flags, mode_t mode,
                  UniqueFd* out);

// A path split for a *at() call: the parent directory, resolved beneath the
// starting fd, and the last component, which is not resolved.
struct ParentAndName {
  UniqueFd parent;      // O_PATH | O_DIRECTORY
  std::string name;     // one component: no '/', never "." or ".."
  bool trailing_slash;  // the path ended in '/': it must name a directory
};

// True if the last component of `path` is "." or ".." (trailing slashes
// ignored).
bool EndsInDotName(std::string_view path);

// Splits `path` and resolves its parent beneath `dir_fd`. An empty path
// yields kNoent; an absolute one kNotcapable; a last component of "." or
// ".." yields `dot_errno` (the caller's native answer, e.g. kExist for
// mkdir).
Errno ResolveParent(int dir_fd, std::string_view path, Errno dot_errno,
                    ParentAndName* out);

}  // namespace wasmhpc::wasi

#endif  // WASMHPC_WASI_SANDBOX_PATH_H_
