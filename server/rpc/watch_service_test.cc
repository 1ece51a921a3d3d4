// SdkService.Watch over a real gRPC server on 127.0.0.1:0, driven by the
// generated sync stub as an SDK would: snapshot then deltas, resuming, keys,
// a slow watcher next to a fast one, shutdown with streams open.
#include "server/rpc/watch_service.h"

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/impl/codegen/client_unary_call.h"
#include "gtest/gtest.h"
#include "rampart/v1/sdk.grpc.pb.h"
#include "rocksdb/env.h"
#include "server/rpc/server.h"
#include "server/stream/publisher.h"
#include "server/registry/testing/in_memory_registry.h"
#include "tests/testing/simulated_clock.h"
#include "tests/testing/status_matchers.h"

namespace rampart::rpc {
namespace {

using ::testing::ElementsAre;

constexpr char kKey[] = "sdk-key-1";

// One open Watch stream.
struct Watcher {
  grpc::ClientContext ctx;
  std::unique_ptr<grpc::ClientReader<v1::WatchResponse>> reader;

  // The next message; fails the test when the stream ends instead.
  v1::WatchResponse Read() {
    v1::WatchResponse r;
    if (!reader->Read(&r)) ADD_FAILURE() << "the stream ended";
    return r;
  }
  grpc::Status Finish() { return reader->Finish(); }
};

int64_t VersionOf(const v1::WatchResponse& r) {
  return r.has_snapshot() ? r.snapshot().version() : r.delta().version();
}

class WatchServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, rampart::testing::InMemoryRegistry::Open(clock_, "/mem/watch"));
    store_ = db_->store();
    registry_ = db_->registry();
    auto publisher = stream::Publisher::Create(*store_, registry_->revision());
    ASSERT_OK(publisher);
    publisher_ = std::move(*publisher);
    registry_->SetChangeListener(publisher_.get());

    ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.log_requests = false;
    options.publisher = publisher_.get();
    options.sdk_keys = {"another-key", kKey};
    auto server = Server::Start(*registry_, clock_, options);
    ASSERT_OK(server);
    server_ = std::move(*server);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                   grpc::InsecureChannelCredentials());
    stub_ = v1::SdkService::NewStub(channel_);
  }

  void TearDown() override {
    server_->Shutdown(absl::Seconds(5));
    registry_->SetChangeListener(nullptr);
  }

  std::unique_ptr<Watcher> Watch(int64_t from_version, const std::string& key = kKey) {
    auto w = std::make_unique<Watcher>();
    // A test that hangs fails instead.
    w->ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
    if (!key.empty()) w->ctx.AddMetadata("authorization", "Bearer " + key);
    v1::WatchRequest req;
    req.set_from_version(from_version);
    req.set_client_name("watch-test/1.0");
    w->reader = stub_->Watch(&w->ctx, req);
    return w;
  }

  static v1::WriteMeta Meta(int64_t revision = 0) {
    v1::WriteMeta m;
    m.set_actor("alice");
    m.set_reason("testing");
    m.set_expected_revision(revision);
    return m;
  }

  void PutFlag(const std::string& key) {
    v1::PutFlagRequest req;
    *req.mutable_meta() = Meta();
    v1::Flag& f = *req.mutable_flag();
    f.set_key(key);
    f.set_type(v1::FLAG_TYPE_BOOL);
    for (const char* name : {"on", "off"}) {
      auto* v = f.add_variants();
      v->set_name(name);
      v->mutable_value()->set_bool_value(std::string(name) == "on");
    }
    f.set_default_variant("off");
    f.set_off_variant("off");
    ASSERT_OK(registry_->PutFlag(req));
  }

  // An account with `padding` bytes of notes (to fill flow-control windows).
  void PutAccount(const std::string& key, size_t padding = 0) {
    v1::PutAccountRequest req;
    *req.mutable_meta() = Meta();
    req.mutable_account()->set_key(key);
    req.mutable_account()->set_name(key);
    if (padding > 0) {
      (*req.mutable_account()->mutable_attributes())["notes"].set_string_value(
          std::string(padding, 'x'));
    }
    ASSERT_OK(registry_->PutAccount(req));
  }

  testing::SimulatedClock clock_{absl::FromUnixSeconds(1795430400)};
  std::unique_ptr<rampart::testing::InMemoryRegistry> db_;
  storage::Store* store_ = nullptr;
  registry::Registry* registry_ = nullptr;
  std::unique_ptr<stream::Publisher> publisher_;
  std::unique_ptr<Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::SdkService::Stub> stub_;
};

