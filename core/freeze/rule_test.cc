// Validation of freeze rules: every error names its field and the problem
// (domain promise 6).
#include "core/freeze/rule.h"

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace rampart::freeze {
namespace {

using ::rampart::testing::StatusIs;
using ::testing::Eq;

FreezeRule Monthly() {
  return FreezeRule{
      .name = "tax-28",
      .zone = "Europe/Moscow",
      .kind = MonthlyDay{
          .day = 28, .roll = Roll::kNext, .window = {.days_before = 1, .start = {15, 0}}}};
}
FreezeRule Nth() {
  return FreezeRule{.name = "year-end",
                    .zone = "Europe/Moscow",
                    .kind = NthWorkingDay{.n = 1, .from_last = true, .period = Period::kYear}};
}
FreezeRule WeeklyRule() {
  return FreezeRule{.name = "weekend-evening",
                    .zone = "Asia/Vladivostok",
                    .kind = Weekly{.weekday = absl::Weekday::saturday, .start = {18, 0}}};
}
FreezeRule Tender() {
  absl::Time at;
  std::string err;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, "2026-12-15T09:00:00+07:00", &at, &err));
  return FreezeRule{
      .name = "tender",
      .zone = "Asia/Novosibirsk",
      .kind = OneOff{.at = at, .margin_before = absl::Hours(24), .margin_after = absl::Hours(6)},
      .accounts = {"acme", "globex"}};
}
FreezeRule Range() {
  return FreezeRule{.name = "inventory",
                    .zone = "Europe/Moscow",
                    .kind = OneOff{.start = absl::CivilSecond(2026, 12, 10),
                                   .end = absl::CivilSecond(2026, 12, 13)}};
}

template <typename K>
K& Kind(FreezeRule& rule) {
  return std::get<K>(rule.kind);
}

absl::Status With(FreezeRule rule, const std::function<void(FreezeRule&)>& change) {
  change(rule);
  return Validate(rule);
}

void ExpectError(const absl::Status& s, const std::string& message) {
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument, Eq(message)));
}

TEST(ValidateTest, ValidRulesPass) {
  for (const FreezeRule& rule : {Monthly(), Nth(), WeeklyRule(), Tender(), Range()}) {
    EXPECT_OK(Validate(rule)) << rule.name;
  }
  EXPECT_OK(ValidateRules({Monthly(), Nth(), WeeklyRule(), Tender(), Range()}));
  // The edges of each range.
  EXPECT_OK(With(Monthly(), [](FreezeRule& r) { Kind<MonthlyDay>(r).day = 31; }));
  EXPECT_OK(With(Monthly(), [](FreezeRule& r) { Kind<MonthlyDay>(r).day = 1; }));
  EXPECT_OK(With(Monthly(), [](FreezeRule& r) {
    Kind<MonthlyDay>(r).window = {
        .days_before = 5, .start = {0, 0}, .days_after = 5, .end = {0, 0}};
  }));
  EXPECT_OK(With(Nth(), [](FreezeRule& r) { Kind<NthWorkingDay>(r).n = 262; }));
  EXPECT_OK(With(Nth(), [](FreezeRule& r) {
    Kind<NthWorkingDay>(r).window = {.days_before = 10, .days_after = 10};
  }));
  EXPECT_OK(With(WeeklyRule(), [](FreezeRule& r) {
    Kind<Weekly>(r) = Weekly{absl::Weekday::friday, {18, 0}, {17, 59}, 7};  // a week less 1 min
  }));
  EXPECT_OK(With(Monthly(), [](FreezeRule& r) {
    r.valid_from = absl::CivilDay(2026, 1, 1);
    r.valid_until = absl::CivilDay(2026, 1, 1);
    r.exceptions = {absl::CivilDay(2026, 2, 28)};
  }));
}

