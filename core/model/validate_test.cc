#include "core/model/validate.h"

#include <string>

#include "absl/time/time.h"
#include "core/common/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/text_proto.h"
#include "tests/testing/status_matchers.h"

namespace rampart::model {
namespace {

using ::rampart::testing::ParseTextProto;

using ::rampart::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr auto kInvalid = absl::StatusCode::kInvalidArgument;

// The full message, so a test pins the field path and the problem together.
::testing::Matcher<absl::Status> IsInvalid(const std::string& message) {
  return StatusIs(kInvalid, ::testing::Eq(message));
}

::testing::Matcher<absl::Status> IsInvalidWith(const std::string& fragment) {
  return StatusIs(kInvalid, HasSubstr(fragment));
}

bool AnySegment(absl::string_view) { return true; }

// ---------------------------------------------------------------------------
// Accounts

v1::Account GoodAccount() {
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
      key: "none"
      value { list_value {} }
    }
  )pb");
}

TEST(ValidateAccountTest, AcceptsAWellFormedAccount) { EXPECT_OK(ValidateAccount(GoodAccount())); }

TEST(ValidateAccountTest, AcceptsNoTimeZoneAndNoAttributes) {
  EXPECT_OK(ValidateAccount(ParseTextProto<v1::Account>(R"pb(key: "a")pb")));
}

TEST(ValidateAccountTest, RejectsMissingKey) {
  v1::Account a = GoodAccount();
  a.clear_key();
  EXPECT_THAT(ValidateAccount(a), IsInvalid("account.key: required"));
}

TEST(ValidateAccountTest, RejectsBadKey) {
  v1::Account a = GoodAccount();
  a.set_key("Bad Key");
  EXPECT_THAT(ValidateAccount(a), IsInvalidWith("account.key \"Bad Key\": character ' '"));
}

TEST(ValidateAccountTest, RejectsUnknownTimeZone) {
  v1::Account a = GoodAccount();
  a.set_time_zone("Mars/Olympus");
  EXPECT_THAT(ValidateAccount(a),
              IsInvalidWith("account \"acme\": time_zone \"Mars/Olympus\": unknown time zone"));
}

TEST(ValidateAccountTest, RejectsAttributeNameThatIsNotAKey) {
  v1::Account a = GoodAccount();
  (*a.mutable_attributes())["annual revenue"].set_number_value(1);
  EXPECT_THAT(ValidateAccount(a),
              IsInvalidWith("account \"acme\": attribute name \"annual revenue\": character ' '"));
}

TEST(ValidateAccountTest, RejectsReservedAttributeNames) {
  for (const char* name : {"key", "name", "time_zone"}) {
    v1::Account a = GoodAccount();
    (*a.mutable_attributes())[name].set_string_value("x");
    EXPECT_THAT(ValidateAccount(a), IsInvalidWith(std::string("account \"acme\": attributes[\"") +
                                                  name + "\"]: reserved name"))
        << name;
  }
}

TEST(ValidateAccountTest, RejectsAttributeWithoutValue) {
  v1::Account a = GoodAccount();
  (*a.mutable_attributes())["region"];
  EXPECT_THAT(ValidateAccount(a),
              IsInvalidWith("account \"acme\": attributes[\"region\"]: no value"));
}

TEST(ValidateAccountTest, RejectsEmptyListItem) {
  v1::Account a = GoodAccount();
  (*a.mutable_attributes())["tags"].mutable_list_value()->add_values("");
  EXPECT_THAT(ValidateAccount(a),
              IsInvalidWith("account \"acme\": attributes[\"tags\"].list_value[2]: empty string"));
}

TEST(ValidateAccountTest, ReportsTheSameErrorWhateverTheMapOrder) {
  // Two bad attributes: the first by name is reported, every time.
  v1::Account a = GoodAccount();
  (*a.mutable_attributes())["zzz"];
  (*a.mutable_attributes())["aaa"];
  for (int i = 0; i < 5; ++i) {
    EXPECT_THAT(ValidateAccount(a), IsInvalidWith("attributes[\"aaa\"]"));
  }
}

