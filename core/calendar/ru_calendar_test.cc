#include "core/calendar/ru_calendar.h"

#include <set>
#include <utility>
#include <vector>

#include "core/calendar/art112.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace rampart::calendar {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::Optional;

absl::CivilDay D(int y, int m, int d) { return absl::CivilDay(y, m, d); }

// The non-working days of 2026 besides ordinary Saturdays and Sundays, as
// the decree's calendar lists them (docs/calendars.md).
std::set<absl::CivilDay> DecreeDaysOff2026() {
  std::set<absl::CivilDay> off;
  auto range = [&](int m, int from, int to) {
    for (int d = from; d <= to; ++d) off.insert(D(2026, m, d));
  };
  range(1, 1, 11);
  range(2, 21, 23);
  range(3, 7, 9);
  range(5, 1, 3);
  range(5, 9, 11);
  range(6, 12, 14);
  range(11, 4, 4);
  range(12, 31, 31);
  return off;
}

class Ru2026Test : public ::testing::Test {
 protected:
  const ProductionCalendar cal_ = RussianFederalCalendar();
};

TEST_F(Ru2026Test, TheBuiltInDataIsValidAndOfficial) {
  EXPECT_OK(ValidateYearData(RussianFederal2026(), kSaturdaySunday));
  EXPECT_THAT(cal_.YearsWithData(), ElementsAre(2026));
  EXPECT_TRUE(cal_.IsOfficial(2026));
  EXPECT_EQ(cal_.SourceOf(2026), "Government Decree No. 1466 of 2025-09-24");
  EXPECT_EQ(cal_.country(), "ru");
  EXPECT_EQ(cal_.weekend(), kSaturdaySunday);
  for (const DayRecord& r : cal_.Year(2026).days) {
    EXPECT_THAT(r.basis, HasSubstr("Decree No. 1466 of 2025-09-24")) << r.day;
  }
}

TEST_F(Ru2026Test, YearTotals) {
  int working = 0, off = 0;
  for (absl::CivilDay d = D(2026, 1, 1); d <= D(2026, 12, 31); ++d) {
    (cal_.IsWorkingDay(d) ? working : off)++;
  }
  EXPECT_EQ(working, 247);
  EXPECT_EQ(off, 118);
  EXPECT_EQ(cal_.WorkingDaysInYear(2026), 247);
}

TEST_F(Ru2026Test, QuarterTotals) {
  EXPECT_EQ(cal_.WorkingDaysInQuarter(2026, 1), 55);
  EXPECT_EQ(cal_.WorkingDaysInQuarter(2026, 2), 62);
  EXPECT_EQ(cal_.WorkingDaysInQuarter(2026, 3), 66);
  EXPECT_EQ(cal_.WorkingDaysInQuarter(2026, 4), 64);
}

// Derived by hand from the decree's days off: the weekdays of each month
// less its weekday days off.
//   Jan 22 weekdays - Jan 1, 2, 5, 6, 7, 8, 9 = 15
//   Feb 20 - Feb 23 = 19;  Mar 22 - Mar 9 = 21;  Apr 22
//   May 21 - May 1, 11 = 19;  Jun 22 - Jun 12 = 21;  Jul 23;  Aug 21;  Sep 22
//   Oct 22;  Nov 21 - Nov 4 = 20;  Dec 23 - Dec 31 = 22
// (they add up to 55 / 62 / 66 / 64 and 247).
TEST_F(Ru2026Test, MonthTotals) {
  std::vector<int> months;
  for (int m = 1; m <= 12; ++m)
    months.push_back(cal_.WorkingDaysInMonth(absl::CivilMonth(2026, m)));
  EXPECT_THAT(months, ElementsAreArray({15, 19, 21, 22, 19, 21, 23, 21, 22, 22, 20, 22}));
}

// Every day of 2026 against the decree's list, independently of how the
// data encodes it.
TEST_F(Ru2026Test, EveryDayAsTheDecreeLists) {
  const std::set<absl::CivilDay> off = DecreeDaysOff2026();
  const std::set<absl::CivilDay> shortened = {D(2026, 4, 30), D(2026, 5, 8), D(2026, 6, 11),
                                              D(2026, 11, 3)};
  for (absl::CivilDay d = D(2026, 1, 1); d <= D(2026, 12, 31); ++d) {
    const absl::Weekday wd = absl::GetWeekday(d);
    const bool weekend = wd == absl::Weekday::saturday || wd == absl::Weekday::sunday;
    EXPECT_EQ(cal_.IsWorkingDay(d), !weekend && !off.contains(d)) << d;
    EXPECT_EQ(cal_.IsShortened(d), shortened.contains(d)) << d;
    // No working Saturdays.
    if (weekend) {
      EXPECT_NE(cal_.KindOf(d), DayKind::kWorkingWeekendDay) << d;
    }
  }
}

