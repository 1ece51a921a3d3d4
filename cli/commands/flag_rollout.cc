// `rampart flag rollout set|clear`: the percentage split of the units (accounts
// or users) that no override or rule claimed. The rollout is edited on the
// flag and written back with PutFlag (UpdateFlag), like rules; rampartd
// validates it again. How units are bucketed: docs/bucketing.md.
#include <algorithm>
#include <cstdint>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "cli/commands/common.h"
#include "cli/commands/flags.h"
#include "rampart/v1/admin.grpc.pb.h"

namespace rampart::cli {

// 100 %, in thousandths of a percent (WeightedVariant.weight).
inline constexpr uint32_t kHundredPercent = 100000;

absl::StatusOr<uint32_t> ParsePercent(absl::string_view text) {
  const auto bad = [&] {
    return absl::InvalidArgumentError(absl::StrCat(
        "\"", text, "\" is not a percentage (0 to 100, at most 3 decimals, e.g. 25 or 12.345)"));
  };
  absl::string_view digits = text;
  absl::ConsumeSuffix(&digits, "%");
  const size_t dot = digits.find('.');
  const absl::string_view whole = digits.substr(0, dot);
  const absl::string_view fraction =
      dot == absl::string_view::npos ? absl::string_view() : digits.substr(dot + 1);
  const auto all_digits = [](absl::string_view s) {
    return std::all_of(s.begin(), s.end(), absl::ascii_isdigit);
  };
  if (whole.empty() || whole.size() > 3 || !all_digits(whole) || !all_digits(fraction) ||
      (dot != absl::string_view::npos && fraction.empty())) {
    return bad();
  }
  if (fraction.size() > 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("\"", text, "\" has more than 3 decimals (the finest step is 0.001 %)"));
  }
  // Integer arithmetic on the digits: "12.345" is exactly 12345, with none of
  // the rounding a double would bring.
  uint32_t percent = 0;
  if (!absl::SimpleAtoi(whole, &percent)) return bad();
  uint32_t thousandths = 0;
  for (size_t i = 0; i < 3; ++i) {
    thousandths = thousandths * 10 + (i < fraction.size() ? fraction[i] - '0' : 0);
  }
  const uint32_t weight = percent * 1000 + thousandths;
  if (weight > kHundredPercent) {
    return absl::InvalidArgumentError(absl::StrCat("\"", text, "\" is more than 100 %"));
  }
  return weight;
}

std::string FormatPercent(uint32_t weight) {
  std::string text = absl::StrCat(weight / 1000);
  if (const uint32_t thousandths = weight % 1000; thousandths != 0) {
    std::string decimals = absl::StrFormat("%03d", thousandths);
    while (decimals.back() == '0') decimals.pop_back();
    absl::StrAppend(&text, ".", decimals);
  }
  return text;
}

std::string FormatRollout(const v1::Flag& flag) {
  const v1::Rollout& rollout = flag.rollout();
  if (rollout.variants().empty()) return "-";
  std::vector<std::string> parts;
  for (const v1::WeightedVariant& w : rollout.variants()) {
    parts.push_back(absl::StrCat(w.variant(), " ", FormatPercent(w.weight()), " %"));
  }
  return absl::StrCat(absl::StrJoin(parts, ", "), " by ",
                      rollout.unit() == v1::ROLLOUT_UNIT_USER ? "user (else account)" : "account",
                      rollout.salt().empty() ? " (salt: the flag key)"
                                             : absl::StrCat(" (salt \"", rollout.salt(), "\")"));
}

