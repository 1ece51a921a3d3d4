#include "core/ramp/planner.h"

#include <algorithm>
#include <optional>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/common/time_util.h"
#include "core/eval/engine.h"
#include "core/eval/ramp_serving.h"
#include "core/ramp/cohort.h"

namespace rampart::ramp {
namespace {

std::string Field(int i, absl::string_view rest) {
  return absl::StrCat("plan.stages[", i, "]", rest);
}

bool IsPlaceholder(absl::string_view key) {
  return !key.empty() && key.front() == '{' && key.back() == '}';
}

absl::Status CheckSegmentList(const google::protobuf::RepeatedPtrField<std::string>& keys,
                              const std::string& field,
                              const std::function<bool(absl::string_view)>& segment_exists) {
  for (int j = 0; j < keys.size(); ++j) {
    if (keys[j].empty()) {
      return absl::InvalidArgumentError(absl::StrCat(field, "[", j, "]: empty segment key"));
    }
    if (segment_exists && !segment_exists(keys[j])) {
      return absl::NotFoundError(
          absl::StrCat(field, "[", j, "]: segment \"", keys[j], "\" not found"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckVariant(v1::RampStage& stage, int i, const v1::Flag& flag) {
  if (stage.variant().empty()) {
    if (flag.type() == v1::FLAG_TYPE_BOOL) {
      for (const v1::Variant& v : flag.variants()) {
        if (v.value().kind_case() == v1::FlagValue::kBoolValue && v.value().bool_value()) {
          stage.set_variant(v.name());
          return absl::OkStatus();
        }
      }
    }
    return absl::InvalidArgumentError(absl::StrCat(
        Field(i, ".variant"), ": required (flag \"", flag.key(), "\" has no variant true)"));
  }
  for (const v1::Variant& v : flag.variants()) {
    if (v.name() == stage.variant()) return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat(Field(i, ".variant"), ": flag \"", flag.key(),
                                                 "\" has no variant \"", stage.variant(), "\""));
}

absl::Status CheckStage(v1::RampStage& stage, int i, bool final, const v1::Flag* flag,
                        const std::function<bool(absl::string_view)>& segment_exists,
                        std::optional<absl::Time>& last_at) {
  switch (stage.size_case()) {
    case v1::RampStage::SIZE_NOT_SET:
      return absl::InvalidArgumentError(
          absl::StrCat(Field(i, ".size"), ": set one of count, percent_thousandths, all"));
    case v1::RampStage::kAll:
      if (!stage.all()) {
        return absl::InvalidArgumentError(absl::StrCat(Field(i, ".all"), ": must be true"));
      }
      break;
    case v1::RampStage::kCount:
      if (stage.unit() == v1::ROLLOUT_UNIT_USER) {
        return absl::InvalidArgumentError(
            absl::StrCat(Field(i, ".unit"),
                         ": a count stage picks accounts; only percentage stages may bucket users"));
      }
      break;
    case v1::RampStage::kPercentThousandths:
      break;
  }
  const v1::RampAudience& audience = stage.audience();
  if (absl::Status s = CheckSegmentList(audience.segments(), Field(i, ".audience.segments"),
                                        flag ? segment_exists : nullptr);
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          CheckSegmentList(audience.excluded_segments(), Field(i, ".audience.excluded_segments"),
                           flag ? segment_exists : nullptr);
      !s.ok()) {
    return s;
  }
  for (const std::string& seg : audience.segments()) {
    if (std::find(audience.excluded_segments().begin(), audience.excluded_segments().end(), seg) !=
        audience.excluded_segments().end()) {
      return absl::InvalidArgumentError(absl::StrCat(Field(i, ".audience"), ": segment \"", seg,
                                                     "\" is both included and excluded"));
    }
  }
  if (flag != nullptr) {
    if (absl::Status s = CheckVariant(stage, i, *flag); !s.ok()) return s;
  }
  const v1::StageAdvance& advance = stage.advance();
  if (final && advance.when_case() != v1::StageAdvance::WHEN_NOT_SET) {
    return absl::InvalidArgumentError(absl::StrCat(
        Field(i, ".advance"), ": the final stage has no next stage to advance to"));
  }
  switch (advance.when_case()) {
    case v1::StageAdvance::kAt: {
      const absl::Time at = FromProto(advance.at());
      if (last_at && at < *last_at) {
        return absl::InvalidArgumentError(
            absl::StrCat(Field(i, ".advance.at"), ": ", rampart::FormatTime(at),
                         " is before an earlier stage's step at ", rampart::FormatTime(*last_at)));
      }
      last_at = at;
      break;
    }
    case v1::StageAdvance::kAfter:
      if (advance.after().seconds() <= 0 && advance.after().nanos() <= 0) {
        return absl::InvalidArgumentError(
            absl::StrCat(Field(i, ".advance.after"), ": the dwell must be positive"));
      }
      break;
    case v1::StageAdvance::WHEN_NOT_SET:
      break;
  }
  if (final && stage.requires_approval()) {
    return absl::InvalidArgumentError(absl::StrCat(
        Field(i, ".requires_approval"), ": the final stage has no next step to approve"));
  }
  return absl::OkStatus();
}

// Which of a set of segments each account is in, tested once per account
// and segment: a step asks the matcher about every account several times
// (before, after, eligibility), and a segment test reads protobuf maps.
class MembershipTable {
 public:
  MembershipTable(const RegistryView& view, const absl::flat_hash_set<std::string>& segments)
      : words_((segments.size() + 63) / 64) {
    for (const std::string& key : segments) {
      auto it = view.segments->find(key);
      // An unknown segment has no members: it gets no column.
      if (it != view.segments->end()) columns_.emplace(key, columns_.size());
    }
    std::vector<const v1::Segment*> by_column(columns_.size());
    for (const auto& [key, column] : columns_) by_column[column] = &view.segments->at(key);
    bits_.assign(view.accounts.size() * words_, 0);
    for (size_t a = 0; a < view.accounts.size(); ++a) {
      const v1::Account& account = view.accounts[a];
      for (size_t c = 0; c < by_column.size(); ++c) {
        if (eval::SegmentContains(*by_column[c], account.key(), &account, nullptr)) {
          bits_[a * words_ + c / 64] |= uint64_t{1} << (c % 64);
        }
      }
    }
  }

  bool Contains(size_t account, absl::string_view segment) const {
    auto it = columns_.find(segment);
    if (it == columns_.end()) return false;
    return (bits_[account * words_ + it->second / 64] >> (it->second % 64)) & 1;
  }

 private:
  size_t words_;
  absl::flat_hash_map<std::string, size_t> columns_;
  std::vector<uint64_t> bits_;
};

// Every segment a plan names (audiences, excluded, protected).
absl::flat_hash_set<std::string> SegmentsOf(const v1::RampPlan& plan) {
  absl::flat_hash_set<std::string> keys(plan.protected_segments().begin(),
                                        plan.protected_segments().end());
  for (const v1::RampStage& stage : plan.stages()) {
    keys.insert(stage.audience().segments().begin(), stage.audience().segments().end());
    keys.insert(stage.audience().excluded_segments().begin(),
                stage.audience().excluded_segments().end());
  }
  return keys;
}

// The account's membership test for CompiledRamp::Match.
struct Membership {
  const MembershipTable& table;
  size_t account;
  bool operator()(absl::string_view segment_key) const {
    return table.Contains(account, segment_key);
  }
};

std::vector<int> IndexesWith(const v1::RampServing& serving, const RegistryView& view,
                             const MembershipTable& table) {
  const eval::CompiledRamp compiled(serving);
  std::vector<int> out;
  out.reserve(view.accounts.size());
  for (size_t a = 0; a < view.accounts.size(); ++a) {
    out.push_back(compiled.MatchIndex(view.accounts[a].key(), "", Membership{table, a}));
  }
  return out;
}

// `dropped_later`: the accounts a later entered count stage dropped. They
// left the ramp at that step (cohort.h), so the cohort of an earlier count
// stage, which still lists them, must not serve them either.
v1::ServingStage ToServing(const v1::RampPlan& plan, const v1::EnteredStage& e,
                           const absl::flat_hash_set<absl::string_view>& dropped_later) {
  const v1::RampStage& def = plan.stages(e.stage() - 1);
  v1::ServingStage s;
  s.set_stage(e.stage());
  s.set_name(def.name());
  *s.mutable_audience() = def.audience();
  switch (def.size_case()) {
    case v1::RampStage::kCount: {
      auto* values = s.mutable_cohort()->mutable_values();
      values->Reserve(e.cohort_size());
      for (const std::string& key : e.cohort()) {
        if (!dropped_later.contains(key)) *values->Add() = key;
      }
      break;
    }
    case v1::RampStage::kPercentThousandths:
      s.set_percent_thousandths(def.percent_thousandths());
      break;
    case v1::RampStage::kAll:
    case v1::RampStage::SIZE_NOT_SET:
      s.set_all(true);
      break;
  }
  s.set_unit(def.unit());
  s.set_variant(def.variant());
  s.set_final(e.stage() == plan.stages_size());
  *s.mutable_since() = e.started_at();
  return s;
}

// The record of entering stage `stage` from `ramp`'s current state.
v1::EnteredStage EnterOne(const v1::Ramp& ramp, const v1::Flag& flag, const RegistryView& view,
                          const MembershipTable& table, int stage, absl::Time now,
                          uint64_t* shortfall) {
  const v1::RampStage& def = ramp.plan().stages(stage - 1);
  v1::EnteredStage entered;
  entered.set_stage(stage);
  *entered.mutable_started_at() = ToProto(now);
  if (def.size_case() != v1::RampStage::kCount) return entered;

  // Who the stage's audience holds: an "all" stage alone, with the ramp's
  // protected segments and beta enrollment.
  v1::RampServing probe_view;
  probe_view.set_active(true);
  v1::ServingStage* probe = probe_view.add_stages();
  *probe->mutable_audience() = def.audience();
  probe->set_all(true);
  probe->set_final(stage == ramp.plan().stages_size());
  *probe_view.mutable_protected_segments() = ramp.plan().protected_segments();
  *probe_view.mutable_beta_enrolled() = flag.ramp().beta_enrolled();
  const eval::CompiledRamp in_audience(probe_view);

  // The entered percentage and "all" stages alone: an account one of them
  // serves has the feature already and is not one of the N, also when a
  // count cohort holds it too (it became served by an earlier stage after it
  // was picked, e.g. it enrolled in the beta): it leaves the cohort, not the
  // ramp. Asking which stage serves it last would make that depend on the
  // order of the stages.
  v1::RampServing earlier = BuildServing(ramp, flag);
  auto* stages = earlier.mutable_stages();
  stages->erase(std::remove_if(stages->begin(), stages->end(),
                               [](const v1::ServingStage& s) { return s.has_cohort(); }),
                stages->end());
  const std::vector<int> served = IndexesWith(earlier, view, table);

  std::vector<std::string> previous;
  for (auto it = ramp.entered().rbegin(); it != ramp.entered().rend(); ++it) {
    if (ramp.plan().stages(it->stage() - 1).size_case() == v1::RampStage::kCount) {
      previous.assign(it->cohort().begin(), it->cohort().end());
      break;
    }
  }
  const absl::flat_hash_set<absl::string_view> is_previous(previous.begin(), previous.end());
  // A previous member stays while it is in the audience of any entered count
  // stage or of this one (protected segments apply unless this one is
  // final): the audience that picked it. So a plan whose later count stage
  // narrows the audience keeps the earlier members (promise 2), and a member
  // leaves only when the registry moved it out (into an excluded or
  // protected segment, out of every audience).
  v1::RampServing stay_view = probe_view;
  for (const v1::EnteredStage& e : ramp.entered()) {
    const v1::RampStage& entered_def = ramp.plan().stages(e.stage() - 1);
    if (entered_def.size_case() != v1::RampStage::kCount) continue;
    v1::ServingStage* s = stay_view.add_stages();
    *s->mutable_audience() = entered_def.audience();
    s->set_all(true);
    s->set_final(false);
  }
  const eval::CompiledRamp may_stay(stay_view);

  std::vector<std::string> eligible;
  for (size_t a = 0; a < view.accounts.size(); ++a) {
    const v1::Account& account = view.accounts[a];
    if (served[a] >= 0) continue;
    const eval::CompiledRamp& audience =
        is_previous.contains(account.key()) ? may_stay : in_audience;
    if (audience.Match(account.key(), "", Membership{table, a}) != nullptr) {
      eligible.push_back(account.key());
    }
  }
  const std::string salt = SaltOf(flag);
  CohortStep step = NextCohort(
      CohortRequest{salt, previous, eligible, CohortTarget::Count(def.count())});
  entered.mutable_cohort()->Add(step.cohort.begin(), step.cohort.end());
  entered.set_added(step.added.size());
  entered.mutable_dropped()->Add(step.dropped.begin(), step.dropped.end());
  *shortfall += step.shortfall;
  return entered;
}

}  // namespace

std::string SaltOf(const v1::Flag& flag) {
  return flag.rollout().salt().empty() ? flag.key() : flag.rollout().salt();
}

std::string StageLabel(const v1::RampPlan& plan, int stage) {
  if (stage < 1 || stage > plan.stages_size() || plan.stages(stage - 1).name().empty()) {
    return absl::StrCat("stage ", stage);
  }
  return absl::StrFormat("stage %d (\"%s\")", stage, plan.stages(stage - 1).name());
}

StageSize SizeOf(const v1::RampStage& stage) {
  switch (stage.size_case()) {
    case v1::RampStage::kCount:
      return StageSize::Count(stage.count());
    case v1::RampStage::kPercentThousandths:
      return StageSize::Percent(stage.percent_thousandths());
    default:
      return StageSize::All();
  }
}

std::string FormatAdvance(const v1::StageAdvance& advance) {
  switch (advance.when_case()) {
    case v1::StageAdvance::kAt:
      return absl::StrCat("at ", rampart::FormatTime(FromProto(advance.at())));
    case v1::StageAdvance::kAfter:
      return absl::StrCat("after ", absl::FormatDuration(absl::Seconds(advance.after().seconds()) +
                                                         absl::Nanoseconds(advance.after().nanos())));
    case v1::StageAdvance::WHEN_NOT_SET:
      break;
  }
  return "manual";
}

absl::Status ValidatePlan(v1::RampPlan& plan, const v1::Flag* flag,
                          const std::function<bool(absl::string_view)>& segment_exists) {
  if (plan.stages_size() == 0) {
    return absl::InvalidArgumentError("plan.stages: a ramp needs at least one stage");
  }
  std::optional<absl::Time> last_at;
  for (int i = 0; i < plan.stages_size(); ++i) {
    if (absl::Status s = CheckStage(*plan.mutable_stages(i), i, i + 1 == plan.stages_size(), flag,
                                    segment_exists, last_at);
        !s.ok()) {
      return s;
    }
  }
  if (absl::Status s = CheckSegmentList(plan.protected_segments(), "plan.protected_segments",
                                        flag ? segment_exists : nullptr);
      !s.ok()) {
    return s;
  }
  std::vector<StageSpec> specs;
  for (const v1::RampStage& stage : plan.stages()) {
    specs.push_back(StageSpec{stage.name(), SizeOf(stage),
                              {stage.audience().segments().begin(),
                               stage.audience().segments().end()}});
  }
  const std::vector<std::string> protected_segments(plan.protected_segments().begin(),
                                                    plan.protected_segments().end());
  for (absl::Status s : {CheckStageSizes(specs), CheckProtected(specs, protected_segments)}) {
    if (!s.ok()) return absl::Status(s.code(), absl::StrCat("plan: ", s.message()));
  }
  return absl::OkStatus();
}

v1::RampServing BuildServing(const v1::Ramp& ramp, const v1::Flag& flag) {
  v1::RampServing serving;
  serving.set_active(ramp.status() != v1::RAMP_STATUS_DRAFT &&
                     ramp.status() != v1::RAMP_STATUS_UNSPECIFIED);
  std::vector<const v1::EnteredStage*> entered;
  for (const v1::EnteredStage& e : ramp.entered()) {
    if (e.stage() >= 1 && e.stage() <= ramp.plan().stages_size()) entered.push_back(&e);
  }
  // Latest first, collecting who later count steps dropped.
  std::vector<v1::ServingStage> stages(entered.size());
  absl::flat_hash_set<absl::string_view> dropped_later;
  for (size_t i = entered.size(); i-- > 0;) {
    stages[i] = ToServing(ramp.plan(), *entered[i], dropped_later);
    dropped_later.insert(entered[i]->dropped().begin(), entered[i]->dropped().end());
  }
  for (v1::ServingStage& s : stages) *serving.add_stages() = std::move(s);
  *serving.mutable_protected_segments() = ramp.plan().protected_segments();
  serving.set_salt(SaltOf(flag));
  *serving.mutable_beta_enrolled() = flag.ramp().beta_enrolled();
  return serving;
}

void ApplyRollback(v1::Ramp& ramp, int to_stage, absl::Time now) {
  auto* entered = ramp.mutable_entered();
  // Who the removed steps dropped left the ramp at those steps: take them out
  // of the cohorts that stay, or the rollback would serve them again.
  absl::flat_hash_set<std::string> dropped;
  for (const v1::EnteredStage& e : *entered) {
    if (e.stage() > to_stage) dropped.insert(e.dropped().begin(), e.dropped().end());
  }
  entered->erase(std::remove_if(entered->begin(), entered->end(),
                                [&](const v1::EnteredStage& e) { return e.stage() > to_stage; }),
                 entered->end());
  if (!dropped.empty()) {
    for (v1::EnteredStage& e : *entered) {
      auto* cohort = e.mutable_cohort();
      cohort->erase(std::remove_if(cohort->begin(), cohort->end(),
                                   [&](const std::string& key) { return dropped.contains(key); }),
                    cohort->end());
    }
  }
  // The stage returned to begins again: its dwell and problem gate count
  // from now, so resuming does not step forward at once.
  if (!entered->empty()) *entered->rbegin()->mutable_started_at() = ToProto(now);
  ramp.set_current_stage(to_stage);
  ramp.set_status(to_stage == 0 ? v1::RAMP_STATUS_ROLLED_BACK : v1::RAMP_STATUS_PAUSED);
  ramp.clear_pending();
  ramp.clear_approvals();
}

void ApplyStep(v1::Ramp& ramp, const v1::EnteredStage& entered) {
  *ramp.add_entered() = entered;
  ramp.set_current_stage(entered.stage());
  ramp.clear_pending();
  ramp.clear_approvals();
  if (ramp.status() != v1::RAMP_STATUS_PAUSED) {
    ramp.set_status(entered.stage() == ramp.plan().stages_size() ? v1::RAMP_STATUS_COMPLETED
                                                                 : v1::RAMP_STATUS_RUNNING);
  }
}

std::vector<int> ServingIndexes(const v1::RampServing& serving, const RegistryView& view) {
  return IndexesWith(serving, view, MembershipTable(view, eval::SegmentsNamedBy(serving)));
}

absl::StatusOr<Step> PlanStep(const v1::Ramp& ramp, const v1::Flag& flag,
                              const RegistryView& view, int stage, absl::Time now) {
  if (stage > ramp.plan().stages_size()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "stage: ", stage, " is past the plan's ", ramp.plan().stages_size(), " stages"));
  }
  if (stage <= ramp.current_stage()) {
    return absl::FailedPreconditionError(absl::StrCat(
        StageLabel(ramp.plan(), stage), " is not after the current stage ", ramp.current_stage()));
  }
  v1::Ramp work = ramp;
  if (work.status() == v1::RAMP_STATUS_DRAFT) work.set_status(v1::RAMP_STATUS_RUNNING);
  const v1::RampServing before = BuildServing(work, flag);
  // Memberships in the segments the plan names, tested once for the whole
  // step (the registry does not change during it).
  const MembershipTable table(view, SegmentsOf(ramp.plan()));
  Step step;
  for (int s = ramp.current_stage() + 1; s <= stage; ++s) {
    step.entered = EnterOne(work, flag, view, table, s, now, &step.shortfall);
    ApplyStep(work, step.entered);
  }
  const v1::RampServing after = BuildServing(work, flag);
  const std::vector<int> old_index = IndexesWith(before, view, table);
  const std::vector<int> new_index = IndexesWith(after, view, table);
  for (size_t a = 0; a < view.accounts.size(); ++a) {
    const bool was = old_index[a] >= 0;
    const bool is = new_index[a] >= 0;
    step.served_before += was;
    step.served_after += is;
    if (is && !was) step.added.push_back(view.accounts[a].key());
    if (was && !is) step.dropped.push_back(view.accounts[a].key());
  }
  const std::string salt = SaltOf(flag);
  step.added = SortInRampOrder(salt, step.added);
  step.dropped = SortInRampOrder(salt, step.dropped);
  return step;
}

}  // namespace rampart::ramp
