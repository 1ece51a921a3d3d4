#include "core/ramp/cohort.h"

#include <algorithm>
#include <cassert>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "core/eval/bucketing.h"

namespace rampart::ramp {
namespace {

// An account's place in the stable order. The view borrows the caller's key.
struct OrderKey {
  uint32_t bucket;
  absl::string_view key;
};

bool operator<(const OrderKey& a, const OrderKey& b) {
  if (a.bucket != b.bucket) return a.bucket < b.bucket;
  return a.key < b.key;  // bytewise, as std::string compares
}

OrderKey OrderKeyOf(absl::string_view salt, absl::string_view key) {
  return OrderKey{eval::BucketOf(salt, key), key};
}

// Puts the `k` smallest of `keys` first, sorted; the rest in any order.
// nth_element + sort of the k is O(n + k log k), against O(n log n) for a full
// sort: the usual step adds a few hundred accounts out of 100 000.
void SelectSmallest(std::vector<OrderKey>& keys, size_t k) {
  if (k < keys.size()) {
    std::nth_element(keys.begin(), keys.begin() + k, keys.end());
  }
  std::sort(keys.begin(), keys.begin() + std::min(k, keys.size()));
}

}  // namespace

bool PrecedesInRampOrder(absl::string_view salt, absl::string_view a, absl::string_view b) {
  return OrderKeyOf(salt, a) < OrderKeyOf(salt, b);
}

std::vector<std::string> SortInRampOrder(absl::string_view salt,
                                         absl::Span<const std::string> keys) {
  std::vector<OrderKey> order;
  order.reserve(keys.size());
  for (const std::string& key : keys) order.push_back(OrderKeyOf(salt, key));
  std::sort(order.begin(), order.end());
  std::vector<std::string> sorted;
  sorted.reserve(order.size());
  for (const OrderKey& o : order) sorted.emplace_back(o.key);
  return sorted;
}

CohortStep NextCohort(const CohortRequest& request) {
  // Which previous members are still eligible: index the (usually small)
  // previous cohort and mark its members while scanning the eligible keys
  // once; the other eligible keys are the candidates.
  absl::flat_hash_map<absl::string_view, size_t> previous_index;
  previous_index.reserve(request.previous.size());
  for (size_t i = 0; i < request.previous.size(); ++i) {
    const bool inserted = previous_index.emplace(request.previous[i], i).second;
    assert(inserted && "CohortRequest.previous has a duplicate key");
    (void)inserted;
  }
  std::vector<bool> still_eligible(request.previous.size(), false);
  std::vector<OrderKey> candidates;
  candidates.reserve(request.eligible.size());
  for (const std::string& key : request.eligible) {
    auto it = previous_index.find(key);
    if (it != previous_index.end()) {
      still_eligible[it->second] = true;
    } else {
      candidates.push_back(OrderKeyOf(request.salt, key));
    }
  }

  CohortStep step;
  for (size_t i = 0; i < request.previous.size(); ++i) {
    (still_eligible[i] ? step.cohort : step.dropped).push_back(request.previous[i]);
  }
  const size_t sticky = step.cohort.size();

  size_t to_add = candidates.size();
  if (!request.target.all) {
    const size_t wanted = request.target.count;
    step.target_below_sticky = wanted < sticky;
    const size_t wanted_new = wanted > sticky ? wanted - sticky : 0;
    to_add = std::min(wanted_new, candidates.size());
    step.shortfall = wanted_new - to_add;
  }

  SelectSmallest(candidates, to_add);
  step.added.reserve(to_add);
  step.cohort.reserve(sticky + to_add);
  for (size_t i = 0; i < to_add; ++i) {
    step.added.emplace_back(candidates[i].key);
    step.cohort.emplace_back(candidates[i].key);
  }
  return step;
}

std::vector<std::string> DroppedByPercentStage(absl::string_view salt, uint32_t percent_thousandths,
                                               absl::Span<const std::string> cohort) {
  const uint64_t threshold =
      eval::BucketThreshold(std::min(percent_thousandths, eval::kWeightTotal));
  std::vector<std::string> dropped;
  for (const std::string& key : cohort) {
    if (eval::BucketOf(salt, key) >= threshold) dropped.push_back(key);
  }
  return dropped;
}

uint32_t MinPercentKeepingCohort(absl::string_view salt, absl::Span<const std::string> cohort) {
  if (cohort.empty()) return 0;
  uint64_t max_bucket = 0;
  for (const std::string& key : cohort) {
    max_bucket = std::max<uint64_t>(max_bucket, eval::BucketOf(salt, key));
  }
  // The smallest p with BucketThreshold(p) = floor(p * 2^32 / 100000) >
  // max_bucket, i.e. p * 2^32 / 100000 >= max_bucket + 1:
  // p = ceil((max_bucket + 1) * 100000 / 2^32). At most 100000, since
  // max_bucket + 1 <= 2^32; the product fits in 64 bits.
  const uint64_t numerator = (max_bucket + 1) * eval::kWeightTotal;
  const uint64_t p = (numerator + (uint64_t{1} << 32) - 1) >> 32;
  assert(eval::BucketThreshold(p) > max_bucket);
  assert(p == 0 || eval::BucketThreshold(p - 1) <= max_bucket);
  return static_cast<uint32_t>(p);
}

}  // namespace rampart::ramp
