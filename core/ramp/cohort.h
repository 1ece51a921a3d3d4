// Cohort selection for the count stages of a ramp (issue 4): which accounts a
// stage of "20", "100", "500" or "all" accounts serves, given the cohort the
// previous stage picked and the accounts eligible now. Plain C++ types, no
// protos and no storage: the ramp model, its storage, the scheduler and the
// preview build on it. core/ramp/plan_check.h has the checks of a plan's
// stage sizes and protected segments.
//
// The stable order of a ramp (reproducible by anyone who has the keys):
//   accounts sort by eval::BucketOf(salt, account_key) ascending, the 32-bit
//   MurmurHash3 bucket of "<salt>:<account_key>" that percentage rollouts use
//   (core/eval/bucketing.h, docs/bucketing.md), and accounts with equal
//   buckets by key, bytewise ascending.
// Use the flag rollout's salt (the flag key by default). Then a count cohort
// picked from scratch is the accounts with the lowest buckets, the same ones a
// percentage stage serves first (it serves bucket < threshold), so a later
// percentage stage large enough to cover the cohort's highest bucket keeps
// all of it; DroppedByPercentStage tells when it would not.
//
// Cohorts are sticky and grow (domain promise 2): a step keeps every earlier
// member that is still eligible, in the order they were picked, then adds the
// next eligible accounts in the stable order. Nothing is picked between steps,
// so an account created later joins only when a later step picks it. The one
// way out is ineligibility (the account moved into a protected or excluded
// segment): it leaves at the next step, which reports it in `dropped`.
//
// Thread-safety: pure functions of their arguments; safe to call concurrently.
#ifndef RAMPART_CORE_RAMP_COHORT_H_
#define RAMPART_CORE_RAMP_COHORT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace rampart::ramp {

// True when account `a` comes before account `b` in the stable order of the
// ramp salted with `salt` (see the top of this file). Hashes both keys: to
// sort many keys, use SortInRampOrder.
bool PrecedesInRampOrder(absl::string_view salt, absl::string_view a, absl::string_view b);

// `keys` in the stable order of the ramp salted with `salt` (duplicates kept).
// For previews and tests; NextCohort selects without sorting everything.
std::vector<std::string> SortInRampOrder(absl::string_view salt,
                                         absl::Span<const std::string> keys);

// The size a count stage asks for: a number of accounts, or all the eligible
// ones.
struct CohortTarget {
  static CohortTarget Count(size_t n) { return CohortTarget{false, n}; }
  static CohortTarget All() { return CohortTarget{true, 0}; }

  bool all = false;
  size_t count = 0;  // used when !all
};

struct CohortRequest {
  // The ramp's salt: the flag rollout's salt, else the flag key.
  absl::string_view salt;
  // The cohort of the previous step, in the order its members were picked
  // (CohortStep::cohort of that step); empty for the first count stage.
  // No duplicates.
  absl::Span<const std::string> previous;
  // The keys of the accounts eligible now: in the stage's audience and in no
  // protected or excluded segment (the caller decides). Any order; no
  // duplicates (a key listed twice could be picked twice).
  absl::Span<const std::string> eligible;
  CohortTarget target;
};

struct CohortStep {
  // The new cohort: the members of `previous` still eligible, in their
  // order, then `added`.
  std::vector<std::string> cohort;
  // Accounts picked by this step, in the stable order.
  std::vector<std::string> added;
  // Members of `previous` no longer eligible, in their order in `previous`.
  // They are not in `cohort`: they leave at this step.
  std::vector<std::string> dropped;
  // True when the target count is below the number of members kept from
  // `previous`: all of them are kept anyway (a cohort never shrinks), and
  // nothing is added.
  bool target_below_sticky = false;
  // How many accounts the target count asked for beyond those eligible
  // (0 when the target is met or is "all"): the cohort is every eligible
  // account and still that many short.
  size_t shortfall = 0;
};

// The cohort of the next count step (see the top of this file). The target
// counts the whole cohort, kept members included: from a cohort of 20 a
// target of 100 adds 80, or 81 when one of the 20 was dropped. "All" adds
// every eligible account not yet in. O(E + P + K log K) for E eligible
// accounts, P previous members and K added ones (partial selection on the
// buckets, no full sort unless K is close to E). Never fails.
CohortStep NextCohort(const CohortRequest& request);

// The members of `cohort` that a percentage stage of `percent_thousandths`
// (thousandths of a percent, 100000 = 100 %) salted with `salt` would not
// serve: those with eval::BucketOf(salt, key) >= eval::BucketThreshold(
// percent_thousandths), in their order in `cohort`. Empty when the stage
// keeps everyone; otherwise a plan must refuse the stage or raise it ("a
// percentage stage would drop N accounts an earlier count stage included"),
// or the ramp would break promise 2. For account-unit percentage stages only:
// a user-unit stage buckets users, not accounts. Percentages above 100 % are
// treated as 100 %.
std::vector<std::string> DroppedByPercentStage(absl::string_view salt, uint32_t percent_thousandths,
                                               absl::Span<const std::string> cohort);

// The smallest percentage, in thousandths of a percent, at which a percentage
// stage salted with `salt` serves every member of `cohort` (0 for an empty
// cohort; at most 100000). What a plan can suggest instead of a percentage
// stage that DroppedByPercentStage refuses.
uint32_t MinPercentKeepingCohort(absl::string_view salt, absl::Span<const std::string> cohort);

}  // namespace rampart::ramp

#endif  // RAMPART_CORE_RAMP_COHORT_H_
