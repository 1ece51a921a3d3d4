#include "cli/expr/condition_parser.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace rampart::cli {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::rampart::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

v1::Condition Make(std::string attribute, v1::Operator op, std::vector<std::string> values) {
  v1::Condition c;
  c.set_attribute(std::move(attribute));
  c.set_op(op);
  for (auto& v : values) c.add_values(std::move(v));
  return c;
}

MATCHER_P(EqualsProto, expected, "") {
  if (MessageDifferencer::Equals(arg, expected)) return true;
  *result_listener << "got " << arg.ShortDebugString();
  return false;
}

struct ParseCase {
  std::string text;
  v1::Condition expected;
};

class ParseConditionTest : public ::testing::TestWithParam<ParseCase> {};

TEST_P(ParseConditionTest, Parses) {
  ASSERT_OK_AND_ASSIGN(v1::Condition c, ParseCondition("--where", GetParam().text));
  EXPECT_THAT(c, EqualsProto(GetParam().expected)) << GetParam().text;
}

INSTANTIATE_TEST_SUITE_P(
    Syntax, ParseConditionTest,
    ::testing::Values(
        ParseCase{"industry == accounting", Make("industry", v1::OPERATOR_EQUALS, {"accounting"})},
        ParseCase{"industry = accounting", Make("industry", v1::OPERATOR_EQUALS, {"accounting"})},
        ParseCase{"industry==accounting", Make("industry", v1::OPERATOR_EQUALS, {"accounting"})},
        ParseCase{"  plan != free  ", Make("plan", v1::OPERATOR_NOT_EQUALS, {"free"})},
        ParseCase{"plan!=free", Make("plan", v1::OPERATOR_NOT_EQUALS, {"free"})},
        ParseCase{"region in eu,us", Make("region", v1::OPERATOR_IN, {"eu", "us"})},
        ParseCase{"region in eu , us ,apac", Make("region", v1::OPERATOR_IN, {"eu", "us", "apac"})},
        ParseCase{"region IN eu", Make("region", v1::OPERATOR_IN, {"eu"})},
        ParseCase{"region not in eu,us", Make("region", v1::OPERATOR_NOT_IN, {"eu", "us"})},
        ParseCase{"region  NOT   In eu", Make("region", v1::OPERATOR_NOT_IN, {"eu"})},
        ParseCase{"ltv >= 1000000", Make("ltv", v1::OPERATOR_GREATER_OR_EQUAL, {"1000000"})},
        ParseCase{"ltv>=1000000", Make("ltv", v1::OPERATOR_GREATER_OR_EQUAL, {"1000000"})},
        ParseCase{"ltv > 5", Make("ltv", v1::OPERATOR_GREATER, {"5"})},
        ParseCase{"ltv < -5.5", Make("ltv", v1::OPERATOR_LESS, {"-5.5"})},
        ParseCase{"ltv<-5", Make("ltv", v1::OPERATOR_LESS, {"-5"})},
        ParseCase{"ltv <= 1e6", Make("ltv", v1::OPERATOR_LESS_OR_EQUAL, {"1e6"})},
        ParseCase{"tags exists", Make("tags", v1::OPERATOR_EXISTS, {})},
        ParseCase{"tags EXISTS  ", Make("tags", v1::OPERATOR_EXISTS, {})},
        ParseCase{"tags not exists", Make("tags", v1::OPERATOR_NOT_EXISTS, {})},
        ParseCase{"name starts_with Acme", Make("name", v1::OPERATOR_STARTS_WITH, {"Acme"})},
        ParseCase{"name prefix Acme", Make("name", v1::OPERATOR_STARTS_WITH, {"Acme"})},
        ParseCase{"name starts_with\"Ac me\"", Make("name", v1::OPERATOR_STARTS_WITH, {"Ac me"})},
        ParseCase{"name == \"ACME, Inc\"", Make("name", v1::OPERATOR_EQUALS, {"ACME, Inc"})},
        ParseCase{"name==\"ACME, Inc\"", Make("name", v1::OPERATOR_EQUALS, {"ACME, Inc"})},
        // An unquoted single value is the rest of the text: only lists split.
        ParseCase{"name == ACME Inc", Make("name", v1::OPERATOR_EQUALS, {"ACME Inc"})},
        ParseCase{"name == ACME, Inc", Make("name", v1::OPERATOR_EQUALS, {"ACME, Inc"})},
        ParseCase{"name == \"say \\\"hi\\\" \\\\ bye\"",
                  Make("name", v1::OPERATOR_EQUALS, {"say \"hi\" \\ bye"})},
        ParseCase{"name == \"\"", Make("name", v1::OPERATOR_EQUALS, {""})},
        ParseCase{"region in \"a, b\",c", Make("region", v1::OPERATOR_IN, {"a, b", "c"})},
        ParseCase{"region in \"a\" , \"b\"", Make("region", v1::OPERATOR_IN, {"a", "b"})},
        ParseCase{"crm.tier:x-1 == 2", Make("crm.tier:x-1", v1::OPERATOR_EQUALS, {"2"})},
        ParseCase{"\tplan\t==\tpro\t", Make("plan", v1::OPERATOR_EQUALS, {"pro"})},
        // Attribute names that look like operator words are still attributes.
        ParseCase{"in in a,b", Make("in", v1::OPERATOR_IN, {"a", "b"})},
        ParseCase{"exists exists", Make("exists", v1::OPERATOR_EXISTS, {})}));

