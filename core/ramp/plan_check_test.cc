#include "core/ramp/plan_check.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace rampart::ramp {
namespace {

using ::rampart::testing::StatusIs;
using ::testing::Eq;

StageSpec Stage(StageSize size, std::string name = "", std::vector<std::string> included = {}) {
  return StageSpec{std::move(name), size, std::move(included)};
}

// The b2b-default template of issue 4.
std::vector<StageSpec> B2bDefault() {
  return {Stage(StageSize::All(), "internal", {"staff"}),
          Stage(StageSize::All(), "closed beta", {"beta-requested"}),
          Stage(StageSize::Count(20)),
          Stage(StageSize::Count(100)),
          Stage(StageSize::Count(500)),
          Stage(StageSize::Count(1000)),
          Stage(StageSize::Percent(25000)),
          Stage(StageSize::All(), "everyone", {})};
}

TEST(FormatStageSizeTest, ShowsCountsPercentagesAndAll) {
  EXPECT_EQ(FormatStageSize(StageSize::Count(500)), "500");
  EXPECT_EQ(FormatStageSize(StageSize::Percent(25000)), "25%");
  EXPECT_EQ(FormatStageSize(StageSize::Percent(12500)), "12.5%");
  EXPECT_EQ(FormatStageSize(StageSize::Percent(12345)), "12.345%");
  EXPECT_EQ(FormatStageSize(StageSize::Percent(10)), "0.01%");
  EXPECT_EQ(FormatStageSize(StageSize::All()), "all");
}

TEST(CheckStageSizesTest, AcceptsGrowingPlansAndAllOfASmallerAudienceFirst) {
  EXPECT_OK(CheckStageSizes(B2bDefault()));
  EXPECT_OK(CheckStageSizes({Stage(StageSize::Count(20)), Stage(StageSize::Count(20))}));
  EXPECT_OK(CheckStageSizes({Stage(StageSize::Percent(1000)), Stage(StageSize::Count(5)),
                             Stage(StageSize::Percent(1000))}));
}

TEST(CheckStageSizesTest, RefusesACountSmallerThanAnEarlierCount) {
  EXPECT_THAT(CheckStageSizes({Stage(StageSize::Count(20)), Stage(StageSize::Count(1000)),
                               Stage(StageSize::Count(500))}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("stage 3: size 500 is smaller than stage 2's 1000")));
  // Against the latest count stage, across stages of other kinds, with names.
  EXPECT_THAT(
      CheckStageSizes({Stage(StageSize::Count(100), "hundred"), Stage(StageSize::Percent(5000)),
                       Stage(StageSize::All()), Stage(StageSize::Count(99), "oops")}),
      StatusIs(absl::StatusCode::kInvalidArgument,
               Eq("stage 4 (\"oops\"): size 99 is smaller than stage 1 (\"hundred\")'s 100")));
}

TEST(CheckStageSizesTest, RefusesAPercentageSmallerThanAnEarlierPercentage) {
  EXPECT_THAT(CheckStageSizes({Stage(StageSize::Count(20)), Stage(StageSize::Percent(25000)),
                               Stage(StageSize::Count(1000)), Stage(StageSize::Percent(12500))}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("stage 4: size 12.5% is smaller than stage 2's 25%")));
}

TEST(CheckStageSizesTest, RefusesEmptyPlansAndSizesOutOfRange) {
  EXPECT_THAT(CheckStageSizes({}),
              StatusIs(absl::StatusCode::kInvalidArgument, Eq("a ramp needs at least one stage")));
  EXPECT_THAT(CheckStageSizes({Stage(StageSize::Count(0))}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("stage 1: size 0: a count must be at least 1")));
  EXPECT_THAT(CheckStageSizes({Stage(StageSize::Count(1)), Stage(StageSize::Percent(100001))}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("stage 2: size 100.001%: a percentage must be in (0, 100%]")));
  EXPECT_THAT(CheckStageSizes({Stage(StageSize::Percent(0), "zero")}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("stage 1 (\"zero\"): size 0%: a percentage must be in (0, 100%]")));
  EXPECT_OK(CheckStageSizes({Stage(StageSize::Percent(100000))}));
}

TEST(CheckProtectedTest, OnlyTheFinalStageMayIncludeAProtectedSegment) {
  std::vector<StageSpec> plan = B2bDefault();
  plan.back().included_segments = {"top-ltv"};
  EXPECT_OK(CheckProtected(plan, {"top-ltv"}));
  // Audiences of everyone do not count as including it (protected accounts are
  // left out of the eligible ones before the final stage).
  EXPECT_OK(CheckProtected(B2bDefault(), {"top-ltv"}));

  plan[1].included_segments = {"beta-requested", "top-ltv"};
  EXPECT_THAT(CheckProtected(plan, {"enterprise", "top-ltv"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("stage 2 (\"closed beta\"): includes protected segment \"top-ltv\"; "
                          "only the final stage may")));
  plan[1].included_segments = {"beta-requested"};
  plan[3].included_segments = {"enterprise"};
  EXPECT_THAT(CheckProtected(plan, {"enterprise", "top-ltv"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       Eq("stage 4: includes protected segment \"enterprise\"; "
                          "only the final stage may")));
  EXPECT_OK(CheckProtected(plan, {}));
}

}  // namespace
}  // namespace rampart::ramp
