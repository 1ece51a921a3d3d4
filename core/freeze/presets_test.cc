// The shipped presets, and what they generate for November-December 2026 in
// Europe/Moscow: the same list as docs/freezes.md.
#include "core/freeze/presets.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "core/freeze/testing/holiday_calendar.h"
#include "core/freeze/windows.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace rampart::freeze {
namespace {

using ::rampart::freeze::testing::Russia2026;
using ::rampart::testing::StatusIs;
using ::testing::ElementsAre;

absl::Time T(const char* rfc3339) {
  absl::Time t;
  std::string err;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &err)) << rfc3339 << ": " << err;
  return t;
}

// "2026-11-02 15:00 .. 2026-11-04 00:00 ru-accounting.3 (2026-11-03)", local.
std::string Local(const Window& w, const absl::TimeZone& zone) {
  std::string s = absl::StrCat(absl::FormatTime("%Y-%m-%d %H:%M", w.start, zone), " .. ",
                               absl::FormatTime("%Y-%m-%d %H:%M", w.end, zone), " ", w.rule, " (");
  for (size_t i = 0; i < w.days.size(); ++i) {
    absl::StrAppend(&s, i > 0 ? " " : "", absl::FormatCivilTime(w.days[i]));
  }
  return s + ")";
}

TEST(PresetsTest, RuAccountingRules) {
  const std::vector<FreezeRule> rules = RuAccounting("Europe/Moscow");
  ASSERT_EQ(rules.size(), 5u);
  EXPECT_OK(ValidateRules(rules));
  std::vector<std::string> names;
  for (const FreezeRule& r : rules) {
    names.push_back(r.name);
    EXPECT_EQ(r.zone, "Europe/Moscow");
  }
  EXPECT_THAT(names, ElementsAre("ru-accounting.25", "ru-accounting.28", "ru-accounting.3",
                                 "ru-accounting.5", "ru-accounting.year-end"));
  const auto& third = std::get<MonthlyDay>(rules[2].kind);
  EXPECT_EQ(third.day, 3);
  EXPECT_EQ(third.roll, Roll::kNext);
  EXPECT_THAT(third.except_months, ElementsAre(1));
  EXPECT_EQ(third.window, (DayWindow{.days_before = 1, .start = {15, 0}}));
  EXPECT_EQ(RuAccounting("Asia/Novosibirsk", "acc")[4].name, "acc.year-end");
}

// docs/freezes.md shows this list; change both together.
TEST(PresetsTest, NovemberDecember2026InMoscow) {
  absl::TimeZone moscow;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Moscow", &moscow));
  std::vector<FreezeRule> rules = RuAccounting("Europe/Moscow");
  rules.push_back(WeekendEvening("Europe/Moscow"));
  rules.push_back(RuTender("ru-tender", "Europe/Moscow", T("2026-12-15T09:00:00+07:00")));
  ASSERT_OK_AND_ASSIGN(std::vector<Window> ws,
                       WindowsOf(rules, Russia2026(), T("2026-11-01T00:00:00+03:00"),
                                 T("2027-01-01T00:00:00+03:00")));
  std::vector<std::string> got;
  for (const Window& w : ws) got.push_back(Local(w, moscow));
  EXPECT_THAT(
      got, ElementsAre("2026-11-02 15:00 .. 2026-11-04 00:00 ru-accounting.3 (2026-11-03)",
                       "2026-11-03 15:00 .. 2026-11-06 00:00 ru-accounting.5 (2026-11-05)",
                       "2026-11-07 18:00 .. 2026-11-08 00:00 weekend-evening (2026-11-07)",
                       "2026-11-14 18:00 .. 2026-11-15 00:00 weekend-evening (2026-11-14)",
                       "2026-11-21 18:00 .. 2026-11-22 00:00 weekend-evening (2026-11-21)",
                       "2026-11-24 15:00 .. 2026-11-26 00:00 ru-accounting.25 (2026-11-25)",
                       "2026-11-27 15:00 .. 2026-12-01 00:00 ru-accounting.28 (2026-11-30)",
                       "2026-11-28 18:00 .. 2026-11-29 00:00 weekend-evening (2026-11-28)",
                       "2026-12-02 15:00 .. 2026-12-04 00:00 ru-accounting.3 (2026-12-03)",
                       "2026-12-04 15:00 .. 2026-12-08 00:00 ru-accounting.5 (2026-12-07)",
                       "2026-12-05 18:00 .. 2026-12-06 00:00 weekend-evening (2026-12-05)",
                       "2026-12-12 18:00 .. 2026-12-13 00:00 weekend-evening (2026-12-12)",
                       "2026-12-14 05:00 .. 2026-12-15 11:00 ru-tender (2026-12-15)",
                       "2026-12-19 18:00 .. 2026-12-20 00:00 weekend-evening (2026-12-19)",
                       "2026-12-24 15:00 .. 2026-12-26 00:00 ru-accounting.25 (2026-12-25)",
                       "2026-12-25 15:00 .. 2026-12-29 00:00 ru-accounting.28 (2026-12-28)",
                       "2026-12-26 18:00 .. 2026-12-27 00:00 weekend-evening (2026-12-26)",
                       "2026-12-29 15:00 .. 2026-12-31 00:00 ru-accounting.year-end (2026-12-30)"));

  // Where windows of different rules overlap, a segment stays frozen across
  // them: the 3rd and the 5th around the Nov 4 holiday, the 25th and the
  // 28th before New Year.
  ASSERT_OK_AND_ASSIGN(FreezeState s,
                       FrozenAt(rules, Russia2026(), T("2026-11-03T16:00:00+03:00")));
  EXPECT_TRUE(s.frozen);
  EXPECT_EQ(s.since, T("2026-11-02T15:00:00+03:00"));
  EXPECT_EQ(s.until, T("2026-11-06T00:00:00+03:00"));
  ASSERT_EQ(s.by.size(), 2u);
  EXPECT_EQ(s.by[0].rule, "ru-accounting.3");
  EXPECT_EQ(s.by[1].rule, "ru-accounting.5");
  ASSERT_OK_AND_ASSIGN(s, FrozenAt(rules, Russia2026(), T("2026-12-26T19:00:00+03:00")));
  EXPECT_EQ(s.since, T("2026-12-24T15:00:00+03:00"));
  EXPECT_EQ(s.until, T("2026-12-29T00:00:00+03:00"));
  ASSERT_EQ(s.by.size(), 2u);
  EXPECT_EQ(s.by[0].rule, "ru-accounting.28");
  EXPECT_EQ(s.by[1].rule, "weekend-evening");
  ASSERT_TRUE(s.next.has_value());
  EXPECT_EQ(s.next->rule, "ru-accounting.year-end");
}

