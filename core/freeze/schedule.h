// The FreezeSchedule the server sends to every SDK (issue 5): the freeze
// calendars attached to segments, expanded into absolute windows for the
// coming weeks, per segment and per effective time zone of its accounts, in
// the form core/eval/freeze_view.h reads (lists whose windows do not overlap,
// earliest first). A pure function: the server gathers the calendars, their
// attachments and the accounts' zones, and calls it daily and on every change.
//
// What BuildSchedule computes:
//   - For each calendar, each segment it is attached to ("" when it is
//     attached globally; a global calendar's `segments` are then redundant
//     and ignored) and each distinct zone of zones_by_segment[segment]: the
//     windows of each of its rules in that zone (the rule copied with its
//     zone set to it; for the zone "" the rule keeps its own zone; a one-off
//     given as an instant is the same in any zone), through Windows
//     (core/freeze/windows.h). A segment missing from zones_by_segment, or
//     with no zones, gets no lists.
//   - One SegmentFreezeWindows per (segment, zone) holding the UNION of the
//     windows of every calendar attached to it that apply to all of its
//     accounts: windows that overlap or touch (one ends where the next
//     starts) are joined into one, so the windows of a list do not overlap
//     and the engine takes pins at the start of the union. A joined window's
//     `calendar` and `rule` name the calendar and rule of its earliest part
//     (earliest start; on a tie, the calendar first in `calendars`, then the
//     rule first in its calendar).
//   - Windows limited to named accounts (one-off rules with `accounts`, e.g.
//     tenders) go into separate lists of the same (segment, zone), one per
//     distinct set of accounts (order and duplicates aside), unioned among
//     themselves the same way; FreezeWindow.accounts holds the set, sorted.
//     They are not joined with the lists for every account: the engine asks
//     every list.
//   - Windows are joined across the horizon's ends: they are computed over
//     [from - kScheduleJoinMargin, to + kScheduleJoinMargin), joined, and a
//     joined window is kept, whole (not cut at from or to), when it overlaps
//     [from, to). So a freeze open at `from` shows its real start, and one
//     ending at `to` its real end, as far as that margin reaches.
//   - Lists sorted by segment, zone, then account set (the list for every
//     account first); windows of a list by start. Lists with no window in
//     the horizon are left out. computed_at = from, horizon = to.
//
// Errors: INVALID_ARGUMENT without working_days or when to < from; a
// calendar's rules are checked with ValidateRules, and errors of the rules'
// expansion (an unknown zone in zones_by_segment included) are returned with
// their code and the calendar and rule prefixed:
//   calendar "accounting-deadlines": rules[0].day: 32 is outside 1..31
//   calendar "accounting-deadlines", rule "ru-accounting.28", zone "Asia/Vladivostok": ...
//
// Thread-safety: a pure function of its arguments (the calendar is
// immutable); safe to call concurrently.
#ifndef RAMPART_CORE_FREEZE_SCHEDULE_H_
#define RAMPART_CORE_FREEZE_SCHEDULE_H_

#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/calendar/working_days.h"
#include "core/freeze/rule.h"
#include "rampart/v1/model.pb.h"

namespace rampart::freeze {

// One freeze calendar as attached to segments.
struct AttachedCalendar {
  std::string key;                    // e.g. "accounting-deadlines"
  std::vector<FreezeRule> rules;      // each with its own zone (the calendar's default zone)
  std::vector<std::string> segments;  // the segments it is attached to
  bool global = false;                // attached to every account (segment "")
};

struct ScheduleInput {
  std::vector<AttachedCalendar> calendars;
  // For each segment key (and "" for global calendars): the effective zones
  // of its accounts (the account's own zone, else the segment's; "" when
  // neither has one). Duplicates are allowed.
  absl::flat_hash_map<std::string, std::vector<std::string>> zones_by_segment;
  const calendar::WorkingDays* working_days = nullptr;
  absl::Time from;  // the horizon, e.g. now .. now + 8 weeks
  absl::Time to;
};

// How far beyond the horizon windows are computed to join a union that
// crosses from or to.
inline constexpr absl::Duration kScheduleJoinMargin = absl::Hours(24 * 31);

absl::StatusOr<v1::FreezeSchedule> BuildSchedule(const ScheduleInput& in);

// Keeps the pins of a window open at `now` when `next` (the schedule
// recomputed at `now`) moves its start: each window of `next` open at
// `now` gets, in pin_starts, the start (and the pin_starts) of the window
// of `previous` open at `now` in the same list (segment, zone, accounts)
// when that start differs from its own. So a freeze that an edit extended
// backwards, or that an earlier window was joined to, keeps serving every
// frozen account what it had when the freeze began (promise 3) instead of
// letting the changes held since then through. A window that is no longer
// open at `now` after the edit (its start moved later, or it was removed)
// releases its accounts, as the edit asked; one that opens later takes its
// own pins.
void CarryPinStarts(const v1::FreezeSchedule& previous, v1::FreezeSchedule& next, absl::Time now);

}  // namespace rampart::freeze

#endif  // RAMPART_CORE_FREEZE_SCHEDULE_H_
