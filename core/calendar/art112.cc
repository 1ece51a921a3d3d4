#include "core/calendar/art112.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace rampart::calendar {
namespace {

constexpr absl::string_view kPart1 = "Labour Code art. 112 part 1 (non-working holiday)";
constexpr absl::string_view kPart2 = "Labour Code art. 112 part 2 (weekly day off on holiday ";
constexpr absl::string_view kArt95 = "Labour Code art. 95 part 1 (working day before a holiday)";

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
  for (int d = 1; d <= 8; ++d) holidays.push_back({absl::CivilDay(year, 1, d), d == 7 ? 2 : 1});
  holidays.push_back({absl::CivilDay(year, 2, 23), 3});
  holidays.push_back({absl::CivilDay(year, 3, 8), 4});
  holidays.push_back({absl::CivilDay(year, 5, 1), 5});
  holidays.push_back({absl::CivilDay(year, 5, 9), 6});
  holidays.push_back({absl::CivilDay(year, 6, 12), 7});
  holidays.push_back({absl::CivilDay(year, 11, 4), 8});
  return holidays;
}

YearData ProvisionalYear(int year, const Weekend& weekend) {
  YearData data;
  data.year = year;
  data.provenance = Provenance::kProvisional;
  data.source = absl::StrCat("computed from Labour Code art. 112 alone (no official calendar for ",
                             year, " loaded)");
  data.country = "ru";
  data.lang = "ru";
  data.holidays = Art112HolidayNames();

  // Keyed by days since 1970-01-01, so the records come out sorted below.
  absl::flat_hash_map<absl::civil_diff_t, DayRecord> records;
  auto key = [](absl::CivilDay d) { return d - absl::CivilDay(); };
  auto is_day_off = [&](absl::CivilDay d) {
    auto it = records.find(key(d));
    if (it != records.end()) return it->second.type == DayType::kDayOff;
    return IsWeekend(weekend, d);
  };

  const std::vector<StatutoryHoliday> holidays = Art112Holidays(year);
  for (const StatutoryHoliday& h : holidays) {
    records[key(h.day)] =
        DayRecord{h.day, DayType::kDayOff, h.id, std::nullopt, std::string(kPart1)};
  }
  // Part 2, in date order: each transfer sees the days off placed before it.
  for (const StatutoryHoliday& h : holidays) {
    if (InNewYearHolidays(h.day) || !IsWeekend(weekend, h.day)) continue;
    absl::CivilDay to = h.day + 1;
    while (is_day_off(to)) ++to;
    if (to.year() != year) continue;  // cannot happen: the last holiday is Nov 4
    records[key(to)] =
        DayRecord{to, DayType::kDayOff, 0, h.day,
                  absl::StrFormat("%s%02d.%02d)", kPart2, h.day.month(), h.day.day())};
  }
  // Art. 95: the day right before a holiday, when it works. Dec 31 precedes
  // next year's Jan 1.
  std::vector<absl::CivilDay> eves;
  for (const StatutoryHoliday& h : holidays) eves.push_back(h.day - 1);
  eves.push_back(absl::CivilDay(year, 12, 31));
  for (absl::CivilDay eve : eves) {
    if (eve.year() != year || is_day_off(eve)) continue;
    records[key(eve)] = DayRecord{eve, DayType::kShortened, 0, std::nullopt, std::string(kArt95)};
  }

  for (auto& [k, r] : records) data.days.push_back(std::move(r));
  std::sort(data.days.begin(), data.days.end(),
            [](const DayRecord& a, const DayRecord& b) { return a.day < b.day; });
  return data;
}

}  // namespace rampart::calendar
