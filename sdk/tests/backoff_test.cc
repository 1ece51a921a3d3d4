#include "sdk/src/backoff.h"

#include "gtest/gtest.h"

namespace rampart::sdk {
namespace {

TEST(Backoff, FullJitterUnderADoublingCeilingThenReset) {
  Backoff b(absl::Milliseconds(100), absl::Seconds(1), /*seed=*/42);
  const absl::Duration ceilings[] = {absl::Milliseconds(100), absl::Milliseconds(200),
                                     absl::Milliseconds(400), absl::Milliseconds(800),
                                     absl::Seconds(1),        absl::Seconds(1)};
  for (absl::Duration ceiling : ceilings) {
    EXPECT_EQ(b.Ceiling(), ceiling);
    const absl::Duration d = b.Next();
    EXPECT_GE(d, absl::ZeroDuration());
    EXPECT_LE(d, ceiling);
  }
  b.Reset();
  EXPECT_EQ(b.Ceiling(), absl::Milliseconds(100));
}

TEST(Backoff, DelaysAreSpread) {
  Backoff b(absl::Seconds(10), absl::Seconds(10), /*seed=*/7);
  absl::Duration lo = absl::InfiniteDuration(), hi = absl::ZeroDuration();
  for (int i = 0; i < 200; ++i) {
    const absl::Duration d = b.Next();
    lo = std::min(lo, d);
    hi = std::max(hi, d);
  }
  EXPECT_LT(lo, absl::Seconds(2));
  EXPECT_GT(hi, absl::Seconds(8));
}

}  // namespace
}  // namespace rampart::sdk
