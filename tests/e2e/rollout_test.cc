// Percentage rollouts as a release manager drives them with the CLI: split a
// flag between variants, ramp it, split by user, clear it; every account gets
// the variant docs/bucketing.md says, on every call; bad input names the
// field and changes nothing.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/eval/bucketing.h"
#include "gmock/gmock.h"
#include "rampart/v1/admin.pb.h"
#include "rampart/v1/eval.pb.h"
#include "tests/e2e/e2e_fixture.h"

namespace rampart::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::vector<std::string> kAccounts = {"acme",    "books", "kino",     "globex",
                                            "initech", "hooli", "umbrella", "stark"};

// What the bucketing contract says `key` gets when `on_weight` (thousandths
// of a percent) is "on" and the rest "off".
std::string Expected(absl::string_view salt, absl::string_view key, uint32_t on_weight) {
  return eval::BucketOf(salt, key) < eval::BucketThreshold(on_weight) ? "on" : "off";
}

class RolloutTest : public E2eTest {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    for (const std::string& account : kAccounts) {
      CliOk({"account", "create", account, "--name", account, "--attr",
             account == "initech" ? "industry=accounting" : "industry=retail", "--reason",
             "onboarding"});
    }
    CliOk({"flag", "create", "new-editor", "--type", "bool", "--reason", "INV-812"});
  }

  v1::EvaluationResult Eval(const std::string& account, const std::string& user = "") {
    std::vector<std::string> args = {"eval", "new-editor", "--account", account};
    if (!user.empty()) args.insert(args.end(), {"--user", user});
    return CliJson<v1::EvaluationResult>(args);
  }
};

TEST_F(RolloutTest, SplitsAccountsStablyAsTheBucketingSays) {
  CliOk({"flag", "rollout", "set", "new-editor", "on=50", "off=50", "--reason", "half"});
  const auto flag = CliJson<v1::Flag>({"flag", "get", "new-editor"});
  ASSERT_EQ(flag.rollout().variants_size(), 2);
  EXPECT_EQ(flag.rollout().variants(0).variant(), "on");
  EXPECT_EQ(flag.rollout().variants(0).weight(), 50000u);
  EXPECT_EQ(flag.rollout().variants(1).weight(), 50000u);
  EXPECT_EQ(flag.rollout().unit(), v1::ROLLOUT_UNIT_ACCOUNT);
  EXPECT_EQ(flag.rollout().salt(), "");

  // The vectors of docs/bucketing.md.
  EXPECT_EQ(Eval("acme").variant(), "on");
  EXPECT_EQ(Eval("books").variant(), "off");
  int on = 0;
  for (const std::string& account : kAccounts) {
    const auto r = Eval(account);
    EXPECT_EQ(r.reason(), v1::REASON_SPLIT) << account;
    EXPECT_EQ(r.detail(), "") << account;
    EXPECT_EQ(r.variant(), Expected("new-editor", account, 50000)) << account;
    EXPECT_EQ(r.value().bool_value(), r.variant() == "on") << account;
    EXPECT_EQ(Eval(account).variant(), r.variant()) << account << ": not deterministic";
    on += r.variant() == "on";
  }
  EXPECT_GT(on, 0);
  EXPECT_LT(on, static_cast<int>(kAccounts.size()));

  // The table shows the split.
  EXPECT_THAT(CliOk({"flag", "get", "new-editor"}),
              HasSubstr("on 50 %, off 50 % by account (salt: the flag key)"));
}

TEST_F(RolloutTest, RampingUpNeverTakesTheFeatureFromAnAccountThatHadIt) {
  std::vector<std::string> had;
  for (const char* on : {"10", "25", "50", "75", "100"}) {
    const std::string off = absl::StrCat(100 - std::stoi(on));
    CliOk({"flag", "rollout", "set", "new-editor", absl::StrCat("on=", on),
           absl::StrCat("off=", off), "--reason", absl::StrCat("ramp to ", on, " %")});
    std::vector<std::string> has;
    for (const std::string& account : kAccounts) {
      if (Eval(account).variant() == "on") has.push_back(account);
    }
    for (const std::string& account : had) {
      EXPECT_THAT(has, ::testing::Contains(account)) << account << " lost it at " << on << " %";
    }
    had = has;
  }
  EXPECT_EQ(had.size(), kAccounts.size());
}

