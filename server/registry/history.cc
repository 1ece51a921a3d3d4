#include "server/registry/history.h"

#include <limits>

#include "absl/strings/str_cat.h"
#include "core/common/status_macros.h"
#include "core/common/time_util.h"
#include "google/protobuf/util/json_util.h"
#include "server/storage/encoding.h"

namespace rampart::registry {
namespace {

// The first audit entry at or after revision `from` (nullopt: none).
absl::StatusOr<std::optional<v1::AuditEntry>> FirstEntryFrom(const storage::Store& store,
                                                             int64_t from) {
  std::optional<v1::AuditEntry> out;
  absl::Status error;
  RETURN_IF_ERROR(store.Scan(
      storage::Cf::kAudit, "", storage::AuditKey({static_cast<uint64_t>(from), 0}), false,
      [&](absl::string_view, absl::string_view value) {
        v1::AuditEntry e;
        if (!e.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          error = absl::DataLossError("audit: stored entry does not parse");
        } else {
          out = std::move(e);
        }
        return false;
      }));
  RETURN_IF_ERROR(error);
  return out;
}

}  // namespace

absl::StatusOr<int64_t> RevisionAt(const storage::Store& store, absl::Time t) {
  // Bisect on "the first entry from revision r was committed after t".
  ASSIGN_OR_RETURN(std::optional<v1::AuditEntry> first, FirstEntryFrom(store, 0));
  if (!first || FromProto(first->time()) > t) return 0;
  int64_t lo = first->revision();  // committed at or before t
  std::optional<v1::AuditEntry> last;
  RETURN_IF_ERROR(store.Scan(storage::Cf::kAudit, "", "", true,
                             [&](absl::string_view, absl::string_view value) {
                               v1::AuditEntry e;
                               if (e.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
                                 last = std::move(e);
                               }
                               return false;
                             }));
  if (!last) return absl::DataLossError("audit: the last entry does not parse");
  if (FromProto(last->time()) <= t) return last->revision();
  // Entries at revisions >= hi were committed after t; lo's at or before.
  int64_t hi = last->revision();
  while (hi - lo > 1) {
    const int64_t mid = lo + (hi - lo) / 2;
    ASSIGN_OR_RETURN(std::optional<v1::AuditEntry> e, FirstEntryFrom(store, mid));
    if (!e) return absl::DataLossError("audit: entries missing");
    if (FromProto(e->time()) > t) {
      hi = mid;
    } else if (e->revision() >= hi) {
      return absl::DataLossError("audit: times do not grow with revisions");
    } else {
      lo = e->revision();
    }
  }
  return lo;
}

absl::Status ForEachObjectEntry(const storage::Store& store, v1::ObjectKind kind,
                                absl::string_view key, int64_t up_to_revision,
                                const std::function<bool(v1::AuditEntry&)>& fn) {
  const std::string prefix = storage::AuditObjectIndexPrefix(kind, key);
  const std::string start = prefix + storage::AuditKey({static_cast<uint64_t>(up_to_revision),
                                                        std::numeric_limits<uint32_t>::max()});
  absl::Status error;
  RETURN_IF_ERROR(store.Scan(
      storage::Cf::kAuditIndex, prefix, start, true, [&](absl::string_view k, absl::string_view) {
        const std::optional<storage::AuditPosition> pos = storage::ParseAuditIndexKey(k);
        if (!pos) {
          error = absl::DataLossError("audit index: corrupt key");
          return false;
        }
        absl::StatusOr<std::optional<std::string>> raw =
            store.Get(storage::Cf::kAudit, storage::AuditKey(*pos));
        if (!raw.ok() || !raw->has_value()) {
          error = raw.ok() ? absl::DataLossError("audit: index points to a missing entry")
                           : raw.status();
          return false;
        }
        v1::AuditEntry e;
        if (!e.ParseFromString(**raw)) {
          error = absl::DataLossError("audit: stored entry does not parse");
          return false;
        }
        if (e.kind() != kind || e.object_key() != key) return true;
        return fn(e);
      }));
  return error;
}

absl::StatusOr<std::vector<v1::AuditEntry>> ObjectEntries(const storage::Store& store,
                                                          v1::ObjectKind kind,
                                                          absl::string_view key,
                                                          int64_t up_to_revision, size_t limit) {
  std::vector<v1::AuditEntry> out;
  RETURN_IF_ERROR(ForEachObjectEntry(store, kind, key, up_to_revision, [&](v1::AuditEntry& e) {
    out.push_back(std::move(e));
    return limit == 0 || out.size() < limit;
  }));
  return out;
}

absl::StatusOr<std::vector<std::string>> KeysEver(const storage::Store& store,
                                                  v1::ObjectKind kind) {
  std::string prefix = "O";
  prefix.push_back(static_cast<char>(kind));
  std::vector<std::string> keys;
  absl::Status error;
  RETURN_IF_ERROR(store.Scan(storage::Cf::kAuditIndex, prefix, "", false,
                             [&](absl::string_view k, absl::string_view) {
                               k.remove_prefix(prefix.size());
                               std::optional<absl::string_view> key =
                                   storage::GetLengthPrefixed(&k);
                               if (!key) {
                                 error = absl::DataLossError("audit index: corrupt key");
                                 return false;
                               }
                               if (keys.empty() || keys.back() != *key) keys.emplace_back(*key);
                               return true;
                             }));
  RETURN_IF_ERROR(error);
  return keys;
}

absl::Status ParseState(const v1::AuditEntry& entry, google::protobuf::Message* out,
                        bool* present) {
  *present = !entry.after_json().empty();
  if (!*present) return absl::OkStatus();
  if (!entry.after().empty()) {
    if (out->ParseFromString(entry.after())) return absl::OkStatus();
    return absl::DataLossError(absl::StrCat("audit entry of revision ", entry.revision(),
                                            ": the object after it does not parse"));
  }
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  if (!google::protobuf::util::JsonStringToMessage(entry.after_json(), out, options).ok()) {
    return absl::DataLossError(absl::StrCat("audit entry of revision ", entry.revision(),
                                            ": the object after it does not parse"));
  }
  return absl::OkStatus();
}

}  // namespace rampart::registry