TEST(ParseConditionErrorTest, UnknownOperatorListsTheKnownOnes) {
  EXPECT_THAT(ParseCondition("--where", "ltv >> 5"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "--where \"ltv >> 5\": unknown operator \">>\" (use ==, !=, <, <=, >, >=, "
                       "in, not in, exists, not exists, starts_with)"));
  EXPECT_THAT(ParseCondition("--where", "ltv => 5"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unknown operator \"=>\"")));
  EXPECT_THAT(ParseCondition("--where", "ltv is 5"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unknown operator \"is\"")));
  EXPECT_THAT(
      ParseCondition("--where", "ltv not like 5"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unknown operator \"not like\"")));
  EXPECT_THAT(ParseCondition("--where", "ltv not"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unknown operator \"not\"")));
}

TEST(ParseConditionErrorTest, MissingParts) {
  EXPECT_THAT(
      ParseCondition("--where", ""),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("--where \"\": missing attribute")));
  EXPECT_THAT(ParseCondition("--where", "   "),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("missing attribute")));
  EXPECT_THAT(ParseCondition("--rule", "== 5"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--rule \"== 5\": missing attribute")));
  EXPECT_THAT(ParseCondition("--where", "ltv"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--where \"ltv\": missing operator after \"ltv\"")));
  EXPECT_THAT(ParseCondition("--where", "ltv >="),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "--where \"ltv >=\": missing value after \">=\""));
  EXPECT_THAT(
      ParseCondition("--where", "plan ==   "),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("missing value after \"==\"")));
  EXPECT_THAT(
      ParseCondition("--where", "region in"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("missing value after \"in\"")));
  EXPECT_THAT(
      ParseCondition("--where", "region not in "),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("missing value after \"not in\"")));
}

TEST(ParseConditionErrorTest, NumericOperatorNeedsANumber) {
  EXPECT_THAT(ParseCondition("--where", "ltv >= lots"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "--where \"ltv >= lots\": >= needs a number, got \"lots\""));
  EXPECT_THAT(
      ParseCondition("--where", "ltv < 5x"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("< needs a number, got \"5x\"")));
  EXPECT_THAT(ParseCondition("--where", "ltv > inf"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("> needs a number")));
  EXPECT_THAT(ParseCondition("--where", "ltv <= nan"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("<= needs a number")));
  // Equality compares by the attribute's type, so any text is fine there.
  EXPECT_OK(ParseCondition("--where", "ltv == lots"));
}

TEST(ParseConditionErrorTest, AttributeMustBeAKey) {
  EXPECT_THAT(ParseCondition("--where", "a$b == 1"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("--where \"a$b == 1\": attribute \"a$b\""),
                             HasSubstr("character '$' at position 2"))));
  EXPECT_THAT(ParseCondition("--where", "-ltv == 1"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("must start with a letter or a digit")));
  // A name with a space reads as attribute + unknown operator.
  EXPECT_THAT(
      ParseCondition("--where", "annual revenue > 5"),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("unknown operator \"revenue\"")));
  EXPECT_THAT(ParseCondition("--where", std::string(129, 'a') + " exists"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("at most 128")));
}

