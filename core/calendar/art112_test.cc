#include "core/calendar/art112.h"

#include <vector>

#include "core/calendar/production_calendar.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace rampart::calendar {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

absl::CivilDay D(int y, int m, int d) { return absl::CivilDay(y, m, d); }

// The records of `data` of one type, as days.
std::vector<absl::CivilDay> DaysOfType(const YearData& data, DayType type) {
  std::vector<absl::CivilDay> days;
  for (const DayRecord& r : data.days) {
    if (r.type == type) days.push_back(r.day);
  }
  return days;
}

std::vector<std::pair<absl::CivilDay, absl::CivilDay>> Transfers(const YearData& data) {
  std::vector<std::pair<absl::CivilDay, absl::CivilDay>> moved;
  for (const DayRecord& r : data.days) {
    if (r.moved_from) moved.emplace_back(*r.moved_from, r.day);
  }
  return moved;
}

TEST(Art112Test, HolidaysOfPart1WithTheXmlcalendarIds) {
  const std::vector<StatutoryHoliday> h = Art112Holidays(2027);
  ASSERT_EQ(h.size(), 14u);
  EXPECT_EQ(h[0].day, D(2027, 1, 1));
  EXPECT_EQ(h[0].id, 1);
  EXPECT_EQ(h[6].day, D(2027, 1, 7));
  EXPECT_EQ(h[6].id, 2);
  EXPECT_EQ(h[7].day, D(2027, 1, 8));
  EXPECT_EQ(h[7].id, 1);
  EXPECT_EQ(h[13].day, D(2027, 11, 4));
  EXPECT_EQ(h[13].id, 8);
  EXPECT_EQ(Art112HolidayNames().size(), 8u);
}

// 2027 starts on a Friday. Weekday holidays: Jan 1, 4-8, Feb 23 (Tue), Mar 8
// (Mon), Nov 4 (Thu). On weekly days off: Jan 2-3 (not moved: New Year
// holidays), May 1 (Sat) -> Mon May 3, May 9 (Sun) -> Mon May 10, Jun 12
// (Sat) -> Mon Jun 14. Shortened: the working days right before a holiday,
// Feb 22, Apr 30, Jun 11, Nov 3, and Dec 31 before 2028's Jan 1 (Mar 7 and
// May 8 are weekend days).
TEST(Art112Test, Provisional2027) {
  const YearData y = ProvisionalYear(2027);
  EXPECT_EQ(y.year, 2027);
  EXPECT_EQ(y.provenance, Provenance::kProvisional);
  EXPECT_THAT(y.source, HasSubstr("art. 112"));
  EXPECT_THAT(Transfers(y), ElementsAre(std::pair(D(2027, 5, 1), D(2027, 5, 3)),
                                        std::pair(D(2027, 5, 9), D(2027, 5, 10)),
                                        std::pair(D(2027, 6, 12), D(2027, 6, 14))));
  EXPECT_THAT(
      DaysOfType(y, DayType::kShortened),
      ElementsAre(D(2027, 2, 22), D(2027, 4, 30), D(2027, 6, 11), D(2027, 11, 3), D(2027, 12, 31)));
  EXPECT_THAT(DaysOfType(y, DayType::kWorkingWeekend), ElementsAre());
  EXPECT_OK(ValidateYearData(y, kSaturdaySunday));

  ProductionCalendar cal;
  EXPECT_EQ(cal.ProvenanceOf(2027), Provenance::kProvisional);
  EXPECT_FALSE(cal.IsOfficial(2027));
  // 365 days - 104 weekend days - 9 weekday holidays - 3 moved days off.
  EXPECT_EQ(cal.WorkingDaysInYear(2027), 249);
  EXPECT_EQ(cal.KindOf(D(2027, 1, 2)), DayKind::kHoliday);  // a Saturday, and stays one
  EXPECT_EQ(cal.KindOf(D(2027, 1, 11)), DayKind::kWorkingDay);
  EXPECT_EQ(cal.KindOf(D(2027, 5, 3)), DayKind::kMovedDayOff);
  EXPECT_EQ(cal.Describe(D(2027, 5, 3)).moved_from, D(2027, 5, 1));
  EXPECT_EQ(cal.Describe(D(2027, 5, 3)).provenance, Provenance::kProvisional);
  EXPECT_THAT(cal.Describe(D(2027, 5, 3)).basis, HasSubstr("art. 112 part 2"));
  EXPECT_TRUE(cal.IsShortened(D(2027, 12, 31)));
  EXPECT_THAT(cal.Describe(D(2027, 12, 31)).basis, HasSubstr("art. 95"));
}

// The rule alone, applied to 2026, gives what the decree gives except the
// two New Year days off it moved (Jan 3 -> Jan 9, Jan 4 -> Dec 31): Dec 31
// stays a (shortened) working day, and two working days more.
TEST(Art112Test, Provisional2026LacksOnlyTheDecreesTransfers) {
  const YearData y = ProvisionalYear(2026);
  EXPECT_THAT(Transfers(y), ElementsAre(std::pair(D(2026, 3, 8), D(2026, 3, 9)),
                                        std::pair(D(2026, 5, 9), D(2026, 5, 11))));
  EXPECT_THAT(
      DaysOfType(y, DayType::kShortened),
      ElementsAre(D(2026, 4, 30), D(2026, 5, 8), D(2026, 6, 11), D(2026, 11, 3), D(2026, 12, 31)));
  ProductionCalendar cal;
  EXPECT_EQ(cal.WorkingDaysInYear(2026), 249);
  EXPECT_TRUE(cal.IsWorkingDay(D(2026, 1, 9)));
}

// A six-day week moves only the holidays on a Sunday; a Saturday before a
// holiday is a shortened working day. 2027: 365 - 52 Sundays - 12 holidays
// on Monday..Saturday (Jan 1-2, 4-8, Feb 23, Mar 8, May 1, Jun 12, Nov 4) -
// 1 moved day off (May 9 -> May 10) = 300.
TEST(Art112Test, SixDayWeekMovesOnlySundayHolidays) {
  const YearData y = ProvisionalYear(2027, kSundayOnly);
  EXPECT_THAT(Transfers(y), ElementsAre(std::pair(D(2027, 5, 9), D(2027, 5, 10))));
  EXPECT_THAT(DaysOfType(y, DayType::kShortened),
              ElementsAre(D(2027, 2, 22), D(2027, 4, 30), D(2027, 5, 8), D(2027, 6, 11),
                          D(2027, 11, 3), D(2027, 12, 31)));
  ASSERT_OK_AND_ASSIGN(ProductionCalendar cal, ProductionCalendar::Create(kSundayOnly, "ru"));
  EXPECT_EQ(cal.WorkingDaysInYear(2027), 300);
  EXPECT_TRUE(cal.IsWorkingDay(D(2027, 1, 16)));  // a Saturday
  EXPECT_EQ(cal.KindOf(D(2027, 1, 17)), DayKind::kWeekend);
}

// Art. 95 shortens the working day right before a holiday, not the last
// working day before it: in 2021 Mar 8 is a Monday, the day before it a
// Sunday, and Friday Mar 5 stays a full working day (as the official 2021
// calendar has it). Likewise Saturday Mar 6, 2027 in the six-day week above.
TEST(Art112Test, TheEveIsTheCalendarDayBeforeTheHoliday) {
  const YearData y = ProvisionalYear(2021);
  for (const DayRecord& r : y.days) {
    EXPECT_NE(r.day, D(2021, 3, 5));
    EXPECT_NE(r.day, D(2021, 3, 7));
  }
}

}  // namespace
}  // namespace rampart::calendar