TEST_F(RolloutTest, SplitsUsersWithASaltAndFallsBackToTheAccount) {
  CliOk({"flag", "rollout", "set", "new-editor", "on=12.345", "off=87.655", "--unit", "user",
         "--salt", "spring-2026", "--reason", "per user"});
  const auto flag = CliJson<v1::Flag>({"flag", "get", "new-editor"});
  ASSERT_EQ(flag.rollout().variants_size(), 2);
  EXPECT_EQ(flag.rollout().variants(0).weight(), 12345u);  // exactly, no rounding
  EXPECT_EQ(flag.rollout().variants(1).weight(), 87655u);
  EXPECT_EQ(flag.rollout().unit(), v1::ROLLOUT_UNIT_USER);
  EXPECT_EQ(flag.rollout().salt(), "spring-2026");
  EXPECT_THAT(CliOk({"flag", "get", "new-editor"}),
              HasSubstr("on 12.345 %, off 87.655 % by user (else account) (salt \"spring-2026\")"));

  // spring-2026:acme is at 2.0 % (docs/bucketing.md): without a user key,
  // acme itself is bucketed.
  EXPECT_EQ(Eval("acme").variant(), "on");
  for (int i = 0; i < 12; ++i) {
    const std::string user = absl::StrCat("u-", i);
    const auto r = Eval("books", user);
    EXPECT_EQ(r.reason(), v1::REASON_SPLIT);
    EXPECT_EQ(r.variant(), Expected("spring-2026", user, 12345)) << user;
  }

  // A new split without --unit or --salt keeps both: no reshuffle.
  CliOk({"flag", "rollout", "set", "new-editor", "on=20", "off=80", "--reason", "more"});
  const auto ramped = CliJson<v1::Flag>({"flag", "get", "new-editor"});
  EXPECT_EQ(ramped.rollout().unit(), v1::ROLLOUT_UNIT_USER);
  EXPECT_EQ(ramped.rollout().salt(), "spring-2026");

  CliOk({"flag", "rollout", "clear", "new-editor", "--reason", "done"});
  EXPECT_EQ(CliJson<v1::Flag>({"flag", "get", "new-editor"}).rollout().variants_size(), 0);
  EXPECT_EQ(Eval("acme").reason(), v1::REASON_STATIC);
  EXPECT_THAT(CliOk({"flag", "get", "new-editor"}), Not(HasSubstr("by user")));
}

TEST_F(RolloutTest, RulesAndOverridesComeBeforeTheRollout) {
  CliOk({"segment", "create", "accounting", "--where", "industry == accounting", "--reason",
         "tax clients"});
  CliOk({"flag", "rule", "add", "new-editor", "--segment", "accounting", "--variant", "off",
         "--reason", "not during tax season"});
  CliOk({"flag", "override", "set", "new-editor", "books", "off", "--reason", "asked to wait"});
  CliOk({"flag", "rollout", "set", "new-editor", "on=100", "--reason", "everyone else"});
  EXPECT_EQ(Eval("initech").reason(), v1::REASON_TARGETING_MATCH);
  EXPECT_EQ(Eval("initech").variant(), "off");
  EXPECT_EQ(Eval("books").reason(), v1::REASON_OVERRIDE);
  EXPECT_EQ(Eval("books").variant(), "off");
  EXPECT_EQ(Eval("kino").reason(), v1::REASON_SPLIT);
  EXPECT_EQ(Eval("kino").variant(), "on");
  CliOk({"flag", "update", "new-editor", "--disable", "--reason", "incident"});
  EXPECT_EQ(Eval("kino").reason(), v1::REASON_DISABLED);
}

