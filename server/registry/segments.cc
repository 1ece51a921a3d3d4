// Registry: segments (named sets of accounts, by members and rules).
#include "core/common/keys.h"
#include "core/common/status_macros.h"
#include "core/model/validate.h"
#include "server/registry/paging.h"
#include "server/registry/registry.h"
#include "server/registry/transaction.h"

namespace rampart::registry {
namespace {

// NOT_FOUND for the first listed account that is not in the registry.
absl::Status CheckAccountsExist(const storage::Store& store, absl::string_view segment_key,
                                absl::string_view field,
                                const google::protobuf::RepeatedPtrField<std::string>& keys) {
  for (int i = 0; i < keys.size(); ++i) {
    ASSIGN_OR_RETURN(auto account, LoadObject<v1::Account>(store, keys[i]));
    if (!account) {
      return absl::NotFoundError(absl::StrCat("segment \"", segment_key, "\": ", field, "[", i,
                                              "]: account \"", keys[i], "\" not found"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::Segment> Registry::GetSegment(absl::string_view key) const {
  RETURN_IF_ERROR(ValidateKey("key", key));
  return GetObject<v1::Segment>(store_, key);
}

absl::StatusOr<v1::ListSegmentsResponse> Registry::ListSegments(
    const v1::ListSegmentsRequest& req) const {
  ASSIGN_OR_RETURN(const int size, PageSize(req.page()));
  PageCollector<v1::Segment> page(size);
  RETURN_IF_ERROR(ForEachObject<v1::Segment>(store_, req.page().page_token(),
                                             [&](const v1::Segment& s) { return page.Add(s); }));
  v1::ListSegmentsResponse resp;
  for (auto& s : page.items()) *resp.add_segments() = std::move(s);
  if (page.more()) resp.set_next_page_token(resp.segments().rbegin()->key());
  return resp;
}

absl::StatusOr<v1::Segment> Registry::PutSegment(const v1::PutSegmentRequest& req) {
  Transaction tx(*this, req.meta(), "segment.put");
  RETURN_IF_ERROR(tx.ValidateMeta());
  v1::Segment segment = req.segment();
  segment.clear_revision();
  segment.clear_created_at();
  segment.clear_updated_at();
  RETURN_IF_ERROR(model::ValidateSegment(segment));
  RETURN_IF_ERROR(CheckAccountsExist(store_, segment.key(), "included", segment.included()));
  RETURN_IF_ERROR(CheckAccountsExist(store_, segment.key(), "excluded", segment.excluded()));
  ASSIGN_OR_RETURN(auto current, LoadObject<v1::Segment>(store_, segment.key()));
  RETURN_IF_ERROR(tx.CheckRevision(current, segment.key(), Expect::kCreateOrReplace));
  tx.Put(current ? &*current : nullptr, segment);
  RETURN_IF_ERROR(tx.Commit().status());
  return segment;
}

absl::StatusOr<v1::DeleteResponse> Registry::DeleteSegment(const v1::DeleteSegmentRequest& req) {
  Transaction tx(*this, req.meta(), "segment.delete");
  RETURN_IF_ERROR(tx.ValidateMeta());
  RETURN_IF_ERROR(ValidateKey("key", req.key()));
  ASSIGN_OR_RETURN(auto current, LoadObject<v1::Segment>(store_, req.key()));
  RETURN_IF_ERROR(tx.CheckRevision(current, req.key(), Expect::kExisting));
  // A rule on a missing segment would silently stop matching: refuse instead.
  absl::Status in_use;
  RETURN_IF_ERROR(ForEachObject<v1::Flag>(store_, "", [&](const v1::Flag& flag) {
    for (int r = 0; r < flag.rules_size(); ++r) {
      for (const auto& s : flag.rules(r).segments()) {
        if (s == req.key()) {
          in_use = absl::FailedPreconditionError(absl::StrCat(
              "segment \"", req.key(), "\" is used by flag \"", flag.key(), "\" rules[", r,
              "]; remove that rule first"));
          return false;
        }
      }
    }
    return true;
  }));
  RETURN_IF_ERROR(in_use);
  tx.Delete(*current);
  v1::DeleteResponse resp;
  ASSIGN_OR_RETURN(const int64_t revision, tx.Commit());
  resp.set_revision(revision);
  return resp;
}

absl::StatusOr<v1::ListAccountsResponse> Registry::ListSegmentMembers(
    const v1::ListSegmentMembersRequest& req) const {
  v1::ListAccountsRequest list;
  list.set_segment(req.key());
  *list.mutable_page() = req.page();
  return ListAccounts(list);
}

}  // namespace rampart::registry
