// Freezes in evaluation (domain promise 3): during a window of a segment it
// is in, an account evaluates every flag as it was when the window opened —
// the flag's pin when it changed since (reason FROZEN, the rule as detail),
// else the flag itself at the window's start — in the account's effective
// zone, limited to the named accounts of a tender window, the earliest open
// window deciding. Linked into the engine test binaries (also under ASan).
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "core/common/time_util.h"
#include "core/eval/engine.h"
#include "gtest/gtest.h"
#include "tests/testing/text_proto.h"

namespace rampart::eval {
namespace {

using ::rampart::testing::ParseTextProto;

absl::Time Utc(int y, int mo, int d, int h, int mi = 0) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), absl::UTCTimeZone());
}

// "editor", a bool flag; `default_variant` is "on" or "off".
v1::Flag Editor(const std::string& default_variant) {
  v1::Flag flag = ParseTextProto<v1::Flag>(R"pb(
    key: "editor"
    type: FLAG_TYPE_BOOL
    variants {
      name: "on"
      value { bool_value: true }
    }
    variants {
      name: "off"
      value { bool_value: false }
    }
    off_variant: "off"
    enabled: true
  )pb");
  flag.set_default_variant(default_variant);
  return flag;
}

v1::FreezeWindow Window(absl::Time start, absl::Time end, const std::string& rule) {
  v1::FreezeWindow w;
  *w.mutable_start() = rampart::ToProto(start);
  *w.mutable_end() = rampart::ToProto(end);
  w.set_calendar("accounting-deadlines");
  w.set_rule(rule);
  return w;
}

// The 28th of December 2026 for the "accounting" segment: in Moscow
// (UTC+3) from 15:00 on the 25th to the end of the 28th, and the same local
// times in Vladivostok (UTC+10).
const absl::Time kMoscowStart = Utc(2026, 12, 25, 12);
const absl::Time kMoscowEnd = Utc(2026, 12, 28, 21);
const absl::Time kVladivostokStart = Utc(2026, 12, 25, 5);
const absl::Time kVladivostokEnd = Utc(2026, 12, 28, 14);

class FreezeTest : public ::testing::Test {
 protected:
  FreezeTest() {
    v1::SegmentFreezeWindows* moscow = schedule_.add_segments();
    moscow->set_segment("accounting");
    moscow->set_time_zone("Europe/Moscow");
    *moscow->add_windows() = Window(kMoscowStart, kMoscowEnd, "the 28th");
    v1::SegmentFreezeWindows* vladivostok = schedule_.add_segments();
    vladivostok->set_segment("accounting");
    vladivostok->set_time_zone("Asia/Vladivostok");
    *vladivostok->add_windows() = Window(kVladivostokStart, kVladivostokEnd, "the 28th");
  }

  // Accounts: books (accounting, no zone of its own: the segment's Moscow),
  // ledger (accounting, Asia/Vladivostok), kino (cinema). Segment
  // "accounting" (industry == accounting, zone Europe/Moscow).
  void Build(std::vector<v1::Flag> flags) {
    Snapshot::Builder builder;
    for (v1::Flag& f : flags) builder.AddFlag(std::move(f));
    builder.AddSegment(ParseTextProto<v1::Segment>(R"pb(
      key: "accounting"
      time_zone: "Europe/Moscow"
      conditions { attribute: "industry" op: OPERATOR_EQUALS values: "accounting" }
    )pb"));
    for (const char* text : {
             R"pb(key: "books" attributes {
                    key: "industry"
                    value { string_value: "accounting" }
                  })pb",
             R"pb(key: "ledger" time_zone: "Asia/Vladivostok" attributes {
                    key: "industry"
                    value { string_value: "accounting" }
                  })pb",
             R"pb(key: "kino" attributes {
                    key: "industry"
                    value { string_value: "cinema" }
                  })pb"}) {
      builder.AddAccount(ParseTextProto<v1::Account>(text));
    }
    builder.SetFreezeSchedule(schedule_);
    snapshot_ = std::move(builder).Build();
  }

  Evaluation Eval(const std::string& account, absl::Time at, const std::string& flag = "editor") {
    return Evaluate(*snapshot_, flag, Context{account, "", nullptr}, at);
  }

  // `flag` as changed during the Moscow window: pinned as `before` was.
  static v1::Flag WithPin(v1::Flag flag, const v1::Flag* before, const std::string& zone,
                          absl::Time start, absl::Time end) {
    v1::FreezePin* pin = flag.add_freeze_pins();
    pin->set_segment("accounting");
    pin->set_time_zone(zone);
    *pin->mutable_window_start() = rampart::ToProto(start);
    *pin->mutable_window_end() = rampart::ToProto(end);
    if (before != nullptr) {
      *pin->mutable_flag() = *before;
    } else {
      pin->set_absent(true);
    }
    return flag;
  }

  v1::FreezeSchedule schedule_;
  std::shared_ptr<const Snapshot> snapshot_;
};

