// Windows of freeze rules as exact UTC instants, in real zones (Europe/Moscow
// UTC+3, Asia/Novosibirsk UTC+7, Asia/Vladivostok UTC+10, and Europe/Berlin
// for clock changes), against a test calendar with Russia's 2026 days off;
// and FrozenAt, also driven by a simulated clock.
#include "core/freeze/windows.h"

#include <array>
#include <initializer_list>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "core/freeze/testing/holiday_calendar.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/simulated_clock.h"
#include "tests/testing/status_matchers.h"

namespace rampart::freeze {
namespace {

using ::rampart::freeze::testing::HolidayCalendar;
using ::rampart::freeze::testing::Russia2026;
using ::rampart::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

absl::Time T(const char* rfc3339) {
  absl::Time t;
  std::string err;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &err)) << rfc3339 << ": " << err;
  return t;
}

std::vector<absl::CivilDay> Days(std::initializer_list<std::array<int, 3>> days) {
  std::vector<absl::CivilDay> out;
  for (const auto& [y, m, d] : days) out.emplace_back(y, m, d);
  return out;
}

// "[2026-02-27T12:00:00Z, 2026-03-02T21:00:00Z) 2026-03-02": easy to read
// in a failure.
std::string Describe(const Window& w) {
  std::string s =
      absl::StrCat("[", absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", w.start, absl::UTCTimeZone()), ", ",
                   absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", w.end, absl::UTCTimeZone()), ")");
  for (const absl::CivilDay& d : w.days) absl::StrAppend(&s, " ", absl::FormatCivilTime(d));
  return s;
}

std::vector<std::string> Describe(const std::vector<Window>& ws) {
  std::vector<std::string> out;
  for (const Window& w : ws) out.push_back(Describe(w));
  return out;
}

std::vector<std::string> Expand(const FreezeRule& rule, const calendar::WorkingDays& calendar,
                                const char* from, const char* to) {
  absl::StatusOr<std::vector<Window>> ws = Windows(rule, calendar, T(from), T(to));
  EXPECT_TRUE(ws.ok()) << ws.status();
  if (!ws.ok()) return {};
  for (const Window& w : *ws) EXPECT_EQ(w.rule, rule.name);
  return Describe(*ws);
}

FreezeRule Monthly(absl::string_view zone, int day, Roll roll, DayWindow window = {}) {
  return FreezeRule{.name = "monthly",
                    .zone = std::string(zone),
                    .kind = MonthlyDay{.day = day, .roll = roll, .window = window}};
}

constexpr DayWindow kFrom15PreviousWorkingDay{.days_before = 1, .start = {15, 0}};

TEST(HolidayCalendarTest, Russia2026HasTheOfficialCounts) {
  const HolidayCalendar cal = Russia2026();
  int quarter[4] = {};
  for (absl::CivilDay d(2026, 1, 1); d <= absl::CivilDay(2026, 12, 31); ++d) {
    if (cal.IsWorkingDay(d)) ++quarter[(d.month() - 1) / 3];
  }
  EXPECT_EQ(quarter[0], 55);
  EXPECT_EQ(quarter[1], 62);
  EXPECT_EQ(quarter[2], 66);
  EXPECT_EQ(quarter[3], 64);
  EXPECT_EQ(quarter[0] + quarter[1] + quarter[2] + quarter[3], 247);
}

