// rampartd's write and read paths, measured in one process so ratios compare
// on a noisy machine: the registry alone (RocksDB with synced WAL), the same
// through gRPC on loopback, a 100 000-account CSV import through gRPC,
// server-side Evaluate with and without API tokens, and the token check
// alone.
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "bench/scale_data.h"
#include "benchmark/benchmark.h"
#include "cli/import/account_reader.h"
#include "core/common/clock.h"
#include "grpcpp/grpcpp.h"
#include "rampart/v1/admin.grpc.pb.h"
#include "rampart/v1/auth.pb.h"
#include "rampart/v1/eval.grpc.pb.h"
#include "server/auth/authenticator.h"
#include "server/registry/registry.h"
#include "server/rpc/server.h"
#include "server/storage/store.h"

namespace rampart {
namespace {

// A server on a fresh temp data dir, torn down with the benchmark. With
// `require_tokens`, every call needs an API token (rampartd's default).
struct Fixture {
  explicit Fixture(bool require_tokens = false) {
    char tmpl[] = "/tmp/rampart-bench-XXXXXX";
    dir = mkdtemp(tmpl);
    store = std::move(*storage::Store::Open({dir}));
    registry = std::move(*registry::Registry::Open(*store, RealClock::Get()));
    rpc::ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.log_requests = false;
    options.require_tokens = require_tokens;
    server = std::move(*rpc::Server::Start(*registry, RealClock::Get(), options));
    channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server->port()),
                                  grpc::InsecureChannelCredentials());
  }
  ~Fixture() {
    server.reset();
    registry.reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }
  std::string dir;
  std::unique_ptr<storage::Store> store;
  std::unique_ptr<registry::Registry> registry;
  std::unique_ptr<rpc::Server> server;
  std::shared_ptr<grpc::Channel> channel;
};


v1::WriteMeta Meta(int64_t revision) {
  v1::WriteMeta m;
  m.set_actor("bench");
  m.set_reason("benchmark");
  m.set_expected_revision(revision);
  return m;
}