TEST(ParseConditionErrorTest, BadValues) {
  EXPECT_THAT(ParseCondition("--where", "tags exists beta"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("exists takes no value, got \"beta\"")));
  EXPECT_THAT(ParseCondition("--where", "tags not exists beta"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not exists takes no value")));
  EXPECT_THAT(ParseCondition("--where", "name == \"ACME"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not closed")));
  EXPECT_THAT(ParseCondition("--where", "name == \"ACME\" Inc"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unexpected text after the quoted value: \"Inc\"")));
  EXPECT_THAT(ParseCondition("--where", "region in \"eu\" us"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unexpected text after the quoted value")));
  EXPECT_THAT(ParseCondition("--where", "region in eu,,us"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("item 2 of the list after \"in\" is empty")));
  EXPECT_THAT(ParseCondition("--where", "region in eu,"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("item 2")));
  EXPECT_THAT(ParseCondition("--where", "region in ,eu"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("item 1")));
}

TEST(FormatConditionTest, Display) {
  EXPECT_EQ(FormatCondition(Make("ltv", v1::OPERATOR_GREATER_OR_EQUAL, {"1000000"})),
            "ltv >= 1000000");
  EXPECT_EQ(FormatCondition(Make("region", v1::OPERATOR_IN, {"eu", "us"})), "region in eu,us");
  EXPECT_EQ(FormatCondition(Make("region", v1::OPERATOR_NOT_IN, {"eu"})), "region not in eu");
  EXPECT_EQ(FormatCondition(Make("tags", v1::OPERATOR_EXISTS, {})), "tags exists");
  EXPECT_EQ(FormatCondition(Make("tags", v1::OPERATOR_NOT_EXISTS, {})), "tags not exists");
  EXPECT_EQ(FormatCondition(Make("name", v1::OPERATOR_STARTS_WITH, {"Acme"})),
            "name starts_with Acme");
  EXPECT_EQ(FormatCondition(Make("name", v1::OPERATOR_EQUALS, {"ACME, Inc"})),
            "name == \"ACME, Inc\"");
  EXPECT_EQ(FormatCondition(Make("name", v1::OPERATOR_NOT_EQUALS, {"a b"})), "name != \"a b\"");
  EXPECT_EQ(FormatCondition(Make("name", v1::OPERATOR_EQUALS, {""})), "name == \"\"");
  EXPECT_EQ(FormatCondition(Make("name", v1::OPERATOR_EQUALS, {"say \"hi\""})),
            "name == \"say \\\"hi\\\"\"");
  EXPECT_EQ(FormatCondition(Make("x", v1::OPERATOR_LESS, {"1"})), "x < 1");
  EXPECT_EQ(FormatCondition(Make("x", v1::OPERATOR_LESS_OR_EQUAL, {"1"})), "x <= 1");
  EXPECT_EQ(FormatCondition(Make("x", v1::OPERATOR_GREATER, {"1"})), "x > 1");
}

TEST(FormatConditionTest, MalformedConditionStillDisplays) {
  EXPECT_THAT(FormatCondition(Make("x", v1::OPERATOR_UNSPECIFIED, {"1"})),
              HasSubstr("unspecified"));
  EXPECT_EQ(FormatCondition(v1::Condition()), " <unspecified operator>");
}

class RoundTripTest : public ::testing::TestWithParam<std::string> {};

TEST_P(RoundTripTest, FormatThenParseGivesTheSameCondition) {
  ASSERT_OK_AND_ASSIGN(v1::Condition parsed, ParseCondition("--where", GetParam()));
  std::string formatted = FormatCondition(parsed);
  ASSERT_OK_AND_ASSIGN(v1::Condition reparsed, ParseCondition("--where", formatted));
  EXPECT_THAT(reparsed, EqualsProto(parsed)) << GetParam() << " -> " << formatted;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, RoundTripTest,
    ::testing::Values("industry == accounting", "industry=accounting", "plan != free",
                      "region in eu,us", "region in \"eu, west\", us", "region not in a,b,c",
                      "ltv >= 1000000", "ltv>1", "ltv < -3.5", "ltv <= 1e6", "tags exists",
                      "tags not exists", "name starts_with Acme", "name prefix \"ACME, \"",
                      "name == \"ACME, Inc\"", "name == ACME Inc", "name == \"\"",
                      "name == \"  padded  \"", "name == \"quote \\\" and \\\\ slash\"",
                      "name == \"\\\"starts with a quote\"", "name == mid\"quote",
                      "path == C:\\dir", "region in \"\", x", "region in \" \",\"a\tb\"",
                      "name == \"line\nbreak\"", "crm:id == 00123"));

TEST(FormatConditionTest, BuiltConditionsSurviveARoundTrip) {
  const std::vector<v1::Condition> conditions = {
      Make("a", v1::OPERATOR_IN, {"x,y", "z", " lead", "trail ", "\"q\"", "back\\slash"}),
      Make("a", v1::OPERATOR_EQUALS, {"tab\there"}),
      Make("a", v1::OPERATOR_STARTS_WITH, {"\""}),
      Make("a", v1::OPERATOR_NOT_IN, {"==", "in", "exists"}),
  };
  for (const v1::Condition& c : conditions) {
    std::string formatted = FormatCondition(c);
    ASSERT_OK_AND_ASSIGN(v1::Condition reparsed, ParseCondition("--where", formatted));
    EXPECT_THAT(reparsed, EqualsProto(c)) << formatted;
  }
}

TEST(ParseConditionValuesTest, ValuesAreKeptAsText) {
  ASSERT_OK_AND_ASSIGN(v1::Condition c, ParseCondition("--where", "ltv >= 001.50"));
  EXPECT_THAT(c.values(), ElementsAre("001.50"));
  ASSERT_OK_AND_ASSIGN(c, ParseCondition("--where", "tags exists"));
  EXPECT_THAT(c.values(), IsEmpty());
}

}  // namespace
}  // namespace rampart::cli
