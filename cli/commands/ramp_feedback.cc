// `rampart ramp enroll|withdraw` (an account's beta enrollment in a flag) and
// `rampart ramp problem report|list` (problems reported against a flag; a
// stage's problem gate counts them). What a client app does through the SDK,
// for support and release managers to do by hand.
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/commands/common.h"
#include "cli/commands/ramps.h"
#include "rampart/v1/ramp.grpc.pb.h"

namespace rampart::cli {
namespace {

using RampStub = v1::RampService::Stub;

// The verbs that take a BetaEnrollmentRequest.
struct Enrollment {
  const char* name;
  const char* description;
  grpc::Status (RampStub::*rpc)(grpc::ClientContext*, const v1::BetaEnrollmentRequest&,
                                v1::BetaEnrollmentResponse*);
  const char* changed;    // "enrolled in"
  const char* unchanged;  // "was already enrolled in"
};

constexpr Enrollment kEnrollments[] = {
    {"enroll",
     "Enroll an account in a flag's beta: stages whose audience is beta-enrolled may serve it",
     &RampStub::EnrollBeta, "enrolled in", "was already enrolled in"},
    {"withdraw", "Withdraw an account from a flag's beta", &RampStub::WithdrawBeta,
     "withdrawn from", "was not enrolled in"},
};

void AddEnrollment(CLI::App* noun, Session& session, const Enrollment& enrollment) {
  struct Options : RampChange {
    std::string account;
  };
  auto o = std::make_shared<Options>();
  CLI::App* verb =
      session.AddVerb(noun, enrollment.name, enrollment.description, [&session, o, &enrollment] {
        auto request = RampRequest<v1::BetaEnrollmentRequest>(session, *o);
        request.set_account_key(o->account);
        ASSIGN_OR_RETURN(v1::BetaEnrollmentResponse response,
                         session.Call(enrollment.rpc, request));
        return session.Confirm(
            response,
            absl::StrFormat("account \"%s\" %s the beta of flag \"%s\" (%s)", o->account,
                            response.changed() ? enrollment.changed : enrollment.unchanged, o->flag,
                            CountOf(response.enrolled_size(), "account") + " enrolled"));
      });
  AddFlagArgument(verb, o->flag);
  verb->add_option("ACCOUNT", o->account, "The account's key")->required();
  AddWriteOptions(verb, o->write, /*change=*/false);
}

void AddReport(CLI::App* noun, Session& session) {
  struct Options {
    std::string flag, account, user, text;
  };
  auto o = std::make_shared<Options>();
  CLI::App* verb = session.AddVerb(
      noun, "report",
      "Report a problem with a flag for an account, as its app would; the ramp's problem gate "
      "counts it. The reporter is --actor",
      [&session, o] {
        v1::ReportProblemRequest request;
        request.set_flag_key(o->flag);
        request.set_account_key(o->account);
        request.set_user_key(o->user);
        request.set_text(o->text);
        request.set_reporter(session.options().actor);
        ASSIGN_OR_RETURN(v1::ProblemReport report, session.Call(&RampStub::ReportProblem, request));
        return session.Confirm(
            report, absl::StrFormat(
                        "problem \"%s\" reported on flag \"%s\" for account \"%s\" (%s)",
                        report.id(), report.flag_key(), report.account_key(),
                        report.stage() == 0 ? "no stage serving" : StageLabel(report.stage(), "")));
      });
  AddFlagArgument(verb, o->flag);
  verb->add_option("--account", o->account, "The account that has the problem")->required();
  verb->add_option("--user", o->user, "The user inside the account who met it");
  verb->add_option("--text", o->text, "What went wrong (at most 1000 bytes)")->required();
}

void PrintProblemTable(const v1::ListProblemsResponse& response) {
  Table table({"reported", "id", "account", "user", "stage", "reporter", "text"});
  for (const v1::ProblemReport& r : response.reports()) {
    table.AddRow({FormatTimestamp(r.reported_at()), r.id(), r.account_key(), OrDash(r.user_key()),
                  r.stage() == 0 ? "-" : absl::StrCat(r.stage()), OrDash(r.reporter()), r.text()});
  }
  table.Print(std::cout);
  NoteCut(static_cast<uint64_t>(response.reports_size()) < response.total());
}

void AddList(CLI::App* noun, Session& session) {
  struct Options {
    std::string flag;
    std::optional<std::string> since;
    int limit = 0;
  };
  auto o = std::make_shared<Options>();
  CLI::App* verb = session.AddVerb(
      noun, "list", "List the problems reported against a flag, newest first", [&session, o] {
        v1::ListProblemsRequest request;
        request.set_flag_key(o->flag);
        if (o->since) {
          ASSIGN_OR_RETURN(*request.mutable_since(), ParseTimeOption("--since", *o->since));
        }
        request.set_limit(LimitField(o->limit));
        ASSIGN_OR_RETURN(auto response, session.Call(&RampStub::ListProblems, request));
        return session.Print(response, [&] { PrintProblemTable(response); });
      });
  AddFlagArgument(verb, o->flag);
  verb->add_option("--since", o->since,
                   "Only reports at or after this TIME (RFC 3339, or '2026-12-15 09:00' / "
                   "'2026-12-15' in UTC)");
  AddLimitOption(verb, o->limit, 100);
}

}  // namespace

void AddRampFeedbackCommands(CLI::App* ramp, Session& session) {
  for (const Enrollment& enrollment : kEnrollments) AddEnrollment(ramp, session, enrollment);
  CLI::App* noun = ramp->add_subcommand(
      "problem", "Problem reports against a flag: what a stage's problem gate counts");
  noun->require_subcommand(1);
  AddReport(noun, session);
  AddList(noun, session);
}

}  // namespace rampart::cli
