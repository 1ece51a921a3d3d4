#include "core/eval/engine.h"

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "core/common/time_util.h"
#include "core/eval/bucketing.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/testing/text_proto.h"

// Counts heap allocations, so a test can pin "no allocation on the
// evaluation path" (the SDK evaluates on its callers' hot paths).
namespace {

using ::rampart::testing::ParseTextProto;
std::atomic<long> g_allocations{0};
}  // namespace

// GCC cannot see that these deletes pair with the malloc-based new above.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return ::operator new(size); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace rampart::eval {
namespace {

using ::testing::ElementsAre;

Context Ctx(absl::string_view account_key, const AttributeMap* extra = nullptr) {
  Context context;
  context.account_key = account_key;
  context.attributes = extra;
  return context;
}

Context UserCtx(absl::string_view account_key, absl::string_view user_key) {
  Context context;
  context.account_key = account_key;
  context.user_key = user_key;
  return context;
}

absl::TimeZone Moscow() {
  absl::TimeZone zone;
  EXPECT_TRUE(absl::LoadTimeZone("Europe/Moscow", &zone));
  return zone;
}

// 2026-11-23 12:00 in Moscow: the instant the tests evaluate at.
absl::Time Noon() { return absl::FromCivil(absl::CivilSecond(2026, 11, 23, 12, 0, 0), Moscow()); }

v1::Account Acme() {
  return ParseTextProto<v1::Account>(R"pb(
    key: "acme"
    name: "ACME, Inc"
    time_zone: "Europe/Moscow"
    attributes {
      key: "plan"
      value { string_value: "enterprise" }
    }
    attributes {
      key: "ltv"
      value { number_value: 1500000 }
    }
    attributes {
      key: "beta"
      value { bool_value: true }
    }
    attributes {
      key: "tags"
      value { list_value { values: "edi" values: "pos" } }
    }
    attributes {
      key: "seats"
      value { string_value: "250" }
    }
    attributes {
      key: "code"
      value { string_value: "abc" }
    }
  )pb");
}

v1::Account Globex() {
  return ParseTextProto<v1::Account>(R"pb(
    key: "globex"
    name: "Globex"
    attributes {
      key: "plan"
      value { string_value: "free" }
    }
    attributes {
      key: "ltv"
      value { number_value: 500 }
    }
  )pb");
}

v1::Condition Cond(const std::string& attribute, v1::Operator op,
                   std::initializer_list<const char*> values = {}) {
  v1::Condition c;
  c.set_attribute(attribute);
  c.set_op(op);
  for (const char* v : values) c.add_values(v);
  return c;
}

// A bool flag with variants "on"/"off", default "off", enabled.
v1::Flag BoolFlag(const std::string& key) {
  v1::Flag flag = ParseTextProto<v1::Flag>(R"pb(
    type: FLAG_TYPE_BOOL
    variants {
      name: "on"
      value { bool_value: true }
    }
    variants {
      name: "off"
      value { bool_value: false }
    }
    default_variant: "off"
    off_variant: "off"
    enabled: true
  )pb");
  flag.set_key(key);
  return flag;
}

v1::Rule* AddRule(v1::Flag& flag, const std::string& id, const std::string& variant) {
  v1::Rule* rule = flag.add_rules();
  rule->set_id(id);
  rule->set_variant(variant);
  return rule;
}

// Sets a rollout of "on" (`on_weight`, in thousandths of a percent) and "off"
// (the rest).
void SetRollout(v1::Flag& flag, uint32_t on_weight, v1::RolloutUnit unit = v1::ROLLOUT_UNIT_ACCOUNT,
                const std::string& salt = "") {
  v1::Rollout* rollout = flag.mutable_rollout();
  rollout->Clear();
  v1::WeightedVariant* on = rollout->add_variants();
  on->set_variant("on");
  on->set_weight(on_weight);
  v1::WeightedVariant* off = rollout->add_variants();
  off->set_variant("off");
  off->set_weight(kWeightTotal - on_weight);
  rollout->set_unit(unit);
  rollout->set_salt(salt);
}

// ---------------------------------------------------------------------------
// Conditions: every operator on every attribute type. Each case runs twice:
// through ConditionHolds (parses on demand) and as a flag rule (compiled by
// Build()), so the two paths cannot drift apart.

struct ConditionCase {
  std::string attribute;
  v1::Operator op;
  std::vector<std::string> values;
  bool holds;
};

void PrintTo(const ConditionCase& c, std::ostream* os) {
  *os << c.attribute << " " << v1::Operator_Name(c.op) << " [";
  for (const std::string& v : c.values) *os << "\"" << v << "\" ";
  *os << "] -> " << (c.holds ? "true" : "false");
}

class ConditionTest : public ::testing::TestWithParam<ConditionCase> {};

TEST_P(ConditionTest, HoldsForAcme) {
  const ConditionCase& c = GetParam();
  v1::Condition condition;
  condition.set_attribute(c.attribute);
  condition.set_op(c.op);
  for (const std::string& v : c.values) condition.add_values(v);

  const v1::Account acme = Acme();
  EXPECT_EQ(ConditionHolds(condition, "acme", &acme, nullptr), c.holds);

  v1::Flag flag = BoolFlag("f");
  *AddRule(flag, "r", "on")->add_conditions() = condition;
  Snapshot::Builder builder;
  builder.AddFlag(flag);
  builder.AddAccount(acme);
  auto snapshot = std::move(builder).Build();
  const Evaluation e = Evaluate(*snapshot, "f", Ctx("acme"), Noon());
  EXPECT_EQ(e.reason, c.holds ? v1::REASON_TARGETING_MATCH : v1::REASON_DEFAULT);
}

INSTANTIATE_TEST_SUITE_P(Equals, ConditionTest,
                         ::testing::Values(
                             // string: exact text
                             ConditionCase{"plan", v1::OPERATOR_EQUALS, {"enterprise"}, true},
                             ConditionCase{"plan", v1::OPERATOR_EQUALS, {"Enterprise"}, false},
                             ConditionCase{"seats", v1::OPERATOR_EQUALS, {"250.0"}, false},
                             // number: numerically
                             ConditionCase{"ltv", v1::OPERATOR_EQUALS, {"1500000"}, true},
                             ConditionCase{"ltv", v1::OPERATOR_EQUALS, {"1.5e6"}, true},
                             ConditionCase{"ltv", v1::OPERATOR_EQUALS, {"1"}, false},
                             ConditionCase{"ltv", v1::OPERATOR_EQUALS, {"abc"}, false},
                             // bool: against "true"/"false"
                             ConditionCase{"beta", v1::OPERATOR_EQUALS, {"true"}, true},
                             ConditionCase{"beta", v1::OPERATOR_EQUALS, {"false"}, false},
                             ConditionCase{"beta", v1::OPERATOR_EQUALS, {"yes"}, false},
                             // list: any element
                             ConditionCase{"tags", v1::OPERATOR_EQUALS, {"pos"}, true},
                             ConditionCase{"tags", v1::OPERATOR_EQUALS, {"crm"}, false},
                             // absent
                             ConditionCase{"region", v1::OPERATOR_EQUALS, {"eu"}, false},
                             // the account's own fields
                             ConditionCase{"key", v1::OPERATOR_EQUALS, {"acme"}, true},
                             ConditionCase{"name", v1::OPERATOR_EQUALS, {"ACME, Inc"}, true},
                             ConditionCase{
                                 "time_zone", v1::OPERATOR_EQUALS, {"Europe/Moscow"}, true},
                             ConditionCase{"time_zone", v1::OPERATOR_EQUALS, {"UTC"}, false}));

INSTANTIATE_TEST_SUITE_P(
    NotEquals, ConditionTest,
    ::testing::Values(ConditionCase{"plan", v1::OPERATOR_NOT_EQUALS, {"enterprise"}, false},
                      ConditionCase{"plan", v1::OPERATOR_NOT_EQUALS, {"free"}, true},
                      ConditionCase{"ltv", v1::OPERATOR_NOT_EQUALS, {"1500000"}, false},
                      ConditionCase{"ltv", v1::OPERATOR_NOT_EQUALS, {"abc"}, true},
                      ConditionCase{"beta", v1::OPERATOR_NOT_EQUALS, {"true"}, false},
                      ConditionCase{"beta", v1::OPERATOR_NOT_EQUALS, {"false"}, true},
                      ConditionCase{"tags", v1::OPERATOR_NOT_EQUALS, {"edi"}, false},
                      ConditionCase{"tags", v1::OPERATOR_NOT_EQUALS, {"crm"}, true},
                      ConditionCase{"region", v1::OPERATOR_NOT_EQUALS, {"eu"}, true},
                      ConditionCase{"key", v1::OPERATOR_NOT_EQUALS, {"globex"}, true}));

INSTANTIATE_TEST_SUITE_P(
    In, ConditionTest,
    ::testing::Values(ConditionCase{"plan", v1::OPERATOR_IN, {"free", "enterprise"}, true},
                      ConditionCase{"plan", v1::OPERATOR_IN, {"free", "team"}, false},
                      ConditionCase{"ltv", v1::OPERATOR_IN, {"abc", "1500000.0"}, true},
                      ConditionCase{"ltv", v1::OPERATOR_IN, {"1", "2"}, false},
                      ConditionCase{"beta", v1::OPERATOR_IN, {"false", "true"}, true},
                      ConditionCase{"beta", v1::OPERATOR_IN, {"false"}, false},
                      ConditionCase{"tags", v1::OPERATOR_IN, {"crm", "edi"}, true},
                      ConditionCase{"tags", v1::OPERATOR_IN, {"crm", "hr"}, false},
                      ConditionCase{"region", v1::OPERATOR_IN, {"eu", "us"}, false},
                      ConditionCase{"key", v1::OPERATOR_IN, {"globex", "acme"}, true}));

INSTANTIATE_TEST_SUITE_P(
    NotIn, ConditionTest,
    ::testing::Values(ConditionCase{"plan", v1::OPERATOR_NOT_IN, {"free", "team"}, true},
                      ConditionCase{"plan", v1::OPERATOR_NOT_IN, {"enterprise"}, false},
                      ConditionCase{"ltv", v1::OPERATOR_NOT_IN, {"1500000"}, false},
                      ConditionCase{"ltv", v1::OPERATOR_NOT_IN, {"7"}, true},
                      ConditionCase{"beta", v1::OPERATOR_NOT_IN, {"true"}, false},
                      ConditionCase{"tags", v1::OPERATOR_NOT_IN, {"edi"}, false},
                      ConditionCase{"tags", v1::OPERATOR_NOT_IN, {"crm"}, true},
                      ConditionCase{"region", v1::OPERATOR_NOT_IN, {"eu"}, true}));

INSTANTIATE_TEST_SUITE_P(
    Numeric, ConditionTest,
    ::testing::Values(ConditionCase{"ltv", v1::OPERATOR_LESS, {"2000000"}, true},
                      ConditionCase{"ltv", v1::OPERATOR_LESS, {"1500000"}, false},
                      ConditionCase{"ltv", v1::OPERATOR_LESS_OR_EQUAL, {"1500000"}, true},
                      ConditionCase{"ltv", v1::OPERATOR_LESS_OR_EQUAL, {"1499999.5"}, false},
                      ConditionCase{"ltv", v1::OPERATOR_GREATER, {"1500000"}, false},
                      ConditionCase{"ltv", v1::OPERATOR_GREATER, {"1e6"}, true},
                      ConditionCase{"ltv", v1::OPERATOR_GREATER_OR_EQUAL, {"1500000"}, true},
                      ConditionCase{"ltv", v1::OPERATOR_GREATER_OR_EQUAL, {"-5"}, true},
                      ConditionCase{"ltv", v1::OPERATOR_GREATER_OR_EQUAL, {"lots"}, false},
                      // a string whose whole text is a number compares numerically
                      ConditionCase{"seats", v1::OPERATOR_GREATER, {"100"}, true},
                      ConditionCase{"seats", v1::OPERATOR_LESS, {"100"}, false},
                      ConditionCase{"seats", v1::OPERATOR_LESS_OR_EQUAL, {"250"}, true},
                      // any other string, bool, list, absent: false
                      ConditionCase{"code", v1::OPERATOR_GREATER_OR_EQUAL, {"0"}, false},
                      ConditionCase{"code", v1::OPERATOR_LESS, {"0"}, false},
                      ConditionCase{"plan", v1::OPERATOR_GREATER, {"0"}, false},
                      ConditionCase{"beta", v1::OPERATOR_GREATER, {"0"}, false},
                      ConditionCase{"tags", v1::OPERATOR_GREATER, {"0"}, false},
                      ConditionCase{"region", v1::OPERATOR_LESS, {"10"}, false},
                      ConditionCase{"region", v1::OPERATOR_GREATER_OR_EQUAL, {"0"}, false}));

INSTANTIATE_TEST_SUITE_P(
    Exists, ConditionTest,
    ::testing::Values(ConditionCase{"plan", v1::OPERATOR_EXISTS, {}, true},
                      ConditionCase{"ltv", v1::OPERATOR_EXISTS, {}, true},
                      ConditionCase{"beta", v1::OPERATOR_EXISTS, {}, true},
                      ConditionCase{"tags", v1::OPERATOR_EXISTS, {}, true},
                      ConditionCase{"region", v1::OPERATOR_EXISTS, {}, false},
                      ConditionCase{"name", v1::OPERATOR_EXISTS, {}, true},
                      ConditionCase{"plan", v1::OPERATOR_NOT_EXISTS, {}, false},
                      ConditionCase{"tags", v1::OPERATOR_NOT_EXISTS, {}, false},
                      ConditionCase{"region", v1::OPERATOR_NOT_EXISTS, {}, true},
                      ConditionCase{"key", v1::OPERATOR_NOT_EXISTS, {}, false}));

INSTANTIATE_TEST_SUITE_P(
    StartsWith, ConditionTest,
    ::testing::Values(ConditionCase{"plan", v1::OPERATOR_STARTS_WITH, {"enter"}, true},
                      ConditionCase{"plan", v1::OPERATOR_STARTS_WITH, {"prise"}, false},
                      ConditionCase{"tags", v1::OPERATOR_STARTS_WITH, {"po"}, true},
                      ConditionCase{"tags", v1::OPERATOR_STARTS_WITH, {"x"}, false},
                      ConditionCase{"ltv", v1::OPERATOR_STARTS_WITH, {"15"}, false},
                      ConditionCase{"beta", v1::OPERATOR_STARTS_WITH, {"t"}, false},
                      ConditionCase{"region", v1::OPERATOR_STARTS_WITH, {""}, false},
                      ConditionCase{"name", v1::OPERATOR_STARTS_WITH, {"ACME"}, true},
                      ConditionCase{"key", v1::OPERATOR_STARTS_WITH, {"ac"}, true}));

INSTANTIATE_TEST_SUITE_P(
    UnknownOperator, ConditionTest,
    ::testing::Values(ConditionCase{"plan", v1::OPERATOR_UNSPECIFIED, {"enterprise"}, false},
                      ConditionCase{"plan", static_cast<v1::Operator>(99), {"enterprise"}, false}));

TEST(ConditionHoldsTest, ContextAttributesWinOverTheAccounts) {
  const v1::Account acme = Acme();
  AttributeMap extra;
  extra["plan"].set_string_value("free");
  extra["region"].set_string_value("eu");
  EXPECT_TRUE(ConditionHolds(Cond("plan", v1::OPERATOR_EQUALS, {"free"}), "acme", &acme, &extra));
  EXPECT_FALSE(
      ConditionHolds(Cond("plan", v1::OPERATOR_EQUALS, {"enterprise"}), "acme", &acme, &extra));
  EXPECT_TRUE(ConditionHolds(Cond("region", v1::OPERATOR_EXISTS), "acme", &acme, &extra));
  // Attributes the context does not give still come from the registry.
  EXPECT_TRUE(ConditionHolds(Cond("ltv", v1::OPERATOR_GREATER, {"1000"}), "acme", &acme, &extra));
}

TEST(ConditionHoldsTest, ContextValueOfAnotherTypeIsComparedByItsOwnType) {
  const v1::Account acme = Acme();
  AttributeMap extra;
  extra["ltv"].set_string_value("unknown");
  EXPECT_FALSE(ConditionHolds(Cond("ltv", v1::OPERATOR_GREATER, {"0"}), "acme", &acme, &extra));
  EXPECT_TRUE(ConditionHolds(Cond("ltv", v1::OPERATOR_EQUALS, {"unknown"}), "acme", &acme, &extra));
}

TEST(ConditionHoldsTest, ContextValueWithoutKindIsIgnored) {
  const v1::Account acme = Acme();
  AttributeMap extra;
  extra["plan"];  // no value set
  extra["region"];
  EXPECT_TRUE(
      ConditionHolds(Cond("plan", v1::OPERATOR_EQUALS, {"enterprise"}), "acme", &acme, &extra));
  EXPECT_FALSE(ConditionHolds(Cond("region", v1::OPERATOR_EXISTS), "acme", &acme, &extra));
}

TEST(ConditionHoldsTest, ReservedNamesAlwaysMeanTheAccountsFields) {
  const v1::Account acme = Acme();
  AttributeMap extra;
  extra["key"].set_string_value("globex");
  extra["name"].set_string_value("Globex");
  EXPECT_TRUE(ConditionHolds(Cond("key", v1::OPERATOR_EQUALS, {"acme"}), "acme", &acme, &extra));
  EXPECT_TRUE(
      ConditionHolds(Cond("name", v1::OPERATOR_EQUALS, {"ACME, Inc"}), "acme", &acme, &extra));
}

TEST(ConditionHoldsTest, AccountUnknownToTheRegistrySeesKeyAndContextOnly) {
  AttributeMap extra;
  extra["plan"].set_string_value("team");
  EXPECT_TRUE(
      ConditionHolds(Cond("key", v1::OPERATOR_EQUALS, {"newco"}), "newco", nullptr, &extra));
  EXPECT_TRUE(
      ConditionHolds(Cond("plan", v1::OPERATOR_EQUALS, {"team"}), "newco", nullptr, &extra));
  EXPECT_FALSE(ConditionHolds(Cond("name", v1::OPERATOR_EXISTS), "newco", nullptr, &extra));
  EXPECT_TRUE(
      ConditionHolds(Cond("time_zone", v1::OPERATOR_NOT_EXISTS), "newco", nullptr, nullptr));
  EXPECT_FALSE(ConditionHolds(Cond("ltv", v1::OPERATOR_EXISTS), "newco", nullptr, nullptr));
}

TEST(ConditionHoldsTest, EmptyAccountFieldsAreAbsent) {
  const v1::Account globex = Globex();  // no time zone
  EXPECT_FALSE(ConditionHolds(Cond("time_zone", v1::OPERATOR_EXISTS), "globex", &globex, nullptr));
  EXPECT_FALSE(ConditionHolds(Cond("key", v1::OPERATOR_EXISTS), "", &globex, nullptr));
}

// ---------------------------------------------------------------------------
// Segments

v1::Segment TopLtv() {
  return ParseTextProto<v1::Segment>(R"pb(
    key: "top-ltv"
    included: "initech"
    excluded: "acme-staging"
    conditions { attribute: "ltv" op: OPERATOR_GREATER_OR_EQUAL values: "1000000" }
    conditions { attribute: "plan" op: OPERATOR_EQUALS values: "enterprise" }
  )pb");
}

TEST(SegmentContainsTest, MatchAllNeedsEveryCondition) {
  const v1::Segment segment = TopLtv();
  const v1::Account acme = Acme();
  const v1::Account globex = Globex();
  EXPECT_TRUE(SegmentContains(segment, "acme", &acme, nullptr));
  EXPECT_FALSE(SegmentContains(segment, "globex", &globex, nullptr));
  AttributeMap free;
  free["plan"].set_string_value("free");
  EXPECT_FALSE(SegmentContains(segment, "acme", &acme, &free));  // ltv holds, plan does not
}

TEST(SegmentContainsTest, UnspecifiedMatchMeansAll) {
  v1::Segment segment = TopLtv();
  segment.set_match(v1::MATCH_ALL);
  const v1::Account acme = Acme();
  AttributeMap free;
  free["plan"].set_string_value("free");
  EXPECT_FALSE(SegmentContains(segment, "acme", &acme, &free));
  segment.clear_match();
  EXPECT_FALSE(SegmentContains(segment, "acme", &acme, &free));
  EXPECT_TRUE(SegmentContains(segment, "acme", &acme, nullptr));
}

TEST(SegmentContainsTest, MatchAnyNeedsOneCondition) {
  v1::Segment segment = TopLtv();
  segment.set_match(v1::MATCH_ANY);
  const v1::Account acme = Acme();
  const v1::Account globex = Globex();
  AttributeMap free;
  free["plan"].set_string_value("free");
  EXPECT_TRUE(SegmentContains(segment, "acme", &acme, &free));  // ltv holds
  EXPECT_FALSE(SegmentContains(segment, "globex", &globex, nullptr));
}

TEST(SegmentContainsTest, IncludedAccountsAreMembersWhateverTheConditions) {
  const v1::Segment segment = TopLtv();
  EXPECT_TRUE(SegmentContains(segment, "initech", nullptr, nullptr));
}

TEST(SegmentContainsTest, ExcludedAccountsAreNotMembersWhateverTheConditions) {
  const v1::Segment segment = TopLtv();
  v1::Account staging = Acme();
  staging.set_key("acme-staging");
  EXPECT_FALSE(SegmentContains(segment, "acme-staging", &staging, nullptr));
}

TEST(SegmentContainsTest, WithoutConditionsOnlyIncludedAccountsAreMembers) {
  const v1::Segment segment = ParseTextProto<v1::Segment>(R"pb(key: "pilot" included: "acme")pb");
  const v1::Account acme = Acme();
  const v1::Account globex = Globex();
  EXPECT_TRUE(SegmentContains(segment, "acme", &acme, nullptr));
  EXPECT_FALSE(SegmentContains(segment, "globex", &globex, nullptr));
  EXPECT_FALSE(SegmentContains(segment, "", nullptr, nullptr));
  v1::Segment match_any = segment;
  match_any.set_match(v1::MATCH_ANY);
  EXPECT_FALSE(SegmentContains(match_any, "globex", &globex, nullptr));
}

TEST(SegmentContainsTest, UnknownAccountIsJudgedOnContextAttributes) {
  const v1::Segment segment = TopLtv();
  AttributeMap extra;
  extra["ltv"].set_number_value(2e6);
  extra["plan"].set_string_value("enterprise");
  EXPECT_TRUE(SegmentContains(segment, "newco", nullptr, &extra));
  EXPECT_FALSE(SegmentContains(segment, "newco", nullptr, nullptr));
}

// ---------------------------------------------------------------------------
// Snapshot

TEST(SnapshotTest, FindsWhatWasAdded) {
  Snapshot::Builder builder;
  builder.AddFlag(BoolFlag("b-flag"));
  builder.AddSegment(TopLtv());
  builder.AddAccount(Acme());
  auto snapshot = std::move(builder).Build();

  ASSERT_NE(snapshot->FindFlag("b-flag"), nullptr);
  EXPECT_EQ(snapshot->FindFlag("b-flag")->key(), "b-flag");
  EXPECT_EQ(snapshot->FindFlag("b-flag"), snapshot->FindFlag(std::string("b-flag")));
  ASSERT_NE(snapshot->FindSegment("top-ltv"), nullptr);
  EXPECT_EQ(snapshot->FindSegment("top-ltv")->key(), "top-ltv");
  EXPECT_TRUE(snapshot->HasAccount("acme"));

  EXPECT_EQ(snapshot->FindFlag("nope"), nullptr);
  EXPECT_EQ(snapshot->FindSegment("nope"), nullptr);
  EXPECT_FALSE(snapshot->HasAccount("nope"));
  EXPECT_EQ(snapshot->FindFlag(""), nullptr);
}

TEST(SnapshotTest, ListsFlagsInKeyOrder) {
  Snapshot::Builder builder;
  for (const char* key : {"m", "a", "z", "b"}) builder.AddFlag(BoolFlag(key));
  v1::Flag archived = BoolFlag("c");
  archived.set_archived(true);
  builder.AddFlag(archived);
  auto snapshot = std::move(builder).Build();
  std::vector<std::string> keys;
  for (const v1::Flag* f : snapshot->flags()) keys.push_back(f->key());
  EXPECT_THAT(keys, ElementsAre("a", "b", "c", "m", "z"));
}

TEST(SnapshotTest, LaterObjectWithTheSameKeyWins) {
  Snapshot::Builder builder;
  v1::Flag first = BoolFlag("f");
  first.set_description("first");
  v1::Flag second = BoolFlag("f");
  second.set_description("second");
  second.set_default_variant("on");
  builder.AddFlag(first);
  builder.AddFlag(second);
  v1::Account acme = Acme();
  builder.AddAccount(acme);
  acme.set_name("ACME 2");
  builder.AddAccount(acme);
  auto snapshot = std::move(builder).Build();

  EXPECT_EQ(snapshot->FindFlag("f")->description(), "second");
  ASSERT_EQ(snapshot->flags().size(), 1u);
  EXPECT_EQ(snapshot->flags()[0]->description(), "second");
  EXPECT_EQ(Evaluate(*snapshot, "f", Ctx("acme"), Noon()).variant, "on");
  EXPECT_TRUE(snapshot->HasAccount("acme"));
}

TEST(SnapshotTest, ResultsPointIntoTheSnapshotAndOutliveTheBuilder) {
  std::shared_ptr<const Snapshot> snapshot;
  {
    Snapshot::Builder builder;
    builder.AddFlag(BoolFlag("f"));
    snapshot = std::move(builder).Build();
  }
  const Evaluation e = Evaluate(*snapshot, "f", Ctx("acme"), Noon());
  const v1::Flag* flag = snapshot->FindFlag("f");
  EXPECT_EQ(e.value, &flag->variants(1).value());
  EXPECT_EQ(e.variant.data(), flag->variants(1).name().data());
}

// The server's support view: one snapshot without accounts, the account
// passed in the context, answers as a snapshot holding the account would.
TEST(SnapshotTest, TheContextsAccountIsEvaluatedAsTheSnapshotsWouldBe) {
  v1::Flag flag = BoolFlag("f");
  *AddRule(flag, "by-name", "on")->add_conditions() =
      Cond("name", v1::OPERATOR_EQUALS, {"ACME, Inc"});
  *AddRule(flag, "by-zone", "on")->add_conditions() =
      Cond("time_zone", v1::OPERATOR_EQUALS, {"Europe/Moscow"});
  *AddRule(flag, "by-plan", "on")->add_conditions() =
      Cond("plan", v1::OPERATOR_EQUALS, {"enterprise"});
  const auto without = [&] {
    Snapshot::Builder b;
    b.AddFlag(flag);
    return std::move(b).Build();
  }();
  v1::Account acme = Acme();
  // Each time without what the rule that matched reads: the next matches.
  for (const char* rule : {"by-name", "by-zone", "by-plan"}) {
    Snapshot::Builder b;
    b.AddFlag(flag);
    b.AddAccount(acme);
    const auto with_account = std::move(b).Build();
    Context context = Ctx("acme");
    context.account = &acme;
    const Evaluation held = Evaluate(*with_account, "f", Ctx("acme"), Noon());
    const Evaluation passed = Evaluate(*without, "f", context, Noon());
    EXPECT_EQ(held.detail, rule);
    EXPECT_EQ(passed.reason, held.reason);
    EXPECT_EQ(passed.detail, held.detail);
    EXPECT_EQ(passed.variant, held.variant);
    if (acme.name().empty()) acme.clear_time_zone();
    acme.clear_name();
  }
  // Without it, the snapshot knows no such account.
  EXPECT_EQ(Evaluate(*without, "f", Ctx("acme"), Noon()).reason, v1::REASON_DEFAULT);
}

TEST(SnapshotTest, ShareAccountsWithReusesThePreviousAccountsWithoutCopying) {
  constexpr int kAccounts = 20000;
  std::shared_ptr<const Snapshot> previous;
  {
    Snapshot::Builder builder;
    builder.AddFlag(BoolFlag("f"));
    for (int i = 0; i < kAccounts; ++i) {
      v1::Account account;
      account.set_key(absl::StrCat("acct-", i));
      (*account.mutable_attributes())["plan"].set_string_value(i % 2 ? "enterprise" : "free");
      builder.AddAccount(std::move(account));
    }
    previous = std::move(builder).Build();
  }
  ASSERT_TRUE(previous->HasAccount("acct-7"));

  // A flag-only change: the new flag gets a rule over account attributes.
  v1::Flag changed = BoolFlag("f");
  *AddRule(changed, "big", "on")->add_conditions() =
      Cond("plan", v1::OPERATOR_EQUALS, {"enterprise"});
  const long before = g_allocations.load();
  Snapshot::Builder builder;
  builder.AddFlag(changed);
  builder.ShareAccountsWith(*previous);
  std::shared_ptr<const Snapshot> next = std::move(builder).Build();
  // Copying or re-indexing 20 000 accounts would take tens of thousands.
  EXPECT_LT(g_allocations.load() - before, 100);

  previous.reset();  // the accounts live on in `next`
  EXPECT_TRUE(next->HasAccount("acct-7"));
  EXPECT_EQ(Evaluate(*next, "f", Ctx("acct-7"), Noon()).reason, v1::REASON_TARGETING_MATCH);
  EXPECT_EQ(Evaluate(*next, "f", Ctx("acct-8"), Noon()).reason, v1::REASON_DEFAULT);
  EXPECT_FALSE(next->HasAccount("acct-20000"));
}

TEST(SnapshotTest, ShareAccountsWithAnEmptySnapshotSharesNoAccounts) {
  auto empty = Snapshot::Builder().Build();
  Snapshot::Builder builder;
  builder.ShareAccountsWith(*empty);
  builder.AddFlag(BoolFlag("f"));
  auto next = std::move(builder).Build();
  EXPECT_FALSE(next->HasAccount("acme"));
  EXPECT_EQ(Evaluate(*next, "f", Ctx("acme"), Noon()).reason, v1::REASON_STATIC);
}

TEST(SnapshotDeathTest, ShareAccountsWithAndAddAccountAreExclusive) {
  Snapshot::Builder with_acme;
  with_acme.AddAccount(Acme());
  auto previous = std::move(with_acme).Build();

  Snapshot::Builder builder;
  builder.ShareAccountsWith(*previous);
  EXPECT_DEBUG_DEATH(builder.AddAccount(Globex()), "AddAccount after ShareAccountsWith");
  Snapshot::Builder other;
  other.AddAccount(Globex());
  EXPECT_DEBUG_DEATH(other.ShareAccountsWith(*previous), "ShareAccountsWith after AddAccount");
#ifdef NDEBUG
  // Without asserts, the shared accounts win.
  auto built = std::move(builder).Build();
  EXPECT_TRUE(built->HasAccount("acme"));
  EXPECT_FALSE(built->HasAccount("globex"));
  auto other_built = std::move(other).Build();
  EXPECT_TRUE(other_built->HasAccount("acme"));
  EXPECT_FALSE(other_built->HasAccount("globex"));
#endif
}

// ---------------------------------------------------------------------------
// Targeting order

class EvaluateTest : public ::testing::Test {
 protected:
  // The instant acme's override ends.
  static absl::Time OverrideEnd() {
    return absl::FromCivil(absl::CivilSecond(2026, 12, 1, 0, 0, 0), Moscow());
  }

