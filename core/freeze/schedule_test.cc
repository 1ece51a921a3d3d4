// BuildSchedule: the FreezeSchedule sent to the SDKs, against the 2026 test
// calendar (docs/freezes.md lists the Moscow windows of Nov-Dec 2026).
#include "core/freeze/schedule.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "core/common/time_util.h"
#include "core/freeze/presets.h"
#include "core/freeze/testing/holiday_calendar.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace rampart::freeze {
namespace {

using ::rampart::freeze::testing::HolidayCalendar;
using ::rampart::freeze::testing::Russia2026;
using ::rampart::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

absl::Time T(const char* rfc3339) {
  absl::Time t;
  std::string err;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &err)) << rfc3339 << ": " << err;
  return t;
}

// "2026-11-02T12:00:00Z .. 2026-11-05T21:00:00Z accounting-deadlines/ru-accounting.3",
// with " [acme beta]" when the window names accounts.
std::string Str(const v1::FreezeWindow& w) {
  std::string s = absl::StrCat(rampart::FormatTime(rampart::FromProto(w.start())), " .. ",
                               rampart::FormatTime(rampart::FromProto(w.end())), " ",
                               w.calendar(), "/", w.rule());
  if (!w.accounts().empty()) absl::StrAppend(&s, " [", absl::StrJoin(w.accounts(), " "), "]");
  return s;
}

std::vector<std::string> Strs(const v1::SegmentFreezeWindows& list) {
  std::vector<std::string> out;
  for (const v1::FreezeWindow& w : list.windows()) out.push_back(Str(w));
  return out;
}

// What the engine relies on: each list sorted by start, no two windows
// overlapping or touching (touching ones are joined), each non-empty.
void ExpectWellFormed(const v1::FreezeSchedule& schedule) {
  for (const v1::SegmentFreezeWindows& list : schedule.segments()) {
    SCOPED_TRACE(absl::StrCat("segment \"", list.segment(), "\" zone \"", list.time_zone(), "\""));
    EXPECT_FALSE(list.windows().empty());
    for (int i = 0; i < list.windows_size(); ++i) {
      const absl::Time start = rampart::FromProto(list.windows(i).start());
      const absl::Time end = rampart::FromProto(list.windows(i).end());
      EXPECT_LT(start, end) << Str(list.windows(i));
      if (i > 0) {
        EXPECT_LT(rampart::FromProto(list.windows(i - 1).end()), start)
            << Str(list.windows(i - 1)) << " then " << Str(list.windows(i));
      }
    }
  }
}

constexpr char kAccounting[] = "accounting-deadlines";

AttachedCalendar Accounting(std::vector<std::string> segments = {"accounting"}) {
  return AttachedCalendar{.key = kAccounting,
                          .rules = RuAccounting("Europe/Moscow"),
                          .segments = std::move(segments)};
}

class ScheduleTest : public ::testing::Test {
 protected:
  ScheduleInput Input() {
    ScheduleInput in;
    in.working_days = &calendar_;
    in.from = T("2026-11-01T00:00:00Z");
    in.to = T("2027-01-01T00:00:00Z");
    return in;
  }

  HolidayCalendar calendar_ = Russia2026();
};

// The Moscow windows of docs/freezes.md, joined: the 3rd and the 5th around
// Nov 4, the 25th and the 28th in December.
const std::vector<std::string> kMoscowAccounting = {
    "2026-11-02T12:00:00Z .. 2026-11-05T21:00:00Z accounting-deadlines/ru-accounting.3",
    "2026-11-24T12:00:00Z .. 2026-11-25T21:00:00Z accounting-deadlines/ru-accounting.25",
    "2026-11-27T12:00:00Z .. 2026-11-30T21:00:00Z accounting-deadlines/ru-accounting.28",
    "2026-12-02T12:00:00Z .. 2026-12-03T21:00:00Z accounting-deadlines/ru-accounting.3",
    "2026-12-04T12:00:00Z .. 2026-12-07T21:00:00Z accounting-deadlines/ru-accounting.5",
    "2026-12-24T12:00:00Z .. 2026-12-28T21:00:00Z accounting-deadlines/ru-accounting.25",
    "2026-12-29T12:00:00Z .. 2026-12-30T21:00:00Z accounting-deadlines/ru-accounting.year-end",
};

