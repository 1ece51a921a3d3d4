#include "core/freeze/rule.h"

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/common/keys.h"

namespace rampart::freeze {
namespace {

absl::Status Invalid(absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
}

std::string FormatCivil(absl::CivilSecond cs) {
  return absl::FormatCivilTime(cs);  // 2026-12-15T09:00:00
}

}  // namespace

absl::Status ValidateZone(absl::string_view field, absl::string_view zone) {
  if (zone.empty()) return Invalid(field, "required (an IANA name such as Europe/Moscow)");
  // Abseil also loads "localtime" (the machine's zone) and "Fixed/UTC+03:00:00"
  // (a fixed offset). Both would make a rule mean different things on
  // different machines or ignore a future change of the zone's offset.
  if (zone == "localtime" || absl::StartsWith(zone, "Fixed/")) {
    return Invalid(field, absl::StrCat("\"", zone,
                                       "\" is not an IANA zone name (use one such as "
                                       "Europe/Moscow, never a fixed offset)"));
  }
  absl::TimeZone tz;
  if (!absl::LoadTimeZone(std::string(zone), &tz)) {
    return Invalid(field, absl::StrCat("unknown time zone \"", zone,
                                       "\" (use an IANA name such as Europe/Moscow)"));
  }
  return absl::OkStatus();
}

namespace {

absl::Status CheckStartTime(absl::string_view field, TimeOfDay t) {
  if (t == TimeOfDay::EndOfDay()) return Invalid(field, "24:00 is only allowed as an end");
  if (t.hour < 0 || t.hour > 23 || t.minute < 0 || t.minute > 59) {
    return Invalid(field, absl::StrCat(FormatTimeOfDay(t), " is not a time of day (00:00..23:59)"));
  }
  return absl::OkStatus();
}

absl::Status CheckEndTime(absl::string_view field, TimeOfDay t) {
  if (t == TimeOfDay::EndOfDay()) return absl::OkStatus();
  if (t.hour < 0 || t.hour > 23 || t.minute < 0 || t.minute > 59) {
    return Invalid(field, absl::StrCat(FormatTimeOfDay(t), " is not a time of day (00:00..24:00)"));
  }
  return absl::OkStatus();
}

absl::Status CheckRange(absl::string_view field, int value, int lo, int hi,
                        absl::string_view why = "") {
  if (value >= lo && value <= hi) return absl::OkStatus();
  return Invalid(field, absl::StrCat(value, " is outside ", lo, "..", hi, why));
}

absl::Status CheckWindow(const DayWindow& w, bool monthly) {
  if (auto s = CheckRange("window.days_before", w.days_before, 0, kMaxWindowWorkingDays); !s.ok()) {
    return s;
  }
  if (auto s = CheckStartTime("window.start", w.start); !s.ok()) return s;
  if (auto s = CheckRange("window.days_after", w.days_after, 0, kMaxWindowWorkingDays); !s.ok()) {
    return s;
  }
  if (auto s = CheckEndTime("window.end", w.end); !s.ok()) return s;
  if (w.days_before == 0 && w.days_after == 0) {
    if (w.end.minutes() < w.start.minutes()) {
      return Invalid("window.end", absl::StrCat(FormatTimeOfDay(w.end), " is before window.start ",
                                                FormatTimeOfDay(w.start), " on the same day"));
    }
    if (w.end.minutes() == w.start.minutes()) {
      return Invalid("window.end", absl::StrCat("equals window.start ", FormatTimeOfDay(w.start),
                                                ", so the window is empty"));
    }
  }
  // Otherwise the end's day is after the start's day: not empty.
  if (monthly && w.days_before + w.days_after > kMaxMonthlyWindowWorkingDays) {
    return Invalid("window", absl::StrCat(w.days_before, " working days before and ", w.days_after,
                                          " after make a window too long for a rule that "
                                          "recurs every month (at most ",
                                          kMaxMonthlyWindowWorkingDays, " in all)"));
  }
  return absl::OkStatus();
}

absl::Status CheckKind(const MonthlyDay& k) {
  if (auto s = CheckRange("day", k.day, 1, 31); !s.ok()) return s;
  if (k.roll != Roll::kNone && k.roll != Roll::kNext && k.roll != Roll::kPrevious) {
    return Invalid("roll", absl::StrCat("unknown value ", static_cast<int>(k.roll)));
  }
  bool seen[13] = {};
  for (size_t i = 0; i < k.except_months.size(); ++i) {
    const std::string field = absl::StrCat("except_months[", i, "]");
    const int m = k.except_months[i];
    if (auto s = CheckRange(field, m, 1, 12); !s.ok()) return s;
    if (seen[m]) return Invalid(field, absl::StrCat(m, " is listed twice"));
    seen[m] = true;
  }
  if (k.except_months.size() == 12) {
    return Invalid("except_months", "every month is excluded, so the rule never applies");
  }
  return CheckWindow(k.window, /*monthly=*/true);
}

absl::Status CheckKind(const NthWorkingDay& k) {
  // The most weekdays a period can have: n beyond it can never exist.
  switch (k.period) {
    case Period::kMonth:
      if (auto s = CheckRange("n", k.n, 1, 23, " (the most working days a month can have)");
          !s.ok()) {
        return s;
      }
      break;
    case Period::kQuarter:
      if (auto s = CheckRange("n", k.n, 1, 66, " (the most working days a quarter can have)");
          !s.ok()) {
        return s;
      }
      break;
    case Period::kYear:
      if (auto s = CheckRange("n", k.n, 1, 262, " (the most working days a year can have)");
          !s.ok()) {
        return s;
      }
      break;
    default:
      return Invalid("period", absl::StrCat("unknown value ", static_cast<int>(k.period)));
  }
  return CheckWindow(k.window, /*monthly=*/k.period == Period::kMonth);
}

absl::Status CheckKind(const Weekly& k) {
  const int wd = static_cast<int>(k.weekday);
  if (wd < 0 || wd > 6) return Invalid("weekday", absl::StrCat("unknown value ", wd));
  if (auto s = CheckStartTime("start", k.start); !s.ok()) return s;
  if (auto s = CheckEndTime("end", k.end); !s.ok()) return s;
  if (auto s = CheckRange("end_days_after", k.end_days_after, 0, 7); !s.ok()) return s;
  const int minutes = k.end_days_after * 24 * 60 + k.end.minutes() - k.start.minutes();
  if (k.end_days_after == 0 && minutes < 0) {
    return Invalid("end", absl::StrCat(FormatTimeOfDay(k.end), " is before start ",
                                       FormatTimeOfDay(k.start), " on the same day"));
  }
  if (minutes == 0) {
    return Invalid(
        "end", absl::StrCat("equals start ", FormatTimeOfDay(k.start), ", so the window is empty"));
  }
  // A window of a week or more would run into the next week's: frozen for
  // ever, which is not what anyone means by a weekly window.
  if (minutes >= 7 * 24 * 60) {
    return Invalid("end_days_after",
                   absl::StrFormat("the window lasts %d days %02d:%02d; a weekly window must be "
                                   "shorter than a week",
                                   minutes / (24 * 60), minutes / 60 % 24, minutes % 60));
  }
  return absl::OkStatus();
}

absl::Status CheckKind(const OneOff& k) {
  const bool range = k.start.has_value() || k.end.has_value();
  if (range && k.at.has_value()) {
    return Invalid("at", "a one-off rule has start and end, or at, not both");
  }
  if (!range && !k.at.has_value()) {
    return Invalid("start", "a one-off rule needs start and end, or at");
  }
  if (range) {
    if (!k.start.has_value()) return Invalid("start", "required with end");
    if (!k.end.has_value()) return Invalid("end", "required with start");
    if (*k.end < *k.start) {
      return Invalid("end",
                     absl::StrCat(FormatCivil(*k.end), " is before start ", FormatCivil(*k.start)));
    }
    if (*k.end == *k.start) {
      return Invalid(
          "end", absl::StrCat("equals start ", FormatCivil(*k.start), ", so the window is empty"));
    }
    if (k.margin_before != absl::ZeroDuration()) {
      return Invalid("margin_before", "only with at (a range has its own start)");
    }
    if (k.margin_after != absl::ZeroDuration()) {
      return Invalid("margin_after", "only with at (a range has its own end)");
    }
    return absl::OkStatus();
  }
  if (*k.at == absl::InfinitePast() || *k.at == absl::InfiniteFuture()) {
    return Invalid("at", "must be a finite instant");
  }
  for (const auto& [field, d] :
       {std::pair{"margin_before", k.margin_before}, std::pair{"margin_after", k.margin_after}}) {
    if (d < absl::ZeroDuration()) {
      return Invalid(field, absl::StrCat(absl::FormatDuration(d), " is negative"));
    }
    if (d == absl::InfiniteDuration()) return Invalid(field, "must be finite");
  }
  if (k.margin_before == absl::ZeroDuration() && k.margin_after == absl::ZeroDuration()) {
    return Invalid("margin_after", "both margins are zero, so the window is empty");
  }
  return absl::OkStatus();
}

}  // namespace

std::string FormatTimeOfDay(TimeOfDay t) { return absl::StrFormat("%02d:%02d", t.hour, t.minute); }

absl::Status Validate(const FreezeRule& rule) {
  if (auto s = ValidateKey("name", rule.name); !s.ok()) return s;
  if (auto s = ValidateZone("zone", rule.zone); !s.ok()) return s;
  if (auto s = std::visit([](const auto& k) { return CheckKind(k); }, rule.kind); !s.ok()) {
    return s;
  }
  const bool one_off = std::holds_alternative<OneOff>(rule.kind);
  if (one_off) {
    if (!rule.exceptions.empty()) {
      return Invalid("exceptions", "a one-off rule has no recurring days to skip");
    }
    if (rule.valid_from.has_value()) {
      return Invalid("valid_from", "a one-off rule has its own start and end");
    }
    if (rule.valid_until.has_value()) {
      return Invalid("valid_until", "a one-off rule has its own start and end");
    }
  } else if (!rule.accounts.empty()) {
    return Invalid("accounts",
                   "only a one-off rule may name accounts (a recurring rule freezes its whole "
                   "segment)");
  }
  if (rule.valid_from.has_value() && rule.valid_until.has_value() &&
      *rule.valid_until < *rule.valid_from) {
    return Invalid("valid_until",
                   absl::StrCat(absl::FormatCivilTime(*rule.valid_until), " is before valid_from ",
                                absl::FormatCivilTime(*rule.valid_from)));
  }
  absl::flat_hash_set<absl::string_view> accounts;
  for (size_t i = 0; i < rule.accounts.size(); ++i) {
    const std::string field = absl::StrCat("accounts[", i, "]");
    if (auto s = ValidateKey(field, rule.accounts[i]); !s.ok()) return s;
    if (!accounts.insert(rule.accounts[i]).second) {
      return Invalid(field, absl::StrCat("\"", rule.accounts[i], "\" is listed twice"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateRules(absl::Span<const FreezeRule> rules) {
  absl::flat_hash_map<absl::string_view, size_t> names;
  for (size_t i = 0; i < rules.size(); ++i) {
    if (absl::Status s = Validate(rules[i]); !s.ok()) {
      return absl::Status(s.code(), absl::StrCat("rules[", i, "].", s.message()));
    }
    const auto [it, inserted] = names.emplace(rules[i].name, i);
    if (!inserted) {
      return absl::InvalidArgumentError(absl::StrCat("rules[", i, "].name: \"", rules[i].name,
                                                     "\" is also the name of rules[", it->second,
                                                     "]"));
    }
  }
  return absl::OkStatus();
}

}  // namespace rampart::freeze
