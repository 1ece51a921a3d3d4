// One change to the store: it holds the registry's writer lock, collects the
// new objects and their audit entries in one batch, and commits them with the
// next store revision (domain promise 5). Also the typed object codec that
// every registry file shares. Internal to server/registry.
#ifndef RAMPART_SERVER_REGISTRY_TRANSACTION_H_
#define RAMPART_SERVER_REGISTRY_TRANSACTION_H_

#include <optional>
#include <string>
#include <type_traits>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "rampart/v1/admin.pb.h"
#include "rampart/v1/calendar.pb.h"
#include "rampart/v1/model.pb.h"
#include "rampart/v1/ramp.pb.h"
#include "server/registry/registry.h"
#include "server/storage/store.h"

namespace rampart::registry {

// What distinguishes the three stored kinds of object.
template <typename T>
struct ObjectTraits;
template <>
struct ObjectTraits<v1::Account> {
  static constexpr v1::ObjectKind kKind = v1::OBJECT_KIND_ACCOUNT;
  static constexpr storage::Cf kCf = storage::Cf::kAccounts;
  static constexpr absl::string_view kNoun = "account";
};
template <>
struct ObjectTraits<v1::Segment> {
  static constexpr v1::ObjectKind kKind = v1::OBJECT_KIND_SEGMENT;
  static constexpr storage::Cf kCf = storage::Cf::kSegments;
  static constexpr absl::string_view kNoun = "segment";
};
template <>
struct ObjectTraits<v1::Flag> {
  static constexpr v1::ObjectKind kKind = v1::OBJECT_KIND_FLAG;
  static constexpr storage::Cf kCf = storage::Cf::kFlags;
  static constexpr absl::string_view kNoun = "flag";
};

template <>
struct ObjectTraits<v1::Ramp> {
  static constexpr v1::ObjectKind kKind = v1::OBJECT_KIND_RAMP;
  static constexpr storage::Cf kCf = storage::Cf::kRamps;
  static constexpr absl::string_view kNoun = "ramp of flag";
};
template <>
struct ObjectTraits<v1::RampTemplate> {
  static constexpr v1::ObjectKind kKind = v1::OBJECT_KIND_RAMP_TEMPLATE;
  static constexpr storage::Cf kCf = storage::Cf::kRampTemplates;
  static constexpr absl::string_view kNoun = "ramp template";
};

template <>
struct ObjectTraits<v1::CalendarYear> {
  static constexpr v1::ObjectKind kKind = v1::OBJECT_KIND_CALENDAR_YEAR;
  static constexpr storage::Cf kCf = storage::Cf::kCalendars;
  static constexpr absl::string_view kNoun = "calendar year";
};
template <>
struct ObjectTraits<v1::FreezeCalendar> {
  static constexpr v1::ObjectKind kKind = v1::OBJECT_KIND_FREEZE_CALENDAR;
  static constexpr storage::Cf kCf = storage::Cf::kFreezeCalendars;
  static constexpr absl::string_view kNoun = "freeze calendar";
};

template <>
struct ObjectTraits<v1::ApiToken> {
  static constexpr v1::ObjectKind kKind = v1::OBJECT_KIND_API_TOKEN;
  static constexpr storage::Cf kCf = storage::Cf::kTokens;
  static constexpr absl::string_view kNoun = "token";
};

// `flag "x"`: how errors name an object.
template <typename T>
std::string Describe(absl::string_view key) {
  return absl::StrCat(ObjectTraits<T>::kNoun, " \"", key, "\"");
}

// The stored object, or nullopt; DATA_LOSS when it does not parse.
template <typename T>
absl::StatusOr<std::optional<T>> LoadObject(const storage::Store& store, absl::string_view key) {
  auto raw = store.Get(ObjectTraits<T>::kCf, key);
  if (!raw.ok()) return raw.status();
  if (!raw->has_value()) return std::nullopt;
  T obj;
  if (!obj.ParseFromString(**raw)) {
    return absl::DataLossError(absl::StrCat(Describe<T>(key), ": stored record does not parse"));
  }
  return obj;
}

// The stored object, or NOT_FOUND naming it.
template <typename T>
absl::StatusOr<T> GetObject(const storage::Store& store, absl::string_view key) {
  auto obj = LoadObject<T>(store, key);
  if (!obj.ok()) return obj.status();
  if (!obj->has_value()) return absl::NotFoundError(absl::StrCat(Describe<T>(key), " not found"));
  return std::move(**obj);
}

// Calls fn(T&) for every stored object from `start_after` (exclusive) in key
// order, until fn returns false. The object is fn's to keep (move it).
template <typename T, typename Fn>
absl::Status ForEachObject(const storage::Store& store, absl::string_view start_after, Fn fn) {
  std::string start;
  if (!start_after.empty()) start = absl::StrCat(start_after, absl::string_view("\0", 1));
  absl::Status parse_error;
  absl::Status s = store.Scan(ObjectTraits<T>::kCf, "", start, false,
                              [&](absl::string_view key, absl::string_view value) {
                                T obj;  // fresh: fn may move it away
                                if (!obj.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
                                  parse_error = absl::DataLossError(absl::StrCat(
                                      Describe<T>(key), ": stored record does not parse"));
                                  return false;
                                }
                                return fn(obj);
                              });
  return parse_error.ok() ? s : parse_error;
}

// The protobuf JSON of a message, as the audit log and the CLI show it.
std::string ToJson(const google::protobuf::Message& m);

// What a change expects of the object it changes.
enum class Expect {
  // Create (expected revision 0, must not exist) or replace (expected ==
  // the current revision).
  kCreateOrReplace,
  // Change an existing object: expected revision required and current.
  kExisting,
};

class Transaction {
 public:
  // Takes the registry's writer lock. `operation` names the call in the
  // audit log, e.g. "flag.override.set".
  Transaction(Registry& registry, const v1::WriteMeta& meta, std::string operation);
  ~Transaction();

