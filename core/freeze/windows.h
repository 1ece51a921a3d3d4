// Freeze windows (issue 5): the absolute instants a freeze rule
// (core/freeze/rule.h) covers, computed against a working-day calendar, and
// whether a set of rules freezes a given instant (`rampart freeze check`).
//
// Windows are half-open [start, end) absl::Time instants: frozen at `start`,
// no longer frozen at `end`. A rule's local times are read in its own zone
// through absl::TimeZone, so "24:00 on Monday" is the instant the zone's
// clocks reach Tuesday 00:00. Russia has had no clock changes since 2014; for
// zones that have them the rule is the same:
//   a window is the shortest interval holding every instant whose local
//   date-time lies in [local start, local end).
// So a local time that occurs twice (clocks going back) starts a window at its
// first occurrence and ends one at its second, and a local time that does not
// exist (clocks going forward) starts or ends a window at the moment of the
// change. A window never reads shorter than it is written.
//
// Thread-safety: pure functions of their arguments (the calendar is
// immutable); safe to call concurrently.
#ifndef RAMPART_CORE_FREEZE_WINDOWS_H_
#define RAMPART_CORE_FREEZE_WINDOWS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "core/calendar/working_days.h"
#include "core/freeze/rule.h"

namespace rampart::freeze {

struct Window {
  absl::Time start;  // inclusive
  absl::Time end;    // exclusive
  std::string rule;  // the rule's name
  // The local days (in the rule's zone) the window was generated around,
  // after rolling, ascending and distinct: one, unless overlapping or
  // touching windows of the rule were merged into this one. For a one-off
  // rule, the local day of its start, or of its `at`.
  std::vector<absl::CivilDay> days;

  friend bool operator==(const Window&, const Window&) = default;
};

// The windows of `rule` that overlap [from, to) (start < to and end > from),
// whole (not cut at from or to), sorted by start. Windows of the rule that
// overlap or touch (one ends where the next starts) are merged into one,
// from the earliest start to the latest end, with the days of both: a freeze
// that never lifts in between is one freeze. Windows of different rules are
// never merged here (FrozenAt takes their union).
//
// Occurrences are generated for days within kGenerationMarginDays of
// [from, to) in the rule's zone. That holds every window of a valid rule in a
// real production calendar, whose longest run of days off (the New Year
// holidays) is under two weeks: a window reaches at most 10 working days
// from its day, rolled at most one run of days off. A chain of merged windows
// is followed as far as that margin.
//
// INVALID_ARGUMENT when Validate(rule) fails; FAILED_PRECONDITION when the
// calendar has no working day within kMaxCalendarGap of a day the rule walks
// from (a broken calendar, rather than a loop without end).
absl::StatusOr<std::vector<Window>> Windows(const FreezeRule& rule,
                                            const calendar::WorkingDays& calendar, absl::Time from,
                                            absl::Time to);

// Windows of every rule (ValidateRules first), sorted by start, then by the
// rules' order.
absl::StatusOr<std::vector<Window>> WindowsOf(absl::Span<const FreezeRule> rules,
                                              const calendar::WorkingDays& calendar,
                                              absl::Time from, absl::Time to);

inline constexpr int kGenerationMarginDays = 62;
inline constexpr int kMaxCalendarGap = 370;  // days

// Whether a set of rules freezes an account, or a segment, at an instant.
struct FreezeState {
  bool frozen = false;
  // When frozen: the union of the windows of every applicable rule that holds
  // `at`, windows that overlap or touch joined: frozen since `since`, until
  // `until` (exclusive), whichever rules keep it so.
  absl::Time since;
  absl::Time until;
  // When frozen: the (merged) window of each rule that holds `at`, in the
  // rules' order. A rule whose window touches but does not hold `at` is not
  // here, though it counts for since/until.
  std::vector<Window> by;
  // The first window to start after the freeze in effect (after `until` when
  // frozen, after `at` when not), within kLookAhead; earliest start, then
  // the rules' order.
  std::optional<Window> next;
};

// How far FrozenAt looks: back, for the start of the freeze in effect (a
// union reaching further back reports `since` at its start within this
// range); ahead, for `until` and `next`.
inline constexpr absl::Duration kLookBack = absl::Hours(24 * 62);
inline constexpr absl::Duration kLookAhead = absl::Hours(24 * 400);

// Whether `rules` freeze `account` at `at`. A rule without accounts applies
// to every account; a rule with accounts, only to those. With an empty
// `account` (a segment as a whole), only rules without accounts apply.
// Errors as ValidateRules and Windows.
absl::StatusOr<FreezeState> FrozenAt(absl::Span<const FreezeRule> rules,
                                     const calendar::WorkingDays& calendar, absl::Time at,
                                     absl::string_view account = "");

}  // namespace rampart::freeze

#endif  // RAMPART_CORE_FREEZE_WINDOWS_H_