TEST_F(WatchServiceTest, SnapshotFirstThenADeltaPerChange) {
  PutFlag("new-editor");
  auto w = Watch(0);
  v1::WatchResponse first = w->Read();
  ASSERT_TRUE(first.has_snapshot());
  EXPECT_EQ(first.snapshot().version(), 1);
  ASSERT_EQ(first.snapshot().flags_size(), 1);
  EXPECT_EQ(first.snapshot().flags(0).key(), "new-editor");

  PutAccount("acme");
  v1::WatchResponse second = w->Read();
  ASSERT_TRUE(second.has_delta());
  EXPECT_EQ(second.delta().from_version(), 1);
  EXPECT_EQ(second.delta().version(), 2);
  ASSERT_EQ(second.delta().put_accounts_size(), 1);
  EXPECT_EQ(second.delta().put_accounts(0).key(), "acme");

  w->ctx.TryCancel();
  EXPECT_EQ(w->Finish().error_code(), grpc::StatusCode::CANCELLED);
}

TEST_F(WatchServiceTest, ResumingGetsOnlyTheDeltasAfterItsVersion) {
  for (const char* key : {"a", "b", "c"}) PutFlag(key);  // versions 1..3
  auto w = Watch(1);
  std::vector<std::string> got;
  for (int i = 0; i < 2; ++i) {
    v1::WatchResponse r = w->Read();
    ASSERT_TRUE(r.has_delta());
    got.push_back(absl::StrCat(r.delta().from_version(), "->", r.delta().version(), ":",
                               r.delta().put_flags(0).key()));
  }
  PutFlag("d");
  v1::WatchResponse r = w->Read();
  ASSERT_TRUE(r.has_delta());
  got.push_back(absl::StrCat(r.delta().from_version(), "->", r.delta().version(), ":",
                             r.delta().put_flags(0).key()));
  EXPECT_THAT(got, ElementsAre("1->2:b", "2->3:c", "3->4:d"));
}

TEST_F(WatchServiceTest, UpToDateWatcherIsToldSoThenGetsTheNextChange) {
  PutFlag("a");
  auto w = Watch(1);
  // First: an empty delta 1 -> 1, "you are current" (the stream is live).
  v1::WatchResponse current = w->Read();
  ASSERT_TRUE(current.has_delta());  // not a snapshot: it was up to date
  EXPECT_EQ(current.delta().from_version(), 1);
  EXPECT_EQ(current.delta().version(), 1);
  EXPECT_EQ(current.delta().put_flags_size(), 0);
  PutFlag("b");
  v1::WatchResponse r = w->Read();
  ASSERT_TRUE(r.has_delta());
  EXPECT_EQ(r.delta().from_version(), 1);
  EXPECT_EQ(r.delta().version(), 2);
  ASSERT_EQ(r.delta().put_flags_size(), 1);
  EXPECT_EQ(r.delta().put_flags(0).key(), "b");
}

TEST_F(WatchServiceTest, MissingOrUnknownKeyIsUnauthenticated) {
  PutFlag("a");
  for (const std::string key : {"", "wrong-key", "sdk-key-", "sdk-key-12"}) {
    auto w = Watch(0, key);
    v1::WatchResponse r;
    EXPECT_FALSE(w->reader->Read(&r)) << key;  // nothing is sent
    grpc::Status s = w->Finish();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED) << key;
    EXPECT_THAT(s.error_message(), ::testing::StartsWith("authorization: "));
  }
  // Not a bearer token.
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", kKey);
  auto reader = stub_->Watch(&ctx, v1::WatchRequest());
  v1::WatchResponse r;
  EXPECT_FALSE(reader->Read(&r));
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(WatchServiceTest, RequestThatDoesNotParseIsInvalidArgument) {
  // The raw method, as a misbehaving client would call it.
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", absl::StrCat("Bearer ", kKey));
  const grpc::internal::RpcMethod method("/rampart.v1.SdkService/Watch",
                                         grpc::internal::RpcMethod::SERVER_STREAMING);
  const std::string garbage = "\xff\xff\xff";
  grpc::Slice slice(garbage);
  grpc::ByteBuffer request(&slice, 1);
  std::unique_ptr<grpc::ClientReader<grpc::ByteBuffer>> reader(
      grpc::internal::ClientReaderFactory<grpc::ByteBuffer>::Create(channel_.get(), method, &ctx,
                                                                    request));
  grpc::ByteBuffer response;
  EXPECT_FALSE(reader->Read(&response));
  grpc::Status s = reader->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
}

