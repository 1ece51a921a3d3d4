// Registry: ramps (rollout plans) and their steps, the scheduler's view of
// them, and the kill switch. Templates are in ramp_templates.cc, beta
// enrollment and problem reports in ramp_feedback.cc.
//
// A ramp is stored in the ramps column family; what it serves is written into
// its flag (Flag.ramp, built by core/ramp/planner) in the same transaction, so
// the SDK stream carries every step as a flag change and the audit log has
// both the ramp's transition and the flag's new serving view (promise 5).
// Steps are computed under the writer lock from the stored ramp, so a step
// happens once: a second caller (a person, or the scheduler after a restart)
// finds the ramp already moved.
#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "core/common/keys.h"
#include "core/common/status_macros.h"
#include "core/common/time_util.h"
#include "core/ramp/planner.h"
#include "google/protobuf/util/message_differencer.h"
#include "server/registry/freeze_internal.h"
#include "server/registry/ramp_internal.h"
#include "server/registry/registry.h"
#include "server/registry/transaction.h"

namespace rampart::registry {
namespace {

using google::protobuf::util::MessageDifferencer;

constexpr absl::string_view kSchedulerActor = "scheduler";

absl::string_view StatusName(v1::RampStatus status) {
  switch (status) {
    case v1::RAMP_STATUS_DRAFT:
      return "a draft (not started)";
    case v1::RAMP_STATUS_RUNNING:
      return "running";
    case v1::RAMP_STATUS_PAUSED:
      return "paused";
    case v1::RAMP_STATUS_COMPLETED:
      return "completed (at its final stage)";
    case v1::RAMP_STATUS_ROLLED_BACK:
      return "rolled back to off";
    default:
      return "in an unknown state";
  }
}

absl::Status WrongStatus(const v1::Ramp& ramp, absl::string_view wanted) {
  return absl::FailedPreconditionError(absl::StrCat("ramp of flag \"", ramp.key(), "\" is ",
                                                    StatusName(ramp.status()), "; ", wanted));
}

// ABORTED when the caller named a revision and it is not the ramp's.
absl::Status CheckExpected(const Transaction& tx, const v1::Ramp& ramp) {
  const int64_t expected = tx.meta().expected_revision();
  if (expected != 0 && expected != ramp.revision()) {
    return absl::AbortedError(absl::StrCat("ramp of flag \"", ramp.key(), "\": revision ",
                                           expected, " is stale, it is now at revision ",
                                           ramp.revision()));
  }
  return absl::OkStatus();
}

// The stored ramp and its flag, for a change.
struct RampAndFlag {
  v1::Ramp ramp;
  v1::Flag flag;
};

absl::StatusOr<RampAndFlag> LoadForChange(const storage::Store& store, const Transaction& tx,
                                          absl::string_view flag_key) {
  RETURN_IF_ERROR(tx.ValidateMeta());
  RETURN_IF_ERROR(ValidateKey("flag_key", flag_key));
  ASSIGN_OR_RETURN(v1::Ramp ramp, GetObject<v1::Ramp>(store, flag_key));
  RETURN_IF_ERROR(CheckExpected(tx, ramp));
  ASSIGN_OR_RETURN(v1::Flag flag, GetObject<v1::Flag>(store, flag_key));
  return RampAndFlag{std::move(ramp), std::move(flag)};
}

// The rule that makes a scheduled step due, for the audit log.
std::string ScheduleRule(const v1::Ramp& ramp) {
  const int current = ramp.current_stage();
  const v1::StageAdvance& advance = ramp.plan().stages(current - 1).advance();
  const std::string step = absl::StrCat(ramp::StageLabel(ramp.plan(), current), " -> ",
                                        ramp::StageLabel(ramp.plan(), current + 1));
  if (advance.has_at()) {
    return absl::StrCat("scheduled step at ", rampart::FormatTime(FromProto(advance.at())), ": ",
                        step);
  }
  return absl::StrCat("dwell of ", ramp::FormatAdvance(advance).substr(6), " since ",
                      rampart::FormatTime(FromProto(ramp.entered().rbegin()->started_at())),
                      " elapsed: ", step);
}

// An approval of the next step by someone other than `requester`, or null.
const v1::Approval* ApprovalByOther(const v1::Ramp& ramp, absl::string_view requester) {
  for (const v1::Approval& a : ramp.approvals()) {
    if (a.actor() != requester) return &a;
  }
  return nullptr;
}

// `ramp` with the step to the next stage asked for by `actor` at `now`,
// waiting for an approval.
v1::Ramp WithPendingStep(const v1::Ramp& ramp, absl::string_view actor, absl::Time now) {
  v1::Ramp after = ramp;
  v1::StepRequest* pending = after.mutable_pending();
  pending->set_stage(ramp.current_stage() + 1);
  pending->set_requested_by(std::string(actor));
  *pending->mutable_requested_at() = ToProto(now);
  return after;
}

bool NeedsApproval(const v1::Ramp& ramp) {
  const int current = ramp.current_stage();
  return current >= 1 && current <= ramp.plan().stages_size() &&
         ramp.plan().stages(current - 1).requires_approval();
}

// Why the problem gate of the current stage holds the next step, or empty.
absl::StatusOr<std::string> ProblemGate(const storage::Store& store, const v1::Ramp& ramp) {
  const int current = ramp.current_stage();
  if (current < 1 || ramp.entered().empty()) return std::string();
  const v1::RampStage& stage = ramp.plan().stages(current - 1);
  if (!stage.has_max_problem_reports()) return std::string();
  const absl::Time since = FromProto(ramp.entered().rbegin()->started_at());
  ASSIGN_OR_RETURN(const uint64_t reports, CountProblemsSince(store, ramp.key(), since));
  if (reports <= stage.max_problem_reports()) return std::string();
  return absl::StrCat("problem gate of ", ramp::StageLabel(ramp.plan(), current), ": ", reports,
                      " reports since ", rampart::FormatTime(since), " exceed its threshold of ",
                      stage.max_problem_reports());
}


// Enters `stage` (normally current + 1) and stores the ramp with its flag.
absl::Status Step(const storage::Store& store, Transaction& tx, const RampAndFlag& current,
                  int stage, absl::string_view rule, v1::Ramp* out) {
  ASSIGN_OR_RETURN(const RegistryWorld world, LoadWorld(store));
  ASSIGN_OR_RETURN(ramp::Step step,
                   ramp::PlanStep(current.ramp, current.flag, world.view(), stage, tx.now()));
  step.entered.set_actor(tx.meta().actor());
  step.entered.set_rule(std::string(rule));
  v1::Ramp after = current.ramp;
  ramp::ApplyStep(after, step.entered);
  PutRampWithServing(tx, &current.ramp, after, current.flag);
  *out = after;
  return absl::OkStatus();
}

// Substitutes "{placeholder}" segment names of a template.
absl::Status Substitute(google::protobuf::RepeatedPtrField<std::string>& keys,
                        const google::protobuf::Map<std::string, std::string>& given,
                        absl::flat_hash_set<std::string>& used) {
  static const auto* const kDefaults = new absl::flat_hash_map<std::string, std::string>{
      {"internal", "internal"}, {"closed-beta", "closed-beta"}, {"protected", "top-ltv"}};
  for (std::string& key : keys) {
    if (key.size() < 2 || key.front() != '{' || key.back() != '}') continue;
    const std::string name = key.substr(1, key.size() - 2);
    used.insert(name);
    if (auto it = given.find(name); it != given.end()) {
      key = it->second;
    } else if (auto d = kDefaults->find(name); d != kDefaults->end()) {
      key = d->second;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "template_segments: the template names the placeholder {", name,
          "}; give it a segment"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckPlanForFlag(const storage::Store& store, v1::RampPlan& plan,
                              const v1::Flag& flag) {
  return ramp::ValidatePlan(plan, &flag, [&](absl::string_view key) {
    auto s = LoadObject<v1::Segment>(store, key);
    return s.ok() && s->has_value();
  });
}

}  // namespace

// The instant the step out of the current stage falls due; nullopt when it
// is by hand, the ramp does not run, or there is no next stage.
std::optional<absl::Time> DueAt(const v1::Ramp& ramp) {
  if (ramp.status() != v1::RAMP_STATUS_RUNNING) return std::nullopt;
  const int current = ramp.current_stage();
  if (current < 1 || current >= ramp.plan().stages_size() || ramp.entered().empty()) {
    return std::nullopt;
  }
  const v1::StageAdvance& advance = ramp.plan().stages(current - 1).advance();
  switch (advance.when_case()) {
    case v1::StageAdvance::kAt:
      return FromProto(advance.at());
    case v1::StageAdvance::kAfter:
      return FromProto(ramp.entered().rbegin()->started_at()) +
             absl::Seconds(advance.after().seconds()) + absl::Nanoseconds(advance.after().nanos());
    case v1::StageAdvance::WHEN_NOT_SET:
      break;
  }
  return std::nullopt;
}

absl::StatusOr<RegistryWorld> LoadWorld(const storage::Store& store) {
  RegistryWorld world;
  // Moved, not copied: with 100 000 accounts a copy costs tens of
  // milliseconds.
  RETURN_IF_ERROR(ForEachObject<v1::Account>(store, "", [&](v1::Account& a) {
    world.accounts.push_back(std::move(a));
    return true;
  }));
  RETURN_IF_ERROR(ForEachObject<v1::Segment>(store, "", [&](const v1::Segment& s) {
    world.segments.emplace(s.key(), s);
    return true;
  }));
  return world;
}

void PutRampWithServing(Transaction& tx, const v1::Ramp* before, v1::Ramp& after,
                        const v1::Flag& flag) {
  v1::Flag new_flag = flag;
  *new_flag.mutable_ramp() = ramp::BuildServing(after, flag);
  if (!MessageDifferencer::Equals(new_flag.ramp(), flag.ramp())) tx.Put(&flag, new_flag);
  tx.Put(before, after);
}

absl::StatusOr<v1::Ramp> Registry::CreateRamp(const v1::CreateRampRequest& req) {
  Transaction tx(*this, req.meta(), "ramp.create");
  RETURN_IF_ERROR(tx.ValidateMeta());
  RETURN_IF_ERROR(ValidateKey("flag_key", req.flag_key()));
  ASSIGN_OR_RETURN(v1::Flag flag, GetObject<v1::Flag>(store_, req.flag_key()));
  if (flag.archived()) {
    return absl::FailedPreconditionError(
        absl::StrCat("flag \"", flag.key(), "\" is archived; restore it before ramping it"));
  }
  ASSIGN_OR_RETURN(auto existing, LoadObject<v1::Ramp>(store_, req.flag_key()));
  if (existing) {
    return absl::AlreadyExistsError(absl::StrCat("flag \"", req.flag_key(),
                                                 "\" already has a ramp; update or delete it"));
  }
  v1::Ramp ramp;
  ramp.set_key(req.flag_key());
  if (!req.template_().empty()) {
    if (req.has_plan()) {
      return absl::InvalidArgumentError("plan: give either a plan or a template, not both");
    }
    ASSIGN_OR_RETURN(const v1::RampTemplate t, GetRampTemplate(req.template_()));
    *ramp.mutable_plan() = t.plan();
    ramp.set_template_(t.key());
    absl::flat_hash_set<std::string> used;
    for (v1::RampStage& stage : *ramp.mutable_plan()->mutable_stages()) {
      RETURN_IF_ERROR(Substitute(*stage.mutable_audience()->mutable_segments(),
                                 req.template_segments(), used));
      RETURN_IF_ERROR(Substitute(*stage.mutable_audience()->mutable_excluded_segments(),
                                 req.template_segments(), used));
    }
    RETURN_IF_ERROR(Substitute(*ramp.mutable_plan()->mutable_protected_segments(),
                               req.template_segments(), used));
    for (const auto& [name, segment] : req.template_segments()) {
      if (!used.contains(name)) {
        return absl::InvalidArgumentError(absl::StrCat("template_segments: template \"", t.key(),
                                                       "\" has no placeholder {", name, "}"));
      }
    }
  } else if (!req.template_segments().empty()) {
    return absl::InvalidArgumentError("template_segments: given without a template");
  } else {
    *ramp.mutable_plan() = req.plan();
  }
  RETURN_IF_ERROR(CheckPlanForFlag(store_, *ramp.mutable_plan(), flag));
  ramp.set_status(v1::RAMP_STATUS_DRAFT);
  tx.Put<v1::Ramp>(nullptr, ramp);
  RETURN_IF_ERROR(tx.Commit().status());
  return ramp;
}

absl::StatusOr<v1::Ramp> Registry::UpdateRamp(const v1::UpdateRampRequest& req) {
  Transaction tx(*this, req.meta(), "ramp.update");
  ASSIGN_OR_RETURN(RampAndFlag current, LoadForChange(store_, tx, req.flag_key()));
  v1::RampPlan plan = req.plan();
  RETURN_IF_ERROR(CheckPlanForFlag(store_, plan, current.flag));
  const v1::Ramp& ramp = current.ramp;
  for (const v1::EnteredStage& e : ramp.entered()) {
    const int i = e.stage() - 1;
    if (i >= plan.stages_size() ||
        !MessageDifferencer::Equals(plan.stages(i), ramp.plan().stages(i))) {
      return absl::FailedPreconditionError(absl::StrCat(
          "plan.stages[", i, "]: ", ramp::StageLabel(ramp.plan(), e.stage()),
          " has been entered and cannot change; roll back before it first"));
    }
  }
  if (ramp.current_stage() == ramp.plan().stages_size() && ramp.current_stage() > 0 &&
      plan.stages_size() != ramp.plan().stages_size()) {
    return absl::FailedPreconditionError(
        "plan.stages: the ramp is at its final stage, which serves the protected segments; "
        "roll back before adding stages after it");
  }
  const bool same_protected =
      std::equal(plan.protected_segments().begin(), plan.protected_segments().end(),
                 ramp.plan().protected_segments().begin(), ramp.plan().protected_segments().end());
  if (!same_protected && ramp.current_stage() > 0) {
    // Protecting a segment mid-ramp would take the feature from accounts
    // that have it (promise 2) unless rolled back first.
    return absl::FailedPreconditionError(
        "plan.protected_segments: cannot change once the ramp has started; roll back to off "
        "first");
  }
  v1::Ramp after = ramp;
  *after.mutable_plan() = plan;
  if (after.status() == v1::RAMP_STATUS_COMPLETED &&
      after.current_stage() < plan.stages_size()) {
    after.set_status(v1::RAMP_STATUS_RUNNING);
  } else if (after.status() == v1::RAMP_STATUS_RUNNING &&
             after.current_stage() == plan.stages_size()) {
    after.set_status(v1::RAMP_STATUS_COMPLETED);
  }
  PutRampWithServing(tx, &ramp, after, current.flag);
  RETURN_IF_ERROR(tx.Commit().status());
  return after;
}

absl::StatusOr<v1::Ramp> Registry::GetRamp(absl::string_view flag_key) const {
  RETURN_IF_ERROR(ValidateKey("flag_key", flag_key));
  return GetObject<v1::Ramp>(store_, flag_key);
}

absl::StatusOr<v1::DeleteResponse> Registry::DeleteRamp(const v1::DeleteRampRequest& req) {
  Transaction tx(*this, req.meta(), "ramp.delete");
  ASSIGN_OR_RETURN(RampAndFlag current, LoadForChange(store_, tx, req.flag_key()));
  v1::Flag flag = current.flag;
  // The flag keeps its beta enrollment; the ramp no longer decides.
  flag.mutable_ramp()->set_active(false);
  flag.mutable_ramp()->clear_stages();
  flag.mutable_ramp()->clear_protected_segments();
  if (!MessageDifferencer::Equals(flag.ramp(), current.flag.ramp())) tx.Put(&current.flag, flag);
  tx.Delete(current.ramp);
  ASSIGN_OR_RETURN(const int64_t revision, tx.Commit());
  v1::DeleteResponse resp;
  resp.set_revision(revision);
  return resp;
}

absl::StatusOr<v1::Ramp> Registry::StartRamp(const v1::RampActionRequest& req) {
  Transaction tx(*this, req.meta(), "ramp.start");
  ASSIGN_OR_RETURN(RampAndFlag current, LoadForChange(store_, tx, req.flag_key()));
  if (current.ramp.status() != v1::RAMP_STATUS_DRAFT &&
      current.ramp.status() != v1::RAMP_STATUS_ROLLED_BACK) {
    return WrongStatus(current.ramp, "only a draft or a ramp rolled back to off starts");
  }
  v1::Ramp after;
  RETURN_IF_ERROR(Step(store_, tx, current, 1, "started by hand", &after));
  RETURN_IF_ERROR(tx.Commit().status());
  return after;
}

absl::StatusOr<v1::StepResponse> Registry::AdvanceRamp(const v1::AdvanceRampRequest& req) {
  Transaction tx(*this, req.meta(), "ramp.advance");
  ASSIGN_OR_RETURN(RampAndFlag current, LoadForChange(store_, tx, req.flag_key()));
  const v1::Ramp& ramp = current.ramp;
  if (ramp.status() != v1::RAMP_STATUS_RUNNING && ramp.status() != v1::RAMP_STATUS_PAUSED) {
    return WrongStatus(ramp, ramp.status() == v1::RAMP_STATUS_COMPLETED
                                 ? "there is no next stage"
                                 : "start it first");
  }
  const int next = ramp.current_stage() + 1;
  ASSIGN_OR_RETURN(const std::string gate, ProblemGate(store_, ramp));
  if (!gate.empty() && !req.force()) {
    return absl::FailedPreconditionError(
        absl::StrCat(gate, "; fix and wait, or advance with force and a reason"));
  }
  const std::string actor = tx.meta().actor();
  v1::StepResponse resp;
  std::string rule = "by hand";
  if (NeedsApproval(ramp)) {
    const v1::Approval* approval = ApprovalByOther(ramp, actor);
    if (approval == nullptr) {
      v1::Ramp after = WithPendingStep(ramp, actor, tx.now());
      tx.Put(&ramp, after);
      RETURN_IF_ERROR(tx.Commit().status());
      *resp.mutable_ramp() = after;
      resp.set_message(absl::StrCat(ramp::StageLabel(ramp.plan(), next),
                                    " awaits approval by someone other than ", actor));
      return resp;
    }
    rule = absl::StrCat("by hand, approved by ", approval->actor());
  }
  if (!gate.empty()) absl::StrAppend(&rule, ", forced past the ", gate);
  RETURN_IF_ERROR(Step(store_, tx, current, next, rule, resp.mutable_ramp()));
  RETURN_IF_ERROR(tx.Commit().status());
  resp.set_stepped(true);
  resp.set_message(absl::StrCat("entered ", ramp::StageLabel(ramp.plan(), next)));
  return resp;
}

absl::StatusOr<v1::StepResponse> Registry::ApproveRamp(const v1::RampActionRequest& req) {
  Transaction tx(*this, req.meta(), "ramp.approve");
  ASSIGN_OR_RETURN(RampAndFlag current, LoadForChange(store_, tx, req.flag_key()));
  const v1::Ramp& ramp = current.ramp;
  if (ramp.status() != v1::RAMP_STATUS_RUNNING && ramp.status() != v1::RAMP_STATUS_PAUSED) {
    return WrongStatus(ramp, "there is no next step to approve");
  }
  const int next = ramp.current_stage() + 1;
  if (!NeedsApproval(ramp)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the step to ", ramp::StageLabel(ramp.plan(), next), " needs no approval"));
  }
  const std::string actor = tx.meta().actor();
  const bool pending = ramp.has_pending();
  if (pending && ramp.pending().requested_by() == actor) {
    return absl::PermissionDeniedError(absl::StrCat(
        actor, " asked for the step to ", ramp::StageLabel(ramp.plan(), next),
        "; the approval must come from someone else (four eyes)"));
  }
  v1::Ramp approved = ramp;
  auto* approvals = approved.mutable_approvals();
  approvals->erase(std::remove_if(approvals->begin(), approvals->end(),
                                  [&](const v1::Approval& a) { return a.actor() == actor; }),
                   approvals->end());
  v1::Approval* a = approved.add_approvals();
  a->set_actor(actor);
  *a->mutable_at() = ToProto(tx.now());
  a->set_reason(tx.meta().reason());

  v1::StepResponse resp;
  ASSIGN_OR_RETURN(const std::string gate, ProblemGate(store_, ramp));
  if (pending && gate.empty()) {
    const std::string rule = absl::StrCat("approved by ", actor, ", asked by ",
                                          ramp.pending().requested_by());
    RETURN_IF_ERROR(Step(store_, tx, RampAndFlag{approved, current.flag}, next, rule,
                         resp.mutable_ramp()));
    RETURN_IF_ERROR(tx.Commit().status());
    resp.set_stepped(true);
    resp.set_message(absl::StrCat("approved; entered ", ramp::StageLabel(ramp.plan(), next)));
    return resp;
  }
  tx.Put(&ramp, approved);
  RETURN_IF_ERROR(tx.Commit().status());
  *resp.mutable_ramp() = approved;
  resp.set_message(pending ? absl::StrCat("approved; the step waits: ", gate)
                           : absl::StrCat("approved in advance: ",
                                          ramp::StageLabel(ramp.plan(), next),
                                          " is entered when it is due or asked for"));
  return resp;
}

absl::StatusOr<v1::Ramp> Registry::PauseRamp(const v1::RampActionRequest& req) {
  Transaction tx(*this, req.meta(), "ramp.pause");
  ASSIGN_OR_RETURN(RampAndFlag current, LoadForChange(store_, tx, req.flag_key()));
  if (current.ramp.status() != v1::RAMP_STATUS_RUNNING) {
    return WrongStatus(current.ramp, "only a running ramp pauses");
  }
  v1::Ramp after = current.ramp;
  after.set_status(v1::RAMP_STATUS_PAUSED);
  *after.mutable_paused_at() = ToProto(tx.now());
  after.set_paused_by(tx.meta().actor());
  after.set_paused_reason(tx.meta().reason());
  tx.Put(&current.ramp, after);
  RETURN_IF_ERROR(tx.Commit().status());
  return after;
}

absl::StatusOr<v1::Ramp> Registry::ResumeRamp(const v1::RampActionRequest& req) {
  Transaction tx(*this, req.meta(), "ramp.resume");
  ASSIGN_OR_RETURN(RampAndFlag current, LoadForChange(store_, tx, req.flag_key()));
  if (current.ramp.status() != v1::RAMP_STATUS_PAUSED) {
    return WrongStatus(current.ramp, "only a paused ramp resumes");
  }
  v1::Ramp after = current.ramp;
  after.set_status(after.current_stage() == after.plan().stages_size()
                       ? v1::RAMP_STATUS_COMPLETED
                       : v1::RAMP_STATUS_RUNNING);
  after.clear_paused_at();
  after.clear_paused_by();
  after.clear_paused_reason();
  tx.Put(&current.ramp, after);
  RETURN_IF_ERROR(tx.Commit().status());
  return after;
}

absl::StatusOr<v1::Ramp> Registry::RollbackRamp(const v1::RollbackRampRequest& req) {
  Transaction tx(*this, req.meta(), "ramp.rollback");
  ASSIGN_OR_RETURN(RampAndFlag current, LoadForChange(store_, tx, req.flag_key()));
  const v1::Ramp& ramp = current.ramp;
  if (ramp.current_stage() == 0) return WrongStatus(ramp, "there is nothing to roll back");
  if (req.to_stage() < 0 || req.to_stage() >= ramp.current_stage()) {
    return absl::InvalidArgumentError(absl::StrCat("to_stage: ", req.to_stage(),
                                                   " is not before the current stage ",
                                                   ramp.current_stage()));
  }
  v1::Ramp after = ramp;
  ramp::ApplyRollback(after, req.to_stage(), tx.now());
  if (req.to_stage() > 0) {
    *after.mutable_paused_at() = ToProto(tx.now());
    after.set_paused_by(tx.meta().actor());
    after.set_paused_reason(absl::StrCat("rolled back: ", tx.meta().reason()));
  }
  PutRampWithServing(tx, &ramp, after, current.flag);
  RETURN_IF_ERROR(tx.Commit().status());
  return after;
}

absl::StatusOr<v1::RampStatusView> Registry::GetRampStatus(absl::string_view flag_key) const {
  ASSIGN_OR_RETURN(v1::Ramp ramp, GetRamp(flag_key));
  ASSIGN_OR_RETURN(const v1::Flag flag, GetObject<v1::Flag>(store_, flag_key));
  ASSIGN_OR_RETURN(const RegistryWorld world, LoadWorld(store_));
  const v1::RampServing serving = ramp::BuildServing(ramp, flag);
  const std::vector<int> index = ramp::ServingIndexes(serving, world.view());
  ASSIGN_OR_RETURN(const std::vector<uint64_t> problems,
                   CountProblemsByStage(store_, flag_key, ramp.plan().stages_size()));

  v1::RampStatusView view;
  std::vector<uint64_t> per_stage(ramp.plan().stages_size() + 1, 0);
  for (int i : index) {
    if (i < 0) continue;
    ++per_stage[serving.stages(i).stage()];
    view.set_served(view.served() + 1);
  }
  for (int s = 1; s <= ramp.plan().stages_size(); ++s) {
    v1::StageStatus* st = view.add_stages();
    st->set_stage(s);
    st->set_name(ramp.plan().stages(s - 1).name());
    st->set_size(ramp::FormatStageSize(ramp::SizeOf(ramp.plan().stages(s - 1))));
    for (const v1::EnteredStage& e : ramp.entered()) {
      if (e.stage() != s) continue;
      st->set_entered(true);
      *st->mutable_started_at() = e.started_at();
    }
    st->set_current(s == ramp.current_stage());
    st->set_accounts(per_stage[s]);
    st->set_problem_reports(problems[s]);
  }
  const int next = ramp.current_stage() + 1;
  if (next <= ramp.plan().stages_size() && ramp.status() != v1::RAMP_STATUS_DRAFT &&
      ramp.status() != v1::RAMP_STATUS_ROLLED_BACK) {
    view.set_next_stage(next);
    if (ramp.status() == v1::RAMP_STATUS_PAUSED) view.add_blocked_by("paused");
    v1::Ramp running = ramp;
    running.set_status(v1::RAMP_STATUS_RUNNING);
    if (auto due = DueAt(running)) *view.mutable_next_at() = ToProto(*due);
    if (NeedsApproval(ramp)) {
      const std::string requester =
          ramp.has_pending() ? ramp.pending().requested_by() : std::string();
      if (ApprovalByOther(ramp, requester) == nullptr) {
        view.add_blocked_by(ramp.has_pending()
                                ? absl::StrCat("awaits approval by someone other than ",
                                               requester)
                                : "needs an approval (four eyes)");
      }
    }
    ASSIGN_OR_RETURN(const std::string gate, ProblemGate(store_, ramp));
    if (!gate.empty()) view.add_blocked_by(gate);
    if (!flag.enabled()) view.add_blocked_by("the flag is killed: the scheduler waits");
  }
  *view.mutable_ramp() = std::move(ramp);
  return view;
}

absl::StatusOr<v1::RampPreview> Registry::PreviewRamp(const v1::PreviewRampRequest& req) const {
  if (req.limit() < 0) return absl::InvalidArgumentError("limit: must not be negative");
  ASSIGN_OR_RETURN(const v1::Ramp ramp, GetRamp(req.flag_key()));
  ASSIGN_OR_RETURN(const v1::Flag flag, GetObject<v1::Flag>(store_, req.flag_key()));
  if (req.stage() < 0) return absl::InvalidArgumentError("stage: must not be negative");
  const int stage = req.stage() == 0 ? ramp.current_stage() + 1 : req.stage();
  ASSIGN_OR_RETURN(const RegistryWorld world, LoadWorld(store_));
  ASSIGN_OR_RETURN(const ramp::Step step,
                   ramp::PlanStep(ramp, flag, world.view(), stage, clock_.Now()));
  absl::flat_hash_map<absl::string_view, absl::string_view> names;
  names.reserve(world.accounts.size());
  for (const v1::Account& a : world.accounts) names.emplace(a.key(), a.name());
  const size_t limit = req.limit() == 0 ? 1000 : static_cast<size_t>(req.limit());
  auto list = [&](const std::vector<std::string>& keys,
                  google::protobuf::RepeatedPtrField<v1::PreviewAccount>* out) {
    for (size_t i = 0; i < keys.size() && i < limit; ++i) {
      v1::PreviewAccount* p = out->Add();
      p->set_key(keys[i]);
      p->set_name(std::string(names[keys[i]]));
    }
  };
  v1::RampPreview preview;
  preview.set_stage(stage);
  preview.set_stage_name(ramp.plan().stages(stage - 1).name());
  preview.set_added_count(step.added.size());
  list(step.added, preview.mutable_added());
  preview.set_dropped_count(step.dropped.size());
  list(step.dropped, preview.mutable_dropped());
  preview.set_served_before(step.served_before);
  preview.set_served_after(step.served_after);
  preview.set_shortfall(step.shortfall);
  return preview;
}

absl::StatusOr<v1::Flag> Registry::KillFlag(const v1::KillFlagRequest& req) {
  Transaction tx(*this, req.meta(), req.killed() ? "flag.kill" : "flag.unkill");
  RETURN_IF_ERROR(tx.ValidateMeta());
  RETURN_IF_ERROR(ValidateKey("key", req.key()));
  ASSIGN_OR_RETURN(v1::Flag current, GetObject<v1::Flag>(store_, req.key()));
  const int64_t expected = tx.meta().expected_revision();
  if (expected != 0 && expected != current.revision()) {
    return absl::AbortedError(absl::StrCat("flag \"", req.key(), "\": revision ", expected,
                                           " is stale, it is now at revision ",
                                           current.revision()));
  }
  // Already so: nothing to change, nothing to audit (an emergency kill
  // repeated by two people is not an error).
  if (current.enabled() == !req.killed()) return current;
  v1::Flag flag = current;
  flag.set_enabled(!req.killed());
  tx.Put(&current, flag);
  RETURN_IF_ERROR(tx.Commit().status());
  return flag;
}

// --- The scheduler's view ---------------------------------------------------

absl::StatusOr<int> Registry::RunDueSteps(absl::Time now) {
  int steps = 0;
  // Ramps whose due step is held (a gate, a missing approval) this round.
  absl::flat_hash_set<std::string> held;
  while (true) {
    // The running ramp whose step fell due first.
    std::optional<std::pair<absl::Time, std::string>> first;
    RETURN_IF_ERROR(ForEachObject<v1::Ramp>(store_, "", [&](const v1::Ramp& r) {
      auto due = DueAt(r);
      if (due && *due <= now && !held.contains(r.key()) &&
          (!first || std::make_pair(*due, r.key()) < *first)) {
        first = std::make_pair(*due, r.key());
      }
      return true;
    }));
    if (!first) return steps;
    const std::string& key = first->second;

    v1::WriteMeta meta;
    meta.set_actor(std::string(kSchedulerActor));
    meta.set_reason("scheduled step");
    Transaction tx(*this, meta, "ramp.advance");
    ASSIGN_OR_RETURN(RampAndFlag current, LoadForChange(store_, tx, key));
    const v1::Ramp& ramp = current.ramp;
    // Re-check under the writer lock: someone may have moved it meanwhile.
    auto due = DueAt(ramp);
    if (!due || *due > now) continue;
    ASSIGN_OR_RETURN(const std::string gate, ProblemGate(store_, ramp));
    // A killed flag is an incident in progress: its ramp waits for a person.
    if (!gate.empty() || !current.flag.enabled()) {
      held.insert(key);
      continue;
    }
    // A stage that waits while its audience is frozen: while any account the
    // step would add is frozen, the step waits (a person may still advance).
    if (ramp.plan().stages(ramp.current_stage()).wait_while_frozen()) {
      const std::shared_ptr<const v1::FreezeSchedule> schedule = freeze_schedule();
      const absl::Time computed_at = FromProto(schedule->computed_at());
      auto hold = freeze_holds_.find(key);
      if (hold != freeze_holds_.end() && hold->second.ramp_revision == ramp.revision() &&
          hold->second.schedule_computed_at == computed_at && now < hold->second.until) {
        held.insert(key);
        continue;
      }
      ASSIGN_OR_RETURN(const RegistryWorld world, LoadWorld(store_));
      ASSIGN_OR_RETURN(const ramp::Step step, ramp::PlanStep(ramp, current.flag, world.view(),
                                                             ramp.current_stage() + 1, now));
      const auto frozen = FrozenAccounts(*schedule, world, now, &step.added);
      if (!frozen.empty()) {
        absl::Time until = now;
        for (const auto& [account, by] : frozen) until = std::max(until, by.end);
        freeze_holds_[key] = FreezeHold{ramp.revision(), computed_at, until};
        held.insert(key);
        continue;
      }
      freeze_holds_.erase(key);
    }
    const std::string rule = ScheduleRule(ramp);
    const v1::Approval* approval = ApprovalByOther(ramp, kSchedulerActor);
    if (NeedsApproval(ramp) && approval == nullptr) {
      held.insert(key);
      if (ramp.has_pending()) continue;
      // Ask once, so that the status and the audit log show the request.
      v1::Ramp after = WithPendingStep(ramp, kSchedulerActor, tx.now());
      tx.Put(&ramp, after);
      RETURN_IF_ERROR(tx.Commit().status());
      continue;
    }
    std::string full_rule = rule;
    if (NeedsApproval(ramp)) absl::StrAppend(&full_rule, ", approved by ", approval->actor());
    // The audit entry's reason is the rule that fired.
    tx.SetReason(full_rule);
    v1::Ramp after;
    RETURN_IF_ERROR(Step(store_, tx, current, ramp.current_stage() + 1, full_rule, &after));
    RETURN_IF_ERROR(tx.Commit().status());
    ++steps;
  }
}

absl::StatusOr<std::optional<absl::Time>> Registry::NextDueTime() const {
  std::optional<absl::Time> next;
  RETURN_IF_ERROR(ForEachObject<v1::Ramp>(store_, "", [&](const v1::Ramp& r) {
    auto due = DueAt(r);
    if (due && (!next || *due < *next)) next = due;
    return true;
  }));
  return next;
}

}  // namespace rampart::registry