TEST_F(ScheduleTest, RuAccountingInMoscowAndVladivostok) {
  ScheduleInput in = Input();
  in.calendars.push_back(Accounting());
  in.zones_by_segment["accounting"] = {"Europe/Moscow", "Asia/Vladivostok", "Europe/Moscow"};
  absl::StatusOr<v1::FreezeSchedule> s = BuildSchedule(in);
  ASSERT_OK(s.status());
  ExpectWellFormed(*s);
  EXPECT_EQ(rampart::FromProto(s->computed_at()), in.from);
  EXPECT_EQ(rampart::FromProto(s->horizon()), in.to);
  ASSERT_THAT(s->segments(), SizeIs(2));
  // Sorted by zone: Asia/ before Europe/.
  EXPECT_EQ(s->segments(0).segment(), "accounting");
  EXPECT_EQ(s->segments(0).time_zone(), "Asia/Vladivostok");
  EXPECT_EQ(s->segments(1).segment(), "accounting");
  EXPECT_EQ(s->segments(1).time_zone(), "Europe/Moscow");
  EXPECT_EQ(Strs(s->segments(1)), kMoscowAccounting);
  // The same local times in Vladivostok (UTC+10): 7 hours earlier.
  EXPECT_THAT(
      Strs(s->segments(0)),
      ElementsAre(
          "2026-11-02T05:00:00Z .. 2026-11-05T14:00:00Z accounting-deadlines/ru-accounting.3",
          "2026-11-24T05:00:00Z .. 2026-11-25T14:00:00Z accounting-deadlines/ru-accounting.25",
          "2026-11-27T05:00:00Z .. 2026-11-30T14:00:00Z accounting-deadlines/ru-accounting.28",
          "2026-12-02T05:00:00Z .. 2026-12-03T14:00:00Z accounting-deadlines/ru-accounting.3",
          "2026-12-04T05:00:00Z .. 2026-12-07T14:00:00Z accounting-deadlines/ru-accounting.5",
          "2026-12-24T05:00:00Z .. 2026-12-28T14:00:00Z accounting-deadlines/ru-accounting.25",
          "2026-12-29T05:00:00Z .. 2026-12-30T14:00:00Z "
          "accounting-deadlines/ru-accounting.year-end"));
  for (const v1::SegmentFreezeWindows& list : s->segments()) {
    for (const v1::FreezeWindow& w : list.windows()) EXPECT_THAT(w.accounts(), IsEmpty());
  }
}

TEST_F(ScheduleTest, TheZoneEmptyUsesTheRulesZone) {
  ScheduleInput in = Input();
  in.calendars.push_back(Accounting());
  in.zones_by_segment["accounting"] = {""};
  absl::StatusOr<v1::FreezeSchedule> s = BuildSchedule(in);
  ASSERT_OK(s.status());
  ASSERT_THAT(s->segments(), SizeIs(1));
  EXPECT_EQ(s->segments(0).time_zone(), "");
  EXPECT_EQ(Strs(s->segments(0)), kMoscowAccounting);
}

// A freeze open at `from` keeps its real start: the 3rd's window (ending
// Nov 4 00:00 Moscow, exactly at from) still opens the union with the 5th's.
TEST_F(ScheduleTest, UnionCrossingFromKeepsItsStart) {
  ScheduleInput in = Input();
  in.from = T("2026-11-04T00:00:00+03:00");
  in.to = T("2026-11-20T00:00:00Z");
  in.calendars.push_back(Accounting());
  in.zones_by_segment["accounting"] = {"Europe/Moscow"};
  absl::StatusOr<v1::FreezeSchedule> s = BuildSchedule(in);
  ASSERT_OK(s.status());
  ASSERT_THAT(s->segments(), SizeIs(1));
  EXPECT_THAT(Strs(s->segments(0)),
              ElementsAre("2026-11-02T12:00:00Z .. 2026-11-05T21:00:00Z "
                          "accounting-deadlines/ru-accounting.3"));
}