// "The 28th" of February 2026 is a Saturday: the deadline moves to Monday
// March 2, and the freeze runs from 15:00 on the working day before it
// (Friday February 27) to the end of March 2, local time in each zone.
TEST(WindowsTest, The28thRolledIntoMarchInThreeZones) {
  const HolidayCalendar cal = Russia2026();
  struct Case {
    const char* zone;
    const char* start;
    const char* end;
  };
  for (const Case& c : {Case{"Europe/Moscow", "2026-02-27T12:00:00Z", "2026-03-02T21:00:00Z"},
                        Case{"Asia/Novosibirsk", "2026-02-27T08:00:00Z", "2026-03-02T17:00:00Z"},
                        Case{"Asia/Vladivostok", "2026-02-27T05:00:00Z", "2026-03-02T14:00:00Z"}}) {
    SCOPED_TRACE(c.zone);
    const FreezeRule rule = Monthly(c.zone, 28, Roll::kNext, kFrom15PreviousWorkingDay);
    EXPECT_THAT(Expand(rule, cal, "2026-02-01T00:00:00Z", "2026-03-20T00:00:00Z"),
                ElementsAre(absl::StrCat("[", c.start, ", ", c.end, ") 2026-03-02")));
    // Not rolled, the window is around Saturday itself, from Friday 15:00.
    const FreezeRule stays = Monthly(c.zone, 28, Roll::kNone, kFrom15PreviousWorkingDay);
    ASSERT_OK_AND_ASSIGN(std::vector<Window> ws,
                         Windows(stays, cal, T("2026-02-01T00:00:00Z"), T("2026-03-20T00:00:00Z")));
    ASSERT_EQ(ws.size(), 1u);
    EXPECT_EQ(ws[0].start, T(c.start));
    EXPECT_EQ(ws[0].end, T(c.end) - absl::Hours(48));
    EXPECT_EQ(ws[0].days, Days({{2026, 2, 28}}));
  }
}

TEST(WindowsTest, RolledAcrossTheYearBoundary) {
  const HolidayCalendar cal = Russia2026();
  // Day 31 of December 2026 is a holiday, and so are Jan 1-11 2027: rolled
  // forward to Tuesday Jan 12, its window opens on Wednesday Dec 30 (the
  // working day before Jan 12) at 15:00.
  EXPECT_THAT(Expand(Monthly("Europe/Moscow", 31, Roll::kNext, kFrom15PreviousWorkingDay), cal,
                     "2026-12-15T00:00:00Z", "2027-01-20T00:00:00Z"),
              ElementsAre("[2026-12-30T12:00:00Z, 2027-01-12T21:00:00Z) 2027-01-12"));
  // Day 1 of January 2027 rolled back: Dec 30, the whole day in Vladivostok.
  EXPECT_THAT(Expand(Monthly("Asia/Vladivostok", 1, Roll::kPrevious), cal, "2026-12-20T00:00:00Z",
                     "2027-01-05T00:00:00Z"),
              ElementsAre("[2026-12-29T14:00:00Z, 2026-12-30T14:00:00Z) 2026-12-30"));
  // Day 1 of March 2026 (a Sunday) rolled back into February.
  EXPECT_THAT(Expand(Monthly("Asia/Novosibirsk", 1, Roll::kPrevious), cal, "2026-02-20T00:00:00Z",
                     "2026-03-05T00:00:00Z"),
              ElementsAre("[2026-02-26T17:00:00Z, 2026-02-27T17:00:00Z) 2026-02-27"));
}

// A month without the rule's day uses its last day, then rolls.
TEST(WindowsTest, DayMissingFromTheMonthIsItsLastDay) {
  const calendar::WeekendsOnly weekends;
  // Day 31: April 30 2026 (a Thursday).
  EXPECT_THAT(Expand(Monthly("UTC", 31, Roll::kNone), weekends, "2026-04-10T00:00:00Z",
                     "2026-05-10T00:00:00Z"),
              ElementsAre("[2026-04-30T00:00:00Z, 2026-05-01T00:00:00Z) 2026-04-30"));
  // Day 30 in February 2026: Saturday the 28th, rolled to Monday March 2;
  // then March's own 30th.
  EXPECT_THAT(Expand(Monthly("Europe/Moscow", 30, Roll::kNext), weekends, "2026-02-10T00:00:00Z",
                     "2026-04-01T00:00:00Z"),
              ElementsAre("[2026-03-01T21:00:00Z, 2026-03-02T21:00:00Z) 2026-03-02",
                          "[2026-03-29T21:00:00Z, 2026-03-30T21:00:00Z) 2026-03-30"));
  // Day 31 in February 2028, a leap year: Tuesday the 29th.
  EXPECT_THAT(Expand(Monthly("UTC", 31, Roll::kNext), weekends, "2028-02-10T00:00:00Z",
                     "2028-03-10T00:00:00Z"),
              ElementsAre("[2028-02-29T00:00:00Z, 2028-03-01T00:00:00Z) 2028-02-29"));
}

