#include "server/auth/policy.h"

#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_join.h"

namespace rampart::auth {
namespace {

using P = Permission;

const absl::flat_hash_map<std::string, Permission>& Table() {
  static const auto* table = new absl::flat_hash_map<std::string, Permission>{
      {"TokenService.WhoAmI", P::kAuthenticated},
      {"TokenService.CreateToken", P::kAdmin},
      {"TokenService.ListTokens", P::kAdmin},
      {"TokenService.RevokeToken", P::kAdmin},

      {"SdkService.Watch", P::kSdkRead},
      {"EvaluationService.Evaluate", P::kSdkRead},
      {"EvaluationService.EvaluateAll", P::kSdkRead},
      {"SdkService.ReportProblem", P::kSdkWrite},
      {"SdkService.EnrollBeta", P::kSdkWrite},
      {"SdkService.WithdrawBeta", P::kSdkWrite},
      {"RampService.ReportProblem", P::kSdkWrite},
      {"RampService.EnrollBeta", P::kSdkWrite},
      {"RampService.WithdrawBeta", P::kSdkWrite},

      {"AccountService.GetAccount", P::kRead},
      {"AccountService.ListAccounts", P::kRead},
      {"AccountService.ListAccountSegments", P::kRead},
      {"AccountService.PutAccount", P::kAdmin},
      {"AccountService.PatchAccount", P::kAdmin},
      {"AccountService.DeleteAccount", P::kAdmin},
      {"AccountService.ImportAccounts", P::kAdmin},

      {"SegmentService.GetSegment", P::kRead},
      {"SegmentService.ListSegments", P::kRead},
      {"SegmentService.ListSegmentMembers", P::kRead},
      {"SegmentService.PutSegment", P::kAdmin},
      {"SegmentService.DeleteSegment", P::kAdmin},

      {"FlagService.GetFlag", P::kRead},
      {"FlagService.ListFlags", P::kRead},
      {"FlagService.PutFlag", P::kRelease},
      {"FlagService.ArchiveFlag", P::kRelease},
      {"FlagService.SetOverride", P::kRelease},
      {"FlagService.RemoveOverride", P::kRelease},

      {"AuditService.ListAudit", P::kRead},

      {"RampService.GetRamp", P::kRead},
      {"RampService.GetRampStatus", P::kRead},
      {"RampService.PreviewRamp", P::kRead},
      {"RampService.ListRampTemplates", P::kRead},
      {"RampService.GetRampTemplate", P::kRead},
      {"RampService.ListProblems", P::kRead},
      {"RampService.CreateRamp", P::kRelease},
      {"RampService.UpdateRamp", P::kRelease},
      {"RampService.DeleteRamp", P::kRelease},
      {"RampService.StartRamp", P::kRelease},
      {"RampService.AdvanceRamp", P::kRelease},
      {"RampService.ApproveRamp", P::kRelease},
      {"RampService.PauseRamp", P::kRelease},
      {"RampService.ResumeRamp", P::kRelease},
      {"RampService.RollbackRamp", P::kRelease},
      {"RampService.PutRampTemplate", P::kRelease},
      {"RampService.KillFlag", P::kRelease},

      {"CalendarService.GetCalendar", P::kRead},
      {"CalendarService.ImportCalendar", P::kRelease},

      {"FreezeService.GetFreezeCalendar", P::kRead},
      {"FreezeService.ListFreezeCalendars", P::kRead},
      {"FreezeService.ListFreezeWindows", P::kRead},
      {"FreezeService.CheckFreeze", P::kRead},
      {"FreezeService.ExportFreezeIcs", P::kRead},
      {"FreezeService.GetFreezeSchedule", P::kRead},
      {"FreezeService.DescribeReach", P::kRead},
      {"FreezeService.PutFreezeCalendar", P::kRelease},
      {"FreezeService.DeleteFreezeCalendar", P::kRelease},
      {"FreezeService.AddFreezeRules", P::kRelease},
      {"FreezeService.RemoveFreezeRule", P::kRelease},
      {"FreezeService.AttachFreezeCalendar", P::kRelease},
      {"FreezeService.DetachFreezeCalendar", P::kRelease},

      {"SupportService.Whois", P::kRead},
      {"SupportService.History", P::kRead},
  };
  return *table;
}

constexpr v1::Role kRoles[] = {v1::ROLE_SDK, v1::ROLE_SUPPORT, v1::ROLE_RELEASE_MANAGER,
                               v1::ROLE_ADMIN};

}  // namespace

Permission PermissionFor(absl::string_view method) {
  auto it = Table().find(method);
  return it == Table().end() ? P::kAdmin : it->second;
}

bool InTable(absl::string_view method) { return Table().contains(method); }

bool RoleAllows(v1::Role role, Permission permission) {
  switch (role) {
    case v1::ROLE_ADMIN:
      return true;
    case v1::ROLE_RELEASE_MANAGER:
      return permission != P::kAdmin;
    case v1::ROLE_SUPPORT:
      return permission == P::kAuthenticated || permission == P::kSdkRead || permission == P::kRead;
    case v1::ROLE_SDK:
      return permission == P::kAuthenticated || permission == P::kSdkRead ||
             permission == P::kSdkWrite;
    default:
      return false;
  }
}

std::string RoleName(v1::Role role) {
  switch (role) {
    case v1::ROLE_SDK:
      return "sdk";
    case v1::ROLE_SUPPORT:
      return "support";
    case v1::ROLE_RELEASE_MANAGER:
      return "release-manager";
    case v1::ROLE_ADMIN:
      return "admin";
    default:
      return "none";
  }
}

std::optional<v1::Role> ParseRole(absl::string_view name) {
  for (v1::Role role : kRoles) {
    if (RoleName(role) == name) return role;
  }
  return std::nullopt;
}

std::string RolesHolding(Permission permission) {
  std::vector<std::string> names;
  for (v1::Role role : kRoles) {
    if (RoleAllows(role, permission)) names.push_back(RoleName(role));
  }
  return absl::StrJoin(names, " or ");
}

}  // namespace rampart::auth
