#include "core/freeze/presets.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace rampart::freeze {
namespace {

// From 15:00 on the previous working day to the end of the deadline's day:
// the afternoon before is when accountants start filing, and an action is in
// time until 24:00 of the last day.
DayWindow DeadlineWindow() {
  DayWindow w;
  w.days_before = 1;
  w.start = {15, 0};
  return w;
}

FreezeRule Deadline(absl::string_view prefix, absl::string_view what, absl::string_view zone,
                    RuleKind kind) {
  FreezeRule rule;
  rule.name = absl::StrCat(prefix, ".", what);
  rule.zone = std::string(zone);
  rule.kind = std::move(kind);
  return rule;
}

}  // namespace

std::vector<FreezeRule> RuAccounting(absl::string_view zone, absl::string_view prefix) {
  auto monthly = [](int day, std::vector<int> except) {
    MonthlyDay k;
    k.day = day;
    k.roll = Roll::kNext;
    k.except_months = std::move(except);
    k.window = DeadlineWindow();
    return k;
  };
  std::vector<FreezeRule> rules;
  rules.push_back(Deadline(prefix, "25", zone, monthly(25, {})));
  rules.push_back(Deadline(prefix, "28", zone, monthly(28, {})));
  // Personal income tax withheld from the 23rd to the end of the previous
  // month: not in January, whose previous month ends with the year-end rule.
  rules.push_back(Deadline(prefix, "3", zone, monthly(3, {1})));
  rules.push_back(Deadline(prefix, "5", zone, monthly(5, {1})));
  NthWorkingDay last;
  last.n = 1;
  last.from_last = true;
  last.period = Period::kYear;
  last.window = DeadlineWindow();
  rules.push_back(Deadline(prefix, "year-end", zone, last));
  return rules;
}

FreezeRule RuTender(absl::string_view name, absl::string_view zone, absl::Time closes,
                    std::vector<std::string> accounts) {
  FreezeRule rule;
  rule.name = std::string(name);
  rule.zone = std::string(zone);
  // Suppliers file in the last hours, and a late bid is impossible; the
  // margin after covers the platform's opening of the bids.
  OneOff window;
  window.at = closes;
  window.margin_before = absl::Hours(24);
  window.margin_after = absl::Hours(6);
  rule.kind = window;
  rule.accounts = std::move(accounts);
  return rule;
}

FreezeRule WeekendEvening(absl::string_view zone, absl::string_view name) {
  FreezeRule rule;
  rule.name = std::string(name);
  rule.zone = std::string(zone);
  Weekly evening;
  evening.weekday = absl::Weekday::saturday;
  evening.start = {18, 0};
  evening.end = TimeOfDay::EndOfDay();
  rule.kind = evening;
  return rule;
}

std::vector<std::string> PresetNames() {
  return {std::string(kRuAccounting), std::string(kRuTender), std::string(kWeekendEvening)};
}

absl::StatusOr<std::vector<FreezeRule>> FromPreset(absl::string_view preset,
                                                   const PresetArgs& args) {
  const bool tender = preset == kRuTender;
  if (preset != kRuAccounting && !tender && preset != kWeekendEvening) {
    return absl::InvalidArgumentError(absl::StrCat("preset: unknown preset \"", preset, "\" (",
                                                   absl::StrJoin(PresetNames(), ", "), ")"));
  }
  if (tender && !args.at.has_value()) {
    return absl::InvalidArgumentError("at: required by ru-tender (when bids close)");
  }
  if (!tender && args.at.has_value()) {
    return absl::InvalidArgumentError("at: only ru-tender takes an instant");
  }
  if (!tender && !args.accounts.empty()) {
    return absl::InvalidArgumentError("accounts: only ru-tender names accounts");
  }
  const absl::string_view name = args.name.empty() ? preset : absl::string_view(args.name);
  std::vector<FreezeRule> rules;
  if (preset == kRuAccounting) {
    rules = RuAccounting(args.zone, name);
  } else if (tender) {
    rules.push_back(RuTender(name, args.zone, *args.at, args.accounts));
  } else {
    rules.push_back(WeekendEvening(args.zone, name));
  }
  if (absl::Status s = ValidateRules(rules); !s.ok()) return s;
  return rules;
}

}  // namespace rampart::freeze