TEST_F(ScheduleTest, TendersGetListsOfTheirOwnPerAccountSet) {
  ScheduleInput in = Input();
  in.calendars.push_back(Accounting());
  in.calendars.push_back(AttachedCalendar{
      .key = "tenders",
      .rules = {RuTender("tender-2026-12-15", "Europe/Moscow", T("2026-12-15T09:00:00+07:00"),
                         {"beta", "acme"}),
                // The same accounts in another order, overlapping the first: joined.
                RuTender("tender-2026-12-16", "Europe/Moscow", T("2026-12-16T09:00:00+07:00"),
                         {"acme", "beta"}),
                RuTender("tender-gamma", "Europe/Moscow", T("2026-12-15T09:00:00+07:00"),
                         {"gamma"})},
      .segments = {"accounting"}});
  in.zones_by_segment["accounting"] = {"Europe/Moscow", "Asia/Vladivostok"};
  absl::StatusOr<v1::FreezeSchedule> s = BuildSchedule(in);
  ASSERT_OK(s.status());
  ExpectWellFormed(*s);
  ASSERT_THAT(s->segments(), SizeIs(6));
  for (int zone = 0; zone < 2; ++zone) {
    const int base = zone * 3;
    SCOPED_TRACE(s->segments(base).time_zone());
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ(s->segments(base + i).segment(), "accounting");
      EXPECT_EQ(s->segments(base + i).time_zone(),
                zone == 0 ? "Asia/Vladivostok" : "Europe/Moscow");
    }
    EXPECT_THAT(s->segments(base).windows(), SizeIs(7));  // every account: unchanged
    // A tender is an instant: the same in every zone.
    EXPECT_THAT(Strs(s->segments(base + 1)),
                ElementsAre("2026-12-14T02:00:00Z .. 2026-12-16T08:00:00Z "
                            "tenders/tender-2026-12-15 [acme beta]"));
    EXPECT_THAT(Strs(s->segments(base + 2)),
                ElementsAre("2026-12-14T02:00:00Z .. 2026-12-15T08:00:00Z "
                            "tenders/tender-gamma [gamma]"));
  }
  EXPECT_EQ(Strs(s->segments(3)), kMoscowAccounting);
}

TEST_F(ScheduleTest, GlobalCalendarIsSegmentEmpty) {
  ScheduleInput in = Input();
  in.to = T("2026-11-15T00:00:00Z");
  in.calendars.push_back(AttachedCalendar{
      .key = "weekends", .rules = {WeekendEvening("Asia/Novosibirsk")}, .global = true});
  // Attached to a segment without accounts' zones: no lists.
  in.calendars.push_back(Accounting({"nobody"}));
  in.zones_by_segment[""] = {"Europe/Moscow", ""};
  absl::StatusOr<v1::FreezeSchedule> s = BuildSchedule(in);
  ASSERT_OK(s.status());
  ExpectWellFormed(*s);
  ASSERT_THAT(s->segments(), SizeIs(2));
  EXPECT_EQ(s->segments(0).segment(), "");
  EXPECT_EQ(s->segments(0).time_zone(), "");  // the rule's own zone, Novosibirsk (UTC+7)
  EXPECT_THAT(Strs(s->segments(0)),
              ElementsAre("2026-11-07T11:00:00Z .. 2026-11-07T17:00:00Z weekends/weekend-evening",
                          "2026-11-14T11:00:00Z .. 2026-11-14T17:00:00Z weekends/weekend-evening"));
  EXPECT_EQ(s->segments(1).segment(), "");
  EXPECT_EQ(s->segments(1).time_zone(), "Europe/Moscow");
  EXPECT_THAT(Strs(s->segments(1)),
              ElementsAre("2026-11-07T15:00:00Z .. 2026-11-07T21:00:00Z weekends/weekend-evening",
                          "2026-11-14T15:00:00Z .. 2026-11-14T21:00:00Z weekends/weekend-evening"));
}

