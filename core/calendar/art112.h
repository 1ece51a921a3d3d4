// The Russian production calendar of a year computed from the Labour Code
// alone (issue 5): what ProductionCalendar answers for a year that has no
// official data yet, marked provisional.
//
// What it does (Labour Code of the Russian Federation as in force since
// 2013):
//   - art. 112 part 1: the non-working holidays are Jan 1-6 and 8 (New Year
//     holidays), Jan 7 (Christmas), Feb 23, Mar 8, May 1, May 9, Jun 12 and
//     Nov 4; each is a day off (t=1 with its holiday id), on a weekly day off
//     too.
//   - art. 112 part 2: a weekly day off that falls on a holiday moves to the
//     next working day after the holiday (t=1, moved_from = the holiday),
//     except for Jan 1-8, whose coinciding days off only a decree moves.
//     Holidays are taken in date order, so a second transfer skips the day
//     an earlier one took. (The last holiday is Nov 4, so no transfer
//     leaves the year.)
//   - art. 95 part 1: the working day right before a holiday is one hour
//     shorter (t=2): the calendar day before it, when that is a working day,
//     including Dec 31 before next year's Jan 1.
// What it does not do, and the decree for the year usually does:
//   - move the weekly days off that fall on Jan 1-8 (art. 112 part 5; the
//     decree typically moves two of them, e.g. to Jan 9 or Dec 31), so a
//     provisional year usually has one or two working days more than the
//     official one will;
//   - create working weekend days (t=3) or declare other non-working days
//     (Dec 31 has often been one);
//   - know regional holidays, or the rules before 2013 (older years computed
//     this way are not history).
// The weekly days off are the calendar's own (a six-day week moves only the
// Sunday ones).
//
// Thread-safety: pure functions.
#ifndef RAMPART_CORE_CALENDAR_ART112_H_
#define RAMPART_CORE_CALENDAR_ART112_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/time/civil_time.h"
#include "core/calendar/year_data.h"

namespace rampart::calendar {

// The holidays of art. 112 part 1 with the ids and titles of the
// xmlcalendar files: 1 New Year holidays (Jan 1-6, 8), 2 Christmas (Jan 7),
// 3 Feb 23, 4 Mar 8, 5 May 1, 6 May 9, 7 Jun 12, 8 Nov 4. Titles in Russian,
// as the official calendar names them.
std::vector<HolidayName> Art112HolidayNames();

// The holidays of art. 112 part 1 in `year`, ascending, as (day, holiday id).
struct StatutoryHoliday {
  absl::CivilDay day;
  int id = 0;
};
std::vector<StatutoryHoliday> Art112Holidays(int year);

// The year computed as described at the top of this file, for weekly days off
// `weekend`: provenance kProvisional, source ProvisionalSource(year), each
// record's basis naming its article, country "ru". `weekend` must leave a
// working day in the week.
YearData ProvisionalYear(int year, const Weekend& weekend = kSaturdaySunday);

// "computed from Labour Code art. 112 alone (no official calendar for 2027
// loaded)".
std::string ProvisionalSource(int year);

// The days of ProvisionalYear without titles and bases, computed without
// allocating: ProductionCalendar computes them on every query of a year
// without data, which must stay cheap (freeze rules scan days one by one).
struct ProvisionalDay {
  absl::CivilDay day;
  DayType type = DayType::kDayOff;
  int holiday = 0;
  std::optional<absl::CivilDay> moved_from;
};
// 14 holidays, at most 6 transfers (Jan 1-8 never move) and 15 eves.
using ProvisionalDays = absl::InlinedVector<ProvisionalDay, 35>;
// Ascending days.
ProvisionalDays ComputeProvisionalDays(int year, const Weekend& weekend);

}  // namespace rampart::calendar

#endif  // RAMPART_CORE_CALENDAR_ART112_H_
