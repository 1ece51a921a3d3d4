// Ramps at 100 000 accounts (issue 4: "computing a count stage over 100 000
// accounts, and previewing it: each at most 200 ms"). Results in
// docs/benchmarks.md.
//
//   BM_NextCohort, BM_SortInRampOrder: cohort selection alone
//     (core/ramp/cohort.h) over 100 000 eligible keys. Targets 20, 1000 and
//     all, from an empty cohort and from a 500-account one (a stage after
//     "500"; with a target of 20 it keeps the 500 and adds nothing, but still
//     scans every account).
//   BM_PlanStep_Count1000, BM_ServingIndexes: the planner (core/ramp/
//     planner.h) over a RegistryView of 100 000 accounts and 3 segments: the
//     step from a count stage of 500 into one of 1000, and one pass of the
//     matcher over every account (PlanStep makes three).
//   BM_Registry_*: the server's path on an in-memory RocksDB registry with the
//     100 000 accounts imported: loading accounts and segments from RocksDB,
//     PreviewRamp of the 1000 stage, AdvanceRamp into it (each iteration is
//     rolled back to the 500 stage outside the timing).
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/scale_data.h"
#include "benchmark/benchmark.h"
#include "core/common/clock.h"
#include "core/ramp/cohort.h"
#include "core/ramp/planner.h"
#include "server/registry/registry.h"
#include "server/registry/testing/in_memory_registry.h"
#include "server/registry/ramp_internal.h"

