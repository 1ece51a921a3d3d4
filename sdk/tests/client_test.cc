// rampart::Client against an in-process fake SdkService: reasons, the cache
// file, deltas and resynchronization, malformed data, listeners, reconnection
// and shutdown.
#include <fstream>
#include <stdexcept>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rampart/client.h"
#include "sdk/src/cache_file.h"
#include "sdk/tests/fake_sdk_service.h"
#include "sdk/tests/test_data.h"
#include "tests/testing/temp_dir.h"

namespace rampart {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace ::rampart::sdk::testing;  // NOLINT: the fake and the data builders

constexpr absl::Duration kTimeout = absl::Seconds(20);

// Polls `done` until it holds or kTimeout passes (for states that have no
// listener, such as "disconnected").
template <typename Fn>
bool Eventually(Fn done) {
  const absl::Time deadline = absl::Now() + kTimeout;
  while (!done()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(5));
  }
  return true;
}

// Records the versions OnChange reports; waits for one. Removes its
// listener when destroyed (the client may outlive it).
class Versions {
 public:
  explicit Versions(Client& client) : client_(client) {
    id_ = client.OnChange([this](int64_t v) {
      absl::MutexLock lock(&mu_);
      seen_.push_back(v);
    });
  }
  ~Versions() { client_.RemoveListener(id_); }
  bool WaitFor(int64_t version) {
    absl::MutexLock lock(&mu_);
    const auto reached = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return !seen_.empty() && seen_.back() >= version;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&reached), kTimeout);
  }
  std::vector<int64_t> seen() {
    absl::MutexLock lock(&mu_);
    return seen_;
  }

 private:
  Client& client_;
  Client::ListenerId id_;
  absl::Mutex mu_;
  std::vector<int64_t> seen_ ABSL_GUARDED_BY(mu_);
};

class ClientTest : public ::testing::Test {
 protected:
  ClientOptions Options() {
    ClientOptions o;
    o.server_address = server_.address();
    o.sdk_key = "test-key";
    o.cache_file = tmp_.path() + "/rampart.snapshot";
    o.initial_backoff = std::chrono::milliseconds(20);
    o.max_backoff = std::chrono::milliseconds(200);
    return o;
  }
  // Serves `snapshot` as the first message of every stream.
  void Serve(v1::SdkSnapshot snapshot) {
    service_.SetOnWatch([snapshot](const v1::WatchRequest&) {
      return std::vector<v1::WatchResponse>{SnapshotMessage(snapshot)};
    });
  }

  rampart::testing::TempDir tmp_;
  FakeSdkService service_{"test-key"};
  FakeServer server_{&service_};
  const Context acme_{"acme-accounting"};
  const Context kino_{"kino-mir"};
};

TEST_F(ClientTest, ServesTheServersFlagsWithTheEnginesReasons) {
  Serve(DemoSnapshot(4, {BoolFlag("static-on", true), StringFlag("format", "xml-2026"),
                         IntFlag("limit", 25), DoubleFlag("ratio", 0.5),
                         JsonFlag("layout", "{\"cols\":2}")}));
  Client client(Options());
  ASSERT_TRUE(client.WaitForReady(std::chrono::seconds(20)));

  EXPECT_TRUE(client.GetBoolean("new-invoice-editor", acme_, false));
  EXPECT_FALSE(client.GetBoolean("new-invoice-editor", kino_, true));
  auto d = client.GetBooleanDetails("new-invoice-editor", acme_, false);
  EXPECT_TRUE(d.value);
  EXPECT_EQ(d.reason, Reason::kTargetingMatch);
  EXPECT_EQ(d.variant, "on");
  EXPECT_EQ(d.detail, "r1");
  EXPECT_EQ(d.version, 4);
  EXPECT_EQ(client.GetBooleanDetails("new-invoice-editor", kino_, true).reason, Reason::kDefault);
  EXPECT_EQ(client.GetBooleanDetails("static-on", kino_, false).reason, Reason::kStatic);

  EXPECT_EQ(client.GetString("format", acme_, "x"), "xml-2026");
  EXPECT_EQ(client.GetInt("limit", acme_, 0), 25);
  EXPECT_EQ(client.GetDouble("ratio", acme_, 0), 0.5);
  EXPECT_EQ(client.GetJson("layout", acme_, "{}"), "{\"cols\":2}");
  EXPECT_EQ(client.GetJson("format", acme_, "{}"), "\"xml-2026\"");
  EXPECT_EQ(client.GetJson("limit", acme_, "{}"), "25");
  EXPECT_EQ(client.GetJsonDetails("new-invoice-editor", acme_, "{}").value, "true");

  std::vector<std::string> keys;
  for (const auto& f : client.AllFlags(acme_)) keys.push_back(f.flag_key);
  EXPECT_THAT(keys, ElementsAre("format", "layout", "limit", "new-invoice-editor", "ratio",
                                "static-on"));

  // The request carried the key, the version and the client's name.
  ASSERT_GE(service_.requests().size(), 1u);
  EXPECT_EQ(service_.requests()[0].from_version(), 0);
  EXPECT_EQ(service_.requests()[0].client_name(), "rampart-cpp-sdk");
  EXPECT_EQ(service_.authorizations()[0], "Bearer test-key");
  const ClientStatus status = client.status();
  EXPECT_TRUE(status.connected);
  EXPECT_FALSE(status.from_cache);
  EXPECT_EQ(status.version, 4);
}