TEST(WindowsTest, ExceptMonthsSkipTheMonthOfTheDayBeforeRolling) {
  const HolidayCalendar cal = Russia2026();
  FreezeRule third = Monthly("Europe/Moscow", 3, Roll::kNext, kFrom15PreviousWorkingDay);
  // Without exceptions, January 3 2027 rolls to January 12.
  EXPECT_THAT(Expand(third, cal, "2027-01-01T00:00:00Z", "2027-02-10T00:00:00Z"),
              ElementsAre("[2026-12-30T12:00:00Z, 2027-01-12T21:00:00Z) 2027-01-12",
                          "[2027-02-02T12:00:00Z, 2027-02-03T21:00:00Z) 2027-02-03"));
  std::get<MonthlyDay>(third.kind).except_months = {1};
  EXPECT_THAT(Expand(third, cal, "2027-01-01T00:00:00Z", "2027-02-10T00:00:00Z"),
              ElementsAre("[2027-02-02T12:00:00Z, 2027-02-03T21:00:00Z) 2027-02-03"));
  // And December's 3rd is still there.
  EXPECT_THAT(Expand(third, cal, "2026-12-01T00:00:00Z", "2026-12-10T00:00:00Z"),
              ElementsAre("[2026-12-02T12:00:00Z, 2026-12-03T21:00:00Z) 2026-12-03"));
}

