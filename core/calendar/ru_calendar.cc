#include "core/calendar/ru_calendar.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/calendar/art112.h"

namespace rampart::calendar {

YearData RussianFederal2026() {
  // Every record names the article it rests on and the decree that fixed
  // the 2026 calendar, so support can answer "why is Jan 9 a day off?"
  // without looking it up.
  const std::string in_decree = absl::StrCat("; 2026 calendar of ", kRuDecree2026);
  const std::string holiday = absl::StrCat("Labour Code art. 112 part 1 (holiday)", in_decree);
  const std::string eve =
      absl::StrCat("Labour Code art. 95 part 1 (working day before a holiday)", in_decree);
  auto moved_by_law = [&](absl::string_view from) {
    return absl::StrCat("Labour Code art. 112 part 2 (weekly day off on holiday ", from, ")",
                        in_decree);
  };
  auto moved_by_decree = [&](absl::string_view from) {
    return absl::StrCat(kRuDecree2026, " (weekly day off moved from ", from, ")");
  };
  auto d = [](int month, int day) { return absl::CivilDay(2026, month, day); };
  constexpr DayType kOff = DayType::kDayOff;
  constexpr DayType kShort = DayType::kShortened;

  YearData y;
  y.year = 2026;
  y.provenance = Provenance::kOfficial;
  y.source = std::string(kRuDecree2026);
  y.country = "ru";
  y.lang = "ru";
  y.date = "2025.09.24";
  y.holidays = Art112HolidayNames();
  y.days = {
      // New Year holidays and Christmas; Jan 3-4 are a Saturday and a Sunday,
      // whose days off the decree moves (below).
      {d(1, 1), kOff, 1, std::nullopt, holiday},
      {d(1, 2), kOff, 1, std::nullopt, holiday},
      {d(1, 3), kOff, 1, std::nullopt, holiday},
      {d(1, 4), kOff, 1, std::nullopt, holiday},
      {d(1, 5), kOff, 1, std::nullopt, holiday},
      {d(1, 6), kOff, 1, std::nullopt, holiday},
      {d(1, 7), kOff, 2, std::nullopt, holiday},
      {d(1, 8), kOff, 1, std::nullopt, holiday},
      {d(1, 9), kOff, 0, d(1, 3), moved_by_decree("Saturday Jan 3")},
      // Feb 23 is a Monday; the Sunday before it is no working day to shorten.
      {d(2, 23), kOff, 3, std::nullopt, holiday},
      // Mar 8 is a Sunday: its day off moves to Monday by the law itself.
      {d(3, 8), kOff, 4, std::nullopt, holiday},
      {d(3, 9), kOff, 0, d(3, 8), moved_by_law("Sunday Mar 8")},
      {d(4, 30), kShort, 0, std::nullopt, eve},
      {d(5, 1), kOff, 5, std::nullopt, holiday},
      {d(5, 8), kShort, 0, std::nullopt, eve},
      // May 9 is a Saturday: its day off moves to Monday May 11.
      {d(5, 9), kOff, 6, std::nullopt, holiday},
      {d(5, 11), kOff, 0, d(5, 9), moved_by_law("Saturday May 9")},
      {d(6, 11), kShort, 0, std::nullopt, eve},
      {d(6, 12), kOff, 7, std::nullopt, holiday},
      {d(11, 3), kShort, 0, std::nullopt, eve},
      {d(11, 4), kOff, 8, std::nullopt, holiday},
      // Not shortened: Dec 30 precedes a moved day off, not a holiday.
      {d(12, 31), kOff, 0, d(1, 4), moved_by_decree("Sunday Jan 4")},
  };
  return y;
}

std::vector<YearData> RussianFederalOfficialYears() {
  std::vector<YearData> years;
  years.push_back(RussianFederal2026());
  return years;
}

ProductionCalendar RussianFederalCalendar() {
  // Saturday and Sunday leave working days, so Create cannot fail; the
  // built-in data is pinned valid by ru_calendar_test.
  ProductionCalendar calendar = *ProductionCalendar::Create(kSaturdaySunday, "ru");
  for (YearData& y : RussianFederalOfficialYears()) {
    (void)calendar.SetYear(std::move(y));
  }
  return calendar;
}

}  // namespace rampart::calendar
