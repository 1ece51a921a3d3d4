// `rampart account ...`: the account registry (AccountService), except
// `account import`, which lives in account_import.cc.
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "core/common/keys.h"
#include "rampart/v1/admin.grpc.pb.h"

namespace rampart::cli {
namespace {

using Stub = v1::AccountService::Stub;

absl::StatusOr<v1::Account> GetAccount(Session& session, const std::string& key) {
  v1::GetAccountRequest request;
  request.set_key(key);
  return session.Call(&Stub::GetAccount, request);
}

void PrintAccount(const v1::Account& account) {
  Fields()
      .Add("key", account.key())
      .Add("name", account.name())
      .Add("time zone", account.time_zone())
      .Add("attributes", FormatAttributeLines(account.attributes()))
      .Add("revision", absl::StrCat(account.revision()))
      .Add("created", FormatTimestamp(account.created_at()))
      .Add("updated", FormatTimestamp(account.updated_at()))
      .Print(std::cout);
}

void AddGet(CLI::App* noun, Session& session) {
  auto key = std::make_shared<std::string>();
  CLI::App* verb = session.AddVerb(noun, "get", "Show one account", [&session, key] {
    ASSIGN_OR_RETURN(v1::Account account, GetAccount(session, *key));
    return session.Print(account, [&] { PrintAccount(account); });
  });
  verb->add_option("KEY", *key, "The account's key")->required();
}

void AddList(CLI::App* noun, Session& session) {
  struct Options {
    std::vector<std::string> where;
    std::string segment;
    int limit = 0;
  };
  auto o = std::make_shared<Options>();
  CLI::App* verb = session.AddVerb(noun, "list", "List accounts", [&session, o] {
    v1::ListAccountsRequest request;
    request.set_segment(o->segment);
    RETURN_IF_ERROR(ParseConditions("--where", o->where, request.mutable_where()));
    ASSIGN_OR_RETURN(auto response, ReadPages(o->limit, &v1::ListAccountsResponse::accounts_size,
                                              [&](const v1::Page& page) {
                                                *request.mutable_page() = page;
                                                return session.Call(&Stub::ListAccounts, request);
                                              }));
    return session.Print(response, [&] { PrintAccountTable(response); });
  });
  verb->add_option("--where", o->where,
                   "Only accounts for which this condition holds, e.g. 'ltv >= 1000000', "
                   "'region in eu,us' (repeatable; all must hold)");
  verb->add_option("--segment", o->segment, "Only accounts in this segment");
  AddLimitOption(verb, o->limit, 100);
}

void AddCreate(CLI::App* noun, Session& session) {
  struct Options {
    std::string key, name, time_zone;
    std::vector<std::string> attributes;
    WriteOptions write;
  };
  auto o = std::make_shared<Options>();
  CLI::App* verb = session.AddVerb(noun, "create", "Add an account to the registry", [&session, o] {
    RETURN_IF_ERROR(ValidateKey("account key", o->key));
    RETURN_IF_ERROR(ValidateTimeZone("--tz", o->time_zone));
    v1::PutAccountRequest request;
    *request.mutable_meta() = session.Meta(o->write, 0);
    v1::Account& account = *request.mutable_account();
    account.set_key(o->key);
    account.set_name(o->name);
    account.set_time_zone(o->time_zone);
    RETURN_IF_ERROR(ParseAttributes("--attr", o->attributes, account.mutable_attributes()));
    ASSIGN_OR_RETURN(v1::Account created, session.Call(&Stub::PutAccount, request));
    return session.Confirm(created,
                           Confirmation("account", created.key(), "created", created.revision()));
  });
  verb->add_option("KEY", o->key, "The new account's key")->required();
  verb->add_option("--name", o->name, "The account's name")->required();
  verb->add_option("--tz", o->time_zone, "IANA time zone, e.g. Europe/Moscow");
  verb->add_option("--attr", o->attributes,
                   "An attribute NAME=VALUE (true/false: bool, plain decimal: number, else "
                   "string) or NAME:TYPE=VALUE with TYPE string|number|bool|list "
                   "(list items separated by ';'); repeatable");
  AddWriteOptions(verb, o->write, /*change=*/false);
}

void AddSet(CLI::App* noun, Session& session) {
  struct Options {
    std::string key;
    std::optional<std::string> name, time_zone;
    std::vector<std::string> attributes, unset;
    WriteOptions write;
  };
  auto o = std::make_shared<Options>();
  CLI::App* verb = session.AddVerb(
      noun, "set", "Change some fields of an account, leaving the rest", [&session, o] {
        if (o->time_zone) RETURN_IF_ERROR(ValidateTimeZone("--tz", *o->time_zone));
        v1::PatchAccountRequest request;
        request.set_key(o->key);
        if (o->name) request.set_name(*o->name);
        if (o->time_zone) request.set_time_zone(*o->time_zone);
        RETURN_IF_ERROR(ParseAttributes("--attr", o->attributes, request.mutable_set_attributes()));
        for (const std::string& name : o->unset) request.add_remove_attributes(name);
        ASSIGN_OR_RETURN(const int64_t revision, RevisionForChange<v1::Account>(o->write, [&] {
                           return GetAccount(session, o->key);
                         }));
        *request.mutable_meta() = session.Meta(o->write, revision);
        ASSIGN_OR_RETURN(v1::Account account, session.Call(&Stub::PatchAccount, request));
        return session.Confirm(
            account, Confirmation("account", account.key(), "updated", account.revision()));
      });
  verb->add_option("KEY", o->key, "The account's key")->required();
  verb->add_option("--name", o->name, "New name");
  verb->add_option("--tz", o->time_zone, "New IANA time zone (\"\" for none)");
  verb->add_option("--attr", o->attributes,
                   "Set an attribute: NAME=VALUE or NAME:TYPE=VALUE (see account create); "
                   "repeatable");
  verb->add_option("--unset", o->unset, "Remove an attribute; repeatable");
  AddWriteOptions(verb, o->write, /*change=*/true);
}

void AddDelete(CLI::App* noun, Session& session) {
  struct Options {
    std::string key;
    WriteOptions write;
  };
  auto o = std::make_shared<Options>();
  CLI::App* verb =
      session.AddVerb(noun, "delete", "Remove an account from the registry", [&session, o] {
        ASSIGN_OR_RETURN(const int64_t revision, RevisionForChange<v1::Account>(o->write, [&] {
                           return GetAccount(session, o->key);
                         }));
        v1::DeleteAccountRequest request;
        *request.mutable_meta() = session.Meta(o->write, revision);
        request.set_key(o->key);
        ASSIGN_OR_RETURN(v1::DeleteResponse response, session.Call(&Stub::DeleteAccount, request));
        return session.Confirm(response,
                               Confirmation("account", o->key, "deleted", response.revision()));
      });
  verb->add_option("KEY", o->key, "The account's key")->required();
  AddWriteOptions(verb, o->write, /*change=*/true);
}

void AddSegments(CLI::App* noun, Session& session) {
  auto key = std::make_shared<std::string>();
  CLI::App* verb =
      session.AddVerb(noun, "segments", "List the segments an account is in now", [&session, key] {
        v1::ListAccountSegmentsRequest request;
        request.set_key(*key);
        ASSIGN_OR_RETURN(auto response, session.Call(&Stub::ListAccountSegments, request));
        return session.Print(response, [&] { PrintSegmentTable(response); });
      });
  verb->add_option("KEY", *key, "The account's key")->required();
}

}  // namespace

void PrintAccountTable(const v1::ListAccountsResponse& response) {
  Table table({"key", "name", "time zone", "attributes"});
  for (const v1::Account& account : response.accounts()) {
    table.AddRow({account.key(), account.name(), OrDash(account.time_zone()),
                  FormatAttributesInline(account.attributes())});
  }
  table.Print(std::cout);
  NoteMore(response.next_page_token());
}

void AddAccountCommands(CLI::App& root, Session& session) {
  CLI::App* noun = root.add_subcommand("account", "Accounts: the B2B clients in the registry");
  noun->require_subcommand(1);
  AddAccountImportVerb(noun, session);
  AddGet(noun, session);
  AddList(noun, session);
  AddCreate(noun, session);
  AddSet(noun, session);
  AddDelete(noun, session);
  AddSegments(noun, session);
}

}  // namespace rampart::cli