TEST(WindowsTest, NthWorkingDay) {
  const HolidayCalendar cal = Russia2026();
  FreezeRule rule{
      .name = "year-end",
      .zone = "Europe/Moscow",
      .kind = NthWorkingDay{
          .n = 1, .from_last = true, .period = Period::kYear, .window = kFrom15PreviousWorkingDay}};
  // The last working day of 2026 is Wednesday Dec 30 (Dec 31 is off).
  EXPECT_THAT(Expand(rule, cal, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"),
              ElementsAre("[2026-12-29T12:00:00Z, 2026-12-30T21:00:00Z) 2026-12-30"));

  auto days = [&cal](NthWorkingDay k, const char* from, const char* to) {
    k.window = {};
    FreezeRule r{.name = "nth", .zone = "UTC", .kind = k};
    std::vector<absl::CivilDay> out;
    absl::StatusOr<std::vector<Window>> ws = Windows(r, cal, T(from), T(to));
    EXPECT_TRUE(ws.ok()) << ws.status();
    for (const Window& w : *ws) out.insert(out.end(), w.days.begin(), w.days.end());
    return out;
  };
  // The first working day of January 2027 comes after the holidays.
  EXPECT_EQ(days({.n = 1}, "2027-01-01T00:00:00Z", "2027-01-31T00:00:00Z"), Days({{2027, 1, 12}}));
  // The second from last of November 2026: Friday the 27th (the 30th is the last).
  EXPECT_EQ(days({.n = 2, .from_last = true}, "2026-11-01T00:00:00Z", "2026-12-01T00:00:00Z"),
            Days({{2026, 11, 27}}));
  // The third of each quarter of 2026.
  EXPECT_EQ(
      days({.n = 3, .period = Period::kQuarter}, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"),
      Days({{2026, 1, 14}, {2026, 4, 3}, {2026, 7, 3}, {2026, 10, 5}}));
  // The 22nd working day exists only in the months that have 22 or more.
  EXPECT_EQ(days({.n = 22}, "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z"),
            Days({{2026, 4, 30}, {2026, 7, 30}, {2026, 9, 30}, {2026, 10, 30}, {2026, 12, 30}}));
}

// Saturday 18:00-24:00 in Vladivostok (UTC+10) is 08:00-14:00 UTC. A window
// overlapping the range is returned whole.
TEST(WindowsTest, WeeklyInVladivostok) {
  const FreezeRule rule{.name = "weekend-evening",
                        .zone = "Asia/Vladivostok",
                        .kind = Weekly{.weekday = absl::Weekday::saturday, .start = {18, 0}}};
  EXPECT_THAT(Expand(rule, Russia2026(), "2026-11-28T14:00:00Z", "2026-12-12T10:00:00Z"),
              ElementsAre("[2026-12-05T08:00:00Z, 2026-12-05T14:00:00Z) 2026-12-05",
                          "[2026-12-12T08:00:00Z, 2026-12-12T14:00:00Z) 2026-12-12"));
}

TEST(WindowsTest, WeeklyAcrossDays) {
  // Friday 18:00 to Monday 08:00 in Moscow; calendar days, holidays or not.
  const FreezeRule rule{
      .name = "weekend",
      .zone = "Europe/Moscow",
      .kind = Weekly{
          .weekday = absl::Weekday::friday, .start = {18, 0}, .end = {8, 0}, .end_days_after = 3}};
  EXPECT_THAT(Expand(rule, Russia2026(), "2026-11-03T00:00:00Z", "2026-11-10T00:00:00Z"),
              ElementsAre("[2026-11-06T15:00:00Z, 2026-11-09T05:00:00Z) 2026-11-06"));
}

// A tender closing 2026-12-15 09:00+07:00 (Asia/Novosibirsk), frozen from
// 24 h before to 6 h after.
TEST(WindowsTest, OneOffInstantWithMargins) {
  const FreezeRule rule{.name = "tender",
                        .zone = "Asia/Novosibirsk",
                        .kind = OneOff{.at = T("2026-12-15T09:00:00+07:00"),
                                       .margin_before = absl::Hours(24),
                                       .margin_after = absl::Hours(6)},
                        .accounts = {"acme"}};
  EXPECT_THAT(Expand(rule, Russia2026(), "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z"),
              ElementsAre("[2026-12-14T02:00:00Z, 2026-12-15T08:00:00Z) 2026-12-15"));
  // [from, to) must overlap it: touching is not overlapping.
  EXPECT_THAT(Expand(rule, Russia2026(), "2026-12-15T08:00:00Z", "2026-12-20T00:00:00Z"),
              IsEmpty());
  EXPECT_THAT(Expand(rule, Russia2026(), "2026-12-01T00:00:00Z", "2026-12-14T02:00:00Z"),
              IsEmpty());
  EXPECT_THAT(Expand(rule, Russia2026(), "2026-12-15T07:59:59Z", "2026-12-20T00:00:00Z"),
              ElementsAre("[2026-12-14T02:00:00Z, 2026-12-15T08:00:00Z) 2026-12-15"));
}

TEST(WindowsTest, OneOffLocalRange) {
  // December 10 to 12 inclusive, Moscow.
  const FreezeRule rule{.name = "inventory",
                        .zone = "Europe/Moscow",
                        .kind = OneOff{.start = absl::CivilSecond(2026, 12, 10),
                                       .end = absl::CivilSecond(2026, 12, 13)}};
  EXPECT_THAT(Expand(rule, Russia2026(), "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z"),
              ElementsAre("[2026-12-09T21:00:00Z, 2026-12-12T21:00:00Z) 2026-12-10"));
}

TEST(WindowsTest, ExceptionsSkipTheDayBeforeOrAfterRolling) {
  const HolidayCalendar cal = Russia2026();
  FreezeRule rule = Monthly("Europe/Moscow", 28, Roll::kNext);
  const char* from = "2026-02-01T00:00:00Z";
  const char* to = "2026-04-01T00:00:00Z";
  EXPECT_THAT(Expand(rule, cal, from, to),
              ElementsAre("[2026-03-01T21:00:00Z, 2026-03-02T21:00:00Z) 2026-03-02",
                          "[2026-03-29T21:00:00Z, 2026-03-30T21:00:00Z) 2026-03-30"));
  for (absl::CivilDay skip : {absl::CivilDay(2026, 2, 28), absl::CivilDay(2026, 3, 2)}) {
    rule.exceptions = {absl::CivilDay(2025, 1, 1), skip};
    EXPECT_THAT(Expand(rule, cal, from, to),
                ElementsAre("[2026-03-29T21:00:00Z, 2026-03-30T21:00:00Z) 2026-03-30"))
        << skip;
  }
}

TEST(WindowsTest, ValidityPeriodCountsTheDayAfterRolling) {
  const HolidayCalendar cal = Russia2026();
  FreezeRule rule = Monthly("Europe/Moscow", 28, Roll::kNext);
  rule.valid_from = absl::CivilDay(2026, 3, 1);
  rule.valid_until = absl::CivilDay(2026, 3, 31);
  // February's 28th lands on March 2: in. April's 28th: out.
  EXPECT_THAT(Expand(rule, cal, "2026-01-01T00:00:00Z", "2026-06-01T00:00:00Z"),
              ElementsAre("[2026-03-01T21:00:00Z, 2026-03-02T21:00:00Z) 2026-03-02",
                          "[2026-03-29T21:00:00Z, 2026-03-30T21:00:00Z) 2026-03-30"));
  rule.valid_from = absl::CivilDay(2026, 3, 3);
  rule.valid_until = absl::CivilDay(2026, 3, 29);
  EXPECT_THAT(Expand(rule, cal, "2026-01-01T00:00:00Z", "2026-06-01T00:00:00Z"), IsEmpty());
}

// Windows of one rule that overlap or touch become one, with both days.
TEST(WindowsTest, MergesOverlappingAndTouchingWindowsOfARule) {
  // Nothing works from Feb 2 to Mar 31 2027 but weekends aside: the 1st of
  // February's window runs to 00:00 on the next working day, April 1, where
  // March's 1st (rolled to April 1) and April's own begin.
  const HolidayCalendar cal(
      HolidayCalendar::Range(absl::CivilDay(2027, 2, 2), absl::CivilDay(2027, 3, 31)));
  const FreezeRule rule = Monthly("UTC", 1, Roll::kNext, DayWindow{.days_after = 1, .end = {0, 0}});
  EXPECT_THAT(Expand(rule, cal, "2027-03-01T00:00:00Z", "2027-03-02T00:00:00Z"),
              ElementsAre("[2027-02-01T00:00:00Z, 2027-04-02T00:00:00Z) 2027-02-01 2027-04-01"));
  EXPECT_THAT(Expand(rule, cal, "2027-01-01T00:00:00Z", "2027-05-10T00:00:00Z"),
              ElementsAre("[2027-01-01T00:00:00Z, 2027-01-04T00:00:00Z) 2027-01-01",
                          "[2027-02-01T00:00:00Z, 2027-04-02T00:00:00Z) 2027-02-01 2027-04-01",
                          "[2027-05-03T00:00:00Z, 2027-05-04T00:00:00Z) 2027-05-03"));
}

// Europe/Berlin changes its clocks: 02:00 -> 03:00 on 2026-03-29, 03:00 ->
// 02:00 on 2026-10-25. A window holds every instant whose local time is in
// it, no more.
TEST(WindowsTest, ClockChanges) {
  const calendar::WeekendsOnly weekends;
  auto sunday = [&](TimeOfDay start, TimeOfDay end, const char* from, const char* to) {
    const FreezeRule rule{
        .name = "sunday",
        .zone = "Europe/Berlin",
        .kind = Weekly{.weekday = absl::Weekday::sunday, .start = start, .end = end}};
    return Expand(rule, weekends, from, to);
  };
  // 02:30 does not exist on March 29: the window starts at the change
  // (01:00 UTC); the day ends at 22:00 UTC (00:00 CEST).
  EXPECT_THAT(
      sunday({2, 30}, TimeOfDay::EndOfDay(), "2026-03-28T12:00:00Z", "2026-03-30T00:00:00Z"),
      ElementsAre("[2026-03-29T01:00:00Z, 2026-03-29T22:00:00Z) 2026-03-29"));
  // The whole of October 25 lasts 25 hours.
  EXPECT_THAT(sunday({0, 0}, TimeOfDay::EndOfDay(), "2026-10-24T12:00:00Z", "2026-10-26T00:00:00Z"),
              ElementsAre("[2026-10-24T22:00:00Z, 2026-10-25T23:00:00Z) 2026-10-25"));
  // 02:30 happens twice on October 25: a window ending then ends at the
  // second (01:30 UTC), one starting then starts at the first (00:30 UTC).
  EXPECT_THAT(sunday({0, 0}, {2, 30}, "2026-10-24T12:00:00Z", "2026-10-26T00:00:00Z"),
              ElementsAre("[2026-10-24T22:00:00Z, 2026-10-25T01:30:00Z) 2026-10-25"));
  EXPECT_THAT(sunday({2, 30}, {3, 0}, "2026-10-24T12:00:00Z", "2026-10-26T00:00:00Z"),
              ElementsAre("[2026-10-25T00:30:00Z, 2026-10-25T02:00:00Z) 2026-10-25"));
}

TEST(WindowsTest, Errors) {
  const calendar::WeekendsOnly weekends;
  FreezeRule bad = Monthly("Europe/Moskva", 28, Roll::kNext);
  EXPECT_THAT(Windows(bad, weekends, T("2026-01-01T00:00:00Z"), T("2027-01-01T00:00:00Z")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("zone: unknown time zone")));
  const FreezeRule good = Monthly("Europe/Moscow", 28, Roll::kNext);
  EXPECT_THAT(Windows(good, weekends, absl::InfinitePast(), T("2027-01-01T00:00:00Z")),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("from: must be a finite")));
  EXPECT_THAT(Windows(good, weekends, T("2026-01-01T00:00:00Z"), absl::InfiniteFuture()),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("to: must be a finite")));
  // An empty range has no windows.
  EXPECT_THAT(Windows(good, weekends, T("2026-03-01T00:00:00Z"), T("2026-02-01T00:00:00Z")),
              ::rampart::testing::IsOkAndHolds(IsEmpty()));
  // A calendar with no working day at all fails instead of looping.
  const calendar::WeekendsOnly never({true, true, true, true, true, true, true});
  EXPECT_THAT(Windows(good, never, T("2026-01-01T00:00:00Z"), T("2026-02-01T00:00:00Z")),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("calendar: no working day within 370 days after")));
  FreezeRule twice = good;
  EXPECT_THAT(
      WindowsOf({good, twice}, weekends, T("2026-01-01T00:00:00Z"), T("2027-01-01T00:00:00Z")),
      StatusIs(absl::StatusCode::kInvalidArgument,
               HasSubstr("rules[1].name: \"monthly\" is also the name of rules[0]")));
}

