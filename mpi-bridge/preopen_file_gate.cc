#include "mpi-bridge/preopen_file_gate.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "wasi/preopen_dir.h"

namespace wasmhpc::mpi {
namespace {

class ProcFdPath final : public GatedPath {
 public:
  ProcFdPath(wasi::UniqueFd parent, const std::string& name)
      : parent_(std::move(parent)),
        path_(absl::StrCat("/proc/self/fd/", parent_.get(), "/", name)) {}
  const std::string& host_path() const override { return path_; }

 private:
  wasi::UniqueFd parent_;
  std::string path_;
};

GateResult Refuse(int32_t error_class, std::string_view guest_path,
                  std::string_view why) {
  return {.error_class = error_class,
          .message = absl::StrCat("file '", std::string(guest_path), "' ",
                                  std::string(why))};
}

// "./x" and "x" are the same relative path.
std::string_view StripDotSlash(std::string_view p) {
  while (p.starts_with("./")) {
    p.remove_prefix(2);
    while (p.starts_with("/")) p.remove_prefix(1);
  }
  return p;
}

// If `path` is `prefix` or lies beneath it, the rest (no leading '/').
bool Beneath(std::string_view path, std::string_view prefix,
             std::string_view* rest) {
  if (prefix == "/") {
    if (!path.starts_with("/")) return false;
  } else if (!path.starts_with(prefix) ||
             (path.size() > prefix.size() && path[prefix.size()] != '/')) {
    return false;
  }
  path.remove_prefix(prefix.size());
  while (path.starts_with("/")) path.remove_prefix(1);
  *rest = path;
  return true;
}

}  // namespace

absl::StatusOr<std::unique_ptr<PreopenFileGate>> PreopenFileGate::Create(
    const std::vector<wasi::Preopen>& preopens) {
  std::vector<Root> roots;
  if (!preopens.empty()) {
    if (!wasi::HaveOpenat2()) {
      return absl::FailedPreconditionError(
          "MPI-IO needs openat2 (Linux >= 5.6) to confine paths");
    }
    if (access("/proc/self/fd", X_OK) != 0) {
      return absl::FailedPreconditionError(
          "MPI-IO needs /proc/self/fd to hand confined paths to MPI");
    }
  }
  for (const wasi::Preopen& p : preopens) {
    absl::StatusOr<wasi::UniqueFd> dir = wasi::OpenPreopenDir(p, O_PATH);
    if (!dir.ok()) return dir.status();
    std::string guest = p.guest_path;
    while (guest.size() > 1 && guest.back() == '/') guest.pop_back();
    if (guest == "./") guest = ".";
    roots.push_back({std::move(guest), *std::move(dir), p.read_only});
  }
  return std::unique_ptr<PreopenFileGate>(
      new PreopenFileGate(std::move(roots)));
}

const PreopenFileGate::Root* PreopenFileGate::Match(std::string_view path,
                                                    std::string* rest) const {
  const bool absolute = path.starts_with("/");
  const std::string rooted =
      absolute ? std::string()
               : absl::StrCat("/", std::string(StripDotSlash(path)));
  const Root* best = nullptr;
  size_t best_len = 0;
  for (const Root& root : roots_) {
    std::string_view r;
    size_t len = 0;
    if (root.guest == ".") {
      if (absolute) continue;
      r = StripDotSlash(path);
    } else if (root.guest.starts_with("/")) {
      if (!Beneath(absolute ? path : rooted, root.guest, &r)) continue;
      // Relative paths go to "." first, then to "/"-rooted names.
      len = root.guest.size() + (absolute ? 1 : 0);
    } else {
      if (absolute || !Beneath(StripDotSlash(path), root.guest, &r)) continue;
      len = root.guest.size() + 1;
    }
    if (best == nullptr || len > best_len ||
        (len == best_len && root.guest == ".")) {
      best = &root;
      best_len = len;
      *rest = std::string(r);
    }
  }
  return best;
}

GateResult PreopenFileGate::Resolve(std::string_view guest_path,
                                    FileAccess access) {
  if (guest_path.empty()) {
    return Refuse(abi::kErrNoSuchFile, guest_path, "is an empty path");
  }
  std::string rest;
  const Root* root = Match(guest_path, &rest);
  if (root == nullptr) {
    return Refuse(abi::kErrAccess, guest_path,
                  "is outside every preopened directory");
  }
  if (rest.empty() || wasi::EndsInDotName(rest)) {
    return Refuse(abi::kErrBadFile, guest_path, "names a directory");
  }
  wasi::ParentAndName pn;
  wasi::Errno e =
      wasi::ResolveParent(root->dir.get(), rest, wasi::Errno::kIsdir, &pn);
  switch (e) {
    case wasi::Errno::kSuccess:
      break;
    case wasi::Errno::kNotcapable:
      return Refuse(
          abi::kErrAccess, guest_path,
          absl::StrCat("leaves the preopened directory '", root->guest, "'"));
    case wasi::Errno::kNoent:
    case wasi::Errno::kNotdir:
      return Refuse(abi::kErrNoSuchFile, guest_path,
                    "is in a directory that does not exist");
    case wasi::Errno::kAcces:
      return Refuse(abi::kErrAccess, guest_path, "is not accessible");
    default:
      return Refuse(abi::kErrIo, guest_path,
                    absl::StrCat("could not be resolved (WASI errno ",
                                 static_cast<int>(e), ")"));
  }
  if (pn.trailing_slash) {
    return Refuse(abi::kErrBadFile, guest_path, "names a directory");
  }
  if (access != FileAccess::kRead && root->read_only) {
    return Refuse(
        abi::kErrReadOnly, guest_path,
        absl::StrCat("is in the read-only directory '", root->guest, "'"));
  }
  struct stat st;
  if (fstatat(pn.parent.get(), pn.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) !=
      0) {
    if (errno != ENOENT) {
      return Refuse(abi::kErrIo, guest_path, std::strerror(errno));
    }
    if (access != FileAccess::kCreate) {
      return Refuse(abi::kErrNoSuchFile, guest_path, "does not exist");
    }
  } else if (S_ISLNK(st.st_mode)) {
    // Delete removes the link itself and follows nothing.
    if (access != FileAccess::kDelete) {
      return Refuse(abi::kErrAccess, guest_path,
                    "is a symbolic link (MPI-IO does not follow links)");
    }
  } else if (S_ISDIR(st.st_mode)) {
    return Refuse(abi::kErrBadFile, guest_path, "names a directory");
  }
  return {.path = std::make_unique<ProcFdPath>(std::move(pn.parent), pn.name)};
}

}  // namespace wasmhpc::mpi
