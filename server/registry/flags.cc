// Registry: flags, their overrides and rules.
#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "core/common/keys.h"
#include "core/common/status_macros.h"
#include "core/common/time_util.h"
#include "core/model/validate.h"
#include "core/ramp/planner.h"
#include "server/registry/paging.h"
#include "server/registry/registry.h"
#include "server/registry/transaction.h"

namespace rampart::registry {
namespace {

// Gives every rule without an id the first free "rule-N", so that people and
// the audit log can name rules.
void FillRuleIds(v1::Flag& flag) {
  absl::flat_hash_set<std::string> used;
  for (const auto& r : flag.rules()) used.insert(r.id());
  int n = 1;
  for (auto& r : *flag.mutable_rules()) {
    if (!r.id().empty()) continue;
    while (used.contains(absl::StrCat("rule-", n))) ++n;
    r.set_id(absl::StrCat("rule-", n));
    used.insert(r.id());
  }
}

// Validates `flag` as a whole against the store: model rules, segments and
// accounts it names must exist. Fills what the server owns.
absl::Status PrepareFlag(const storage::Store& store, const Transaction& tx,
                                v1::Flag& flag) {
  flag.clear_revision();
  flag.clear_created_at();
  flag.clear_updated_at();
  FillRuleIds(flag);
  for (auto& o : *flag.mutable_overrides()) {
    if (o.actor().empty()) o.set_actor(tx.meta().actor());
    if (!IsSet(o.created_at())) *o.mutable_created_at() = ToProto(tx.now());
  }
  RETURN_IF_ERROR(model::ValidateFlag(flag, [&](absl::string_view key) {
    auto s = LoadObject<v1::Segment>(store, key);
    return s.ok() && s->has_value();
  }));
  for (int i = 0; i < flag.overrides_size(); ++i) {
    const std::string& account_key = flag.overrides(i).account_key();
    ASSIGN_OR_RETURN(auto account, LoadObject<v1::Account>(store, account_key));
    if (!account) {
      return absl::NotFoundError(absl::StrCat("flag \"", flag.key(), "\": overrides[", i,
                                              "]: account \"", account_key, "\" not found"));
    }
  }
  return absl::OkStatus();
}

// Flag.ramp belongs to the ramp calls and Flag.freeze_pins to the freezes: a
// put keeps the stored ones (the caller's are ignored). When the flag has a
// ramp, its plan must still fit the flag (its stage variants exist), and the
// serving view follows the flag's salt.
absl::Status KeepServerOwnedFields(const storage::Store& store, const v1::Flag* current,
                                   v1::Flag& flag) {
  flag.clear_ramp();
  flag.clear_freeze_pins();
  if (current == nullptr) return absl::OkStatus();
  *flag.mutable_ramp() = current->ramp();
  *flag.mutable_freeze_pins() = current->freeze_pins();
  ASSIGN_OR_RETURN(auto ramp, LoadObject<v1::Ramp>(store, flag.key()));
  if (!ramp) return absl::OkStatus();
  v1::RampPlan plan = ramp->plan();
  if (absl::Status s = ramp::ValidatePlan(plan, &flag, nullptr); !s.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "flag \"", flag.key(), "\" has a ramp whose plan no longer fits it: ", s.message()));
  }
  *flag.mutable_ramp() = ramp::BuildServing(*ramp, flag);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::Flag> Registry::GetFlag(absl::string_view key) const {
  RETURN_IF_ERROR(ValidateKey("key", key));
  return GetObject<v1::Flag>(store_, key);
}

absl::StatusOr<v1::ListFlagsResponse> Registry::ListFlags(const v1::ListFlagsRequest& req) const {
  ASSIGN_OR_RETURN(const int size, PageSize(req.page()));
  const absl::Time now = clock_.Now();
  PageCollector<v1::Flag> page(size);
  RETURN_IF_ERROR(ForEachObject<v1::Flag>(store_, req.page().page_token(), [&](const v1::Flag& f) {
    if (f.archived() && !req.include_archived()) return true;
    if (!req.tag().empty() &&
        std::find(f.tags().begin(), f.tags().end(), req.tag()) == f.tags().end()) {
      return true;
    }
    if (!req.owner().empty() && f.owner() != req.owner()) return true;
    if (req.expired_only() &&
        !(f.temporary() && IsSet(f.expires_at()) && FromProto(f.expires_at()) <= now)) {
      return true;
    }
    return page.Add(f);
  }));
  v1::ListFlagsResponse resp;
  for (auto& f : page.items()) *resp.add_flags() = std::move(f);
  if (page.more()) resp.set_next_page_token(resp.flags().rbegin()->key());
  return resp;
}

absl::StatusOr<v1::Flag> Registry::PutFlag(const v1::PutFlagRequest& req) {
  Transaction tx(*this, req.meta(), "flag.put");
  RETURN_IF_ERROR(tx.ValidateMeta());
  v1::Flag flag = req.flag();
  RETURN_IF_ERROR(PrepareFlag(store_, tx, flag));
  ASSIGN_OR_RETURN(auto current, LoadObject<v1::Flag>(store_, flag.key()));
  RETURN_IF_ERROR(tx.CheckRevision(current, flag.key(), Expect::kCreateOrReplace));
  RETURN_IF_ERROR(KeepServerOwnedFields(store_, current ? &*current : nullptr, flag));
  tx.Put(current ? &*current : nullptr, flag);
  RETURN_IF_ERROR(tx.Commit().status());
  return flag;
}

absl::StatusOr<v1::Flag> Registry::ArchiveFlag(const v1::ArchiveFlagRequest& req) {
  Transaction tx(*this, req.meta(), req.archived() ? "flag.archive" : "flag.unarchive");
  RETURN_IF_ERROR(tx.ValidateMeta());
  RETURN_IF_ERROR(ValidateKey("key", req.key()));
  ASSIGN_OR_RETURN(auto current, LoadObject<v1::Flag>(store_, req.key()));
  RETURN_IF_ERROR(tx.CheckRevision(current, req.key(), Expect::kExisting));
  v1::Flag flag = *current;
  flag.set_archived(req.archived());
  tx.Put(&*current, flag, req.archived() ? v1::AUDIT_ACTION_ARCHIVE : v1::AUDIT_ACTION_UPDATE);
  RETURN_IF_ERROR(tx.Commit().status());
  return flag;
}

absl::StatusOr<v1::Flag> Registry::SetOverride(const v1::SetOverrideRequest& req) {
  Transaction tx(*this, req.meta(), "flag.override.set");
  RETURN_IF_ERROR(tx.ValidateMeta());
  RETURN_IF_ERROR(ValidateKey("flag_key", req.flag_key()));
  RETURN_IF_ERROR(ValidateKey("override.account_key", req.override().account_key()));
  ASSIGN_OR_RETURN(auto current, LoadObject<v1::Flag>(store_, req.flag_key()));
  RETURN_IF_ERROR(tx.CheckRevision(current, req.flag_key(), Expect::kExisting));
  v1::Override o = req.override();
  if (IsSet(o.ends_at()) && FromProto(o.ends_at()) <= tx.now()) {
    return absl::InvalidArgumentError(absl::StrCat("override.ends_at: ",
                                                   rampart::FormatTime(FromProto(o.ends_at())),
                                                   " is not in the future"));
  }
  if (o.reason().empty()) o.set_reason(tx.meta().reason());
  o.set_actor(tx.meta().actor());
  *o.mutable_created_at() = ToProto(tx.now());
  v1::Flag flag = *current;
  auto* overrides = flag.mutable_overrides();
  auto it = std::find_if(overrides->begin(), overrides->end(),
                         [&](const v1::Override& x) { return x.account_key() == o.account_key(); });
  if (it != overrides->end()) {
    *it = o;
  } else {
    *flag.add_overrides() = o;
  }
  RETURN_IF_ERROR(PrepareFlag(store_, tx, flag));
  tx.Put(&*current, flag);
  tx.AlsoIndexUnder(v1::OBJECT_KIND_ACCOUNT, o.account_key());
  RETURN_IF_ERROR(tx.Commit().status());
  return flag;
}

absl::StatusOr<v1::Flag> Registry::RemoveOverride(const v1::RemoveOverrideRequest& req) {
  Transaction tx(*this, req.meta(), "flag.override.remove");
  RETURN_IF_ERROR(tx.ValidateMeta());
  RETURN_IF_ERROR(ValidateKey("flag_key", req.flag_key()));
  RETURN_IF_ERROR(ValidateKey("account_key", req.account_key()));
  ASSIGN_OR_RETURN(auto current, LoadObject<v1::Flag>(store_, req.flag_key()));
  RETURN_IF_ERROR(tx.CheckRevision(current, req.flag_key(), Expect::kExisting));
  v1::Flag flag = *current;
  auto* overrides = flag.mutable_overrides();
  auto it = std::find_if(overrides->begin(), overrides->end(), [&](const v1::Override& x) {
    return x.account_key() == req.account_key();
  });
  if (it == overrides->end()) {
    return absl::NotFoundError(absl::StrCat("flag \"", req.flag_key(),
                                            "\": no override for account \"", req.account_key(),
                                            "\""));
  }
  overrides->erase(it);
  tx.Put(&*current, flag);
  tx.AlsoIndexUnder(v1::OBJECT_KIND_ACCOUNT, req.account_key());
  RETURN_IF_ERROR(tx.Commit().status());
  return flag;
}

}  // namespace rampart::registry