TEST(WindowsOfTest, SortsAllRulesWindowsByStart) {
  FreezeRule weekly{.name = "weekend-evening",
                    .zone = "Europe/Moscow",
                    .kind = Weekly{.weekday = absl::Weekday::saturday, .start = {18, 0}}};
  FreezeRule the28th = Monthly("Europe/Moscow", 28, Roll::kNext, kFrom15PreviousWorkingDay);
  ASSERT_OK_AND_ASSIGN(std::vector<Window> ws,
                       WindowsOf({the28th, weekly}, Russia2026(), T("2026-02-26T00:00:00Z"),
                                 T("2026-03-08T00:00:00Z")));
  EXPECT_THAT(Describe(ws), ElementsAre("[2026-02-27T12:00:00Z, 2026-03-02T21:00:00Z) 2026-03-02",
                                        "[2026-02-28T15:00:00Z, 2026-02-28T21:00:00Z) 2026-02-28",
                                        "[2026-03-07T15:00:00Z, 2026-03-07T21:00:00Z) 2026-03-07"));
  EXPECT_EQ(ws[0].rule, "monthly");
  EXPECT_EQ(ws[1].rule, "weekend-evening");
}

class FrozenAtTest : public ::testing::Test {
 protected:
  const HolidayCalendar cal_ = Russia2026();
  const FreezeRule the28th_{
      .name = "tax-28",
      .zone = "Europe/Moscow",
      .kind = MonthlyDay{.day = 28, .roll = Roll::kNext, .window = kFrom15PreviousWorkingDay}};

