// How fast a flag change reaches connected SDKs: a load tool, not a Google
// Benchmark (it measures a distribution across clients, not a loop).
//
// Starts rampartd's server in-process on 127.0.0.1:0 with a temp data dir,
// connects N real rampart::Client SDKs (default 1000, each with its own
// background thread and Watch stream), then commits R flag changes one at a
// time. For each change it records, per client, the time from the change
// being submitted to the client's OnFlagChange listener running, and prints p50,
// p99 and max over all (client, change) pairs.
//
//   build/bin/propagation_bench [clients=1000] [rounds=20]
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <thread>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/scale_data.h"
#include "absl/synchronization/mutex.h"
#include "core/common/clock.h"
#include "rampart/client.h"
#include "server/registry/registry.h"
#include "server/rpc/server.h"
#include "server/storage/store.h"
#include "server/stream/publisher.h"

namespace {

using SteadyClock = std::chrono::steady_clock;

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5));
  return v[i];
}

}  // namespace

int main(int argc, char** argv) {
  const int clients = argc > 1 ? atoi(argv[1]) : 1000;
  const int rounds = argc > 2 ? atoi(argv[2]) : 20;

  char tmpl[] = "/tmp/rampart-propagation-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  auto store = std::move(*rampart::storage::Store::Open({dir}));
  auto registry = std::move(*rampart::registry::Registry::Open(*store, rampart::RealClock::Get()));
  rampart::v1::PutFlagRequest put;
  put.mutable_meta()->set_actor("bench");
  put.mutable_meta()->set_reason("propagation benchmark");
  *put.mutable_flag() = rampart::bench::BoolFlag("propagated");
  int64_t revision = registry->PutFlag(put)->revision();

  auto publisher = std::move(*rampart::stream::Publisher::Create(*store, registry->revision()));
  registry->SetChangeListener(publisher.get());
  rampart::rpc::ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.log_requests = false;
  options.publisher = publisher.get();
  options.sdk_keys = {"bench-key"};
  auto server =
      std::move(*rampart::rpc::Server::Start(*registry, rampart::RealClock::Get(), options));
  const std::string address = absl::StrCat("127.0.0.1:", server->port());

  // Each client records when it saw each round's change.
  std::vector<std::vector<SteadyClock::time_point>> seen(clients,
                                                         std::vector<SteadyClock::time_point>(rounds));
  std::atomic<int> round{-1};
  std::atomic<long> arrivals{0};
  std::vector<std::unique_ptr<rampart::Client>> sdks;
  sdks.reserve(clients);
  const auto connect_start = SteadyClock::now();
  for (int i = 0; i < clients; ++i) {
    rampart::ClientOptions o;
    o.server_address = address;
    o.sdk_key = "bench-key";
    o.client_name = absl::StrCat("bench-", i);
    sdks.push_back(std::make_unique<rampart::Client>(o));
    sdks.back()->OnFlagChange("propagated", [&, i](const std::string&) {
      const int r = round.load();
      if (r >= 0 && seen[i][r] == SteadyClock::time_point()) {
        seen[i][r] = SteadyClock::now();
        arrivals.fetch_add(1);
      }
    });
  }
  int ready = 0;
  for (auto& sdk : sdks) ready += sdk->WaitForReady(std::chrono::seconds(60)) ? 1 : 0;
  const double connect_s =
      std::chrono::duration<double>(SteadyClock::now() - connect_start).count();
  std::printf("%d of %d SDK clients ready in %.2f s\n", ready, clients, connect_s);

  std::vector<double> latencies_ms;
  int missed = 0;
  for (int r = 0; r < rounds; ++r) {
    arrivals = 0;
    round = r;
    put.mutable_meta()->set_expected_revision(revision);
    put.mutable_flag()->set_description(absl::StrCat("round ", r));
    // From the moment the change is submitted (the SDKs may hear of it
    // before PutFlag returns: the publisher is told inside the commit).
    const auto committed = SteadyClock::now();
    auto updated = registry->PutFlag(put);
    if (!updated.ok()) {
      std::fprintf(stderr, "update failed: %s\n", std::string(updated.status().message()).c_str());
      return 1;
    }
    revision = updated->revision();
    // Wait (bounded) for every client to see it.
    const auto deadline = committed + std::chrono::seconds(10);
    while (arrivals.load() < clients && SteadyClock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    for (int i = 0; i < clients; ++i) {
      if (seen[i][r] == SteadyClock::time_point()) {
        ++missed;
        continue;
      }
      latencies_ms.push_back(
          std::chrono::duration<double, std::milli>(seen[i][r] - committed).count());
    }
  }
  const double p50 = Percentile(latencies_ms, 0.50);
  const double p99 = Percentile(latencies_ms, 0.99);
  const double max = latencies_ms.empty() ? 0 : latencies_ms.back();
  std::printf("%d clients x %d changes: p50 %.1f ms, p99 %.1f ms, max %.1f ms, missed %d\n",
              clients, rounds, p50, p99, max, missed);

  sdks.clear();
  server->Shutdown(absl::Seconds(1));
  server.reset();
  registry->SetChangeListener(nullptr);
  registry.reset();
  publisher.reset();
  store.reset();
  std::filesystem::remove_all(dir);
  return missed == 0 ? 0 : 1;
}
