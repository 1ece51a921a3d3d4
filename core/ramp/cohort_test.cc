#include "core/ramp/cohort.h"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "core/eval/bucketing.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace rampart::ramp {
namespace {

using ::testing::Contains;
using ::testing::ElementsAreArray;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAreArray;

constexpr absl::string_view kSalt = "new-invoice-editor";

std::vector<std::string> Keys(absl::string_view prefix, int n) {
  std::vector<std::string> keys;
  for (int i = 0; i < n; ++i) keys.push_back(absl::StrCat(prefix, i));
  return keys;
}

CohortStep Step(absl::Span<const std::string> previous, absl::Span<const std::string> eligible,
                CohortTarget target, absl::string_view salt = kSalt) {
  return NextCohort(CohortRequest{salt, previous, eligible, target});
}

// The documented order, computed here straight from BucketOf.
std::vector<std::string> ByBucketThenKey(std::vector<std::string> keys) {
  std::sort(keys.begin(), keys.end(), [](const std::string& a, const std::string& b) {
    const uint32_t ba = eval::BucketOf(kSalt, a), bb = eval::BucketOf(kSalt, b);
    return ba != bb ? ba < bb : a < b;
  });
  return keys;
}

std::vector<std::string> Without(const std::vector<std::string>& keys,
                                 const std::vector<std::string>& removed) {
  const absl::flat_hash_set<std::string> gone(removed.begin(), removed.end());
  std::vector<std::string> rest;
  for (const std::string& k : keys) {
    if (!gone.contains(k)) rest.push_back(k);
  }
  return rest;
}

TEST(NextCohortTest, SameInputsGiveTheSameCohortWhateverTheOrderOfEligibleAccounts) {
  const std::vector<std::string> eligible = Keys("acct-", 5000);
  const CohortStep first = Step({}, eligible, CohortTarget::Count(100));
  std::vector<std::string> shuffled = eligible;
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(42));
  const CohortStep again = Step({}, shuffled, CohortTarget::Count(100));
  EXPECT_THAT(again.cohort, ElementsAreArray(first.cohort));
  EXPECT_THAT(again.added, ElementsAreArray(first.added));
  // Another salt (another flag) picks other accounts.
  const CohortStep other = Step({}, eligible, CohortTarget::Count(100), "checkout-v2");
  EXPECT_NE(other.cohort, first.cohort);
}

TEST(NextCohortTest, PicksInTheDocumentedOrderBucketThenKey) {
  const std::vector<std::string> eligible = Keys("acct-", 1000);
  const CohortStep step = Step({}, eligible, CohortTarget::Count(10));
  const std::vector<std::string> expected = ByBucketThenKey(eligible);
  EXPECT_THAT(step.added, ElementsAreArray(expected.begin(), expected.begin() + 10));
  EXPECT_THAT(step.cohort, ElementsAreArray(step.added));
  for (size_t i = 1; i < step.added.size(); ++i) {
    EXPECT_LE(eval::BucketOf(kSalt, step.added[i - 1]), eval::BucketOf(kSalt, step.added[i]));
  }
  // Every account left out has a bucket above the last one picked.
  const uint32_t last = eval::BucketOf(kSalt, step.added.back());
  for (const std::string& key : Without(eligible, step.added)) {
    EXPECT_GT(eval::BucketOf(kSalt, key), last) << key;
  }
  EXPECT_THAT(SortInRampOrder(kSalt, eligible), ElementsAreArray(expected));
}

TEST(NextCohortTest, EqualBucketsAreOrderedByKey) {
  // Find two keys with one bucket (among 200 000 keys a collision of the 32-bit
  // hash is all but certain, and the keys are fixed, so the test is too).
  absl::flat_hash_map<uint32_t, std::string> seen;
  std::string a, b;
  for (int i = 0; i < 200000 && a.empty(); ++i) {
    std::string key = absl::StrCat("tie-", i);
    auto [it, inserted] = seen.emplace(eval::BucketOf(kSalt, key), key);
    if (!inserted) {
      a = std::min(it->second, key);
      b = std::max(it->second, key);
    }
  }
  ASSERT_FALSE(a.empty()) << "no bucket collision found";
  ASSERT_EQ(eval::BucketOf(kSalt, a), eval::BucketOf(kSalt, b));
  EXPECT_TRUE(PrecedesInRampOrder(kSalt, a, b));
  EXPECT_FALSE(PrecedesInRampOrder(kSalt, b, a));
  EXPECT_THAT(SortInRampOrder(kSalt, {b, a}), ElementsAreArray({a, b}));
  EXPECT_THAT(Step({}, {b, a}, CohortTarget::Count(1)).added, ElementsAreArray({a}));
}

