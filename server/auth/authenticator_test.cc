#include "server/auth/authenticator.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/auth/secret.h"
#include "server/registry/testing/in_memory_registry.h"
#include "tests/testing/simulated_clock.h"
#include "tests/testing/status_matchers.h"

namespace rampart::auth {
namespace {

using ::testing::HasSubstr;

class AuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, rampart::testing::InMemoryRegistry::Open(clock_));
  }
  registry::Registry& registry() { return *db_->registry(); }

  v1::CreatedToken Create(const std::string& name, v1::Role role) {
    v1::CreateTokenRequest req;
    req.set_name(name);
    req.set_role(role);
    req.mutable_meta()->set_actor("root");
    req.mutable_meta()->set_reason("test");
    auto created = registry().CreateToken(req);
    EXPECT_TRUE(created.ok()) << created.status();
    return *created;
  }

  rampart::testing::SimulatedClock clock_{
      absl::FromCivil(absl::CivilSecond(2026, 12, 1, 9, 0, 0), absl::UTCTimeZone())};
  std::unique_ptr<rampart::testing::InMemoryRegistry> db_;
};

TEST_F(AuthenticatorTest, AStoredTokenIsItsNameAndRole) {
  const v1::CreatedToken sue = Create("sue", v1::ROLE_SUPPORT);
  EXPECT_TRUE(KeyOfToken(sue.secret()).has_value());
  EXPECT_EQ(sue.token().secret_sha256(), "") << "the hash never leaves the server";
  Authenticator auth(&registry(), clock_, AuthOptions{});
  ASSERT_OK_AND_ASSIGN(Caller caller, auth.Authenticate("Bearer " + sue.secret()));
  EXPECT_EQ(caller.name, "sue");
  EXPECT_EQ(caller.role, v1::ROLE_SUPPORT);
  EXPECT_EQ(caller.token_key, sue.token().key());
  // The scheme is case-insensitive, as HTTP says.
  EXPECT_TRUE(auth.Authenticate("bearer " + sue.secret()).ok());
}

TEST_F(AuthenticatorTest, OnlyTheHashIsStored) {
  const v1::CreatedToken sue = Create("sue", v1::ROLE_SUPPORT);
  ASSERT_OK_AND_ASSIGN(auto stored, registry().FindToken(sue.token().key()));
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->secret_sha256(), Sha256Hex(sue.secret()));
  EXPECT_THAT(stored->SerializeAsString(), ::testing::Not(HasSubstr(sue.secret())));
}

TEST_F(AuthenticatorTest, BadTokensAreUnauthenticated) {
  const v1::CreatedToken sue = Create("sue", v1::ROLE_SUPPORT);
  Authenticator auth(&registry(), clock_, AuthOptions{});
  std::string forged = sue.secret();
  forged.back() = forged.back() == '0' ? '1' : '0';
  for (const std::string& header : {std::string(), std::string("Basic abc"), std::string("Bearer "),
                                    std::string("Bearer nonsense"), "Bearer " + forged}) {
    EXPECT_EQ(auth.Authenticate(header).status().code(), absl::StatusCode::kUnauthenticated)
        << header;
  }
  EXPECT_THAT(auth.Authenticate("").status().message(), HasSubstr("authorization: missing"));
}

TEST_F(AuthenticatorTest, ARevokedTokenStopsAtOnce) {
  const v1::CreatedToken sue = Create("sue", v1::ROLE_SUPPORT);
  Authenticator auth(&registry(), clock_, AuthOptions{});
  v1::RevokeTokenRequest revoke;
  revoke.set_token("sue");
  revoke.mutable_meta()->set_actor("root");
  revoke.mutable_meta()->set_reason("left the company");
  ASSERT_OK(registry().RevokeToken(revoke).status());
  absl::Status s = auth.Authenticate("Bearer " + sue.secret()).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(s.message(), HasSubstr("revoked by root"));
  // The name is free again.
  Create("sue", v1::ROLE_SUPPORT);
}