// ---------------------------------------------------------------------------
// Conditions

v1::Condition Cond(const std::string& attribute, v1::Operator op,
                   std::initializer_list<const char*> values) {
  v1::Condition c;
  c.set_attribute(attribute);
  c.set_op(op);
  for (const char* v : values) c.add_values(v);
  return c;
}

struct ConditionCase {
  v1::Operator op;
  std::initializer_list<const char*> values;
};

TEST(ValidateConditionTest, AcceptsTheRightValueCountForEveryOperator) {
  const ConditionCase cases[] = {
      {v1::OPERATOR_EQUALS, {"accounting"}},
      {v1::OPERATOR_EQUALS, {""}},
      {v1::OPERATOR_NOT_EQUALS, {"free"}},
      {v1::OPERATOR_IN, {"eu"}},
      {v1::OPERATOR_IN, {"eu", "us", "apac"}},
      {v1::OPERATOR_NOT_IN, {"eu", "us"}},
      {v1::OPERATOR_LESS, {"10"}},
      {v1::OPERATOR_LESS_OR_EQUAL, {"-1.5"}},
      {v1::OPERATOR_GREATER, {"1e6"}},
      {v1::OPERATOR_GREATER_OR_EQUAL, {"1000000"}},
      {v1::OPERATOR_EXISTS, {}},
      {v1::OPERATOR_NOT_EXISTS, {}},
      {v1::OPERATOR_STARTS_WITH, {"ACME"}},
  };
  for (const ConditionCase& c : cases) {
    EXPECT_OK(ValidateCondition("c", Cond("ltv", c.op, c.values)))
        << v1::Operator_Name(c.op) << " with " << c.values.size();
  }
}

TEST(ValidateConditionTest, AcceptsTheAccountFieldNames) {
  EXPECT_OK(ValidateCondition("c", Cond("key", v1::OPERATOR_IN, {"acme", "globex"})));
  EXPECT_OK(ValidateCondition("c", Cond("name", v1::OPERATOR_STARTS_WITH, {"ACME"})));
  EXPECT_OK(ValidateCondition("c", Cond("time_zone", v1::OPERATOR_EQUALS, {"Europe/Moscow"})));
}

TEST(ValidateConditionTest, RejectsWrongValueCounts) {
  EXPECT_THAT(ValidateCondition("c", Cond("plan", v1::OPERATOR_EQUALS, {})),
              IsInvalid("c: operator == needs exactly one value, got 0"));
  EXPECT_THAT(ValidateCondition("c", Cond("plan", v1::OPERATOR_NOT_EQUALS, {"a", "b"})),
              IsInvalid("c: operator != needs exactly one value, got 2"));
  EXPECT_THAT(ValidateCondition("c", Cond("name", v1::OPERATOR_STARTS_WITH, {})),
              IsInvalid("c: operator starts_with needs exactly one value, got 0"));
  EXPECT_THAT(ValidateCondition("c", Cond("region", v1::OPERATOR_IN, {})),
              IsInvalid("c: operator in needs at least one value"));
  EXPECT_THAT(ValidateCondition("c", Cond("region", v1::OPERATOR_NOT_IN, {})),
              IsInvalid("c: operator not in needs at least one value"));
  EXPECT_THAT(ValidateCondition("c", Cond("tags", v1::OPERATOR_EXISTS, {"x"})),
              IsInvalid("c: operator exists takes no values, got 1"));
  EXPECT_THAT(ValidateCondition("c", Cond("tags", v1::OPERATOR_NOT_EXISTS, {"x", "y"})),
              IsInvalid("c: operator not exists takes no values, got 2"));
}