TEST_F(WatchServiceTest, ASlowWatcherHoldsUpNeitherTheOthersNorTheRegistry) {
  constexpr int kChanges = 200;
  // 200 x 16 KB: far more than the HTTP/2 windows of a client that does not
  // read, so the slow watcher's writes really stall.
  constexpr size_t kPadding = 16 << 10;
  auto fast = Watch(0);
  auto slow = Watch(0);
  ASSERT_TRUE(fast->Read().has_snapshot());
  ASSERT_TRUE(slow->Read().has_snapshot());  // then it stops reading

  std::atomic<int64_t> fast_version{0};
  std::atomic<int> fast_deltas{0};
  std::thread reader([&] {
    v1::WatchResponse r;
    while (fast_version < kChanges && fast->reader->Read(&r)) {
      if (r.has_delta()) {
        EXPECT_EQ(r.delta().from_version(), fast_version.load());
        ++fast_deltas;
      }
      fast_version = VersionOf(r);
    }
  });
  const absl::Time start = absl::Now();
  for (int i = 0; i < kChanges; ++i) PutAccount(absl::StrCat("acct-", i), kPadding);
  const absl::Duration committing = absl::Now() - start;
  reader.join();
  const absl::Duration until_fast_is_done = absl::Now() - start;

  EXPECT_EQ(fast_version, kChanges);
  EXPECT_EQ(fast_deltas, kChanges);  // every change, in order, as a delta
  EXPECT_LT(committing, absl::Seconds(20));
  EXPECT_LT(until_fast_is_done, absl::Seconds(20));

  // The slow one catches up to the latest version once it reads.
  int64_t slow_version = 0;
  v1::WatchResponse r;
  while (slow_version < kChanges && slow->reader->Read(&r)) slow_version = VersionOf(r);
  EXPECT_EQ(slow_version, kChanges);
}

TEST_F(WatchServiceTest, ShutdownEndsOpenStreamsAtOnce) {
  auto w = Watch(0);
  ASSERT_TRUE(w->Read().has_snapshot());
  const absl::Time start = absl::Now();
  server_->Shutdown(absl::Seconds(30));
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));  // not the 30 s of grace
  v1::WatchResponse r;
  EXPECT_FALSE(w->reader->Read(&r));
  grpc::Status s = w->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(s.error_message(), "server shutting down");
}

// ---------------------------------------------------------------------------
// The calls a client app makes back: ReportProblem, EnrollBeta, WithdrawBeta.

// A unary SdkService call with `key` (none when empty) and a deadline.
struct AppCall {
  explicit AppCall(const std::string& key) {
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
    if (!key.empty()) ctx.AddMetadata("authorization", "Bearer " + key);
  }
  grpc::ClientContext ctx;
};

v1::SdkBetaRequest Beta(const std::string& flag, const std::string& account,
                        const std::string& client_name = "billing-service/1.4.2") {
  v1::SdkBetaRequest req;
  req.set_flag_key(flag);
  req.set_account_key(account);
  req.set_client_name(client_name);
  return req;
}

v1::ReportProblemRequest Problem(const std::string& flag, const std::string& reporter) {
  v1::ReportProblemRequest req;
  req.set_flag_key(flag);
  req.set_account_key("acme");
  req.set_user_key("u-42");
  req.set_text("totals are off");
  req.set_reporter(reporter);
  return req;
}

TEST_F(WatchServiceTest, AppCallsWithoutAGoodKeyAreUnauthenticatedAndChangeNothing) {
  PutFlag("new-editor");
  PutAccount("acme");
  const int64_t revision = registry_->revision();
  for (const std::string key : {"", "wrong-key", "sdk-key-"}) {
    SCOPED_TRACE(key);
    {
      AppCall call(key);
      v1::ProblemReport resp;
      const grpc::Status s =
          stub_->ReportProblem(&call.ctx, Problem("new-editor", "sdk:test"), &resp);
      EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
      EXPECT_THAT(s.error_message(), ::testing::StartsWith("authorization: "));
    }
    {
      AppCall call(key);
      v1::BetaEnrollmentResponse resp;
      const grpc::Status s = stub_->EnrollBeta(&call.ctx, Beta("new-editor", "acme"), &resp);
      EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
      EXPECT_THAT(s.error_message(), ::testing::StartsWith("authorization: "));
    }
    {
      AppCall call(key);
      v1::BetaEnrollmentResponse resp;
      const grpc::Status s = stub_->WithdrawBeta(&call.ctx, Beta("new-editor", "acme"), &resp);
      EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
      EXPECT_THAT(s.error_message(), ::testing::StartsWith("authorization: "));
    }
  }
  EXPECT_EQ(registry_->revision(), revision);
}

