// Pins as flags change (core/eval/freeze_pins.h) read back by the engine:
// over random changes at random instants, an account of a frozen segment
// evaluates every flag inside a window exactly as the flag was when the
// window opened, and as it is now outside windows (domain promise 3); a
// change that breaks the freeze reaches it at once, and only that change.
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "core/common/time_util.h"
#include "core/eval/engine.h"
#include "core/eval/freeze_pins.h"
#include "gtest/gtest.h"

namespace rampart::eval {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1'800'000'000);

struct Window {
  absl::Time start;
  absl::Time end;
};
const Window kWindows[] = {{kT0 + absl::Hours(10), kT0 + absl::Hours(20)},
                           {kT0 + absl::Hours(30), kT0 + absl::Hours(40)}};

v1::FreezeSchedule Schedule() {
  v1::FreezeSchedule schedule;
  v1::SegmentFreezeWindows* list = schedule.add_segments();
  list->set_segment("frozen");
  for (const Window& w : kWindows) {
    v1::FreezeWindow* fw = list->add_windows();
    *fw->mutable_start() = rampart::ToProto(w.start);
    *fw->mutable_end() = rampart::ToProto(w.end);
    fw->set_rule("deadline");
  }
  return schedule;
}

v1::Flag NewFlag() {
  v1::Flag f;
  f.set_key("f");
  f.set_type(v1::FLAG_TYPE_STRING);
  for (int i = 0; i < 4; ++i) {
    v1::Variant* v = f.add_variants();
    v->set_name(absl::StrCat("v", i));
    v->mutable_value()->set_string_value(absl::StrCat("v", i));
  }
  f.set_default_variant("v0");
  f.set_off_variant("v0");
  f.set_enabled(true);
  return f;
}

// What `flag` (or no flag) gives `account` at `at`, in a snapshot with
// `schedule` (null: none).
std::string AnswerWith(const v1::Flag* flag, const std::string& account, absl::Time at,
                       const v1::FreezeSchedule* schedule) {
  Snapshot::Builder b;
  if (flag != nullptr) b.AddFlag(*flag);
  v1::Segment frozen;
  frozen.set_key("frozen");
  frozen.add_included("in-1");
  frozen.add_included("in-2");
  b.AddSegment(frozen);
  for (const char* key : {"in-1", "in-2", "out"}) {
    v1::Account a;
    a.set_key(key);
    b.AddAccount(a);
  }
  if (schedule != nullptr) b.SetFreezeSchedule(*schedule);
  const auto snapshot = std::move(b).Build();
  const Evaluation e = Evaluate(*snapshot, "f", Context{account, "", nullptr}, at);
  if (e.error != v1::ERROR_CODE_UNSPECIFIED) return absl::StrCat("error ", e.error);
  return std::string(e.variant);
}

// The same, with Schedule() or without any.
std::string Answer(const v1::Flag* flag, const std::string& account, absl::Time at,
                   bool with_schedule) {
  const v1::FreezeSchedule schedule = Schedule();
  return AnswerWith(flag, account, at, with_schedule ? &schedule : nullptr);
}

const Window* WindowAt(absl::Time t) {
  for (const Window& w : kWindows) {
    if (w.start <= t && t < w.end) return &w;
  }
  return nullptr;
}

// A random change of the flag's targeting or state.
void Mutate(std::mt19937& rng, absl::Time now, v1::Flag& f) {
  const auto variant = [&] { return absl::StrCat("v", rng() % 4); };
  switch (rng() % 5) {
    case 0:
      f.set_default_variant(variant());
      break;
    case 1:
      f.set_enabled(!f.enabled());
      break;
    case 2: {
      // An override, often ending inside a window: a scheduled change.
      v1::Override* o = f.add_overrides();
      o->set_account_key(rng() % 2 ? "in-1" : "out");
      o->set_variant(variant());
      *o->mutable_ends_at() = rampart::ToProto(now + absl::Minutes(30 + rng() % 900));
      // One override per account: keep the newest.
      for (int i = 0; i + 1 < f.overrides_size(); ++i) {
        if (f.overrides(i).account_key() == o->account_key()) {
          f.mutable_overrides()->DeleteSubrange(i, 1);
          break;
        }
      }
      break;
    }
    case 3: {
      v1::Rule* r = f.add_rules();
      r->set_id(absl::StrCat("rule-", f.rules_size()));
      r->add_segments("frozen");
      r->set_variant(variant());
      break;
    }
    default:
      f.clear_rules();
      break;
  }
}

TEST(FreezePinsTest, NoChangeReachesAFrozenAccountInsideAWindow) {
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    std::mt19937 rng(seed);
    // The flag's versions, each from the instant of its change; the first
    // change creates it, sometimes inside a window.
    struct Version {
      absl::Time at;
      v1::Flag flag;  // without pins
    };
    std::vector<Version> history;
    v1::Flag stored;
    bool exists = false;
    absl::Time now = kT0 + absl::Minutes(rng() % 1200);
    int checks = 0;
    while (now < kT0 + absl::Hours(50)) {
      v1::Flag next = exists ? stored : NewFlag();
      next.clear_freeze_pins();
      if (exists) Mutate(rng, now, next);
      history.push_back({now, next});
      UpdatePins(exists ? &stored : nullptr, next, Schedule(), now, /*break_freeze=*/false);
      stored = next;
      exists = true;
      const absl::Time following = now + absl::Minutes(20 + rng() % 240);
      // Probe instants before the next change.
      for (int p = 0; p < 3; ++p) {
        const absl::Time at = now + (following - now) * ((rng() % 1000) / 1000.0);
        for (const std::string account : {"in-1", "in-2", "out"}) {
          const std::string got = Answer(&stored, account, at, true);
          const Window* w = account == "out" ? nullptr : WindowAt(at);
          std::string want;
          if (w == nullptr) {
            want = Answer(&history.back().flag, account, at, false);
          } else {
            // As it was when the window opened: the last version changed
            // before its start, evaluated at its start.
            const v1::Flag* then = nullptr;
            for (const Version& v : history) {
              if (v.at < w->start) then = &v.flag;
            }
            want = Answer(then, account, w->start, false);
          }
          ASSERT_EQ(got, want) << "seed " << seed << ", " << account << " at "
                               << rampart::FormatTime(at) << ", "
                               << history.size() << " versions";
          ++checks;
        }
      }
      now = following;
    }
    EXPECT_GT(checks, 100) << "seed " << seed;
  }
}