  FreezeState At(const std::vector<FreezeRule>& rules, absl::Time at,
                 absl::string_view account = "") {
    absl::StatusOr<FreezeState> s = FrozenAt(rules, cal_, at, account);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *s : FreezeState{};
  }
};

// Start inclusive, end exclusive.
TEST_F(FrozenAtTest, Edges) {
  const absl::Time start = T("2026-02-27T12:00:00Z"), end = T("2026-03-02T21:00:00Z");
  FreezeState s = At({the28th_}, start - absl::Nanoseconds(1));
  EXPECT_FALSE(s.frozen);
  EXPECT_THAT(s.by, IsEmpty());
  ASSERT_TRUE(s.next.has_value());
  EXPECT_EQ(Describe(*s.next), "[2026-02-27T12:00:00Z, 2026-03-02T21:00:00Z) 2026-03-02");

  for (absl::Time at : {start, end - absl::Nanoseconds(1)}) {
    s = At({the28th_}, at);
    EXPECT_TRUE(s.frozen);
    EXPECT_EQ(s.since, start);
    EXPECT_EQ(s.until, end);
    ASSERT_EQ(s.by.size(), 1u);
    EXPECT_EQ(s.by[0].rule, "tax-28");
    EXPECT_EQ(s.by[0].days, Days({{2026, 3, 2}}));
    // The next one: March 28 is a Saturday too, rolled to March 30.
    ASSERT_TRUE(s.next.has_value());
    EXPECT_EQ(Describe(*s.next), "[2026-03-27T12:00:00Z, 2026-03-30T21:00:00Z) 2026-03-30");
  }

  s = At({the28th_}, end);
  EXPECT_FALSE(s.frozen);
  ASSERT_TRUE(s.next.has_value());
  EXPECT_EQ(s.next->start, T("2026-03-27T12:00:00Z"));
}

