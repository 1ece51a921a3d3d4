#include "core/freeze/rule_proto.h"

#include <string>

#include "absl/time/time.h"
#include "core/freeze/presets.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/text_proto.h"

namespace rampart::freeze {
namespace {

using ::rampart::testing::ParseTextProto;
using ::rampart::testing::StatusIs;
using ::testing::Eq;

v1::FreezeCalendar CalendarWith(const std::string& rules_text) {
  return ParseTextProto<v1::FreezeCalendar>(
      "key: 'accounting-deadlines' time_zone: 'Europe/Moscow' " + rules_text);
}

// model -> proto -> model -> proto gives the same proto: nothing is lost.
void ExpectRoundTrip(const FreezeRule& rule) {
  const v1::FreezeRule once = RuleToProto(rule, "Europe/Moscow");
  absl::StatusOr<FreezeRule> back = RuleFromProto(once, "Europe/Moscow", "rule");
  ASSERT_TRUE(back.ok()) << back.status() << " for " << once.DebugString();
  EXPECT_EQ(back->zone, rule.zone);
  EXPECT_EQ(back->accounts, rule.accounts);
  EXPECT_EQ(RuleToProto(*back, "Europe/Moscow").DebugString(), once.DebugString());
}

TEST(RuleProtoTest, PresetsRoundTrip) {
  for (const FreezeRule& r : RuAccounting("Europe/Moscow")) ExpectRoundTrip(r);
  ExpectRoundTrip(WeekendEvening("Asia/Novosibirsk"));
  absl::Time closes;
  ASSERT_TRUE(absl::ParseTime(absl::RFC3339_full, "2026-12-15T09:00:00+07:00", &closes, nullptr));
  ExpectRoundTrip(RuTender("tender-2026-12-15", "Asia/Novosibirsk", closes, {"acme", "globex"}));
}

TEST(RuleProtoTest, PresetRuleAsStored) {
  const v1::FreezeRule p = RuleToProto(RuAccounting("Europe/Moscow")[1], "Europe/Moscow");
  EXPECT_EQ(p.name(), "ru-accounting.28");
  EXPECT_EQ(p.time_zone(), "");  // the calendar's
  EXPECT_EQ(p.monthly_day().day(), 28);
  EXPECT_EQ(p.monthly_day().roll(), v1::FREEZE_ROLL_NEXT);
  EXPECT_EQ(p.monthly_day().window().days_before(), 1);
  EXPECT_EQ(p.monthly_day().window().start(), "15:00");
  EXPECT_EQ(p.monthly_day().window().end(), "24:00");
}

TEST(RuleProtoTest, EachKindFromText) {
  auto rules = CalendarRulesFromProto(CalendarWith(R"pb(
    rules {
      name: "tax-28"
      monthly_day {
        day: 28
        roll: FREEZE_ROLL_NEXT
        except_months: 1
        window { days_before: 1 start: "15:00" }
      }
      exceptions: "2026-12-28"
    }
    rules {
      name: "year-end"
      time_zone: "Asia/Vladivostok"
      nth_working_day { n: 1 from_last: true period: FREEZE_PERIOD_YEAR }
    }
    rules {
      name: "cinema"
      weekly { weekday: "Saturday" start: "18:00" }
      valid_from: "2026-01-01"
    }
    rules {
      name: "tender"
      one_off {
        at { seconds: 1797300000 }
        margin_before { seconds: 86400 }
        margin_after { seconds: 21600 }
      }
      accounts: "acme"
    }
    rules {
      name: "expo"
      one_off { start: "2026-12-10T00:00" end: "2026-12-13T00:00" }
    }
  )pb"));
  ASSERT_TRUE(rules.ok()) << rules.status();
  ASSERT_EQ(rules->size(), 5u);
  const auto& m = std::get<MonthlyDay>((*rules)[0].kind);
  EXPECT_EQ(m.day, 28);
  EXPECT_EQ(m.roll, Roll::kNext);
  EXPECT_EQ(m.except_months, std::vector<int>{1});
  EXPECT_EQ(m.window.days_before, 1);
  EXPECT_EQ(m.window.start, (TimeOfDay{15, 0}));
  EXPECT_EQ(m.window.end, TimeOfDay::EndOfDay());
  EXPECT_EQ((*rules)[0].zone, "Europe/Moscow");
  EXPECT_EQ((*rules)[0].exceptions, std::vector<absl::CivilDay>{absl::CivilDay(2026, 12, 28)});
  EXPECT_EQ((*rules)[1].zone, "Asia/Vladivostok");
  EXPECT_EQ(std::get<NthWorkingDay>((*rules)[1].kind).period, Period::kYear);
  EXPECT_EQ(std::get<Weekly>((*rules)[2].kind).weekday, absl::Weekday::saturday);
  EXPECT_EQ((*rules)[2].valid_from, absl::CivilDay(2026, 1, 1));
  const auto& t = std::get<OneOff>((*rules)[3].kind);
  EXPECT_EQ(t.at, absl::FromUnixSeconds(1797300000));
  EXPECT_EQ(t.margin_before, absl::Hours(24));
  EXPECT_EQ(t.margin_after, absl::Hours(6));
  EXPECT_EQ(std::get<OneOff>((*rules)[4].kind).end, absl::CivilSecond(2026, 12, 13, 0, 0, 0));
}

struct BadCase {
  const char* calendar;
  const char* message;
};

class RuleProtoErrorTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(RuleProtoErrorTest, NamesTheFieldByItsPath) {
  EXPECT_THAT(
      CalendarRulesFromProto(ParseTextProto<v1::FreezeCalendar>(GetParam().calendar)).status(),
      StatusIs(absl::StatusCode::kInvalidArgument, Eq(GetParam().message)));
}

INSTANTIATE_TEST_SUITE_P(
    Errors, RuleProtoErrorTest,
    ::testing::Values(
        BadCase{"key: 'c' time_zone: 'Europe/Moscow' rules { name: 'a' monthly_day { day: 32 } }",
                "calendar.rules[0].monthly_day.day: 32 is outside 1..31"},
        BadCase{"key: 'c' time_zone: 'Europe/Moscow' rules { name: 'a' monthly_day { day: 5 "
                "window { days_before: 11 } } }",
                "calendar.rules[0].monthly_day.window.days_before: 11 is outside 0..10"},
        BadCase{"key: 'c' time_zone: 'Europe/Moscow' rules { name: 'a' time_zone: "
                "'Europe/Moskva' weekly { weekday: 'saturday' start: '18:00' } }",
                "calendar.rules[0].time_zone: unknown time zone \"Europe/Moskva\" (use an IANA "
                "name such as Europe/Moscow)"},
        BadCase{"key: 'c' time_zone: 'Europe/Moscow' rules { name: 'a' weekly { weekday: 'sat' } }",
                "calendar.rules[0].weekly.weekday: unknown weekday \"sat\" (monday..sunday)"},
        BadCase{"key: 'c' time_zone: 'Europe/Moscow' rules { name: 'a' weekly { weekday: "
                "'saturday' start: '25:00' } }",
                "calendar.rules[0].weekly.start: \"25:00\" is not a time of day (HH:MM, "
                "00:00..24:00)"},
        BadCase{"key: 'c' time_zone: 'Europe/Moscow' rules { name: 'a' weekly { weekday: "
                "'saturday' start: '18:00' end: '06:00' } }",
                "calendar.rules[0].weekly.end: 06:00 is before start 18:00 on the same day"},
        BadCase{"key: 'c' time_zone: 'Europe/Moscow' rules { name: 'a' monthly_day { day: 3 } "
                "exceptions: '2026-13-01' }",
                "calendar.rules[0].exceptions[0]: \"2026-13-01\" is not a date (YYYY-MM-DD)"},
        BadCase{"key: 'c' time_zone: 'Europe/Moscow' rules { name: 'a' one_off { start: "
                "'2026-12-12T00:00' end: '2026-12-10T00:00' } }",
                "calendar.rules[0].one_off.end: 2026-12-10T00:00:00 is before start "
                "2026-12-12T00:00:00"},
        BadCase{"key: 'c' time_zone: 'Europe/Moscow' rules { name: 'a' one_off { start: "
                "'tomorrow' end: '2026-12-10T00:00' } }",
                "calendar.rules[0].one_off.start: \"tomorrow\" is not a local date-time "
                "(YYYY-MM-DDTHH:MM[:SS])"},
        BadCase{"key: 'c' time_zone: 'Europe/Moscow' rules { name: 'a' }",
                "calendar.rules[0]: a rule needs one of monthly_day, nth_working_day, weekly, "
                "one_off"},
        BadCase{"key: 'c' time_zone: 'Europe/Moscow' rules { name: 'a' monthly_day { day: 3 } } "
                "rules { name: 'a' monthly_day { day: 5 } }",
                "calendar.rules[1].name: \"a\" is also the name of calendar.rules[0]"},
        BadCase{"key: 'c' time_zone: 'Europe/Moscow' rules { name: 'a' monthly_day { day: 3 } "
                "accounts: 'acme' }",
                "calendar.rules[0].accounts: only a one-off rule may name accounts (a recurring "
                "rule freezes its whole segment)"},
        BadCase{"key: 'c' time_zone: 'localtime'",
                "calendar.time_zone: \"localtime\" is not an IANA zone name (use one such as "
                "Europe/Moscow, never a fixed offset)"},
        BadCase{"key: 'c' time_zone: 'Europe/Moscow' working_calendar: 'de'",
                "calendar.working_calendar: \"de\": only \"ru\" (the Russian federal calendar) "
                "is supported"},
        BadCase{"key: 'c' time_zone: 'Europe/Moscow' segments: 'acc' segments: 'acc'",
                "calendar.segments[1]: \"acc\" is listed twice"}));

}  // namespace
}  // namespace rampart::freeze