  // checkout-v2: acme is pinned "on" until OverrideEnd(); globex is deferred
  // ("off"); rule "pilot" serves "on" to the pilot segment, rule "big" to
  // enterprise accounts.
  static v1::Flag Checkout() {
    v1::Flag flag = BoolFlag("checkout-v2");
    v1::Override* o = flag.add_overrides();
    o->set_account_key("acme");
    o->set_variant("on");
    o->set_reason("asked for the beta");
    *o->mutable_ends_at() = rampart::ToProto(OverrideEnd());
    o = flag.add_overrides();
    o->set_account_key("globex");
    o->set_variant("off");
    o->set_reason("adapting its integrations");
    o->set_deferral(true);
    AddRule(flag, "pilot", "on")->add_segments("pilot");
    *AddRule(flag, "big", "on")->add_conditions() =
        Cond("plan", v1::OPERATOR_EQUALS, {"enterprise"});
    return flag;
  }

  void Build(std::vector<v1::Flag> flags) {
    Snapshot::Builder builder;
    for (v1::Flag& f : flags) builder.AddFlag(std::move(f));
    builder.AddSegment(
        ParseTextProto<v1::Segment>(R"pb(key: "pilot" included: "initech" included: "acme")pb"));
    builder.AddSegment(TopLtv());
    builder.AddAccount(Acme());
    builder.AddAccount(Globex());
    builder.AddAccount(ParseTextProto<v1::Account>(R"pb(
      key: "initech"
      attributes {
        key: "plan"
        value { string_value: "enterprise" }
      }
    )pb"));
    snapshot_ = std::move(builder).Build();
  }

  Evaluation Eval(absl::string_view flag, absl::string_view account, absl::Time at = Noon(),
                  const AttributeMap* extra = nullptr) {
    return Evaluate(*snapshot_, flag, Ctx(account, extra), at);
  }

  std::shared_ptr<const Snapshot> snapshot_;
};

void ExpectServes(const Evaluation& e, absl::string_view variant, v1::Reason reason,
                  absl::string_view detail = "") {
  EXPECT_EQ(e.error, v1::ERROR_CODE_UNSPECIFIED);
  EXPECT_EQ(e.variant, variant);
  EXPECT_EQ(e.reason, reason) << v1::Reason_Name(e.reason);
  EXPECT_EQ(e.detail, detail);
  ASSERT_NE(e.value, nullptr);
  EXPECT_EQ(e.value->bool_value(), variant == "on");
}

void ExpectError(const Evaluation& e, v1::ErrorCode code) {
  EXPECT_EQ(e.reason, v1::REASON_ERROR);
  EXPECT_EQ(e.error, code) << v1::ErrorCode_Name(e.error);
  EXPECT_EQ(e.value, nullptr);
  EXPECT_TRUE(e.variant.empty());
}

TEST_F(EvaluateTest, UnknownFlagIsNotFound) {
  Build({Checkout()});
  ExpectError(Eval("nope", "acme"), v1::ERROR_CODE_FLAG_NOT_FOUND);
  EXPECT_TRUE(Eval("nope", "acme").detail.empty());
}

TEST_F(EvaluateTest, ArchivedFlagIsNotFound) {
  v1::Flag flag = Checkout();
  flag.set_archived(true);
  Build({flag});
  ExpectError(Eval("checkout-v2", "acme"), v1::ERROR_CODE_FLAG_NOT_FOUND);
  ExpectError(EvaluateFlag(*snapshot_, *snapshot_->FindFlag("checkout-v2"), Ctx("acme"), Noon()),
              v1::ERROR_CODE_FLAG_NOT_FOUND);
}

TEST_F(EvaluateTest, KillSwitchServesOffVariantToEveryoneEvenOverriddenAccounts) {
  v1::Flag flag = Checkout();
  flag.set_enabled(false);
  v1::Variant* dark = flag.add_variants();
  dark->set_name("dark");
  dark->mutable_value()->set_bool_value(false);
  flag.set_off_variant("dark");
  Build({flag});
  for (const char* account : {"acme", "globex", "initech", "unknown", ""}) {
    const Evaluation e = Eval("checkout-v2", account);
    EXPECT_EQ(e.variant, "dark") << account;
    EXPECT_EQ(e.reason, v1::REASON_DISABLED) << account;
    EXPECT_TRUE(e.detail.empty());
  }
}

TEST_F(EvaluateTest, OverrideComesBeforeRules) {
  v1::Flag flag = Checkout();
  flag.mutable_overrides(0)->set_variant("off");  // acme is in "pilot" and enterprise
  Build({flag});
  ExpectServes(Eval("checkout-v2", "acme"), "off", v1::REASON_OVERRIDE, "asked for the beta");
}

TEST_F(EvaluateTest, OverrideAppliesUntilItsEndExclusive) {
  Build({Checkout()});
  const absl::Time end = OverrideEnd();
  ExpectServes(Eval("checkout-v2", "acme", Noon()), "on", v1::REASON_OVERRIDE,
               "asked for the beta");
  ExpectServes(Eval("checkout-v2", "acme", end - absl::Nanoseconds(1)), "on", v1::REASON_OVERRIDE,
               "asked for the beta");
  // At the end instant the override no longer applies: targeting decides.
  ExpectServes(Eval("checkout-v2", "acme", end), "on", v1::REASON_TARGETING_MATCH, "pilot");
  ExpectServes(Eval("checkout-v2", "acme", end + absl::Hours(24 * 365)), "on",
               v1::REASON_TARGETING_MATCH, "pilot");
}

TEST_F(EvaluateTest, EndedOverrideFallsThroughToTheDefault) {
  v1::Flag flag = Checkout();
  flag.clear_rules();
  flag.mutable_overrides(0)->set_variant("on");
  Build({flag});
  ExpectServes(Eval("checkout-v2", "acme", OverrideEnd()), "off", v1::REASON_DEFAULT);
}

TEST_F(EvaluateTest, OverrideWithoutEndNeverEnds) {
  v1::Flag flag = Checkout();
  flag.mutable_overrides(0)->clear_ends_at();
  flag.clear_rules();
  Build({flag});
  ExpectServes(Eval("checkout-v2", "acme", absl::InfiniteFuture()), "on", v1::REASON_OVERRIDE,
               "asked for the beta");
}

TEST_F(EvaluateTest, DeferralIsReportedAsDeferred) {
  Build({Checkout()});
  // globex would match no rule anyway; initech-like targeting cannot reach it.
  ExpectServes(Eval("checkout-v2", "globex"), "off", v1::REASON_DEFERRED,
               "adapting its integrations");
}

TEST_F(EvaluateTest, DeferralKeepsAnAccountOutOfARuleThatMatchesIt) {
  v1::Flag flag = Checkout();
  flag.mutable_overrides(1)->set_account_key("initech");  // initech is in "pilot"
  Build({flag});
  ExpectServes(Eval("checkout-v2", "initech"), "off", v1::REASON_DEFERRED,
               "adapting its integrations");
}

TEST_F(EvaluateTest, FirstMatchingRuleWins) {
  Build({Checkout()});
  // initech is in "pilot" and is enterprise: both rules match.
  ExpectServes(Eval("checkout-v2", "initech"), "on", v1::REASON_TARGETING_MATCH, "pilot");
  v1::Flag swapped = Checkout();
  swapped.mutable_rules()->SwapElements(0, 1);
  Build({swapped});
  ExpectServes(Eval("checkout-v2", "initech"), "on", v1::REASON_TARGETING_MATCH, "big");
}

TEST_F(EvaluateTest, RuleNeedsSegmentAndConditionsTogether) {
  v1::Flag flag = BoolFlag("f");
  v1::Rule* rule = AddRule(flag, "eu-pilot", "on");
  rule->add_segments("pilot");
  *rule->add_conditions() = Cond("region", v1::OPERATOR_EQUALS, {"eu"});
  Build({flag});
  AttributeMap eu;
  eu["region"].set_string_value("eu");
  ExpectServes(Eval("f", "initech", Noon(), &eu), "on", v1::REASON_TARGETING_MATCH, "eu-pilot");
  ExpectServes(Eval("f", "initech"), "off", v1::REASON_DEFAULT);              // condition fails
  ExpectServes(Eval("f", "globex", Noon(), &eu), "off", v1::REASON_DEFAULT);  // not in segment
}

TEST_F(EvaluateTest, RuleMatchesWhenTheAccountIsInAnyListedSegment) {
  v1::Flag flag = BoolFlag("f");
  v1::Rule* rule = AddRule(flag, "r", "on");
  rule->add_segments("pilot");
  rule->add_segments("top-ltv");
  Build({flag});
  ExpectServes(Eval("f", "initech"), "on", v1::REASON_TARGETING_MATCH, "r");  // pilot
  ExpectServes(Eval("f", "acme"), "on", v1::REASON_TARGETING_MATCH, "r");     // both
  ExpectServes(Eval("f", "globex"), "off", v1::REASON_DEFAULT);
}

TEST_F(EvaluateTest, SegmentUnknownToTheSnapshotNeverMatches) {
  v1::Flag flag = BoolFlag("f");
  AddRule(flag, "ghost-only", "on")->add_segments("ghost");
  v1::Rule* mixed = AddRule(flag, "ghost-or-pilot", "on");
  mixed->add_segments("ghost");
  mixed->add_segments("pilot");
  Build({flag});
  ExpectServes(Eval("f", "initech"), "on", v1::REASON_TARGETING_MATCH, "ghost-or-pilot");
  ExpectServes(Eval("f", "globex"), "off", v1::REASON_DEFAULT);
}

TEST_F(EvaluateTest, ContextAttributesWinInRules) {
  Build({Checkout()});
  AttributeMap free;
  free["plan"].set_string_value("free");
  AttributeMap enterprise;
  enterprise["plan"].set_string_value("enterprise");
  // newco is in no segment and not in the registry: only the context speaks.
  ExpectServes(Eval("checkout-v2", "newco"), "off", v1::REASON_DEFAULT);
  ExpectServes(Eval("checkout-v2", "newco", Noon(), &enterprise), "on", v1::REASON_TARGETING_MATCH,
               "big");
  v1::Flag flag = BoolFlag("f");
  *AddRule(flag, "big", "on")->add_conditions() = Cond("plan", v1::OPERATOR_EQUALS, {"enterprise"});
  Build({flag});
  ExpectServes(Eval("f", "acme"), "on", v1::REASON_TARGETING_MATCH, "big");
  ExpectServes(Eval("f", "acme", Noon(), &free), "off", v1::REASON_DEFAULT);
}

TEST_F(EvaluateTest, NoTargetingIsStaticAndUnmatchedTargetingIsDefault) {
  v1::Flag plain = BoolFlag("plain");
  v1::Flag with_rules = BoolFlag("with-rules");
  *AddRule(with_rules, "r", "on")->add_conditions() = Cond("region", v1::OPERATOR_EXISTS);
  v1::Flag with_override = BoolFlag("with-override");
  v1::Override* o = with_override.add_overrides();
  o->set_account_key("globex");
  o->set_variant("on");
  o->set_reason("r");
  *o->mutable_ends_at() = rampart::ToProto(Noon());  // already ended: still "targeted"
  Build({plain, with_rules, with_override});
  ExpectServes(Eval("plain", "acme"), "off", v1::REASON_STATIC);
  ExpectServes(Eval("plain", ""), "off", v1::REASON_STATIC);
  ExpectServes(Eval("with-rules", "acme"), "off", v1::REASON_DEFAULT);
  ExpectServes(Eval("with-override", "acme"), "off", v1::REASON_DEFAULT);
  ExpectServes(Eval("with-override", "globex"), "off", v1::REASON_DEFAULT);
}

TEST_F(EvaluateTest, EmptyAccountKeyGetsNoOverride) {
  v1::Flag flag = Checkout();
  flag.mutable_overrides(0)->set_account_key("");  // not valid, but must not match ""
  Build({flag});
  ExpectServes(Eval("checkout-v2", ""), "off", v1::REASON_DEFAULT);
}

TEST_F(EvaluateTest, MissingVariantIsAGeneralError) {
  v1::Flag bad_default = BoolFlag("bad-default");
  bad_default.set_default_variant("blue");
  v1::Flag bad_off = BoolFlag("bad-off");
  bad_off.set_enabled(false);
  bad_off.set_off_variant("dark");
  v1::Flag bad_rule = BoolFlag("bad-rule");
  AddRule(bad_rule, "r", "green")->add_segments("pilot");
  v1::Flag bad_override = BoolFlag("bad-override");
  v1::Override* o = bad_override.add_overrides();
  o->set_account_key("acme");
  o->set_variant("red");
  o->set_reason("r");
  Build({bad_default, bad_off, bad_rule, bad_override});

  Evaluation e = Eval("bad-default", "acme");
  ExpectError(e, v1::ERROR_CODE_GENERAL);
  EXPECT_EQ(e.detail, "blue");
  e = Eval("bad-off", "acme");
  ExpectError(e, v1::ERROR_CODE_GENERAL);
  EXPECT_EQ(e.detail, "dark");
  e = Eval("bad-rule", "initech");
  ExpectError(e, v1::ERROR_CODE_GENERAL);
  EXPECT_EQ(e.detail, "green");
  ExpectServes(Eval("bad-rule", "globex"), "off", v1::REASON_DEFAULT);
  e = Eval("bad-override", "acme");
  ExpectError(e, v1::ERROR_CODE_GENERAL);
  EXPECT_EQ(e.detail, "red");
}

TEST_F(EvaluateTest, EvaluateFlagAgreesWithEvaluate) {
  Build({Checkout()});
  const v1::Flag* flag = snapshot_->FindFlag("checkout-v2");
  ASSERT_NE(flag, nullptr);
  for (const char* account : {"acme", "globex", "initech", "newco"}) {
    const Evaluation a = Eval("checkout-v2", account);
    const Evaluation b = EvaluateFlag(*snapshot_, *flag, Ctx(account), Noon());
    EXPECT_EQ(a.value, b.value) << account;
    EXPECT_EQ(a.variant, b.variant) << account;
    EXPECT_EQ(a.reason, b.reason) << account;
    EXPECT_EQ(a.detail, b.detail) << account;
  }
}

TEST_F(EvaluateTest, EvaluateFlagRefusesAFlagFromElsewhere) {
  Build({Checkout()});
  const v1::Flag copy = *snapshot_->FindFlag("checkout-v2");
  ExpectError(EvaluateFlag(*snapshot_, copy, Ctx("acme"), Noon()), v1::ERROR_CODE_GENERAL);
}

TEST_F(EvaluateTest, ServesValuesOfEveryType) {
  v1::Flag limits = ParseTextProto<v1::Flag>(R"pb(
    key: "limits"
    type: FLAG_TYPE_JSON
    variants {
      name: "small"
      value { json_value: "{\"rows\": 100}" }
    }
    variants {
      name: "large"
      value { json_value: "{\"rows\": 10000}" }
    }
    default_variant: "small"
    off_variant: "small"
    enabled: true
    rules { id: "big" segments: "top-ltv" variant: "large" }
  )pb");
  v1::Flag theme = ParseTextProto<v1::Flag>(R"pb(
    key: "theme"
    type: FLAG_TYPE_STRING
    variants {
      name: "classic"
      value { string_value: "classic" }
    }
    default_variant: "classic"
    off_variant: "classic"
    enabled: true
  )pb");
  Build({limits, theme});
  Evaluation e = Eval("limits", "acme");
  ASSERT_NE(e.value, nullptr);
  EXPECT_EQ(e.value->json_value(), "{\"rows\": 10000}");
  EXPECT_EQ(e.reason, v1::REASON_TARGETING_MATCH);
  e = Eval("theme", "acme");
  ASSERT_NE(e.value, nullptr);
  EXPECT_EQ(e.value->string_value(), "classic");
  EXPECT_EQ(e.reason, v1::REASON_STATIC);
}

TEST_F(EvaluateTest, DoesNotAllocate) {
  v1::Flag targeted = Checkout();
  *AddRule(targeted, "ltv", "on")->add_conditions() =
      Cond("ltv", v1::OPERATOR_GREATER_OR_EQUAL, {"1000000"});
  AddRule(targeted, "top", "on")->add_segments("top-ltv");
  v1::Flag split = BoolFlag("split");  // a segment rule, then a rollout
  AddRule(split, "pilot", "on")->add_segments("pilot");
  SetRollout(split, 50000);
  v1::Flag split_by_user = split;
  split_by_user.set_key("split-by-user");
  split_by_user.mutable_rollout()->set_unit(v1::ROLLOUT_UNIT_USER);
  split_by_user.mutable_rollout()->set_salt(std::string(200, 's'));  // past the stack buffer
  const std::string long_user(300, 'u');
  // A started ramp: a cohort, then everyone but the pilot segment by user,
  // but not the protected accounts (top-ltv: initech is listed); and a
  // rollout it replaces.
  v1::Flag ramped = BoolFlag("ramped");
  SetRollout(ramped, kWeightTotal);
  *ramped.mutable_ramp() = ParseTextProto<v1::RampServing>(R"pb(
    active: true
    salt: "ramped"
    protected_segments: "top-ltv"
    stages { stage: 1 cohort { values: "globex" } variant: "on" }
    stages {
      stage: 2
      audience { excluded_segments: "pilot" }
      percent_thousandths: 50000
      unit: ROLLOUT_UNIT_USER
      variant: "on"
    }
  )pb");
  const long before_build = g_allocations.load();
  Build({BoolFlag("plain"), targeted, split, split_by_user, ramped});
  ASSERT_GT(g_allocations.load() - before_build, 0) << "the allocation counter is not counting";
  AttributeMap extra;
  extra["plan"].set_string_value("a-plan-name-longer-than-small-string-buffers");

  const long before = g_allocations.load();
  Evaluation e = Eval("plain", "acme");
  e = Eval("checkout-v2", "acme");                   // override
  e = Eval("checkout-v2", "globex");                 // deferral
  e = Eval("checkout-v2", "acme", OverrideEnd());    // rules
  e = Eval("checkout-v2", "newco", Noon(), &extra);  // rules, then default
  e = Eval("checkout-v2-with-a-long-missing-key", "acme");
  EXPECT_EQ(e.error, v1::ERROR_CODE_FLAG_NOT_FOUND);
  const Evaluation by_rule = Eval("split", "initech");
  const Evaluation by_split = Eval("split", "a-new-account-with-a-key-longer-than-sso");
  const Evaluation by_user =
      Evaluate(*snapshot_, "split-by-user", UserCtx("globex", long_user), Noon());
  const Evaluation by_cohort = Eval("ramped", "globex");
  const Evaluation by_stage = Evaluate(*snapshot_, "ramped", UserCtx("newco", long_user), Noon());
  const Evaluation protected_account = Eval("ramped", "initech");
  EXPECT_EQ(g_allocations.load() - before, 0);
  EXPECT_EQ(by_cohort.reason, v1::REASON_STAGE);
  EXPECT_EQ(by_stage.reason, BucketOf("ramped", long_user) < BucketThreshold(50000)
                                 ? v1::REASON_STAGE
                                 : v1::REASON_DEFAULT);
  EXPECT_EQ(protected_account.reason, v1::REASON_DEFAULT);
  EXPECT_EQ(by_rule.reason, v1::REASON_TARGETING_MATCH);
  EXPECT_EQ(by_split.reason, v1::REASON_SPLIT);
  EXPECT_EQ(by_user.reason, v1::REASON_SPLIT);
}

// ---------------------------------------------------------------------------
// Percentage rollouts (reason SPLIT)

// The variant BucketOf puts `key` in under a 50 % "on" rollout salted `salt`.
std::string HalfSplit(absl::string_view salt, absl::string_view key) {
  return BucketOf(salt, key) < BucketThreshold(50000) ? "on" : "off";
}

TEST_F(EvaluateTest, SplitBucketsTheAccountUnderTheFlagKey) {
  v1::Flag flag = BoolFlag("new-editor");
  SetRollout(flag, 50000);
  Build({flag});
  // The vectors of docs/bucketing.md.
  ExpectServes(Eval("new-editor", "acme"), "on", v1::REASON_SPLIT);
  ExpectServes(Eval("new-editor", "books"), "off", v1::REASON_SPLIT);
  int on = 0;
  for (int i = 0; i < 1000; ++i) {
    const std::string key = absl::StrCat("acct-", i);
    const Evaluation e = Eval("new-editor", key);
    ExpectServes(e, HalfSplit("new-editor", key), v1::REASON_SPLIT);
    EXPECT_EQ(Eval("new-editor", key).variant, e.variant) << "not deterministic for " << key;
    // A user key does not matter when the unit is the account.
    EXPECT_EQ(Evaluate(*snapshot_, "new-editor", UserCtx(key, "u-1"), Noon()).variant, e.variant);
    on += e.variant == "on";
  }
  EXPECT_GT(on, 400);
  EXPECT_LT(on, 600);
}

TEST_F(EvaluateTest, SplitByUserBucketsTheUserKey) {
  v1::Flag flag = BoolFlag("f");
  SetRollout(flag, 50000, v1::ROLLOUT_UNIT_USER);
  Build({flag});
  // f:u-1 is at 42.4 %, f:u-2 at 68.4 % (docs/bucketing.md): two users of
  // one account get different variants.
  ExpectServes(Evaluate(*snapshot_, "f", UserCtx("acme", "u-1"), Noon()), "on", v1::REASON_SPLIT);
  ExpectServes(Evaluate(*snapshot_, "f", UserCtx("acme", "u-2"), Noon()), "off", v1::REASON_SPLIT);
  for (int i = 0; i < 200; ++i) {
    const std::string user = absl::StrCat("user-", i);
    ExpectServes(Evaluate(*snapshot_, "f", UserCtx("acme", user), Noon()), HalfSplit("f", user),
                 v1::REASON_SPLIT);
  }
}

TEST_F(EvaluateTest, SplitByUserWithoutAUserKeyBucketsTheAccount) {
  v1::Flag flag = BoolFlag("f");
  SetRollout(flag, 50000, v1::ROLLOUT_UNIT_USER);
  Build({flag});
  // f:kino is at 1.5 %, f:acme at 75.8 %.
  ExpectServes(Eval("f", "kino"), "on", v1::REASON_SPLIT);
  ExpectServes(Eval("f", "acme"), "off", v1::REASON_SPLIT);
  ExpectServes(Evaluate(*snapshot_, "f", UserCtx("kino", ""), Noon()), "on", v1::REASON_SPLIT);
}

TEST_F(EvaluateTest, SaltChangesTheAssignment) {
  v1::Flag by_key = BoolFlag("f");
  SetRollout(by_key, 50000);
  v1::Flag explicit_key = BoolFlag("g");
  SetRollout(explicit_key, 50000, v1::ROLLOUT_UNIT_ACCOUNT, "f");  // salted like "f"
  v1::Flag salted = BoolFlag("h");
  SetRollout(salted, 50000, v1::ROLLOUT_UNIT_ACCOUNT, "spring-2026");
  Build({by_key, explicit_key, salted});
  int differ = 0;
  for (int i = 0; i < 1000; ++i) {
    const std::string key = absl::StrCat("acct-", i);
    const absl::string_view f = Eval("f", key).variant;
    EXPECT_EQ(Eval("g", key).variant, f) << key;
    const absl::string_view h = Eval("h", key).variant;
    EXPECT_EQ(h, HalfSplit("spring-2026", key)) << key;
    differ += h != f;
  }
  EXPECT_GT(differ, 400);  // independent halves: about 500 differ
  EXPECT_LT(differ, 600);
}

TEST_F(EvaluateTest, RulesWinOverTheRollout) {
  v1::Flag flag = BoolFlag("f");
  AddRule(flag, "pilot", "on")->add_segments("pilot");
  SetRollout(flag, 0);  // everyone else: off
  Build({flag});
  ExpectServes(Eval("f", "initech"), "on", v1::REASON_TARGETING_MATCH, "pilot");
  ExpectServes(Eval("f", "globex"), "off", v1::REASON_SPLIT);
  ExpectServes(Eval("f", "newco"), "off", v1::REASON_SPLIT);
}

TEST_F(EvaluateTest, OverridesWinOverTheRollout) {
  v1::Flag flag = Checkout();
  flag.clear_rules();
  SetRollout(flag, kWeightTotal);  // everyone else: on
  Build({flag});
  ExpectServes(Eval("checkout-v2", "acme"), "on", v1::REASON_OVERRIDE, "asked for the beta");
  ExpectServes(Eval("checkout-v2", "globex"), "off", v1::REASON_DEFERRED,
               "adapting its integrations");
  ExpectServes(Eval("checkout-v2", "initech"), "on", v1::REASON_SPLIT);
  // An ended override falls through to the rollout.
  ExpectServes(Eval("checkout-v2", "acme", OverrideEnd()), "on", v1::REASON_SPLIT);
}

TEST_F(EvaluateTest, KillSwitchWinsOverTheRollout) {
  v1::Flag flag = BoolFlag("f");
  SetRollout(flag, kWeightTotal);
  flag.set_enabled(false);
  Build({flag});
  for (const char* account : {"acme", "kino", "newco"}) {
    ExpectServes(Eval("f", account), "off", v1::REASON_DISABLED);
  }
}

TEST_F(EvaluateTest, ZeroWeightVariantIsNeverServed) {
  v1::Flag flag = BoolFlag("f");
  SetRollout(flag, 0);
  Build({flag});
  for (int i = 0; i < 1000; ++i) {
    ExpectServes(Eval("f", absl::StrCat("acct-", i)), "off", v1::REASON_SPLIT);
  }
}

TEST_F(EvaluateTest, ThreeWaySplitFollowsTheListedOrder) {
  v1::Flag flag = ParseTextProto<v1::Flag>(R"pb(
    key: "checkout-v2"
    type: FLAG_TYPE_STRING
    variants {
      name: "a"
      value { string_value: "a" }
    }
    variants {
      name: "b"
      value { string_value: "b" }
    }
    variants {
      name: "c"
      value { string_value: "c" }
    }
    default_variant: "a"
    off_variant: "a"
    enabled: true
    rollout {
      variants { variant: "a" weight: 30000 }
      variants { variant: "b" weight: 10000 }
      variants { variant: "c" weight: 60000 }
    }
  )pb");
  Build({flag});
  // checkout-v2:acct-2 is at 39.2 %: past a's 30 %, inside b's 30-40 %.
  const Evaluation e = Eval("checkout-v2", "acct-2");
  EXPECT_EQ(e.variant, "b");
  EXPECT_EQ(e.reason, v1::REASON_SPLIT);
  ASSERT_NE(e.value, nullptr);
  EXPECT_EQ(e.value->string_value(), "b");
}

TEST_F(EvaluateTest, AFlagWithARolloutIsNeverStatic) {
  v1::Flag all_on = BoolFlag("all-on");
  SetRollout(all_on, kWeightTotal);
  v1::Flag empty = BoolFlag("empty");
  empty.mutable_rollout()->set_salt("no variants: no rollout");
  Build({all_on, empty});
  ExpectServes(Eval("all-on", "acme"), "on", v1::REASON_SPLIT);
  ExpectServes(Eval("empty", "acme"), "off", v1::REASON_STATIC);
}

TEST_F(EvaluateTest, RolloutVariantTheFlagLacksIsAGeneralError) {
  v1::Flag flag = BoolFlag("f");
  SetRollout(flag, 50000);
  flag.mutable_rollout()->mutable_variants(0)->set_variant("green");
  Build({flag});
  const Evaluation e = Eval("f", "kino");  // 1.5 %: the first variant
  ExpectError(e, v1::ERROR_CODE_GENERAL);
  EXPECT_EQ(e.detail, "green");
  ExpectServes(Eval("f", "acme"), "off", v1::REASON_SPLIT);
}

TEST_F(EvaluateTest, WeightsShortOfAHundredPercentFallThroughToTheDefault) {
  v1::Flag flag = BoolFlag("f");  // not valid; the engine still must not guess
  SetRollout(flag, 50000);
  flag.mutable_rollout()->mutable_variants(1)->set_weight(0);
  Build({flag});
  ExpectServes(Eval("f", "kino"), "on", v1::REASON_SPLIT);
  ExpectServes(Eval("f", "acme"), "off", v1::REASON_DEFAULT);
}

// ---------------------------------------------------------------------------
// ToProto

// A clock that counts its reads.
class CountingClock final : public Clock {
 public:
  explicit CountingClock(absl::Time now) : now_(now) {}
  absl::Time Now() const override {
    ++reads;
    return now_;
  }
  mutable int reads = 0;