TEST(NextCohortTest, GrowingStagesKeepEveryEarlierMemberInOrder) {
  const std::vector<std::string> eligible = Keys("acct-", 3000);
  std::vector<std::string> cohort;
  for (CohortTarget target : {CohortTarget::Count(20), CohortTarget::Count(100),
                              CohortTarget::Count(500), CohortTarget::All()}) {
    const CohortStep step = Step(cohort, eligible, target);
    const size_t expected_size = target.all ? eligible.size() : target.count;
    ASSERT_THAT(step.cohort, SizeIs(expected_size));
    // The earlier cohort is a prefix of the new one, then come the added ones.
    EXPECT_TRUE(std::equal(cohort.begin(), cohort.end(), step.cohort.begin()));
    EXPECT_TRUE(
        std::equal(step.added.begin(), step.added.end(), step.cohort.begin() + cohort.size()));
    EXPECT_THAT(step.added, SizeIs(expected_size - cohort.size()));
    EXPECT_THAT(step.dropped, IsEmpty());
    EXPECT_FALSE(step.target_below_sticky);
    EXPECT_EQ(step.shortfall, 0u);
    cohort = step.cohort;
  }
  EXPECT_THAT(cohort, UnorderedElementsAreArray(eligible));
  // With nothing dropped, 20 -> 100 -> 500 picks what 500 from scratch picks.
  EXPECT_THAT(Step({}, eligible, CohortTarget::Count(500)).cohort,
              ElementsAreArray(cohort.begin(), cohort.begin() + 500));
}

TEST(NextCohortTest, AnAccountThatBecomesIneligibleIsDroppedAndReplaced) {
  const std::vector<std::string> eligible = Keys("acct-", 2000);
  const CohortStep first = Step({}, eligible, CohortTarget::Count(100));
  // Three members move into a protected or excluded segment.
  const std::vector<std::string> moved = {first.cohort[70], first.cohort[3], first.cohort[41]};
  const std::vector<std::string> eligible_now = Without(eligible, moved);

  const CohortStep step = Step(first.cohort, eligible_now, CohortTarget::Count(100));
  EXPECT_THAT(step.dropped, ElementsAreArray({first.cohort[3], first.cohort[41],
                                              first.cohort[70]}));  // in cohort order
  EXPECT_THAT(step.cohort, SizeIs(100));
  const std::vector<std::string> kept = Without(first.cohort, moved);
  EXPECT_TRUE(std::equal(kept.begin(), kept.end(), step.cohort.begin()));
  // Their seats go to the next three in the stable order.
  const std::vector<std::string> order = ByBucketThenKey(eligible);
  EXPECT_THAT(step.added, ElementsAreArray(order.begin() + 100, order.begin() + 103));
  for (const std::string& key : moved) {
    EXPECT_EQ(std::count(step.cohort.begin(), step.cohort.end(), key), 0) << key;
  }
}

TEST(NextCohortTest, NewAccountsJoinOnlyWhenALaterStepPicksThem) {
  const std::vector<std::string> old_accounts = Keys("acct-", 1000);
  const CohortStep first = Step({}, old_accounts, CohortTarget::Count(20));
  const uint32_t cohort_max = eval::BucketOf(kSalt, first.cohort.back());

  // Accounts created later; pick the new one with the lowest bucket, which is
  // below the cohort's highest (the test needs one that would have been
  // picked had it existed at the first step).
  const std::vector<std::string> created = Keys("later-", 500);
  const std::string lowest_new = ByBucketThenKey(created).front();
  ASSERT_LT(eval::BucketOf(kSalt, lowest_new), cohort_max);
  std::vector<std::string> eligible = old_accounts;
  eligible.insert(eligible.end(), created.begin(), created.end());

  // Re-running the same stage displaces nobody and adds nobody.
  const CohortStep same = Step(first.cohort, eligible, CohortTarget::Count(20));
  EXPECT_THAT(same.cohort, ElementsAreArray(first.cohort));
  EXPECT_THAT(same.added, IsEmpty());

  // The next stage picks in the stable order among those not yet in: every old
  // account left has a bucket above the cohort's, so the lowest new one is first.
  const CohortStep next = Step(first.cohort, eligible, CohortTarget::Count(21));
  EXPECT_THAT(next.added, ElementsAreArray({lowest_new}));
  const CohortStep wider = Step(first.cohort, eligible, CohortTarget::Count(100));
  const std::vector<std::string> rest = ByBucketThenKey(Without(eligible, first.cohort));
  EXPECT_THAT(wider.added, ElementsAreArray(rest.begin(), rest.begin() + 80));
}

