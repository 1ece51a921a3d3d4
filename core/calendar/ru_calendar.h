// The built-in Russian federal production calendar (issue 5): Saturday and
// Sunday off, the official data of the years below, and every other year
// computed from Labour Code art. 112 and marked provisional
// (core/calendar/art112.h). Next year's official data is loaded from an
// xmlcalendar file (core/calendar/xmlcalendar.h) the day its decree appears,
// without a release of Rampart.
//
// Federal, not regional: Tax Code art. 6.1 moves federal deadlines by the
// federal calendar only, so accounting presets use this one.
//
// Built-in official years:
//   2026: Government Decree No. 1466 of 2025-09-24. 247 working days, 118
//         days off; by quarter 55 / 62 / 66 / 64.
//
// Thread-safety: pure functions.
#ifndef RAMPART_CORE_CALENDAR_RU_CALENDAR_H_
#define RAMPART_CORE_CALENDAR_RU_CALENDAR_H_

#include <vector>

#include "absl/strings/string_view.h"
#include "core/calendar/production_calendar.h"
#include "core/calendar/year_data.h"

namespace rampart::calendar {

inline constexpr absl::string_view kRuDecree2026 = "Government Decree No. 1466 of 2025-09-24";

// The official 2026 calendar: country "ru", source kRuDecree2026, dated
// 2025.09.24, each record's basis naming its article and the decree.
YearData RussianFederal2026();

// The built-in official years, ascending.
std::vector<YearData> RussianFederalOfficialYears();

// A calendar with Saturday and Sunday off, country "ru", and the built-in
// official years.
ProductionCalendar RussianFederalCalendar();

}  // namespace rampart::calendar

#endif  // RAMPART_CORE_CALENDAR_RU_CALENDAR_H_
