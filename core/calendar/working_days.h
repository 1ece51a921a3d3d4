// Working-day calendars (issue 5): which civil days are working days. Freeze
// rules ("the 28th, or the next working day", "the last working day of the
// quarter") are evaluated against one; core/freeze builds on this interface,
// core/calendar/ru_calendar.h (to come) implements the Russian federal
// production calendar.
//
// Days are absl::CivilDay: a calendar knows nothing of time zones; a freeze
// rule maps its local days to instants in its own IANA zone.
//
// Thread-safety: implementations are immutable after construction.
#ifndef RAMPART_CORE_CALENDAR_WORKING_DAYS_H_
#define RAMPART_CORE_CALENDAR_WORKING_DAYS_H_

#include <array>

#include "absl/time/civil_time.h"

namespace rampart::calendar {

class WorkingDays {
 public:
  virtual ~WorkingDays() = default;
  virtual bool IsWorkingDay(absl::CivilDay day) const = 0;

  // The first working day at or after `day` (at or before, for Previous).
  // Calendars have working days every few days, so these end.
  absl::CivilDay NextOrSame(absl::CivilDay day) const {
    while (!IsWorkingDay(day)) ++day;
    return day;
  }
  absl::CivilDay PreviousOrSame(absl::CivilDay day) const {
    while (!IsWorkingDay(day)) --day;
    return day;
  }
};

// Working days are the weekdays not in `weekend` (Saturday and Sunday by
// default); no holidays. For tests, and the fallback of a calendar with no
// data for a year.
class WeekendsOnly final : public WorkingDays {
 public:
  WeekendsOnly() = default;
  // weekend[i] for absl::Weekday i (monday = 0 ... sunday = 6).
  explicit WeekendsOnly(std::array<bool, 7> weekend) : weekend_(weekend) {}
  bool IsWorkingDay(absl::CivilDay day) const override {
    return !weekend_[static_cast<int>(absl::GetWeekday(day))];
  }

 private:
  std::array<bool, 7> weekend_ = {false, false, false, false, false, true, true};
};

}  // namespace rampart::calendar

#endif  // RAMPART_CORE_CALENDAR_WORKING_DAYS_H_
