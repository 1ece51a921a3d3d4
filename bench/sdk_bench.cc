// The SDK at scale, end to end: rampartd's server in-process on loopback
// holding 10 000 flags (each a bool flag with a segment rule and a 25 %
// rollout), 50 segments and 100 000 accounts; a real rampart::Client connects
// and receives the full snapshot. Reports
//   - the time from creating the Client to WaitForReady (stream, parse, index),
//   - the heap the Client holds once ready,
//   - GetBoolean per call on one and two threads, with heap allocations per
//     call counted by a global operator new in this binary.
// Results are recorded in docs/benchmarks.md.
#include <malloc.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/batch_timer.h"
#include "benchmark/benchmark.h"
#include "core/common/clock.h"
#include "rampart/client.h"
#include "server/registry/registry.h"
#include "server/rpc/server.h"
#include "server/storage/store.h"
#include "server/stream/publisher.h"

RAMPART_BENCH_COUNT_ALLOCATIONS()

namespace rampart {
namespace {

constexpr int kFlags = 10'000;
constexpr int kAccounts = 100'000;
constexpr int kSegments = 50;
const char* kIndustries[] = {"accounting", "cinema", "procurement", "logistics", "hr", "retail"};

size_t HeapInUse() { return mallinfo2().uordblks; }

v1::WriteMeta Meta() {
  v1::WriteMeta m;
  m.set_actor("bench");
  m.set_reason("sdk benchmark data");
  return m;
}

v1::Condition Cond(const char* attribute, v1::Operator op, const std::string& value) {
  v1::Condition c;
  c.set_attribute(attribute);
  c.set_op(op);
  c.add_values(value);
  return c;
}

void Seed(registry::Registry& registry) {
  v1::ImportOptions options;
  *options.mutable_meta() = Meta();
  std::vector<v1::ImportRow> rows;
  rows.reserve(kAccounts);
  for (int i = 0; i < kAccounts; ++i) {
    v1::ImportRow& row = rows.emplace_back();
    row.set_line(i + 2);
    v1::Account* a = row.mutable_account();
    a->set_key(absl::StrCat("acct-", i));
    a->set_name(absl::StrCat("Company ", i));
    a->set_time_zone("Europe/Moscow");
    auto& attrs = *a->mutable_attributes();
    attrs["industry"].set_string_value(kIndustries[i % 6]);
    attrs["plan"].set_string_value(i % 3 == 0 ? "enterprise" : "pro");
    attrs["ltv"].set_number_value((i * 7919) % 5'000'000);
    if (i % 10 == 0) attrs["tags"].mutable_list_value()->add_values("beta");
  }
  (void)registry.ImportAccounts(options, rows);
  for (int i = 0; i < kSegments; ++i) {
    v1::PutSegmentRequest req;
    *req.mutable_meta() = Meta();
    v1::Segment* seg = req.mutable_segment();
    seg->set_key(absl::StrCat("segment-", i));
    *seg->add_conditions() = Cond("industry", v1::OPERATOR_EQUALS, kIndustries[i % 6]);
    *seg->add_conditions() = Cond("ltv", v1::OPERATOR_GREATER_OR_EQUAL, std::to_string(i * 50'000));
    for (int m = 0; m < 20; ++m) seg->add_included(absl::StrCat("acct-", i * 1000 + m));
    (void)registry.PutSegment(req);
  }
  for (int i = 0; i < kFlags; ++i) {
    v1::PutFlagRequest req;
    *req.mutable_meta() = Meta();
    v1::Flag* f = req.mutable_flag();
    f->set_key(absl::StrCat("flag-", i));
    f->set_type(v1::FLAG_TYPE_BOOL);
    for (auto [name, value] : {std::pair{"on", true}, std::pair{"off", false}}) {
      auto* v = f->add_variants();
      v->set_name(name);
      v->mutable_value()->set_bool_value(value);
    }
    f->set_default_variant("off");
    f->set_off_variant("off");
    f->set_enabled(true);
    v1::Rule* rule = f->add_rules();
    rule->add_segments(absl::StrCat("segment-", i % kSegments));
    rule->set_variant("on");
    for (auto [name, weight] : {std::pair{"on", 25'000u}, std::pair{"off", 75'000u}}) {
      auto* w = f->mutable_rollout()->add_variants();
      w->set_variant(name);
      w->set_weight(weight);
    }
    (void)registry.PutFlag(req);
  }
}

Client* g_client = nullptr;

std::vector<Context> Contexts() {
  std::vector<Context> contexts;
  for (int i = 0; i < 1024; ++i) contexts.emplace_back(absl::StrCat("acct-", (i * 97) % kAccounts));
  return contexts;
}

// One flag, the accounts of a busy app in turn.
void BM_GetBoolean_OneFlag(benchmark::State& state) {
  const std::vector<Context> contexts = Contexts();
  int64_t on = 0;
  bench::BatchTimer timer;
  timer.Run(state, static_cast<size_t>(state.thread_index()) * 13, [&](size_t i) {
    on += g_client->GetBoolean("flag-4242", contexts[i & 1023], false);
  });
  benchmark::DoNotOptimize(on);
}
BENCHMARK(BM_GetBoolean_OneFlag)->Threads(1)->Threads(2)->UseRealTime();

// The worst case for the caches: another flag and account on every call.
void BM_GetBoolean_RandomPairs(benchmark::State& state) {
  const std::vector<Context> contexts = Contexts();
  std::vector<std::string> flags;
  for (int i = 0; i < 1024; ++i) flags.push_back(absl::StrCat("flag-", (i * 31) % kFlags));
  int64_t on = 0;
  bench::BatchTimer timer;
  timer.Run(state, static_cast<size_t>(state.thread_index()) * 13, [&](size_t i) {
    on += g_client->GetBoolean(flags[(i >> 3) & 1023], contexts[i & 1023], false);
  });
  benchmark::DoNotOptimize(on);
}
BENCHMARK(BM_GetBoolean_RandomPairs)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace
}  // namespace rampart

int main(int argc, char** argv) {
  using namespace rampart;
  char tmpl[] = "/tmp/rampart-sdk-bench-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  auto store = std::move(*storage::Store::Open({dir}));
  auto registry = std::move(*registry::Registry::Open(*store, RealClock::Get()));
  std::fprintf(stderr, "seeding %d flags, %d segments, %d accounts...\n", kFlags, kSegments,
               kAccounts);
  Seed(*registry);
  auto publisher = std::move(*stream::Publisher::Create(*store, registry->revision()));
  registry->SetChangeListener(publisher.get());
  rpc::ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.log_requests = false;
  options.publisher = publisher.get();
  auto server = std::move(*rpc::Server::Start(*registry, RealClock::Get(), options));

  ClientOptions client_options;
  client_options.server_address = absl::StrCat("127.0.0.1:", server->port());
  {
    // A first client makes the server build and cache its snapshot, so the
    // measurement below is the client's own.
    Client warm(client_options);
    warm.WaitForReady(std::chrono::seconds(120));
  }
  const size_t heap_before = HeapInUse();
  const auto start = std::chrono::steady_clock::now();
  auto client = std::make_unique<Client>(client_options);
  const bool ready = client->WaitForReady(std::chrono::seconds(120));
  const double ready_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  // WaitForReady returns as soon as the new flags are in use, while the
  // background thread still holds the message it applied; let it drop it.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const double held_mib = static_cast<double>(HeapInUse() - heap_before) / (1 << 20);
  std::printf("client ready: %s in %.0f ms (stream + parse + index of the full snapshot); "
              "heap held by the client: %.1f MiB (%.1f MB)\n",
              ready ? "yes" : "NO", ready_ms, held_mib, held_mib * 1.048576);
  g_client = client.get();

  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();

  client.reset();
  server->Shutdown(absl::Seconds(1));
  server.reset();
  registry->SetChangeListener(nullptr);
  registry.reset();
  publisher.reset();
  store.reset();
  std::filesystem::remove_all(dir);
  return ready ? 0 : 1;
}
