// The pure part of the `ramp` verbs: how stages, advances and previews read
// in table mode, and reading what people type (plan files, template
// placeholders). See ramps.h.
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "cli/commands/common.h"
#include "cli/commands/flags.h"
#include "cli/commands/ramps.h"
#include "google/protobuf/util/json_util.h"

namespace rampart::cli {
namespace {

bool HasSize(const v1::RampStage& stage) {
  return stage.size_case() != v1::RampStage::SIZE_NOT_SET &&
         !(stage.size_case() == v1::RampStage::kAll && !stage.all());
}

}  // namespace

// ---------------------------------------------------------------------------
// Formatting

std::string StageLabel(int stage, absl::string_view name) {
  return name.empty() ? absl::StrCat("stage ", stage)
                      : absl::StrCat("stage ", stage, " (\"", name, "\")");
}

std::string StageLabel(const v1::RampPlan& plan, int stage) {
  const bool known = stage >= 1 && stage <= plan.stages_size();
  return StageLabel(stage, known ? plan.stages(stage - 1).name() : "");
}

std::string FormatStageSize(const v1::RampStage& stage) {
  if (!HasSize(stage)) return "-";
  switch (stage.size_case()) {
    case v1::RampStage::kCount:
      return absl::StrCat(stage.count());
    case v1::RampStage::kPercentThousandths:
      return absl::StrCat(FormatPercent(stage.percent_thousandths()), "%");
    case v1::RampStage::kAll:
      return "all";
    case v1::RampStage::SIZE_NOT_SET:
      break;
  }
  return "-";
}

std::string FormatAudience(const v1::RampAudience& audience) {
  std::vector<std::string> parts;
  parts.push_back(audience.segments().empty()
                      ? "everyone"
                      : absl::StrCat("in ", absl::StrJoin(audience.segments(), " or ")));
  if (audience.beta_enrolled()) parts.push_back("beta-enrolled only");
  if (!audience.excluded_segments().empty()) {
    parts.push_back(absl::StrCat("not in ", absl::StrJoin(audience.excluded_segments(), " or ")));
  }
  return absl::StrJoin(parts, ", ");
}

std::string FormatStageUnit(const v1::RampStage& stage) {
  const bool by_user = stage.size_case() == v1::RampStage::kPercentThousandths &&
                       stage.unit() == v1::ROLLOUT_UNIT_USER;
  return by_user ? "user" : "account";
}

std::string FormatDuration(const google::protobuf::Duration& duration) {
  return absl::FormatDuration(absl::Seconds(duration.seconds()) +
                              absl::Nanoseconds(duration.nanos()));
}

std::string FormatAdvance(const v1::StageAdvance& advance, bool final) {
  switch (advance.when_case()) {
    case v1::StageAdvance::kAt:
      return absl::StrCat("at ", FormatTimestamp(advance.at()));
    case v1::StageAdvance::kAfter:
      return absl::StrCat("after ", FormatDuration(advance.after()));
    case v1::StageAdvance::WHEN_NOT_SET:
      break;
  }
  return final ? "-" : "manual";
}

std::string FormatProblemGate(const v1::RampStage& stage) {
  if (!stage.has_max_problem_reports()) return "-";
  return absl::StrCat("more than ", CountOf(stage.max_problem_reports(), "report"));
}

std::string RampStatusLabel(v1::RampStatus status) {
  return absl::StrReplaceAll(EnumLabel("RAMP_STATUS_", v1::RampStatus_Name(status)), {{"_", " "}});
}

std::string FormatStageSequence(const v1::RampPlan& plan) {
  std::vector<std::string> stages;
  for (const v1::RampStage& stage : plan.stages()) {
    stages.push_back(stage.name().empty() ? FormatStageSize(stage) : stage.name());
  }
  return OrDash(absl::StrJoin(stages, " -> "));
}

std::string FormatRampServing(const v1::RampServing& serving) {
  if (!serving.active() && serving.beta_enrolled().empty()) return "-";
  std::string text = "not started";
  if (serving.active()) {
    text = serving.stages().empty() ? "started, serving nobody"
                                    : absl::StrCat(StageLabel(serving.stages().rbegin()->stage(),
                                                              serving.stages().rbegin()->name()),
                                                   " serving");
  }
  if (!serving.beta_enrolled().empty()) {
    absl::StrAppend(&text, ", ", CountOf(serving.beta_enrolled_size(), "account"),
                    " beta-enrolled");
  }
  return text;
}

std::string CountOf(uint64_t n, absl::string_view noun) {
  return absl::StrCat(n, " ", noun, n == 1 ? "" : "s");
}

std::string FormatPreviewSummary(const v1::RampPreview& preview) {
  std::string text =
      absl::StrCat(StageLabel(preview.stage(), preview.stage_name()), " adds ",
                   CountOf(preview.added_count(), "account"), ", drops ", preview.dropped_count(),
                   "; served ", preview.served_before(), " -> ", preview.served_after());
  if (preview.shortfall() > 0) {
    absl::StrAppend(&text, "; ", preview.shortfall(), " short of its count");
  }
  return text;
}

void PrintStageTable(const v1::RampPlan& plan, std::ostream& out) {
  Table table(
      {"#", "name", "audience", "size", "unit", "variant", "advance", "approval", "problem gate"});
  for (int i = 0; i < plan.stages_size(); ++i) {
    const v1::RampStage& stage = plan.stages(i);
    const bool final = i + 1 == plan.stages_size();
    table.AddRow({absl::StrCat(i + 1), OrDash(stage.name()), FormatAudience(stage.audience()),
                  FormatStageSize(stage), FormatStageUnit(stage), OrDash(stage.variant()),
                  FormatAdvance(stage.advance(), final),
                  stage.requires_approval() ? "required" : "-", FormatProblemGate(stage)});
  }
  table.Print(out);
}

void PrintStageStatusTable(const v1::RampStatusView& view, std::ostream& out) {
  Table table({"#", "name", "size", "state", "started", "accounts", "problem reports"});
  for (const v1::StageStatus& stage : view.stages()) {
    const char* state = stage.current() ? "current" : stage.entered() ? "entered" : "ahead";
    table.AddRow({absl::StrCat(stage.stage()), OrDash(stage.name()), OrDash(stage.size()), state,
                  FormatTimestamp(stage.started_at()), absl::StrCat(stage.accounts()),
                  absl::StrCat(stage.problem_reports())});
  }
  table.Print(out);
}

// ---------------------------------------------------------------------------
// Parsing

absl::Status ParseTemplateSegments(const std::vector<std::string>& texts,
                                   google::protobuf::Map<std::string, std::string>* out) {
  for (const std::string& text : texts) {
    const auto error = [&](absl::string_view problem) {
      return absl::InvalidArgumentError(absl::StrCat("--segment \"", text, "\": ", problem));
    };
    const size_t eq = text.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
      return error("expected PLACEHOLDER=SEGMENT, e.g. internal=staff");
    }
    absl::string_view placeholder = absl::string_view(text).substr(0, eq);
    if (absl::StartsWith(placeholder, "{") && absl::EndsWith(placeholder, "}")) {
      placeholder = placeholder.substr(1, placeholder.size() - 2);
    }
    if (placeholder != "internal" && placeholder != "closed-beta" && placeholder != "protected") {
      return error(absl::StrCat("unknown placeholder \"", placeholder,
                                "\" (use internal, closed-beta or protected)"));
    }
    if (!out->insert({std::string(placeholder), text.substr(eq + 1)}).second) {
      return error(absl::StrCat("placeholder \"", placeholder, "\" given twice"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckPlanFile(const std::string& path, const v1::RampPlan& plan) {
  const auto error = [&](absl::string_view problem) {
    return absl::InvalidArgumentError(absl::StrCat("--file \"", path, "\": ", problem));
  };
  if (plan.stages().empty()) return error("the plan has no stages");
  for (int i = 0; i < plan.stages_size(); ++i) {
    if (!HasSize(plan.stages(i))) {
      return error(absl::StrCat(StageLabel(plan, i + 1),
                                ": no size (give \"count\", \"percent_thousandths\" or "
                                "\"all\": true)"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::RampPlan> ReadRampPlanFile(const std::string& path) {
  v1::RampPlan plan;
  if (absl::Status status = ReadJsonFile("--file", path, &plan); !status.ok()) {
    // `ramp show` and `ramp template show` print a plan inside a Ramp or a
    // RampTemplate: say where it is.
    v1::Ramp ramp;
    v1::RampTemplate ramp_template;
    const char* holds = nullptr;
    if (ReadJsonFile("--file", path, &ramp).ok() && ramp.has_plan()) {
      holds = "a Ramp (as `ramp show --output json` prints it)";
    } else if (ReadJsonFile("--file", path, &ramp_template).ok() && ramp_template.has_plan()) {
      holds = "a RampTemplate (as `ramp template show --output json` prints it)";
    }
    if (holds == nullptr) return status;
    return absl::InvalidArgumentError(absl::StrCat("--file \"", path, "\": holds ", holds,
                                                   ", not a RampPlan: give the value of its "
                                                   "\"plan\""));
  }
  RETURN_IF_ERROR(CheckPlanFile(path, plan));
  return plan;
}

absl::StatusOr<v1::RampTemplate> ReadRampTemplateFile(const std::string& path,
                                                      const std::string& key) {
  ASSIGN_OR_RETURN(v1::RampTemplate ramp_template, ReadObjectFile<v1::RampTemplate>(path, key));
  RETURN_IF_ERROR(CheckPlanFile(path, ramp_template.plan()));
  return ramp_template;
}

}  // namespace rampart::cli
