// A small working-day calendar for freeze tests, the benchmark and the
// figures in docs/freezes.md: weekends plus a list of days off. The real
// Russian production calendar is core/calendar's; this one keeps the freeze
// tests independent of its data and lets a test invent holidays.
//
// Thread-safety: immutable after construction.
#ifndef RAMPART_CORE_FREEZE_TESTING_HOLIDAY_CALENDAR_H_
#define RAMPART_CORE_FREEZE_TESTING_HOLIDAY_CALENDAR_H_

#include <algorithm>
#include <initializer_list>
#include <utility>
#include <vector>

#include "absl/time/civil_time.h"
#include "core/calendar/working_days.h"

namespace rampart::freeze::testing {

class HolidayCalendar final : public calendar::WorkingDays {
 public:
  // Days off besides Saturdays and Sundays, in any order.
  explicit HolidayCalendar(std::vector<absl::CivilDay> days_off) : days_off_(std::move(days_off)) {
    std::sort(days_off_.begin(), days_off_.end());
  }

  bool IsWorkingDay(absl::CivilDay day) const override {
    return weekends_.IsWorkingDay(day) &&
           !std::binary_search(days_off_.begin(), days_off_.end(), day);
  }

  // first..last, both included.
  static std::vector<absl::CivilDay> Range(absl::CivilDay first, absl::CivilDay last) {
    std::vector<absl::CivilDay> days;
    for (absl::CivilDay d = first; d <= last; ++d) days.push_back(d);
    return days;
  }

 private:
  calendar::WeekendsOnly weekends_;
  std::vector<absl::CivilDay> days_off_;
};

// The days off of Russia's 2026 federal calendar that fall on weekdays
// (Decree No. 1466 of 2025-09-24): Jan 1-9, Feb 23, Mar 9, May 1, May 11,
// Jun 12, Nov 4, Dec 31; and Jan 1-11 2027, an assumption (no decree for 2027
// was confirmed when this was written). Enough for the 2026 figures.
inline HolidayCalendar Russia2026() {
  std::vector<absl::CivilDay> off =
      HolidayCalendar::Range(absl::CivilDay(2026, 1, 1), absl::CivilDay(2026, 1, 11));
  for (absl::CivilDay d :
       {absl::CivilDay(2026, 2, 23), absl::CivilDay(2026, 3, 9), absl::CivilDay(2026, 5, 1),
        absl::CivilDay(2026, 5, 11), absl::CivilDay(2026, 6, 12), absl::CivilDay(2026, 11, 4),
        absl::CivilDay(2026, 12, 31)}) {
    off.push_back(d);
  }
  for (absl::CivilDay d :
       HolidayCalendar::Range(absl::CivilDay(2027, 1, 1), absl::CivilDay(2027, 1, 11)))
    off.push_back(d);
  return HolidayCalendar(std::move(off));
}

}  // namespace rampart::freeze::testing

#endif  // RAMPART_CORE_FREEZE_TESTING_HOLIDAY_CALENDAR_H_
