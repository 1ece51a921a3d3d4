// Production calendars (issue 5): a WorkingDays calendar built from per-year
// data of exceptional days, the shape of a Russian "производственный
// календарь" and of the xmlcalendar files that publish it
// (core/calendar/xmlcalendar.h). core/calendar/ru_calendar.h has the built-in
// Russian federal calendar; docs/calendars.md describes the data.
//
// A day is a working day unless it is a weekly day off (the calendar's
// weekend, Saturday and Sunday by default) or the year's data says otherwise:
// the data lists only the days that differ from the plain week (holidays,
// days off moved from elsewhere, shortened working days, working weekend
// days), exactly as an xmlcalendar file does.
//
// Every year has an answer. A year with data (the built-in one, or an
// imported file) says where the data comes from (YearData::source) and
// whether it is official. A year without data is computed on the fly from
// Labour Code art. 112 alone (core/calendar/art112.h) and is provisional:
// freeze rules can be planned a year ahead, and support can see that the
// dates may still move when the Government's decree for that year appears.
// A query of a stored year is a table lookup (about 20 ns); of a year
// without data, a computation that does not allocate (under a microsecond),
// so that loading a year is never needed for speed.
//
// Thread-safety: the const methods may be called concurrently. SetYear and
// ClearYear may not: configure a calendar before sharing it, and to load new
// data copy it (it is small), change the copy and publish the copy.
#ifndef RAMPART_CORE_CALENDAR_PRODUCTION_CALENDAR_H_
#define RAMPART_CORE_CALENDAR_PRODUCTION_CALENDAR_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "core/calendar/working_days.h"
#include "core/calendar/year_data.h"

namespace rampart::calendar {

// What a day is, in the calendar of its year. The first three are working
// days.
enum class DayKind : uint8_t {
  kWorkingDay,
  // A working day one hour shorter: the day before a non-working holiday
  // (Labour Code art. 95).
  kShortenedDay,
  // A weekly day off made a working day (a decree moved its day off away).
  kWorkingWeekendDay,
  // A weekly day off, as the calendar's weekend says.
  kWeekend,
  // A non-working public holiday (Labour Code art. 112 part 1), also when it
  // falls on a weekly day off.
  kHoliday,
  // A day off moved here from another date (DayInfo::moved_from): by art.
  // 112 part 2 when a holiday fell on a weekly day off, or by a decree.
  kMovedDayOff,
  // Another non-working day the data declares (no holiday, no transfer).
  kNonWorkingDay,
};
bool IsWorkingKind(DayKind kind);
// "working day", "shortened working day", ...: for messages.
absl::string_view DayKindName(DayKind kind);

// Days first..last, both included (empty when last < first).
struct Period {
  absl::CivilDay first;
  absl::CivilDay last;

  static Period Month(absl::CivilMonth month);
  // Quarter 1..4 of `year`; other quarters normalise like civil times do
  // (quarter 5 of 2026 is quarter 1 of 2027).
  static Period Quarter(int year, int quarter);
  static Period Year(int year);
  static Period Days(absl::CivilDay first, absl::CivilDay last) { return Period{first, last}; }
};

// All a calendar knows about one day, for support and for messages.
struct DayInfo {
  absl::CivilDay day;
  DayKind kind = DayKind::kWorkingDay;
  Provenance provenance = Provenance::kOfficial;  // of the day's year
  std::optional<absl::CivilDay> moved_from;       // kMovedDayOff
  std::string holiday;                            // the holiday's title, when it has one
  // What the day rests on: its record's basis, else the year's source; for a
  // plain day, the year's source too.
  std::string basis;
};

class ProductionCalendar final : public WorkingDays {
 public:
  // A calendar with Saturday and Sunday off and no data: every year is
  // provisional until SetYear.
  ProductionCalendar() = default;
  // A calendar with other weekly days off; `country` ("ru", may be empty)
  // guards SetYear against another country's data. InvalidArgument when the
  // weekend leaves no working day in the week.
  static absl::StatusOr<ProductionCalendar> Create(Weekend weekend, std::string country = "");

  const Weekend& weekend() const { return weekend_; }
  const std::string& country() const { return country_; }

  // Replaces the data of `data.year` (validated as ValidateYearData, and its
  // country must match the calendar's when both are set). On error nothing
  // changes.
  absl::Status SetYear(YearData data);
  // Forgets a year's data: the year is provisional again. False when it had
  // none.
  bool ClearYear(int year);
  // The years that have data, ascending.
  std::vector<int> YearsWithData() const;

  // The data of `year`: what SetYear stored, else the art. 112 computation
  // for this calendar's weekend (provisional).
  YearData Year(int year) const;
  Provenance ProvenanceOf(int year) const;
  bool IsOfficial(int year) const { return ProvenanceOf(year) == Provenance::kOfficial; }
  // YearData::source of `year`.
  std::string SourceOf(int year) const;

  bool IsWorkingDay(absl::CivilDay day) const override { return IsWorkingKind(KindOf(day)); }
  bool IsShortened(absl::CivilDay day) const { return KindOf(day) == DayKind::kShortenedDay; }
  DayKind KindOf(absl::CivilDay day) const;
  DayInfo Describe(absl::CivilDay day) const;

  int WorkingDaysIn(const Period& period) const;
  int WorkingDaysInMonth(absl::CivilMonth month) const {
    return WorkingDaysIn(Period::Month(month));
  }
  int WorkingDaysInQuarter(int year, int quarter) const {
    return WorkingDaysIn(Period::Quarter(year, quarter));
  }
  int WorkingDaysInYear(int year) const { return WorkingDaysIn(Period::Year(year)); }

  // The n-th working day of `period` counting from its first day (n = 1 is
  // the first working day), or from its last (n = 1 is the last working
  // day): "the 3rd working day of the quarter", "the last working day of the
  // year". nullopt when n < 1 or the period has fewer working days.
  std::optional<absl::CivilDay> NthWorkingDay(const Period& period, int n) const;
  std::optional<absl::CivilDay> NthLastWorkingDay(const Period& period, int n) const;

 private:
  // The kinds of the days of one year, by day of the year (0 = Jan 1).
  struct YearTable {
    std::array<DayKind, 366> kinds;
  };
  struct StoredYear {
    YearData data;
    YearTable table;
  };

  ProductionCalendar(Weekend weekend, std::string country)
      : weekend_(weekend), country_(std::move(country)) {}

  // The table of `year`: the stored one, else `scratch` filled with the
  // provisional year.
  const YearTable& TableFor(int year, YearTable& scratch) const;

  Weekend weekend_ = kSaturdaySunday;
  std::string country_;
  absl::flat_hash_map<int, StoredYear> years_;
};

}  // namespace rampart::calendar

#endif  // RAMPART_CORE_CALENDAR_PRODUCTION_CALENDAR_H_
