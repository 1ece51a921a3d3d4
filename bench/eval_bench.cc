// The evaluation engine at SDK scale: a snapshot of 10 000 flags, 100 000
// accounts and 50 segments; a bool flag with a segment rule and a percentage
// rollout. Reports time per evaluation, heap allocations per evaluation
// (counted by a global operator new in this binary), how two threads scale,
// and the memory and time to build the snapshot from an SdkSnapshot's bytes.
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bench/batch_timer.h"
#include "bench/scale_data.h"
#include "benchmark/benchmark.h"
#include "core/common/time_util.h"
#include "core/eval/engine.h"
#include "rampart/v1/sdk.pb.h"

RAMPART_BENCH_COUNT_ALLOCATIONS()

namespace rampart {
namespace {

constexpr int kFlags = bench::kScaleFlags;
constexpr int kAccounts = bench::kScaleAccounts;

std::shared_ptr<const eval::Snapshot> BuildSnapshot(const v1::SdkSnapshot& s) {
  eval::Snapshot::Builder b;
  for (const auto& f : s.flags()) b.AddFlag(f);
  for (const auto& seg : s.segments()) b.AddSegment(seg);
  for (const auto& a : s.accounts()) b.AddAccount(a);
  return std::move(b).Build();
}

// Bytes the heap has handed out and not taken back.
size_t HeapInUse() { return mallinfo2().uordblks; }

const std::string& SnapshotBytes() {
  static const std::string* bytes = new std::string(bench::ScaleData().SerializeAsString());
  return *bytes;
}

std::shared_ptr<const eval::Snapshot>& Shared() {
  static auto* snapshot = new std::shared_ptr<const eval::Snapshot>([] {
    v1::SdkSnapshot s;
    s.ParseFromString(SnapshotBytes());
    return BuildSnapshot(s);
  }());
  return *snapshot;
}

// Parse the streamed bytes and build the engine's snapshot: what an SDK does
// with a full snapshot. Also reports the memory the result holds.
void BM_ApplyFullSnapshot(benchmark::State& state) {
  const std::string& bytes = SnapshotBytes();
  size_t held = 0;
  for (auto _ : state) {
    const size_t before = HeapInUse();
    v1::SdkSnapshot s;
    s.ParseFromString(bytes);
    auto snapshot = BuildSnapshot(s);
    benchmark::DoNotOptimize(snapshot.get());
    s = v1::SdkSnapshot();  // the parsed message is gone once built
    held = HeapInUse() - before;
    state.PauseTiming();
    snapshot.reset();
    state.ResumeTiming();
  }
  state.counters["snapshot_MiB"] = static_cast<double>(held) / (1024 * 1024);
  state.counters["wire_MiB"] = static_cast<double>(bytes.size()) / (1024 * 1024);
}
BENCHMARK(BM_ApplyFullSnapshot)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();

template <typename PickFlag>
void RunEvaluations(benchmark::State& state, PickFlag pick_flag) {
  const eval::Snapshot& snapshot = *Shared();
  const absl::Time at = absl::Now();
  std::vector<std::string> accounts;
  for (int i = 0; i < 1024; ++i) accounts.push_back(absl::StrCat("acct-", (i * 97) % kAccounts));
  int64_t on = 0;
  bench::BatchTimer timer;
  timer.Run(state, static_cast<size_t>(state.thread_index()) * 7, [&](size_t i) {
    eval::Context ctx{accounts[i & 1023], "", nullptr};
    eval::Evaluation e = eval::Evaluate(snapshot, pick_flag(i), ctx, at);
    on += e.value != nullptr && e.value->bool_value();
  });
  benchmark::DoNotOptimize(on);
}

// The shape: one bool flag (kill switch, overrides, a rule on a
// segment whose conditions read the account's registry attributes, then a
// 25 % rollout), for the accounts of a busy app in turn.
void BM_EvaluateBool_OneFlag(benchmark::State& state) {
  const std::string flag = "flag-4242";
  RunEvaluations(state, [&](size_t) -> absl::string_view { return flag; });
}
BENCHMARK(BM_EvaluateBool_OneFlag)->Threads(1)->Threads(2)->UseRealTime();

// The worst case for the caches: another flag and account every time.
void BM_EvaluateBool_RandomPairs(benchmark::State& state) {
  std::vector<std::string> flags;
  for (int i = 0; i < 1024; ++i) flags.push_back(absl::StrCat("flag-", (i * 31) % kFlags));
  RunEvaluations(state, [&](size_t i) -> absl::string_view { return flags[(i >> 3) & 1023]; });
}
BENCHMARK(BM_EvaluateBool_RandomPairs)->Threads(1)->Threads(2)->UseRealTime();

// A flag in the middle of a ramp (issue 4), over the same accounts (shared)
// and segments: protected segment-49; stage 1 the accounts of segment-0, all;
// stage 2 a cohort of 1 000 accounts; stage 3 25 % of everyone not in
// segment-3. An account not served by stage 3 costs a cohort lookup and two
// segment checks more.
std::shared_ptr<const eval::Snapshot>& Ramped() {
  static auto* snapshot = new std::shared_ptr<const eval::Snapshot>([] {
    v1::SdkSnapshot data;
    data.ParseFromString(SnapshotBytes());
    eval::Snapshot::Builder b;
    for (const auto& seg : data.segments()) b.AddSegment(seg);
    v1::Flag flag = bench::BoolFlag("ramped");
    v1::RampServing& ramp = *flag.mutable_ramp();
    ramp.set_active(true);
    ramp.set_salt("ramped");
    ramp.add_protected_segments("segment-49");
    v1::ServingStage* internal = ramp.add_stages();
    internal->set_stage(1);
    internal->set_name("internal");
    internal->mutable_audience()->add_segments("segment-0");
    internal->set_all(true);
    internal->set_variant("on");
    v1::ServingStage* cohort = ramp.add_stages();
    cohort->set_stage(2);
    for (int i = 0; i < 1000; ++i) {
      cohort->mutable_cohort()->add_values(absl::StrCat("acct-", i * 97));
    }
    cohort->set_variant("on");
    v1::ServingStage* percent = ramp.add_stages();
    percent->set_stage(3);
    percent->mutable_audience()->add_excluded_segments("segment-3");
    percent->set_percent_thousandths(25000);
    percent->set_variant("on");
    b.AddFlag(std::move(flag));
    b.ShareAccountsWith(*Shared());
    return std::move(b).Build();
  }());
  return *snapshot;
}

void BM_EvaluateBool_RampedFlag(benchmark::State& state) {
  const eval::Snapshot& snapshot = *Ramped();
  const absl::Time at = absl::Now();
  std::vector<std::string> accounts;
  for (int i = 0; i < 1024; ++i) accounts.push_back(absl::StrCat("acct-", (i * 89) % kAccounts));
  int64_t on = 0;
  bench::BatchTimer timer;
  timer.Run(state, static_cast<size_t>(state.thread_index()) * 7, [&](size_t i) {
    eval::Context ctx{accounts[i & 1023], "", nullptr};
    eval::Evaluation e = eval::Evaluate(snapshot, "ramped", ctx, at);
    on += e.value != nullptr && e.value->bool_value();
  });
  benchmark::DoNotOptimize(on);
}
BENCHMARK(BM_EvaluateBool_RampedFlag)->Threads(1)->UseRealTime();

// Freezes active (issue 5): the same snapshot with a year of freeze windows
// for every one of the 50 segments (the 3rd, 5th and the 25th or 28th of each
// month, in Europe/Moscow, the accounts' zone), evaluated at an instant
// inside the windows of `open` segments (the argument: 1 or 10), where the
// flag has a pin (it changed during the window). Compare with
// BM_EvaluateBool_OneFlag: the goal is at most 1.5 times its cost.
const absl::Time kFrozenAt = absl::FromUnixSeconds(1798437600);  // 2026-12-28 06:00 UTC

std::shared_ptr<const eval::Snapshot> BuildFrozen(int open) {
  return [open] {
    v1::SdkSnapshot data;
    data.ParseFromString(SnapshotBytes());
    eval::Snapshot::Builder b;
    for (const auto& seg : data.segments()) b.AddSegment(seg);
    absl::TimeZone moscow;
    absl::LoadTimeZone("Europe/Moscow", &moscow);
    v1::FreezeSchedule schedule;
    v1::Flag flag = bench::BoolFlag("flag-4242");
    for (const auto& f : data.flags()) {
      if (f.key() == "flag-4242") flag = f;
    }
    const v1::Flag before = flag;
    for (int s = 0; s < bench::kScaleSegments; ++s) {
      v1::SegmentFreezeWindows* list = schedule.add_segments();
      list->set_segment(absl::StrCat("segment-", s));
      list->set_time_zone("Europe/Moscow");
      // The first `open` segments freeze on the 28th; the others on the 25th.
      const int deadline = s < open ? 28 : 25;
      for (int month = 1; month <= 12; ++month) {
        for (int day : {3, 5, deadline}) {
          const absl::Time start = absl::FromCivil(absl::CivilDay(2026, month, day), moscow);
          v1::FreezeWindow* w = list->add_windows();
          *w->mutable_start() = rampart::ToProto(start);
          *w->mutable_end() = rampart::ToProto(start + absl::Hours(24));
          w->set_rule("deadline");
          if (s < open && month == 12 && day == 28) {
            v1::FreezePin* pin = flag.add_freeze_pins();
            pin->set_segment(list->segment());
            pin->set_time_zone("Europe/Moscow");
            *pin->mutable_window_start() = w->start();
            *pin->mutable_window_end() = w->end();
            *pin->mutable_flag() = before;
          }
        }
      }
    }
    for (auto& f : *data.mutable_flags()) {
      if (f.key() == "flag-4242") f = flag;
      b.AddFlag(f);
    }
    b.SetFreezeSchedule(std::move(schedule));
    b.ShareAccountsWith(*Shared());
    return std::move(b).Build();
  }();
}

void BM_EvaluateBool_FreezesActive(benchmark::State& state) {
  static auto* snapshots = new std::map<int, std::shared_ptr<const eval::Snapshot>>();
  auto& built = (*snapshots)[static_cast<int>(state.range(0))];
  if (built == nullptr) built = BuildFrozen(static_cast<int>(state.range(0)));
  const eval::Snapshot& snapshot = *built;
  std::vector<std::string> accounts;
  for (int i = 0; i < 1024; ++i) accounts.push_back(absl::StrCat("acct-", (i * 97) % kAccounts));
  int64_t frozen = 0;
  bench::BatchTimer timer;
  timer.Run(state, static_cast<size_t>(state.thread_index()) * 7, [&](size_t i) {
    eval::Context ctx{accounts[i & 1023], "", nullptr};
    eval::Evaluation e = eval::Evaluate(snapshot, "flag-4242", ctx, kFrozenAt);
    frozen += e.reason == v1::REASON_FROZEN;
  });
  benchmark::DoNotOptimize(frozen);
}
BENCHMARK(BM_EvaluateBool_FreezesActive)->Arg(1)->Arg(10)->Threads(1)->UseRealTime();

}  // namespace
}  // namespace rampart

BENCHMARK_MAIN();