TEST_F(ClientTest, AcceptsASnapshotLargerThanGrpcsDefaultMessageLimit) {
  v1::SdkSnapshot big = DemoSnapshot(9);
  for (int i = 0; i < 90'000; ++i) {  // ~6 MB of accounts: past gRPC's 4 MB default
    v1::Account* a = big.add_accounts();
    a->set_key("bulk-" + std::to_string(i));
    a->set_name("Bulk account number " + std::to_string(i));
    (*a->mutable_attributes())["industry"].set_string_value("accounting");
  }
  ASSERT_GT(big.ByteSizeLong(), 4u << 20);
  Serve(big);
  Client client(Options());
  ASSERT_TRUE(client.WaitForReady(std::chrono::seconds(20))) << client.status().last_error;
  EXPECT_EQ(client.status().version, 9);
  EXPECT_TRUE(client.GetBoolean("new-invoice-editor", acme_, false));
}

TEST_F(ClientTest, TypeMismatchAndUnknownFlagServeTheDefault) {
  Serve(DemoSnapshot(1, {StringFlag("format", "xml")}));
  Client client(Options());
  ASSERT_TRUE(client.WaitForReady(std::chrono::seconds(20)));

  EXPECT_TRUE(client.GetBoolean("format", acme_, true));
  auto d = client.GetBooleanDetails("format", acme_, true);
  EXPECT_TRUE(d.value);
  EXPECT_EQ(d.reason, Reason::kError);
  EXPECT_EQ(d.error_code, ErrorCode::kTypeMismatch);
  EXPECT_THAT(d.error_message, HasSubstr("string flag"));
  EXPECT_EQ(d.variant, "");
  EXPECT_EQ(client.GetIntDetails("new-invoice-editor", acme_, 7).error_code,
            ErrorCode::kTypeMismatch);
  EXPECT_EQ(client.GetStringDetails("new-invoice-editor", acme_, "d").value, "d");

  auto missing = client.GetStringDetails("no-such-flag", acme_, "fallback");
  EXPECT_EQ(missing.value, "fallback");
  EXPECT_EQ(missing.reason, Reason::kError);
  EXPECT_EQ(missing.error_code, ErrorCode::kFlagNotFound);
  EXPECT_THAT(missing.error_message, HasSubstr("no-such-flag"));
  EXPECT_EQ(ReasonName(missing.reason), std::string("ERROR"));
  EXPECT_EQ(ErrorCodeName(missing.error_code), std::string("FLAG_NOT_FOUND"));
}

TEST_F(ClientTest, ProviderNotReadyWithoutServerOrCache) {
  server_.Shutdown();
  ClientOptions o = Options();
  Client client(o);
  EXPECT_FALSE(client.WaitForReady(std::chrono::milliseconds(100)));
  EXPECT_TRUE(client.GetBoolean("new-invoice-editor", acme_, true));
  auto d = client.GetBooleanDetails("new-invoice-editor", acme_, true);
  EXPECT_TRUE(d.value);
  EXPECT_EQ(d.reason, Reason::kError);
  EXPECT_EQ(d.error_code, ErrorCode::kProviderNotReady);
  EXPECT_THAT(d.error_message, HasSubstr("does not exist"));
  EXPECT_EQ(d.version, 0);
  EXPECT_TRUE(client.AllFlags(acme_).empty());
  EXPECT_EQ(client.status().version, 0);
}

TEST_F(ClientTest, CorruptCacheIsIgnoredAndReported) {
  server_.Shutdown();
  ClientOptions o = Options();
  std::ofstream(o.cache_file, std::ios::binary) << "RMPC\x01\x00\x00\x00garbage";
  Client client(o);
  auto d = client.GetBooleanDetails("new-invoice-editor", acme_, false);
  EXPECT_EQ(d.error_code, ErrorCode::kProviderNotReady);
  EXPECT_THAT(d.error_message, HasSubstr("cache file ignored"));
  EXPECT_THAT(client.status().last_error, HasSubstr("truncated"));
  EXPECT_FALSE(client.status().from_cache);
}