TEST(PresetsTest, RuTenderInNovosibirsk) {
  const FreezeRule tender =
      RuTender("tender-2026-12-15", "Asia/Novosibirsk", T("2026-12-15T09:00:00+07:00"), {"acme"});
  EXPECT_OK(Validate(tender));
  ASSERT_OK_AND_ASSIGN(
      std::vector<Window> ws,
      Windows(tender, Russia2026(), T("2026-12-01T00:00:00Z"), T("2027-01-01T00:00:00Z")));
  ASSERT_EQ(ws.size(), 1u);
  EXPECT_EQ(ws[0].start, T("2026-12-14T02:00:00Z"));
  EXPECT_EQ(ws[0].end, T("2026-12-15T08:00:00Z"));
  EXPECT_EQ(ws[0].days, std::vector<absl::CivilDay>{absl::CivilDay(2026, 12, 15)});
}

TEST(PresetsTest, WeekendEveningInVladivostok) {
  const FreezeRule rule = WeekendEvening("Asia/Vladivostok");
  EXPECT_EQ(rule.name, "weekend-evening");
  ASSERT_OK_AND_ASSIGN(
      std::vector<Window> ws,
      Windows(rule, Russia2026(), T("2026-12-05T00:00:00Z"), T("2026-12-06T00:00:00Z")));
  ASSERT_EQ(ws.size(), 1u);
  EXPECT_EQ(ws[0].start, T("2026-12-05T08:00:00Z"));
  EXPECT_EQ(ws[0].end, T("2026-12-05T14:00:00Z"));
}

TEST(PresetsTest, FromPreset) {
  EXPECT_THAT(PresetNames(), ElementsAre("ru-accounting", "ru-tender", "weekend-evening"));
  ASSERT_OK_AND_ASSIGN(std::vector<FreezeRule> rules,
                       FromPreset("ru-accounting", {.zone = "Asia/Vladivostok"}));
  EXPECT_EQ(rules.size(), 5u);
  EXPECT_EQ(rules[0].name, "ru-accounting.25");
  ASSERT_OK_AND_ASSIGN(rules, FromPreset("ru-tender", {.zone = "Asia/Novosibirsk",
                                                       .name = "tender-1",
                                                       .at = T("2026-12-15T09:00:00+07:00"),
                                                       .accounts = {"acme"}}));
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(rules[0].name, "tender-1");
  EXPECT_EQ(rules[0].accounts, std::vector<std::string>{"acme"});
  ASSERT_OK_AND_ASSIGN(rules, FromPreset("weekend-evening", {.zone = "Europe/Moscow"}));
  EXPECT_EQ(rules[0].name, "weekend-evening");
}

TEST(PresetsTest, FromPresetErrors) {
  EXPECT_THAT(FromPreset("ru-acounting", {.zone = "Europe/Moscow"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "preset: unknown preset \"ru-acounting\" (ru-accounting, ru-tender, "
                       "weekend-evening)"));
  EXPECT_THAT(
      FromPreset("ru-tender", {.zone = "Europe/Moscow"}),
      StatusIs(absl::StatusCode::kInvalidArgument, "at: required by ru-tender (when bids close)"));
  EXPECT_THAT(FromPreset("weekend-evening", {.zone = "Europe/Moscow", .at = absl::Now()}),
              StatusIs(absl::StatusCode::kInvalidArgument, "at: only ru-tender takes an instant"));
  EXPECT_THAT(
      FromPreset("ru-accounting", {.zone = "Europe/Moscow", .accounts = {"acme"}}),
      StatusIs(absl::StatusCode::kInvalidArgument, "accounts: only ru-tender names accounts"));
  EXPECT_THAT(FromPreset("ru-accounting", {.zone = "Europe/Moskva"}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "rules[0].zone: unknown time zone \"Europe/Moskva\" (use an IANA name "
                       "such as Europe/Moscow)"));
  EXPECT_THAT(FromPreset("ru-tender", {.zone = "Asia/Novosibirsk",
                                       .name = "bad name",
                                       .at = T("2026-12-15T09:00:00+07:00")}),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       ::testing::StartsWith("rules[0].name \"bad name\"")));
}

}  // namespace
}  // namespace rampart::freeze
