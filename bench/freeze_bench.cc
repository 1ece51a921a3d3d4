// Freeze windows (issue 5: "expanding a year of windows for 100 segments: at
// most 50 ms"). Results in docs/benchmarks.md.
//
// The data: 100 segments, each with a freeze calendar of the ru-accounting
// preset (5 rules), weekend-evening, two ru-tender windows for a few accounts
// and a local date range (9 rules), in one of six Russian zones from
// Europe/Kaliningrad to Asia/Kamchatka; the calendar is the test calendar
// with Russia's 2026 days off (core/freeze/testing/holiday_calendar.h).
//
//   BM_ExpandYear_100Segments: WindowsOf every segment's rules over 2026
//     (about 100 windows a segment).
//   BM_WindowsOfOneRule: one rule over 2026, by kind.
//   BM_FrozenAt: one segment's FrozenAt at instants through the year, what
//     `rampart freeze check` pays (it expands 62 days back, 400 ahead).
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "core/freeze/presets.h"
#include "core/freeze/rule.h"
#include "core/freeze/testing/holiday_calendar.h"
#include "core/freeze/windows.h"

namespace rampart::freeze {
namespace {

constexpr int kSegments = 100;
constexpr const char* kZones[] = {"Europe/Kaliningrad", "Europe/Moscow",    "Asia/Yekaterinburg",
                                  "Asia/Novosibirsk",   "Asia/Vladivostok", "Asia/Kamchatka"};

// Setup and results must be right, or the figures mean nothing: abort.
void Require(bool ok, absl::string_view what) {
  if (ok) return;
  std::fprintf(stderr, "freeze_bench: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

absl::Time Utc(int y, int m, int d, int h = 0) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, h), absl::UTCTimeZone());
}

const calendar::WorkingDays& Calendar() {
  static const auto* cal = new testing::HolidayCalendar(testing::Russia2026());
  return *cal;
}

// Segment i's freeze calendar.
std::vector<FreezeRule> SegmentRules(int i) {
  const std::string zone = kZones[i % std::size(kZones)];
  std::vector<FreezeRule> rules = RuAccounting(zone);
  rules.push_back(WeekendEvening(zone));
  // Tenders on different days for different segments.
  const absl::Time t1 = Utc(2026, 3 + i % 9, 1 + i % 27, 2 + i % 8);
  const absl::Time t2 = Utc(2026, 1 + (i * 7) % 12, 1 + (i * 5) % 28, 6);
  rules.push_back(RuTender(absl::StrCat("tender-", i, "-a"), zone, t1,
                           {absl::StrCat("acct-", i, "-1"), absl::StrCat("acct-", i, "-2")}));
  rules.push_back(
      RuTender(absl::StrCat("tender-", i, "-b"), zone, t2, {absl::StrCat("acct-", i, "-3")}));
  FreezeRule inventory;
  inventory.name = "inventory";
  inventory.zone = zone;
  OneOff range;
  range.start = absl::CivilSecond(2026, 12, 20 + i % 5);
  range.end = absl::CivilSecond(2026, 12, 23 + i % 5, 18);
  inventory.kind = range;
  rules.push_back(inventory);
  Require(ValidateRules(rules).ok(), "segment rules");
  return rules;
}

const std::vector<std::vector<FreezeRule>>& Segments() {
  static const auto* segments = [] {
    auto* s = new std::vector<std::vector<FreezeRule>>;
    for (int i = 0; i < kSegments; ++i) s->push_back(SegmentRules(i));
    return s;
  }();
  return *segments;
}

void BM_ExpandYear_100Segments(benchmark::State& state) {
  const auto& segments = Segments();
  const absl::Time from = Utc(2026, 1, 1), to = Utc(2027, 1, 1);
  size_t windows = 0;
  for (auto _ : state) {
    windows = 0;
    for (const std::vector<FreezeRule>& rules : segments) {
      absl::StatusOr<std::vector<Window>> ws = WindowsOf(rules, Calendar(), from, to);
      Require(ws.ok(), "WindowsOf");
      windows += ws->size();
      benchmark::DoNotOptimize(ws);
    }
  }
  state.counters["windows"] = static_cast<double>(windows);
  state.SetLabel(absl::StrFormat("%d segments x %d rules, 2026", kSegments,
                                 static_cast<int>(segments[0].size())));
}
BENCHMARK(BM_ExpandYear_100Segments)->Unit(benchmark::kMillisecond)->UseRealTime();

// state.range(0): index of the rule in segment 1's calendar (Europe/Moscow).
void BM_WindowsOfOneRule(benchmark::State& state) {
  const FreezeRule& rule = Segments()[1][state.range(0)];
  const absl::Time from = Utc(2026, 1, 1), to = Utc(2027, 1, 1);
  size_t windows = 0;
  for (auto _ : state) {
    absl::StatusOr<std::vector<Window>> ws = Windows(rule, Calendar(), from, to);
    Require(ws.ok(), "Windows");
    windows = ws->size();
    benchmark::DoNotOptimize(ws);
  }
  state.counters["windows"] = static_cast<double>(windows);
  state.SetLabel(rule.name);
}
// ru-accounting.28 (monthly), .year-end (last working day), weekend-evening,
// a tender.
BENCHMARK(BM_WindowsOfOneRule)->Arg(1)->Arg(4)->Arg(5)->Arg(6)->Unit(benchmark::kMicrosecond);

void BM_FrozenAt(benchmark::State& state) {
  const std::vector<FreezeRule>& rules = Segments()[1];
  // Instants every 7 h 13 min through 2026, frozen or not.
  std::vector<absl::Time> instants;
  for (absl::Time t = Utc(2026, 1, 1); t < Utc(2027, 1, 1); t += absl::Minutes(433)) {
    instants.push_back(t);
  }
  size_t i = 0, frozen = 0, calls = 0;
  for (auto _ : state) {
    absl::StatusOr<FreezeState> s =
        FrozenAt(rules, Calendar(), instants[i++ % instants.size()], "acct-1-1");
    Require(s.ok(), "FrozenAt");
    frozen += s->frozen;
    ++calls;
    benchmark::DoNotOptimize(s);
  }
  state.counters["frozen_share"] = calls > 0 ? static_cast<double>(frozen) / calls : 0;
}
BENCHMARK(BM_FrozenAt)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace rampart::freeze

BENCHMARK_MAIN();
