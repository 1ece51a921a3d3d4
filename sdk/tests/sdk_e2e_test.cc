// The SDK against the real rampartd (started with --sdk_keys), with flags
// changed through the real rampart CLI, as an app and its operators would:
// ready, a change propagates, the server killed while the app evaluates,
// a restart served from the cache file, a restarted server caught up with.
#include <signal.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rampart/client.h"
#include "rampart/v1/eval.pb.h"
#include "rampart/v1/ramp.pb.h"
#include "tests/e2e/e2e_fixture.h"

namespace rampart::e2e {
namespace {

constexpr absl::Duration kTimeout = absl::Seconds(30);

// Polls `done` until it holds or kTimeout passes (for states no listener
// reports, such as "disconnected").
template <typename Fn>
bool Eventually(Fn done) {
  const absl::Time deadline = absl::Now() + kTimeout;
  while (!done()) {
    if (absl::Now() > deadline) return false;
    absl::SleepFor(absl::Milliseconds(10));
  }
  return true;
}

// Waits, through OnValueChange, for a flag's value for one account.
class ValueWatch {
 public:
  ValueWatch(Client& client, const std::string& flag, const Context& context) : client_(client) {
    id_ = client.OnValueChange(flag, context, [this](const ValueChange& c) {
      absl::MutexLock lock(&mu_);
      last_ = c.new_value_json;
    });
  }
  ~ValueWatch() { client_.RemoveListener(id_); }
  bool WaitFor(const std::string& json) {
    absl::MutexLock lock(&mu_);
    const auto seen = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return last_ == json; };
    return mu_.AwaitWithTimeout(absl::Condition(&seen), kTimeout);
  }

 private:
  Client& client_;
  Client::ListenerId id_;
  absl::Mutex mu_;
  std::string last_ ABSL_GUARDED_BY(mu_);
};

class SdkE2eTest : public E2eTest {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    StartServer({"--sdk_keys", "test-key"});
    CliOk({"flag", "create", "new-invoice-editor", "--type", "bool", "--reason", "INV-812"});
    CliOk({"flag", "rule", "add", "new-invoice-editor", "--where", "plan == enterprise",
           "--variant", "on", "--reason", "enterprise first"});
  }

