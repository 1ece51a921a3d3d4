// Registry: ramp templates. "b2b-default" is built in (defined here, never
// stored, cannot be replaced); others are stored in ramp_templates.
//
// Template segment names may be placeholders, "{internal}", "{closed-beta}",
// "{protected}" or any "{name}", which CreateRamp replaces
// (CreateRampRequest.template_segments, with defaults for the three).
#include "absl/strings/str_cat.h"
#include "core/common/keys.h"
#include "core/common/status_macros.h"
#include "core/ramp/planner.h"
#include "server/registry/registry.h"
#include "server/registry/transaction.h"

namespace rampart::registry {
namespace {

v1::RampStage* AddStage(v1::RampPlan& plan, absl::string_view name) {
  v1::RampStage* stage = plan.add_stages();
  stage->set_name(std::string(name));
  return stage;
}

// Leaves the stage after `hours` of dwell, held while more than
// `max_problems` problem reports came in since it began.
void DwellAndGate(v1::RampStage* stage, int hours, uint32_t max_problems) {
  stage->mutable_advance()->mutable_after()->set_seconds(int64_t{hours} * 3600);
  stage->set_max_problem_reports(max_problems);
}

// internal -> closed beta -> 20 -> 100 -> 500 -> 1000 -> 25 % -> all, the
// top-LTV clients protected until the final stage.
v1::RampTemplate B2bDefault() {
  v1::RampTemplate t;
  t.set_key("b2b-default");
  t.set_built_in(true);
  t.set_description(
      "internal staff, then the closed beta (accounts enrolled in the flag's beta), then 20, "
      "100, 500 and 1000 accounts, 25 %, and all; the protected segment (top LTV) only at the "
      "end. Internal and beta advance by hand; later stages after a dwell (2, 3, 3, 7, 7 days) "
      "unless problem reports exceed the gate; the step to all needs a second person's "
      "approval.");
  v1::RampPlan& plan = *t.mutable_plan();
  plan.set_description("b2b-default");
  v1::RampStage* internal = AddStage(plan, "internal");
  internal->mutable_audience()->add_segments("{internal}");
  internal->set_all(true);
  v1::RampStage* beta = AddStage(plan, "closed beta");
  beta->mutable_audience()->set_beta_enrolled(true);
  beta->set_all(true);
  struct CountStage {
    const char* name;
    uint64_t count;
    int dwell_hours;
    uint32_t max_problems;
  };
  for (const CountStage& c : {CountStage{"20", 20, 48, 3}, CountStage{"100", 100, 72, 5},
                              CountStage{"500", 500, 72, 10}, CountStage{"1000", 1000, 168, 20}}) {
    v1::RampStage* stage = AddStage(plan, c.name);
    stage->set_count(c.count);
    DwellAndGate(stage, c.dwell_hours, c.max_problems);
  }
  v1::RampStage* quarter = AddStage(plan, "25%");
  quarter->set_percent_thousandths(25000);
  DwellAndGate(quarter, 168, 50);
  quarter->set_requires_approval(true);
  AddStage(plan, "all")->set_all(true);
  plan.add_protected_segments("{protected}");
  return t;
}

const std::vector<v1::RampTemplate>& BuiltIns() {
  static const auto* const kBuiltIns = new std::vector<v1::RampTemplate>{B2bDefault()};
  return *kBuiltIns;
}

const v1::RampTemplate* FindBuiltIn(absl::string_view key) {
  for (const v1::RampTemplate& t : BuiltIns()) {
    if (t.key() == key) return &t;
  }
  return nullptr;
}

}  // namespace

absl::StatusOr<v1::ListRampTemplatesResponse> Registry::ListRampTemplates() const {
  v1::ListRampTemplatesResponse resp;
  for (const v1::RampTemplate& t : BuiltIns()) *resp.add_templates() = t;
  RETURN_IF_ERROR(ForEachObject<v1::RampTemplate>(store_, "", [&](const v1::RampTemplate& t) {
    *resp.add_templates() = t;
    return true;
  }));
  return resp;
}

absl::StatusOr<v1::RampTemplate> Registry::GetRampTemplate(absl::string_view key) const {
  RETURN_IF_ERROR(ValidateKey("template", key));
  if (const v1::RampTemplate* t = FindBuiltIn(key)) return *t;
  return GetObject<v1::RampTemplate>(store_, key);
}

absl::StatusOr<v1::RampTemplate> Registry::PutRampTemplate(const v1::PutRampTemplateRequest& req) {
  Transaction tx(*this, req.meta(), "ramp.template.put");
  RETURN_IF_ERROR(tx.ValidateMeta());
  v1::RampTemplate t = req.template_();
  RETURN_IF_ERROR(ValidateKey("template.key", t.key()));
  if (FindBuiltIn(t.key()) != nullptr) {
    return absl::FailedPreconditionError(absl::StrCat(
        "template.key: \"", t.key(), "\" is built in and cannot be replaced; use another key"));
  }
  t.set_built_in(false);
  t.clear_revision();
  t.clear_created_at();
  t.clear_updated_at();
  if (absl::Status s = ramp::ValidatePlan(*t.mutable_plan(), nullptr, nullptr); !s.ok()) {
    return absl::Status(s.code(), absl::StrCat("template.", s.message()));
  }
  ASSIGN_OR_RETURN(auto current, LoadObject<v1::RampTemplate>(store_, t.key()));
  RETURN_IF_ERROR(tx.CheckRevision(current, t.key(), Expect::kCreateOrReplace));
  tx.Put(current ? &*current : nullptr, t);
  RETURN_IF_ERROR(tx.Commit().status());
  return t;
}

}  // namespace rampart::registry