// Updates of one flag, each a read-check-write with a synced audit entry.
void BM_FlagUpdate_Registry(benchmark::State& state) {
  Fixture fx;
  v1::PutFlagRequest req;
  *req.mutable_meta() = Meta(0);
  *req.mutable_flag() = bench::BoolFlag("bench-flag");
  int64_t revision = fx.registry->PutFlag(req)->revision();
  int i = 0;
  for (auto _ : state) {
    req.mutable_flag()->set_description(absl::StrCat("update ", i++));
    req.mutable_meta()->set_expected_revision(revision);
    auto r = fx.registry->PutFlag(req);
    if (!r.ok()) state.SkipWithError(std::string(r.status().message()).c_str());
    revision = r->revision();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FlagUpdate_Registry)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_FlagUpdate_Grpc(benchmark::State& state) {
  Fixture fx;
  auto stub = v1::FlagService::NewStub(fx.channel);
  v1::PutFlagRequest req;
  *req.mutable_meta() = Meta(0);
  *req.mutable_flag() = bench::BoolFlag("bench-flag");
  v1::Flag resp;
  {
    grpc::ClientContext ctx;
    stub->PutFlag(&ctx, req, &resp);
  }
  int i = 0;
  for (auto _ : state) {
    req.mutable_flag()->set_description(absl::StrCat("update ", i++));
    req.mutable_meta()->set_expected_revision(resp.revision());
    grpc::ClientContext ctx;
    grpc::Status s = stub->PutFlag(&ctx, req, &resp);
    if (!s.ok()) state.SkipWithError(s.error_message().c_str());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FlagUpdate_Grpc)->Unit(benchmark::kMicrosecond)->UseRealTime();

void BM_FlagCreate_Grpc(benchmark::State& state) {
  Fixture fx;
  auto stub = v1::FlagService::NewStub(fx.channel);
  v1::PutFlagRequest req;
  *req.mutable_meta() = Meta(0);
  int i = 0;
  for (auto _ : state) {
    *req.mutable_flag() = bench::BoolFlag(absl::StrCat("flag-", i++));
    grpc::ClientContext ctx;
    v1::Flag resp;
    grpc::Status s = stub->PutFlag(&ctx, req, &resp);
    if (!s.ok()) state.SkipWithError(s.error_message().c_str());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FlagCreate_Grpc)->Unit(benchmark::kMicrosecond)->UseRealTime();

// The CLI's import path minus process start: parse a CRM CSV with the CLI's
// reader and stream it to ImportAccounts in batches of 1000 rows.
void BM_ImportCsv_Grpc(benchmark::State& state) {
  const int rows = static_cast<int>(state.range(0));
  std::string csv = "key,name,time_zone,industry,ltv:number,tags:list\n";
  const char* zones[] = {"Europe/Moscow", "Asia/Novosibirsk", "Asia/Vladivostok"};
  const char* industries[] = {"accounting", "cinema", "procurement", "logistics"};
  for (int i = 0; i < rows; ++i) {
    absl::StrAppend(&csv, "acct-", i, ",Company ", i, ",", zones[i % 3], ",", industries[i % 4],
                    ",", (i * 7919) % 5000000, ",", i % 10 == 0 ? "beta;vip" : "", "\n");
  }
  for (auto _ : state) {
    state.PauseTiming();
    auto fx = std::make_unique<Fixture>();
    auto stub = v1::AccountService::NewStub(fx->channel);
    state.ResumeTiming();
    grpc::ClientContext ctx;
    v1::ImportAccountsResponse resp;
    auto writer = stub->ImportAccounts(&ctx, &resp);
    v1::ImportAccountsRequest batch;
    *batch.mutable_options()->mutable_meta() = Meta(0);
    std::istringstream in(csv);
    auto flush = [&] {
      writer->Write(batch);
      batch.Clear();
    };
    auto status = cli::ReadAccounts(in, cli::ImportFormat::kCsv, [&](v1::ImportRow row) {
      *batch.add_rows() = std::move(row);
      if (batch.rows_size() == 1000) flush();
      return true;
    });
    if (batch.rows_size() > 0) flush();
    writer->WritesDone();
    grpc::Status s = writer->Finish();
    if (!s.ok() || resp.created() != rows) {
      state.SkipWithError(absl::StrCat("import failed: ", s.error_message(), " created ",
                                       resp.created()).c_str());
    }
    state.PauseTiming();
    fx.reset();  // keep the teardown out of the timing
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * rows);
}
BENCHMARK(BM_ImportCsv_Grpc)->Arg(100000)->Iterations(1)->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// A server with one account, a segment and a flag with a rule on it, shared
// by every thread of BM_Evaluate_Grpc (created once, never torn down); one
// server without tokens, one requiring them with a stored sdk token in
// `sdk_token`.
Fixture& EvaluateFixture(bool require_tokens, std::string* sdk_token) {
  static std::string token;
  static Fixture* fixtures[2] = {nullptr, nullptr};
  Fixture*& fx = fixtures[require_tokens ? 1 : 0];
  if (fx == nullptr) {
    fx = new Fixture(require_tokens);
    v1::PutAccountRequest acct;
    *acct.mutable_meta() = Meta(0);
    acct.mutable_account()->set_key("acme");
    (*acct.mutable_account()->mutable_attributes())["industry"].set_string_value("accounting");
    (void)fx->registry->PutAccount(acct);
    v1::PutSegmentRequest seg;
    *seg.mutable_meta() = Meta(0);
    seg.mutable_segment()->set_key("accounting");
    auto* c = seg.mutable_segment()->add_conditions();
    c->set_attribute("industry");
    c->set_op(v1::OPERATOR_EQUALS);
    c->add_values("accounting");
    (void)fx->registry->PutSegment(seg);
    v1::PutFlagRequest flag;
    *flag.mutable_meta() = Meta(0);
    *flag.mutable_flag() = bench::BoolFlag("editor");
    auto* rule = flag.mutable_flag()->add_rules();
    rule->add_segments("accounting");
    rule->set_variant("on");
    (void)fx->registry->PutFlag(flag);
    if (require_tokens) {
      v1::CreateTokenRequest create;
      *create.mutable_meta() = Meta(0);
      create.set_name("bench-sdk");
      create.set_role(v1::ROLE_SDK);
      auto created = fx->registry->CreateToken(create);
      if (created.ok()) token = created->secret();
    }
  }
  *sdk_token = token;
  return *fx;
}

// Server-side Evaluate: each benchmark thread is a client with its own
// channel (its own connection), the load generator on the same 2 cores.
// Argument 1: the server requires tokens and the client sends a stored
// sdk token (hashed and looked up in RocksDB on every call); 0: no tokens.
void BM_Evaluate_Grpc(benchmark::State& state) {
  std::string token;
  Fixture& fx = EvaluateFixture(state.range(0) != 0, &token);
  if (state.range(0) != 0 && token.empty()) state.SkipWithError("no token");
  grpc::ChannelArguments args;
  args.SetInt("rampart.bench.client", state.thread_index());  // a connection per thread
  auto channel = grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", fx.server->port()),
                                           grpc::InsecureChannelCredentials(), args);
  auto stub = v1::EvaluationService::NewStub(channel);
  v1::EvaluateRequest req;
  req.set_flag_key("editor");
  req.mutable_context()->set_account_key("acme");
  for (auto _ : state) {
    grpc::ClientContext ctx;
    if (!token.empty()) ctx.AddMetadata("authorization", absl::StrCat("Bearer ", token));
    v1::EvaluationResult r;
    grpc::Status s = stub->Evaluate(&ctx, req, &r);
    if (!s.ok() || r.variant() != "on") state.SkipWithError("evaluate failed");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Evaluate_Grpc)
    ->ArgName("token")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime()
    ->Threads(1)
    ->Threads(4);

// What the token check costs a call by itself: Authorize of a stored sdk
// token (SHA-256 of the secret, one RocksDB read of the token record,
// expiry and policy) on the server of BM_Evaluate_Grpc/token:1.
void BM_Authorize_StoredToken(benchmark::State& state) {
  std::string token;
  Fixture& fx = EvaluateFixture(true, &token);
  const auth::Authenticator authenticator(fx.registry.get(), RealClock::Get(), {});
  const std::string header = absl::StrCat("Bearer ", token);
  for (auto _ : state) {
    auto caller = authenticator.Authorize(header, "EvaluationService.Evaluate");
    if (!caller.ok()) state.SkipWithError("authorize failed");
    benchmark::DoNotOptimize(caller);
  }
}
BENCHMARK(BM_Authorize_StoredToken)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace rampart

BENCHMARK_MAIN();
