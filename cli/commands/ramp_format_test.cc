// The pure part of the `ramp` verbs: how stages, advances and previews read,
// and the errors people get for plan files and template placeholders.
#include <fstream>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "cli/commands/ramps.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/text_proto.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace rampart::cli {
namespace {

using ::rampart::testing::ParseTextProto;

using ::rampart::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;

v1::RampStage Stage(const std::string& text) { return ParseTextProto<v1::RampStage>(text); }

TEST(FormatStageSize, CountPercentAllOrDash) {
  EXPECT_EQ(FormatStageSize(Stage("count: 500")), "500");
  EXPECT_EQ(FormatStageSize(Stage("percent_thousandths: 25000")), "25%");
  EXPECT_EQ(FormatStageSize(Stage("percent_thousandths: 12500")), "12.5%");
  EXPECT_EQ(FormatStageSize(Stage("percent_thousandths: 1")), "0.001%");
  EXPECT_EQ(FormatStageSize(Stage("all: true")), "all");
  EXPECT_EQ(FormatStageSize(Stage("name: 'x'")), "-");
  EXPECT_EQ(FormatStageSize(Stage("all: false")), "-");
}

TEST(FormatAdvance, ManualAtAfterAndTheFinalStage) {
  EXPECT_EQ(FormatAdvance(v1::StageAdvance(), /*final=*/false), "manual");
  EXPECT_EQ(FormatAdvance(v1::StageAdvance(), /*final=*/true), "-");
  EXPECT_EQ(FormatAdvance(ParseTextProto<v1::StageAdvance>("at { seconds: 1796115600 }"), false),
            "at 2026-12-01T09:00:00Z");
  EXPECT_EQ(FormatAdvance(ParseTextProto<v1::StageAdvance>("after { seconds: 172800 }"), false),
            "after 48h");
  EXPECT_EQ(FormatAdvance(ParseTextProto<v1::StageAdvance>("after { seconds: 5400 }"), false),
            "after 1h30m");
  // A final stage that (wrongly) says when to advance shows it.
  EXPECT_EQ(FormatAdvance(ParseTextProto<v1::StageAdvance>("after { seconds: 90 }"), true), "after 1m30s");
}

TEST(FormatAudience, SegmentsBetaAndExclusions) {
  EXPECT_EQ(FormatAudience(v1::RampAudience()), "everyone");
  EXPECT_EQ(FormatAudience(ParseTextProto<v1::RampAudience>("segments: ['internal', 'qa']")),
            "in internal or qa");
  EXPECT_EQ(FormatAudience(ParseTextProto<v1::RampAudience>(
                "segments: 'closed-beta' beta_enrolled: true excluded_segments: 'top-ltv'")),
            "in closed-beta, beta-enrolled only, not in top-ltv");
  EXPECT_EQ(FormatAudience(ParseTextProto<v1::RampAudience>("excluded_segments: ['a', 'b']")),
            "everyone, not in a or b");
}

TEST(FormatStageUnit, OnlyPercentageStagesGoByUser) {
  EXPECT_EQ(FormatStageUnit(Stage("percent_thousandths: 5000 unit: ROLLOUT_UNIT_USER")), "user");
  EXPECT_EQ(FormatStageUnit(Stage("percent_thousandths: 5000")), "account");
  EXPECT_EQ(FormatStageUnit(Stage("count: 20 unit: ROLLOUT_UNIT_USER")), "account");
}

TEST(FormatProblemGate, UnsetZeroAndMany) {
  EXPECT_EQ(FormatProblemGate(Stage("count: 20")), "-");
  EXPECT_EQ(FormatProblemGate(Stage("count: 20 max_problem_reports: 0")), "more than 0 reports");
  EXPECT_EQ(FormatProblemGate(Stage("count: 20 max_problem_reports: 1")), "more than 1 report");
  EXPECT_EQ(FormatProblemGate(Stage("count: 20 max_problem_reports: 5")), "more than 5 reports");
}

TEST(StageLabel, NamedUnnamedAndOutOfRange) {
  const auto plan =
      ParseTextProto<v1::RampPlan>("stages { name: 'internal' all: true } stages { count: 20 }");
  EXPECT_EQ(StageLabel(plan, 1), "stage 1 (\"internal\")");
  EXPECT_EQ(StageLabel(plan, 2), "stage 2");
  EXPECT_EQ(StageLabel(plan, 3), "stage 3");
  EXPECT_EQ(StageLabel(plan, 0), "stage 0");
  EXPECT_EQ(FormatStageSequence(plan), "internal -> 20");
  EXPECT_EQ(FormatStageSequence(v1::RampPlan()), "-");
}

TEST(RampStatusLabel, LowerCaseWords) {
  EXPECT_EQ(RampStatusLabel(v1::RAMP_STATUS_RUNNING), "running");
  EXPECT_EQ(RampStatusLabel(v1::RAMP_STATUS_ROLLED_BACK), "rolled back");
}

TEST(FormatRampServing, TheLatestStageAndTheBeta) {
  EXPECT_EQ(FormatRampServing(v1::RampServing()), "-");
  EXPECT_EQ(FormatRampServing(ParseTextProto<v1::RampServing>("beta_enrolled: 'acme'")),
            "not started, 1 account beta-enrolled");
  EXPECT_EQ(FormatRampServing(ParseTextProto<v1::RampServing>("active: true")), "started, serving nobody");
  EXPECT_EQ(FormatRampServing(ParseTextProto<v1::RampServing>(
                "active: true stages { stage: 1 name: 'internal' } stages { stage: 3 name: '20' } "
                "beta_enrolled: ['acme', 'kino']")),
            "stage 3 (\"20\") serving, 2 accounts beta-enrolled");
}

TEST(FormatPreviewSummary, CountsAndShortfall) {
  auto preview = ParseTextProto<v1::RampPreview>(
      "stage: 3 stage_name: '100' added_count: 80 dropped_count: 1 served_before: 20 "
      "served_after: 100");
  EXPECT_EQ(FormatPreviewSummary(preview),
            "stage 3 (\"100\") adds 80 accounts, drops 1; served 20 -> 100");
  preview.set_added_count(1);
  preview.set_shortfall(12);
  preview.clear_stage_name();
  EXPECT_EQ(FormatPreviewSummary(preview),
            "stage 3 adds 1 account, drops 1; served 20 -> 100; 12 short of its count");
}

TEST(PrintStageTable, OneRowAStage) {
  const auto plan = ParseTextProto<v1::RampPlan>(R"pb(
    stages {
      name: "internal"
      audience { segments: "internal" }
      all: true
      variant: "on"
    }
    stages {
      name: "20"
      audience { excluded_segments: "top-ltv" }
      count: 20
      variant: "on"
      advance { after { seconds: 172800 } }
      requires_approval: true
      max_problem_reports: 5
    }
    stages { all: true variant: "on" }
  )pb");
  std::ostringstream out;
  PrintStageTable(plan, out);
  EXPECT_EQ(out.str(),
            "#  name      audience                  size  unit     variant  advance    approval  "
            "problem gate\n"
            "1  internal  in internal               all   account  on       manual     -         "
            "-\n"
            "2  20        everyone, not in top-ltv  20    account  on       after 48h  required  "
            "more than 5 reports\n"
            "3  -         everyone                  all   account  on       -          -         "
            "-\n");
}

TEST(ParseTemplateSegments, PlaceholdersWithAndWithoutBraces) {
  google::protobuf::Map<std::string, std::string> out;
  EXPECT_OK(
      ParseTemplateSegments({"internal=staff", "{protected}=vip", "closed-beta=pilots"}, &out));
  EXPECT_EQ(out.size(), 3u);
  EXPECT_EQ(out.at("internal"), "staff");
  EXPECT_EQ(out.at("protected"), "vip");
  EXPECT_EQ(out.at("closed-beta"), "pilots");
}

TEST(ParseTemplateSegments, BadValuesNameTheOptionAndTheProblem) {
  google::protobuf::Map<std::string, std::string> out;
  EXPECT_THAT(ParseTemplateSegments({"staff"}, &out),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("--segment \"staff\""), HasSubstr("PLACEHOLDER=SEGMENT"))));
  EXPECT_THAT(ParseTemplateSegments({"internal="}, &out),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("PLACEHOLDER=SEGMENT")));
  EXPECT_THAT(ParseTemplateSegments({"beta=pilots"}, &out),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown placeholder \"beta\" (use internal, closed-beta or "
                                 "protected)")));
  EXPECT_THAT(ParseTemplateSegments({"internal=a", "{internal}=b"}, &out),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("placeholder \"internal\" given twice")));
}

class PlanFileTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& content) {
    const std::string path = tmp_.path() + "/plan.json";
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

 private:
  testing::TempDir tmp_;
};

TEST_F(PlanFileTest, ReadsAPlanInProtobufJson) {
  const std::string path = Write(R"({
    "stages": [
      {"name": "internal", "audience": {"segments": ["internal"]}, "all": true,
       "advance": {"after": "172800s"}},
      {"name": "20", "count": "20", "requires_approval": true, "maxProblemReports": 5},
      {"percent_thousandths": 25000, "unit": "ROLLOUT_UNIT_USER",
       "advance": {"at": "2026-12-01T09:00:00Z"}},
      {"all": true}
    ],
    "protected_segments": ["top-ltv"]
  })");
  const absl::StatusOr<v1::RampPlan> plan = ReadRampPlanFile(path);
  ASSERT_OK(plan);
  ASSERT_EQ(plan->stages_size(), 4);
  EXPECT_EQ(plan->stages(0).advance().after().seconds(), 172800);
  EXPECT_EQ(plan->stages(1).count(), 20u);
  EXPECT_EQ(plan->stages(1).max_problem_reports(), 5u);
  EXPECT_EQ(FormatStageSize(plan->stages(2)), "25%");
  EXPECT_EQ(FormatAdvance(plan->stages(2).advance(), false), "at 2026-12-01T09:00:00Z");
  EXPECT_EQ(plan->protected_segments(0), "top-ltv");
}