TEST_F(ClientTest, CachedBeforeTheServerIsReachedThenLive) {
  {
    Serve(DemoSnapshot(8));
    Client first(Options());
    ASSERT_TRUE(first.WaitForReady(std::chrono::seconds(20)));
  }
  // The server is gone; a new client starts from the cache file.
  const int port = server_.port();
  server_.Shutdown();
  auto client = std::make_unique<Client>(Options());
  auto d = client->GetBooleanDetails("new-invoice-editor", acme_, false);
  EXPECT_TRUE(d.value);
  EXPECT_EQ(d.reason, Reason::kCached);
  EXPECT_EQ(d.evaluation_reason, Reason::kTargetingMatch);
  EXPECT_EQ(d.version, 8);
  EXPECT_TRUE(client->status().from_cache);
  EXPECT_FALSE(client->WaitForReady(std::chrono::milliseconds(50)));
  // Failed connection attempts keep it CACHED (it never saw the server).
  ASSERT_TRUE(Eventually([&] { return !client->status().last_error.empty(); }));
  EXPECT_EQ(client->GetBooleanDetails("new-invoice-editor", acme_, false).reason, Reason::kCached);

  // The server comes back on the same port, at a later version.
  Serve(DemoSnapshot(9, {BoolFlag("bulk-export", true)}));
  FakeServer again(&service_, port);
  ASSERT_TRUE(client->WaitForReady(std::chrono::seconds(20)));
  ASSERT_TRUE(Eventually([&] { return client->status().version == 9; }));
  EXPECT_EQ(client->GetBooleanDetails("bulk-export", acme_, false).reason, Reason::kStatic);
  EXPECT_FALSE(client->status().from_cache);
  // It resumed from the cached version.
  EXPECT_EQ(service_.requests().back().from_version(), 8);
}

TEST_F(ClientTest, RampStagesSurfaceAsStageLiveAndFromTheCacheFile) {
  // A started ramp: a count stage for acme, then everyone but the protected
  // cinemas (kino-mir), which only a final stage would serve.
  v1::Flag flag = BoolFlag("new-ledger", false);
  v1::RampServing& ramp = *flag.mutable_ramp();
  ramp.set_active(true);
  ramp.set_salt("new-ledger");
  ramp.add_protected_segments("cinemas");
  v1::ServingStage* closed = ramp.add_stages();
  closed->set_stage(1);
  closed->set_name("closed beta");
  closed->mutable_cohort()->add_values("acme-accounting");
  closed->set_variant("on");
  v1::ServingStage* all = ramp.add_stages();
  all->set_stage(2);
  all->set_all(true);
  all->set_variant("on");
  v1::SdkSnapshot snapshot = DemoSnapshot(3, {flag});
  *snapshot.add_segments() = IndustrySegment("cinemas", "cinema");
  Serve(snapshot);
  {
    Client client(Options());
    ASSERT_TRUE(client.WaitForReady(std::chrono::seconds(20)));
    auto d = client.GetBooleanDetails("new-ledger", acme_, false);
    EXPECT_TRUE(d.value);
    EXPECT_EQ(d.reason, Reason::kStage);
    EXPECT_STREQ(ReasonName(d.reason), "STAGE");
    EXPECT_EQ(d.variant, "on");
    EXPECT_EQ(d.detail, "stage 2");  // the latest stage serving acme: unnamed
    d = client.GetBooleanDetails("new-ledger", kino_, true);
    EXPECT_FALSE(d.value);
    EXPECT_EQ(d.reason, Reason::kDefault);
    EXPECT_EQ(d.detail, "");
    EXPECT_TRUE(client.GetBoolean("new-ledger", Context("newco"), false));
  }
  // The ramp is part of the flag, so the cache file keeps it.
  server_.Shutdown();
  Client client(Options());
  auto d = client.GetBooleanDetails("new-ledger", acme_, false);
  EXPECT_TRUE(d.value);
  EXPECT_EQ(d.reason, Reason::kCached);
  EXPECT_EQ(d.evaluation_reason, Reason::kStage);
  EXPECT_EQ(d.detail, "stage 2");
  EXPECT_FALSE(client.GetBoolean("new-ledger", kino_, true));
}

