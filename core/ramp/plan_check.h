// Checks of a ramp plan that need no registry: stage sizes never shrink, and
// protected segments are included by the final stage only (issue 4). Plain
// C++ types: the ramp model maps its stages onto StageSpec and returns these
// statuses, prefixed with the flag (`flag "checkout-v2": stage 3: ...`).
// Checks that need the accounts (a percentage stage dropping members of an
// earlier count cohort) are in core/ramp/cohort.h.
//
// Stages are numbered from 1 in messages, and named when they have a name:
// `stage 2 ("closed beta"): ...`.
//
// Thread-safety: pure functions.
#ifndef RAMPART_CORE_RAMP_PLAN_CHECK_H_
#define RAMPART_CORE_RAMP_PLAN_CHECK_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace rampart::ramp {

// The size of a stage: N accounts, P percent, or all of its audience.
struct StageSize {
  enum class Kind { kCount, kPercent, kAll };

  static StageSize Count(uint64_t n) { return StageSize{Kind::kCount, n, 0}; }
  // In thousandths of a percent, as eval's rollout weights: 25000 = 25 %.
  static StageSize Percent(uint32_t thousandths) {
    return StageSize{Kind::kPercent, 0, thousandths};
  }
  static StageSize All() { return StageSize{Kind::kAll, 0, 0}; }

  Kind kind = Kind::kAll;
  uint64_t count = 0;                // kCount
  uint32_t percent_thousandths = 0;  // kPercent
};

// "500", "12.5%", "all": how messages show a size.
std::string FormatStageSize(const StageSize& size);

// What these checks need of a stage.
struct StageSpec {
  std::string name;  // optional; shown in messages
  StageSize size;
  // Segments the audience includes (empty: everyone). Excluded segments do
  // not matter here.
  std::vector<std::string> included_segments;
};

// OK when every size is valid and no size shrinks: a count stage is not
// smaller than the previous count stage, a percentage stage not smaller than
// the previous percentage stage. Counts and percentages are not compared with
// each other (that depends on the registry: DroppedByPercentStage), nor with
// "all", which is all of a stage's own audience (an internal stage of "all"
// staff may precede "20" accounts). Sizes are compared whatever the
// audiences: a cohort is sticky, so a smaller count would not shrink it
// anyway and the plan would not mean what it says.
// Errors, INVALID_ARGUMENT, for the first offending stage:
//   "a ramp needs at least one stage"
//   "stage 3: size 500 is smaller than stage 2's 1000"
//   "stage 4: size 10% is smaller than stage 2's 25%"
//   "stage 1: size 0: a count must be at least 1"
//   "stage 2: size 100.001%: a percentage must be in (0, 100%]"
absl::Status CheckStageSizes(absl::Span<const StageSpec> stages);

// OK when no stage but the final one includes a segment of
// `protected_segments`. Error, INVALID_ARGUMENT, for the first offence:
//   stage 2 ("closed beta"): includes protected segment "top-ltv"; only the final stage may
// A stage whose audience is everyone does not "include" a protected segment:
// protected accounts are left out of every earlier stage's eligible accounts
// (CohortRequest.eligible), whatever its audience.
absl::Status CheckProtected(absl::Span<const StageSpec> stages,
                            absl::Span<const std::string> protected_segments);

}  // namespace rampart::ramp

#endif  // RAMPART_CORE_RAMP_PLAN_CHECK_H_