TEST(FreezePinsTest, ABreakingChangeReachesFrozenAccountsAloneAndAtOnce) {
  const absl::Time before_window = kWindows[0].start - absl::Hours(1);
  const absl::Time during = kWindows[0].start + absl::Hours(1);
  v1::Flag v1 = NewFlag();  // default v0
  UpdatePins(nullptr, v1, Schedule(), before_window, false);
  // During the window: the default moves to v1 (waits for the window's end)...
  v1::Flag v2 = v1;
  v2.set_default_variant("v1");
  UpdatePins(&v1, v2, Schedule(), during, false);
  ASSERT_EQ(v2.freeze_pins_size(), 1);
  EXPECT_EQ(Answer(&v2, "in-1", during, true), "v0");
  // ...then the kill switch, breaking the freeze: it alone reaches them.
  v1::Flag v3 = v2;
  v3.set_enabled(false);
  v3.set_off_variant("v3");
  UpdatePins(&v2, v3, Schedule(), during + absl::Minutes(5), /*break_freeze=*/true);
  EXPECT_EQ(Answer(&v3, "in-1", during + absl::Minutes(6), true), "v3");
  // Unkilled, breaking again: back to what was pinned, not the new default.
  v1::Flag v4 = v3;
  v4.set_enabled(true);
  UpdatePins(&v3, v4, Schedule(), during + absl::Minutes(10), /*break_freeze=*/true);
  EXPECT_EQ(Answer(&v4, "in-1", during + absl::Minutes(11), true), "v0");
  EXPECT_EQ(Answer(&v4, "out", during + absl::Minutes(11), true), "v1");
  // At the window's end the held change arrives.
  EXPECT_EQ(Answer(&v4, "in-1", kWindows[0].end, true), "v1");
  // The next change after the window drops the closed window's pin.
  v1::Flag v5 = v4;
  v5.set_description("docs");
  UpdatePins(&v4, v5, Schedule(), kWindows[0].end + absl::Hours(1), false);
  EXPECT_EQ(v5.freeze_pins_size(), 0);
  EXPECT_TRUE(DropClosedPins(v4, kWindows[0].end));
  EXPECT_EQ(v4.freeze_pins_size(), 0);
}