namespace {

// How errors and --help name the split arguments. (CLI11 names positionals
// without '=', so the positional itself is "SPLIT".)
inline constexpr char kSplitArgument[] = "VARIANT=PERCENT";

struct WeightedName {
  std::string variant;
  uint32_t weight;
};

// Reads the VARIANT=PERCENT arguments; they must add up to exactly 100 %.
absl::StatusOr<std::vector<WeightedName>> ParseSplit(const std::vector<std::string>& texts) {
  std::vector<WeightedName> split;
  uint32_t sum = 0;
  for (const std::string& text : texts) {
    const auto error = [&](absl::string_view problem) {
      return absl::InvalidArgumentError(absl::StrCat(kSplitArgument, " \"", text, "\": ", problem));
    };
    const size_t eq = text.find('=');
    if (eq == std::string::npos || eq == 0) return error("expected VARIANT=PERCENT, e.g. on=25");
    const std::string variant = text.substr(0, eq);
    absl::StatusOr<uint32_t> weight = ParsePercent(absl::string_view(text).substr(eq + 1));
    if (!weight.ok()) return error(weight.status().message());
    for (const WeightedName& earlier : split) {
      if (earlier.variant == variant)
        return error(absl::StrCat("variant \"", variant, "\" given twice"));
    }
    split.push_back({variant, *weight});
    sum += *weight;  // at most 100000 each: no overflow for any sane count
  }
  if (sum != kHundredPercent) {
    return absl::InvalidArgumentError(absl::StrCat(kSplitArgument, ": the percentages add up to ",
                                                   FormatPercent(sum), " %, must be 100 %"));
  }
  return split;
}

void AddRolloutSet(CLI::App* noun, Session& session) {
  struct Options {
    std::string flag;
    std::vector<std::string> split;
    std::optional<std::string> unit, salt;
    WriteOptions write;
  };
  auto o = std::make_shared<Options>();
  CLI::App* verb = session.AddVerb(
      noun, "set", "Split the units no override or rule claimed between variants, by percent",
      [&session, o] {
        ASSIGN_OR_RETURN(const std::vector<WeightedName> split, ParseSplit(o->split));
        ASSIGN_OR_RETURN(v1::Flag flag, UpdateFlag(session, o->flag, o->write, [&](v1::Flag& f) {
                           v1::Rollout& rollout = *f.mutable_rollout();
                           rollout.clear_variants();
                           for (const WeightedName& w : split) {
                             RETURN_IF_ERROR(CheckVariantExists(kSplitArgument, f, w.variant));
                             v1::WeightedVariant& added = *rollout.add_variants();
                             added.set_variant(w.variant);
                             added.set_weight(w.weight);
                           }
                           // Unit and salt stay as they were unless given: changing
                           // either reshuffles who gets what.
                           if (o->unit) {
                             rollout.set_unit(*o->unit == "user" ? v1::ROLLOUT_UNIT_USER
                                                                 : v1::ROLLOUT_UNIT_ACCOUNT);
                           } else if (rollout.unit() == v1::ROLLOUT_UNIT_UNSPECIFIED) {
                             rollout.set_unit(v1::ROLLOUT_UNIT_ACCOUNT);
                           }
                           if (o->salt) rollout.set_salt(*o->salt);
                           return absl::OkStatus();
                         }));
        return session.Confirm(flag,
                               FlagChanged(flag, absl::StrCat("rollout ", FormatRollout(flag))));
      });
  verb->add_option("FLAG", o->flag, "The flag's key")->required();
  verb->add_option("SPLIT", o->split,
                   "A variant and its share of the units, e.g. on=25 off=75; PERCENT has at "
                   "most 3 decimals (12.345); the shares add up to 100")
      ->required()
      ->type_name(kSplitArgument);
  verb->add_option("--unit", o->unit,
                   "What is split: account, or user (the context's user key; a context without "
                   "one goes by its account). Default: as before, else account")
      ->check(CLI::IsMember({"account", "user"}));
  verb->add_option("--salt", o->salt,
                   "Mixed into every unit's bucket; a new salt reshuffles who gets what. Default: "
                   "as before, else none (the flag key is used)");
  AddWriteOptions(verb, o->write, /*change=*/true);
}

void AddRolloutClear(CLI::App* noun, Session& session) {
  struct Options {
    std::string flag;
    WriteOptions write;
  };
  auto o = std::make_shared<Options>();
  CLI::App* verb = session.AddVerb(
      noun, "clear", "Remove the rollout (and its unit and salt): the default applies again",
      [&session, o] {
        ASSIGN_OR_RETURN(
            v1::Flag flag, UpdateFlag(session, o->flag, o->write, [](v1::Flag& f) {
              if (f.rollout().variants().empty()) {
                return absl::NotFoundError(absl::StrCat("flag \"", f.key(), "\" has no rollout"));
              }
              f.clear_rollout();
              return absl::OkStatus();
            }));
        return session.Confirm(flag, FlagChanged(flag, "rollout cleared"));
      });
  verb->add_option("FLAG", o->flag, "The flag's key")->required();
  AddWriteOptions(verb, o->write, /*change=*/true);
}

}  // namespace

void AddRolloutCommands(CLI::App* flag, Session& session) {
  CLI::App* noun = flag->add_subcommand(
      "rollout", "Percentage rollout: a stable split of accounts (or users) between variants");
  noun->require_subcommand(1);
  AddRolloutSet(noun, session);
  AddRolloutClear(noun, session);
}

}  // namespace rampart::cli