TEST_F(ScheduleTest, TwoCalendarsOnOneSegmentAreUnioned) {
  ScheduleInput in = Input();
  // A range ending exactly where the 3rd's window opens (Nov 2 15:00 Moscow):
  // touching, so joined, and the union is named by its earliest part.
  in.calendars.push_back(AttachedCalendar{
      .key = "release",
      .rules = {FreezeRule{.name = "release-train",
                           .zone = "Europe/Moscow",
                           .kind = OneOff{.start = absl::CivilSecond(2026, 11, 2, 10, 0, 0),
                                          .end = absl::CivilSecond(2026, 11, 2, 15, 0, 0)}}},
      .segments = {"accounting", "other"}});
  in.calendars.push_back(Accounting());
  in.calendars.push_back(AttachedCalendar{
      .key = "weekends", .rules = {WeekendEvening("Europe/Moscow")}, .segments = {"accounting"}});
  in.zones_by_segment["accounting"] = {"Europe/Moscow"};
  in.zones_by_segment["other"] = {"Europe/Moscow"};
  absl::StatusOr<v1::FreezeSchedule> s = BuildSchedule(in);
  ASSERT_OK(s.status());
  ExpectWellFormed(*s);
  ASSERT_THAT(s->segments(), SizeIs(2));
  EXPECT_EQ(s->segments(0).segment(), "accounting");
  // Saturday evenings inside an accounting window (Nov 28, Dec 5, Dec 26)
  // disappear into it; the others stay.
  EXPECT_THAT(
      Strs(s->segments(0)),
      ElementsAre(
          "2026-11-02T07:00:00Z .. 2026-11-05T21:00:00Z release/release-train",
          "2026-11-07T15:00:00Z .. 2026-11-07T21:00:00Z weekends/weekend-evening",
          "2026-11-14T15:00:00Z .. 2026-11-14T21:00:00Z weekends/weekend-evening",
          "2026-11-21T15:00:00Z .. 2026-11-21T21:00:00Z weekends/weekend-evening",
          "2026-11-24T12:00:00Z .. 2026-11-25T21:00:00Z accounting-deadlines/ru-accounting.25",
          "2026-11-27T12:00:00Z .. 2026-11-30T21:00:00Z accounting-deadlines/ru-accounting.28",
          "2026-12-02T12:00:00Z .. 2026-12-03T21:00:00Z accounting-deadlines/ru-accounting.3",
          "2026-12-04T12:00:00Z .. 2026-12-07T21:00:00Z accounting-deadlines/ru-accounting.5",
          "2026-12-12T15:00:00Z .. 2026-12-12T21:00:00Z weekends/weekend-evening",
          "2026-12-19T15:00:00Z .. 2026-12-19T21:00:00Z weekends/weekend-evening",
          "2026-12-24T12:00:00Z .. 2026-12-28T21:00:00Z accounting-deadlines/ru-accounting.25",
          "2026-12-29T12:00:00Z .. 2026-12-30T21:00:00Z "
          "accounting-deadlines/ru-accounting.year-end"));
  EXPECT_EQ(s->segments(1).segment(), "other");
  EXPECT_THAT(Strs(s->segments(1)),
              ElementsAre("2026-11-02T07:00:00Z .. 2026-11-02T12:00:00Z release/release-train"));
}

TEST_F(ScheduleTest, SameInputSameSchedule) {
  ScheduleInput in = Input();
  in.calendars.push_back(Accounting({"b", "a"}));
  in.calendars.push_back(AttachedCalendar{
      .key = "weekends", .rules = {WeekendEvening("Europe/Moscow")}, .global = true});
  in.zones_by_segment["a"] = {"Europe/Moscow", "Asia/Vladivostok"};
  in.zones_by_segment["b"] = {"Asia/Vladivostok", ""};
  in.zones_by_segment[""] = {"Asia/Vladivostok"};
  absl::StatusOr<v1::FreezeSchedule> s1 = BuildSchedule(in);
  ASSERT_OK(s1.status());
  ExpectWellFormed(*s1);
  std::vector<std::string> keys;
  for (const v1::SegmentFreezeWindows& l : s1->segments()) {
    keys.push_back(absl::StrCat(l.segment(), "|", l.time_zone()));
  }
  EXPECT_THAT(keys, ElementsAre("|Asia/Vladivostok", "a|Asia/Vladivostok", "a|Europe/Moscow",
                                "b|", "b|Asia/Vladivostok"));
  absl::StatusOr<v1::FreezeSchedule> s2 = BuildSchedule(in);
  ASSERT_OK(s2.status());
  EXPECT_EQ(s1->SerializeAsString(), s2->SerializeAsString());
}

TEST_F(ScheduleTest, ErrorsNameTheCalendarAndRule) {
  {
    ScheduleInput in = Input();
    in.calendars.push_back(Accounting());
    in.calendars.push_back(AttachedCalendar{
        .key = "broken",
        .rules = {FreezeRule{.name = "bad-day", .zone = "Europe/Moscow",
                             .kind = MonthlyDay{.day = 32}}},
        .segments = {"accounting"}});
    in.zones_by_segment["accounting"] = {"Europe/Moscow"};
    EXPECT_THAT(BuildSchedule(in).status(),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("calendar \"broken\": rules[0].day: 32 is outside 1..31")));
  }
  {
    // An unknown effective zone of some account.
    ScheduleInput in = Input();
    in.calendars.push_back(Accounting());
    in.zones_by_segment["accounting"] = {"Europe/Moskva"};
    EXPECT_THAT(BuildSchedule(in).status(),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         HasSubstr("calendar \"accounting-deadlines\", rule \"ru-accounting.25\", "
                                   "zone \"Europe/Moskva\": zone: unknown time zone")));
  }
  {
    ScheduleInput in = Input();
    in.working_days = nullptr;
    EXPECT_THAT(BuildSchedule(in).status(),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("working_days")));
    in = Input();
    in.to = in.from - absl::Hours(1);
    EXPECT_THAT(BuildSchedule(in).status(),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("is before from")));
  }
}