TEST(NextCohortTest, ATargetBelowTheStickyMembersNeverShrinksTheCohort) {
  const std::vector<std::string> eligible = Keys("acct-", 1000);
  const CohortStep first = Step({}, eligible, CohortTarget::Count(100));

  const CohortStep smaller = Step(first.cohort, eligible, CohortTarget::Count(20));
  EXPECT_TRUE(smaller.target_below_sticky);
  EXPECT_THAT(smaller.cohort, ElementsAreArray(first.cohort));
  EXPECT_THAT(smaller.added, IsEmpty());
  EXPECT_EQ(smaller.shortfall, 0u);

  const CohortStep equal = Step(first.cohort, eligible, CohortTarget::Count(100));
  EXPECT_FALSE(equal.target_below_sticky);
  EXPECT_THAT(equal.cohort, ElementsAreArray(first.cohort));
}

TEST(NextCohortTest, TooFewEligibleAccountsTakesAllOfThemAndReportsTheShortfall) {
  const std::vector<std::string> eligible = Keys("acct-", 50);
  const CohortStep step = Step({}, eligible, CohortTarget::Count(100));
  EXPECT_THAT(step.cohort, UnorderedElementsAreArray(eligible));
  EXPECT_EQ(step.shortfall, 50u);
  EXPECT_EQ(Step({}, eligible, CohortTarget::All()).shortfall, 0u);
  EXPECT_THAT(Step({}, {}, CohortTarget::All()).cohort, IsEmpty());
}

TEST(NextCohortTest, AllOverOneHundredThousandAccountsHasEachAccountOnce) {
  const std::vector<std::string> eligible = Keys("acct-", 100000);
  const CohortStep first = Step({}, eligible, CohortTarget::Count(500));
  const CohortStep all = Step(first.cohort, eligible, CohortTarget::All());
  ASSERT_THAT(all.cohort, SizeIs(eligible.size()));
  EXPECT_THAT(all.added, SizeIs(eligible.size() - 500));
  const absl::flat_hash_set<std::string> unique(all.cohort.begin(), all.cohort.end());
  EXPECT_EQ(unique.size(), eligible.size());
  EXPECT_TRUE(std::equal(first.cohort.begin(), first.cohort.end(), all.cohort.begin()));
}

TEST(PercentStageTest, ReportsTheCohortMembersAPercentageStageWouldDrop) {
  const std::vector<std::string> cohort = {"acme", "globex", "initech", "umbrella", "hooli"};
  for (uint32_t percent : {0u, 1000u, 25000u, 50000u, 99999u, 100000u}) {
    std::vector<std::string> expected;
    for (const std::string& key : cohort) {
      if (eval::BucketOf(kSalt, key) >= eval::BucketThreshold(percent)) expected.push_back(key);
    }
    EXPECT_THAT(DroppedByPercentStage(kSalt, percent, cohort), ElementsAreArray(expected))
        << percent;
  }
  EXPECT_THAT(DroppedByPercentStage(kSalt, 0, cohort), ElementsAreArray(cohort));
  EXPECT_THAT(DroppedByPercentStage(kSalt, 100000, cohort), IsEmpty());
}

TEST(PercentStageTest, MinPercentIsTheSmallestThatKeepsTheWholeCohort) {
  const std::vector<std::string> eligible = Keys("acct-", 100000);
  const CohortStep count_stage = Step({}, eligible, CohortTarget::Count(1000));
  const uint32_t min = MinPercentKeepingCohort(kSalt, count_stage.cohort);
  // 1 000 of 100 000 accounts with the lowest buckets: about 1 %.
  EXPECT_GT(min, 800u);
  EXPECT_LT(min, 1200u);
  EXPECT_THAT(DroppedByPercentStage(kSalt, min, count_stage.cohort), IsEmpty());
  // One thousandth of a percent less drops the member with the highest bucket.
  EXPECT_THAT(DroppedByPercentStage(kSalt, min - 1, count_stage.cohort),
              Contains(count_stage.cohort.back()));
  EXPECT_EQ(MinPercentKeepingCohort(kSalt, {}), 0u);

  // A sticky member with a high bucket (picked when the lower ones were not
  // eligible) raises the minimum: a 25 % stage would drop it.
  std::string high;
  for (const std::string& key : eligible) {
    if (eval::BucketOf(kSalt, key) >= eval::BucketThreshold(90000)) {
      high = key;
      break;
    }
  }
  std::vector<std::string> cohort = count_stage.cohort;
  cohort.push_back(high);
  EXPECT_THAT(DroppedByPercentStage(kSalt, 25000, cohort), ElementsAreArray({high}));
  EXPECT_GE(MinPercentKeepingCohort(kSalt, cohort), 90000u);
}

}  // namespace
}  // namespace rampart::ramp
