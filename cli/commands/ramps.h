// What the `ramp` verbs share: ramp.cc (the plan: create, update, delete,
// show, status, preview), ramp_template.cc (templates), ramp_steps.cc (start,
// advance, approve, pause, resume, rollback) and ramp_feedback.cc (beta
// enrollment and problem reports). The formatting and plan-file helpers are
// pure (ramp_format.cc, pinned by ramp_format_test.cc). Internal to
// cli/commands.
//
// Stages are numbered from 1, as in rampart.v1 (RampStage, EnteredStage).
#ifndef RAMPART_CLI_COMMANDS_RAMPS_H_
#define RAMPART_CLI_COMMANDS_RAMPS_H_

#include <CLI/CLI.hpp>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "cli/commands/common.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/map.h"
#include "rampart/v1/model.pb.h"
#include "rampart/v1/ramp.pb.h"

namespace rampart::cli {

// ---------------------------------------------------------------------------
// Formatting (ramp_format.cc)

// `stage 3 ("100")`, or `stage 3` for a stage without a name.
std::string StageLabel(int stage, absl::string_view name);
// The same for stage `stage` of `plan` (`stage 9` when the plan has no such
// stage).
std::string StageLabel(const v1::RampPlan& plan, int stage);
// "500", "25%", "12.5%", "all"; "-" when no size is set.
std::string FormatStageSize(const v1::RampStage& stage);
// "everyone", "in internal or qa", "in closed-beta, beta-enrolled only, not in
// top-ltv".
std::string FormatAudience(const v1::RampAudience& audience);
// "account" or "user": what a percentage stage buckets by. Count and "all"
// stages serve accounts.
std::string FormatStageUnit(const v1::RampStage& stage);
// "48h", "1h30m", "90s" (absl::FormatDuration).
std::string FormatDuration(const google::protobuf::Duration& duration);
// How the ramp leaves a stage: "manual", "at 2026-12-01T09:00:00Z",
// "after 48h". `final`: the plan's last stage, which never advances ("-").
std::string FormatAdvance(const v1::StageAdvance& advance, bool final);
// The problem gate of a stage: "more than 5 reports" hold its step; "-" when
// it has none.
std::string FormatProblemGate(const v1::RampStage& stage);
// "draft", "running", "paused", "completed", "rolled back".
std::string RampStatusLabel(v1::RampStatus status);
// "internal -> closed beta -> 20 -> 100 -> all": the stages by name, else by
// size.
std::string FormatStageSequence(const v1::RampPlan& plan);
// What a flag's ramp serves, for `flag get`: `stage 3 ("20") serving`,
// "started, serving nobody" (rolled back to off), "not started"; then
// ", 2 accounts beta-enrolled" when some are. "-" without ramp or beta.
std::string FormatRampServing(const v1::RampServing& serving);
// "1 account", "80 accounts".
std::string CountOf(uint64_t n, absl::string_view noun);
// `stage 3 ("100") adds 80 accounts, drops 1; served 20 -> 100`, and
// `; 12 short of its count` when the stage cannot be filled.
std::string FormatPreviewSummary(const v1::RampPreview& preview);

// Aligned tables of a plan's stages (ramp show, ramp template show) and of
// where each stage stands (ramp status).
void PrintStageTable(const v1::RampPlan& plan, std::ostream& out);
void PrintStageStatusTable(const v1::RampStatusView& view, std::ostream& out);

// ---------------------------------------------------------------------------
// Parsing (ramp_format.cc)

// Reads `--segment PLACEHOLDER=SEGMENT` values into
// CreateRampRequest.template_segments. PLACEHOLDER is internal, closed-beta
// or protected (also written with braces, "{internal}"). INVALID_ARGUMENT
// naming --segment and the value on bad syntax, an unknown placeholder, or
// one given twice.
absl::Status ParseTemplateSegments(const std::vector<std::string>& texts,
                                   google::protobuf::Map<std::string, std::string>* out);

// Reads a RampPlan from a protobuf JSON file (`--file`). INVALID_ARGUMENT
// naming the file and the problem: unreadable, not JSON, an unknown field (by
// name), a Ramp or RampTemplate where a plan was expected, no stages, a stage
// without a size. The rest (sizes that shrink, protected segments, segments
// that exist) is rampartd's to check.
absl::StatusOr<v1::RampPlan> ReadRampPlanFile(const std::string& path);
// A RampTemplate from a protobuf JSON file, its plan checked as above. `key`,
// the NAME argument (may be empty), fills in a key the file lacks and must
// equal one it has (ReconcileFileKey).
absl::StatusOr<v1::RampTemplate> ReadRampTemplateFile(const std::string& path,
                                                      const std::string& key);
// The checks of ReadRampPlanFile on a plan read from `path`.
absl::Status CheckPlanFile(const std::string& path, const v1::RampPlan& plan);

// ---------------------------------------------------------------------------
// Verbs

// The options every verb on one flag's ramp starts with.
struct RampChange {
  std::string flag;
  WriteOptions write;
};

// Adds the FLAG positional.
void AddFlagArgument(CLI::App* verb, std::string& flag);
// Adds verb `name`, which changes one flag's ramp: FLAG, --reason and
// --revision (AddRampWriteOptions) into `change`, then `run` (see
// Session::AddVerb). `change` must live as long as `run`: keep both in one
// shared_ptr.
CLI::App* AddRampChangeVerb(CLI::App* noun, Session& session, const std::string& name,
                            const std::string& description, RampChange& change,
                            std::function<absl::Status()> run);
// --reason and --revision of a change to a ramp. rampartd applies each ramp
// call atomically and checks the ramp's revision only when one is sent, so
// the verbs read nothing first: without --revision there is no check.
void AddRampWriteOptions(CLI::App* verb, WriteOptions& write);
// WriteMeta of a ramp change: --revision when given, else 0.
v1::WriteMeta RampMeta(const Session& session, const WriteOptions& write);
// A RampService request on `change.flag` with its WriteMeta (RampMeta).
template <typename Request>
Request RampRequest(const Session& session, const RampChange& change) {
  Request request;
  *request.mutable_meta() = RampMeta(session, change.write);
  request.set_flag_key(change.flag);
  return request;
}
// --limit as a request field: N, or 0 (all) as the largest int32.
int32_t LimitField(int limit);

void AddRampStepCommands(CLI::App* ramp, Session& session);      // ramp_steps.cc
void AddRampTemplateCommands(CLI::App* ramp, Session& session);  // ramp_template.cc
void AddRampFeedbackCommands(CLI::App* ramp, Session& session);  // ramp_feedback.cc

}  // namespace rampart::cli

#endif  // RAMPART_CLI_COMMANDS_RAMPS_H_
