// Freeze rules (issue 5): what a release manager writes to say when a segment
// of accounts must not see changes. Plain C++ types, no protos and no
// storage: a later step maps them onto the API's messages, and the server,
// the engine and the CLI build on core/freeze/windows.h, which turns rules
// into absolute windows. docs/freezes.md describes the rules for users.
//
// A rule has an IANA time zone and one of four kinds:
//   MonthlyDay     "the 28th, moved to the next working day"
//   NthWorkingDay  "the last working day of the year", "the 3rd of a quarter"
//   Weekly         "Saturday 18:00-24:00"
//   OneOff         "2026-12-15 09:00+07:00, from 24 h before to 6 h after"
// The first three generate local days and put a window around each; a
// one-off rule is one window. Working days come from a calendar::WorkingDays
// (the production calendar), passed when windows are computed, so one rule
// serves every year the calendar knows.
//
// Validate names the field and the problem, e.g. `day: 32 is outside 1..31`,
// and ValidateRules prefixes the rule: `rules[0].day: 32 is outside 1..31`.
// Field names are the members below without the kind's struct (`day`, not
// `monthly_day.day`): the kinds share no field names, so the short form is
// unambiguous, and it is what a person reading the message typed.
//
// Thread-safety: plain values; the functions are pure.
#ifndef RAMPART_CORE_FREEZE_RULE_H_
#define RAMPART_CORE_FREEZE_RULE_H_

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "absl/types/span.h"

namespace rampart::freeze {

// A local time of day from 00:00 to 24:00. 24:00 is the end of the day (the
// next day's 00:00) and is allowed only where a window ends, so "to the end of
// the day" needs no "00:00 on the next day" that would change meaning when
// the next day is not a working day.
struct TimeOfDay {
  int hour = 0;
  int minute = 0;

  static constexpr TimeOfDay EndOfDay() { return TimeOfDay{24, 0}; }
  constexpr int minutes() const { return hour * 60 + minute; }
  friend bool operator==(const TimeOfDay&, const TimeOfDay&) = default;
};

// "15:00", "24:00"; out-of-range values as they are ("25:70").
std::string FormatTimeOfDay(TimeOfDay t);

// How a generated day that is not a working day moves (Tax Code art. 6.1
// p. 7 moves a deadline to the next working day).
enum class Roll {
  kNone,      // stays, working or not
  kNext,      // the first working day at or after it, across months and years
  kPrevious,  // the last working day at or before it
};

enum class Period { kMonth, kQuarter, kYear };

// The window around a generated day D: from `start` on the day `days_before`
// working days before D to `end` on the day `days_after` working days after
// D. Zero means D itself, whether D is a working day or not; N > 0 means the
// N-th working day strictly before (after) D. The default is all of D.
// "From 15:00 on the previous working day to the end of the day itself":
// {.days_before = 1, .start = {15, 0}}.
struct DayWindow {
  int days_before = 0;                    // 0..kMaxWindowWorkingDays
  TimeOfDay start;                        // 00:00..23:59
  int days_after = 0;                     // 0..kMaxWindowWorkingDays
  TimeOfDay end = TimeOfDay::EndOfDay();  // 00:00..24:00

