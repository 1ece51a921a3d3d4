// Registry: accounts (the B2B clients) and their import from a CRM export.
#include "absl/container/flat_hash_map.h"
#include "core/common/keys.h"
#include "core/common/status_macros.h"
#include "core/eval/engine.h"
#include "core/model/validate.h"
#include "google/protobuf/util/message_differencer.h"
#include "server/registry/paging.h"
#include "server/registry/registry.h"
#include "server/registry/transaction.h"

namespace rampart::registry {
namespace {

// The fields a caller owns; the server's (revision, times) are cleared.
v1::Account CallerFields(const v1::Account& a) {
  v1::Account out = a;
  out.clear_revision();
  out.clear_created_at();
  out.clear_updated_at();
  return out;
}

bool SameContent(const v1::Account& a, const v1::Account& b) {
  return google::protobuf::util::MessageDifferencer::Equals(CallerFields(a), CallerFields(b));
}

constexpr int kMaxImportErrors = 1000;

}  // namespace

absl::StatusOr<v1::Account> Registry::GetAccount(absl::string_view key) const {
  RETURN_IF_ERROR(ValidateKey("key", key));
  return GetObject<v1::Account>(store_, key);
}

absl::StatusOr<v1::ListAccountsResponse> Registry::ListAccounts(
    const v1::ListAccountsRequest& req) const {
  ASSIGN_OR_RETURN(const int size, PageSize(req.page()));
  for (int i = 0; i < req.where_size(); ++i) {
    RETURN_IF_ERROR(model::ValidateCondition(absl::StrCat("where[", i, "]"), req.where(i)));
  }
  std::optional<v1::Segment> segment;
  if (!req.segment().empty()) {
    ASSIGN_OR_RETURN(segment, GetSegment(req.segment()));
  }
  PageCollector<v1::Account> page(size);
  RETURN_IF_ERROR(ForEachObject<v1::Account>(
      store_, req.page().page_token(), [&](const v1::Account& account) {
        for (const auto& c : req.where()) {
          if (!eval::ConditionHolds(c, account.key(), &account, nullptr)) return true;
        }
        if (segment && !eval::SegmentContains(*segment, account.key(), &account, nullptr)) {
          return true;
        }
        return page.Add(account);
      }));
  v1::ListAccountsResponse resp;
  for (auto& a : page.items()) *resp.add_accounts() = std::move(a);
  if (page.more()) resp.set_next_page_token(resp.accounts().rbegin()->key());
  return resp;
}

absl::StatusOr<v1::Account> Registry::PutAccount(const v1::PutAccountRequest& req) {
  Transaction tx(*this, req.meta(), "account.put");
  RETURN_IF_ERROR(tx.ValidateMeta());
  v1::Account account = CallerFields(req.account());
  RETURN_IF_ERROR(model::ValidateAccount(account));
  ASSIGN_OR_RETURN(auto current, LoadObject<v1::Account>(store_, account.key()));
  RETURN_IF_ERROR(tx.CheckRevision(current, account.key(), Expect::kCreateOrReplace));
  tx.Put(current ? &*current : nullptr, account);
  RETURN_IF_ERROR(tx.Commit().status());
  return account;
}

absl::StatusOr<v1::Account> Registry::PatchAccount(const v1::PatchAccountRequest& req) {
  Transaction tx(*this, req.meta(), "account.patch");
  RETURN_IF_ERROR(tx.ValidateMeta());
  RETURN_IF_ERROR(ValidateKey("key", req.key()));
  ASSIGN_OR_RETURN(auto current, LoadObject<v1::Account>(store_, req.key()));
  RETURN_IF_ERROR(tx.CheckRevision(current, req.key(), Expect::kExisting));
  v1::Account account = *current;
  if (req.has_name()) account.set_name(req.name());
  if (req.has_time_zone()) account.set_time_zone(req.time_zone());
  for (const auto& name : req.remove_attributes()) account.mutable_attributes()->erase(name);
  for (const auto& [name, value] : req.set_attributes()) {
    (*account.mutable_attributes())[name] = value;
  }
  RETURN_IF_ERROR(model::ValidateAccount(account));
  tx.Put(&*current, account);
  RETURN_IF_ERROR(tx.Commit().status());
  return account;
}

absl::StatusOr<v1::DeleteResponse> Registry::DeleteAccount(const v1::DeleteAccountRequest& req) {
  Transaction tx(*this, req.meta(), "account.delete");
  RETURN_IF_ERROR(tx.ValidateMeta());
  RETURN_IF_ERROR(ValidateKey("key", req.key()));
  ASSIGN_OR_RETURN(auto current, LoadObject<v1::Account>(store_, req.key()));
  RETURN_IF_ERROR(tx.CheckRevision(current, req.key(), Expect::kExisting));
  tx.Delete(*current);
  v1::DeleteResponse resp;
  ASSIGN_OR_RETURN(const int64_t revision, tx.Commit());
  resp.set_revision(revision);
  return resp;
}

absl::StatusOr<v1::ImportAccountsResponse> Registry::ImportAccounts(
    const v1::ImportOptions& options, const std::vector<v1::ImportRow>& rows) {
  Transaction tx(*this, options.meta(), "account.import");
  RETURN_IF_ERROR(tx.ValidateMeta());
  v1::ImportAccountsResponse resp;
  auto reject = [&](const v1::ImportRow& row, absl::string_view key, absl::string_view message) {
    resp.set_rejected(resp.rejected() + 1);
    if (resp.errors_size() < kMaxImportErrors) {
      v1::RowError* e = resp.add_errors();
      e->set_line(row.line());
      e->set_key(std::string(key));
      e->set_message(std::string(message));
    }
  };
  absl::flat_hash_map<std::string, int64_t> line_of_key;
  for (const v1::ImportRow& row : rows) {
    if (row.has_parse_error() || !row.has_account()) {
      reject(row, row.has_account() ? row.account().key() : "",
             row.has_parse_error() ? row.parse_error() : "empty row");
      continue;
    }
    v1::Account account = CallerFields(row.account());
    if (absl::Status s = model::ValidateAccount(account); !s.ok()) {
      reject(row, account.key(), s.message());
      continue;
    }
    auto [it, inserted] = line_of_key.emplace(account.key(), row.line());
    if (!inserted) {
      reject(row, account.key(),
             absl::StrCat("key \"", account.key(), "\": also on line ", it->second));
      continue;
    }
    ASSIGN_OR_RETURN(auto current, LoadObject<v1::Account>(store_, account.key()));
    if (current && SameContent(*current, account)) {
      resp.set_unchanged(resp.unchanged() + 1);
      continue;
    }
    resp.set_created(resp.created() + (current ? 0 : 1));
    resp.set_updated(resp.updated() + (current ? 1 : 0));
    tx.Put(current ? &*current : nullptr, account);
  }
  const bool write = !options.dry_run() && !(options.strict() && resp.rejected() > 0) &&
                     resp.created() + resp.updated() > 0;
  if (write) {
    ASSIGN_OR_RETURN(const int64_t revision, tx.Commit());
    resp.set_revision(revision);
  } else {
    resp.set_revision(revision());
  }
  resp.set_committed(write);
  return resp;
}

absl::StatusOr<v1::ListSegmentsResponse> Registry::ListAccountSegments(absl::string_view key) const {
  ASSIGN_OR_RETURN(const v1::Account account, GetAccount(key));
  v1::ListSegmentsResponse resp;
  RETURN_IF_ERROR(ForEachObject<v1::Segment>(store_, "", [&](const v1::Segment& segment) {
    if (eval::SegmentContains(segment, account.key(), &account, nullptr)) {
      *resp.add_segments() = segment;
    }
    return true;
  }));
  return resp;
}

}  // namespace rampart::registry
