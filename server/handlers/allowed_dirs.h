// AllowedDirs: the host directories jobs may preopen (the head's
// --allow-dir). A job's Dir is allowed when its host path, made absolute and
// free of "..", ".", repeated slashes and symbolic links (for the part that
// exists on the head's file system), is one of them or lies below one.
//
// The check runs on the head's file system: pools on other hosts are
// expected to see the same paths (a shared file system).
//
// Thread safety: immutable after Create; Check may be called from any thread.
#ifndef WASMHPC_SERVER_HANDLERS_ALLOWED_DIRS_H_
#define WASMHPC_SERVER_HANDLERS_ALLOWED_DIRS_H_

#include <filesystem>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace wasmhpc::server {

class AllowedDirs {
 public:
  // Each entry must be an absolute path of an existing directory, else
  // InvalidArgument naming it. An empty list allows no directory.
  static absl::StatusOr<AllowedDirs> Create(
      const std::vector<std::string>& dirs);

  // The canonical form of `host_path` (absolute, symbolic links of the
  // existing part resolved) if it is allowed: jobs store and open that, so a
  // symbolic link swapped in later is refused by the pool (it opens without
  // following links). InvalidArgument for an empty or relative path;
  // PermissionDenied naming the path and the allowed directories.
  absl::StatusOr<std::string> Resolve(const std::string& host_path) const;
  absl::Status Check(const std::string& host_path) const {
    return Resolve(host_path).status();
  }

  const std::vector<std::filesystem::path>& dirs() const { return dirs_; }

 private:
  std::vector<std::filesystem::path> dirs_;  // Canonical.
};

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_HANDLERS_ALLOWED_DIRS_H_
