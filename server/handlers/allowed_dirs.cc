#include "server/handlers/allowed_dirs.h"

#include <algorithm>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace wasmhpc::server {
namespace {

namespace fs = std::filesystem;

// Canonical form of an absolute path: symbolic links of the existing part
// resolved, the rest normalized, no trailing separator.
fs::path Canonical(const fs::path& path) {
  std::error_code error;
  fs::path out = fs::weakly_canonical(path, error);
  if (error) out = path.lexically_normal();
  while (out.has_relative_path() && !out.has_filename())
    out = out.parent_path();
  return out;
}

bool IsWithin(const fs::path& dir, const fs::path& path) {
  auto [d, p] = std::mismatch(dir.begin(), dir.end(), path.begin(), path.end());
  return d == dir.end();
}

}  // namespace

absl::StatusOr<AllowedDirs> AllowedDirs::Create(
    const std::vector<std::string>& dirs) {
  AllowedDirs allowed;
  for (const std::string& dir : dirs) {
    std::error_code error;
    if (dir.empty() || dir[0] != '/' || !fs::is_directory(dir, error)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--allow-dir ", dir, ": not an absolute path of a directory"));
    }
    allowed.dirs_.push_back(Canonical(dir));
  }
  return allowed;
}

absl::StatusOr<std::string> AllowedDirs::Resolve(
    const std::string& host_path) const {
  if (host_path.empty() || host_path[0] != '/') {
    return absl::InvalidArgumentError(
        absl::StrCat("dir '", host_path, "': the host path must be absolute"));
  }
  fs::path path = Canonical(host_path);
  for (const fs::path& dir : dirs_) {
    if (IsWithin(dir, path)) return path.string();
  }
  if (dirs_.empty()) {
    return absl::PermissionDeniedError(absl::StrCat(
        "dir ", host_path,
        ": the head allows no host directories (start it with --allow-dir)"));
  }
  std::vector<std::string> names;
  for (const fs::path& dir : dirs_) names.push_back(dir.string());
  return absl::PermissionDeniedError(absl::StrCat(
      "dir ", host_path, " is outside the directories the head allows (",
      absl::StrJoin(names, ", "), ")"));
}

}  // namespace wasmhpc::server
