// Registry: server-side evaluation. It gathers what the engine needs into a
// Snapshot and calls core/eval, the same engine the SDK runs (promise 1).
#include "absl/container/flat_hash_set.h"
#include "core/common/keys.h"
#include "core/common/status_macros.h"
#include "core/common/time_util.h"
#include "core/eval/engine.h"
#include "core/eval/ramp_serving.h"
#include "server/registry/registry.h"
#include "server/registry/transaction.h"

namespace rampart::registry {
namespace {

absl::Status ValidateContext(const v1::EvaluationContext& context) {
  return ValidateKey("context.account_key", context.account_key());
}

eval::Context ToEngineContext(const v1::EvaluationContext& context) {
  return eval::Context{context.account_key(), context.user_key(), &context.attributes()};
}

}  // namespace

absl::StatusOr<v1::EvaluationResult> Registry::Evaluate(const v1::EvaluateRequest& req) const {
  RETURN_IF_ERROR(ValidateKey("flag_key", req.flag_key()));
  RETURN_IF_ERROR(ValidateContext(req.context()));
  ASSIGN_OR_RETURN(v1::Flag flag, GetFlag(req.flag_key()));
  // An archived flag with freeze pins still answers for the accounts its
  // pins hold (FLAG_NOT_FOUND in the result for the others), as in the SDK.
  if (flag.archived() && flag.freeze_pins_size() == 0) {
    return absl::NotFoundError(absl::StrCat("flag \"", flag.key(), "\" is archived"));
  }
  eval::Snapshot::Builder builder;
  // The freeze windows the SDKs enforce, and the segments they name: the
  // server answers as an SDK would (promise 1).
  const std::shared_ptr<const v1::FreezeSchedule> schedule = freeze_schedule();
  absl::flat_hash_set<std::string> segments = eval::SegmentsNamedBy(flag);
  for (const auto& list : schedule->segments()) {
    if (!list.segment().empty()) segments.insert(list.segment());
  }
  builder.SetFreezeSchedule(*schedule);
  for (const std::string& key : segments) {
    ASSIGN_OR_RETURN(auto segment, LoadObject<v1::Segment>(store_, key));
    if (segment) builder.AddSegment(std::move(*segment));
  }
  ASSIGN_OR_RETURN(auto account, LoadObject<v1::Account>(store_, req.context().account_key()));
  if (account) builder.AddAccount(std::move(*account));
  const int64_t revision = flag.revision();
  builder.AddFlag(std::move(flag));
  const auto snapshot = std::move(builder).Build();
  const absl::Time at = IsSet(req.at()) ? FromProto(req.at()) : clock_.Now();
  const eval::Evaluation e =
      eval::Evaluate(*snapshot, req.flag_key(), ToEngineContext(req.context()), at);
  return eval::ToProto(req.flag_key(), e, revision);
}

absl::StatusOr<v1::EvaluateAllResponse> Registry::EvaluateAll(
    const v1::EvaluateAllRequest& req) const {
  RETURN_IF_ERROR(ValidateContext(req.context()));
  eval::Snapshot::Builder builder;
  RETURN_IF_ERROR(ForEachObject<v1::Flag>(store_, "", [&](const v1::Flag& f) {
    if (!f.archived()) builder.AddFlag(f);
    return true;
  }));
  builder.SetFreezeSchedule(*freeze_schedule());
  RETURN_IF_ERROR(ForEachObject<v1::Segment>(store_, "", [&](const v1::Segment& s) {
    builder.AddSegment(s);
    return true;
  }));
  ASSIGN_OR_RETURN(auto account, LoadObject<v1::Account>(store_, req.context().account_key()));
  if (account) builder.AddAccount(std::move(*account));
  const auto snapshot = std::move(builder).Build();
  const absl::Time at = IsSet(req.at()) ? FromProto(req.at()) : clock_.Now();
  const eval::Context context = ToEngineContext(req.context());
  v1::EvaluateAllResponse resp;
  for (const v1::Flag* flag : snapshot->flags()) {
    *resp.add_results() =
        eval::ToProto(flag->key(), eval::EvaluateFlag(*snapshot, *flag, context, at),
                      flag->revision());
  }
  return resp;
}

}  // namespace rampart::registry
