// Registry: API tokens (issue 6; auth.proto, docs/access.md). A token is
// stored under its key with the SHA-256 of the whole token, never the token;
// creating and revoking are audited like any change (the entries leave the
// hash out, Transaction::Audit).
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/common/keys.h"
#include "core/common/status_macros.h"
#include "core/common/time_util.h"
#include "server/auth/secret.h"
#include "server/registry/registry.h"
#include "server/registry/transaction.h"

namespace rampart::registry {
namespace {

// What a response shows of a stored token.
v1::ApiToken Public(v1::ApiToken token) {
  token.clear_secret_sha256();
  return token;
}

// The token in force named `name`, if any.
absl::StatusOr<std::optional<v1::ApiToken>> FindByName(const storage::Store& store,
                                                       absl::string_view name) {
  std::optional<v1::ApiToken> found;
  RETURN_IF_ERROR(ForEachObject<v1::ApiToken>(store, "", [&](v1::ApiToken& t) {
    if (!t.revoked() && t.name() == name) found = std::move(t);
    return !found.has_value();
  }));
  return found;
}

// Creates and stores a token in `tx` (its meta validated by the caller).
absl::StatusOr<v1::CreatedToken> Create(Transaction& tx, const v1::CreateTokenRequest& req) {
  RETURN_IF_ERROR(ValidateKey("name", req.name()));
  if (req.role() == v1::ROLE_UNSPECIFIED || !v1::Role_IsValid(req.role())) {
    return absl::InvalidArgumentError(
        "role: required, one of sdk, support, release-manager, admin");
  }
  if (IsSet(req.expires_at()) && FromProto(req.expires_at()) <= tx.now()) {
    return absl::InvalidArgumentError("expires_at: must be in the future");
  }
  ASSIGN_OR_RETURN(std::optional<v1::ApiToken> same, FindByName(tx.registry().store(), req.name()));
  if (same.has_value()) {
    return absl::AlreadyExistsError(absl::StrCat("name: a token named \"", req.name(),
                                                 "\" is in force (key ", same->key(),
                                                 "); revoke it first or choose another name"));
  }
  const auth::GeneratedToken generated = auth::GenerateToken();
  v1::ApiToken token;
  token.set_key(generated.key);
  token.set_name(req.name());
  token.set_role(req.role());
  token.set_description(req.description());
  token.set_created_by(tx.meta().actor());
  if (IsSet(req.expires_at())) *token.mutable_expires_at() = req.expires_at();
  token.set_secret_sha256(auth::Sha256Hex(generated.token));
  tx.Put<v1::ApiToken>(nullptr, token);
  v1::CreatedToken out;
  *out.mutable_token() = Public(token);
  out.set_secret(generated.token);
  return out;
}

}  // namespace

absl::StatusOr<v1::CreatedToken> Registry::CreateToken(const v1::CreateTokenRequest& req) {
  Transaction tx(*this, req.meta(), "token.create");
  RETURN_IF_ERROR(tx.ValidateMeta());
  ASSIGN_OR_RETURN(v1::CreatedToken out, Create(tx, req));
  ASSIGN_OR_RETURN(int64_t revision, tx.Commit());
  out.mutable_token()->set_revision(revision);
  return out;
}

absl::StatusOr<v1::ListTokensResponse> Registry::ListTokens(
    const v1::ListTokensRequest& req) const {
  v1::ListTokensResponse resp;
  RETURN_IF_ERROR(ForEachObject<v1::ApiToken>(store_, "", [&](v1::ApiToken& t) {
    if (req.include_revoked() || !t.revoked()) *resp.add_tokens() = Public(std::move(t));
    return true;
  }));
  std::sort(resp.mutable_tokens()->begin(), resp.mutable_tokens()->end(),
            [](const v1::ApiToken& a, const v1::ApiToken& b) { return a.name() < b.name(); });
  return resp;
}

absl::StatusOr<v1::ApiToken> Registry::RevokeToken(const v1::RevokeTokenRequest& req) {
  Transaction tx(*this, req.meta(), "token.revoke");
  RETURN_IF_ERROR(tx.ValidateMeta());
  RETURN_IF_ERROR(RequireNonEmpty("token", req.token()));
  ASSIGN_OR_RETURN(std::optional<v1::ApiToken> before, FindByName(store_, req.token()));
  if (!before.has_value()) {
    ASSIGN_OR_RETURN(before, LoadObject<v1::ApiToken>(store_, req.token()));
  }
  if (!before.has_value()) {
    return absl::NotFoundError(absl::StrCat("token: no token in force is named \"", req.token(),
                                            "\", and none has that key"));
  }
  if (before->revoked()) {
    return absl::FailedPreconditionError(
        absl::StrCat("token: \"", req.token(), "\" was already revoked by ", before->revoked_by()));
  }
  v1::ApiToken after = *before;
  after.set_revoked(true);
  after.set_revoked_by(tx.meta().actor());
  tx.Put(&*before, after);
  ASSIGN_OR_RETURN(int64_t revision, tx.Commit());
  after.set_revision(revision);
  return Public(std::move(after));
}

absl::StatusOr<std::optional<v1::ApiToken>> Registry::FindToken(absl::string_view key) const {
  return LoadObject<v1::ApiToken>(store_, key);
}

absl::StatusOr<std::optional<std::string>> Registry::EnsureAdminToken() {
  v1::WriteMeta meta;
  meta.set_actor("rampartd");
  meta.set_reason("the first admin token of a new data dir");
  Transaction tx(*this, meta, "token.create");
  bool have_admin = false;
  const absl::Time now = tx.now();
  RETURN_IF_ERROR(ForEachObject<v1::ApiToken>(store_, "", [&](const v1::ApiToken& t) {
    have_admin = !t.revoked() && t.role() == v1::ROLE_ADMIN &&
                 (!IsSet(t.expires_at()) || FromProto(t.expires_at()) > now);
    return !have_admin;
  }));
  if (have_admin) return std::nullopt;
  v1::CreateTokenRequest req;
  req.set_name("admin");
  req.set_role(v1::ROLE_ADMIN);
  req.set_description("created by rampartd for a data dir without an admin token");
  ASSIGN_OR_RETURN(std::optional<v1::ApiToken> taken, FindByName(store_, "admin"));
  if (taken.has_value()) req.set_name(absl::StrCat("admin-", absl::ToUnixSeconds(now)));
  ASSIGN_OR_RETURN(v1::CreatedToken created, Create(tx, req));
  RETURN_IF_ERROR(tx.Commit().status());
  return created.secret();
}

}  // namespace rampart::registry