TEST_F(PlanFileTest, AnUnknownFieldIsNamedWithTheFile) {
  const std::string path = Write(R"({"stages": [{"name": "x", "cout": 20}]})");
  EXPECT_THAT(ReadRampPlanFile(path),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("--file \"" + path + "\""), HasSubstr("rampart.v1.RampPlan"),
                             HasSubstr("cout"))));
}

TEST_F(PlanFileTest, NotJsonOrMissingFile) {
  EXPECT_THAT(ReadRampPlanFile(Write("{\"stages\": [")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not a rampart.v1.RampPlan")));
  EXPECT_THAT(ReadRampPlanFile("/nonexistent/plan.json"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("--file \"/nonexistent/plan.json\": cannot read")));
}

TEST_F(PlanFileTest, AWholeRampOrTemplateSaysWhereItsPlanIs) {
  EXPECT_THAT(ReadRampPlanFile(Write(R"({"key": "new-editor", "status": "RAMP_STATUS_DRAFT",
                                         "plan": {"stages": [{"all": true}]}})")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("holds a Ramp (as `ramp show --output json` prints it), not a "
                                 "RampPlan: give the value of its \"plan\"")));
  EXPECT_THAT(ReadRampPlanFile(Write(R"({"key": "b2b-default", "built_in": true,
                                         "plan": {"stages": [{"all": true}]}})")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("holds a RampTemplate (as `ramp template show --output json` "
                                 "prints it), not a RampPlan")));
}

TEST_F(PlanFileTest, NoStagesOrAStageWithoutSize) {
  EXPECT_THAT(ReadRampPlanFile(Write(R"({"description": "empty"})")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("the plan has no stages")));
  EXPECT_THAT(ReadRampPlanFile(Write(R"({"stages": [{"count": 20}, {"name": "closed beta"}]})")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("stage 2 (\"closed beta\"): no size (give \"count\", "
                                 "\"percent_thousandths\" or \"all\": true)")));
}

TEST_F(PlanFileTest, ATemplateFileTakesItsKeyFromTheArgumentOrTheFile) {
  const std::string path = Write(R"({"key": "fast", "plan": {"stages": [{"all": true}]}})");
  const absl::StatusOr<v1::RampTemplate> from_file = ReadRampTemplateFile(path, "");
  ASSERT_OK(from_file);
  EXPECT_EQ(from_file->key(), "fast");
  EXPECT_THAT(ReadRampTemplateFile(path, "slow"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("differs from the key")));
  EXPECT_THAT(ReadRampTemplateFile(Write(R"({"key": "fast"})"), ""),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("the plan has no stages")));
}

}  // namespace
}  // namespace rampart::cli