TEST(FreezePinsTest, AFlagCreatedInAWindowWaitsUnlessItBreaksTheFreeze) {
  const absl::Time during = kWindows[1].start + absl::Hours(2);
  v1::Flag created = NewFlag();
  UpdatePins(nullptr, created, Schedule(), during, false);
  ASSERT_EQ(created.freeze_pins_size(), 1);
  EXPECT_TRUE(created.freeze_pins(0).absent());
  EXPECT_EQ(Answer(&created, "in-2", during, true),
            absl::StrCat("error ", v1::ERROR_CODE_FLAG_NOT_FOUND));
  EXPECT_EQ(Answer(&created, "out", during, true), "v0");
  v1::Flag urgent = NewFlag();
  UpdatePins(nullptr, urgent, Schedule(), during, /*break_freeze=*/true);
  EXPECT_EQ(urgent.freeze_pins_size(), 0);
  EXPECT_EQ(Answer(&urgent, "in-2", during, true), "v0");
}

TEST(FreezePinsTest, APinHoldsItsWindowAfterARecomputationMovesTheWindowsStart) {
  const auto hours = [](int h) { return kT0 + absl::Hours(h); };
  const auto schedule_of = [&](int start, int end, std::vector<int> pin_starts) {
    v1::FreezeSchedule schedule;
    v1::SegmentFreezeWindows* list = schedule.add_segments();
    list->set_segment("frozen");
    v1::FreezeWindow* w = list->add_windows();
    *w->mutable_start() = rampart::ToProto(hours(start));
    *w->mutable_end() = rampart::ToProto(hours(end));
    for (const int t : pin_starts) *w->add_pin_starts() = rampart::ToProto(hours(t));
    return schedule;
  };
  // A window [10 h, 20 h) holds a change made at 12 h.
  const v1::FreezeSchedule before = schedule_of(10, 20, {});
  const v1::Flag f0 = NewFlag();
  v1::Flag f1 = f0;
  f1.set_default_variant("v1");
  UpdatePins(&f0, f1, before, hours(12), false);
  ASSERT_EQ(f1.freeze_pins_size(), 1);
  EXPECT_EQ(AnswerWith(&f1, "in-1", hours(12), &before), "v0");

  // At 13 h an edit makes it [5 h, 30 h). Without its old start carried,
  // the pin no longer belongs to it and the held change gets through.
  const v1::FreezeSchedule lost = schedule_of(5, 30, {});
  EXPECT_EQ(AnswerWith(&f1, "in-1", hours(13), &lost), "v1");
  // With it (CarryPinStarts), the account keeps what it had at 10 h, past
  // the old end too; the others have the change.
  const v1::FreezeSchedule moved = schedule_of(5, 30, {10});
  EXPECT_EQ(AnswerWith(&f1, "in-1", hours(13), &moved), "v0");
  EXPECT_EQ(AnswerWith(&f1, "in-1", hours(25), &moved), "v0");
  EXPECT_EQ(AnswerWith(&f1, "out", hours(13), &moved), "v1");

  // A change at 25 h, past the pin's recorded end: the pin is moved to the
  // window as it is now, not dropped, and no second pin is taken.
  v1::Flag f2 = f1;
  f2.set_default_variant("v2");
  UpdatePins(&f1, f2, moved, hours(25), false);
  ASSERT_EQ(f2.freeze_pins_size(), 1);
  EXPECT_EQ(rampart::FromProto(f2.freeze_pins(0).window_start()), hours(10));
  EXPECT_EQ(rampart::FromProto(f2.freeze_pins(0).window_end()), hours(30));
  EXPECT_EQ(AnswerWith(&f2, "in-1", hours(26), &moved), "v0");
  EXPECT_EQ(AnswerWith(&f2, "in-1", hours(30) - absl::Seconds(1), &moved), "v0");
  EXPECT_EQ(AnswerWith(&f2, "in-1", hours(30), &moved), "v2");
}

TEST(FreezePinsTest, AWindowExtendedAtItsEndKeepsItsPinThroughAWriteAfterTheOldEnd) {
  const auto hours = [](int h) { return kT0 + absl::Hours(h); };
  v1::FreezeSchedule schedule = Schedule();  // [10 h, 20 h) first
  const v1::Flag f0 = NewFlag();
  v1::Flag f1 = f0;
  f1.set_default_variant("v1");
  UpdatePins(&f0, f1, schedule, hours(12), false);
  // Extended to 25 h (same start: the pin belongs to it as it is).
  *schedule.mutable_segments(0)->mutable_windows(0)->mutable_end() = rampart::ToProto(hours(25));
  v1::Flag f2 = f1;
  f2.set_default_variant("v2");
  UpdatePins(&f1, f2, schedule, hours(22), false);
  EXPECT_EQ(AnswerWith(&f2, "in-1", hours(22), &schedule), "v0");
  EXPECT_EQ(AnswerWith(&f2, "in-1", hours(25), &schedule), "v2");
}

}  // namespace
}  // namespace rampart::eval