TEST(ValidateTest, NameAndZone) {
  ExpectError(With(Monthly(), [](FreezeRule& r) { r.name = ""; }), "name: required");
  EXPECT_THAT(With(Monthly(), [](FreezeRule& r) { r.name = "tax 28"; }),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::StartsWith("name \"tax 28\": character ' '")));
  ExpectError(With(Monthly(), [](FreezeRule& r) { r.zone = ""; }),
              "zone: required (an IANA name such as Europe/Moscow)");
  ExpectError(With(Monthly(), [](FreezeRule& r) { r.zone = "Europe/Moskva"; }),
              "zone: unknown time zone \"Europe/Moskva\" (use an IANA name such as "
              "Europe/Moscow)");
  ExpectError(With(Monthly(), [](FreezeRule& r) { r.zone = "+03:00"; }),
              "zone: unknown time zone \"+03:00\" (use an IANA name such as Europe/Moscow)");
  ExpectError(With(Monthly(), [](FreezeRule& r) { r.zone = "localtime"; }),
              "zone: \"localtime\" is not an IANA zone name (use one such as Europe/Moscow, "
              "never a fixed offset)");
  ExpectError(With(Monthly(), [](FreezeRule& r) { r.zone = "Fixed/UTC+03:00:00"; }),
              "zone: \"Fixed/UTC+03:00:00\" is not an IANA zone name (use one such as "
              "Europe/Moscow, never a fixed offset)");
}

TEST(ValidateTest, MonthlyDay) {
  ExpectError(With(Monthly(), [](FreezeRule& r) { Kind<MonthlyDay>(r).day = 32; }),
              "day: 32 is outside 1..31");
  ExpectError(With(Monthly(), [](FreezeRule& r) { Kind<MonthlyDay>(r).day = 0; }),
              "day: 0 is outside 1..31");
  ExpectError(With(Monthly(), [](FreezeRule& r) { Kind<MonthlyDay>(r).roll = Roll{7}; }),
              "roll: unknown value 7");
  ExpectError(With(Monthly(),
                   [](FreezeRule& r) {
                     Kind<MonthlyDay>(r).except_months = {1, 13};
                   }),
              "except_months[1]: 13 is outside 1..12");
  ExpectError(With(Monthly(),
                   [](FreezeRule& r) {
                     Kind<MonthlyDay>(r).except_months = {1, 5, 1};
                   }),
              "except_months[2]: 1 is listed twice");
  ExpectError(With(Monthly(),
                   [](FreezeRule& r) {
                     Kind<MonthlyDay>(r).except_months = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
                   }),
              "except_months: every month is excluded, so the rule never applies");
  // A default-constructed rule is a monthly rule with no day.
  ExpectError(Validate(FreezeRule{.name = "x", .zone = "UTC"}), "day: 0 is outside 1..31");
}

TEST(ValidateTest, DayWindow) {
  auto window = [](DayWindow w) {
    return With(Monthly(), [w](FreezeRule& r) { Kind<MonthlyDay>(r).window = w; });
  };
  ExpectError(window({.days_before = 11}), "window.days_before: 11 is outside 0..10");
  ExpectError(window({.days_before = -1}), "window.days_before: -1 is outside 0..10");
  ExpectError(window({.days_after = 11}), "window.days_after: 11 is outside 0..10");
  ExpectError(window({.start = {24, 0}}), "window.start: 24:00 is only allowed as an end");
  ExpectError(window({.start = {25, 0}}),
              "window.start: 25:00 is not a time of day (00:00..23:59)");
  ExpectError(window({.start = {9, 60}}),
              "window.start: 09:60 is not a time of day (00:00..23:59)");
  ExpectError(window({.end = {24, 30}}), "window.end: 24:30 is not a time of day (00:00..24:00)");
  ExpectError(window({.end = {-1, 0}}), "window.end: -1:00 is not a time of day (00:00..24:00)");
  ExpectError(window({.start = {15, 0}, .end = {9, 0}}),
              "window.end: 09:00 is before window.start 15:00 on the same day");
  ExpectError(window({.start = {15, 0}, .end = {15, 0}}),
              "window.end: equals window.start 15:00, so the window is empty");
  // The same times on different days are fine.
  EXPECT_OK(window({.days_before = 1, .start = {15, 0}, .end = {9, 0}}));
  // Longer than a monthly rule's period allows; a yearly rule may.
  ExpectError(window({.days_before = 6, .days_after = 5}),
              "window: 6 working days before and 5 after make a window too long for a rule "
              "that recurs every month (at most 10 in all)");
  ExpectError(With(Nth(),
                   [](FreezeRule& r) {
                     Kind<NthWorkingDay>(r).period = Period::kMonth;
                     Kind<NthWorkingDay>(r).window = {.days_before = 10, .days_after = 1};
                   }),
              "window: 10 working days before and 1 after make a window too long for a rule "
              "that recurs every month (at most 10 in all)");
}