 private:
  absl::Time now_;
};

TEST_F(EvaluateTest, AClockIsReadOnlyWhenTheResultCanDependOnTheTime) {
  v1::Flag plain = BoolFlag("plain");
  AddRule(plain, "pilot", "on")->add_segments("pilot");
  Build({Checkout(), plain});
  CountingClock before_end(OverrideEnd() - absl::Seconds(1));
  // No override with an end: the time cannot matter, the clock is not read.
  EXPECT_EQ(Evaluate(*snapshot_, "plain", Ctx("acme"), before_end).reason,
            v1::REASON_TARGETING_MATCH);
  EXPECT_EQ(Evaluate(*snapshot_, "checkout-v2", Ctx("initech"), before_end).reason,
            v1::REASON_TARGETING_MATCH);
  EXPECT_EQ(before_end.reads, 0);
  // acme's override ends: read once, and the same answer as with a fixed time.
  EXPECT_EQ(Evaluate(*snapshot_, "checkout-v2", Ctx("acme"), before_end).reason,
            v1::REASON_OVERRIDE);
  EXPECT_EQ(before_end.reads, 1);
  CountingClock at_end(OverrideEnd());
  EXPECT_EQ(Evaluate(*snapshot_, "checkout-v2", Ctx("acme"), at_end).reason,
            Eval("checkout-v2", "acme", OverrideEnd()).reason);
}

TEST(ToProtoTest, CopiesAServedValue) {
  v1::FlagValue value;
  value.set_bool_value(true);
  Evaluation e;
  e.value = &value;
  e.variant = "on";
  e.reason = v1::REASON_TARGETING_MATCH;
  e.detail = "pilot";
  const v1::EvaluationResult r = ToProto("checkout-v2", e, 42);
  EXPECT_EQ(r.flag_key(), "checkout-v2");
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r.value().bool_value());
  EXPECT_EQ(r.variant(), "on");
  EXPECT_EQ(r.reason(), v1::REASON_TARGETING_MATCH);
  EXPECT_EQ(r.error_code(), v1::ERROR_CODE_UNSPECIFIED);
  EXPECT_EQ(r.error_message(), "");
  EXPECT_EQ(r.detail(), "pilot");
  EXPECT_EQ(r.flag_revision(), 42);
}

TEST(ToProtoTest, KeepsAFalseBoolValue) {
  // false is the default of bool_value: the oneof case must still be set.
  v1::FlagValue value;
  value.set_bool_value(false);
  Evaluation e;
  e.value = &value;
  e.variant = "off";
  e.reason = v1::REASON_STATIC;
  const v1::EvaluationResult r = ToProto("f", e, 1);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r.value().kind_case(), v1::FlagValue::kBoolValue);
  EXPECT_FALSE(r.value().bool_value());
}

