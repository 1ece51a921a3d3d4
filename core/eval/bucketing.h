// Bucketing for percentage rollouts: which variant of a Rollout a unit (an
// account or a user) gets. It is a contract, not a detail: the server, the C++
// SDK and any SDK in another language must place every unit in the same
// bucket, or a user would see a feature flip between a server-rendered page
// and the app. docs/bucketing.md states the algorithm for other
// implementations, with test vectors that bucketing_test.cc also asserts.
// Never change the algorithm; a new one would need a new field in the proto.
//
// The algorithm:
//   1. bucket = MurmurHash3_x86_32(salt + ":" + unit_key, seed 0), over the
//      UTF-8 bytes, read as unsigned; a uint32 in [0, 2^32).
//   2. Weights are in thousandths of a percent (kWeightTotal = 100000 is
//      100 %). Variant i's threshold is floor(cumulative_i * 2^32 / 100000),
//      where cumulative_i is the sum of the weights of variants 0..i, computed
//      in 64 bits (the last threshold is 2^32 itself, above every bucket).
//   3. The unit gets the first variant, in the order listed, with
//      bucket < threshold.
// So raising the first variant's weight only ever adds units to it (its
// threshold only grows), and, in general, moving weight from variant i+1 to
// variant i moves units only from i+1 to i: a ramp never reshuffles the units
// it has already served.
//
// Thread-safety: pure functions. None allocates for inputs up to
// kMaxUnitKeyLength-long salts and unit keys; longer ones hash incrementally,
// still without allocating.
#ifndef RAMPART_CORE_EVAL_BUCKETING_H_
#define RAMPART_CORE_EVAL_BUCKETING_H_

#include <cstddef>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace rampart::eval {

// 100 %, in the unit of WeightedVariant.weight (thousandths of a percent).
inline constexpr uint32_t kWeightTotal = 100000;

// Salts and unit keys up to this length are joined in a stack buffer.
inline constexpr size_t kMaxUnitKeyLength = 128;

// MurmurHash3_x86_32 (Austin Appleby's public-domain algorithm) of `data`'s
// bytes with `seed`.
uint32_t Murmur3_32(absl::string_view data, uint32_t seed = 0);

// The bucket of `unit_key` under `salt`: Murmur3_32("<salt>:<unit_key>", 0).
uint32_t BucketOf(absl::string_view salt, absl::string_view unit_key);

// floor(cumulative_weight * 2^32 / kWeightTotal). For cumulative_weight ==
// kWeightTotal it is 2^32, which no bucket reaches.
constexpr uint64_t BucketThreshold(uint64_t cumulative_weight) {
  return (cumulative_weight << 32) / kWeightTotal;
}

// The index of the first threshold above `bucket`, or thresholds.size() when
// none is (only possible when the weights add up to less than 100 %, which
// validation refuses).
size_t PickIndex(uint32_t bucket, absl::Span<const uint64_t> thresholds);

}  // namespace rampart::eval

#endif  // RAMPART_CORE_EVAL_BUCKETING_H_
