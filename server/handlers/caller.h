// Caller: who makes an API call, as the transport authenticated it, and the
// one rule of who may do what. Both transports (gRPC, REST) authenticate
// (TokenAuth) and then ask Permit with the access their method needs; the
// handlers get the Caller to scope what a user sees (own jobs only).
//
// Roles (a token file line's ROLE, a JWT's wasmhpc_role claim):
//   user   submits, follows and cancels its own jobs; uploads modules;
//          lists modules and pools.
//   admin  everything a user may, on every user's jobs; drains and resumes
//          pools.
//   pool   a worker pool of this deployment: attaches, fetches modules,
//          uploads compiled code, reports failed launches; nothing else.
// Without --auth-tokens or --jwt-key the head listens on loopback only and
// every caller is the trusted local caller, with every role.
#ifndef WASMHPC_SERVER_HANDLERS_CALLER_H_
#define WASMHPC_SERVER_HANDLERS_CALLER_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace wasmhpc::server {

enum class Role : uint8_t { kUser = 1, kPool = 2, kAdmin = 4 };

// What a method needs.
enum class Access {
  kUser,   // a user or an admin
  kPool,   // a pool
  kAdmin,  // an admin
  kAny,    // anyone authenticated (listing pools)
};

struct Caller {
  std::string name;   // the token file's NAME or the JWT's sub; "local" when
                      // auth is off
  uint8_t roles = 0;  // Role bits

  bool Has(Role role) const { return roles & static_cast<uint8_t>(role); }
  // May see, follow and cancel every user's jobs.
  bool SeesAllJobs() const { return Has(Role::kAdmin); }

  // The caller when auth is off: every role.
  static Caller Local() {
    return {"local", static_cast<uint8_t>(Role::kUser) |
                         static_cast<uint8_t>(Role::kPool) |
                         static_cast<uint8_t>(Role::kAdmin)};
  }
};

// "user", "pool", "admin" -> its bits (admin includes user); 0 otherwise.
uint8_t RoleBits(absl::string_view role);

// The longest caller name.
inline constexpr size_t kMaxCallerNameLength = 64;

// A caller name (a token file's NAME, a JWT's sub): 1..kMaxCallerNameLength
// of letters, digits, '.', '_', '-', '@'.
bool IsValidCallerName(absl::string_view name);

// OK, or PermissionDenied naming the caller, its role and the role needed
// ("token 'alice' (user) may not drain pools: needs the admin role").
// `what` names the operation ("drain pools").
absl::Status Permit(const Caller& caller, Access access,
                    absl::string_view what);

// OK when `caller` may see a job owned by `owner` (its own, or an admin);
// else NotFound "no job <id>", the same answer as for a job that does not
// exist, so that users cannot probe each other's jobs.
absl::Status PermitJob(const Caller& caller, absl::string_view owner,
                       absl::string_view job_id);

}  // namespace wasmhpc::server

#endif  // WASMHPC_SERVER_HANDLERS_CALLER_H_
