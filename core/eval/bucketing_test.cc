#include "core/eval/bucketing.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace rampart::eval {
namespace {

// ---------------------------------------------------------------------------
// MurmurHash3_x86_32: published vectors (the reference implementation's
// outputs, as quoted by SMHasher's verification tables and by ports in many
// languages). docs/bucketing.md lists the same ones.

struct HashVector {
  std::string data;
  uint32_t seed;
  uint32_t hash;
};

class Murmur3Test : public ::testing::TestWithParam<HashVector> {};

TEST_P(Murmur3Test, MatchesThePublishedValue) {
  const HashVector& v = GetParam();
  EXPECT_EQ(Murmur3_32(v.data, v.seed), v.hash)
      << "\"" << absl::CEscape(v.data) << "\" seed " << v.seed;
}

INSTANTIATE_TEST_SUITE_P(
    Published, Murmur3Test,
    ::testing::Values(
        HashVector{"", 0, 0x00000000}, HashVector{"", 1, 0x514E28B7},
        HashVector{"", 0xffffffff, 0x81F16F39}, HashVector{std::string(4, '\0'), 0, 0x2362F9DE},
        // Bytes >= 0x80 must be read as unsigned.
        HashVector{"\xff\xff\xff\xff", 0, 0x76293B50},
        HashVector{"\x21\x43\x65\x87", 0, 0xF55B516B},
        // Tails of 3, 2 and 1 bytes.
        HashVector{"\x21\x43\x65", 0, 0x7E4A8634}, HashVector{"\x21\x43", 0, 0xA0F7B07A},
        HashVector{"\x21", 0, 0x72661CF4}, HashVector{"hello", 0, 0x248BFA47},
        HashVector{"test", 0, 0xBA6BD213}, HashVector{"Hello, world!", 0, 0xC0363E43},
        HashVector{"Hello, world!", 0x9747b28c, 0x24884CBA},
        HashVector{"aaaa", 0x9747b28c, 0x5A97808A},
        HashVector{"The quick brown fox jumps over the lazy dog", 0, 0x2E4FF723},
        HashVector{"The quick brown fox jumps over the lazy dog", 0x9747b28c, 0x2FA826CD}));

TEST(Murmur3Test, DefaultSeedIsZero) { EXPECT_EQ(Murmur3_32("hello"), Murmur3_32("hello", 0)); }

// ---------------------------------------------------------------------------
// BucketOf

TEST(BucketOfTest, IsTheHashOfSaltColonKey) {
  EXPECT_EQ(BucketOf("new-editor", "acme"), Murmur3_32("new-editor:acme", 0));
  EXPECT_EQ(BucketOf("", ""), Murmur3_32(":", 0));
  EXPECT_EQ(BucketOf("", "acme"), Murmur3_32(":acme", 0));
  EXPECT_EQ(BucketOf("f", ""), Murmur3_32("f:", 0));
}

TEST(BucketOfTest, MatchesTheOtherBucketsInTheDocs) {
  EXPECT_EQ(BucketOf("f", "acme"), 3255830597u);
  EXPECT_EQ(BucketOf("f", "u-1"), 1819213089u);
  EXPECT_EQ(BucketOf("f", "u-2"), 2939667326u);
}

TEST(BucketOfTest, LongInputsHashTheSameAsShortOnes) {
  // Past the stack buffer BucketOf hashes incrementally; every split of the
  // join across salt, ':' and key must still give the one-shot hash.
  for (size_t salt_size : {0, 1, 2, 3, 4, 5, 127, 128, 129, 130, 131, 300}) {
    for (size_t key_size : {0, 1, 2, 3, 4, 128, 129, 130, 131, 132, 1000}) {
      std::string salt, key;
      for (size_t i = 0; i < salt_size; ++i) salt.push_back(static_cast<char>('a' + i % 26));
      for (size_t i = 0; i < key_size; ++i) key.push_back(static_cast<char>(0x80 + i % 100));
      EXPECT_EQ(BucketOf(salt, key), Murmur3_32(absl::StrCat(salt, ":", key), 0))
          << salt_size << " + " << key_size;
    }
  }
}

// ---------------------------------------------------------------------------
// Thresholds and selection

TEST(BucketThresholdTest, IsTheFloorOfTheShareOfTwoToThe32) {
  EXPECT_EQ(BucketThreshold(0), 0u);
  EXPECT_EQ(BucketThreshold(1), 42949u);  // 0.001 %: 4294967296 / 100000 = 42949.67
  EXPECT_EQ(BucketThreshold(1000), 42949672u);
  EXPECT_EQ(BucketThreshold(12345), 530213712u);
  EXPECT_EQ(BucketThreshold(25000), 1073741824u);
  EXPECT_EQ(BucketThreshold(50000), 2147483648u);
  EXPECT_EQ(BucketThreshold(99990), 4294537799u);
  EXPECT_EQ(BucketThreshold(kWeightTotal), uint64_t{1} << 32);  // above every bucket
}

TEST(PickIndexTest, PicksTheFirstThresholdAboveTheBucket) {
  const std::array<uint64_t, 3> t = {100, 100, 300};  // the second variant weighs 0
  EXPECT_EQ(PickIndex(0, t), 0u);
  EXPECT_EQ(PickIndex(99, t), 0u);
  EXPECT_EQ(PickIndex(100, t), 2u);  // the boundary belongs to the next variant
  EXPECT_EQ(PickIndex(299, t), 2u);
  EXPECT_EQ(PickIndex(300, t), 3u);  // weights short of 100 %: no variant
  EXPECT_EQ(PickIndex(0, {}), 0u);
}

TEST(PickIndexTest, AFullRolloutTakesEveryBucket) {
  const std::array<uint64_t, 2> t = {BucketThreshold(99999), BucketThreshold(kWeightTotal)};
  EXPECT_EQ(PickIndex(UINT32_MAX, t), 1u);
  const std::array<uint64_t, 1> all = {BucketThreshold(kWeightTotal)};
  EXPECT_EQ(PickIndex(UINT32_MAX, all), 0u);
}

// Picks a variant name for (salt, key) the way the engine does.
std::string Pick(absl::string_view salt, absl::string_view key,
                 const std::vector<std::pair<std::string, uint32_t>>& weights) {
  std::vector<uint64_t> thresholds;
  uint64_t cumulative = 0;
  for (const auto& [name, weight] : weights)
    thresholds.push_back(BucketThreshold(cumulative += weight));
  const size_t i = PickIndex(BucketOf(salt, key), thresholds);
  return i < weights.size() ? weights[i].first : "(none)";
}

// The vectors of docs/bucketing.md: an SDK in another language must
// reproduce every line.
struct BucketVector {
  std::string salt, key;
  uint32_t bucket;
  std::vector<std::pair<std::string, uint32_t>> weights;
  std::string variant;
};

class BucketVectorTest : public ::testing::TestWithParam<BucketVector> {};

TEST_P(BucketVectorTest, MatchesTheDocs) {
  const BucketVector& v = GetParam();
  EXPECT_EQ(BucketOf(v.salt, v.key), v.bucket) << v.salt << ":" << v.key;
  EXPECT_EQ(Pick(v.salt, v.key, v.weights), v.variant) << v.salt << ":" << v.key;
}

INSTANTIATE_TEST_SUITE_P(
    Docs, BucketVectorTest,
    ::testing::Values(
        BucketVector{"new-editor", "acme", 1450436413, {{"on", 50000}, {"off", 50000}}, "on"},
        BucketVector{"new-editor", "books", 2860164267, {{"on", 50000}, {"off", 50000}}, "off"},
        BucketVector{"new-editor", "kino", 3095668329, {{"on", 25000}, {"off", 75000}}, "off"},
        BucketVector{"f", "initech", 15251121, {{"on", 1000}, {"off", 99000}}, "on"},
        BucketVector{"f", "kino", 64495124, {{"on", 1000}, {"off", 99000}}, "off"},
        BucketVector{"f", "kino", 64495124, {{"on", 2000}, {"off", 98000}}, "on"},
        BucketVector{"f", "u-4", 4281446426, {{"on", 99500}, {"off", 500}}, "off"},
        BucketVector{"f", "u-4", 4281446426, {{"on", 99990}, {"off", 10}}, "on"},
        BucketVector{
            "checkout-v2", "acct-2", 1684639608, {{"a", 30000}, {"b", 10000}, {"c", 60000}}, "b"},
        BucketVector{
            "spring-2026", "acme", 86920227, {{"a", 12345}, {"b", 33333}, {"c", 54322}}, "a"}));

// ---------------------------------------------------------------------------
// Distribution and stickiness

// Buckets of "acct-0" .. "acct-999999" under one salt, computed once.
const std::vector<uint32_t>& MillionBuckets() {
  static const std::vector<uint32_t>* buckets = [] {
    auto* out = new std::vector<uint32_t>();
    out->reserve(1000000);
    for (int i = 0; i < 1000000; ++i)
      out->push_back(BucketOf("new-editor", absl::StrCat("acct-", i)));
    return out;
  }();
  return *buckets;
}

TEST(DistributionTest, AMillionAccountsLandWithinHalfAPointOfEachTarget) {
  for (uint32_t weight : {1u, 1000u, 10000u, 12345u, 25000u, 50000u, 75000u, 99000u, 99990u}) {
    const uint64_t threshold = BucketThreshold(weight);
    long in = 0;
    for (uint32_t bucket : MillionBuckets()) in += bucket < threshold;
    const double percent = in / 10000.0;
    const double target = weight / 1000.0;
    EXPECT_NEAR(percent, target, 0.5) << "target " << target << " %";
  }
}

TEST(DistributionTest, ThreeWaySplitIsEven) {
  const std::array<uint64_t, 3> t = {BucketThreshold(33333), BucketThreshold(66666),
                                     BucketThreshold(kWeightTotal)};
  std::array<long, 4> counts = {};
  for (uint32_t bucket : MillionBuckets()) ++counts[PickIndex(bucket, t)];
  EXPECT_NEAR(counts[0] / 10000.0, 33.333, 0.5);
  EXPECT_NEAR(counts[1] / 10000.0, 33.333, 0.5);
  EXPECT_NEAR(counts[2] / 10000.0, 33.334, 0.5);
  EXPECT_EQ(counts[3], 0);
}

TEST(StickinessTest, RaisingTheFirstWeightNeverMovesAUnitOutOfIt) {
  const std::vector<uint32_t> ramp = {0, 1, 1000, 5000, 20000, 50000, 99999, 100000};
  for (size_t step = 1; step < ramp.size(); ++step) {
    const std::array<uint64_t, 2> before = {BucketThreshold(ramp[step - 1]),
                                            BucketThreshold(kWeightTotal)};
    const std::array<uint64_t, 2> after = {BucketThreshold(ramp[step]),
                                           BucketThreshold(kWeightTotal)};
    long moved_out = 0, joined = 0;
    for (size_t i = 0; i < 100000; ++i) {
      const uint32_t bucket = MillionBuckets()[i];
      const bool had = PickIndex(bucket, before) == 0;
      const bool has = PickIndex(bucket, after) == 0;
      moved_out += had && !has;
      joined += !had && has;
    }
    EXPECT_EQ(moved_out, 0) << ramp[step - 1] << " -> " << ramp[step];
    if (ramp[step] - ramp[step - 1] >= 1000) {
      EXPECT_GT(joined, 0) << ramp[step - 1] << " -> " << ramp[step];
    }
  }
}

TEST(StickinessTest, SaltReshuffles) {
  const uint64_t half = BucketThreshold(50000);
  long same = 0;
  for (int i = 0; i < 10000; ++i) {
    const std::string key = absl::StrCat("acct-", i);
    same += (BucketOf("new-editor", key) < half) == (BucketOf("new-editor-2", key) < half);
  }
  // Independent halves agree about half the time.
  EXPECT_NEAR(same / 100.0, 50.0, 3.0);
}

}  // namespace
}  // namespace rampart::eval