TEST(ValidateConditionTest, NumericOperatorsNeedExactlyOneNumber) {
  EXPECT_THAT(ValidateCondition("c", Cond("ltv", v1::OPERATOR_LESS, {})),
              IsInvalid("c: operator < needs one number, got 0 values"));
  EXPECT_THAT(ValidateCondition("c", Cond("ltv", v1::OPERATOR_LESS_OR_EQUAL, {"1", "2"})),
              IsInvalid("c: operator <= needs one number, got 2 values"));
  EXPECT_THAT(ValidateCondition("c", Cond("ltv", v1::OPERATOR_GREATER, {"abc"})),
              IsInvalid("c: operator > needs one number, got \"abc\""));
  EXPECT_THAT(ValidateCondition("c", Cond("ltv", v1::OPERATOR_GREATER_OR_EQUAL, {"12abc"})),
              IsInvalid("c: operator >= needs one number, got \"12abc\""));
  EXPECT_THAT(ValidateCondition("c", Cond("ltv", v1::OPERATOR_GREATER_OR_EQUAL, {""})),
              IsInvalid("c: operator >= needs one number, got \"\""));
  // Not finite: every comparison would be meaningless.
  EXPECT_THAT(ValidateCondition("c", Cond("ltv", v1::OPERATOR_LESS, {"nan"})),
              IsInvalidWith("needs one number"));
  EXPECT_THAT(ValidateCondition("c", Cond("ltv", v1::OPERATOR_LESS, {"inf"})),
              IsInvalidWith("needs one number"));
}

TEST(ValidateConditionTest, RejectsMissingOrUnknownOperator) {
  EXPECT_THAT(ValidateCondition("c", Cond("plan", v1::OPERATOR_UNSPECIFIED, {"x"})),
              IsInvalid("c.op: required"));
  EXPECT_THAT(ValidateCondition("c", Cond("plan", static_cast<v1::Operator>(99), {"x"})),
              IsInvalid("c.op: unknown operator 99"));
}

TEST(ValidateConditionTest, RejectsBadAttributeName) {
  EXPECT_THAT(ValidateCondition("c", Cond("", v1::OPERATOR_EXISTS, {})),
              IsInvalid("c.attribute: required"));
  EXPECT_THAT(ValidateCondition("c", Cond("-plan", v1::OPERATOR_EXISTS, {})),
              IsInvalidWith("c.attribute \"-plan\": must start with a letter or a digit"));
}

// ---------------------------------------------------------------------------
// Segments

v1::Segment GoodSegment() {
  return ParseTextProto<v1::Segment>(R"pb(
    key: "top-ltv"
    name: "Top LTV"
    included: "acme"
    included: "globex"
    excluded: "initech"
    match: MATCH_ALL
    conditions { attribute: "ltv" op: OPERATOR_GREATER_OR_EQUAL values: "1000000" }
    conditions { attribute: "region" op: OPERATOR_IN values: "eu" values: "us" }
    time_zone: "Asia/Novosibirsk"
  )pb");
}

TEST(ValidateSegmentTest, AcceptsAWellFormedSegment) { EXPECT_OK(ValidateSegment(GoodSegment())); }

