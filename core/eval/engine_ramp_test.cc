// Ramps in the targeting order (Flag.ramp, reason STAGE): who each kind of
// stage serves, audiences, protected segments, the latest stage's variant,
// a started ramp replacing the rollout, and what comes before a ramp. Linked
// into the engine test binaries (also the AddressSanitizer one); the
// allocation check is EvaluateTest.DoesNotAllocate in engine_test.cc.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "core/eval/bucketing.h"
#include "core/eval/engine.h"
#include "gtest/gtest.h"
#include "tests/testing/text_proto.h"

namespace rampart::eval {
namespace {

using ::rampart::testing::ParseTextProto;

// The instant does not matter to ramps; any fixed one will do.
const absl::Time kAt = absl::FromUnixSeconds(1795430400);

// A string flag "layout": variants "classic" (default and off), "preview"
// and "new", enabled, with `ramp` (a RampServing in text format).
v1::Flag Layout(const std::string& ramp) {
  v1::Flag flag = ParseTextProto<v1::Flag>(R"pb(
    key: "layout"
    type: FLAG_TYPE_STRING
    variants {
      name: "classic"
      value { string_value: "classic" }
    }
    variants {
      name: "preview"
      value { string_value: "preview" }
    }
    variants {
      name: "new"
      value { string_value: "new" }
    }
    default_variant: "classic"
    off_variant: "classic"
    enabled: true
  )pb");
  *flag.mutable_ramp() = ParseTextProto<v1::RampServing>(ramp);
  return flag;
}

class RampTest : public ::testing::Test {
 protected:
  // Accounts: acme (enterprise, top LTV), globex (free plan), initech
  // (enterprise). Segments: pilot (acme and initech, listed), top-ltv
  // (ltv >= 1 000 000), free (plan == "free").
  void Build(std::vector<v1::Flag> flags) {
    Snapshot::Builder builder;
    for (v1::Flag& f : flags) builder.AddFlag(std::move(f));
    builder.AddSegment(
        ParseTextProto<v1::Segment>(R"pb(key: "pilot" included: "acme" included: "initech")pb"));
    builder.AddSegment(ParseTextProto<v1::Segment>(R"pb(
      key: "top-ltv"
      conditions { attribute: "ltv" op: OPERATOR_GREATER_OR_EQUAL values: "1000000" }
    )pb"));
    builder.AddSegment(ParseTextProto<v1::Segment>(R"pb(
      key: "free"
      conditions { attribute: "plan" op: OPERATOR_EQUALS values: "free" }
    )pb"));
    builder.AddAccount(ParseTextProto<v1::Account>(R"pb(
      key: "acme"
      attributes {
        key: "plan"
        value { string_value: "enterprise" }
      }
      attributes {
        key: "ltv"
        value { number_value: 1500000 }
      }
    )pb"));
    builder.AddAccount(ParseTextProto<v1::Account>(R"pb(
      key: "globex"
      attributes {
        key: "plan"
        value { string_value: "free" }
      }
      attributes {
        key: "ltv"
        value { number_value: 500 }
      }
    )pb"));
    builder.AddAccount(ParseTextProto<v1::Account>(R"pb(
      key: "initech"
      attributes {
        key: "plan"
        value { string_value: "enterprise" }
      }
    )pb"));
    snapshot_ = std::move(builder).Build();
  }

  Evaluation Eval(absl::string_view account, absl::string_view user = "",
                  absl::string_view flag = "layout") {
    Context context;
    context.account_key = account;
    context.user_key = user;
    return Evaluate(*snapshot_, flag, context, kAt);
  }

  // Asserts the whole result: variant (and the value, which the Layout
  // variants spell alike), reason and detail.
  static void ExpectServes(const Evaluation& e, absl::string_view variant, v1::Reason reason,
                           absl::string_view detail = "") {
    EXPECT_EQ(e.error, v1::ERROR_CODE_UNSPECIFIED) << v1::ErrorCode_Name(e.error);
    EXPECT_EQ(e.variant, variant);
    EXPECT_EQ(e.reason, reason) << v1::Reason_Name(e.reason);
    EXPECT_EQ(e.detail, detail);
    ASSERT_NE(e.value, nullptr);
    EXPECT_EQ(e.value->string_value(), variant);
  }

  std::shared_ptr<const Snapshot> snapshot_;
};

TEST_F(RampTest, CountStageServesItsCohortAndNobodyElse) {
  Build({Layout(R"pb(
    active: true
    salt: "layout"
    stages {
      stage: 1
      name: "closed beta"
      cohort { values: "globex" values: "initech" values: "not-in-the-registry" }
      variant: "new"
    }
  )pb")});
  ExpectServes(Eval("globex"), "new", v1::REASON_STAGE, "closed beta");
  ExpectServes(Eval("initech"), "new", v1::REASON_STAGE, "closed beta");
  // The cohort is the list, whether the registry knows the account or not.
  ExpectServes(Eval("not-in-the-registry"), "new", v1::REASON_STAGE, "closed beta");
  ExpectServes(Eval("acme"), "classic", v1::REASON_DEFAULT);
  ExpectServes(Eval("newco"), "classic", v1::REASON_DEFAULT);
  ExpectServes(Eval(""), "classic", v1::REASON_DEFAULT);
}

TEST_F(RampTest, CountStageDoesNotRecheckItsAudience) {
  // The audience was checked when the cohort was picked and changes only at
  // a step; between steps the cohort is served as it is.
  Build({Layout(R"pb(
    active: true
    salt: "layout"
    protected_segments: "top-ltv"
    stages {
      stage: 1
      audience { segments: "free" excluded_segments: "pilot" beta_enrolled: true }
      cohort { values: "acme" }
      variant: "new"
    }
  )pb")});
  ExpectServes(Eval("acme"), "new", v1::REASON_STAGE, "stage 1");
}

TEST_F(RampTest, PercentStageByAccountFollowsTheBucketsUnderTheRampsSalt) {
  Build({Layout(R"pb(
    active: true
    salt: "spring-2026"
    stages {
      stage: 1
      name: "20 %"
      percent_thousandths: 20000
      unit: ROLLOUT_UNIT_ACCOUNT
      variant: "new"
    }
  )pb")});
  const uint64_t threshold = BucketThreshold(20000);
  int served = 0;
  for (int i = 0; i < 2000; ++i) {
    const std::string key = absl::StrCat("acct-", i);
    const bool in = BucketOf("spring-2026", key) < threshold;
    SCOPED_TRACE(key);
    if (in) {
      ExpectServes(Eval(key), "new", v1::REASON_STAGE, "20 %");
    } else {
      ExpectServes(Eval(key), "classic", v1::REASON_DEFAULT);
    }
    // The unit is the account: a user key changes nothing.
    EXPECT_EQ(Eval(key, "u-1").variant, in ? "new" : "classic");
    served += in;
  }
  // Not luck: the buckets above decide; this only checks they spread.
  EXPECT_GT(served, 300);
  EXPECT_LT(served, 500);
}

TEST_F(RampTest, PercentStageByUserBucketsTheUserElseTheAccount) {
  Build({Layout(R"pb(
    active: true
    salt: "layout"
    stages { stage: 2 percent_thousandths: 50000 unit: ROLLOUT_UNIT_USER variant: "new" }
  )pb")});
  const uint64_t threshold = BucketThreshold(50000);
  int served = 0;
  for (int i = 0; i < 400; ++i) {
    const std::string user = absl::StrCat("user-", i);
    SCOPED_TRACE(user);
    if (BucketOf("layout", user) < threshold) {
      ExpectServes(Eval("acme", user), "new", v1::REASON_STAGE, "stage 2");
      ++served;
    } else {
      ExpectServes(Eval("acme", user), "classic", v1::REASON_DEFAULT);
    }
  }
  EXPECT_GT(served, 100);  // users of one account are split
  EXPECT_LT(served, 300);
  // Without a user key the account is the unit.
  for (const char* account : {"acme", "globex", "initech"}) {
    SCOPED_TRACE(account);
    if (BucketOf("layout", account) < threshold) {
      ExpectServes(Eval(account), "new", v1::REASON_STAGE, "stage 2");
    } else {
      ExpectServes(Eval(account), "classic", v1::REASON_DEFAULT);
    }
  }
}

TEST_F(RampTest, AllStageServesItsAudienceBySegmentsAndExclusions) {
  Build({Layout(R"pb(
    active: true
    salt: "layout"
    stages {
      stage: 1
      name: "pilots and free"
      audience { segments: "pilot" segments: "free" excluded_segments: "top-ltv" }
      all: true
      variant: "new"
    }
  )pb")});
  ExpectServes(Eval("initech"), "new", v1::REASON_STAGE, "pilots and free");  // pilot
  ExpectServes(Eval("globex"), "new", v1::REASON_STAGE, "pilots and free");   // free
  ExpectServes(Eval("acme"), "classic", v1::REASON_DEFAULT);                  // pilot, but top LTV
  ExpectServes(Eval("newco"), "classic", v1::REASON_DEFAULT);                 // in neither
}

TEST_F(RampTest, AllStageWithoutSegmentsServesEveryoneButTheExcluded) {
  Build({Layout(R"pb(
    active: true
    salt: "layout"
    stages {
      stage: 1
      audience { excluded_segments: "free" }
      all: true
      variant: "new"
    }
  )pb")});
  ExpectServes(Eval("acme"), "new", v1::REASON_STAGE, "stage 1");
  ExpectServes(Eval("newco"), "new", v1::REASON_STAGE, "stage 1");  // unknown to the registry
  ExpectServes(Eval("globex"), "classic", v1::REASON_DEFAULT);
  ExpectServes(Eval(""), "classic", v1::REASON_DEFAULT);  // no account, no stage
}

TEST_F(RampTest, BetaAudienceServesOnlyEnrolledAccounts) {
  // An open beta (anyone enrolled) and a closed one (enrolled pilots).
  const std::string open = R"pb(
    active: true
    salt: "layout"
    beta_enrolled: "globex"
    beta_enrolled: "initech"
    stages {
      stage: 1
      name: "open beta"
      audience { beta_enrolled: true }
      all: true
      variant: "new"
    }
  )pb";
  v1::Flag closed = Layout(R"pb(
    active: true
    salt: "layout"
    beta_enrolled: "globex"
    beta_enrolled: "initech"
    stages {
      stage: 1
      name: "closed beta"
      audience { segments: "pilot" beta_enrolled: true }
      all: true
      variant: "new"
    }
  )pb");
  closed.set_key("closed");
  Build({Layout(open), closed});
  ExpectServes(Eval("globex"), "new", v1::REASON_STAGE, "open beta");
  ExpectServes(Eval("initech"), "new", v1::REASON_STAGE, "open beta");
  ExpectServes(Eval("acme"), "classic", v1::REASON_DEFAULT);
  ExpectServes(Eval("initech", "", "closed"), "new", v1::REASON_STAGE, "closed beta");
  ExpectServes(Eval("acme", "", "closed"), "classic", v1::REASON_DEFAULT);    // not enrolled
  ExpectServes(Eval("globex", "", "closed"), "classic", v1::REASON_DEFAULT);  // not a pilot
}

TEST_F(RampTest, ProtectedSegmentsWaitForTheFinalStage) {
  const std::string before_final = R"pb(
    active: true
    salt: "layout"
    protected_segments: "top-ltv"
    stages { stage: 1 name: "most" all: true variant: "new" }
    stages { stage: 2 name: "most, by percent" percent_thousandths: 100000 variant: "new" }
  )pb";
  v1::Flag at_final = Layout(absl::StrCat(before_final, R"pb(
    stages { stage: 3 name: "everyone" all: true variant: "new" final: true }
  )pb"));
  at_final.set_key("at-final");
  Build({Layout(before_final), at_final});
  ExpectServes(Eval("acme"), "classic", v1::REASON_DEFAULT);  // top LTV: protected
  ExpectServes(Eval("initech"), "new", v1::REASON_STAGE, "most, by percent");
  ExpectServes(Eval("newco"), "new", v1::REASON_STAGE, "most, by percent");
  ExpectServes(Eval("acme", "", "at-final"), "new", v1::REASON_STAGE, "everyone");
  ExpectServes(Eval("initech", "", "at-final"), "new", v1::REASON_STAGE, "everyone");
}

TEST_F(RampTest, TheLatestStageThatServesTheAccountDecidesItsVariant) {
  Build({Layout(R"pb(
    active: true
    salt: "layout"
    stages {
      stage: 1
      name: "internal"
      cohort { values: "acme" values: "globex" }
      variant: "preview"
    }
    stages {
      stage: 2
      audience { segments: "pilot" }
      all: true
      variant: "new"
    }
  )pb")});
  ExpectServes(Eval("acme"), "new", v1::REASON_STAGE, "stage 2");         // both: the later
  ExpectServes(Eval("globex"), "preview", v1::REASON_STAGE, "internal");  // stage 1 only
  ExpectServes(Eval("initech"), "new", v1::REASON_STAGE, "stage 2");      // stage 2 only
  ExpectServes(Eval("newco"), "classic", v1::REASON_DEFAULT);
}

TEST_F(RampTest, AStartedRampReplacesTheRolloutEvenWithNoStageLeft) {
  // Rolled back to off: active, no entered stage. Everyone gets the default,
  // not the rollout that would give "new" to everyone.
  v1::Flag rolled_back = Layout("active: true salt: \"layout\"");
  v1::WeightedVariant* all_new = rolled_back.mutable_rollout()->add_variants();
  all_new->set_variant("new");
  all_new->set_weight(kWeightTotal);
  // A draft (not started) ramp serves nothing: the rollout decides.
  v1::Flag draft = rolled_back;
  draft.set_key("draft");
  *draft.mutable_ramp() = ParseTextProto<v1::RampServing>(R"pb(
    salt: "draft"
    stages {
      stage: 1
      cohort { values: "acme" }
      variant: "preview"
    }
  )pb");
  // A started ramp is targeting: never STATIC, even with nothing else.
  v1::Flag only_ramp = Layout("active: true salt: \"layout\"");
  only_ramp.set_key("only-ramp");
  Build({rolled_back, draft, only_ramp});
  for (const char* account : {"acme", "globex", "newco"}) {
    SCOPED_TRACE(account);
    ExpectServes(Eval(account), "classic", v1::REASON_DEFAULT);
    ExpectServes(Eval(account, "", "draft"), "new", v1::REASON_SPLIT);
    ExpectServes(Eval(account, "", "only-ramp"), "classic", v1::REASON_DEFAULT);
  }
}

TEST_F(RampTest, KillSwitchOverridesAndRulesComeBeforeTheRamp) {
  const std::string ramp = R"pb(
    active: true
    salt: "layout"
    stages { stage: 1 name: "everyone" all: true variant: "new" }
  )pb";
  v1::Flag flag = Layout(ramp);
  v1::Override* o = flag.add_overrides();
  o->set_account_key("acme");
  o->set_variant("classic");
  o->set_reason("adapting its integrations");
  v1::Rule* rule = flag.add_rules();
  rule->set_id("free-plans-preview");
  rule->set_variant("preview");
  rule->add_segments("free");
  v1::Flag killed = Layout(ramp);
  killed.set_key("killed");
  killed.set_enabled(false);
  Build({flag, killed});
  ExpectServes(Eval("acme"), "classic", v1::REASON_OVERRIDE, "adapting its integrations");
  ExpectServes(Eval("globex"), "preview", v1::REASON_TARGETING_MATCH, "free-plans-preview");
  ExpectServes(Eval("initech"), "new", v1::REASON_STAGE, "everyone");
  for (const char* account : {"acme", "globex", "initech"}) {
    ExpectServes(Eval(account, "", "killed"), "classic", v1::REASON_DISABLED);
  }
}

TEST_F(RampTest, AStageVariantTheFlagLacksIsAGeneralError) {
  Build({Layout(R"pb(
    active: true
    salt: "layout"
    stages {
      stage: 1
      cohort { values: "acme" }
      variant: "preview"
    }
    stages {
      stage: 2
      cohort { values: "acme" values: "globex" }
      variant: "green"
    }
  )pb")});
  for (const char* account : {"acme", "globex"}) {
    SCOPED_TRACE(account);
    const Evaluation e = Eval(account);
    EXPECT_EQ(e.reason, v1::REASON_ERROR);
    EXPECT_EQ(e.error, v1::ERROR_CODE_GENERAL);
    EXPECT_EQ(e.value, nullptr);
    EXPECT_TRUE(e.variant.empty());
    EXPECT_EQ(e.detail, "green");
  }
  ExpectServes(Eval("initech"), "classic", v1::REASON_DEFAULT);  // no stage: no error
}

TEST_F(RampTest, ASegmentTheSnapshotLacksHasNoMembers) {
  Build({Layout(R"pb(
    active: true
    salt: "layout"
    protected_segments: "gone"
    stages {
      stage: 1
      audience { segments: "gone" }
      all: true
      variant: "preview"
    }
    stages {
      stage: 2
      audience { excluded_segments: "gone" }
      all: true
      variant: "new"
    }
  )pb")});
  ExpectServes(Eval("acme"), "new", v1::REASON_STAGE, "stage 2");
  ExpectServes(Eval("newco"), "new", v1::REASON_STAGE, "stage 2");
}

TEST_F(RampTest, ServesTheSameAfterTheSnapshotIsRebuiltWithSharedAccounts) {
  // An SDK rebuilds on every change, sharing the accounts; the ramp's
  // segment lookups must use the new snapshot's compiled segments.
  Build({Layout(R"pb(
    active: true
    salt: "layout"
    stages {
      stage: 1
      name: "free"
      audience { segments: "free" }
      all: true
      variant: "new"
    }
  )pb")});
  const std::shared_ptr<const Snapshot> first = snapshot_;
  Snapshot::Builder builder;
  builder.AddFlag(*first->FindFlag("layout"));
  builder.AddSegment(*first->FindSegment("free"));
  builder.ShareAccountsWith(*first);
  snapshot_ = std::move(builder).Build();
  ExpectServes(Eval("globex"), "new", v1::REASON_STAGE, "free");
  ExpectServes(Eval("acme"), "classic", v1::REASON_DEFAULT);
}

}  // namespace
}  // namespace rampart::eval
