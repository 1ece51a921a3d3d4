// `rampart eval`: what a flag serves an account, and why
// (EvaluationService). The support view: "is this a new button or did the old
// one break?"
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "rampart/v1/eval.grpc.pb.h"

namespace rampart::cli {
namespace {

using Stub = v1::EvaluationService::Stub;

struct EvalOptions {
  std::string flag, account, user;
  bool all = false;
  std::vector<std::string> attributes;
  std::optional<std::string> at;
};

// "TARGETING_MATCH": OpenFeature's spelling of the reason.
std::string ReasonLabel(v1::Reason reason) {
  absl::string_view name = v1::Reason_Name(reason);
  absl::ConsumePrefix(&name, "REASON_");
  return std::string(name);
}

// The rule or override detail, then the error code and message when set.
std::string Detail(const v1::EvaluationResult& result) {
  absl::string_view code = v1::ErrorCode_Name(result.error_code());
  if (result.error_code() == v1::ERROR_CODE_UNSPECIFIED) return OrDash(result.detail());
  absl::ConsumePrefix(&code, "ERROR_CODE_");
  std::string detail = absl::StrCat("error ", code);
  if (!result.error_message().empty()) absl::StrAppend(&detail, ": ", result.error_message());
  if (!result.detail().empty()) detail = absl::StrCat(result.detail(), "; ", detail);
  return detail;
}

void PrintResults(const std::vector<const v1::EvaluationResult*>& results) {
  Table table({"flag", "value", "variant", "reason", "detail"});
  for (const v1::EvaluationResult* result : results) {
    table.AddRow({result->flag_key(), FormatFlagValue(result->value()), OrDash(result->variant()),
                  ReasonLabel(result->reason()), Detail(*result)});
  }
  table.Print(std::cout);
}

absl::Status RunEval(Session& session, const EvalOptions& o) {
  if (o.all == !o.flag.empty()) {
    return absl::InvalidArgumentError("give either a FLAG or --all");
  }
  v1::EvaluationContext context;
  context.set_account_key(o.account);
  context.set_user_key(o.user);
  RETURN_IF_ERROR(ParseAttributes("--attr", o.attributes, context.mutable_attributes()));
  std::optional<google::protobuf::Timestamp> at;  // unset: now
  if (o.at) {
    ASSIGN_OR_RETURN(at, ParseTimeOption("--at", *o.at));
  }

  if (o.all) {
    v1::EvaluateAllRequest request;
    *request.mutable_context() = context;
    if (at) *request.mutable_at() = *at;
    ASSIGN_OR_RETURN(auto response, session.Call(&Stub::EvaluateAll, request));
    return session.Print(response, [&] {
      PrintResults({response.results().pointer_begin(), response.results().pointer_end()});
    });
  }
  v1::EvaluateRequest request;
  request.set_flag_key(o.flag);
  *request.mutable_context() = context;
  if (at) *request.mutable_at() = *at;
  ASSIGN_OR_RETURN(auto result, session.Call(&Stub::Evaluate, request));
  return session.Print(result, [&] { PrintResults({&result}); });
}

}  // namespace

void AddEvalCommand(CLI::App& root, Session& session) {
  auto o = std::make_shared<EvalOptions>();
  CLI::App* verb = session.AddVerb(
      &root, "eval",
      "Evaluate a flag (or --all flags) for an account: value, variant, reason, detail",
      [&session, o] { return RunEval(session, *o); });
  CLI::Option* flag = verb->add_option("FLAG", o->flag, "The flag's key");
  verb->add_flag("--all", o->all, "Evaluate every flag")->excludes(flag);
  verb->add_option("--account", o->account, "The account's key")->required();
  verb->add_option("--user", o->user, "A user inside the account");
  verb->add_option("--attr", o->attributes,
                   "A context attribute NAME=VALUE or NAME:TYPE=VALUE (see account create); "
                   "wins over the account's own; repeatable");
  verb->add_option("--at", o->at,
                   "Evaluate as of this TIME (RFC 3339, or '2026-12-15 09:00' / '2026-12-15' "
                   "in UTC); default: now");
}

}  // namespace rampart::cli