TEST(ValidateSegmentTest, AcceptsOnlyMembersAndOnlyConditions) {
  EXPECT_OK(ValidateSegment(ParseTextProto<v1::Segment>(R"pb(key: "s" included: "a")pb")));
  EXPECT_OK(ValidateSegment(
      ParseTextProto<v1::Segment>(R"pb(key: "s"
                              match: MATCH_ANY
                              conditions { attribute: "x" op: OPERATOR_EXISTS })pb")));
}

TEST(ValidateSegmentTest, RejectsBadKey) {
  EXPECT_THAT(ValidateSegment(ParseTextProto<v1::Segment>(R"pb(key: "top ltv")pb")),
              IsInvalidWith("segment.key \"top ltv\""));
  EXPECT_THAT(ValidateSegment(v1::Segment()), IsInvalid("segment.key: required"));
}

TEST(ValidateSegmentTest, RejectsBadMemberKeys) {
  v1::Segment s = GoodSegment();
  s.add_included("bad key");
  EXPECT_THAT(ValidateSegment(s), IsInvalidWith("segment \"top-ltv\": included[2] \"bad key\""));
  s = GoodSegment();
  s.add_excluded("");
  EXPECT_THAT(ValidateSegment(s), IsInvalid("segment \"top-ltv\": excluded[1]: required"));
}

TEST(ValidateSegmentTest, RejectsDuplicateMembers) {
  v1::Segment s = GoodSegment();
  s.add_included("acme");
  EXPECT_THAT(
      ValidateSegment(s),
      IsInvalid("segment \"top-ltv\": included[2] \"acme\": listed twice (also included[0])"));
  s = GoodSegment();
  s.add_excluded("initech");
  EXPECT_THAT(
      ValidateSegment(s),
      IsInvalid("segment \"top-ltv\": excluded[1] \"initech\": listed twice (also excluded[0])"));
}

TEST(ValidateSegmentTest, RejectsAccountBothIncludedAndExcluded) {
  v1::Segment s = GoodSegment();
  s.add_excluded("globex");
  EXPECT_THAT(ValidateSegment(s),
              IsInvalid("segment \"top-ltv\": excluded[1] \"globex\": also in included[1]"));
}

TEST(ValidateSegmentTest, RejectsUnknownMatch) {
  v1::Segment s = GoodSegment();
  s.set_match(static_cast<v1::Match>(7));
  EXPECT_THAT(ValidateSegment(s), IsInvalid("segment \"top-ltv\": match: unknown value 7"));
}

TEST(ValidateSegmentTest, NamesTheBadCondition) {
  v1::Segment s = GoodSegment();
  s.mutable_conditions(0)->set_values(0, "abc");
  EXPECT_THAT(ValidateSegment(s),
              IsInvalid("segment \"top-ltv\": conditions[0]: operator >= needs one number, got "
                        "\"abc\""));
  s = GoodSegment();
  s.mutable_conditions(1)->clear_values();
  EXPECT_THAT(
      ValidateSegment(s),
      IsInvalid("segment \"top-ltv\": conditions[1]: operator in needs at least one value"));
}

TEST(ValidateSegmentTest, RejectsUnknownTimeZone) {
  v1::Segment s = GoodSegment();
  s.set_time_zone("Europe/Atlantis");
  EXPECT_THAT(ValidateSegment(s),
              IsInvalidWith("segment \"top-ltv\": time_zone \"Europe/Atlantis\": unknown"));
}

// ---------------------------------------------------------------------------
// Flags

v1::Flag GoodFlag() {
  v1::Flag flag = ParseTextProto<v1::Flag>(R"pb(
    key: "checkout-v2"
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
    overrides { account_key: "acme" variant: "on" reason: "asked for the beta" }
    overrides {
      account_key: "globex"
      variant: "off"
      reason: "adapting its integrations"
      deferral: true
    }
    rules { id: "beta" segments: "beta-testers" variant: "on" }
    rules {
      id: "big"
      conditions { attribute: "ltv" op: OPERATOR_GREATER values: "100" }
      variant: "on"
    }
    rules { segments: "eu" variant: "on" }
    rules { segments: "us" variant: "on" }
  )pb");
  return flag;
}

TEST(ValidateFlagTest, AcceptsAWellFormedFlag) { EXPECT_OK(ValidateFlag(GoodFlag(), AnySegment)); }

TEST(ValidateFlagTest, AcceptsEveryTypeWithMatchingValues) {
  EXPECT_OK(ValidateFlag(ParseTextProto<v1::Flag>(R"pb(
                           key: "s"
                           type: FLAG_TYPE_STRING
                           variants {
                             name: "a"
                             value { string_value: "" }
                           }
                           default_variant: "a"
                           off_variant: "a"
                         )pb"),
                         AnySegment));
  EXPECT_OK(ValidateFlag(ParseTextProto<v1::Flag>(R"pb(
                           key: "i"
                           type: FLAG_TYPE_INT
                           variants {
                             name: "a"
                             value { int_value: -3 }
                           }
                           default_variant: "a"
                           off_variant: "a"
                         )pb"),
                         AnySegment));
  EXPECT_OK(ValidateFlag(ParseTextProto<v1::Flag>(R"pb(
                           key: "d"
                           type: FLAG_TYPE_DOUBLE
                           variants {
                             name: "a"
                             value { double_value: 0.5 }
                           }
                           default_variant: "a"
                           off_variant: "a"
                         )pb"),
                         AnySegment));
  for (const char* json :
       {R"({"limit": [1, 2], "mode": "fast"})", "[]", "42", "\"text\"", "true", "null"}) {
    v1::Flag flag = ParseTextProto<v1::Flag>(R"pb(
      key: "j"
      type: FLAG_TYPE_JSON
      variants { name: "a" }
      default_variant: "a"
      off_variant: "a"
    )pb");
    flag.mutable_variants(0)->mutable_value()->set_json_value(json);
    EXPECT_OK(ValidateFlag(flag, AnySegment)) << json;
  }
}

TEST(ValidateFlagTest, RejectsBadKey) {
  v1::Flag flag = GoodFlag();
  flag.set_key("checkout v2");
  EXPECT_THAT(ValidateFlag(flag, AnySegment), IsInvalidWith("flag.key \"checkout v2\""));
}

TEST(ValidateFlagTest, RejectsMissingOrUnknownType) {
  v1::Flag flag = GoodFlag();
  flag.clear_type();
  EXPECT_THAT(ValidateFlag(flag, AnySegment),
              IsInvalidWith("flag \"checkout-v2\": type: required"));
  flag.set_type(static_cast<v1::FlagType>(42));
  EXPECT_THAT(ValidateFlag(flag, AnySegment),
              IsInvalid("flag \"checkout-v2\": type: unknown value 42"));
}

TEST(ValidateFlagTest, RejectsNoVariants) {
  v1::Flag flag = GoodFlag();
  flag.clear_variants();
  EXPECT_THAT(ValidateFlag(flag, AnySegment),
              IsInvalid("flag \"checkout-v2\": variants: at least one variant is required"));
}

TEST(ValidateFlagTest, RejectsBadOrDuplicateVariantNames) {
  v1::Flag flag = GoodFlag();
  flag.mutable_variants(1)->set_name("turned off");
  EXPECT_THAT(ValidateFlag(flag, AnySegment),
              IsInvalidWith("flag \"checkout-v2\": variants[1].name \"turned off\""));
  flag = GoodFlag();
  flag.mutable_variants(1)->set_name("on");
  EXPECT_THAT(ValidateFlag(flag, AnySegment),
              IsInvalid("flag \"checkout-v2\": variants[1].name \"on\": duplicate (also "
                        "variants[0])"));
}

TEST(ValidateFlagTest, RejectsValueOfAnotherType) {
  v1::Flag flag = GoodFlag();
  flag.mutable_variants(1)->mutable_value()->set_string_value("false");
  EXPECT_THAT(ValidateFlag(flag, AnySegment),
              IsInvalid("flag \"checkout-v2\": variants[1].value: a string, but the flag is bool"));
  flag.mutable_variants(1)->mutable_value()->set_int_value(0);
  EXPECT_THAT(ValidateFlag(flag, AnySegment),
              IsInvalid("flag \"checkout-v2\": variants[1].value: an int, but the flag is bool"));
  flag.set_type(v1::FLAG_TYPE_JSON);
  flag.mutable_variants(0)->mutable_value()->set_json_value("{}");
  flag.mutable_variants(1)->mutable_value()->set_string_value("{}");
  EXPECT_THAT(ValidateFlag(flag, AnySegment),
              IsInvalid("flag \"checkout-v2\": variants[1].value: a string, but the flag is json"));
  flag.set_type(v1::FLAG_TYPE_DOUBLE);
  flag.mutable_variants(0)->mutable_value()->set_int_value(1);
  EXPECT_THAT(ValidateFlag(flag, AnySegment),
              IsInvalid("flag \"checkout-v2\": variants[0].value: an int, but the flag is double"));
}

TEST(ValidateFlagTest, RejectsVariantWithoutValue) {
  v1::Flag flag = GoodFlag();
  flag.mutable_variants(0)->clear_value();
  EXPECT_THAT(ValidateFlag(flag, AnySegment),
              IsInvalidWith("flag \"checkout-v2\": variants[0].value: no value"));
}

TEST(ValidateFlagTest, RejectsInvalidJson) {
  // (protobuf's parser is lenient about some non-JSON, e.g. single quotes;
  // what it accepts, every SDK's protobuf JSON reader accepts too.)
  for (const char* json : {"", "{", "{\"a\": }", "[1, 2", "tru", "{\"a\": 1} x"}) {
    v1::Flag flag = ParseTextProto<v1::Flag>(R"pb(
      key: "limits"
      type: FLAG_TYPE_JSON
      variants {
        name: "ok"
        value { json_value: "{}" }
      }
      variants { name: "bad" }
      default_variant: "ok"
      off_variant: "ok"
    )pb");
    flag.mutable_variants(1)->mutable_value()->set_json_value(json);
    EXPECT_THAT(ValidateFlag(flag, AnySegment),
                IsInvalidWith("flag \"limits\": variants[1].value: not valid JSON"))
        << json;
  }
}

TEST(ValidateFlagTest, RejectsMissingOrUnknownDefaultAndOffVariants) {
  v1::Flag flag = GoodFlag();
  flag.set_default_variant("blue");
  EXPECT_THAT(ValidateFlag(flag, AnySegment),
              IsInvalid("flag \"checkout-v2\": default_variant \"blue\": no such variant"));
  flag = GoodFlag();
  flag.clear_default_variant();
  EXPECT_THAT(ValidateFlag(flag, AnySegment),
              IsInvalid("flag \"checkout-v2\": default_variant: required"));
  flag = GoodFlag();
  flag.set_off_variant("blue");
  EXPECT_THAT(ValidateFlag(flag, AnySegment),
              IsInvalid("flag \"checkout-v2\": off_variant \"blue\": no such variant"));
  flag = GoodFlag();
  flag.clear_off_variant();
  EXPECT_THAT(ValidateFlag(flag, AnySegment),
              IsInvalid("flag \"checkout-v2\": off_variant: required"));
}

TEST(ValidateFlagTest, RejectsBadOverrides) {
  v1::Flag flag = GoodFlag();
  flag.mutable_overrides(1)->set_account_key("Globex Corp");
  EXPECT_THAT(ValidateFlag(flag, AnySegment),
              IsInvalidWith("flag \"checkout-v2\": overrides[1].account_key \"Globex Corp\""));

  flag = GoodFlag();
  flag.mutable_overrides(1)->set_variant("blue");
  EXPECT_THAT(ValidateFlag(flag, AnySegment),
              IsInvalid("flag \"checkout-v2\": overrides[1].variant \"blue\": no such variant"));

  flag = GoodFlag();
  flag.mutable_overrides(0)->set_reason("   ");
  EXPECT_THAT(ValidateFlag(flag, AnySegment),
              IsInvalidWith("flag \"checkout-v2\": overrides[0].reason: required"));

  flag = GoodFlag();
  *flag.add_overrides() = flag.overrides(0);
  EXPECT_THAT(ValidateFlag(flag, AnySegment),
              IsInvalid("flag \"checkout-v2\": overrides[2].account_key \"acme\": the account "
                        "already has an override (overrides[0])"));
}

TEST(ValidateFlagTest, AllowsEmptyRuleIdsButNotDuplicates) {
  v1::Flag flag = GoodFlag();
  // rules[2] and rules[3] both have empty ids: the server fills them.
  EXPECT_OK(ValidateFlag(flag, AnySegment));
  flag.mutable_rules(3)->set_id("beta");
  EXPECT_THAT(ValidateFlag(flag, AnySegment),
              IsInvalid("flag \"checkout-v2\": rules[3].id \"beta\": duplicate (also rules[0])"));
  flag.mutable_rules(3)->set_id("bad id");
  EXPECT_THAT(ValidateFlag(flag, AnySegment),
              IsInvalidWith("flag \"checkout-v2\": rules[3].id \"bad id\""));
}

TEST(ValidateFlagTest, RejectsRuleWithNeitherSegmentNorCondition) {
  v1::Flag flag = GoodFlag();
  flag.mutable_rules(1)->clear_conditions();
  EXPECT_THAT(ValidateFlag(flag, AnySegment),
              IsInvalid("flag \"checkout-v2\": rules[1]: needs at least one segment or condition"));
}

TEST(ValidateFlagTest, RejectsUnknownSegment) {
  v1::Flag flag = GoodFlag();
  flag.mutable_rules(2)->set_segments(0, "ghost");
  const auto known = [](absl::string_view key) { return key != "ghost"; };
  EXPECT_THAT(ValidateFlag(flag, known),
              IsInvalid("flag \"checkout-v2\": rules[2].segments[0] \"ghost\": no such segment"));
}

TEST(ValidateFlagTest, AsksAboutEverySegment) {
  std::vector<std::string> asked;
  const auto record = [&](absl::string_view key) {
    asked.emplace_back(key);
    return true;
  };
  EXPECT_OK(ValidateFlag(GoodFlag(), record));
  EXPECT_THAT(asked, ::testing::ElementsAre("beta-testers", "eu", "us"));
}

TEST(ValidateFlagTest, EmptySegmentExistsSkipsTheCheck) {
  v1::Flag flag = GoodFlag();
  flag.mutable_rules(2)->set_segments(0, "ghost");
  EXPECT_OK(ValidateFlag(flag, SegmentExists()));
  flag.mutable_rules(2)->set_segments(0, "bad segment");
  EXPECT_THAT(ValidateFlag(flag, SegmentExists()),
              IsInvalidWith("flag \"checkout-v2\": rules[2].segments[0] \"bad segment\""));
}

TEST(ValidateFlagTest, NamesTheBadRuleCondition) {
  v1::Flag flag = GoodFlag();
  flag.mutable_rules(1)->mutable_conditions(0)->set_values(0, "lots");
  EXPECT_THAT(ValidateFlag(flag, AnySegment),
              IsInvalid("flag \"checkout-v2\": rules[1].conditions[0]: operator > needs one "
                        "number, got \"lots\""));
}

TEST(ValidateFlagTest, RejectsRuleWithUnknownOrMissingVariant) {
  v1::Flag flag = GoodFlag();
  flag.mutable_rules(0)->set_variant("blue");
  EXPECT_THAT(ValidateFlag(flag, AnySegment),
              IsInvalid("flag \"checkout-v2\": rules[0].variant \"blue\": no such variant"));
  flag.mutable_rules(0)->clear_variant();
  EXPECT_THAT(ValidateFlag(flag, AnySegment),
              IsInvalid("flag \"checkout-v2\": rules[0].variant: required"));
}

TEST(ValidateFlagTest, ExpiresAtOnlyOnTemporaryFlags) {
  v1::Flag flag = GoodFlag();
  *flag.mutable_expires_at() = ToProto(absl::FromUnixSeconds(1800000000));
  EXPECT_THAT(
      ValidateFlag(flag, AnySegment),
      IsInvalidWith("flag \"checkout-v2\": expires_at: set, but the flag is not temporary"));
  flag.set_temporary(true);
  EXPECT_OK(ValidateFlag(flag, AnySegment));
  flag.clear_expires_at();
  EXPECT_OK(ValidateFlag(flag, AnySegment));  // temporary without a date is fine
}

// GoodFlag() with a rollout of on 25 %, off 75 %.
v1::Flag FlagWithRollout() {
  v1::Flag flag = GoodFlag();
  *flag.mutable_rollout() = ParseTextProto<v1::Rollout>(R"pb(
    variants { variant: "on" weight: 25000 }
    variants { variant: "off" weight: 75000 }
    unit: ROLLOUT_UNIT_USER
    salt: "spring-2026"
  )pb");
  return flag;
}

TEST(ValidateFlagTest, AcceptsARollout) {
  EXPECT_OK(ValidateFlag(FlagWithRollout(), AnySegment));
  v1::Flag flag = FlagWithRollout();
  flag.mutable_rollout()->mutable_variants(0)->set_weight(0);  // a ramp at 0 %
  flag.mutable_rollout()->mutable_variants(1)->set_weight(100000);
  EXPECT_OK(ValidateFlag(flag, AnySegment));
  flag.mutable_rollout()->mutable_variants()->RemoveLast();  // one variant, 100 %
  flag.mutable_rollout()->mutable_variants(0)->set_weight(100000);
  EXPECT_OK(ValidateFlag(flag, AnySegment));
}

TEST(ValidateFlagTest, RolloutWithoutVariantsIsNoRollout) {
  v1::Flag flag = GoodFlag();
  flag.mutable_rollout()->set_unit(v1::ROLLOUT_UNIT_USER);
  flag.mutable_rollout()->set_salt("kept for later");
  EXPECT_OK(ValidateFlag(flag, AnySegment));
}

TEST(ValidateFlagTest, RolloutWeightsMustAddUpToAHundredPercent) {
  v1::Flag flag = FlagWithRollout();
  flag.mutable_rollout()->mutable_variants(1)->set_weight(74000);
  EXPECT_THAT(
      ValidateFlag(flag, AnySegment),
      IsInvalid("flag \"checkout-v2\": rollout: weights add up to 99000, must be 100000 (100 %)"));
  flag.mutable_rollout()->mutable_variants(1)->set_weight(75001);
  EXPECT_THAT(ValidateFlag(flag, AnySegment), IsInvalidWith("weights add up to 100001,"));
  // Two weights that overflow 32 bits are still summed exactly.
  flag.mutable_rollout()->mutable_variants(0)->set_weight(0xFFFFFFFF);
  flag.mutable_rollout()->mutable_variants(1)->set_weight(100001);
  EXPECT_THAT(ValidateFlag(flag, AnySegment), IsInvalidWith("weights add up to 4295067296,"));
  flag.mutable_rollout()->mutable_variants(0)->set_weight(0);
  flag.mutable_rollout()->mutable_variants(1)->set_weight(0);
  EXPECT_THAT(ValidateFlag(flag, AnySegment), IsInvalidWith("weights add up to 0,"));
}

TEST(ValidateFlagTest, RejectsRolloutWithUnknownMissingOrDuplicateVariant) {
  v1::Flag flag = FlagWithRollout();
  flag.mutable_rollout()->mutable_variants(1)->set_variant("blue");
  EXPECT_THAT(
      ValidateFlag(flag, AnySegment),
      IsInvalid("flag \"checkout-v2\": rollout.variants[1].variant \"blue\": no such variant"));
  flag.mutable_rollout()->mutable_variants(1)->clear_variant();
  EXPECT_THAT(ValidateFlag(flag, AnySegment),
              IsInvalid("flag \"checkout-v2\": rollout.variants[1].variant: required"));
  flag.mutable_rollout()->mutable_variants(1)->set_variant("on");
  EXPECT_THAT(ValidateFlag(flag, AnySegment),
              IsInvalid("flag \"checkout-v2\": rollout.variants[1].variant \"on\": listed twice "
                        "(also rollout.variants[0])"));
}

TEST(ValidateFlagTest, RejectsUnknownRolloutUnit) {
  v1::Flag flag = FlagWithRollout();
  flag.mutable_rollout()->set_unit(static_cast<v1::RolloutUnit>(7));
  EXPECT_THAT(ValidateFlag(flag, AnySegment),
              IsInvalid("flag \"checkout-v2\": rollout.unit: unknown value 7"));
  flag.mutable_rollout()->clear_variants();  // checked with or without variants
  EXPECT_THAT(ValidateFlag(flag, AnySegment), IsInvalidWith("rollout.unit: unknown value 7"));
  flag.mutable_rollout()->set_unit(v1::ROLLOUT_UNIT_UNSPECIFIED);  // means account
  EXPECT_OK(ValidateFlag(flag, AnySegment));
}

}  // namespace
}  // namespace rampart::model