  // An sdk token made with the admin token over TLS.
  std::string CreateTokenOverTls(const std::string& cert) {
    testing::CommandResult r = CliAs(
        server().admin_token(), {"--tls-ca-file", cert, "token", "create", "--name", "billing-app",
                                 "--role", "sdk", "--reason", "the app", "--output", "json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const size_t at = r.out.find("rpt_");
    return at == std::string::npos ? "" : r.out.substr(at, 85);
  }

  static std::string ReadFile(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  ClientOptions Options() {
    ClientOptions o;
    o.server_address = server().address();
    o.sdk_key = "test-key";
    o.cache_file = data_dir() + "-sdk.snapshot";
    o.client_name = "sdk-e2e";
    o.initial_backoff = std::chrono::milliseconds(50);
    o.max_backoff = std::chrono::milliseconds(500);
    return o;
  }

  void SetDefault(const std::string& variant) {
    CliOk({"flag", "update", "new-invoice-editor", "--default", variant, "--reason", "ramp"});
  }

  Context acme_ = Context("acme-accounting");
  Context enterprise_ = Context("globex").Set("plan", "enterprise");
};

TEST_F(SdkE2eTest, ReadyThenAChangePropagates) {
  Client client(Options());
  ASSERT_TRUE(client.WaitForReady(std::chrono::seconds(30))) << client.status().last_error;
  EXPECT_TRUE(client.status().connected);

  auto d = client.GetBooleanDetails("new-invoice-editor", acme_, true);
  EXPECT_FALSE(d.value);
  EXPECT_EQ(d.reason, Reason::kDefault);
  EXPECT_EQ(d.variant, "off");
  EXPECT_GT(d.version, 0);
  d = client.GetBooleanDetails("new-invoice-editor", enterprise_, false);
  EXPECT_TRUE(d.value);
  EXPECT_EQ(d.reason, Reason::kTargetingMatch);

  // The same answer as the server's own evaluation.
  EXPECT_THAT(CliOk({"eval", "new-invoice-editor", "--account", "acme-accounting"}),
              ::testing::HasSubstr("off"));

  ValueWatch watch(client, "new-invoice-editor", acme_);
  SetDefault("on");
  ASSERT_TRUE(watch.WaitFor("true"));
  EXPECT_TRUE(client.GetBoolean("new-invoice-editor", acme_, false));
  EXPECT_EQ(client.GetBooleanDetails("new-invoice-editor", acme_, false).reason,
            Reason::kDefault);

  // Archived: gone for the SDK.
  CliOk({"flag", "archive", "new-invoice-editor", "--reason", "rolled out"});
  ASSERT_TRUE(watch.WaitFor("null"));
  EXPECT_EQ(client.GetBooleanDetails("new-invoice-editor", acme_, false).error_code,
            ErrorCode::kFlagNotFound);
}

// rampartd with a certificate serves TLS only: an SDK that trusts the
// certificate gets the flags and its changes; one that speaks plain text
// never becomes ready.
TEST_F(SdkE2eTest, OverTlsWithAStoredSdkToken) {
  const auto [cert, key] = MakeCertificate();
  StartServer({"--tls-cert-file", cert, "--tls-key-file", key});
  ClientOptions o = Options();
  o.sdk_key = CreateTokenOverTls(cert);
  o.tls = true;
  o.tls_root_certs = ReadFile(cert);
  Client client(o);
  ASSERT_TRUE(client.WaitForReady(std::chrono::seconds(30))) << client.status().last_error;
  EXPECT_TRUE(client.GetBoolean("new-invoice-editor", enterprise_, false));

  ClientOptions plain = Options();
  plain.cache_file.clear();
  Client plain_client(plain);
  EXPECT_FALSE(plain_client.WaitForReady(std::chrono::seconds(1)));
}

// A server that hangs (SIGSTOP: the connection stays open, nothing answers)
// reports no error; the keepalive pings notice it and the flags turn STALE,
// then the client reconnects when the server resumes.
TEST_F(SdkE2eTest, AHungServerIsNoticedByKeepaliveAndTheClientRecovers) {
  ClientOptions o = Options();
  o.keepalive_time = std::chrono::milliseconds(1000);
  o.keepalive_timeout = std::chrono::milliseconds(1000);
  Client client(o);
  ASSERT_TRUE(client.WaitForReady(std::chrono::seconds(30))) << client.status().last_error;
  ASSERT_EQ(kill(server().pid(), SIGSTOP), 0);
  const bool noticed = Eventually([&] { return !client.status().connected; });
  EXPECT_EQ(client.GetBooleanDetails("new-invoice-editor", acme_, true).reason, Reason::kStale);
  ASSERT_EQ(kill(server().pid(), SIGCONT), 0);
  ASSERT_TRUE(noticed) << "the hung server was never noticed";
  ASSERT_TRUE(Eventually([&] { return client.status().connected; }))
      << client.status().last_error;
  ValueWatch watch(client, "new-invoice-editor", acme_);
  SetDefault("on");
  EXPECT_TRUE(watch.WaitFor("true"));
  EXPECT_EQ(client.GetBooleanDetails("new-invoice-editor", acme_, false).reason,
            Reason::kDefault);
}

TEST_F(SdkE2eTest, AWrongKeyIsRefused) {
  ClientOptions o = Options();
  o.sdk_key = "not-a-key";
  Client client(o);
  EXPECT_FALSE(client.WaitForReady(std::chrono::milliseconds(500)));
  ASSERT_TRUE(Eventually([&] { return !client.status().last_error.empty(); }));
  EXPECT_THAT(client.status().last_error, ::testing::HasSubstr("UNAUTHENTICATED"));
  EXPECT_EQ(client.GetBooleanDetails("new-invoice-editor", acme_, false).error_code,
            ErrorCode::kProviderNotReady);
}

// The app talks back: an account enrolls into the flag's open beta through
// the SDK, the ramp's beta stage then serves it (STAGE, pushed to the app
// like any change), a problem report shows up in the CLI, and withdrawing
// takes the feature back.
TEST_F(SdkE2eTest, AnAppEnrollsAnAccountIntoABetaAndReportsAProblem) {
  CliOk({"account", "create", "tula-books", "--name", "Tula Books", "--reason", "onboarding"});
  const std::string plan = WriteFile("beta-plan.json", R"({
    "stages": [
      {"name": "open beta", "audience": {"beta_enrolled": true}, "all": true},
      {"name": "everyone", "all": true}
    ]
  })");
  CliOk({"ramp", "create", "new-invoice-editor", "--file", plan, "--reason", "INV-812"});
  CliOk({"ramp", "start", "new-invoice-editor", "--reason", "3.4 released"});

  Client client(Options());
  ASSERT_TRUE(client.WaitForReady(std::chrono::seconds(30))) << client.status().last_error;
  const Context tula("tula-books");
  ASSERT_TRUE(Eventually([&] {
    return client.GetBooleanDetails("new-invoice-editor", tula, true).reason == Reason::kDefault;
  }));
  ValueWatch watch(client, "new-invoice-editor", tula);

  absl::Mutex mu;
  std::vector<CallStatus> outcomes;
  const auto record = [&](const CallStatus& s) {
    absl::MutexLock lock(&mu);
    outcomes.push_back(s);
  };
  const auto outcome = [&](size_t n) {
    absl::MutexLock lock(&mu);
    const auto came = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) { return outcomes.size() >= n; };
    EXPECT_TRUE(mu.AwaitWithTimeout(absl::Condition(&came), kTimeout));
    return outcomes.size() >= n ? outcomes[n - 1] : CallStatus{StatusCode::kUnknown, "none"};
  };

  client.EnrollBeta("new-invoice-editor", "tula-books", record);
  CallStatus s = outcome(1);
  ASSERT_TRUE(s.ok()) << StatusCodeName(s.code) << ": " << s.message;
  ASSERT_TRUE(watch.WaitFor("true"));
  auto d = client.GetBooleanDetails("new-invoice-editor", tula, false);
  EXPECT_EQ(d.reason, Reason::kStage);
  EXPECT_EQ(d.detail, "open beta");
  // Not enrolled: not served.
  EXPECT_EQ(client.GetBooleanDetails("new-invoice-editor", acme_, true).reason, Reason::kDefault);

  client.ReportProblem("new-invoice-editor", tula, "totals off by one kopeck", record);
  s = outcome(2);
  ASSERT_TRUE(s.ok()) << StatusCodeName(s.code) << ": " << s.message;
  const std::string problems = CliOk({"ramp", "problem", "list", "new-invoice-editor"});
  EXPECT_THAT(problems, ::testing::HasSubstr("totals off by one kopeck"));
  EXPECT_THAT(problems, ::testing::HasSubstr("sdk:sdk-e2e"));

  client.WithdrawBeta("new-invoice-editor", "tula-books", record);
  s = outcome(3);
  ASSERT_TRUE(s.ok()) << StatusCodeName(s.code) << ": " << s.message;
  ASSERT_TRUE(watch.WaitFor("false"));
  EXPECT_EQ(client.GetBooleanDetails("new-invoice-editor", tula, true).reason, Reason::kDefault);
}

TEST_F(SdkE2eTest, SurvivesTheServersDeathAndCatchesUpAfterItsRestart) {
  SetDefault("on");
  auto app = std::make_unique<Client>(Options());
  ASSERT_TRUE(app->WaitForReady(std::chrono::seconds(30))) << app->status().last_error;
  ASSERT_TRUE(app->GetBoolean("new-invoice-editor", acme_, false));
  const std::string address = server().address();
  const int64_t version = app->status().version;

  // kill -9: the app keeps evaluating, with the values it had, STALE.
  ASSERT_EQ(server().Stop(SIGKILL), -SIGKILL);
  ASSERT_TRUE(Eventually([&] { return !app->status().connected; }));
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(app->GetBoolean("new-invoice-editor", acme_, false));
  auto d = app->GetBooleanDetails("new-invoice-editor", acme_, false);
  EXPECT_TRUE(d.value);
  EXPECT_EQ(d.reason, Reason::kStale);
  EXPECT_EQ(d.evaluation_reason, Reason::kDefault);
  EXPECT_EQ(d.version, version);

  // A second app starting now, server still down, serves the cache file.
  auto restarted = std::make_unique<Client>(Options());
  EXPECT_FALSE(restarted->WaitForReady(std::chrono::milliseconds(200)));
  d = restarted->GetBooleanDetails("new-invoice-editor", acme_, false);
  EXPECT_TRUE(d.value);
  EXPECT_EQ(d.reason, Reason::kCached);
  EXPECT_EQ(d.evaluation_reason, Reason::kDefault);
  EXPECT_EQ(d.version, version);
  EXPECT_TRUE(restarted->status().from_cache);

  // The server comes back elsewhere first (the apps cannot see it), where a
  // release manager turns the flag off; then it returns to its address.
  StartServer({"--sdk_keys", "test-key"});
  SetDefault("off");
  ASSERT_EQ(server().Stop(SIGTERM), 0);
  ValueWatch app_watch(*app, "new-invoice-editor", acme_);
  ValueWatch restarted_watch(*restarted, "new-invoice-editor", acme_);
  StartServer({"--sdk_keys", "test-key", "--listen", address});

  ASSERT_TRUE(app_watch.WaitFor("false"));
  ASSERT_TRUE(restarted_watch.WaitFor("false"));
  for (Client* c : {app.get(), restarted.get()}) {
    d = c->GetBooleanDetails("new-invoice-editor", acme_, true);
    EXPECT_FALSE(d.value);
    EXPECT_EQ(d.reason, Reason::kDefault);
    EXPECT_GT(d.version, version);
    EXPECT_TRUE(c->status().connected);
    EXPECT_FALSE(c->status().from_cache);
  }
  EXPECT_TRUE(restarted->WaitForReady(std::chrono::milliseconds(0)));
}

// A freeze window in the app (issue 5): the SDK holds a frozen account's
// value while the server is up, keeps holding it once the server is gone,
// and lets the change through when the window closes, server still down:
// the schedule travels with the snapshot as absolute instants.
TEST_F(SdkE2eTest, AFreezeHoldsInTheAppAlsoWithTheServerDownAndEndsOnTime) {
  CliOk({"account", "create", "acme-accounting", "--name", "Acme-accounting", "--tz",
         "Europe/Moscow", "--attr", "industry=accounting", "--reason", "crm"});
  CliOk(
      {"segment", "create", "accounting", "--where", "industry == accounting", "--reason", "crm"});
  Client app(Options());
  ASSERT_TRUE(app.WaitForReady(std::chrono::seconds(30))) << app.status().last_error;

  // A drill: frozen from an hour ago until 20 seconds from now.
  // (Whole milliseconds: the instant as written in the rule.)
  const absl::Time end = absl::FromUnixMillis(absl::ToUnixMillis(absl::Now() + absl::Seconds(20)));
  const std::string rules = WriteFile(
      "drill.json", absl::StrCat(R"({"rules": [{"name": "drill",
      "oneOff": {"at": ")",
                                 absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", end, absl::UTCTimeZone()),
                                 R"(", "marginBefore": "3600s", "marginAfter": "0s"}}]})"));
  CliOk(
      {"freeze", "add", "drill", "--zone", "Europe/Moscow", "--file", rules, "--reason", "drill"});
  CliOk({"freeze", "attach", "drill", "--segment", "accounting", "--reason", "drill"});

  Context kino("kino");
  ValueWatch watch(app, "new-invoice-editor", kino);
  SetDefault("on");
  ASSERT_TRUE(watch.WaitFor("true"));
  auto d = app.GetBooleanDetails("new-invoice-editor", acme_, true);
  ASSERT_LT(absl::Now(), end) << "the machine was too slow to see the window open";
  EXPECT_FALSE(d.value);
  EXPECT_EQ(d.reason, Reason::kFrozen);

  ASSERT_EQ(server().Stop(SIGKILL), -SIGKILL);
  ASSERT_TRUE(Eventually([&] { return !app.status().connected; }));
  if (absl::Now() < end - absl::Seconds(1)) {
    d = app.GetBooleanDetails("new-invoice-editor", acme_, true);
    EXPECT_FALSE(d.value);
    EXPECT_EQ(d.evaluation_reason, Reason::kFrozen);
  }
  // The window closes with the server still down: the change reaches acme.
  ASSERT_TRUE(Eventually([&] { return app.GetBoolean("new-invoice-editor", acme_, false); }));
  EXPECT_GE(absl::Now(), end);
  d = app.GetBooleanDetails("new-invoice-editor", acme_, false);
  EXPECT_EQ(d.reason, Reason::kStale);
  EXPECT_EQ(d.evaluation_reason, Reason::kDefault);
}

}  // namespace
}  // namespace rampart::e2e

