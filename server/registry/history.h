// Reading the registry as it was (issue 6). Every change stores, in the same
// batch, an audit entry with the object after it (AuditEntry.after_json), and
// an index entry under the object: the state of any object at any past
// revision is its last entry at or before that revision, one index seek
// away however long the log. The audit log's times grow with its revisions
// (one writer, the registry's clock), so the revision in effect at an
// instant is found by bisection.
#ifndef RAMPART_SERVER_REGISTRY_HISTORY_H_
#define RAMPART_SERVER_REGISTRY_HISTORY_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/common/time_util.h"
#include "rampart/v1/model.pb.h"
#include "server/storage/store.h"

namespace rampart::registry {

// The last revision committed at or before `t` (0: none).
absl::StatusOr<int64_t> RevisionAt(const storage::Store& store, absl::Time t);

// Calls fn with the audit entries of the object (kind, key) itself, at or
// before `up_to_revision`, newest first, until fn returns false. Entries of
// other objects indexed under it (an override under its account) are left
// out.
absl::Status ForEachObjectEntry(const storage::Store& store, v1::ObjectKind kind,
                                absl::string_view key, int64_t up_to_revision,
                                const std::function<bool(v1::AuditEntry&)>& fn);

// The audit entries of the object (kind, key) itself, at or before
// `up_to_revision`, newest first; at most `limit` (0: all). Entries of other
// objects indexed under it (an override under its account) are left out.
absl::StatusOr<std::vector<v1::AuditEntry>> ObjectEntries(const storage::Store& store,
                                                          v1::ObjectKind kind,
                                                          absl::string_view key,
                                                          int64_t up_to_revision, size_t limit);

// Every key an object of `kind` ever had (from the audit index), sorted.
absl::StatusOr<std::vector<std::string>> KeysEver(const storage::Store& store,
                                                  v1::ObjectKind kind);

// The object as an entry left it (nullopt: deleted, or an entry without an
// object after it). DATA_LOSS when the JSON does not parse.
absl::Status ParseState(const v1::AuditEntry& entry, google::protobuf::Message* out, bool* present);

// The object at `revision` (nullopt: it did not exist then).
template <typename T>
absl::StatusOr<std::optional<T>> ObjectAt(const storage::Store& store, v1::ObjectKind kind,
                                          absl::string_view key, int64_t revision) {
  absl::StatusOr<std::vector<v1::AuditEntry>> entries =
      ObjectEntries(store, kind, key, revision, 1);
  if (!entries.ok()) return entries.status();
  if (entries->empty()) return std::nullopt;
  T object;
  bool present = false;
  if (absl::Status s = ParseState(entries->front(), &object, &present); !s.ok()) return s;
  if (!present) return std::nullopt;
  return object;
}

// One state of an object: what its audit entry left, in effect from the
// entry's time.
template <typename T>
struct ObjectState {
  absl::Time time;
  v1::AuditEntry entry;
  std::shared_ptr<const T> object;  // null: deleted
};

// The object's states up to `revision`, oldest first.
template <typename T>
absl::StatusOr<std::vector<ObjectState<T>>> ObjectStates(const storage::Store& store,
                                                         v1::ObjectKind kind, absl::string_view key,
                                                         int64_t revision) {
  absl::StatusOr<std::vector<v1::AuditEntry>> entries =
      ObjectEntries(store, kind, key, revision, 0);
  if (!entries.ok()) return entries.status();
  std::vector<ObjectState<T>> out;
  out.reserve(entries->size());
  for (auto it = entries->rbegin(); it != entries->rend(); ++it) {
    T object;
    bool present = false;
    if (absl::Status s = ParseState(*it, &object, &present); !s.ok()) return s;
    ObjectState<T> state{FromProto(it->time()), std::move(*it), nullptr};
    if (present) state.object = std::make_shared<const T>(std::move(object));
    out.push_back(std::move(state));
  }
  return out;
}

}  // namespace rampart::registry

#endif  // RAMPART_SERVER_REGISTRY_HISTORY_H_