  // INVALID_ARGUMENT when meta has no actor or no reason.
  absl::Status ValidateMeta() const;

  // Checks meta.expected_revision against `current` (nullopt: absent):
  // ABORTED when stale, ALREADY_EXISTS when creating an existing object,
  // NOT_FOUND when changing a missing one.
  template <typename T>
  absl::Status CheckRevision(const std::optional<T>& current, absl::string_view key,
                             Expect expect) const {
    return CheckRevisionImpl(Describe<T>(key), current.has_value(),
                             current.has_value() ? current->revision() : 0, expect);
  }

  int64_t revision() const { return revision_; }
  absl::Time now() const { return now_; }
  const v1::WriteMeta& meta() const { return meta_; }
  // Replaces meta.reason for the audit entries still to come (the scheduler
  // records the rule that fired, known only once the ramp is loaded).
  void SetReason(std::string reason) { meta_.set_reason(std::move(reason)); }

  // Stores `after` (stamping revision and times) with an audit entry.
  // `before` null: a create. A flag gets its freeze pins for the windows
  // open now (core/eval/freeze_pins.h; meta.break_freeze lets the change
  // through them); a change that can alter the freeze windows (a freeze
  // calendar, a segment, an account in a new time zone, a working-day
  // calendar year) has the schedule recomputed at Commit.
  template <typename T>
  void Put(const T* before, T& after, v1::AuditAction action = v1::AUDIT_ACTION_UNSPECIFIED) {
    if constexpr (std::is_same_v<T, v1::Flag>) PinFlag(before, after);
    NoteScheduleInput(ObjectTraits<T>::kKind, &after);
    StampTimes(before, after);
    if (action == v1::AUDIT_ACTION_UNSPECIFIED) {
      action = before == nullptr ? v1::AUDIT_ACTION_CREATE : v1::AUDIT_ACTION_UPDATE;
    }
    std::string bytes = after.SerializeAsString();
    batch_.Put(ObjectTraits<T>::kCf, after.key(), bytes);
    changes_.push_back(ObjectChange{ObjectTraits<T>::kKind, after.key(), std::move(bytes), false});
    Audit(ObjectTraits<T>::kKind, after.key(), action, before, &after);
  }

  // Deletes the object with an audit entry.
  template <typename T>
  void Delete(const T& before) {
    NoteScheduleInput(ObjectTraits<T>::kKind, nullptr);
    batch_.Delete(ObjectTraits<T>::kCf, before.key());
    changes_.push_back(ObjectChange{ObjectTraits<T>::kKind, before.key(), "", true});
    Audit(ObjectTraits<T>::kKind, before.key(), v1::AUDIT_ACTION_DELETE, &before, nullptr);
  }

  // Indexes the last audit entry under another object too, so that its
  // history shows the change (an override on a flag is in the account's
  // history).
  void AlsoIndexUnder(v1::ObjectKind kind, absl::string_view key);

  // Recompute the freeze schedule at Commit even if nothing above asked
  // for it (the daily refresh that moves its horizon).
  void RecomputeSchedule() { recompute_schedule_ = force_schedule_ = true; }

  // Writes the batch (objects, audit entries, the new store revision) in one
  // synced write. Returns the committed revision. When the change can alter
  // the freeze windows, the schedule is then recomputed from the store and,
  // when it changed, written under the same revision in a second synced
  // write, before listeners hear of the commit (so SDKs never see one
  // without the other). A crash between the two writes leaves the old
  // schedule until rampartd starts, which recomputes it.
  absl::StatusOr<int64_t> Commit();

  Registry& registry() { return registry_; }

 private:
  absl::Status CheckRevisionImpl(const std::string& what, bool exists, int64_t current,
                                 Expect expect) const;
  template <typename T>
  void StampTimes(const T* before, T& after) {
    after.set_revision(revision_);
    *after.mutable_created_at() = before != nullptr ? before->created_at() : now_proto_;
    *after.mutable_updated_at() = now_proto_;
  }
  void PinFlag(const v1::Flag* before, v1::Flag& after);
  void NoteScheduleInput(v1::ObjectKind kind, const google::protobuf::Message* after);
  void Audit(v1::ObjectKind kind, absl::string_view key, v1::AuditAction action,
             const google::protobuf::Message* before, const google::protobuf::Message* after);

  Registry& registry_;
  absl::MutexLock lock_;
  v1::WriteMeta meta_;
  std::string operation_;
  int64_t revision_;
  absl::Time now_;
  google::protobuf::Timestamp now_proto_;
  uint32_t next_seq_ = 0;
  storage::WriteBatch batch_;
  std::vector<ObjectChange> changes_;
  bool committed_ = false;
  bool recompute_schedule_ = false;
  bool force_schedule_ = false;
};

}  // namespace rampart::registry

#endif  // RAMPART_SERVER_REGISTRY_TRANSACTION_H_