namespace rampart::e2e {
namespace {

// Waits for the outcome of one SDK call.
class CallWait {
 public:
  CallCallback Callback() {
    return [this](const CallStatus& s) {
      absl::MutexLock lock(&mu_);
      status_ = s;
      done_ = true;
    };
  }
  CallStatus Wait() {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&done_), kTimeout);
    return status_;
  }

 private:
  absl::Mutex mu_;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  CallStatus status_ ABSL_GUARDED_BY(mu_);
};

// A ramp seen from an app: the SDK serves the stage (reason STAGE) the server
// stepped to, enrolls an account into the beta and reports a problem that the
// ramp's status counts, and the kill switch turns the flag off in the SDK.
TEST_F(SdkE2eTest, RampStepsBetaEnrollmentProblemsAndTheKillSwitchReachTheApp) {
  std::string csv = "key,name,tags\nstaff-1,Our staff,staff\n";
  for (int i = 0; i < 30; ++i) csv += absl::StrCat("client-", i, ",Client ", i, ",\n");
  CliOk({"account", "import", WriteFile("accounts.csv", csv), "--reason", "crm"});
  CliOk({"segment", "create", "internal", "--where", "tags == staff", "--reason", "staff"});
  const std::string plan = WriteFile("plan.json", R"({"stages": [
      {"name": "internal", "audience": {"segments": ["internal"]}, "all": true},
      {"name": "beta", "audience": {"beta_enrolled": true}, "all": true},
      {"name": "10", "count": "10"},
      {"name": "all", "all": true}]})");
  CliOk({"ramp", "create", "new-invoice-editor", "--file", plan, "--reason", "INV-812"});

  Client client(Options());
  ASSERT_TRUE(client.WaitForReady(std::chrono::seconds(30))) << client.status().last_error;
  const Context staff("staff-1");
  const Context client_7("client-7");
  ValueWatch staff_watch(client, "new-invoice-editor", staff);
  CliOk({"ramp", "start", "new-invoice-editor", "--reason", "3.4 released"});
  ASSERT_TRUE(staff_watch.WaitFor("true"));
  auto d = client.GetBooleanDetails("new-invoice-editor", staff, false);
  EXPECT_EQ(d.reason, Reason::kStage);
  EXPECT_EQ(d.detail, "internal");
  EXPECT_EQ(client.GetBooleanDetails("new-invoice-editor", client_7, true).reason,
            Reason::kDefault);

  // The app enrolls its account into the beta; the beta stage serves it.
  ValueWatch beta_watch(client, "new-invoice-editor", client_7);
  CallWait enrolled;
  client.EnrollBeta("new-invoice-editor", "client-7", enrolled.Callback());
  ASSERT_TRUE(enrolled.Wait().ok());
  CliOk({"ramp", "advance", "new-invoice-editor", "--reason", "staff happy"});
  ASSERT_TRUE(beta_watch.WaitFor("true"));
  EXPECT_EQ(client.GetBooleanDetails("new-invoice-editor", client_7, false).detail, "beta");

  // A problem report from the app reaches the ramp's status.
  CallWait reported;
  client.ReportProblem("new-invoice-editor", client_7, "totals off by one kopeck",
                       reported.Callback());
  ASSERT_TRUE(reported.Wait().ok());
  const auto status = CliJson<v1::RampStatusView>({"ramp", "status", "new-invoice-editor"});
  EXPECT_EQ(status.stages(1).problem_reports(), 1u);

  // The count stage: the SDK and the server agree on every account.
  CliOk({"ramp", "advance", "new-invoice-editor", "--reason", "beta happy"});
  ASSERT_TRUE(Eventually([&] {
    return client.GetBooleanDetails("new-invoice-editor", staff, false).version >=
           CliJson<v1::Flag>({"flag", "get", "new-invoice-editor"}).revision();
  }));
  int served = 0;
  for (int i = 0; i < 30; ++i) {
    const std::string key = absl::StrCat("client-", i);
    const auto sdk = client.GetBooleanDetails("new-invoice-editor", Context(key), false);
    const auto server =
        CliJson<v1::EvaluationResult>({"eval", "new-invoice-editor", "--account", key});
    EXPECT_EQ(sdk.value, server.value().bool_value()) << key;
    EXPECT_EQ(sdk.variant, server.variant()) << key;
    served += sdk.value;
  }
  EXPECT_EQ(served, 10 + 1);  // the ten of the cohort and the beta account

  // The kill switch: off for everyone, in the app too.
  CliOk({"flag", "kill", "new-invoice-editor", "--reason", "incident 42"});
  ASSERT_TRUE(staff_watch.WaitFor("false"));
  EXPECT_EQ(client.GetBooleanDetails("new-invoice-editor", client_7, true).reason,
            Reason::kDisabled);
}

}  // namespace
}  // namespace rampart::e2e
