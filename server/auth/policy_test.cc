#include "server/auth/policy.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "rampart/v1/admin.grpc.pb.h"
#include "rampart/v1/auth.grpc.pb.h"
#include "rampart/v1/calendar.grpc.pb.h"
#include "rampart/v1/eval.grpc.pb.h"
#include "rampart/v1/freeze.grpc.pb.h"
#include "rampart/v1/ramp.grpc.pb.h"
#include "rampart/v1/sdk.grpc.pb.h"
#include "rampart/v1/support.grpc.pb.h"

namespace rampart::auth {
namespace {

using ::testing::IsEmpty;

// Every method of every rampart.v1 service, as "Service.Method".
std::vector<std::string> AllMethods() {
  // A request of each file of the API, so that its services are found.
  const google::protobuf::FileDescriptor* files[] = {
      v1::GetAccountRequest::descriptor()->file(),  v1::WhoAmIRequest::descriptor()->file(),
      v1::GetCalendarRequest::descriptor()->file(), v1::EvaluateRequest::descriptor()->file(),
      v1::CheckFreezeRequest::descriptor()->file(), v1::CreateRampRequest::descriptor()->file(),
      v1::WatchRequest::descriptor()->file(),       v1::WhoisRequest::descriptor()->file()};
  std::vector<std::string> out;
  for (const auto* file : files) {
    for (int s = 0; s < file->service_count(); ++s) {
      const auto* service = file->service(s);
      for (int m = 0; m < service->method_count(); ++m) {
        out.push_back(absl::StrCat(service->name(), ".", service->method(m)->name()));
      }
    }
  }
  return out;
}

TEST(PolicyTest, EveryMethodIsDecided) {
  std::vector<std::string> missing;
  for (const std::string& m : AllMethods()) {
    if (!InTable(m)) missing.push_back(m);
  }
  EXPECT_THAT(missing, IsEmpty()) << "add them to server/auth/policy.cc and docs/access.md";
  EXPECT_GT(AllMethods().size(), 60u);
}

TEST(PolicyTest, AMethodNotInTheTableNeedsAdmin) {
  EXPECT_EQ(PermissionFor("FlagService.Frobnicate"), Permission::kAdmin);
  EXPECT_FALSE(RoleAllows(v1::ROLE_RELEASE_MANAGER, PermissionFor("FlagService.Frobnicate")));
}

TEST(PolicyTest, SupportReadsEverythingAndChangesNothing) {
  for (const std::string& m : AllMethods()) {
    const Permission p = PermissionFor(m);
    const bool read =
        p == Permission::kRead || p == Permission::kSdkRead || p == Permission::kAuthenticated;
    EXPECT_EQ(RoleAllows(v1::ROLE_SUPPORT, p), read) << m;
  }
  EXPECT_TRUE(RoleAllows(v1::ROLE_SUPPORT, PermissionFor("SupportService.Whois")));
  EXPECT_TRUE(RoleAllows(v1::ROLE_SUPPORT, PermissionFor("AuditService.ListAudit")));
  EXPECT_FALSE(RoleAllows(v1::ROLE_SUPPORT, PermissionFor("RampService.ReportProblem")));
}

TEST(PolicyTest, RolesAsTheIssueStatesThem) {
  // sdk: what SDKs need.
  EXPECT_TRUE(RoleAllows(v1::ROLE_SDK, PermissionFor("SdkService.Watch")));
  EXPECT_TRUE(RoleAllows(v1::ROLE_SDK, PermissionFor("EvaluationService.Evaluate")));
  EXPECT_TRUE(RoleAllows(v1::ROLE_SDK, PermissionFor("SdkService.ReportProblem")));
  EXPECT_TRUE(RoleAllows(v1::ROLE_SDK, PermissionFor("RampService.EnrollBeta")));
  EXPECT_FALSE(RoleAllows(v1::ROLE_SDK, PermissionFor("SupportService.Whois")));
  EXPECT_FALSE(RoleAllows(v1::ROLE_SDK, PermissionFor("AuditService.ListAudit")));
  EXPECT_FALSE(RoleAllows(v1::ROLE_SDK, PermissionFor("FlagService.PutFlag")));
  // release-manager: ramps, freezes, overrides, flags; not tokens or accounts.
  for (const char* m : {"RampService.PauseRamp", "RampService.AdvanceRamp",
                        "RampService.RollbackRamp", "FreezeService.PutFreezeCalendar",
                        "FlagService.SetOverride", "FlagService.PutFlag", "RampService.KillFlag"}) {
    EXPECT_TRUE(RoleAllows(v1::ROLE_RELEASE_MANAGER, PermissionFor(m))) << m;
  }
  for (const char* m :
       {"TokenService.CreateToken", "TokenService.RevokeToken", "AccountService.PutAccount",
        "AccountService.ImportAccounts", "SegmentService.PutSegment"}) {
    EXPECT_FALSE(RoleAllows(v1::ROLE_RELEASE_MANAGER, PermissionFor(m))) << m;
    EXPECT_TRUE(RoleAllows(v1::ROLE_ADMIN, PermissionFor(m))) << m;
  }
  EXPECT_FALSE(RoleAllows(v1::ROLE_UNSPECIFIED, PermissionFor("TokenService.WhoAmI")));
}

TEST(PolicyTest, RoleNamesRoundTrip) {
  for (v1::Role r : {v1::ROLE_SDK, v1::ROLE_SUPPORT, v1::ROLE_RELEASE_MANAGER, v1::ROLE_ADMIN}) {
    EXPECT_EQ(ParseRole(RoleName(r)), r);
  }
  EXPECT_EQ(ParseRole("root"), std::nullopt);
  EXPECT_EQ(RolesHolding(Permission::kRelease), "release-manager or admin");
}

}  // namespace
}  // namespace rampart::auth
