// The whole life of a flag, as release managers and support drive it with
// the CLI: create, target by segment, override an account until a date,
// evaluate, disable, archive; revision conflicts; bad input.
#include "gmock/gmock.h"
#include "rampart/v1/admin.pb.h"
#include "rampart/v1/eval.pb.h"
#include "tests/e2e/e2e_fixture.h"

namespace rampart::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;

class FlagLifecycleTest : public E2eTest {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    CliOk({"account", "create", "acme", "--name", "ACME", "--tz", "Europe/Moscow", "--attr",
           "industry=accounting", "--attr", "ltv=4200000", "--reason", "onboarding"});
    CliOk({"account", "create", "books", "--name", "Books", "--tz", "Asia/Novosibirsk", "--attr",
           "industry=accounting", "--reason", "onboarding"});
    CliOk({"account", "create", "kino", "--name", "Kino", "--attr", "industry=cinema", "--reason",
           "onboarding"});
    CliOk({"segment", "create", "accounting", "--where", "industry == accounting", "--reason",
           "tax-deadline clients"});
  }

  v1::EvaluationResult Eval(const std::string& flag, const std::string& account,
                            std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"eval", flag, "--account", account};
    args.insert(args.end(), extra.begin(), extra.end());
    return CliJson<v1::EvaluationResult>(args);
  }
};

TEST_F(FlagLifecycleTest, CreateTargetOverrideDisableArchive) {
  CliOk({"flag", "create", "new-editor", "--type", "bool", "--description", "Invoice editor",
         "--owner", "invoicing", "--reason", "new feature"});
  auto flag = CliJson<v1::Flag>({"flag", "get", "new-editor"});
  EXPECT_EQ(flag.type(), v1::FLAG_TYPE_BOOL);
  EXPECT_EQ(flag.default_variant(), "off");
  EXPECT_TRUE(flag.enabled());
  EXPECT_EQ(Eval("new-editor", "acme").reason(), v1::REASON_STATIC);

  CliOk({"flag", "rule", "add", "new-editor", "--segment", "accounting", "--variant", "on",
         "--reason", "accounting first"});
  auto r = Eval("new-editor", "books");
  EXPECT_EQ(r.variant(), "on");
  EXPECT_TRUE(r.value().bool_value());
  EXPECT_EQ(r.reason(), v1::REASON_TARGETING_MATCH);
  EXPECT_EQ(Eval("new-editor", "kino").reason(), v1::REASON_DEFAULT);
  EXPECT_EQ(Eval("new-editor", "kino").variant(), "off");

  // Support pins ACME to the old editor until 2030 (a deferral).
  CliOk({"flag", "override", "set", "new-editor", "acme", "off", "--until", "2030-01-01",
         "--deferral", "--reason", "adapting their integrations"});
  r = Eval("new-editor", "acme");
  EXPECT_EQ(r.variant(), "off");
  EXPECT_EQ(r.reason(), v1::REASON_DEFERRED);
  EXPECT_EQ(r.detail(), "adapting their integrations");
  // After its end date the override no longer applies and the rule does.
  r = Eval("new-editor", "acme", {"--at", "2030-01-01T00:00:00Z"});
  EXPECT_EQ(r.reason(), v1::REASON_TARGETING_MATCH);
  r = Eval("new-editor", "acme", {"--at", "2029-12-31T23:59:59Z"});
  EXPECT_EQ(r.reason(), v1::REASON_DEFERRED);

  // Context attributes win over the registry's.
  r = Eval("new-editor", "kino", {"--attr", "industry=accounting"});
  EXPECT_EQ(r.reason(), v1::REASON_TARGETING_MATCH);

  CliOk({"flag", "update", "new-editor", "--disable", "--reason", "incident 42"});
  r = Eval("new-editor", "books");
  EXPECT_EQ(r.reason(), v1::REASON_DISABLED);
  EXPECT_EQ(r.variant(), "off");

  CliOk({"flag", "archive", "new-editor", "--reason", "done"});
  auto list = CliJson<v1::ListFlagsResponse>({"flag", "list"});
  EXPECT_THAT(list.flags(), SizeIs(0));
  auto eval_archived = Cli({"eval", "new-editor", "--account", "acme"});
  EXPECT_NE(eval_archived.exit_code, 0);
  EXPECT_THAT(eval_archived.err, HasSubstr("archived"));

  // Every change is in the audit log with its actor and reason.
  auto audit = CliJson<v1::ListAuditResponse>(
      {"audit", "list", "--flag", "new-editor", "--oldest-first"});
  ASSERT_THAT(audit.entries(), SizeIs(5));
  EXPECT_EQ(audit.entries(0).action(), v1::AUDIT_ACTION_CREATE);
  EXPECT_EQ(audit.entries(0).reason(), "new feature");
  EXPECT_EQ(audit.entries(2).operation(), "flag.override.set");
  EXPECT_EQ(audit.entries(4).action(), v1::AUDIT_ACTION_ARCHIVE);
  for (const auto& e : audit.entries()) EXPECT_EQ(e.actor(), "e2e-tester");
}