TEST(ToProtoTest, DescribesNotFound) {
  Snapshot::Builder builder;
  auto snapshot = std::move(builder).Build();
  const v1::EvaluationResult r =
      ToProto("ghost", Evaluate(*snapshot, "ghost", Ctx("acme"), Noon()), 0);
  EXPECT_EQ(r.flag_key(), "ghost");
  EXPECT_FALSE(r.has_value());
  EXPECT_EQ(r.variant(), "");
  EXPECT_EQ(r.reason(), v1::REASON_ERROR);
  EXPECT_EQ(r.error_code(), v1::ERROR_CODE_FLAG_NOT_FOUND);
  EXPECT_EQ(r.error_message(), "flag \"ghost\": not found (unknown or archived)");
}

TEST(ToProtoTest, NamesTheMissingVariant) {
  v1::Flag flag = BoolFlag("f");
  flag.set_default_variant("blue");
  flag.set_revision(7);
  Snapshot::Builder builder;
  builder.AddFlag(flag);
  auto snapshot = std::move(builder).Build();
  const v1::EvaluationResult r = ToProto("f", Evaluate(*snapshot, "f", Ctx("acme"), Noon()),
                                         snapshot->FindFlag("f")->revision());
  EXPECT_EQ(r.error_code(), v1::ERROR_CODE_GENERAL);
  EXPECT_EQ(r.error_message(), "flag \"f\": variant \"blue\" does not exist");
  EXPECT_EQ(r.flag_revision(), 7);
}

}  // namespace
}  // namespace rampart::eval