TEST_F(AuthenticatorTest, AnExpiredTokenIsRefusedFromItsInstant) {
  v1::CreateTokenRequest req;
  req.set_name("temp");
  req.set_role(v1::ROLE_ADMIN);
  req.mutable_meta()->set_actor("root");
  req.mutable_meta()->set_reason("test");
  req.mutable_expires_at()->set_seconds(absl::ToUnixSeconds(clock_.Now() + absl::Hours(1)));
  ASSERT_OK_AND_ASSIGN(v1::CreatedToken temp, registry().CreateToken(req));
  Authenticator auth(&registry(), clock_, AuthOptions{});
  clock_.AdvanceTime(absl::Hours(1) - absl::Seconds(1));
  EXPECT_TRUE(auth.Authenticate("Bearer " + temp.secret()).ok());
  clock_.AdvanceTime(absl::Seconds(1));
  EXPECT_THAT(auth.Authenticate("Bearer " + temp.secret()).status().message(),
              HasSubstr("expired at 2026-12-01"));
}

TEST_F(AuthenticatorTest, PermissionDeniedNamesTokenRoleMethodAndWhoMay) {
  const v1::CreatedToken sue = Create("sue", v1::ROLE_SUPPORT);
  Authenticator auth(&registry(), clock_, AuthOptions{});
  absl::Status s = auth.Authorize("Bearer " + sue.secret(), "RampService.PauseRamp").status();
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(s.message(),
            "token \"sue\" (role support) may not call RampService.PauseRamp: it needs the role "
            "release-manager or admin");
  EXPECT_TRUE(auth.Authorize("Bearer " + sue.secret(), "SupportService.Whois").ok());
}

TEST_F(AuthenticatorTest, StaticSdkKeysAreRoleSdk) {
  Authenticator auth(&registry(), clock_, AuthOptions{.sdk_keys = {"key-a", "key-b"}});
  ASSERT_OK_AND_ASSIGN(Caller caller, auth.Authorize("Bearer key-b", "SdkService.Watch"));
  EXPECT_EQ(caller.name, "sdk-key-2");
  EXPECT_EQ(caller.role, v1::ROLE_SDK);
  EXPECT_EQ(auth.Authorize("Bearer key-a", "FlagService.PutFlag").status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(auth.Authorize("Bearer key-c", "SdkService.Watch").status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST_F(AuthenticatorTest, DisabledLetsEveryoneThroughAsAnonymousAdmin) {
  Authenticator auth(&registry(), clock_, AuthOptions{.enabled = false});
  ASSERT_OK_AND_ASSIGN(Caller caller, auth.Authorize("", "TokenService.CreateToken"));
  EXPECT_FALSE(caller.authenticated);
  EXPECT_EQ(caller.ToIdentity().name(), "anonymous");
}

TEST_F(AuthenticatorTest, TheFirstAdminTokenIsMadeOnce) {
  ASSERT_OK_AND_ASSIGN(std::optional<std::string> first, registry().EnsureAdminToken());
  ASSERT_TRUE(first.has_value());
  ASSERT_OK_AND_ASSIGN(std::optional<std::string> again, registry().EnsureAdminToken());
  EXPECT_FALSE(again.has_value());
  Authenticator auth(&registry(), clock_, AuthOptions{});
  ASSERT_OK_AND_ASSIGN(Caller admin, auth.Authenticate("Bearer " + *first));
  EXPECT_EQ(admin.name, "admin");
  EXPECT_EQ(admin.role, v1::ROLE_ADMIN);
}

TEST_F(AuthenticatorTest, BadRequestsAreRefusedNamingTheField) {
  v1::CreateTokenRequest req;
  req.mutable_meta()->set_actor("root");
  req.mutable_meta()->set_reason("test");
  req.set_name("ok-name");
  EXPECT_THAT(registry().CreateToken(req).status().message(), HasSubstr("role: required"));
  req.set_role(v1::ROLE_SDK);
  req.set_name("");
  EXPECT_THAT(registry().CreateToken(req).status().message(), HasSubstr("name"));
  req.set_name("dup");
  ASSERT_OK(registry().CreateToken(req).status());
  const int64_t revision = registry().revision();
  EXPECT_EQ(registry().CreateToken(req).status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(registry().revision(), revision) << "a refused call changes nothing";
}

}  // namespace
}  // namespace rampart::auth
