#include "core/calendar/production_calendar.h"

#include <vector>

#include "core/calendar/art112.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace rampart::calendar {
namespace {

using ::rampart::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Optional;

absl::CivilDay D(int y, int m, int d) { return absl::CivilDay(y, m, d); }

// A small official year for 2030 (Jan 1 2030 is a Tuesday): a holiday, a day
// off moved from Sat Jan 5 to Mon Jan 14, a working Saturday Jan 12, a
// shortened Monday, and a non-working Wednesday.
YearData Sample2030() {
  YearData y;
  y.year = 2030;
  y.provenance = Provenance::kOfficial;
  y.source = "test decree";
  y.country = "ru";
  y.holidays = {{1, "New Year"}};
  y.days = {
      {D(2030, 1, 1), DayType::kDayOff, 1, std::nullopt, "holiday basis"},
      {D(2030, 1, 14), DayType::kDayOff, 0, D(2030, 1, 5), ""},
      {D(2030, 1, 12), DayType::kWorkingWeekend, 0, std::nullopt, ""},
      {D(2030, 1, 21), DayType::kShortened, 0, std::nullopt, ""},
      {D(2030, 1, 23), DayType::kDayOff, 0, std::nullopt, ""},
  };
  return y;
}

TEST(ProductionCalendarTest, AYearWithoutDataIsTheProvisionalArt112Year) {
  const ProductionCalendar cal;
  EXPECT_THAT(cal.YearsWithData(), ElementsAre());
  EXPECT_EQ(cal.Year(2031), ProvisionalYear(2031));
  EXPECT_EQ(cal.SourceOf(2031), ProvisionalYear(2031).source);
  EXPECT_EQ(cal.ProvenanceOf(2031), Provenance::kProvisional);
  // Every day's kind agrees with the records of the computed year.
  for (const DayRecord& r : ProvisionalYear(2031).days) {
    EXPECT_EQ(cal.IsWorkingDay(r.day), r.type != DayType::kDayOff) << r.day;
  }
}

TEST(ProductionCalendarTest, KindsOfTheRecordedDays) {
  ProductionCalendar cal;
  ASSERT_OK(cal.SetYear(Sample2030()));
  EXPECT_TRUE(cal.IsOfficial(2030));
  EXPECT_EQ(cal.SourceOf(2030), "test decree");
  EXPECT_THAT(cal.YearsWithData(), ElementsAre(2030));
  EXPECT_EQ(cal.KindOf(D(2030, 1, 1)), DayKind::kHoliday);
  EXPECT_EQ(cal.KindOf(D(2030, 1, 2)), DayKind::kWorkingDay);  // no data: not a holiday here
  EXPECT_EQ(cal.KindOf(D(2030, 1, 5)), DayKind::kWeekend);
  EXPECT_EQ(cal.KindOf(D(2030, 1, 12)), DayKind::kWorkingWeekendDay);
  EXPECT_EQ(cal.KindOf(D(2030, 1, 14)), DayKind::kMovedDayOff);
  EXPECT_EQ(cal.KindOf(D(2030, 1, 21)), DayKind::kShortenedDay);
  EXPECT_EQ(cal.KindOf(D(2030, 1, 23)), DayKind::kNonWorkingDay);
  EXPECT_TRUE(cal.IsWorkingDay(D(2030, 1, 12)));
  EXPECT_TRUE(cal.IsWorkingDay(D(2030, 1, 21)));
  EXPECT_TRUE(cal.IsShortened(D(2030, 1, 21)));
  EXPECT_FALSE(cal.IsShortened(D(2030, 1, 22)));

  const DayInfo holiday = cal.Describe(D(2030, 1, 1));
  EXPECT_EQ(holiday.holiday, "New Year");
  EXPECT_EQ(holiday.basis, "holiday basis");
  EXPECT_EQ(holiday.provenance, Provenance::kOfficial);
  const DayInfo moved = cal.Describe(D(2030, 1, 14));
  EXPECT_THAT(moved.moved_from, Optional(D(2030, 1, 5)));
  EXPECT_EQ(moved.basis, "test decree");
  EXPECT_EQ(cal.Describe(D(2030, 1, 15)).kind, DayKind::kWorkingDay);

  // January 2030: 23 weekdays - Jan 1, 14, 23 + Saturday Jan 12 = 21.
  EXPECT_EQ(cal.WorkingDaysInMonth(absl::CivilMonth(2030, 1)), 21);
}

TEST(ProductionCalendarTest, SetYearReplacesAndClearYearForgets) {
  ProductionCalendar cal;
  ASSERT_OK(cal.SetYear(Sample2030()));
  YearData other = Sample2030();
  other.source = "a later decree";
  other.days.resize(1);
  ASSERT_OK(cal.SetYear(other));
  EXPECT_EQ(cal.SourceOf(2030), "a later decree");
  EXPECT_EQ(cal.KindOf(D(2030, 1, 14)), DayKind::kWorkingDay);
  EXPECT_TRUE(cal.ClearYear(2030));
  EXPECT_FALSE(cal.ClearYear(2030));
  EXPECT_EQ(cal.ProvenanceOf(2030), Provenance::kProvisional);
  EXPECT_EQ(cal.KindOf(D(2030, 1, 2)), DayKind::kHoliday);  // art. 112 again
}

TEST(ProductionCalendarTest, SetYearStoresDaysSorted) {
  ProductionCalendar cal;
  YearData y = Sample2030();
  std::swap(y.days.front(), y.days.back());
  ASSERT_OK(cal.SetYear(y));
  const YearData stored = cal.Year(2030);
  for (size_t i = 1; i < stored.days.size(); ++i) {
    EXPECT_LT(stored.days[i - 1].day, stored.days[i].day);
  }
}

TEST(ProductionCalendarTest, InvalidDataIsRefusedAndChangesNothing) {
  ProductionCalendar cal;
  ASSERT_OK(cal.SetYear(Sample2030()));
  const YearData before = cal.Year(2030);

  auto refused = [&](YearData y, absl::string_view why) {
    EXPECT_THAT(cal.SetYear(std::move(y)),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(std::string(why))));
    EXPECT_EQ(cal.Year(2030), before);
  };
  YearData y = Sample2030();
  y.days.push_back({D(2030, 1, 1), DayType::kShortened, 0, std::nullopt, ""});
  refused(y, "day 2030-01-01: listed twice");