TEST_F(FreezeTest, AFrozenAccountKeepsThePinnedFlagUntilItsWindowCloses) {
  // Turned on during the Moscow window: pinned "off" as it was at 15:00 MSK.
  const v1::Flag before = Editor("off");
  Build({WithPin(Editor("on"), &before, "Europe/Moscow", kMoscowStart, kMoscowEnd)});
  const absl::Time during = Utc(2026, 12, 27, 10);

  Evaluation e = Eval("books", during);
  EXPECT_EQ(e.variant, "off");
  EXPECT_EQ(e.reason, v1::REASON_FROZEN);
  EXPECT_EQ(e.detail, "the 28th");
  // Not in the segment: the change reaches it at once.
  EXPECT_EQ(Eval("kino", during).variant, "on");
  // The window is [start, end): frozen at its first instant, free at its end.
  EXPECT_EQ(Eval("books", kMoscowStart).reason, v1::REASON_FROZEN);
  EXPECT_EQ(Eval("books", kMoscowEnd - absl::Nanoseconds(1)).variant, "off");
  e = Eval("books", kMoscowEnd);
  EXPECT_EQ(e.variant, "on");
  EXPECT_EQ(e.reason, v1::REASON_STATIC);
  EXPECT_EQ(Eval("books", kMoscowStart - absl::Seconds(1)).variant, "on");
}

TEST_F(FreezeTest, TheAccountsOwnZoneChoosesItsWindows) {
  // Changed at 10:00 UTC on the 25th: inside Vladivostok's window (from
  // 05:00 UTC), before Moscow's (from 12:00 UTC), so only Vladivostok pins.
  const v1::Flag before = Editor("off");
  Build({WithPin(Editor("on"), &before, "Asia/Vladivostok", kVladivostokStart,
                 kVladivostokEnd)});
  EXPECT_EQ(Eval("ledger", Utc(2026, 12, 26, 0)).variant, "off");
  EXPECT_EQ(Eval("ledger", Utc(2026, 12, 26, 0)).reason, v1::REASON_FROZEN);
  // books (Moscow): frozen since 12:00 UTC with the flag already on.
  EXPECT_EQ(Eval("books", Utc(2026, 12, 26, 0)).variant, "on");
  // Vladivostok's window closes seven hours before Moscow's.
  EXPECT_EQ(Eval("ledger", kVladivostokEnd).variant, "on");
}

TEST_F(FreezeTest, WithoutAPinTheFlagIsEvaluatedAtTheWindowsStart) {
  // An override that ends inside the window: a scheduled change, held too.
  v1::Flag flag = Editor("on");
  v1::Override* o = flag.add_overrides();
  o->set_account_key("books");
  o->set_variant("off");
  o->set_reason("integration not ready");
  *o->mutable_ends_at() = rampart::ToProto(Utc(2026, 12, 26, 0));
  Build({flag});
  Evaluation e = Eval("books", Utc(2026, 12, 27, 0));
  EXPECT_EQ(e.variant, "off");
  EXPECT_EQ(e.reason, v1::REASON_OVERRIDE);
  e = Eval("books", kMoscowEnd);
  EXPECT_EQ(e.variant, "on");
}

