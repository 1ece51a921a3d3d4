// Who makes a call, and whether they may (issue 6; docs/access.md). A call
// carries `authorization: Bearer <token>`: a stored API token
// ("rpt_<key>_<secret>", checked against its SHA-256 in the registry on
// every call, so a revocation takes effect at once) or one of the static
// SDK keys given to rampartd with --sdk-keys (role sdk). The policy
// (policy.h) then says whether the token's role may call the method.
//
// With auth disabled (rampartd --auth=false, for a laptop) every call is
// let through as an admin and the actor is the one the request names.
//
// Thread-safe: const after construction; the registry is thread-safe.
#ifndef RAMPART_SERVER_AUTH_AUTHENTICATOR_H_
#define RAMPART_SERVER_AUTH_AUTHENTICATOR_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/common/clock.h"
#include "rampart/v1/auth.pb.h"
#include "server/registry/registry.h"

namespace rampart::auth {

struct AuthOptions {
  bool enabled = true;
  // Static tokens of role sdk, named "sdk-key-1", "sdk-key-2", ...
  std::vector<std::string> sdk_keys;
};

// Who makes a call.
struct Caller {
  // The token's name: the audit actor. Empty when auth is disabled (the
  // request's own actor stands).
  std::string name;
  v1::Role role = v1::ROLE_UNSPECIFIED;
  // The stored token's key; empty for a static SDK key.
  std::string token_key;
  bool authenticated = false;

  v1::Identity ToIdentity() const;
};

class Authenticator {
 public:
  // `registry` (null: only the static keys are known) must outlive this.
  Authenticator(const registry::Registry* registry, Clock& clock, AuthOptions options);

  bool enabled() const { return options_.enabled; }

  // The caller of `authorization` (the metadata's or the HTTP header's
  // value): UNAUTHENTICATED when it is missing, not "Bearer <token>",
  // unknown, revoked or expired.
  absl::StatusOr<Caller> Authenticate(absl::string_view authorization) const;

  // Authenticate, then the policy for `method` ("FlagService.PutFlag"):
  // PERMISSION_DENIED naming the token, its role, the method and the roles
  // that may call it.
  absl::StatusOr<Caller> Authorize(absl::string_view authorization, absl::string_view method) const;

 private:
  const registry::Registry* registry_;
  Clock& clock_;
  AuthOptions options_;
};

}  // namespace rampart::auth

#endif  // RAMPART_SERVER_AUTH_AUTHENTICATOR_H_
