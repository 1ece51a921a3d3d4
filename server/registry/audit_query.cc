// Registry: reading the audit log by object, actor and time.
#include "absl/strings/escaping.h"
#include "core/common/status_macros.h"
#include "core/common/time_util.h"
#include "server/registry/paging.h"
#include "server/registry/registry.h"
#include "server/registry/transaction.h"
#include "server/storage/encoding.h"

namespace rampart::registry {

absl::StatusOr<v1::ListAuditResponse> Registry::ListAudit(const v1::ListAuditRequest& req) const {
  ASSIGN_OR_RETURN(const int size, PageSize(req.page()));
  if (!req.object_key().empty() && req.kind() == v1::OBJECT_KIND_UNSPECIFIED) {
    return absl::InvalidArgumentError("kind: required with object_key");
  }
  const bool has_from = IsSet(req.from());
  const bool has_to = IsSet(req.to());
  const absl::Time from = FromProto(req.from());
  const absl::Time to = FromProto(req.to());
  if (has_from && has_to && to <= from) {
    return absl::InvalidArgumentError("to: must be after from");
  }
  // The page token is the hex audit key of the last entry returned.
  std::optional<storage::AuditPosition> after;
  if (!req.page().page_token().empty()) {
    after = storage::ParseAuditKey(absl::HexStringToBytes(req.page().page_token()));
    if (!after) return absl::InvalidArgumentError("page.page_token: not a token of this call");
  }

  // Scan the narrowest index that answers the query.
  storage::Cf cf = storage::Cf::kAudit;
  std::string prefix;
  if (!req.object_key().empty()) {
    cf = storage::Cf::kAuditIndex;
    prefix = storage::AuditObjectIndexPrefix(req.kind(), req.object_key());
  } else if (!req.actor().empty()) {
    cf = storage::Cf::kAuditIndex;
    prefix = storage::AuditActorIndexPrefix(req.actor());
  }
  const bool reverse = !req.oldest_first();
  std::string start;
  if (after) start = prefix + storage::AuditKey(*after);

  PageCollector<v1::AuditEntry> page(size);
  storage::AuditPosition last_added;
  absl::Status error;
  RETURN_IF_ERROR(store_.Scan(cf, prefix, start, reverse, [&](absl::string_view key,
                                                               absl::string_view value) {
    auto pos = cf == storage::Cf::kAudit ? storage::ParseAuditKey(key)
                                         : storage::ParseAuditIndexKey(key);
    if (!pos) {
      error = absl::DataLossError("audit: corrupt key");
      return false;
    }
    if (after && *pos == *after) return true;  // the token's own entry
    v1::AuditEntry entry;
    std::string raw;
    if (cf == storage::Cf::kAudit) {
      raw.assign(value.data(), value.size());
    } else {
      auto stored = store_.Get(storage::Cf::kAudit, storage::AuditKey(*pos));
      if (!stored.ok() || !stored->has_value()) {
        error = stored.ok() ? absl::DataLossError("audit: index points to a missing entry")
                            : stored.status();
        return false;
      }
      raw = std::move(**stored);
    }
    if (!entry.ParseFromString(raw)) {
      error = absl::DataLossError("audit: stored entry does not parse");
      return false;
    }
    // By object, the index already chose the entries (including changes to
    // other objects that concern this one, such as an override on a flag).
    if (req.object_key().empty() && req.kind() != v1::OBJECT_KIND_UNSPECIFIED &&
        entry.kind() != req.kind()) {
      return true;
    }
    if (!req.actor().empty() && entry.actor() != req.actor()) return true;
    const absl::Time t = FromProto(entry.time());
    if (has_from && t < from) return !reverse;  // older entries only get older
    if (has_to && t >= to) return reverse;
    entry.clear_after();  // the registry's own binary copy of after_json
    if (!page.Add(entry)) return false;
    last_added = *pos;
    return true;
  }));
  RETURN_IF_ERROR(error);
  v1::ListAuditResponse resp;
  for (auto& e : page.items()) *resp.add_entries() = std::move(e);
  if (page.more()) {
    resp.set_next_page_token(absl::BytesToHexString(storage::AuditKey(last_added)));
  }
  return resp;
}

}  // namespace rampart::registry
