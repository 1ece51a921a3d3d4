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

}  // namespace
}  // namespace rampart

BENCHMARK_MAIN();