// Windows of different rules that touch or overlap freeze without a break:
// since and until span them all; `by` names the rules whose windows hold the
// instant.
TEST_F(FrozenAtTest, UnionOfRules) {
  const FreezeRule saturday{.name = "saturday-evening",
                            .zone = "Europe/Moscow",
                            .kind = Weekly{.weekday = absl::Weekday::saturday, .start = {18, 0}}};
  const FreezeRule sunday{
      .name = "sunday-night",
      .zone = "Europe/Moscow",
      .kind = Weekly{.weekday = absl::Weekday::sunday, .start = {0, 0}, .end = {6, 0}}};
  const std::vector<FreezeRule> rules = {saturday, sunday};
  // Saturday Dec 5 2026 18:00 MSK to Sunday 06:00 MSK.
  FreezeState s = At(rules, T("2026-12-05T17:00:00Z"));
  EXPECT_TRUE(s.frozen);
  EXPECT_EQ(s.since, T("2026-12-05T15:00:00Z"));
  EXPECT_EQ(s.until, T("2026-12-06T03:00:00Z"));
  ASSERT_EQ(s.by.size(), 1u);
  EXPECT_EQ(s.by[0].rule, "saturday-evening");
  ASSERT_TRUE(s.next.has_value());
  EXPECT_EQ(s.next->start, T("2026-12-12T15:00:00Z"));

  s = At(rules, T("2026-12-05T21:00:00Z"));  // Sunday 00:00 MSK
  EXPECT_TRUE(s.frozen);
  EXPECT_EQ(s.since, T("2026-12-05T15:00:00Z"));
  EXPECT_EQ(s.until, T("2026-12-06T03:00:00Z"));
  ASSERT_EQ(s.by.size(), 1u);
  EXPECT_EQ(s.by[0].rule, "sunday-night");

  // Inside both the 28th's window and a Saturday evening: both named, in the
  // rules' order.
  s = At({the28th_, saturday}, T("2026-02-28T16:00:00Z"));
  EXPECT_TRUE(s.frozen);
  EXPECT_EQ(s.since, T("2026-02-27T12:00:00Z"));
  EXPECT_EQ(s.until, T("2026-03-02T21:00:00Z"));
  ASSERT_EQ(s.by.size(), 2u);
  EXPECT_EQ(s.by[0].rule, "tax-28");
  EXPECT_EQ(s.by[1].rule, "saturday-evening");
}