TEST(ValidateTest, NthWorkingDay) {
  auto nth = [](int n, Period p) {
    return With(Nth(), [n, p](FreezeRule& r) {
      Kind<NthWorkingDay>(r).n = n;
      Kind<NthWorkingDay>(r).period = p;
    });
  };
  ExpectError(nth(0, Period::kMonth),
              "n: 0 is outside 1..23 (the most working days a month can have)");
  ExpectError(nth(24, Period::kMonth),
              "n: 24 is outside 1..23 (the most working days a month can have)");
  ExpectError(nth(67, Period::kQuarter),
              "n: 67 is outside 1..66 (the most working days a quarter can have)");
  ExpectError(nth(263, Period::kYear),
              "n: 263 is outside 1..262 (the most working days a year can have)");
  ExpectError(nth(1, Period{5}), "period: unknown value 5");
}

TEST(ValidateTest, Weekly) {
  auto weekly = [](Weekly w) { return With(WeeklyRule(), [w](FreezeRule& r) { r.kind = w; }); };
  ExpectError(weekly({.weekday = absl::Weekday{9}}), "weekday: unknown value 9");
  ExpectError(weekly({.start = {24, 0}}), "start: 24:00 is only allowed as an end");
  ExpectError(weekly({.end = {24, 1}}), "end: 24:01 is not a time of day (00:00..24:00)");
  ExpectError(weekly({.end_days_after = 8}), "end_days_after: 8 is outside 0..7");
  ExpectError(weekly({.start = {18, 0}, .end = {6, 0}}),
              "end: 06:00 is before start 18:00 on the same day");
  ExpectError(weekly({.start = {18, 0}, .end = {18, 0}}),
              "end: equals start 18:00, so the window is empty");
  ExpectError(weekly({.start = {18, 0}, .end = {18, 0}, .end_days_after = 7}),
              "end_days_after: the window lasts 7 days 00:00; a weekly window must be shorter "
              "than a week");
  ExpectError(weekly({.start = {18, 0}, .end = TimeOfDay::EndOfDay(), .end_days_after = 7}),
              "end_days_after: the window lasts 7 days 06:00; a weekly window must be shorter "
              "than a week");
}