  y = Sample2030();
  y.days.push_back({D(2031, 1, 1), DayType::kDayOff, 0, std::nullopt, ""});
  refused(y, "day 2031-01-01: not in 2030");

  y = Sample2030();
  y.days.push_back({D(2030, 1, 15), DayType::kWorkingWeekend, 0, std::nullopt, ""});
  refused(y, "day 2030-01-15: a working weekend day on a Tuesday");

  y = Sample2030();
  y.days.push_back({D(2030, 1, 16), DayType::kShortened, 0, D(2030, 1, 6), ""});
  refused(y, "only a day off can be moved");

  y = Sample2030();
  y.days.push_back({D(2030, 1, 16), DayType::kDayOff, 0, D(2029, 12, 29), ""});
  refused(y, "moved from 2029-12-29, not in 2030");

  y = Sample2030();
  y.days.push_back({D(2030, 1, 16), DayType::kDayOff, 0, D(2030, 1, 16), ""});
  refused(y, "moved from itself");

  y = Sample2030();
  y.days.push_back({D(2030, 1, 16), DayType::kDayOff, 7, std::nullopt, ""});
  refused(y, "holiday id 7 is not among the year's holidays");

  y = Sample2030();
  y.holidays.push_back({1, "again"});
  refused(y, "holiday id 1 named twice");

  y = Sample2030();
  y.days.push_back({D(2030, 1, 16), static_cast<DayType>(4), 0, std::nullopt, ""});
  refused(y, "day type 4 is not 1, 2 or 3");
}

TEST(ProductionCalendarTest, ACalendarWithACountryRefusesAnotherCountrysData) {
  YearData y = Sample2030();
  y.country = "by";
  ProductionCalendar any;  // no country: takes any
  EXPECT_OK(any.SetYear(y));
  ASSERT_OK_AND_ASSIGN(ProductionCalendar ru, ProductionCalendar::Create(kSaturdaySunday, "ru"));
  EXPECT_THAT(ru.SetYear(y), StatusIs(absl::StatusCode::kInvalidArgument,
                                      HasSubstr("country \"by\" is not this calendar's \"ru\"")));
  EXPECT_THAT(ru.YearsWithData(), ElementsAre());
}

TEST(ProductionCalendarTest, AWeekendOfEveryDayIsRefused) {
  EXPECT_THAT(ProductionCalendar::Create({true, true, true, true, true, true, true}),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("weekend")));
}

