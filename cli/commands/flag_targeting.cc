// `rampart flag override ...` and `rampart flag rule ...`: who gets which
// variant of a flag. Overrides use their own RPCs; rules are edited on the
// flag and written back with PutFlag.
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "cli/commands/common.h"
#include "cli/commands/flags.h"
#include "core/common/keys.h"
#include "core/common/time_util.h"
#include "rampart/v1/admin.grpc.pb.h"

namespace rampart::cli {

std::string FormatRule(const v1::Rule& rule) {
  std::vector<std::string> when;
  if (rule.segments_size() > 0) {
    when.push_back(absl::StrCat("in ", absl::StrJoin(rule.segments(), " or ")));
  }
  if (rule.conditions_size() > 0) {
    when.push_back(absl::StrCat("where ", FormatConditions(rule.conditions())));
  }
  return absl::StrCat(rule.id(), ": ", absl::StrJoin(when, " "), " -> ", rule.variant(),
                      rule.description().empty() ? "" : "  # " + rule.description());
}

std::string FormatOverride(const v1::Override& o) {
  std::string text = absl::StrCat(o.account_key(), " -> ", o.variant());
  if (rampart::IsSet(o.ends_at())) absl::StrAppend(&text, " until ", FormatTimestamp(o.ends_at()));
  if (o.deferral()) absl::StrAppend(&text, ", deferral");
  if (!o.reason().empty()) absl::StrAppend(&text, ": \"", o.reason(), "\"");
  if (!o.actor().empty()) absl::StrAppend(&text, " (", o.actor(), ")");
  return text;
}

namespace {

using FlagStub = v1::FlagService::Stub;

// The options every override / rule verb starts with.
struct FlagChange {
  std::string flag;
  WriteOptions write;
};

void AddOverrideSet(CLI::App* noun, Session& session) {
  struct Options : FlagChange {
    std::string account, variant;
    std::optional<std::string> until;
    bool deferral = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* verb = session.AddVerb(
      noun, "set", "Pin an account to a variant, replacing its earlier override", [&session, o] {
        v1::SetOverrideRequest request;
        request.set_flag_key(o->flag);
        v1::Override& override = *request.mutable_override();
        override.set_account_key(o->account);
        override.set_variant(o->variant);
        override.set_reason(o->write.reason);
        override.set_deferral(o->deferral);
        if (o->until) {
          ASSIGN_OR_RETURN(*override.mutable_ends_at(), ParseTimeOption("--until", *o->until));
        }
        ASSIGN_OR_RETURN(const int64_t revision, RevisionForChange<v1::Flag>(o->write, [&] {
                           return GetFlag(session, o->flag);
                         }));
        *request.mutable_meta() = session.Meta(o->write, revision);
        ASSIGN_OR_RETURN(v1::Flag flag, session.Call(&FlagStub::SetOverride, request));
        return session.Confirm(
            flag, FlagChanged(flag, absl::StrFormat("account \"%s\" pinned to \"%s\"", o->account,
                                                    o->variant)));
      });
  verb->add_option("FLAG", o->flag, "The flag's key")->required();
  verb->add_option("ACCOUNT", o->account, "The account's key")->required();
  verb->add_option("VARIANT", o->variant, "The variant it gets")->required();
  verb->add_option("--until", o->until,
                   "The override ends at this TIME (RFC 3339, or '2026-12-15 09:00' / "
                   "'2026-12-15' in UTC); default: no end");
  verb->add_flag("--deferral", o->deferral,
                 "Mark it a deferral: the account stays on the old behaviour until --until, "
                 "then joins automatically");
  AddWriteOptions(verb, o->write, /*change=*/true);
}

void AddOverrideRemove(CLI::App* noun, Session& session) {
  struct Options : FlagChange {
    std::string account;
  };
  auto o = std::make_shared<Options>();
  CLI::App* verb = session.AddVerb(noun, "remove", "Remove an account's override", [&session, o] {
    ASSIGN_OR_RETURN(const int64_t revision, RevisionForChange<v1::Flag>(o->write, [&] {
                       return GetFlag(session, o->flag);
                     }));
    v1::RemoveOverrideRequest request;
    *request.mutable_meta() = session.Meta(o->write, revision);
    request.set_flag_key(o->flag);
    request.set_account_key(o->account);
    ASSIGN_OR_RETURN(v1::Flag flag, session.Call(&FlagStub::RemoveOverride, request));
    return session.Confirm(
        flag, FlagChanged(flag, absl::StrFormat("override of account \"%s\" removed", o->account)));
  });
  verb->add_option("FLAG", o->flag, "The flag's key")->required();
  verb->add_option("ACCOUNT", o->account, "The account's key")->required();
  AddWriteOptions(verb, o->write, /*change=*/true);
}

void PrintOverrideTable(const v1::Flag& flag) {
  Table table({"account", "variant", "until", "deferral", "reason", "actor", "created"});
  for (const v1::Override& o : flag.overrides()) {
    table.AddRow({o.account_key(), o.variant(), FormatTimestamp(o.ends_at()),
                  o.deferral() ? "yes" : "no", OrDash(o.reason()), OrDash(o.actor()),
                  FormatTimestamp(o.created_at())});
  }
  table.Print(std::cout);
}

void PrintRuleTable(const v1::Flag& flag) {
  Table table({"#", "id", "variant", "segments", "conditions", "description"});
  for (int i = 0; i < flag.rules_size(); ++i) {
    const v1::Rule& rule = flag.rules(i);
    table.AddRow({absl::StrCat(i), rule.id(), rule.variant(),
                  OrDash(absl::StrJoin(rule.segments(), ",")),
                  OrDash(FormatConditions(rule.conditions())), OrDash(rule.description())});
  }
  table.Print(std::cout);
}

// `flag override list` and `flag rule list`: GetFlag, then a table. JSON
// output is the whole Flag, the message the RPC returned.
void AddFlagListing(CLI::App* noun, Session& session, const std::string& description,
                    void (*print_table)(const v1::Flag&)) {
  auto key = std::make_shared<std::string>();
  CLI::App* verb = session.AddVerb(noun, "list", description, [&session, key, print_table] {
    ASSIGN_OR_RETURN(v1::Flag flag, GetFlag(session, *key));
    return session.Print(flag, [&] { print_table(flag); });
  });
  verb->add_option("FLAG", *key, "The flag's key")->required();
}

struct RuleOptions : FlagChange {
  std::string variant, id, description;
  std::vector<std::string> segments, where;
  std::optional<int> position;
};

// Inserts the rule `o` describes into `flag`; returns its position. Without
// --id the rule goes without one and rampartd names it ("rule-N").
absl::StatusOr<int> InsertRule(const RuleOptions& o, v1::Flag& flag) {
  if (o.segments.empty() && o.where.empty()) {
    return absl::InvalidArgumentError("a rule needs --segment or --where (or both)");
  }
  RETURN_IF_ERROR(CheckVariantExists("--variant", flag, o.variant));
  v1::Rule rule;
  if (!o.id.empty()) RETURN_IF_ERROR(ValidateKey("--id", o.id));
  rule.set_id(o.id);
  for (const v1::Rule& existing : flag.rules()) {
    if (!o.id.empty() && existing.id() == o.id) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--id \"", rule.id(), "\": flag \"", flag.key(), "\" already has a rule with that id"));
    }
  }
  rule.set_variant(o.variant);
  rule.set_description(o.description);
  for (const std::string& segment : o.segments) rule.add_segments(segment);
  RETURN_IF_ERROR(ParseConditions("--where", o.where, rule.mutable_conditions()));