TEST_F(RolloutTest, BadRolloutInputNamesTheFieldAndChangesNothing) {
  CliOk({"flag", "rollout", "set", "new-editor", "on=10", "off=90", "--reason", "start"});
  const auto before = CliJson<v1::ListAuditResponse>({"audit", "list", "--limit", "1000"});
  const auto flag_before = CliJson<v1::Flag>({"flag", "get", "new-editor"});

  // rampartd's own check, reached with a definition file.
  const std::string short_weights = WriteFile("short.json", R"json({
    "key": "new-editor", "type": "FLAG_TYPE_BOOL",
    "variants": [{"name": "on", "value": {"bool_value": true}},
                 {"name": "off", "value": {"bool_value": false}}],
    "default_variant": "off", "off_variant": "off", "enabled": true,
    "rollout": {"variants": [{"variant": "on", "weight": 49000},
                             {"variant": "off", "weight": 50000}]}})json");
  const std::string unknown_variant = WriteFile("unknown.json", R"json({
    "key": "new-editor", "type": "FLAG_TYPE_BOOL",
    "variants": [{"name": "on", "value": {"bool_value": true}},
                 {"name": "off", "value": {"bool_value": false}}],
    "default_variant": "off", "off_variant": "off", "enabled": true,
    "rollout": {"variants": [{"variant": "on", "weight": 50000},
                             {"variant": "blue", "weight": 50000}]}})json");

  struct Case {
    std::vector<std::string> args;
    std::string expect;
  };
  const std::vector<Case> cases = {
      {{"on=50", "off=49"}, "VARIANT=PERCENT: the percentages add up to 99 %, must be 100 %"},
      {{"on=50.5", "off=50"}, "the percentages add up to 100.5 %, must be 100 %"},
      {{"on=50", "blue=50"},
       "VARIANT=PERCENT \"blue\": flag \"new-editor\" has no such variant (variants: on, off)"},
      {{"on=12.3456", "off=87.6544"},
       "VARIANT=PERCENT \"on=12.3456\": \"12.3456\" has more "
       "than 3 decimals"},
      {{"on=101", "off=0"}, "\"101\" is more than 100 %"},
      {{"on=-5", "off=105"}, "\"-5\" is not a percentage"},
      {{"on=1e2"}, "\"1e2\" is not a percentage"},
      {{"on=half", "off=50"}, "\"half\" is not a percentage"},
      {{"on=50", "on=50"}, "variant \"on\" given twice"},
      {{"on"}, "VARIANT=PERCENT \"on\": expected VARIANT=PERCENT"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"flag", "rollout", "set", "new-editor"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    args.insert(args.end(), {"--reason", "bad"});
    const auto r = Cli(args);
    EXPECT_EQ(r.exit_code, 1) << c.args[0];
    EXPECT_THAT(r.err, HasSubstr(c.expect));
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  const std::vector<Case> others = {
      {{"flag", "update", "new-editor", "--file", short_weights, "--reason", "bad"},
       "INVALID_ARGUMENT: flag \"new-editor\": rollout: weights add up to 99000, must be 100000 "
       "(100 %)"},
      {{"flag", "update", "new-editor", "--file", unknown_variant, "--reason", "bad"},
       "INVALID_ARGUMENT: flag \"new-editor\": rollout.variants[1].variant \"blue\": no such "
       "variant"},
      {{"flag", "rollout", "set", "ghost", "on=100", "--reason", "bad"}, "ghost"},
      {{"flag", "rollout", "clear", "ghost", "--reason", "bad"}, "ghost"},
  };
  for (const Case& c : others) {
    const auto r = Cli(c.args);
    EXPECT_EQ(r.exit_code, 1) << c.args[2];
    EXPECT_THAT(r.err, HasSubstr(c.expect));
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
  // CLI11 refuses an unknown unit before anything is sent (usage error).
  const auto unit =
      Cli({"flag", "rollout", "set", "new-editor", "on=100", "--unit", "team", "--reason", "bad"});
  EXPECT_EQ(unit.exit_code, 2);
  EXPECT_THAT(unit.err, HasSubstr("--unit"));

  const auto after = CliJson<v1::ListAuditResponse>({"audit", "list", "--limit", "1000"});
  EXPECT_EQ(after.entries_size(), before.entries_size());
  const auto flag_after = CliJson<v1::Flag>({"flag", "get", "new-editor"});
  EXPECT_EQ(flag_after.revision(), flag_before.revision());
  EXPECT_EQ(flag_after.rollout().variants(0).weight(), 10000u);

  // Clearing twice: the second time there is nothing to clear.
  CliOk({"flag", "rollout", "clear", "new-editor", "--reason", "stop"});
  const auto again = Cli({"flag", "rollout", "clear", "new-editor", "--reason", "stop"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_THAT(again.err, HasSubstr("flag \"new-editor\" has no rollout"));
}

TEST_F(RolloutTest, RolloutVerbsHaveHelp) {
  for (const char* verb : {"set", "clear"}) {
    const auto r = Cli({"flag", "rollout", verb, "--help"});
    EXPECT_EQ(r.exit_code, 0) << verb;
    EXPECT_THAT(r.out, HasSubstr("Usage"));
  }
  EXPECT_THAT(Cli({"flag", "rollout", "set", "--help"}).out, HasSubstr("VARIANT=PERCENT"));
}

}  // namespace
}  // namespace rampart::e2e