TEST(ProductionCalendarTest, CustomWeekend) {
  // Friday and Saturday off: Sunday Jan 6, 2030 works, Friday Jan 11 does not.
  ASSERT_OK_AND_ASSIGN(ProductionCalendar cal,
                       ProductionCalendar::Create({false, false, false, false, true, true, false}));
  EXPECT_EQ(FormatWeekend(cal.weekend()), "Friday, Saturday");
  EXPECT_TRUE(cal.IsWorkingDay(D(2030, 2, 3)));   // a Sunday
  EXPECT_FALSE(cal.IsWorkingDay(D(2030, 2, 1)));  // a Friday
  // A working weekend day must be one of this calendar's weekly days off.
  YearData y;
  y.year = 2030;
  y.days = {{D(2030, 2, 3), DayType::kWorkingWeekend, 0, std::nullopt, ""}};
  EXPECT_THAT(cal.SetYear(y), StatusIs(absl::StatusCode::kInvalidArgument,
                                       HasSubstr("(the weekend is Friday, Saturday)")));
  y.days = {{D(2030, 2, 1), DayType::kWorkingWeekend, 0, std::nullopt, ""}};
  ASSERT_OK(cal.SetYear(y));
  EXPECT_EQ(cal.KindOf(D(2030, 2, 1)), DayKind::kWorkingWeekendDay);
}

TEST(ProductionCalendarTest, Periods) {
  EXPECT_EQ(Period::Month(absl::CivilMonth(2028, 2)).last, D(2028, 2, 29));
  EXPECT_EQ(Period::Quarter(2026, 4).first, D(2026, 10, 1));
  EXPECT_EQ(Period::Quarter(2026, 4).last, D(2026, 12, 31));
  EXPECT_EQ(Period::Quarter(2026, 5).first, D(2027, 1, 1));
  EXPECT_EQ(Period::Year(2026).last, D(2026, 12, 31));
}

TEST(ProductionCalendarTest, CountsAndNthAcrossYears) {
  const ProductionCalendar cal;
  // Provisional years, a period across New Year.
  const Period p = Period::Days(D(2031, 12, 29), D(2032, 1, 12));
  // 2031-12-29 Mon, 30 Tue, 31 Wed (shortened) work; Jan 1-8 2032 are
  // holidays; Jan 9 Fri and Jan 12 Mon work.
  EXPECT_EQ(cal.WorkingDaysIn(p), 5);
  EXPECT_THAT(cal.NthWorkingDay(p, 4), Optional(D(2032, 1, 9)));
  EXPECT_THAT(cal.NthLastWorkingDay(p, 2), Optional(D(2032, 1, 9)));
  EXPECT_THAT(cal.NthLastWorkingDay(p, 3), Optional(D(2031, 12, 31)));
  EXPECT_EQ(cal.NthWorkingDay(p, 6), std::nullopt);
  EXPECT_EQ(cal.NthLastWorkingDay(p, 6), std::nullopt);
  EXPECT_EQ(cal.NthWorkingDay(p, 0), std::nullopt);
  EXPECT_EQ(cal.NthLastWorkingDay(p, -1), std::nullopt);
  EXPECT_EQ(cal.WorkingDaysIn(Period::Days(D(2032, 1, 12), D(2032, 1, 11))), 0);
  EXPECT_EQ(cal.NthWorkingDay(Period::Days(D(2032, 1, 12), D(2032, 1, 11)), 1), std::nullopt);
  // NextOrSame / PreviousOrSame of WorkingDays.
  EXPECT_EQ(cal.NextOrSame(D(2032, 1, 1)), D(2032, 1, 9));
  EXPECT_EQ(cal.PreviousOrSame(D(2032, 1, 8)), D(2031, 12, 31));
}

// A year without data is answered three ways: KindOf searches the provisional
// days, the counts fill a table from them, and Year() gives the records a
// calendar would store. All three agree, for several weekends and years.
TEST(ProductionCalendarTest, ProvisionalKindsAgreeWithStoringTheProvisionalYear) {
  for (const Weekend& weekend :
       {kSaturdaySunday, kSundayOnly, Weekend{false, false, false, false, true, true, false}}) {
    ASSERT_OK_AND_ASSIGN(const ProductionCalendar computed, ProductionCalendar::Create(weekend));
    ASSERT_OK_AND_ASSIGN(ProductionCalendar stored, ProductionCalendar::Create(weekend));
    for (int year = 2024; year <= 2035; ++year) {
      ASSERT_OK(stored.SetYear(computed.Year(year)));
      for (absl::CivilDay d = D(year, 1, 1); d <= D(year, 12, 31); ++d) {
        ASSERT_EQ(computed.KindOf(d), stored.KindOf(d)) << d << " " << FormatWeekend(weekend);
        ASSERT_EQ(computed.WorkingDaysIn(Period::Days(d, d)), computed.IsWorkingDay(d) ? 1 : 0)
            << d << " " << FormatWeekend(weekend);
      }
    }
  }
}

}  // namespace
}  // namespace rampart::calendar