  friend bool operator==(const DayWindow&, const DayWindow&) = default;
};

// How far a window may reach from its day, in working days each way; and in
// all (days_before + days_after) for a rule that recurs every month, so that
// a month's window stays shorter than the month.
inline constexpr int kMaxWindowWorkingDays = 10;
inline constexpr int kMaxMonthlyWindowWorkingDays = 10;

// Day `day` of every month, except the months listed, then rolled. A month
// without that day (the 31st in April, the 29th-31st in February) uses its
// last day: "day 31" is the last day of every month, and "day 30, rolled to
// the next working day" is never skipped in February.
// `except_months` apply to the month of the day before rolling: "the 3rd,
// except in January" skips January's 3rd even when it would roll to Jan 12,
// and keeps February's.
struct MonthlyDay {
  int day = 0;  // 1..31
  Roll roll = Roll::kNone;
  std::vector<int> except_months;  // 1..12, each at most once, not all twelve
  DayWindow window;
};

// The n-th working day of each period, or the n-th from its end when
// `from_last` ({.n = 1, .from_last = true} is the last working day). A period
// with fewer than n working days generates no day (not possible for n within
// the 15 working days every month of the Russian calendar has).
struct NthWorkingDay {
  int n = 1;  // 1..the weekdays a period can have: 23 a month, 66 a quarter, 262 a year
  bool from_last = false;
  Period period = Period::kMonth;
  DayWindow window;
};

// Every `weekday`, from `start` on it to `end` on the day `end_days_after`
// calendar days later (0: the same day). A weekly window is about the clock,
// not the working calendar, so its days are calendar days: Friday 18:00 to
// Monday 08:00 is {friday, {18, 0}, {8, 0}, 3}. It must be shorter than a week.
struct Weekly {
  absl::Weekday weekday = absl::Weekday::saturday;
  TimeOfDay start;
  TimeOfDay end = TimeOfDay::EndOfDay();
  int end_days_after = 0;  // 0..7
};

// One window: either local date-times [start, end) in the rule's zone (a
// date range "Dec 10 to Dec 12" is 2026-12-10T00:00 to 2026-12-13T00:00), or
// an absolute instant with margins, [at - margin_before, at + margin_after)
// (a tender closing 2026-12-15 09:00+07:00, 24 h before to 6 h after). An
// instant keeps the offset it was given in; the zone only names the local day.
struct OneOff {
  std::optional<absl::CivilSecond> start;
  std::optional<absl::CivilSecond> end;
  std::optional<absl::Time> at;
  absl::Duration margin_before;  // >= 0, only with `at`
  absl::Duration margin_after;   // >= 0, only with `at`
};

using RuleKind = std::variant<MonthlyDay, NthWorkingDay, Weekly, OneOff>;

struct FreezeRule {
  // A key (core/common/keys.h), unique among the rules of one calendar:
  // windows and `freeze check` name their rule by it.
  std::string name;
  // IANA name (Europe/Moscow). Local days and times of the rule are in it.
  std::string zone;
  RuleKind kind;
  // Recurring kinds only. A date here skips the occurrence whose day is that
  // date, before or after rolling (either works: "skip Feb 28" and "skip
  // Mar 2" both skip the 28th of February 2026 rolled to March 2).
  std::vector<absl::CivilDay> exceptions;
  // Recurring kinds only: occurrences whose day (after rolling) is in
  // [valid_from, valid_until], both inclusive and optional. Windows are not
  // cut at these dates: a window belongs to its day whole.
  std::optional<absl::CivilDay> valid_from;
  std::optional<absl::CivilDay> valid_until;
  // One-off rules only: the accounts it freezes (a tender's participants);
  // empty: the whole segment the rule belongs to. Keys, no duplicates.
  std::vector<std::string> accounts;
};

// OK, or INVALID_ARGUMENT `<field>: ...` when `zone` is not an IANA zone name
// (empty, unknown, "localtime", a fixed offset).
absl::Status ValidateZone(absl::string_view field, absl::string_view zone);

// OK, or INVALID_ARGUMENT naming the first bad field and the problem, e.g.
//   day: 32 is outside 1..31
//   zone: unknown time zone "Europe/Moskva" (use an IANA name such as Europe/Moscow)
//   window.end: 09:00 is before window.start 15:00 on the same day
//   end_days_after: the window lasts 7 days 02:00; a weekly window must be shorter than a week
//   end: 2026-12-10T00:00:00 is before start 2026-12-12T00:00:00
//   margin_before: -1h is negative
// docs/freezes.md lists every message.
absl::Status Validate(const FreezeRule& rule);

// Validate for each rule, prefixed `rules[i].`, and names unique:
//   rules[3].name: "ru-accounting.28" is also the name of rules[1]
absl::Status ValidateRules(absl::Span<const FreezeRule> rules);

}  // namespace rampart::freeze

#endif  // RAMPART_CORE_FREEZE_RULE_H_
