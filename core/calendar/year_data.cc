#include "core/calendar/year_data.h"

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace rampart::calendar {
namespace {

constexpr absl::string_view kWeekdayNames[7] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                                "Friday", "Saturday", "Sunday"};

std::string DayName(absl::CivilDay day) {
  return absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
}

}  // namespace

bool IsWeekend(const Weekend& weekend, absl::CivilDay day) {
  return weekend[static_cast<int>(absl::GetWeekday(day))];
}

std::string FormatWeekend(const Weekend& weekend) {
  std::vector<absl::string_view> names;
  for (int i = 0; i < 7; ++i) {
    if (weekend[i]) names.push_back(kWeekdayNames[i]);
  }
  return names.empty() ? "none" : absl::StrJoin(names, ", ");
}

absl::string_view ProvenanceName(Provenance provenance) {
  return provenance == Provenance::kOfficial ? "official" : "provisional";
}

absl::Status ValidateYearData(const YearData& data, const Weekend& weekend) {
  if (data.year < 1 || data.year > 9999) {
    return absl::InvalidArgumentError(absl::StrCat("year ", data.year, " is outside 1..9999"));
  }
  const std::string prefix = absl::StrCat("calendar ", data.year, ": ");
  absl::flat_hash_set<int> holiday_ids;
  for (const HolidayName& h : data.holidays) {
    if (h.id < 1) {
      return absl::InvalidArgumentError(
          absl::StrCat(prefix, "holiday id ", h.id, " (\"", h.title, "\") is not positive"));
    }
    if (!holiday_ids.insert(h.id).second) {
      return absl::InvalidArgumentError(absl::StrCat(prefix, "holiday id ", h.id, " named twice"));
    }
  }
  absl::flat_hash_set<absl::civil_diff_t> seen;  // days since 1970-01-01
  for (const DayRecord& r : data.days) {
    const std::string at = absl::StrCat(prefix, "day ", DayName(r.day), ": ");
    if (r.day.year() != data.year) {
      return absl::InvalidArgumentError(absl::StrCat(at, "not in ", data.year));
    }
    if (!seen.insert(r.day - absl::CivilDay()).second) {
      return absl::InvalidArgumentError(absl::StrCat(at, "listed twice"));
    }
    switch (r.type) {
      case DayType::kDayOff:
      case DayType::kShortened:
        break;
      case DayType::kWorkingWeekend:
        if (!IsWeekend(weekend, r.day)) {
          return absl::InvalidArgumentError(absl::StrCat(
              at, "a working weekend day on a ",
              kWeekdayNames[static_cast<int>(absl::GetWeekday(r.day))],
              ", which is not a weekly day off (the weekend is ", FormatWeekend(weekend), ")"));
        }
        break;
      default:
        return absl::InvalidArgumentError(
            absl::StrCat(at, "day type ", static_cast<int>(r.type), " is not 1, 2 or 3"));
    }
    if (r.moved_from.has_value()) {
      if (r.type != DayType::kDayOff) {
        return absl::InvalidArgumentError(
            absl::StrCat(at, "only a day off can be moved from another date"));
      }
      if (r.moved_from->year() != data.year) {
        return absl::InvalidArgumentError(
            absl::StrCat(at, "moved from ", DayName(*r.moved_from), ", not in ", data.year));
      }
      if (*r.moved_from == r.day) {
        return absl::InvalidArgumentError(absl::StrCat(at, "moved from itself"));
      }
    }
    if (r.holiday < 0 || (r.holiday > 0 && !holiday_ids.contains(r.holiday))) {
      return absl::InvalidArgumentError(
          absl::StrCat(at, "holiday id ", r.holiday, " is not among the year's holidays"));
    }
  }
  return absl::OkStatus();
}

}  // namespace rampart::calendar