namespace rampart::eval {
namespace {

TEST(SnapshotTest, CopyAccountsFromKeepsWhatItIsToldAndRoundTripsAccounts) {
  Snapshot::Builder first;
  first.AddAccount(Acme());
  first.AddAccount(Globex());
  auto previous = std::move(first).Build();

  // Every account comes back as the message it was built from.
  std::vector<v1::Account> seen;
  previous->ForEachAccount([&](const v1::Account& a) { seen.push_back(a); });
  ASSERT_EQ(seen.size(), 2u);
  for (const v1::Account& a : seen) {
    const v1::Account original = a.key() == "acme" ? Acme() : Globex();
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(a, original))
        << a.DebugString() << " vs " << original.DebugString();
  }

  // A delta: globex removed, acme replaced by a changed copy.
  v1::Account changed = Acme();
  (*changed.mutable_attributes())["plan"].set_string_value("free");
  Snapshot::Builder next_builder;
  next_builder.CopyAccountsFrom(*previous, [](absl::string_view key) {
    return key != "globex" && key != "acme";
  });
  next_builder.AddAccount(changed);
  v1::Flag flag = BoolFlag("f");
  *AddRule(flag, "free", "on")->add_conditions() = Cond("plan", v1::OPERATOR_EQUALS, {"free"});
  next_builder.AddFlag(std::make_shared<const v1::Flag>(flag));
  previous.reset();
  auto next = std::move(next_builder).Build();
  EXPECT_TRUE(next->HasAccount("acme"));
  EXPECT_FALSE(next->HasAccount("globex"));
  EXPECT_EQ(Evaluate(*next, "f", Ctx("acme"), Noon()).reason, v1::REASON_TARGETING_MATCH);
}

}  // namespace
}  // namespace rampart::eval