TEST(ValidateTest, OneOff) {
  auto one_off = [](OneOff o) { return With(Range(), [o](FreezeRule& r) { r.kind = o; }); };
  const absl::CivilSecond dec10(2026, 12, 10), dec12(2026, 12, 12);
  const absl::Time at = absl::FromCivil(dec10, absl::UTCTimeZone());
  ExpectError(one_off({}), "start: a one-off rule needs start and end, or at");
  ExpectError(one_off({.start = dec10, .at = at}),
              "at: a one-off rule has start and end, or at, not both");
  ExpectError(one_off({.start = dec10}), "end: required with start");
  ExpectError(one_off({.end = dec10}), "start: required with end");
  ExpectError(one_off({.start = dec12, .end = dec10}),
              "end: 2026-12-10T00:00:00 is before start 2026-12-12T00:00:00");
  ExpectError(one_off({.start = dec10, .end = dec10}),
              "end: equals start 2026-12-10T00:00:00, so the window is empty");
  ExpectError(one_off({.start = dec10, .end = dec12, .margin_before = absl::Hours(1)}),
              "margin_before: only with at (a range has its own start)");
  ExpectError(one_off({.start = dec10, .end = dec12, .margin_after = absl::Hours(1)}),
              "margin_after: only with at (a range has its own end)");
  ExpectError(one_off({.at = at, .margin_before = absl::Hours(-1), .margin_after = absl::Hours(6)}),
              "margin_before: -1h is negative");
  ExpectError(
      one_off({.at = at, .margin_before = absl::Hours(1), .margin_after = absl::Minutes(-90)}),
      "margin_after: -1h30m is negative");
  ExpectError(one_off({.at = at, .margin_after = absl::InfiniteDuration()}),
              "margin_after: must be finite");
  ExpectError(one_off({.at = at}), "margin_after: both margins are zero, so the window is empty");
  ExpectError(one_off({.at = absl::InfiniteFuture(), .margin_after = absl::Hours(1)}),
              "at: must be a finite instant");
  // Only one margin is fine.
  EXPECT_OK(one_off({.at = at, .margin_after = absl::Hours(6)}));
}

TEST(ValidateTest, FieldsThatDoNotFitTheKind) {
  ExpectError(With(Tender(), [](FreezeRule& r) { r.exceptions = {absl::CivilDay(2026, 12, 14)}; }),
              "exceptions: a one-off rule has no recurring days to skip");
  ExpectError(With(Range(), [](FreezeRule& r) { r.valid_from = absl::CivilDay(2026, 1, 1); }),
              "valid_from: a one-off rule has its own start and end");
  ExpectError(With(Range(), [](FreezeRule& r) { r.valid_until = absl::CivilDay(2026, 1, 1); }),
              "valid_until: a one-off rule has its own start and end");
  ExpectError(With(Monthly(), [](FreezeRule& r) { r.accounts = {"acme"}; }),
              "accounts: only a one-off rule may name accounts (a recurring rule freezes its "
              "whole segment)");
}

TEST(ValidateTest, ValidityAndAccounts) {
  ExpectError(With(Monthly(),
                   [](FreezeRule& r) {
                     r.valid_from = absl::CivilDay(2026, 6, 1);
                     r.valid_until = absl::CivilDay(2026, 1, 1);
                   }),
              "valid_until: 2026-01-01 is before valid_from 2026-06-01");
  ExpectError(With(Tender(),
                   [](FreezeRule& r) {
                     r.accounts = {"acme", ""};
                   }),
              "accounts[1]: required");
  ExpectError(With(Tender(),
                   [](FreezeRule& r) {
                     r.accounts = {"acme", "globex", "acme"};
                   }),
              "accounts[2]: \"acme\" is listed twice");
}

TEST(ValidateRulesTest, PrefixesTheRuleAndWantsUniqueNames) {
  FreezeRule bad = Monthly();
  Kind<MonthlyDay>(bad).day = 32;
  ExpectError(ValidateRules({bad}), "rules[0].day: 32 is outside 1..31");
  FreezeRule moskva = Monthly();
  moskva.zone = "Europe/Moskva";
  ExpectError(ValidateRules({Nth(), moskva}),
              "rules[1].zone: unknown time zone \"Europe/Moskva\" (use an IANA name such as "
              "Europe/Moscow)");
  FreezeRule again = Nth();
  again.name = Monthly().name;
  ExpectError(ValidateRules({Monthly(), WeeklyRule(), again}),
              "rules[2].name: \"tax-28\" is also the name of rules[0]");
  EXPECT_OK(ValidateRules({}));
}

TEST(FormatTimeOfDayTest, Formats) {
  EXPECT_EQ(FormatTimeOfDay({15, 0}), "15:00");
  EXPECT_EQ(FormatTimeOfDay({9, 5}), "09:05");
  EXPECT_EQ(FormatTimeOfDay(TimeOfDay::EndOfDay()), "24:00");
}

}  // namespace
}  // namespace rampart::freeze