TEST_F(FreezeTest, AFlagCreatedDuringTheWindowDoesNotExistForFrozenAccounts) {
  Build({WithPin(Editor("on"), nullptr, "Europe/Moscow", kMoscowStart, kMoscowEnd)});
  const absl::Time during = Utc(2026, 12, 27, 10);
  EXPECT_EQ(Eval("books", during).error, v1::ERROR_CODE_FLAG_NOT_FOUND);
  EXPECT_EQ(Eval("kino", during).variant, "on");
  EXPECT_EQ(Eval("books", kMoscowEnd).variant, "on");
}

TEST_F(FreezeTest, ATenderWindowFreezesOnlyItsAccountsAndAGlobalOneEveryone) {
  v1::SegmentFreezeWindows* tender = schedule_.add_segments();
  tender->set_segment("");  // every account...
  tender->set_time_zone("");
  v1::FreezeWindow w = Window(Utc(2027, 1, 14, 2), Utc(2027, 1, 15, 8), "tender 0373200");
  w.add_accounts("kino");  // ...but only kino's tender
  *tender->add_windows() = w;
  v1::SegmentFreezeWindows* global = schedule_.add_segments();
  global->set_time_zone("");
  *global->add_windows() = Window(Utc(2027, 2, 1, 0), Utc(2027, 2, 2, 0), "release day off");
  const v1::Flag before = Editor("off");
  v1::Flag flag = Editor("on");
  for (auto [start, end] : {std::pair{Utc(2027, 1, 14, 2), Utc(2027, 1, 15, 8)},
                            std::pair{Utc(2027, 2, 1, 0), Utc(2027, 2, 2, 0)}}) {
    v1::FreezePin* pin = flag.add_freeze_pins();
    pin->set_time_zone("");
    *pin->mutable_window_start() = rampart::ToProto(start);
    *pin->mutable_window_end() = rampart::ToProto(end);
    *pin->mutable_flag() = before;
  }
  Build({flag});
  // kino has no zone and the global lists have none: the "" lists apply.
  EXPECT_EQ(Eval("kino", Utc(2027, 1, 14, 12)).detail, "tender 0373200");
  EXPECT_EQ(Eval("kino", Utc(2027, 1, 14, 12)).variant, "off");
  EXPECT_EQ(Eval("books", Utc(2027, 1, 14, 12)).variant, "on");
  // The global window: every account whose effective zone has a list.
  EXPECT_EQ(Eval("kino", Utc(2027, 2, 1, 12)).detail, "release day off");
  EXPECT_EQ(Eval("someone-new", Utc(2027, 2, 1, 12)).reason, v1::REASON_FROZEN);
}

TEST_F(FreezeTest, TheWindowThatOpenedFirstDecides) {
  // A second, longer window of the same segment in another calendar list,
  // opened a day earlier: its pin (the older state) wins.
  v1::SegmentFreezeWindows* quarter = schedule_.add_segments();
  quarter->set_segment("accounting");
  quarter->set_time_zone("Europe/Moscow");
  *quarter->add_windows() = Window(Utc(2026, 12, 24, 0), Utc(2026, 12, 31, 0), "quarter close");
  v1::Flag oldest = Editor("off");
  oldest.set_description("as of the 24th");
  v1::Flag newer = Editor("off");
  newer.set_description("as of the 25th");
  v1::Flag flag = WithPin(Editor("on"), &newer, "Europe/Moscow", kMoscowStart, kMoscowEnd);
  flag = WithPin(flag, &oldest, "Europe/Moscow", Utc(2026, 12, 24, 0), Utc(2026, 12, 31, 0));
  Build({flag});
  EXPECT_EQ(Eval("books", Utc(2026, 12, 27, 0)).detail, "quarter close");
  EXPECT_EQ(Eval("books", Utc(2026, 12, 29, 0)).detail, "quarter close");
  EXPECT_EQ(Eval("books", Utc(2026, 12, 31, 0)).variant, "on");
}

TEST_F(FreezeTest, NoScheduleMeansNoFreeze) {
  schedule_.Clear();
  const v1::Flag before = Editor("off");
  Build({WithPin(Editor("on"), &before, "Europe/Moscow", kMoscowStart, kMoscowEnd)});
  EXPECT_EQ(Eval("books", Utc(2026, 12, 27, 10)).variant, "on");
}

}  // namespace
}  // namespace rampart::eval
