// The ramp planner: what a ramp's plan means against the registry. It checks
// plans, computes the step into a stage (the cohort a count stage picks, who
// starts or stops being served), and writes the serving view the engine
// evaluates (v1::RampServing in Flag.ramp). The server's registry calls it
// under its writer lock for steps, and without it for previews and status;
// property tests drive it over random plans and registries.
//
// Who a ramp serves is decided by eval::CompiledRamp (core/eval/
// ramp_serving.h), the matcher the SDK runs: the planner never re-implements
// it, it builds serving views and asks the matcher.
//
// Count stages (see core/ramp/cohort.h): the eligible accounts of stage k are
// those in its audience (as an "all" stage k would serve them: segments,
// excluded segments, beta enrollment, protected segments unless k is final)
// that no entered percentage or "all" stage serves already; the new cohort
// keeps the previous count stage's members that no such stage serves and
// that are still in the audience of some entered count stage or of stage k
// (the protected segments apply unless k is final), and adds the next
// eligible accounts in the ramp's stable hash order.
//
// Thread-safety: pure functions of their arguments.
#ifndef RAMPART_CORE_RAMP_PLANNER_H_
#define RAMPART_CORE_RAMP_PLANNER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "core/ramp/plan_check.h"
#include "rampart/v1/model.pb.h"

namespace rampart::ramp {

// The registry as the planner sees it: every account, and the segments by
// key. Borrowed for the call.
struct RegistryView {
  absl::Span<const v1::Account> accounts;
  const absl::flat_hash_map<std::string, v1::Segment>* segments = nullptr;
};

// The salt of the ramp's stable order and percentage stages: the flag
// rollout's salt, else the flag key.
std::string SaltOf(const v1::Flag& flag);

// "stage 3" or "stage 2 ("closed beta")"; `stage` counts from 1.
std::string StageLabel(const v1::RampPlan& plan, int stage);

// The size of a stage as plan_check sees it.
StageSize SizeOf(const v1::RampStage& stage);

// "manual", "at 2026-12-01T09:00:00Z", "after 48h".
std::string FormatAdvance(const v1::StageAdvance& advance);

// Checks a plan and fills its defaults (an empty stage variant of a bool flag
// becomes the variant whose value is true). With `flag` null (a template),
// variants and segment names are not checked: templates may name
// placeholders. `segment_exists` may be null for the same reason. Errors
// name the field: `plan.stages[2].size: ...`, `plan: stage 3 (...): ...`.
absl::Status ValidatePlan(v1::RampPlan& plan, const v1::Flag* flag,
                          const std::function<bool(absl::string_view)>& segment_exists);

// The serving view of `ramp` on `flag`: its entered stages, protected
// segments and salt, and the flag's beta enrollment (kept from flag.ramp()).
// Active unless the ramp is a draft.
v1::RampServing BuildServing(const v1::Ramp& ramp, const v1::Flag& flag);

// What a step into `stage` (1-based) does.
struct Step {
  // The stage record to append (stage, started_at, cohort, added, dropped);
  // the caller fills actor and rule.
  v1::EnteredStage entered;
  // Registry accounts that the ramp starts to serve, and stops serving,
  // in the ramp's stable order.
  std::vector<std::string> added;
  std::vector<std::string> dropped;
  uint64_t served_before = 0;
  uint64_t served_after = 0;
  // A count stage with fewer eligible accounts than its count: how many
  // short (summed over the stages of a multi-stage preview).
  uint64_t shortfall = 0;
};

// The step from the ramp's current stage into `stage`, which must be after
// it (FAILED_PRECONDITION otherwise; INVALID_ARGUMENT when past the plan).
// Stages in between are entered in order (a preview of a later stage);
// `entered` then describes the last one. Nothing is stored.
absl::StatusOr<Step> PlanStep(const v1::Ramp& ramp, const v1::Flag& flag,
                              const RegistryView& view, int stage, absl::Time now);

// The ramp with the step applied: `entered` appended, current_stage moved,
// pending request and approvals cleared, status RUNNING or COMPLETED (a
// PAUSED ramp stays paused).
void ApplyStep(v1::Ramp& ramp, const v1::EnteredStage& entered);

// The ramp rolled back to `to_stage` (0: off) at `now`: the later stages'
// records removed, and with them who they dropped taken out of the cohorts
// that stay (a rollback never serves anyone again who left the ramp); the
// stage returned to begins again at `now`; paused (or rolled back to off);
// pending request and approvals cleared. `to_stage` must be before the
// current stage (the caller checks).
void ApplyRollback(v1::Ramp& ramp, int to_stage, absl::Time now);

// For each registry account, the index in serving.stages() of the stage that
// serves it, or -1.
std::vector<int> ServingIndexes(const v1::RampServing& serving, const RegistryView& view);

}  // namespace rampart::ramp

#endif  // RAMPART_CORE_RAMP_PLANNER_H_