  const int size = flag.rules_size();
  const int position = o.position.value_or(size);
  if (position > size) {
    return absl::InvalidArgumentError(absl::StrCat("--position ", position, ": flag \"", flag.key(),
                                                   "\" has ", size, " rules (use 0 to ", size,
                                                   ")"));
  }
  *flag.add_rules() = rule;
  for (int i = size; i > position; --i) flag.mutable_rules()->SwapElements(i, i - 1);
  return position;
}

void AddRuleAdd(CLI::App* noun, Session& session) {
  auto o = std::make_shared<RuleOptions>();
  CLI::App* verb = session.AddVerb(noun, "add", "Add a targeting rule to a flag", [&session, o] {
    int position = 0;
    ASSIGN_OR_RETURN(v1::Flag flag, UpdateFlag(session, o->flag, o->write, [&](v1::Flag& f) {
                       ASSIGN_OR_RETURN(position, InsertRule(*o, f));
                       return absl::OkStatus();
                     }));
    const std::string id = position < flag.rules_size() ? flag.rules(position).id() : "";
    return session.Confirm(
        flag, FlagChanged(flag, absl::StrFormat("rule \"%s\" added at position %d", id, position)));
  });
  verb->add_option("FLAG", o->flag, "The flag's key")->required();
  verb->add_option("--variant", o->variant, "The variant the rule serves")->required();
  verb->add_option("--segment", o->segments,
                   "Match accounts in this segment; repeatable (any of them)");
  verb->add_option("--where", o->where,
                   "Match when this condition holds, e.g. 'plan == pro'; repeatable (all must "
                   "hold)");
  verb->add_option("--id", o->id, "The rule's id (default: rampartd names it rule-1, rule-2, ...)");
  verb->add_option("--position", o->position,
                   "Where the rule goes, 0-based; rules are tried in order (default: append)")
      ->check(CLI::NonNegativeNumber);
  verb->add_option("--description", o->description, "What the rule is for");
  AddWriteOptions(verb, o->write, /*change=*/true);
}

