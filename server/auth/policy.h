// Who may call what (issue 6; docs/access.md): the one table of every
// method of the rampart.v1 services and the permission it needs, and which
// roles hold which permissions. The gRPC services and the HTTP gateway (which
// forwards to them) both ask it, so the two cannot disagree. A method not in
// the table needs kAdmin: a new RPC is closed until someone decides.
#ifndef RAMPART_SERVER_AUTH_POLICY_H_
#define RAMPART_SERVER_AUTH_POLICY_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "rampart/v1/auth.pb.h"

namespace rampart::auth {

enum class Permission {
  // Any valid token (TokenService.WhoAmI).
  kAuthenticated,
  // What an SDK reads: the Watch stream and evaluation. Every role.
  kSdkRead,
  // What a client app writes: problem reports and beta enrollment. sdk,
  // release-manager, admin (support changes nothing).
  kSdkWrite,
  // Every other read. support, release-manager, admin.
  kRead,
  // Flags, overrides, ramps, ramp templates, freeze calendars, working-day
  // calendars, the kill switch. release-manager, admin.
  kRelease,
  // Tokens, accounts and segments. admin.
  kAdmin,
};

// The permission `method` ("FlagService.PutFlag") needs; kAdmin when it is
// not in the table.
Permission PermissionFor(absl::string_view method);
// Whether the table names `method` (the tests check that every RPC is there).
bool InTable(absl::string_view method);

bool RoleAllows(v1::Role role, Permission permission);

// "support", "release-manager", ... as people type them, and back.
std::string RoleName(v1::Role role);
std::optional<v1::Role> ParseRole(absl::string_view name);
// "release-manager or admin": the roles that hold `permission`, for errors.
std::string RolesHolding(Permission permission);

}  // namespace rampart::auth

#endif  // RAMPART_SERVER_AUTH_POLICY_H_