TEST_F(ScheduleTest, NothingAttachedIsAnEmptySchedule) {
  ScheduleInput in = Input();
  in.zones_by_segment["accounting"] = {"Europe/Moscow"};
  absl::StatusOr<v1::FreezeSchedule> s = BuildSchedule(in);
  ASSERT_OK(s.status());
  EXPECT_THAT(s->segments(), IsEmpty());
}

// A list of one segment and zone with the given windows [start, end).
v1::SegmentFreezeWindows* AddList(v1::FreezeSchedule& s, const std::string& segment,
                                  std::vector<std::pair<const char*, const char*>> windows,
                                  std::vector<std::string> accounts = {}) {
  v1::SegmentFreezeWindows* list = s.add_segments();
  list->set_segment(segment);
  list->set_time_zone("Europe/Moscow");
  for (const auto& [start, end] : windows) {
    v1::FreezeWindow* w = list->add_windows();
    *w->mutable_start() = rampart::ToProto(T(start));
    *w->mutable_end() = rampart::ToProto(T(end));
    for (const std::string& a : accounts) w->add_accounts(a);
  }
  return list;
}

std::vector<std::string> PinStarts(const v1::FreezeWindow& w) {
  std::vector<std::string> out;
  for (const auto& t : w.pin_starts()) out.push_back(rampart::FormatTime(rampart::FromProto(t)));
  return out;
}

TEST(CarryPinStartsTest, AnOpenWindowWhoseStartMovedKeepsItsOldStarts) {
  const absl::Time now = T("2026-12-24T14:00:00Z");
  v1::FreezeSchedule previous;
  AddList(previous, "accounting",
          {{"2026-12-24T12:00:00Z", "2026-12-28T21:00:00Z"},
           {"2026-12-29T12:00:00Z", "2026-12-30T21:00:00Z"}});
  AddList(previous, "tender", {{"2026-12-24T10:00:00Z", "2026-12-25T10:00:00Z"}}, {"acme"});
  // Recomputed after a year-end freeze from Dec 20 joined the accounting
  // windows; the tender's list is for other accounts now.
  v1::FreezeSchedule next;
  AddList(next, "accounting", {{"2026-12-19T21:00:00Z", "2027-01-09T21:00:00Z"}});
  AddList(next, "tender", {{"2026-12-24T08:00:00Z", "2026-12-25T10:00:00Z"}}, {"beta"});
  CarryPinStarts(previous, next, now);
  EXPECT_THAT(PinStarts(next.segments(0).windows(0)), ElementsAre("2026-12-24T12:00:00Z"));
  EXPECT_THAT(PinStarts(next.segments(1).windows(0)), IsEmpty()) << "another account set";

  // A later recomputation carries them on, with the start it moved from.
  v1::FreezeSchedule again;
  AddList(again, "accounting", {{"2026-12-18T21:00:00Z", "2027-01-09T21:00:00Z"}});
  CarryPinStarts(next, again, now + absl::Hours(1));
  EXPECT_THAT(PinStarts(again.segments(0).windows(0)),
              ElementsAre("2026-12-19T21:00:00Z", "2026-12-24T12:00:00Z"));
}

TEST(CarryPinStartsTest, OnlyAWindowOpenBeforeAndAfterTheChangeKeepsPins) {
  const absl::Time now = T("2026-12-24T14:00:00Z");
  v1::FreezeSchedule previous;
  AddList(previous, "a", {{"2026-12-24T12:00:00Z", "2026-12-25T00:00:00Z"}});
  AddList(previous, "b", {{"2026-12-24T12:00:00Z", "2026-12-25T00:00:00Z"}});
  AddList(previous, "c", {{"2026-12-23T00:00:00Z", "2026-12-24T00:00:00Z"}});
  v1::FreezeSchedule next;
  // a: extended at its end only (same start: its pins are its own);
  // b: now starts later than now (its accounts are released); c: closed
  // before now, and a new window covering now does not revive its pins.
  AddList(next, "a", {{"2026-12-24T12:00:00Z", "2026-12-26T00:00:00Z"}});
  AddList(next, "b", {{"2026-12-24T18:00:00Z", "2026-12-25T00:00:00Z"}});
  AddList(next, "c", {{"2026-12-22T00:00:00Z", "2026-12-25T00:00:00Z"}});
  CarryPinStarts(previous, next, now);
  for (const auto& list : next.segments()) {
    EXPECT_THAT(PinStarts(list.windows(0)), IsEmpty()) << list.segment();
  }
}

}  // namespace
}  // namespace rampart::freeze