namespace rampart::eval {
namespace {

// The compiled snapshot (compact accounts, resolved attribute ids) and the
// uncompiled path (Account messages) must agree on every condition, for many
// accounts with every kind of attribute: one rule, implemented once.
TEST(SnapshotTest, CompiledConditionsAgreeWithTheUncompiledPathForManyAccounts) {
  std::vector<v1::Account> accounts;
  for (int i = 0; i < 300; ++i) {
    v1::Account a;
    a.set_key(absl::StrCat("acct-", i));
    a.set_name(absl::StrCat("Company ", i));
    if (i % 3 == 0) a.set_time_zone("Europe/Moscow");
    auto& attrs = *a.mutable_attributes();
    attrs["plan"].set_string_value(i % 2 ? "pro" : "enterprise");
    attrs["ltv"].set_number_value(i * 1000);
    if (i % 5 == 0) attrs["beta"].set_bool_value(i % 10 == 0);
    if (i % 4 != 1) {  // lists of 0 to 3 items, in many accounts
      for (int t = 0; t < i % 4; ++t) {
        attrs["tags"].mutable_list_value()->add_values(absl::StrCat("tag-", (i + t) % 5));
      }
      attrs["tags"].mutable_list_value();
    }
    accounts.push_back(a);
  }
  const std::vector<v1::Condition> conditions = {
      Cond("tags", v1::OPERATOR_EQUALS, {"tag-2"}),
      Cond("tags", v1::OPERATOR_IN, {"tag-0", "tag-4"}),
      Cond("tags", v1::OPERATOR_NOT_IN, {"tag-1"}),
      Cond("tags", v1::OPERATOR_STARTS_WITH, {"tag-3"}),
      Cond("tags", v1::OPERATOR_EXISTS, {}),
      Cond("plan", v1::OPERATOR_EQUALS, {"pro"}),
      Cond("plan", v1::OPERATOR_NOT_EQUALS, {"pro"}),
      Cond("ltv", v1::OPERATOR_GREATER_OR_EQUAL, {"150000"}),
      Cond("beta", v1::OPERATOR_EQUALS, {"true"}),
      Cond("beta", v1::OPERATOR_NOT_EXISTS, {}),
      Cond("time_zone", v1::OPERATOR_EXISTS, {}),
      Cond("name", v1::OPERATOR_STARTS_WITH, {"Company 1"}),
      Cond("key", v1::OPERATOR_IN, {"acct-7", "acct-8"}),
      Cond("missing", v1::OPERATOR_NOT_EXISTS, {}),
  };
  Snapshot::Builder builder;
  for (size_t c = 0; c < conditions.size(); ++c) {
    v1::Flag flag = BoolFlag(absl::StrCat("f", c));
    *AddRule(flag, "r", "on")->add_conditions() = conditions[c];
    builder.AddFlag(flag);
  }
  for (const v1::Account& a : accounts) builder.AddAccount(a);
  auto snapshot = std::move(builder).Build();
  int matches = 0;
  for (const v1::Account& a : accounts) {
    for (size_t c = 0; c < conditions.size(); ++c) {
      const bool uncompiled = ConditionHolds(conditions[c], a.key(), &a, nullptr);
      const Evaluation e = Evaluate(*snapshot, absl::StrCat("f", c), Ctx(a.key()), Noon());
      EXPECT_EQ(e.reason == v1::REASON_TARGETING_MATCH, uncompiled)
          << a.key() << " " << conditions[c].DebugString();
      matches += uncompiled;
    }
  }
  EXPECT_GT(matches, 300);  // the conditions do match, often
}

}  // namespace
}  // namespace rampart::eval
