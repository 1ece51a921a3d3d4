#include "core/calendar/art112.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace rampart::calendar {
namespace {

constexpr absl::string_view kPart1 = "Labour Code art. 112 part 1 (non-working holiday)";
constexpr absl::string_view kPart2 = "Labour Code art. 112 part 2 (weekly day off on holiday ";
constexpr absl::string_view kArt95 = "Labour Code art. 95 part 1 (working day before a holiday)";

// Art. 112 part 1, with the xmlcalendar ids.
struct HolidayDate {
  int month;
  int day;
  int id;
};
constexpr HolidayDate kHolidays[] = {
    {1, 1, 1}, {1, 2, 1},  {1, 3, 1}, {1, 4, 1}, {1, 5, 1}, {1, 6, 1},  {1, 7, 2},
    {1, 8, 1}, {2, 23, 3}, {3, 8, 4}, {5, 1, 5}, {5, 9, 6}, {6, 12, 7}, {11, 4, 8},
};

bool InNewYearHolidays(absl::CivilDay day) { return day.month() == 1 && day.day() <= 8; }

}  // namespace

std::vector<HolidayName> Art112HolidayNames() {
  return {
      {1, "Новогодние каникулы"},
      {2, "Рождество Христово"},
      {3, "День защитника Отечества"},
      {4, "Международный женский день"},
      {5, "Праздник Весны и Труда"},
      {6, "День Победы"},
      {7, "День России"},
      {8, "День народного единства"},
  };
}

std::vector<StatutoryHoliday> Art112Holidays(int year) {
  std::vector<StatutoryHoliday> holidays;
  for (const HolidayDate& h : kHolidays) {
    holidays.push_back({absl::CivilDay(year, h.month, h.day), h.id});
  }
  return holidays;
}

std::string ProvisionalSource(int year) {
  return absl::StrCat("computed from Labour Code art. 112 alone (no official calendar for ", year,
                      " loaded)");
}

ProvisionalDays ComputeProvisionalDays(int year, const Weekend& weekend) {
  ProvisionalDays days;
  // A linear search: there are at most 35 days.
  auto find = [&](absl::CivilDay d) -> const ProvisionalDay* {
    for (const ProvisionalDay& p : days) {
      if (p.day == d) return &p;
    }
    return nullptr;
  };
  auto is_day_off = [&](absl::CivilDay d) {
    const ProvisionalDay* p = find(d);
    return p != nullptr ? p->type == DayType::kDayOff : IsWeekend(weekend, d);
  };

  for (const HolidayDate& h : kHolidays) {
    days.push_back({absl::CivilDay(year, h.month, h.day), DayType::kDayOff, h.id, std::nullopt});
  }
  // Part 2, in date order: each transfer sees the days off placed before it.
  for (const HolidayDate& h : kHolidays) {
    const absl::CivilDay holiday(year, h.month, h.day);
    if (InNewYearHolidays(holiday) || !IsWeekend(weekend, holiday)) continue;
    absl::CivilDay to = holiday + 1;
    while (is_day_off(to)) ++to;
    if (to.year() != year) continue;  // cannot happen: the last holiday is Nov 4
    days.push_back({to, DayType::kDayOff, 0, holiday});
  }
  // Art. 95: the day right before a holiday, when it works. Dec 31 precedes
  // next year's Jan 1.
  auto shorten = [&](absl::CivilDay eve) {
    if (eve.year() == year && !is_day_off(eve) && find(eve) == nullptr) {
      days.push_back({eve, DayType::kShortened, 0, std::nullopt});
    }
  };
  for (const HolidayDate& h : kHolidays) shorten(absl::CivilDay(year, h.month, h.day) - 1);
  shorten(absl::CivilDay(year, 12, 31));

  std::sort(days.begin(), days.end(),
            [](const ProvisionalDay& a, const ProvisionalDay& b) { return a.day < b.day; });
  return days;
}

YearData ProvisionalYear(int year, const Weekend& weekend) {
  YearData data;
  data.year = year;
  data.provenance = Provenance::kProvisional;
  data.source = ProvisionalSource(year);
  data.country = "ru";
  data.lang = "ru";
  data.holidays = Art112HolidayNames();
  for (const ProvisionalDay& p : ComputeProvisionalDays(year, weekend)) {
    std::string basis;
    if (p.type == DayType::kShortened) {
      basis = std::string(kArt95);
    } else if (p.moved_from.has_value()) {
      basis = absl::StrFormat("%s%02d.%02d)", kPart2, p.moved_from->month(), p.moved_from->day());
    } else {
      basis = std::string(kPart1);
    }
    data.days.push_back({p.day, p.type, p.holiday, p.moved_from, std::move(basis)});
  }
  return data;
}

}  // namespace rampart::calendar