// With the key, each call is the registry's: for a flag that does not exist
// the answer is exactly what the registry says to the request the service
// builds.
TEST_F(WatchServiceTest, AppCallsWithTheKeyAnswerWhatTheRegistrySays) {
  const auto expect_same = [](const grpc::Status& got, const absl::Status& registry) {
    EXPECT_NE(got.error_code(), grpc::StatusCode::OK);
    EXPECT_EQ(static_cast<int>(got.error_code()), static_cast<int>(registry.code()))
        << got.error_message() << " vs " << registry;
    EXPECT_EQ(got.error_message(), registry.message());
  };
  PutAccount("acme");
  {
    AppCall call(kKey);
    v1::ProblemReport resp;
    const grpc::Status s = stub_->ReportProblem(&call.ctx, Problem("no-such-flag", ""), &resp);
    expect_same(s, registry_->ReportProblem(Problem("no-such-flag", "sdk")).status());
  }
  v1::BetaEnrollmentRequest direct;
  direct.mutable_meta()->set_actor("sdk:billing-service/1.4.2");
  direct.set_flag_key("no-such-flag");
  direct.set_account_key("acme");
  {
    AppCall call(kKey);
    v1::BetaEnrollmentResponse resp;
    const grpc::Status s = stub_->EnrollBeta(&call.ctx, Beta("no-such-flag", "acme"), &resp);
    direct.mutable_meta()->set_reason("enrolled by the app");
    expect_same(s, registry_->EnrollBeta(direct).status());
  }
  {
    AppCall call(kKey);
    v1::BetaEnrollmentResponse resp;
    const grpc::Status s = stub_->WithdrawBeta(&call.ctx, Beta("no-such-flag", "acme"), &resp);
    direct.mutable_meta()->set_reason("withdrawn by the app");
    expect_same(s, registry_->WithdrawBeta(direct).status());
  }
}

TEST_F(WatchServiceTest, AnAppEnrollsAndWithdrawsAnAccountAsSdkClientName) {
  PutFlag("new-editor");
  PutAccount("acme");
  const auto call = [&](bool enroll, const v1::SdkBetaRequest& req) {
    AppCall c(kKey);
    v1::BetaEnrollmentResponse resp;
    const grpc::Status s =
        enroll ? stub_->EnrollBeta(&c.ctx, req, &resp) : stub_->WithdrawBeta(&c.ctx, req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return resp;
  };
  v1::BetaEnrollmentResponse r = call(true, Beta("new-editor", "acme"));
  EXPECT_TRUE(r.changed());
  EXPECT_THAT(r.enrolled(), ElementsAre("acme"));
  r = call(true, Beta("new-editor", "acme"));  // again: nothing to change
  EXPECT_FALSE(r.changed());
  EXPECT_THAT(r.enrolled(), ElementsAre("acme"));
  ASSERT_OK_AND_ASSIGN(v1::Flag flag, registry_->GetFlag("new-editor"));
  EXPECT_THAT(flag.ramp().beta_enrolled(), ElementsAre("acme"));
  r = call(false, Beta("new-editor", "acme", ""));  // an app without a name
  EXPECT_TRUE(r.changed());
  EXPECT_TRUE(r.enrolled().empty());

  v1::ListAuditRequest audit;
  audit.set_kind(v1::OBJECT_KIND_FLAG);
  audit.set_object_key("new-editor");
  audit.set_oldest_first(true);
  ASSERT_OK_AND_ASSIGN(v1::ListAuditResponse entries, registry_->ListAudit(audit));
  ASSERT_EQ(entries.entries_size(), 3);  // created, enrolled, withdrawn
  EXPECT_EQ(entries.entries(1).actor(), "sdk:billing-service/1.4.2");
  EXPECT_EQ(entries.entries(1).reason(), "enrolled by the app");
  EXPECT_EQ(entries.entries(2).actor(), "sdk:unknown");
  EXPECT_EQ(entries.entries(2).reason(), "withdrawn by the app");
}

TEST_F(WatchServiceTest, AnAppsProblemReportKeepsItsReporterOrIsFromSdk) {
  PutFlag("new-editor");
  PutAccount("acme");
  for (const std::string reporter : {"sdk:billing-service/1.4.2", ""}) {
    AppCall c(kKey);
    v1::ProblemReport resp;
    const grpc::Status s = stub_->ReportProblem(&c.ctx, Problem("new-editor", reporter), &resp);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_FALSE(resp.id().empty());
    EXPECT_EQ(resp.flag_key(), "new-editor");
    EXPECT_EQ(resp.account_key(), "acme");
    EXPECT_EQ(resp.user_key(), "u-42");
    EXPECT_EQ(resp.text(), "totals are off");
    EXPECT_EQ(resp.reporter(), reporter.empty() ? "sdk" : reporter);
  }
  v1::ListProblemsRequest list;
  list.set_flag_key("new-editor");
  ASSERT_OK_AND_ASSIGN(v1::ListProblemsResponse problems, registry_->ListProblems(list));
  EXPECT_EQ(problems.total(), 2u);
}

}  // namespace
}  // namespace rampart::rpc
