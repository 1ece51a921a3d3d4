// `rampart flag create|get|list|update|archive|unarchive` (FlagService) and
// `flag kill|unkill` (RampService.KillFlag). The targeting verbs, `flag
// override` and `flag rule`, are in flag_targeting.cc; `flag rollout` is in
// flag_rollout.cc.
#include <cmath>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/commands/commands.h"
#include "cli/commands/common.h"
#include "cli/commands/flags.h"
#include "cli/commands/ramps.h"
#include "core/common/keys.h"
#include "rampart/v1/admin.grpc.pb.h"
#include "rampart/v1/ramp.grpc.pb.h"

namespace rampart::cli {

using FlagStub = v1::FlagService::Stub;

absl::StatusOr<v1::Flag> GetFlag(Session& session, const std::string& key) {
  v1::GetFlagRequest request;
  request.set_key(key);
  return session.Call(&FlagStub::GetFlag, request);
}

absl::StatusOr<v1::Flag> PutFlag(Session& session, const v1::WriteMeta& meta,
                                 const v1::Flag& flag) {
  v1::PutFlagRequest request;
  *request.mutable_meta() = meta;
  *request.mutable_flag() = flag;
  return session.Call(&FlagStub::PutFlag, request);
}

absl::StatusOr<v1::Flag> UpdateFlag(Session& session, const std::string& key,
                                    const WriteOptions& write,
                                    const std::function<absl::Status(v1::Flag&)>& modify) {
  return ReadModifyWrite<v1::Flag>(
      session, write, [&] { return GetFlag(session, key); }, modify,
      [&](const v1::WriteMeta& meta, const v1::Flag& flag) {
        return PutFlag(session, meta, flag);
      });
}

std::string FlagChanged(const v1::Flag& flag, absl::string_view what) {
  return absl::StrCat("flag \"", flag.key(), "\": ", what, " (revision ", flag.revision(), ")");
}

absl::Status CheckVariantExists(absl::string_view option, const v1::Flag& flag,
                                const std::string& name) {
  std::vector<std::string> names;
  for (const v1::Variant& variant : flag.variants()) {
    if (variant.name() == name) return absl::OkStatus();
    names.push_back(variant.name());
  }
  return absl::InvalidArgumentError(
      absl::StrCat(option, " \"", name, "\": flag \"", flag.key(),
                   "\" has no such variant (variants: ", absl::StrJoin(names, ", "), ")"));
}

namespace {

inline constexpr std::pair<const char*, v1::FlagType> kFlagTypes[] = {
    {"bool", v1::FLAG_TYPE_BOOL},     {"string", v1::FLAG_TYPE_STRING}, {"int", v1::FLAG_TYPE_INT},
    {"double", v1::FLAG_TYPE_DOUBLE}, {"json", v1::FLAG_TYPE_JSON},
};

v1::FlagType ParseFlagType(const std::string& name) {
  for (const auto& [label, type] : kFlagTypes) {
    if (name == label) return type;
  }
  return v1::FLAG_TYPE_UNSPECIFIED;  // CLI11's IsMember check prevents this
}

std::string FlagTypeLabel(v1::FlagType type) {
  return EnumLabel("FLAG_TYPE_", v1::FlagType_Name(type));
}

// Reads `--variant NAME=VALUE`, VALUE per the flag's type.
absl::StatusOr<v1::Variant> ParseVariant(absl::string_view text, v1::FlagType type) {
  const auto error = [text](absl::string_view problem) {
    return absl::InvalidArgumentError(absl::StrCat("--variant \"", text, "\": ", problem));
  };
  const size_t eq = text.find('=');
  if (eq == absl::string_view::npos || eq == 0) return error("expected NAME=VALUE");
  v1::Variant variant;
  variant.set_name(std::string(text.substr(0, eq)));
  RETURN_IF_ERROR(ValidateKey("--variant name", variant.name()));
  const std::string value(text.substr(eq + 1));
  v1::FlagValue& out = *variant.mutable_value();
  int64_t integer = 0;
  double number = 0;
  switch (type) {
    case v1::FLAG_TYPE_BOOL:
      if (value != "true" && value != "false") return error("a bool flag's value is true or false");
      out.set_bool_value(value == "true");
      break;
    case v1::FLAG_TYPE_INT:
      if (!absl::SimpleAtoi(value, &integer)) return error("an int flag's value is an integer");
      out.set_int_value(integer);
      break;
    case v1::FLAG_TYPE_DOUBLE:
      if (!absl::SimpleAtod(value, &number) || !std::isfinite(number)) {
        return error("a double flag's value is a number");
      }
      out.set_double_value(number);
      break;
    case v1::FLAG_TYPE_JSON:
      out.set_json_value(value);  // rampartd validates the JSON
      break;
    default:
      out.set_string_value(value);
      break;
  }
  return variant;
}

// The field options of `flag create` and `flag update`.
struct FlagEdits {
  std::optional<std::string> name, description, owner, default_variant, off_variant, expires;
  std::vector<std::string> variants, remove_variants, tags, untags;
  bool temporary = false, enable = false, disable = false;
};

// Adds the field options; returns them, so that --file can exclude them.
std::vector<CLI::Option*> AddEditOptions(CLI::App* verb, FlagEdits& e, bool update) {
  std::vector<CLI::Option*> options = {
      verb->add_option("--name", e.name, "Display name"),
      verb->add_option("--description", e.description, "What the flag gates"),
      verb->add_option("--owner", e.owner, "Who owns it (a team or a person)"),
      verb->add_option("--tag", e.tags, "Add a tag; repeatable"),
      verb->add_option("--variant", e.variants,
                       update ? "Add or replace a variant NAME=VALUE; repeatable"
                              : "A variant NAME=VALUE, VALUE per --type (bool: true|false, int, "
                                "double, string as is, json as text); repeatable. A bool flag "
                                "without --variant gets on=true and off=false"),
      verb->add_option("--default", e.default_variant,
                       update ? "The variant served when no override or rule applies"
                              : "The variant served when no override or rule applies (default: "
                                "\"off\" for a bool flag without --variant, else the first "
                                "--variant)"),
      verb->add_option("--off", e.off_variant,
                       update ? "The variant served while the flag is disabled"
                              : "The variant served while the flag is disabled (default: \"off\" "
                                "for a bool flag without --variant, else the default variant)"),
      verb->add_flag("--temporary", e.temporary, "The flag is expected to be removed"),
      verb->add_option("--expires", e.expires,
                       "When a temporary flag should be gone (TIME: RFC 3339, or "
                       "'2026-12-15 09:00' / '2026-12-15' in UTC); implies --temporary"),
  };
  if (update) {
    options.push_back(verb->add_option("--untag", e.untags, "Remove a tag; repeatable"));
    options.push_back(
        verb->add_option("--remove-variant", e.remove_variants, "Remove a variant; repeatable"));
    CLI::Option* enable = verb->add_flag("--enable", e.enable, "Turn the flag on");
    CLI::Option* disable = verb->add_flag(
        "--disable", e.disable, "Turn the flag off: it serves its off variant to everyone");
    enable->excludes(disable);
    options.push_back(enable);
    options.push_back(disable);
  } else {
    options.push_back(
        verb->add_flag("--disabled", e.disable, "Create the flag turned off (default: enabled)"));
  }
  return options;
}

absl::Status ApplyEdits(const FlagEdits& e, v1::Flag& flag) {
  if (e.name) flag.set_name(*e.name);
  if (e.description) flag.set_description(*e.description);
  if (e.owner) flag.set_owner(*e.owner);
  RETURN_IF_ERROR(RemoveEach("--untag", e.untags, "flag's tags", flag.mutable_tags()));
  AddUnique(e.tags, flag.mutable_tags());
  for (const std::string& name : e.remove_variants) {
    RETURN_IF_ERROR(CheckVariantExists("--remove-variant", flag, name));
    auto* variants = flag.mutable_variants();
    variants->erase(std::find_if(variants->begin(), variants->end(),
                                 [&](const v1::Variant& v) { return v.name() == name; }));
  }
  for (const std::string& text : e.variants) {
    ASSIGN_OR_RETURN(v1::Variant parsed, ParseVariant(text, flag.type()));
    auto* variants = flag.mutable_variants();
    auto it = std::find_if(variants->begin(), variants->end(),
                           [&](const v1::Variant& v) { return v.name() == parsed.name(); });
    if (it == variants->end()) {
      *variants->Add() = std::move(parsed);
    } else {
      *it->mutable_value() = parsed.value();  // keeps the variant's description
    }
  }
  if (e.default_variant) {
    RETURN_IF_ERROR(CheckVariantExists("--default", flag, *e.default_variant));
    flag.set_default_variant(*e.default_variant);
  }
  if (e.off_variant) {
    RETURN_IF_ERROR(CheckVariantExists("--off", flag, *e.off_variant));
    flag.set_off_variant(*e.off_variant);
  }
  if (e.enable) flag.set_enabled(true);
  if (e.disable) flag.set_enabled(false);
  if (e.temporary) flag.set_temporary(true);
  if (e.expires) {
    ASSIGN_OR_RETURN(*flag.mutable_expires_at(), ParseTimeOption("--expires", *e.expires));
    flag.set_temporary(true);
  }
  return absl::OkStatus();
}

// A new flag from the options of `flag create`, with its defaults filled in.
absl::StatusOr<v1::Flag> NewFlag(const std::string& key, const std::string& type,
                                 const FlagEdits& edits) {
  if (key.empty()) return absl::InvalidArgumentError("give the flag's KEY, or --file");
  RETURN_IF_ERROR(ValidateKey("flag key", key));
  if (type.empty()) return absl::InvalidArgumentError("--type is required (or use --file)");
  v1::Flag flag;
  flag.set_key(key);
  flag.set_type(ParseFlagType(type));
  flag.set_enabled(true);
  const bool plain_bool = flag.type() == v1::FLAG_TYPE_BOOL && edits.variants.empty();
  if (plain_bool) {
    for (const char* variant : {"on=true", "off=false"}) {
      ASSIGN_OR_RETURN(*flag.add_variants(), ParseVariant(variant, flag.type()));
    }
  } else if (edits.variants.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--variant is required with --type ", type, " (NAME=VALUE, repeatable)"));
  }
  RETURN_IF_ERROR(ApplyEdits(edits, flag));
  if (flag.default_variant().empty()) {
    flag.set_default_variant(plain_bool ? "off" : flag.variants(0).name());
  }
  if (flag.off_variant().empty()) {
    flag.set_off_variant(plain_bool ? "off" : flag.default_variant());
  }
  return flag;
}

std::string FlagState(const v1::Flag& flag) {
  if (flag.archived()) return "archived";
  return flag.enabled() ? "enabled" : "disabled";
}

void PrintFlag(const v1::Flag& flag) {
  std::vector<std::string> variants, overrides, rules;
  for (const v1::Variant& v : flag.variants()) {
    variants.push_back(absl::StrCat(v.name(), " = ", FormatFlagValue(v.value()),
                                    v.description().empty() ? "" : "  # " + v.description()));
  }
  for (const v1::Override& o : flag.overrides()) overrides.push_back(FormatOverride(o));
  for (int i = 0; i < flag.rules_size(); ++i) {
    rules.push_back(absl::StrCat(i, ". ", FormatRule(flag.rules(i))));
  }
  Fields()
      .Add("key", flag.key())
      .Add("name", flag.name())
      .Add("description", flag.description())
      .Add("type", FlagTypeLabel(flag.type()))
      .Add("state", FlagState(flag))
      .Add("variants", variants)
      .Add("default", flag.default_variant())
      .Add("off variant", flag.off_variant())
      .Add("owner", flag.owner())
      .Add("tags", absl::StrJoin(flag.tags(), ", "))
      .Add("temporary", flag.temporary() ? "yes" : "no")
      .Add("expires", FormatTimestamp(flag.expires_at()))
      .Add("overrides", overrides)
      .Add("rules", rules)
      .Add("rollout", FormatRollout(flag))
      .Add("ramp", FormatRampServing(flag.ramp()))
      .Add("revision", absl::StrCat(flag.revision()))
      .Add("created", FormatTimestamp(flag.created_at()))
      .Add("updated", FormatTimestamp(flag.updated_at()))
      .Print(std::cout);
}

void PrintFlagTable(const v1::ListFlagsResponse& response) {
  Table table({"key", "type", "state", "default", "owner", "tags", "expires"});
  for (const v1::Flag& flag : response.flags()) {
    table.AddRow({flag.key(), FlagTypeLabel(flag.type()), FlagState(flag), flag.default_variant(),
                  OrDash(flag.owner()), OrDash(absl::StrJoin(flag.tags(), ",")),
                  FormatTimestamp(flag.expires_at())});
  }
  table.Print(std::cout);
  NoteMore(response.next_page_token());
}

void AddCreate(CLI::App* noun, Session& session) {
  struct Options {
    std::string key, type, file;
    FlagEdits edits;
    WriteOptions write;
  };
  auto o = std::make_shared<Options>();
  CLI::App* verb = session.AddVerb(noun, "create", "Create a flag", [&session, o] {
    v1::Flag flag;
    if (!o->file.empty()) {
      ASSIGN_OR_RETURN(flag, ReadObjectFile<v1::Flag>(o->file, o->key));
    } else {
      ASSIGN_OR_RETURN(flag, NewFlag(o->key, o->type, o->edits));
    }
    ASSIGN_OR_RETURN(v1::Flag created, PutFlag(session, session.Meta(o->write, 0), flag));
    return session.Confirm(created,
                           Confirmation("flag", created.key(), "created", created.revision()));
  });
  verb->add_option("KEY", o->key, "The new flag's key (optional with --file)");
  std::vector<CLI::Option*> fields = AddEditOptions(verb, o->edits, /*update=*/false);
  fields.push_back(verb->add_option("--type", o->type, "bool|string|int|double|json (required)")
                       ->check(CLI::IsMember({"bool", "string", "int", "double", "json"})));
  ExcludeEach(verb->add_option("--file", o->file,
                               "Create from a file holding the Flag message in protobuf JSON"),
              fields);
  AddWriteOptions(verb, o->write, /*change=*/false);
}

void AddGet(CLI::App* noun, Session& session) {
  auto key = std::make_shared<std::string>();
  CLI::App* verb = session.AddVerb(
      noun, "get", "Show one flag: variants, overrides, rules, rollout", [&session, key] {
        ASSIGN_OR_RETURN(v1::Flag flag, GetFlag(session, *key));
        return session.Print(flag, [&] { PrintFlag(flag); });
      });
  verb->add_option("KEY", *key, "The flag's key")->required();
}

void AddList(CLI::App* noun, Session& session) {
  struct Options {
    std::string tag, owner;
    bool archived = false, expired = false;
    int limit = 0;
  };
  auto o = std::make_shared<Options>();
  CLI::App* verb = session.AddVerb(noun, "list", "List flags", [&session, o] {
    v1::ListFlagsRequest request;
    request.set_tag(o->tag);
    request.set_owner(o->owner);
    request.set_include_archived(o->archived);
    request.set_expired_only(o->expired);
    ASSIGN_OR_RETURN(auto response, ReadPages(o->limit, &v1::ListFlagsResponse::flags_size,
                                              [&](const v1::Page& page) {
                                                *request.mutable_page() = page;
                                                return session.Call(&FlagStub::ListFlags, request);
                                              }));
    return session.Print(response, [&] { PrintFlagTable(response); });
  });
  verb->add_option("--tag", o->tag, "Only flags with this tag");
  verb->add_option("--owner", o->owner, "Only flags with this owner");
  verb->add_flag("--archived", o->archived, "Include archived flags");
  verb->add_flag("--expired", o->expired, "Only temporary flags past their expiry");
  AddLimitOption(verb, o->limit, 100);
}

void AddUpdate(CLI::App* noun, Session& session) {
  struct Options {
    std::string key, file;
    FlagEdits edits;
    WriteOptions write;
  };
  auto o = std::make_shared<Options>();
  CLI::App* verb = session.AddVerb(noun, "update", "Change a flag", [&session, o] {
    v1::Flag updated;
    if (!o->file.empty()) {
      ASSIGN_OR_RETURN(const v1::Flag flag, ReadObjectFile<v1::Flag>(o->file, o->key));
      ASSIGN_OR_RETURN(const int64_t revision, RevisionForFileChange(o->write, flag, [&] {
                         return GetFlag(session, o->key);
                       }));
      ASSIGN_OR_RETURN(updated, PutFlag(session, session.Meta(o->write, revision), flag));
    } else {
      ASSIGN_OR_RETURN(updated, UpdateFlag(session, o->key, o->write, [&](v1::Flag& flag) {
                         return ApplyEdits(o->edits, flag);
                       }));
    }
    return session.Confirm(updated,
                           Confirmation("flag", updated.key(), "updated", updated.revision()));
  });
  verb->add_option("KEY", o->key, "The flag's key")->required();
  ExcludeEach(verb->add_option("--file", o->file,
                               "Replace the flag with the Flag message in this protobuf JSON "
                               "file (its revision is used unless --revision)"),
              AddEditOptions(verb, o->edits, /*update=*/true));
  AddWriteOptions(verb, o->write, /*change=*/true);
}

// Sends one switch of a flag (archive, kill), turned on or off, and returns
// the flag as written.
using Flip = absl::StatusOr<v1::Flag> (*)(Session& session, const std::string& key,
                                          const WriteOptions& write, bool on);
// The confirmation line of a switch.
using SwitchLine = std::string (*)(const v1::Flag& flag, bool on);

absl::StatusOr<v1::Flag> Archive(Session& session, const std::string& key,
                                 const WriteOptions& write, bool archived) {
  ASSIGN_OR_RETURN(const int64_t revision,
                   RevisionForChange<v1::Flag>(write, [&] { return GetFlag(session, key); }));
  v1::ArchiveFlagRequest request;
  *request.mutable_meta() = session.Meta(write, revision);
  request.set_key(key);
  request.set_archived(archived);
  return session.Call(&FlagStub::ArchiveFlag, request);
}

std::string ArchiveLine(const v1::Flag& flag, bool archived) {
  return Confirmation("flag", flag.key(), archived ? "archived" : "unarchived", flag.revision());
}

// The kill switch is one call (RampService.KillFlag) that reads nothing
// first, so that in an emergency nothing but a missing flag or reason can
// make it fail.
absl::StatusOr<v1::Flag> Kill(Session& session, const std::string& key, const WriteOptions& write,
                              bool killed) {
  v1::KillFlagRequest request;
  *request.mutable_meta() = session.Meta(write, 0);
  request.set_key(key);
  request.set_killed(killed);
  return session.Call(&v1::RampService::Stub::KillFlag, request);
}

std::string KillLine(const v1::Flag& flag, bool killed) {
  return FlagChanged(
      flag, killed ? absl::StrCat("killed, serves \"", flag.off_variant(), "\" to everyone")
                   : "unkilled, serves as targeted");
}

// `flag archive|unarchive` and `flag kill|unkill`: a switch of the flag named
// by KEY.
struct Switch {
  const char* name;
  const char* description;
  Flip flip;
  SwitchLine line;
  bool on;
  bool revision;  // takes --revision
};

constexpr Switch kSwitches[] = {
    {"archive", "Archive a flag (hidden from lists and clients; restore with unarchive)", Archive,
     ArchiveLine, true, true},
    {"unarchive", "Restore an archived flag", Archive, ArchiveLine, false, true},
    {"kill",
     "The kill switch: the flag serves its off variant to everyone, at once, whatever its "
     "overrides, rules, rollout or ramp",
     Kill, KillLine, true, false},
    {"unkill", "Release the kill switch: the flag serves as targeted again", Kill, KillLine, false,
     false},
};

void AddSwitch(CLI::App* noun, Session& session, const Switch& s) {
  struct Options {
    std::string key;
    WriteOptions write;
  };
  auto o = std::make_shared<Options>();
  CLI::App* verb = session.AddVerb(noun, s.name, s.description, [&session, o, &s] {
    ASSIGN_OR_RETURN(v1::Flag flag, s.flip(session, o->key, o->write, s.on));
    return session.Confirm(flag, s.line(flag, s.on));
  });
  verb->add_option("KEY", o->key, "The flag's key")->required();
  AddWriteOptions(verb, o->write, s.revision);
}

}  // namespace

void AddFlagCommands(CLI::App& root, Session& session) {
  CLI::App* noun = root.add_subcommand(
      "flag", "Flags: variants, defaults, kill switch, overrides, rules, rollouts");
  noun->require_subcommand(1);
  session.ShowReach(noun);
  AddCreate(noun, session);
  AddGet(noun, session);
  AddList(noun, session);
  AddUpdate(noun, session);
  for (const Switch& s : kSwitches) AddSwitch(noun, session, s);
  AddOverrideCommands(noun, session);
  AddRuleCommands(noun, session);
  AddRolloutCommands(noun, session);
}

}  // namespace rampart::cli
