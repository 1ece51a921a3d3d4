#include "server/auth/authenticator.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/common/time_util.h"
#include "server/auth/policy.h"
#include "server/auth/secret.h"

namespace rampart::auth {
namespace {

constexpr absl::string_view kHowToSend =
    "send `authorization: Bearer <token>` (the CLI: --token, $RAMPART_TOKEN or --token-file; "
    "HTTP: the Authorization header)";

}  // namespace

v1::Identity Caller::ToIdentity() const {
  v1::Identity id;
  id.set_name(authenticated ? name : "anonymous");
  id.set_role(role);
  id.set_token_key(token_key);
  id.set_auth_enabled(authenticated);
  return id;
}

Authenticator::Authenticator(const registry::Registry* registry, Clock& clock, AuthOptions options)
    : registry_(registry), clock_(clock), options_(std::move(options)) {}

absl::StatusOr<Caller> Authenticator::Authenticate(absl::string_view authorization) const {
  if (!options_.enabled) {
    Caller anonymous;
    anonymous.role = v1::ROLE_ADMIN;
    return anonymous;
  }
  authorization = absl::StripAsciiWhitespace(authorization);
  if (authorization.empty()) {
    return absl::UnauthenticatedError(absl::StrCat("authorization: missing; ", kHowToSend));
  }
  constexpr absl::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size() ||
      !absl::EqualsIgnoreCase(authorization.substr(0, kScheme.size()), kScheme)) {
    return absl::UnauthenticatedError(
        absl::StrCat("authorization: not a Bearer token; ", kHowToSend));
  }
  const absl::string_view token = absl::StripAsciiWhitespace(authorization.substr(kScheme.size()));

  Caller caller;
  caller.authenticated = true;
  // Every static key is compared, so the time taken does not tell which
  // matched.
  int matched = 0;
  for (size_t i = 0; i < options_.sdk_keys.size(); ++i) {
    if (ConstantTimeEquals(token, options_.sdk_keys[i])) matched = static_cast<int>(i) + 1;
  }
  if (matched > 0) {
    caller.name = absl::StrCat("sdk-key-", matched);
    caller.role = v1::ROLE_SDK;
    return caller;
  }

  const std::optional<std::string> key = KeyOfToken(token);
  if (!key.has_value() || registry_ == nullptr) {
    return absl::UnauthenticatedError("authorization: unknown token");
  }
  absl::StatusOr<std::optional<v1::ApiToken>> stored = registry_->FindToken(*key);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value() || !ConstantTimeEquals(Sha256Hex(token), (*stored)->secret_sha256())) {
    return absl::UnauthenticatedError("authorization: unknown token");
  }
  const v1::ApiToken& t = **stored;
  if (t.revoked()) {
    return absl::UnauthenticatedError(
        absl::StrCat("authorization: token \"", t.name(), "\" was revoked by ", t.revoked_by()));
  }
  if (IsSet(t.expires_at()) && FromProto(t.expires_at()) <= clock_.Now()) {
    return absl::UnauthenticatedError(absl::StrCat("authorization: token \"", t.name(),
                                                   "\" expired at ",
                                                   rampart::FormatTime(FromProto(t.expires_at()))));
  }
  caller.name = t.name();
  caller.role = t.role();
  caller.token_key = t.key();
  return caller;
}

absl::StatusOr<Caller> Authenticator::Authorize(absl::string_view authorization,
                                                absl::string_view method) const {
  absl::StatusOr<Caller> caller = Authenticate(authorization);
  if (!caller.ok()) return caller;
  const Permission needed = PermissionFor(method);
  if (!RoleAllows(caller->role, needed)) {
    return absl::PermissionDeniedError(
        absl::StrCat("token \"", caller->name, "\" (role ", RoleName(caller->role),
                     ") may not call ", method, ": it needs the role ", RolesHolding(needed)));
  }
  return caller;
}

}  // namespace rampart::auth
