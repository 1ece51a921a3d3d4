// `rampart ramp create|update|delete|show|status|preview` (RampService): a
// flag's rollout plan and where it stands. The steps (start, advance,
// approve, pause, resume, rollback) are in ramp_steps.cc, templates in
// ramp_template.cc, beta enrollment and problem reports in ramp_feedback.cc.
#include <iostream>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "cli/commands/ramps.h"
#include "core/common/time_util.h"
#include "rampart/v1/ramp.grpc.pb.h"

namespace rampart::cli {

using RampStub = v1::RampService::Stub;

void AddFlagArgument(CLI::App* verb, std::string& flag) {
  verb->add_option("FLAG", flag, "The flag's key (a flag has at most one ramp)")->required();
}

CLI::App* AddRampChangeVerb(CLI::App* noun, Session& session, const std::string& name,
                            const std::string& description, RampChange& change,
                            std::function<absl::Status()> run) {
  CLI::App* verb = session.AddVerb(noun, name, description, std::move(run));
  AddFlagArgument(verb, change.flag);
  AddRampWriteOptions(verb, change.write);
  return verb;
}

void AddRampWriteOptions(CLI::App* verb, WriteOptions& write) {
  AddWriteOptions(verb, write, /*change=*/true);
  verb->get_option("--revision")
      ->description(
          "Fail (ABORTED) unless the ramp is at this revision, e.g. the one `ramp status` "
          "showed you (default: no check)");
}

v1::WriteMeta RampMeta(const Session& session, const WriteOptions& write) {
  return session.Meta(write, write.revision.value_or(0));
}

int32_t LimitField(int limit) { return limit == 0 ? std::numeric_limits<int32_t>::max() : limit; }

namespace {

// The lines `ramp show` and `ramp status` share: the state of the ramp.
void AddStateFields(const v1::Ramp& ramp, Fields& fields) {
  const v1::RampPlan& plan = ramp.plan();
  std::vector<std::string> approvals;
  for (const v1::Approval& a : ramp.approvals()) {
    approvals.push_back(absl::StrCat(a.actor(), " at ", FormatTimestamp(a.at()),
                                     a.reason().empty() ? "" : ": \"" + a.reason() + "\""));
  }
  std::string pending;
  if (ramp.pending().stage() != 0) {
    pending = absl::StrCat("to ", StageLabel(plan, ramp.pending().stage()), ", asked by ",
                           ramp.pending().requested_by(), " at ",
                           FormatTimestamp(ramp.pending().requested_at()), ", awaits approval");
  }
  std::string paused;
  if (ramp.status() == v1::RAMP_STATUS_PAUSED || rampart::IsSet(ramp.paused_at())) {
    paused = absl::StrCat(FormatTimestamp(ramp.paused_at()), " by ", OrDash(ramp.paused_by()),
                          ramp.paused_reason().empty() ? "" : ": \"" + ramp.paused_reason() + "\"");
  }
  fields.Add("status", RampStatusLabel(ramp.status()))
      .Add("current stage",
           ramp.current_stage() == 0 ? "none" : StageLabel(plan, ramp.current_stage()))
      .Add("pending step", pending)
      .Add("approvals", approvals)
      .Add("paused", paused);
}

void PrintRamp(const v1::Ramp& ramp) {
  Fields fields;
  fields.Add("flag", ramp.key()).Add("template", ramp.template_());
  AddStateFields(ramp, fields);
  fields.Add("description", ramp.plan().description())
      .Add("protected segments", absl::StrJoin(ramp.plan().protected_segments(), ", "))
      .Add("revision", absl::StrCat(ramp.revision()))
      .Add("created", FormatTimestamp(ramp.created_at()))
      .Add("updated", FormatTimestamp(ramp.updated_at()))
      .Print(std::cout);
  std::cout << "\n";
  PrintStageTable(ramp.plan(), std::cout);
}

void PrintStatus(const v1::RampStatusView& view) {
  const v1::Ramp& ramp = view.ramp();
  std::string next = "-", when = "-";
  if (view.next_stage() != 0) {
    next = StageLabel(ramp.plan(), view.next_stage());
    when =
        rampart::IsSet(view.next_at()) ? FormatTimestamp(view.next_at()) : "by hand (ramp advance)";
  }
  Fields fields;
  fields.Add("flag", ramp.key());
  AddStateFields(ramp, fields);
  fields.Add("served now", CountOf(view.served(), "account"))
      .Add("next step", next)
      .Add("when", when)
      .Add("blocked by",
           std::vector<std::string>(view.blocked_by().begin(), view.blocked_by().end()))
      .Print(std::cout);
  std::cout << "\n";
  PrintStageStatusTable(view, std::cout);
}

void PrintPreview(const v1::RampPreview& preview) {
  std::cout << FormatPreviewSummary(preview) << "\n";
  if (preview.added().empty() && preview.dropped().empty()) return;
  Table table({"change", "key", "name"});
  for (const v1::PreviewAccount& a : preview.added()) table.AddRow({"added", a.key(), a.name()});
  for (const v1::PreviewAccount& a : preview.dropped()) {
    table.AddRow({"dropped", a.key(), a.name()});
  }
  table.Print(std::cout);
  NoteCut(static_cast<uint64_t>(preview.added_size()) < preview.added_count() ||
          static_cast<uint64_t>(preview.dropped_size()) < preview.dropped_count());
}

void AddCreate(CLI::App* noun, Session& session) {
  struct Options : RampChange {
    std::string template_name, file;
    std::vector<std::string> segments;
  };
  auto o = std::make_shared<Options>();
  CLI::App* verb = session.AddVerb(
      noun, "create", "Create a flag's ramp, as a draft, from a template or a plan file",
      [&session, o] {
        auto request = RampRequest<v1::CreateRampRequest>(session, *o);
        if (!o->file.empty()) {
          ASSIGN_OR_RETURN(*request.mutable_plan(), ReadRampPlanFile(o->file));
        } else {
          request.set_template_(o->template_name);
          RETURN_IF_ERROR(ParseTemplateSegments(o->segments, request.mutable_template_segments()));
        }
        ASSIGN_OR_RETURN(v1::Ramp ramp, session.Call(&RampStub::CreateRamp, request));
        return session.Confirm(
            ramp, Confirmation("ramp", ramp.key(),
                               absl::StrCat("created: ", FormatStageSequence(ramp.plan())),
                               ramp.revision()));
      });
  AddFlagArgument(verb, o->flag);
  CLI::Option_group* plan = verb->add_option_group("plan", "Where the plan comes from (one of)");
  CLI::Option* from_template =
      plan->add_option("--template", o->template_name,
                       "Start from this template (see `ramp template list`), e.g. b2b-default");
  plan->add_option("--file", o->file,
                   "A file holding the RampPlan in protobuf JSON (stages, protected_segments, "
                   "description)");
  plan->require_option(1);
  verb->add_option("--segment", o->segments,
                   "PLACEHOLDER=SEGMENT: the segment a template's placeholder stands for; "
                   "PLACEHOLDER is internal (default segment: internal), closed-beta "
                   "(closed-beta) or protected (top-ltv); repeatable")
      ->needs(from_template);
  AddWriteOptions(verb, o->write, /*change=*/false);
}

void AddUpdate(CLI::App* noun, Session& session) {
  struct Options : RampChange {
    std::string file;
  };
  auto o = std::make_shared<Options>();
  CLI::App* verb = AddRampChangeVerb(
      noun, session, "update",
      "Replace a ramp's plan; the stages it has entered stay as they are, later ones may change",
      *o, [&session, o] {
        auto request = RampRequest<v1::UpdateRampRequest>(session, *o);
        ASSIGN_OR_RETURN(*request.mutable_plan(), ReadRampPlanFile(o->file));
        ASSIGN_OR_RETURN(v1::Ramp ramp, session.Call(&RampStub::UpdateRamp, request));
        return session.Confirm(
            ramp, Confirmation("ramp", ramp.key(),
                               absl::StrCat("updated: ", FormatStageSequence(ramp.plan())),
                               ramp.revision()));
      });
  verb->add_option("--file", o->file, "A file holding the new RampPlan in protobuf JSON")
      ->required();
}

void AddDelete(CLI::App* noun, Session& session) {
  auto o = std::make_shared<RampChange>();
  AddRampChangeVerb(
      noun, session, "delete",
      "Delete a flag's ramp: the flag's own rollout and default apply again after the rules", *o,
      [&session, o] {
        ASSIGN_OR_RETURN(
            v1::DeleteResponse response,
            session.Call(&RampStub::DeleteRamp, RampRequest<v1::DeleteRampRequest>(session, *o)));
        return session.Confirm(response,
                               Confirmation("ramp", o->flag, "deleted", response.revision()));
      });
}

// `ramp show` and `ramp status`: a GetRampRequest, and its answer printed.
template <typename Response>
void AddRampView(CLI::App* noun, Session& session, const std::string& name,
                 const std::string& description,
                 grpc::Status (RampStub::*rpc)(grpc::ClientContext*, const v1::GetRampRequest&,
                                               Response*),
                 void (*print_table)(const Response&)) {
  auto flag = std::make_shared<std::string>();
  CLI::App* verb = session.AddVerb(noun, name, description, [&session, flag, rpc, print_table] {
    v1::GetRampRequest request;
    request.set_flag_key(*flag);
    ASSIGN_OR_RETURN(Response response, session.Call(rpc, request));
    return session.Print(response, [&] { print_table(response); });
  });
  AddFlagArgument(verb, *flag);
}

void AddPreview(CLI::App* noun, Session& session) {
  struct Options {
    std::string flag;
    int stage = 0, limit = 0;
  };
  auto o = std::make_shared<Options>();
  CLI::App* verb = session.AddVerb(
      noun, "preview",
      "Which accounts a step would add (and drop), before it happens; changes nothing",
      [&session, o] {
        v1::PreviewRampRequest request;
        request.set_flag_key(o->flag);
        request.set_stage(o->stage);
        request.set_limit(LimitField(o->limit));
        ASSIGN_OR_RETURN(v1::RampPreview preview, session.Call(&RampStub::PreviewRamp, request));
        return session.Print(preview, [&] { PrintPreview(preview); });
      });
  AddFlagArgument(verb, o->flag);
  verb->add_option("--stage", o->stage, "The stage to preview, from 1 (default: the next one)")
      ->check(CLI::PositiveNumber);
  AddLimitOption(verb, o->limit, 100);
  verb->get_option("--limit")->description(
      "List at most this many accounts of each kind, added and dropped; 0 = all "
      "(the counts are always whole)");
}

}  // namespace

void AddRampCommands(CLI::App& root, Session& session) {
  CLI::App* noun = root.add_subcommand(
      "ramp",
      "Ramps: a flag's staged rollout plan (internal -> closed beta -> 20 -> 100 -> all), its "
      "steps, approvals, beta enrollment and problem reports");
  noun->require_subcommand(1);
  session.ShowReach(noun);
  AddCreate(noun, session);
  AddUpdate(noun, session);
  AddDelete(noun, session);
  AddRampView(noun, session, "show", "Show a ramp: its state and its plan, stage by stage",
              &RampStub::GetRamp, PrintRamp);
  AddRampView(noun, session, "status",
              "Where a ramp stands: each stage's accounts and problem reports, who is served "
              "now, the next step, when, and what holds it",
              &RampStub::GetRampStatus, PrintStatus);
  AddPreview(noun, session);
  AddRampStepCommands(noun, session);
  AddRampTemplateCommands(noun, session);
  AddRampFeedbackCommands(noun, session);
}

}  // namespace rampart::cli
