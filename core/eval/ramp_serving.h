// What a started ramp serves (v1::RampServing, written into Flag.ramp by the
// server), compiled for evaluation. One implementation for every caller: the
// engine (server Evaluate and the SDK, reason STAGE) and the server's ramp
// planner (who a step adds, who is served), so they cannot disagree
// (domain promise 1).
//
// An entered stage serves an account when:
//   count stage:      the account is in its cohort (the audience was checked
//                     when the cohort was picked; it changes only at a step);
//   percent / all:    the account is in the audience (in any of its segments,
//                     or everyone; in none of its excluded segments; enrolled
//                     in the beta when the audience says so), is in no
//                     protected segment unless the stage is the plan's final
//                     one, and (percent) its unit's bucket under the ramp's
//                     salt is below the stage's threshold.
// The latest entered stage that serves the account decides its variant.
//
// Thread-safety: immutable after construction; Match may run concurrently.
#ifndef RAMPART_CORE_EVAL_RAMP_SERVING_H_
#define RAMPART_CORE_EVAL_RAMP_SERVING_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"
#include "rampart/v1/model.pb.h"

namespace rampart::eval {

// Every segment the view names: its stages' audiences and exclusions and its
// protected segments (what a snapshot must hold to evaluate it). The
// visitor may see a key more than once.
void ForEachSegmentNamedBy(const v1::RampServing& serving,
                           absl::FunctionRef<void(const std::string&)> fn);
absl::flat_hash_set<std::string> SegmentsNamedBy(const v1::RampServing& serving);

class CompiledRamp {
 public:
  // `serving` must outlive this object (views point into it).
  explicit CompiledRamp(const v1::RampServing& serving);

  // True once the ramp has started: it, not the flag's rollout, decides
  // after the rules.
  bool active() const { return active_; }

  // Whether the account is in the segment with this key (unknown segment:
  // false). Called only for segments the stages name.
  using InSegment = absl::FunctionRef<bool(absl::string_view segment_key)>;

  // The latest entered stage that serves the unit, or null. `user_key` is
  // used by user-unit percentage stages when non-empty.
  const v1::ServingStage* Match(absl::string_view account_key, absl::string_view user_key,
                                InSegment in_segment) const;

  // The same, as an index into serving.stages(); -1 when none.
  int MatchIndex(absl::string_view account_key, absl::string_view user_key,
                 InSegment in_segment) const;

 private:
  struct Stage {
    const v1::ServingStage* source;
    // Count stages: the cohort.
    absl::flat_hash_set<absl::string_view> cohort;
    bool is_count = false;
    // Percent stages: serve buckets below this (all: 2^32).
    uint64_t threshold = 0;
    bool by_user = false;
  };
  bool InAudience(const Stage& stage, absl::string_view account_key, InSegment in_segment) const;

  const v1::RampServing* serving_;
  bool active_;
  absl::string_view salt_;
  std::vector<Stage> stages_;
  absl::flat_hash_set<absl::string_view> beta_;
};

}  // namespace rampart::eval

#endif  // RAMPART_CORE_EVAL_RAMP_SERVING_H_