TEST_F(Ru2026Test, SpecificDays) {
  EXPECT_FALSE(cal_.IsWorkingDay(D(2026, 1, 9)));
  EXPECT_EQ(cal_.KindOf(D(2026, 1, 9)), DayKind::kMovedDayOff);
  EXPECT_THAT(cal_.Describe(D(2026, 1, 9)).moved_from, Optional(D(2026, 1, 3)));
  EXPECT_THAT(cal_.Describe(D(2026, 1, 9)).basis, HasSubstr("moved from Saturday Jan 3"));

  EXPECT_FALSE(cal_.IsWorkingDay(D(2026, 12, 31)));
  EXPECT_EQ(cal_.KindOf(D(2026, 12, 31)), DayKind::kMovedDayOff);
  EXPECT_THAT(cal_.Describe(D(2026, 12, 31)).moved_from, Optional(D(2026, 1, 4)));
  EXPECT_FALSE(cal_.IsShortened(D(2026, 12, 30)));

  EXPECT_TRUE(cal_.IsWorkingDay(D(2026, 4, 30)));
  EXPECT_TRUE(cal_.IsShortened(D(2026, 4, 30)));
  EXPECT_TRUE(cal_.IsShortened(D(2026, 11, 3)));
  EXPECT_EQ(cal_.KindOf(D(2026, 11, 3)), DayKind::kShortenedDay);

  EXPECT_EQ(cal_.KindOf(D(2026, 2, 14)), DayKind::kWeekend);  // a plain Saturday
  EXPECT_EQ(cal_.KindOf(D(2026, 1, 12)), DayKind::kWorkingDay);
  EXPECT_EQ(cal_.KindOf(D(2026, 1, 3)), DayKind::kHoliday);  // Saturday and holiday
  EXPECT_EQ(cal_.Describe(D(2026, 1, 7)).holiday, "Рождество Христово");
  EXPECT_EQ(cal_.KindOf(D(2026, 3, 9)), DayKind::kMovedDayOff);
  EXPECT_THAT(cal_.Describe(D(2026, 3, 9)).basis, HasSubstr("art. 112 part 2"));
  EXPECT_EQ(cal_.KindOf(D(2026, 5, 11)), DayKind::kMovedDayOff);
}

TEST_F(Ru2026Test, NthWorkingDays) {
  EXPECT_THAT(cal_.NthWorkingDay(Period::Year(2026), 1), Optional(D(2026, 1, 12)));
  EXPECT_THAT(cal_.NthLastWorkingDay(Period::Year(2026), 1), Optional(D(2026, 12, 30)));
  EXPECT_THAT(cal_.NthLastWorkingDay(Period::Year(2026), 2), Optional(D(2026, 12, 29)));
  EXPECT_THAT(cal_.NthWorkingDay(Period::Year(2026), 247), Optional(D(2026, 12, 30)));
  EXPECT_EQ(cal_.NthWorkingDay(Period::Year(2026), 248), std::nullopt);
  EXPECT_THAT(cal_.NthLastWorkingDay(Period::Quarter(2026, 1), 1), Optional(D(2026, 3, 31)));
  // The 3rd working day of Q2: Wed Apr 1, Thu Apr 2, Fri Apr 3.
  EXPECT_THAT(cal_.NthWorkingDay(Period::Quarter(2026, 2), 3), Optional(D(2026, 4, 3)));
  // May: Fri May 1 and the weekend, then Mon May 4; it ends on a weekend.
  EXPECT_THAT(cal_.NthWorkingDay(Period::Month(absl::CivilMonth(2026, 5)), 1),
              Optional(D(2026, 5, 4)));
  EXPECT_THAT(cal_.NthLastWorkingDay(Period::Month(absl::CivilMonth(2026, 5)), 1),
              Optional(D(2026, 5, 29)));
  // January: from Jan 12.
  EXPECT_THAT(cal_.NthWorkingDay(Period::Month(absl::CivilMonth(2026, 1)), 3),
              Optional(D(2026, 1, 14)));
}

// Freeze rules: "the 28th, moved to the next working day" (Feb 28, 2026 is
// a Saturday), and "the 3rd, or the next working day" in January.
TEST_F(Ru2026Test, DeadlinesMoveToTheNextWorkingDay) {
  EXPECT_EQ(cal_.NextOrSame(D(2026, 2, 28)), D(2026, 3, 2));
  EXPECT_EQ(cal_.NextOrSame(D(2026, 1, 3)), D(2026, 1, 12));
  EXPECT_EQ(cal_.NextOrSame(D(2026, 12, 28)), D(2026, 12, 28));
  EXPECT_EQ(cal_.PreviousOrSame(D(2026, 12, 31)), D(2026, 12, 30));
}

// The decree's calendar is art. 112 plus the decree's two transfers: the
// same records except Jan 9 and Dec 31 (which the rule alone shortens).
TEST_F(Ru2026Test, AgreesWithArt112ExceptTheDecreesTransfers) {
  auto without = [](const YearData& y, std::set<absl::CivilDay> skip) {
    std::vector<std::pair<absl::CivilDay, DayType>> days;
    for (const DayRecord& r : y.days) {
      if (!skip.contains(r.day)) days.emplace_back(r.day, r.type);
    }
    return days;
  };
  const std::set<absl::CivilDay> decree = {D(2026, 1, 9), D(2026, 12, 31)};
  EXPECT_EQ(without(RussianFederal2026(), decree), without(ProvisionalYear(2026), decree));
}

TEST_F(Ru2026Test, OtherYearsAreProvisional) {
  EXPECT_EQ(cal_.ProvenanceOf(2027), Provenance::kProvisional);
  EXPECT_EQ(cal_.ProvenanceOf(2025), Provenance::kProvisional);
  EXPECT_THAT(cal_.SourceOf(2027), HasSubstr("computed from Labour Code art. 112 alone"));
  EXPECT_EQ(cal_.Describe(D(2027, 5, 3)).provenance, Provenance::kProvisional);
  EXPECT_EQ(cal_.Describe(D(2026, 5, 4)).provenance, Provenance::kOfficial);
}

}  // namespace
}  // namespace rampart::calendar