namespace rampart::ramp {
namespace {

constexpr absl::string_view kSalt = "new-invoice-editor";

// Setup and results must be right, or the figures mean nothing: abort.
void Require(bool ok, absl::string_view what) {
  if (ok) return;
  std::fprintf(stderr, "ramp_bench: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}
void Require(const absl::Status& s, absl::string_view what) {
  Require(s.ok(), absl::StrCat(what, ": ", s.ToString()));
}
constexpr int kAccounts = 100000;
constexpr int64_t kAll = -1;

const std::vector<std::string>& Eligible() {
  static const auto* keys = [] {
    auto* k = new std::vector<std::string>;
    for (int i = 0; i < kAccounts; ++i) k->push_back(absl::StrFormat("acct-%06d", i));
    return k;
  }();
  return *keys;
}

// state.range(0): target (kAll for all); state.range(1): previous cohort size.
void BM_NextCohort(benchmark::State& state) {
  const std::vector<std::string>& eligible = Eligible();
  std::vector<std::string> previous;
  if (state.range(1) > 0) {
    previous = NextCohort({kSalt, {}, eligible, CohortTarget::Count(state.range(1))}).cohort;
  }
  const CohortTarget target = state.range(0) == kAll
                                  ? CohortTarget::All()
                                  : CohortTarget::Count(static_cast<size_t>(state.range(0)));
  size_t added = 0;
  for (auto _ : state) {
    CohortStep step = NextCohort({kSalt, previous, eligible, target});
    added = step.added.size();
    benchmark::DoNotOptimize(step);
  }
  state.counters["added"] = static_cast<double>(added);
  state.SetLabel(absl::StrFormat("%d eligible, target %s, from %d", kAccounts,
                                 state.range(0) == kAll ? "all" : absl::StrCat(state.range(0)),
                                 state.range(1)));
}
BENCHMARK(BM_NextCohort)
    ->ArgsProduct({{20, 1000, kAll}, {0, 500}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The full stable order of 100 000 accounts (what a preview listing
// everything, or a naive implementation, would sort).
void BM_SortInRampOrder(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(SortInRampOrder(kSalt, Eligible()));
}
BENCHMARK(BM_SortInRampOrder)->Unit(benchmark::kMillisecond)->UseRealTime();

// --- The planner over a registry of 100 000 accounts ---------------------------

// Account i: industry (six, in turn), plan, ltv spread over [0, 5 000 000),
// staff for one in 2000. Keys "acct-000000"... (the server's key order).
v1::Account ScaleAccount(int i) {
  static const char* kIndustries[] = {"accounting", "cinema", "procurement",
                                      "logistics",  "hr",     "retail"};
  v1::Account a;
  a.set_key(absl::StrFormat("acct-%06d", i));
  a.set_name(absl::StrCat("Company ", i));
  a.set_time_zone("Europe/Moscow");
  auto& attrs = *a.mutable_attributes();
  attrs["industry"].set_string_value(kIndustries[i % 6]);
  attrs["plan"].set_string_value(i % 3 == 0 ? "enterprise" : "pro");
  attrs["ltv"].set_number_value((static_cast<int64_t>(i) * 7919) % 5'000'000);
  attrs["staff"].set_bool_value(i % 2000 == 0);
  return a;
}

v1::Segment ScaleSegment(const std::string& key, const std::string& attribute, v1::Operator op,
                         const std::string& value) {
  v1::Segment s;
  s.set_key(key);
  v1::Condition* c = s.add_conditions();
  c->set_attribute(attribute);
  c->set_op(op);
  c->add_values(value);
  return s;
}

// internal: the 50 staff accounts; retail: a sixth of the accounts, kept out
// of the count stages (its season); top-ltv: ltv >= 4 950 000, 1 %,
// protected.
std::vector<v1::Segment> ScaleSegments() {
  return {ScaleSegment("internal", "staff", v1::OPERATOR_EQUALS, "true"),
          ScaleSegment("retail", "industry", v1::OPERATOR_EQUALS, "retail"),
          ScaleSegment("top-ltv", "ltv", v1::OPERATOR_GREATER_OR_EQUAL, "4950000")};
}

// internal (all) -> 500 -> 1000 -> all; count stages exclude retail;
// top-ltv protected.
v1::RampPlan ScalePlan() {
  v1::RampPlan plan;
  v1::RampStage* internal = plan.add_stages();
  internal->set_name("internal");
  internal->set_all(true);
  internal->mutable_audience()->add_segments("internal");
  for (int count : {500, 1000}) {
    v1::RampStage* s = plan.add_stages();
    s->set_name(absl::StrCat(count));
    s->set_count(count);
    s->mutable_audience()->add_excluded_segments("retail");
  }
  v1::RampStage* all = plan.add_stages();
  all->set_name("all");
  all->set_all(true);
  plan.add_protected_segments("top-ltv");
  return plan;
}

v1::Flag ScaleFlag() { return bench::BoolFlag(std::string(kSalt)); }

// The registry in memory, and the ramp at its 500 stage.
struct PlannerWorld {
  std::vector<v1::Account> accounts;
  absl::flat_hash_map<std::string, v1::Segment> segments;
  v1::Flag flag = ScaleFlag();
  v1::Ramp ramp;
  RegistryView view() const { return RegistryView{accounts, &segments}; }
};

const PlannerWorld& World() {
  static const PlannerWorld* world = [] {
    auto* w = new PlannerWorld;
    w->accounts.reserve(kAccounts);
    for (int i = 0; i < kAccounts; ++i) w->accounts.push_back(ScaleAccount(i));
    for (v1::Segment& s : ScaleSegments()) w->segments[s.key()] = s;
    w->ramp.set_key(w->flag.key());
    *w->ramp.mutable_plan() = ScalePlan();
    Require(ValidatePlan(*w->ramp.mutable_plan(), &w->flag,
                         [&](absl::string_view key) { return w->segments.contains(key); }),
            "ValidatePlan");
    w->ramp.set_status(v1::RAMP_STATUS_DRAFT);
    for (int stage : {1, 2}) {
      absl::StatusOr<Step> step = PlanStep(w->ramp, w->flag, w->view(), stage, absl::Now());
      Require(step.status(), "PlanStep");
      ApplyStep(w->ramp, step->entered);
    }
    Require(w->ramp.entered(1).cohort_size() == 500, "the 500 stage picked 500");
    return w;
  }();
  return *world;
}

// The step from the 500 stage into the 1000 stage: the cohort, who starts
// being served, the counts (what a preview and an advance compute).
void BM_PlanStep_Count1000(benchmark::State& state) {
  const PlannerWorld& w = World();
  const RegistryView view = w.view();
  size_t added = 0;
  for (auto _ : state) {
    absl::StatusOr<Step> step = PlanStep(w.ramp, w.flag, view, 3, absl::Now());
    Require(step.status(), "PlanStep");
    added = step->added.size();
    benchmark::DoNotOptimize(step);
  }
  state.counters["added"] = static_cast<double>(added);
  state.SetLabel("100000 accounts, 3 segments, 500 -> 1000");
}
BENCHMARK(BM_PlanStep_Count1000)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(1);

// One pass of the matcher: BuildServing and ServingIndexes over every account.
void BM_ServingIndexes(benchmark::State& state) {
  const PlannerWorld& w = World();
  const RegistryView view = w.view();
  for (auto _ : state) {
    benchmark::DoNotOptimize(ServingIndexes(BuildServing(w.ramp, w.flag), view));
  }
  state.SetLabel("100000 accounts, ramp at the 500 stage");
}
BENCHMARK(BM_ServingIndexes)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(1);

// --- The server's path --------------------------------------------------------

v1::WriteMeta Meta(const std::string& reason) {
  v1::WriteMeta m;
  m.set_actor("bench");
  m.set_reason(reason);
  return m;
}

// An in-memory RocksDB registry with the 100 000 accounts imported (in
// batches of 1000 rows, as the CLI streams a CSV), the three segments, the
// flag, and its ramp started and advanced to the 500 stage.
struct ServerWorld {
  std::unique_ptr<rampart::testing::InMemoryRegistry> db;
  registry::Registry* registry = nullptr;
  absl::Duration import_time;
};

ServerWorld& Server() {
  static ServerWorld* world = [] {
    auto* w = new ServerWorld;
    auto db = rampart::testing::InMemoryRegistry::Open(RealClock::Get(), "/mem/ramp_bench");
    Require(db.status(), "InMemoryRegistry::Open");
    w->db = std::move(*db);
    w->registry = w->db->registry();
    registry::Registry& r = *w->registry;

    const absl::Time start = absl::Now();
    v1::ImportOptions options;
    *options.mutable_meta() = Meta("CRM import");
    options.set_source("bench");
    std::vector<v1::ImportRow> rows;
    for (int i = 0; i < kAccounts; ++i) {
      v1::ImportRow& row = rows.emplace_back();
      row.set_line(i + 2);
      *row.mutable_account() = ScaleAccount(i);
      if (rows.size() == 1000 || i + 1 == kAccounts) {
        absl::StatusOr<v1::ImportAccountsResponse> resp = r.ImportAccounts(options, rows);
        Require(resp.status(), "ImportAccounts");
        Require(resp->rejected() == 0, "ImportAccounts rejected rows");
        rows.clear();
      }
    }
    w->import_time = absl::Now() - start;

    for (const v1::Segment& s : ScaleSegments()) {
      v1::PutSegmentRequest req;
      *req.mutable_meta() = Meta("segment");
      *req.mutable_segment() = s;
      Require(r.PutSegment(req).status(), "PutSegment");
    }
    v1::PutFlagRequest flag;
    *flag.mutable_meta() = Meta("flag");
    *flag.mutable_flag() = ScaleFlag();
    Require(r.PutFlag(flag).status(), "PutFlag");
    v1::CreateRampRequest create;
    *create.mutable_meta() = Meta("ramp");
    create.set_flag_key(std::string(kSalt));
    *create.mutable_plan() = ScalePlan();
    Require(r.CreateRamp(create).status(), "CreateRamp");
    v1::RampActionRequest start_req;
    *start_req.mutable_meta() = Meta("start");
    start_req.set_flag_key(std::string(kSalt));
    Require(r.StartRamp(start_req).status(), "StartRamp");
    v1::AdvanceRampRequest advance;
    *advance.mutable_meta() = Meta("to 500");
    advance.set_flag_key(std::string(kSalt));
    absl::StatusOr<v1::StepResponse> step = r.AdvanceRamp(advance);
    Require(step.status(), "AdvanceRamp");
    Require(step->stepped() && step->ramp().current_stage() == 2, "advanced to the 500 stage");
    return w;
  }();
  return *world;
}

// What every preview, advance and status pays first: every account and
// segment scanned from RocksDB, parsed and copied into a vector (as
// LoadWorld in server/registry/ramps.cc does), and freed at the end.
void BM_Registry_LoadAccounts(benchmark::State& state) {
  ServerWorld& w = Server();
  const storage::Store& store = *w.db->store();
  size_t loaded = 0;
  for (auto _ : state) {
    absl::StatusOr<registry::RegistryWorld> world = registry::LoadWorld(store);
    Require(world.status(), "LoadWorld");
    loaded = world->accounts.size();
    benchmark::DoNotOptimize(world);
  }
  state.counters["accounts"] = static_cast<double>(loaded);
  state.counters["import_s"] = absl::ToDoubleSeconds(w.import_time);
}
BENCHMARK(BM_Registry_LoadAccounts)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(1);

// Registry::PreviewRamp of the next stage (500 -> 1000), listing the added
// accounts with their names.
void BM_Registry_PreviewRamp(benchmark::State& state) {
  registry::Registry& r = *Server().registry;
  v1::PreviewRampRequest req;
  req.set_flag_key(std::string(kSalt));
  int64_t added = 0;
  for (auto _ : state) {
    absl::StatusOr<v1::RampPreview> preview = r.PreviewRamp(req);
    Require(preview.status(), "PreviewRamp");
    added = preview->added_count();
    benchmark::DoNotOptimize(preview);
  }
  state.counters["added"] = static_cast<double>(added);
  state.SetLabel("100000 accounts, 500 -> 1000");
}
BENCHMARK(BM_Registry_PreviewRamp)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(1);

// Registry::AdvanceRamp into the 1000 stage: load, plan, store the ramp and
// the flag's new serving view with their audit entries in one batch. Rolled
// back to the 500 stage after each iteration, outside the timing.
void BM_Registry_AdvanceRamp(benchmark::State& state) {
  registry::Registry& r = *Server().registry;
  v1::AdvanceRampRequest advance;
  *advance.mutable_meta() = Meta("to 1000");
  advance.set_flag_key(std::string(kSalt));
  v1::RollbackRampRequest rollback;
  *rollback.mutable_meta() = Meta("again");
  rollback.set_flag_key(std::string(kSalt));
  rollback.set_to_stage(2);
  for (auto _ : state) {
    absl::StatusOr<v1::StepResponse> step = r.AdvanceRamp(advance);
    Require(step.status(), "AdvanceRamp");
    state.PauseTiming();
    Require(step->stepped() && step->ramp().current_stage() == 3, "advanced to the 1000 stage");
    Require(r.RollbackRamp(rollback).status(), "RollbackRamp");
    state.ResumeTiming();
  }
  state.SetLabel("100000 accounts, 500 -> 1000");
}
BENCHMARK(BM_Registry_AdvanceRamp)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(1);

}  // namespace
}  // namespace rampart::ramp

BENCHMARK_MAIN();