TEST_F(FrozenAtTest, AccountsOfAOneOffRule) {
  const FreezeRule tender{.name = "tender",
                          .zone = "Asia/Novosibirsk",
                          .kind = OneOff{.at = T("2026-12-15T09:00:00+07:00"),
                                         .margin_before = absl::Hours(24),
                                         .margin_after = absl::Hours(6)},
                          .accounts = {"acme", "globex"}};
  const absl::Time at = T("2026-12-15T00:00:00Z");
  FreezeState s = At({tender}, at, "acme");
  EXPECT_TRUE(s.frozen);
  EXPECT_EQ(s.since, T("2026-12-14T02:00:00Z"));
  EXPECT_EQ(s.until, T("2026-12-15T08:00:00Z"));
  EXPECT_TRUE(At({tender}, at, "globex").frozen);
  EXPECT_FALSE(At({tender}, at, "initech").frozen);
  // The segment as a whole is not frozen by one account's tender.
  EXPECT_FALSE(At({tender}, at).frozen);
  EXPECT_FALSE(At({tender}, at).next.has_value());
}

TEST_F(FrozenAtTest, Errors) {
  FreezeRule bad = the28th_;
  std::get<MonthlyDay>(bad.kind).day = 32;
  EXPECT_THAT(FrozenAt({the28th_, bad}, cal_, T("2026-03-01T00:00:00Z")),
              StatusIs(absl::StatusCode::kInvalidArgument, "rules[1].day: 32 is outside 1..31"));
  EXPECT_THAT(FrozenAt({the28th_}, cal_, absl::InfiniteFuture()),
              StatusIs(absl::StatusCode::kInvalidArgument, "at: must be a finite instant"));
  EXPECT_FALSE(At({}, T("2026-03-01T00:00:00Z")).frozen);
}

// A simulated clock walks from Thursday Feb 26 to Wednesday Mar 4 2026 in
// 5-minute steps, asking FrozenAt at each: the segment freezes at Friday
// 15:00 MSK and thaws at Tuesday 00:00 MSK, once, whatever the Saturday
// evening rule adds inside.
TEST_F(FrozenAtTest, OnASimulatedClock) {
  const FreezeRule saturday{.name = "weekend-evening",
                            .zone = "Europe/Moscow",
                            .kind = Weekly{.weekday = absl::Weekday::saturday, .start = {18, 0}}};
  const std::vector<FreezeRule> rules = {the28th_, saturday};
  rampart::testing::SimulatedClock clock(T("2026-02-26T00:00:00+03:00"));
  std::vector<std::string> changes;
  bool frozen = false;
  while (clock.Now() < T("2026-03-04T00:00:00+03:00")) {
    const FreezeState s = At(rules, clock.Now());
    if (s.frozen != frozen) {
      frozen = s.frozen;
      changes.push_back(absl::StrCat(
          absl::FormatTime("%Y-%m-%d %H:%M", clock.Now(), absl::FixedTimeZone(3 * 3600)),
          frozen ? absl::StrCat(" frozen until ", absl::FormatTime("%Y-%m-%d %H:%M", s.until,
                                                                   absl::FixedTimeZone(3 * 3600)))
                 : " thawed"));
    }
    clock.AdvanceTime(absl::Minutes(5));
  }
  EXPECT_THAT(changes, ElementsAre("2026-02-27 15:00 frozen until 2026-03-03 00:00",
                                   "2026-03-03 00:00 thawed"));
}

}  // namespace
}  // namespace rampart::freeze
