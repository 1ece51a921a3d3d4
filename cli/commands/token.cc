// `rampart token`: API tokens and their roles (TokenService; docs/access.md).
// `create` prints the token once (only its hash is stored); `list` shows
// who holds which role; `revoke` ends a token at once. `rampart whoami`
// says which token the CLI is using and what its role allows.
#include <iostream>
#include <memory>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "rampart/v1/auth.grpc.pb.h"

namespace rampart::cli {
namespace {

using Stub = v1::TokenService::Stub;

// "release-manager" for ROLE_RELEASE_MANAGER.
std::string RoleLabel(v1::Role role) {
  return absl::StrReplaceAll(EnumLabel("ROLE_", v1::Role_Name(role)), {{"_", "-"}});
}

void PrintTokens(const v1::ListTokensResponse& resp) {
  Table table({"name", "role", "key", "created", "by", "expires", "state", "description"});
  for (const v1::ApiToken& t : resp.tokens()) {
    table.AddRow({t.name(), RoleLabel(t.role()), t.key(), FormatTimestamp(t.created_at()),
                  t.created_by(), OrDash(FormatTimestamp(t.expires_at())),
                  t.revoked() ? absl::StrCat("revoked by ", t.revoked_by()) : "in force",
                  OrDash(t.description())});
  }
  table.Print(std::cout);
}

struct CreateOptions {
  std::string name;
  std::string role;
  std::string description;
  std::string expires;
  WriteOptions write;
};

struct ListOptions {
  bool all = false;
};

struct RevokeOptions {
  std::string token;
  WriteOptions write;
};

}  // namespace

void AddTokenCommands(CLI::App& root, Session& session) {
  CLI::App* noun = root.add_subcommand(
      "token", "API tokens with roles: sdk, support, release-manager, admin (admin only)");
  noun->require_subcommand(1);

  auto create = std::make_shared<CreateOptions>();
  CLI::App* create_verb = session.AddVerb(
      noun, "create", "Make a token; prints it once (only its hash is kept)", [&session, create] {
        v1::CreateTokenRequest request;
        *request.mutable_meta() = session.Meta(create->write, 0);
        request.set_name(create->name);
        v1::Role role = v1::ROLE_UNSPECIFIED;
        const std::string enum_name =
            absl::StrCat("ROLE_", absl::StrReplaceAll(create->role, {{"-", "_"}}));
        if (!v1::Role_Parse(absl::AsciiStrToUpper(enum_name), &role) ||
            role == v1::ROLE_UNSPECIFIED) {
          return absl::InvalidArgumentError(absl::StrCat(
              "--role ", create->role, ": not a role (sdk, support, release-manager, admin)"));
        }
        request.set_role(role);
        request.set_description(create->description);
        if (!create->expires.empty()) {
          ASSIGN_OR_RETURN(*request.mutable_expires_at(),
                           ParseTimeOption("--expires", create->expires));
        }
        ASSIGN_OR_RETURN(auto created, session.Call(&Stub::CreateToken, request));
        return session.Print(created, [&] {
          std::cout << "token \"" << created.token().name() << "\" (role "
                    << RoleLabel(created.token().role()) << ") created. It is shown only "
                    << "this once; keep it like a password:\n"
                    << created.secret() << std::endl;
        });
      });
  create_verb
      ->add_option("--name", create->name,
                   "Who uses it (a person or an app); the audit log's actor for its calls")
      ->required();
  create_verb->add_option("--role", create->role, "sdk, support, release-manager or admin")
      ->required();
  create_verb->add_option("--description", create->description, "What it is for");
  create_verb->add_option("--expires", create->expires,
                          "TIME it stops working (RFC 3339; default: never)");
  AddWriteOptions(create_verb, create->write, /*change=*/false);

  auto list = std::make_shared<ListOptions>();
  CLI::App* list_verb = session.AddVerb(
      noun, "list", "The tokens: name, role, who made them, state", [&session, list] {
        v1::ListTokensRequest request;
        request.set_include_revoked(list->all);
        ASSIGN_OR_RETURN(auto resp, session.Call(&Stub::ListTokens, request));
        return session.Print(resp, [&] { PrintTokens(resp); });
      });
  list_verb->add_flag("--all", list->all, "Include revoked tokens");

  auto revoke = std::make_shared<RevokeOptions>();
  CLI::App* revoke_verb = session.AddVerb(
      noun, "revoke", "End a token now (its next call is refused)", [&session, revoke] {
        v1::RevokeTokenRequest request;
        *request.mutable_meta() = session.Meta(revoke->write, 0);
        request.set_token(revoke->token);
        ASSIGN_OR_RETURN(auto token, session.Call(&Stub::RevokeToken, request));
        return session.Confirm(token, absl::StrCat("token \"", token.name(), "\" revoked"));
      });
  revoke_verb->add_option("TOKEN", revoke->token, "The token's name or key")->required();
  AddWriteOptions(revoke_verb, revoke->write, /*change=*/false);

  session.AddVerb(&root, "whoami", "The token the CLI uses: its name and role", [&session] {
    ASSIGN_OR_RETURN(auto id, session.Call(&Stub::WhoAmI, v1::WhoAmIRequest()));
    return session.Print(id, [&] {
      if (!id.auth_enabled()) {
        std::cout << "rampartd runs without tokens (--auth=false): everyone is an admin"
                  << std::endl;
        return;
      }
      std::cout << id.name() << " (role " << RoleLabel(id.role()) << ")" << std::endl;
    });
  });
}

}  // namespace rampart::cli