TEST_F(FlagLifecycleTest, StaleRevisionIsAbortedAndChangesNothing) {
  CliOk({"flag", "create", "export-format", "--type", "string", "--variant", "old=xml-2024",
         "--variant", "new=xml-2026", "--reason", "new tax format"});
  auto seen = CliJson<v1::Flag>({"flag", "get", "export-format"});
  const std::string rev = std::to_string(seen.revision());
  // Alice updates from the revision she saw.
  CliOk({"flag", "update", "export-format", "--description", "alice", "--revision", rev,
         "--reason", "alice's change"});
  // Bob saw the same revision: his update must not silently overwrite hers.
  auto bob = Cli({"flag", "update", "export-format", "--description", "bob", "--revision", rev,
                  "--reason", "bob's change"});
  EXPECT_NE(bob.exit_code, 0);
  EXPECT_THAT(bob.err, HasSubstr("ABORTED"));
  EXPECT_THAT(bob.err, HasSubstr("stale"));
  EXPECT_EQ(CliJson<v1::Flag>({"flag", "get", "export-format"}).description(), "alice");
}

TEST_F(FlagLifecycleTest, BadInputNamesTheFieldAndChangesNothing) {
  const auto before = CliJson<v1::ListAuditResponse>({"audit", "list", "--limit", "1000"});
  struct Case {
    std::vector<std::string> args;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {{"flag", "create", "Bad Key", "--type", "bool", "--reason", "x"}, "key"},
      {{"flag", "create", "x", "--type", "bool", "--default", "blue", "--reason", "x"}, "blue"},
      {{"flag", "create", "x", "--type", "int", "--variant", "a=1.5", "--reason", "x"}, "a=1.5"},
      {{"flag", "create", "x", "--type", "json", "--variant", "a={oops", "--reason", "x"},
       "variants[0]"},
      {{"flag", "create", "x", "--type", "bool", "--reason", ""}, "reason"},
      {{"flag", "get", "ghost"}, "flag \"ghost\" not found"},
      {{"flag", "override", "set", "ghost", "acme", "on", "--reason", "x"}, "ghost"},
      {{"account", "create", "z", "--name", "Z", "--tz", "Mars/Olympus", "--reason", "x"},
       "Mars/Olympus"},
      {{"segment", "create", "s", "--where", "ltv >= lots", "--reason", "x"}, "lots"},
  };
  for (const auto& c : cases) {
    auto r = Cli(c.args);
    EXPECT_NE(r.exit_code, 0) << c.args[0] << " " << c.args[1] << " " << c.args[2];
    EXPECT_THAT(r.err, HasSubstr(c.expect)) << c.args[2];
    EXPECT_THAT(r.err, Not(HasSubstr("\n\n")));
  }
  CliOk({"flag", "create", "ok-flag", "--type", "bool", "--reason", "x"});
  auto rule_on_missing = Cli({"flag", "rule", "add", "ok-flag", "--segment", "ghost-segment",
                              "--variant", "on", "--reason", "x"});
  EXPECT_NE(rule_on_missing.exit_code, 0);
  EXPECT_THAT(rule_on_missing.err, HasSubstr("ghost-segment"));
  auto over = Cli({"flag", "override", "set", "ok-flag", "nobody", "on", "--reason", "x"});
  EXPECT_NE(over.exit_code, 0);
  EXPECT_THAT(over.err, HasSubstr("nobody"));
  // Only the one good create was written.
  const auto after = CliJson<v1::ListAuditResponse>({"audit", "list", "--limit", "1000"});
  EXPECT_EQ(after.entries_size(), before.entries_size() + 1);
}

TEST_F(FlagLifecycleTest, TemporaryFlagsPastTheirExpiryAreListed) {
  CliOk({"flag", "create", "old-banner", "--type", "bool", "--expires", "2026-01-01",
         "--reason", "campaign"});
  CliOk({"flag", "create", "new-banner", "--type", "bool", "--expires", "2099-01-01",
         "--reason", "campaign"});
  CliOk({"flag", "create", "permanent", "--type", "bool", "--reason", "core"});
  auto expired = CliJson<v1::ListFlagsResponse>({"flag", "list", "--expired"});
  ASSERT_THAT(expired.flags(), SizeIs(1));
  EXPECT_EQ(expired.flags(0).key(), "old-banner");
  EXPECT_TRUE(expired.flags(0).temporary());
}

TEST_F(FlagLifecycleTest, EveryVerbHasHelp) {
  for (const std::vector<std::string>& verb : std::vector<std::vector<std::string>>{
           {"--help"},
           {"account", "import", "--help"},
           {"segment", "create", "--help"},
           {"flag", "override", "set", "--help"},
           {"flag", "rule", "add", "--help"},
           {"audit", "list", "--help"},
           {"eval", "--help"}}) {
    auto r = Cli(verb);
    EXPECT_EQ(r.exit_code, 0) << verb[0];
    EXPECT_THAT(r.out, HasSubstr("Usage"));
  }
  auto usage = Cli({"flag", "override", "set", "f"});
  EXPECT_NE(usage.exit_code, 0);
  EXPECT_THAT(usage.err, HasSubstr("--help"));
}

}  // namespace
}  // namespace rampart::e2e