void AddRuleRemove(CLI::App* noun, Session& session) {
  struct Options : FlagChange {
    std::string id;
  };
  auto o = std::make_shared<Options>();
  CLI::App* verb = session.AddVerb(noun, "remove", "Remove a targeting rule", [&session, o] {
    ASSIGN_OR_RETURN(v1::Flag flag, UpdateFlag(session, o->flag, o->write, [&](v1::Flag& f) {
                       auto* rules = f.mutable_rules();
                       auto it = std::find_if(rules->begin(), rules->end(),
                                              [&](const v1::Rule& r) { return r.id() == o->id; });
                       if (it == rules->end()) {
                         std::vector<std::string> ids;
                         for (const v1::Rule& r : f.rules()) ids.push_back(r.id());
                         return absl::NotFoundError(absl::StrCat(
                             "flag \"", f.key(), "\" has no rule \"", o->id,
                             "\" (rules: ", ids.empty() ? "none" : absl::StrJoin(ids, ", "), ")"));
                       }
                       rules->erase(it);
                       return absl::OkStatus();
                     }));
    return session.Confirm(flag, FlagChanged(flag, absl::StrFormat("rule \"%s\" removed", o->id)));
  });
  verb->add_option("FLAG", o->flag, "The flag's key")->required();
  verb->add_option("RULE_ID", o->id, "The rule's id (see flag rule list)")->required();
  AddWriteOptions(verb, o->write, /*change=*/true);
}

}  // namespace

void AddOverrideCommands(CLI::App* flag, Session& session) {
  CLI::App* noun =
      flag->add_subcommand("override", "Overrides and deferrals: one account pinned to a variant");
  noun->require_subcommand(1);
  AddOverrideSet(noun, session);
  AddOverrideRemove(noun, session);
  AddFlagListing(noun, session, "List a flag's overrides", PrintOverrideTable);
}

void AddRuleCommands(CLI::App* flag, Session& session) {
  CLI::App* noun =
      flag->add_subcommand("rule", "Targeting rules: segments and conditions, tried in order");
  noun->require_subcommand(1);
  AddRuleAdd(noun, session);
  AddRuleRemove(noun, session);
  AddFlagListing(noun, session, "List a flag's rules in the order they are tried", PrintRuleTable);
}

}  // namespace rampart::cli
