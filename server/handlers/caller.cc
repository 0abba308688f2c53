#include "server/handlers/caller.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace wasmhpc::server {
namespace {

constexpr uint8_t Bit(Role role) { return static_cast<uint8_t>(role); }

std::string RoleNames(uint8_t roles) {
  if (roles & Bit(Role::kAdmin)) return "admin";
  if (roles & Bit(Role::kPool)) return "pool";
  if (roles & Bit(Role::kUser)) return "user";
  return "no role";
}

}  // namespace

uint8_t RoleBits(absl::string_view role) {
  if (role == "user") return Bit(Role::kUser);
  if (role == "pool") return Bit(Role::kPool);
  if (role == "admin") return Bit(Role::kAdmin) | Bit(Role::kUser);
  return 0;
}

bool IsValidCallerName(absl::string_view name) {
  if (name.empty() || name.size() > kMaxCallerNameLength) return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(c) && c != '.' && c != '_' && c != '-' &&
        c != '@') {
      return false;
    }
  }
  return true;
}

absl::Status Permit(const Caller& caller, Access access,
                    absl::string_view what) {
  Role needed = Role::kUser;
  switch (access) {
    case Access::kAny:
      if (caller.roles != 0) return absl::OkStatus();
      break;
    case Access::kUser:
      break;
    case Access::kPool:
      needed = Role::kPool;
      break;
    case Access::kAdmin:
      needed = Role::kAdmin;
      break;
  }
  if (caller.Has(needed)) return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(
      "token '", caller.name, "' (", RoleNames(caller.roles), ") may not ",
      what, ": needs the ", RoleNames(Bit(needed)), " role"));
}

absl::Status PermitJob(const Caller& caller, absl::string_view owner,
                       absl::string_view job_id) {
  if (caller.SeesAllJobs() || (!owner.empty() && owner == caller.name)) {
    return absl::OkStatus();
  }
  return absl::NotFoundError(absl::StrCat("no job ", job_id));
}

}  // namespace wasmhpc::server
