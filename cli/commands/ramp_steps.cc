// `rampart ramp start|advance|approve|pause|resume|rollback`: the steps of a
// ramp. Each is one call that rampartd applies atomically, so none reads the
// ramp first; --revision, when given, makes a step fail (ABORTED) if the ramp
// moved on since you looked at it.
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "cli/commands/common.h"
#include "cli/commands/ramps.h"
#include "rampart/v1/ramp.grpc.pb.h"

namespace rampart::cli {
namespace {

using RampStub = v1::RampService::Stub;

// `stage 3 ("100") serving, running`, or `serving nobody, rolled back`.
std::string Position(const v1::Ramp& ramp) {
  const std::string serving = ramp.current_stage() == 0
                                  ? "serving nobody"
                                  : StageLabel(ramp.plan(), ramp.current_stage()) + " serving";
  return absl::StrCat(serving, ", ", RampStatusLabel(ramp.status()));
}

// Advance and approve: `ramp "X" stepped: entered stage 4 ("500")`, or
// `ramp "X" waits: <for what>`, in rampartd's words when it gave some.
absl::Status ConfirmStep(const Session& session, const v1::StepResponse& step) {
  const v1::Ramp& ramp = step.ramp();
  std::string what = step.message();
  if (what.empty() && step.stepped()) {
    what = absl::StrCat("entered ", StageLabel(ramp.plan(), ramp.current_stage()));
  }
  return session.Confirm(step, Confirmation("ramp", ramp.key(),
                                            absl::StrCat(step.stepped() ? "stepped" : "waits",
                                                         what.empty() ? "" : ": ", what),
                                            ramp.revision()));
}

// `ramp "X" started: stage 1 ("internal") serving, running (revision N)`.
absl::Status ConfirmRamp(const Session& session, const v1::Ramp& ramp, absl::string_view done) {
  return session.Confirm(
      ramp,
      Confirmation("ramp", ramp.key(), absl::StrCat(done, ": ", Position(ramp)), ramp.revision()));
}

// The verbs that take a RampActionRequest and return the Ramp.
struct Action {
  const char* name;
  const char* description;
  grpc::Status (RampStub::*rpc)(grpc::ClientContext*, const v1::RampActionRequest&, v1::Ramp*);
  const char* done;  // "started"
};

constexpr Action kActions[] = {
    {"start", "Start a draft ramp: stage 1 begins to serve", &RampStub::StartRamp, "started"},
    {"pause",
     "Pause a ramp: it keeps serving its current stage and takes no scheduled step until "
     "resumed (`ramp advance` still steps by hand)",
     &RampStub::PauseRamp, "paused"},
    {"resume", "Resume a paused ramp: its steps fall due again as the stages say",
     &RampStub::ResumeRamp, "resumed"},
};

void AddAction(CLI::App* noun, Session& session, const Action& action) {
  auto o = std::make_shared<RampChange>();
  AddRampChangeVerb(noun, session, action.name, action.description, *o, [&session, o, &action] {
    ASSIGN_OR_RETURN(v1::Ramp ramp,
                     session.Call(action.rpc, RampRequest<v1::RampActionRequest>(session, *o)));
    return ConfirmRamp(session, ramp, action.done);
  });
}

void AddAdvance(CLI::App* noun, Session& session) {
  struct Options : RampChange {
    bool force = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* verb = AddRampChangeVerb(
      noun, session, "advance",
      "Ask for the step to the next stage: it happens now, or waits for an approval (exit 0 "
      "either way); a gate that holds it is an error",
      *o, [&session, o] {
        auto request = RampRequest<v1::AdvanceRampRequest>(session, *o);
        request.set_force(o->force);
        ASSIGN_OR_RETURN(v1::StepResponse step, session.Call(&RampStub::AdvanceRamp, request));
        return ConfirmStep(session, step);
      });
  verb->add_flag("--force", o->force,
                 "Step even while the problem gate holds (say why in --reason); an approval is "
                 "still needed where the stage asks for one");
}

void AddApprove(CLI::App* noun, Session& session) {
  auto o = std::make_shared<RampChange>();
  AddRampChangeVerb(
      noun, session, "approve",
      "Approve the pending (or the next) step; the approver (--actor) must not be the one who "
      "asked for it",
      *o, [&session, o] {
        ASSIGN_OR_RETURN(
            v1::StepResponse step,
            session.Call(&RampStub::ApproveRamp, RampRequest<v1::RampActionRequest>(session, *o)));
        return ConfirmStep(session, step);
      });
}

void AddRollback(CLI::App* noun, Session& session) {
  struct Options : RampChange {
    int to_stage = 0;
    bool off = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* verb = AddRampChangeVerb(
      noun, session, "rollback",
      "Return at once to an earlier stage, or off; the ramp is then paused. Accounts of the "
      "later stages lose the feature",
      *o, [&session, o] {
        auto request = RampRequest<v1::RollbackRampRequest>(session, *o);
        request.set_to_stage(o->off ? 0 : o->to_stage);
        ASSIGN_OR_RETURN(v1::Ramp ramp, session.Call(&RampStub::RollbackRamp, request));
        return ConfirmRamp(session, ramp, "rolled back");
      });
  CLI::Option_group* target = verb->add_option_group("target", "Where to return to (one of)");
  target->add_option("--to-stage", o->to_stage, "The stage to return to, from 1")
      ->check(CLI::PositiveNumber);
  target->add_flag("--off", o->off, "Serve nobody through the ramp (status rolled back)");
  target->require_option(1);
}

}  // namespace

void AddRampStepCommands(CLI::App* ramp, Session& session) {
  for (const Action& action : kActions) AddAction(ramp, session, action);
  AddAdvance(ramp, session);
  AddApprove(ramp, session);
  AddRollback(ramp, session);
}

}  // namespace rampart::cli