TEST_F(ClientTest, StaleWhenTheStreamDropsThenCatchesUp) {
  Serve(DemoSnapshot(1));
  ClientOptions o = Options();
  auto client = std::make_unique<Client>(o);
  Versions versions(*client);
  ASSERT_TRUE(client->WaitForReady(std::chrono::seconds(20)));

  const int port = server_.port();
  server_.Shutdown();
  ASSERT_TRUE(Eventually([&] { return !client->status().connected; }));
  auto d = client->GetBooleanDetails("new-invoice-editor", acme_, false);
  EXPECT_TRUE(d.value);  // the values stay
  EXPECT_EQ(d.reason, Reason::kStale);
  EXPECT_EQ(d.evaluation_reason, Reason::kTargetingMatch);
  EXPECT_FALSE(client->status().last_error.empty());

  // Back, with a change made meanwhile: the client resumes from version 1
  // and gets a delta.
  service_.SetOnWatch([](const v1::WatchRequest& r) {
    if (r.from_version() == 1) {
      return std::vector<v1::WatchResponse>{
          DeltaMessage(1, 2, {BoolFlag("new-invoice-editor", true)})};
    }
    return std::vector<v1::WatchResponse>{SnapshotMessage(DemoSnapshot(2))};
  });
  FakeServer again(&service_, port);
  ASSERT_TRUE(versions.WaitFor(2));
  d = client->GetBooleanDetails("new-invoice-editor", kino_, false);
  EXPECT_TRUE(d.value);
  EXPECT_EQ(d.reason, Reason::kStatic);
  EXPECT_TRUE(client->status().connected);
  EXPECT_EQ(service_.requests().back().from_version(), 1);
}

TEST_F(ClientTest, DeltaFromTheWrongVersionForcesAFullSnapshot) {
  Serve(DemoSnapshot(3));
  Client client(Options());
  Versions versions(client);
  ASSERT_TRUE(client.WaitForReady(std::chrono::seconds(20)));

  Serve(DemoSnapshot(10, {BoolFlag("after-resync", true)}));
  service_.Push(DeltaMessage(7, 8, {BoolFlag("skipped", true)}));  // not from 3
  ASSERT_TRUE(versions.WaitFor(10));
  EXPECT_EQ(client.GetBooleanDetails("skipped", acme_, false).error_code,
            ErrorCode::kFlagNotFound);
  EXPECT_TRUE(client.GetBoolean("after-resync", acme_, false));
  const auto requests = service_.requests();
  ASSERT_GE(requests.size(), 2u);
  EXPECT_EQ(requests[0].from_version(), 0);
  EXPECT_EQ(requests[1].from_version(), 0);  // trust dropped: a full snapshot
  EXPECT_THAT(client.status().last_error, HasSubstr("resynchronizing"));
}

TEST_F(ClientTest, MalformedDataDoesNotCrash) {
  Serve(DemoSnapshot(1));
  Client client(Options());
  Versions versions(client);
  ASSERT_TRUE(client.WaitForReady(std::chrono::seconds(20)));

  v1::Flag no_variants = BoolFlag("no-variants", true);
  no_variants.clear_variants();
  v1::Flag bad_rule = BoolFlagForSegment("bad-rule", "no-such-segment");
  v1::WatchResponse m = DeltaMessage(1, 2, {no_variants, bad_rule, v1::Flag()}, {"never-was"});
  m.mutable_delta()->add_removed_segments("never-was");
  m.mutable_delta()->add_removed_accounts("never-was");
  m.mutable_delta()->add_put_accounts();  // an account with no key
  service_.Push(m);
  ASSERT_TRUE(versions.WaitFor(2));

  auto d = client.GetBooleanDetails("no-variants", acme_, true);
  EXPECT_TRUE(d.value);
  EXPECT_EQ(d.reason, Reason::kError);
  EXPECT_EQ(d.error_code, ErrorCode::kGeneral);
  EXPECT_FALSE(client.GetBoolean("bad-rule", acme_, true));
  EXPECT_EQ(client.AllFlags(acme_).size(), 4u);

  // An empty message: the client drops the stream and reconnects.
  service_.Push(v1::WatchResponse());
  ASSERT_TRUE(service_.WaitForRequests(2, kTimeout));
  EXPECT_TRUE(client.GetBoolean("new-invoice-editor", acme_, false));
}

