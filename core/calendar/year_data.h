// The data of a production calendar for one year (issue 5): its exceptional
// days, numbered and shaped as in the xmlcalendar files that publish the
// Russian calendar (core/calendar/xmlcalendar.h), and where they come from.
// ProductionCalendar (core/calendar/production_calendar.h) answers queries
// from it; core/calendar/art112.h computes it from the Labour Code alone;
// core/calendar/ru_calendar.h has the official data built in.
//
// Thread-safety: plain values and pure functions.
#ifndef RAMPART_CORE_CALENDAR_YEAR_DATA_H_
#define RAMPART_CORE_CALENDAR_YEAR_DATA_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"

namespace rampart::calendar {

// The weekly days off: weekend[i] for absl::Weekday i (monday = 0 ...
// sunday = 6), as WeekendsOnly takes them.
using Weekend = std::array<bool, 7>;
inline constexpr Weekend kSaturdaySunday = {false, false, false, false, false, true, true};
// A six-day week: only Sunday is a weekly day off.
inline constexpr Weekend kSundayOnly = {false, false, false, false, false, false, true};

bool IsWeekend(const Weekend& weekend, absl::CivilDay day);
// "Saturday, Sunday": for messages and docs.
std::string FormatWeekend(const Weekend& weekend);

// The type of an exceptional day, numbered as the xmlcalendar `t` attribute.
enum class DayType : uint8_t {
  kDayOff = 1,          // not a working day
  kShortened = 2,       // a working day one hour shorter (any day of the week)
  kWorkingWeekend = 3,  // a working day on a weekly day off
};

// One exceptional day of a year.
struct DayRecord {
  absl::CivilDay day;
  DayType type = DayType::kDayOff;
  // The YearData::holidays id of the holiday this day is (xmlcalendar `h`);
  // 0 for none.
  int holiday = 0;
  // For a day off moved from another date (xmlcalendar `f`), that date, in
  // the same year. Only with kDayOff.
  std::optional<absl::CivilDay> moved_from;
  // What this day rests on ("Labour Code art. 112 part 1", a decree), for
  // support; empty means YearData::source.
  std::string basis;

  friend bool operator==(const DayRecord&, const DayRecord&) = default;
};

// A named holiday of a year's data (xmlcalendar `<holiday id= title=>`).
struct HolidayName {
  int id = 0;  // >= 1
  std::string title;

  friend bool operator==(const HolidayName&, const HolidayName&) = default;
};

enum class Provenance : uint8_t {
  // The official calendar of the year: a decree, or a file published from it.
  kOfficial,
  // Computed from Labour Code art. 112 alone; the decree may still move days.
  kProvisional,
};
absl::string_view ProvenanceName(Provenance provenance);  // "official", "provisional"

// The calendar of one year: its exceptional days and where they come from.
struct YearData {
  int year = 0;
  Provenance provenance = Provenance::kOfficial;
  // Where the data comes from: "Government Decree No. 1466 of 2025-09-24",
  // "xmlcalendar file calendar-2027.xml (dated 2026.09.30)", or for
  // provisional data the rule it was computed by.
  std::string source;
  // As in an xmlcalendar file: "ru"; a language of the titles ("ru"); the
  // date of the data, "YYYY.MM.DD". Each may be empty.
  std::string country;
  std::string lang;
  std::string date;
  // Ascending ids, and ascending days with one record a day, as SetYear
  // and the xmlcalendar parser leave them (ValidateYearData takes any order).
  std::vector<HolidayName> holidays;
  std::vector<DayRecord> days;

  friend bool operator==(const YearData&, const YearData&) = default;
};

// OK when `data` is consistent with a calendar whose weekly days off are
// `weekend`: a year in 1..9999, each day in that year and listed once,
// moved_from only on a day off and in the same year (not the day itself), a
// working weekend day only on a weekly day off, holiday ids >= 1, unique, and
// every referenced id named. Otherwise InvalidArgument naming the day and the
// problem.
absl::Status ValidateYearData(const YearData& data, const Weekend& weekend);

}  // namespace rampart::calendar

#endif  // RAMPART_CORE_CALENDAR_YEAR_DATA_H_
