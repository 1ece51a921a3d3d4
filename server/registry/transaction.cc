#include "server/registry/transaction.h"

#include "core/common/keys.h"
#include "core/common/status_macros.h"
#include "core/common/time_util.h"
#include "core/eval/freeze_pins.h"
#include "google/protobuf/util/json_util.h"
#include "server/storage/encoding.h"

namespace rampart::registry {

std::string ToJson(const google::protobuf::Message& m) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(m, &out, options);
  return out;
}

Transaction::Transaction(Registry& registry, const v1::WriteMeta& meta, std::string operation)
    : registry_(registry),
      lock_(&registry.write_mu_),
      meta_(meta),
      operation_(std::move(operation)),
      revision_(registry.revision() + 1),
      now_(registry.clock().Now()),
      now_proto_(ToProto(now_)) {}

Transaction::~Transaction() = default;

absl::Status Transaction::ValidateMeta() const {
  RETURN_IF_ERROR(RequireNonEmpty("meta.actor", meta_.actor()));
  RETURN_IF_ERROR(RequireNonEmpty("meta.reason", meta_.reason()));
  if (meta_.expected_revision() < 0) {
    return absl::InvalidArgumentError("meta.expected_revision: must not be negative");
  }
  return absl::OkStatus();
}

absl::Status Transaction::CheckRevisionImpl(const std::string& what, bool exists, int64_t current,
                                            Expect expect) const {
  const int64_t expected = meta_.expected_revision();
  if (!exists) {
    if (expect == Expect::kExisting || expected != 0) {
      return absl::NotFoundError(absl::StrCat(what, " not found"));
    }
    return absl::OkStatus();
  }
  if (expected == 0) {
    if (expect == Expect::kCreateOrReplace) {
      return absl::AlreadyExistsError(absl::StrCat(
          what, " already exists (revision ", current,
          "); pass its revision as meta.expected_revision to replace it"));
    }
    return absl::InvalidArgumentError(absl::StrCat(
        "meta.expected_revision: required to change ", what, " (it is at revision ", current,
        ")"));
  }
  if (expected != current) {
    return absl::AbortedError(absl::StrCat(
        what, ": revision ", expected, " is stale, it is now at revision ", current,
        " (someone changed it since you read it); read it again and retry"));
  }
  return absl::OkStatus();
}

void Transaction::Audit(v1::ObjectKind kind, absl::string_view key, v1::AuditAction action,
                        const google::protobuf::Message* before,
                        const google::protobuf::Message* after) {
  // A token's entries never carry its secret's hash: support reads the log.
  v1::ApiToken token_before, token_after;
  if (kind == v1::OBJECT_KIND_API_TOKEN) {
    if (before != nullptr) {
      token_before = static_cast<const v1::ApiToken&>(*before);
      token_before.clear_secret_sha256();
      before = &token_before;
    }
    if (after != nullptr) {
      token_after = static_cast<const v1::ApiToken&>(*after);
      token_after.clear_secret_sha256();
      after = &token_after;
    }
  }
  v1::AuditEntry entry;
  entry.set_revision(revision_);
  *entry.mutable_time() = now_proto_;
  entry.set_actor(meta_.actor());
  entry.set_reason(meta_.reason());
  entry.set_kind(kind);
  entry.set_object_key(std::string(key));
  entry.set_action(action);
  if (before != nullptr) entry.set_before_json(ToJson(*before));
  if (after != nullptr) {
    entry.set_after_json(ToJson(*after));
    entry.set_after(after->SerializeAsString());
  }
  entry.set_operation(operation_);
  entry.set_break_freeze(meta_.break_freeze());

  const storage::AuditPosition pos{static_cast<uint64_t>(revision_), next_seq_++};
  batch_.Put(storage::Cf::kAudit, storage::AuditKey(pos), entry.SerializeAsString());
  batch_.Put(storage::Cf::kAuditIndex,
             storage::AuditIndexKey(storage::AuditObjectIndexPrefix(kind, key), pos), "");
  batch_.Put(storage::Cf::kAuditIndex,
             storage::AuditIndexKey(storage::AuditActorIndexPrefix(meta_.actor()), pos), "");
}

void Transaction::AlsoIndexUnder(v1::ObjectKind kind, absl::string_view key) {
  assert(next_seq_ > 0);
  const storage::AuditPosition pos{static_cast<uint64_t>(revision_), next_seq_ - 1};
  batch_.Put(storage::Cf::kAuditIndex,
             storage::AuditIndexKey(storage::AuditObjectIndexPrefix(kind, key), pos), "");
}

void Transaction::PinFlag(const v1::Flag* before, v1::Flag& after) {
  const std::shared_ptr<const v1::FreezeSchedule> schedule = registry_.freeze_schedule();
  eval::UpdatePins(before, after, *schedule, now_, meta_.break_freeze());
}

void Transaction::NoteScheduleInput(v1::ObjectKind kind, const google::protobuf::Message* after) {
  switch (kind) {
    case v1::OBJECT_KIND_FREEZE_CALENDAR:
    case v1::OBJECT_KIND_SEGMENT:
    case v1::OBJECT_KIND_CALENDAR_YEAR:
      recompute_schedule_ = true;
      return;
    case v1::OBJECT_KIND_ACCOUNT:
      // Only a zone the schedule has no lists for yet changes it; a deleted
      // account's zone keeps its lists until the daily refresh.
      if (after != nullptr) {
        const auto& account = static_cast<const v1::Account&>(*after);
        if (!account.time_zone().empty() && registry_.NoteAccountZone(account.time_zone())) {
          recompute_schedule_ = true;
        }
      }
      return;
    default:
      return;
  }
}

absl::StatusOr<int64_t> Transaction::Commit() {
  assert(!committed_);
  std::string rev;
  storage::PutBigEndian64(&rev, static_cast<uint64_t>(revision_));
  batch_.Put(storage::Cf::kMeta, storage::kMetaRevision, rev);
  RETURN_IF_ERROR(registry_.store_.Write(batch_));
  committed_ = true;
  if (recompute_schedule_) {
    // The change is durable; the schedule follows it (see the header).
    if (std::optional<std::string> bytes =
            registry_.RecomputeFreezeSchedule(now_, force_schedule_)) {
      changes_.push_back(
          ObjectChange{v1::OBJECT_KIND_FREEZE_SCHEDULE, "", std::move(*bytes), false});
    }
  }
  {
    absl::MutexLock lock(&registry_.revision_mu_);
    registry_.revision_ = revision_;
  }
  // Still under the writer lock: listeners see commits in order.
  if (registry_.listener_ != nullptr) registry_.listener_->OnCommit(revision_, changes_);
  return revision_;
}

}  // namespace rampart::registry