TEST_F(ClientTest, ListenersFireOnChangesOnly) {
  // Declared before the client, which calls into them until it is gone.
  absl::Mutex mu;
  std::vector<std::string> flag_changes;
  std::vector<std::string> value_changes;
  Serve(DemoSnapshot(1, {BoolFlag("other", false)}));
  Client client(Options());
  Versions versions(client);
  ASSERT_TRUE(client.WaitForReady(std::chrono::seconds(20)));
  // Ready comes before the listeners are called for version 1; a listener
  // registered once they were is not called for it.
  ASSERT_TRUE(versions.WaitFor(1));

  client.OnFlagChange("new-invoice-editor", [&](const std::string& key) {
    absl::MutexLock lock(&mu);
    flag_changes.push_back(key);
  });
  const Client::ListenerId kino_id =
      client.OnValueChange("new-invoice-editor", kino_, [&](const ValueChange& c) {
        absl::MutexLock lock(&mu);
        value_changes.push_back(c.account_key + ":" + c.old_value_json + "->" + c.new_value_json);
      });
  client.OnValueChange("new-invoice-editor", acme_, [&](const ValueChange& c) {
    absl::MutexLock lock(&mu);
    value_changes.push_back(c.account_key + ":" + c.old_value_json + "->" + c.new_value_json);
  });
  // A listener that throws changes nothing for the others.
  client.OnChange([](int64_t) { throw std::runtime_error("listener bug"); });
  // Registered last, so called last: when it has seen a version, every
  // listener above has been called for it.
  Versions after(client);

  // 2: another flag changes. 3: the flag goes on for everyone. 4: removed.
  service_.Push(DeltaMessage(1, 2, {BoolFlag("other", true)}));
  service_.Push(DeltaMessage(2, 3, {BoolFlag("new-invoice-editor", true)}));
  ASSERT_TRUE(after.WaitFor(3));
  client.RemoveListener(kino_id);
  service_.Push(DeltaMessage(3, 4, {}, {"new-invoice-editor"}));
  ASSERT_TRUE(after.WaitFor(4));

  absl::MutexLock lock(&mu);
  EXPECT_THAT(flag_changes, ElementsAre("new-invoice-editor", "new-invoice-editor"));
  // acme had it already (segment rule); kino got it at 3, then was removed
  // before 4; acme loses it at 4 (the flag is gone: null).
  EXPECT_THAT(value_changes,
              ElementsAre("kino-mir:false->true", "acme-accounting:true->null"));
  EXPECT_THAT(versions.seen(), ElementsAre(1, 2, 3, 4));
  EXPECT_THAT(after.seen(), ElementsAre(2, 3, 4));
}

TEST_F(ClientTest, UnknownKeyIsRetriedAndReported) {
  ClientOptions o = Options();
  o.sdk_key = "wrong";
  Client client(o);
  ASSERT_TRUE(service_.WaitForRequests(2, kTimeout));  // retried
  ASSERT_TRUE(Eventually([&] { return !client.status().last_error.empty(); }));
  EXPECT_THAT(client.status().last_error, HasSubstr("UNAUTHENTICATED"));
  EXPECT_EQ(client.GetBooleanDetails("x", acme_, false).error_code, ErrorCode::kProviderNotReady);
}

TEST_F(ClientTest, DestructorIsPromptWhileStreamingAndWhileBackingOff) {
  Serve(DemoSnapshot(1));
  auto streaming = std::make_unique<Client>(Options());
  ASSERT_TRUE(streaming->WaitForReady(std::chrono::seconds(20)));
  absl::Time start = absl::Now();
  streaming.reset();  // the open stream is cancelled
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));

  server_.Shutdown();
  ClientOptions o = Options();
  o.initial_backoff = std::chrono::seconds(60);
  o.max_backoff = std::chrono::seconds(60);
  auto client = std::make_unique<Client>(o);
  ASSERT_TRUE(Eventually([&] { return !client->status().last_error.empty(); }));
  start = absl::Now();
  client.reset();  // in a backoff wait of up to 60 s
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
}

TEST_F(ClientTest, ManyThreadsEvaluateWhileUpdatesArrive) {
  Serve(DemoSnapshot(1));
  Client client(Options());
  Versions versions(client);
  ASSERT_TRUE(client.WaitForReady(std::chrono::seconds(20)));
  std::atomic<bool> done{false};
  std::atomic<int64_t> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      while (!done.load()) {
        // acme is in the segment in every version.
        if (!client.GetBoolean("new-invoice-editor", acme_, false)) wrong++;
      }
    });
  }
  for (int v = 2; v <= 50; ++v) {
    service_.Push(DeltaMessage(v - 1, v, {BoolFlag("f" + std::to_string(v), v % 2 == 0)}));
  }
  ASSERT_TRUE(versions.WaitFor(50));
  done = true;
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(client.AllFlags(acme_).size(), 50u);
}

}  // namespace
}  // namespace rampart
