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
#include "bench/scale_data.h"
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

constexpr int kFlags = bench::kScaleFlags;
constexpr int kAccounts = bench::kScaleAccounts;

size_t HeapInUse() { return mallinfo2().uordblks; }

v1::WriteMeta Meta() {
  v1::WriteMeta m;
  m.set_actor("bench");
  m.set_reason("sdk benchmark data");
  return m;
}

// Writes bench::ScaleData() through the registry, as an import and changes.
void Seed(registry::Registry& registry) {
  const v1::SdkSnapshot data = bench::ScaleData();
  v1::ImportOptions options;
  *options.mutable_meta() = Meta();
  std::vector<v1::ImportRow> rows;
  rows.reserve(data.accounts_size());
  for (const v1::Account& a : data.accounts()) {
    v1::ImportRow& row = rows.emplace_back();
    row.set_line(static_cast<int64_t>(rows.size()) + 1);
    *row.mutable_account() = a;
  }
  (void)registry.ImportAccounts(options, rows);
  for (const v1::Segment& segment : data.segments()) {
    v1::PutSegmentRequest req;
    *req.mutable_meta() = Meta();
    *req.mutable_segment() = segment;
    (void)registry.PutSegment(req);
  }
  for (const v1::Flag& flag : data.flags()) {
    v1::PutFlagRequest req;
    *req.mutable_meta() = Meta();
    *req.mutable_flag() = flag;
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
  std::fprintf(stderr, "seeding %d flags, %d segments, %d accounts...\n", kFlags,
               bench::kScaleSegments, kAccounts);
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
