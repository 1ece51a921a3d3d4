// Client::ReportProblem, EnrollBeta and WithdrawBeta against the fake
// SdkService: what each request carries, the outcome in the callback, and
// that the caller never waits, whether the server is slow, failing or down.
#include "sdk/src/calls.h"

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "rampart/client.h"
#include "sdk/tests/fake_sdk_service.h"

namespace rampart {
namespace {

using sdk::testing::FakeSdkService;
using sdk::testing::FakeServer;

constexpr absl::Duration kTimeout = absl::Seconds(20);
// Far below anything a call waiting for the network would take here: the
// held calls below would keep a blocking call waiting for 60 s.
constexpr absl::Duration kAtOnce = absl::Seconds(1);

// Collects the statuses the callbacks get.
class Outcomes {
 public:
  CallCallback Callback() {
    return [this](const CallStatus& status) {
      absl::MutexLock lock(&mu_);
      seen_.push_back(status);
    };
  }
  // The n-th status (1-based), once it came; nullopt after kTimeout.
  std::optional<CallStatus> Wait(size_t n = 1) {
    absl::MutexLock lock(&mu_);
    const auto came = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return seen_.size() >= n; };
    if (!mu_.AwaitWithTimeout(absl::Condition(&came), kTimeout)) return std::nullopt;
    return seen_[n - 1];
  }
  size_t count() {
    absl::MutexLock lock(&mu_);
    return seen_.size();
  }

 private:
  absl::Mutex mu_;
  std::vector<CallStatus> seen_ ABSL_GUARDED_BY(mu_);
};

class CallsTest : public ::testing::Test {
 protected:
  ClientOptions Options() {
    ClientOptions o;
    o.server_address = server_.address();
    o.sdk_key = "test-key";
    o.client_name = "billing-service/1.4.2";
    o.initial_backoff = std::chrono::milliseconds(20);
    o.max_backoff = std::chrono::milliseconds(200);
    return o;
  }

  void TearDown() override { service_.ReleaseCalls(); }

  FakeSdkService service_{"test-key"};
  FakeServer server_{&service_};
};

TEST_F(CallsTest, ReportProblemSendsTheFlagTheContextAndTheText) {
  Client client(Options());
  Outcomes outcomes;
  Context context("acme-accounting");
  context.SetUser("u-42");
  client.ReportProblem("new-invoice-editor", context, "totals are off by one kopeck",
                       outcomes.Callback());
  const std::optional<CallStatus> status = outcomes.Wait();
  ASSERT_TRUE(status.has_value());
  EXPECT_TRUE(status->ok()) << StatusCodeName(status->code) << ": " << status->message;
  EXPECT_EQ(status->code, StatusCode::kOk);
  EXPECT_EQ(status->message, "");

  const std::vector<FakeSdkService::Call> calls = service_.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].method, "ReportProblem");
  EXPECT_EQ(calls[0].authorization, "Bearer test-key");
  const v1::ReportProblemRequest& r = calls[0].problem;
  EXPECT_EQ(r.flag_key(), "new-invoice-editor");
  EXPECT_EQ(r.account_key(), "acme-accounting");
  EXPECT_EQ(r.user_key(), "u-42");
  EXPECT_EQ(r.text(), "totals are off by one kopeck");
  EXPECT_EQ(r.reporter(), "sdk:billing-service/1.4.2");
}

TEST_F(CallsTest, EnrollAndWithdrawSendTheAccountAndTheClientName) {
  Client client(Options());
  Outcomes outcomes;
  client.EnrollBeta("new-invoice-editor", "acme-accounting", outcomes.Callback());
  ASSERT_TRUE(outcomes.Wait(1).has_value());
  client.WithdrawBeta("new-invoice-editor", "kino-mir", outcomes.Callback());
  ASSERT_TRUE(outcomes.Wait(2).has_value());
  EXPECT_EQ(outcomes.Wait(1)->code, StatusCode::kOk);
  EXPECT_EQ(outcomes.Wait(2)->code, StatusCode::kOk);

  const std::vector<FakeSdkService::Call> calls = service_.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0].method, "EnrollBeta");
  EXPECT_EQ(calls[0].beta.flag_key(), "new-invoice-editor");
  EXPECT_EQ(calls[0].beta.account_key(), "acme-accounting");
  EXPECT_EQ(calls[0].beta.client_name(), "billing-service/1.4.2");
  EXPECT_EQ(calls[0].authorization, "Bearer test-key");
  EXPECT_EQ(calls[1].method, "WithdrawBeta");
  EXPECT_EQ(calls[1].beta.flag_key(), "new-invoice-editor");
  EXPECT_EQ(calls[1].beta.account_key(), "kino-mir");
  EXPECT_EQ(calls[1].beta.client_name(), "billing-service/1.4.2");
  EXPECT_EQ(calls[1].authorization, "Bearer test-key");
}

TEST_F(CallsTest, TheServersErrorReachesTheCallback) {
  service_.SetCallStatus(
      grpc::Status(grpc::StatusCode::NOT_FOUND, "flag \"new-invoice-editor\": it has no ramp"));
  Client client(Options());
  Outcomes outcomes;
  client.EnrollBeta("new-invoice-editor", "acme-accounting", outcomes.Callback());
  const std::optional<CallStatus> status = outcomes.Wait();
  ASSERT_TRUE(status.has_value());
  EXPECT_FALSE(status->ok());
  EXPECT_EQ(status->code, StatusCode::kNotFound);
  EXPECT_EQ(status->message, "flag \"new-invoice-editor\": it has no ramp");
  EXPECT_STREQ(StatusCodeName(status->code), "NOT_FOUND");
}

TEST_F(CallsTest, CallsReturnAtOnceWhileTheServerHasNotAnswered) {
  service_.HoldCalls();
  Client client(Options());
  Outcomes outcomes;
  const absl::Time start = absl::Now();
  client.ReportProblem("f", Context("acme-accounting"), "slow", outcomes.Callback());
  client.EnrollBeta("f", "acme-accounting", outcomes.Callback());
  client.WithdrawBeta("f", "acme-accounting", outcomes.Callback());
  EXPECT_LT(absl::Now() - start, kAtOnce);
  ASSERT_TRUE(service_.WaitForCalls(3, kTimeout));  // all three are at the server
  EXPECT_EQ(outcomes.count(), 0u);
  service_.ReleaseCalls();
  for (size_t n = 1; n <= 3; ++n) {
    const std::optional<CallStatus> status = outcomes.Wait(n);
    ASSERT_TRUE(status.has_value()) << n;
    EXPECT_EQ(status->code, StatusCode::kOk) << n;
  }
}

TEST_F(CallsTest, ServerDownReturnsAtOnceAndTheCallbackSaysUnavailable) {
  server_.Shutdown();
  Client client(Options());
  Outcomes outcomes;
  const absl::Time start = absl::Now();
  client.ReportProblem("f", Context("acme-accounting"), "it broke", outcomes.Callback());
  client.EnrollBeta("f", "acme-accounting", outcomes.Callback());
  EXPECT_LT(absl::Now() - start, kAtOnce);
  for (size_t n = 1; n <= 2; ++n) {
    const std::optional<CallStatus> status = outcomes.Wait(n);
    ASSERT_TRUE(status.has_value()) << n;
    EXPECT_EQ(status->code, StatusCode::kUnavailable) << n << ": " << status->message;
  }
}

TEST_F(CallsTest, NoAnswerWithinTheCallTimeoutIsDeadlineExceeded) {
  service_.HoldCalls();
  ClientOptions o = Options();
  o.call_timeout = std::chrono::milliseconds(200);
  Client client(o);
  Outcomes outcomes;
  client.EnrollBeta("f", "acme-accounting", outcomes.Callback());
  const std::optional<CallStatus> status = outcomes.Wait();
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->code, StatusCode::kDeadlineExceeded);
}

TEST_F(CallsTest, DestroyingTheClientCancelsCallsInFlightAndRunsTheirCallbacks) {
  service_.HoldCalls();
  Outcomes outcomes;
  auto client = std::make_unique<Client>(Options());
  client->ReportProblem("f", Context("acme-accounting"), "x", outcomes.Callback());
  client->WithdrawBeta("f", "acme-accounting", outcomes.Callback());
  ASSERT_TRUE(service_.WaitForCalls(2, kTimeout));
  const absl::Time start = absl::Now();
  client.reset();
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  // Both callbacks ran before the destructor returned.
  ASSERT_EQ(outcomes.count(), 2u);
  EXPECT_EQ(outcomes.Wait(1)->code, StatusCode::kCancelled);
  EXPECT_EQ(outcomes.Wait(2)->code, StatusCode::kCancelled);
}

TEST_F(CallsTest, WithoutACallbackTheCallIsStillSent) {
  Client client(Options());
  client.EnrollBeta("f", "acme-accounting");
  client.ReportProblem("f", Context("acme-accounting"), "no one listens");
  ASSERT_TRUE(service_.WaitForCalls(2, kTimeout));
}

TEST_F(CallsTest, ACallbackThatThrowsIsContained) {
  Client client(Options());
  Outcomes outcomes;
  client.EnrollBeta("f", "acme-accounting",
                    [](const CallStatus&) { throw std::runtime_error("app bug"); });
  ASSERT_TRUE(service_.WaitForCalls(1, kTimeout));
  client.WithdrawBeta("f", "acme-accounting", outcomes.Callback());
  const std::optional<CallStatus> status = outcomes.Wait();
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->code, StatusCode::kOk);
}

TEST_F(CallsTest, ACallbackMayStartTheNextCall) {
  Client client(Options());
  Outcomes outcomes;
  client.EnrollBeta("f", "acme-accounting", [&](const CallStatus& status) {
    if (status.ok()) client.WithdrawBeta("f", "acme-accounting", outcomes.Callback());
  });
  const std::optional<CallStatus> status = outcomes.Wait();
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->code, StatusCode::kOk);
  EXPECT_EQ(service_.calls().size(), 2u);
}

TEST_F(CallsTest, BeyondTheLimitOfCallsInFlightACallIsRefusedAtOnce) {
  service_.HoldCalls();
  sdk::Calls::Options options;
  options.server_address = server_.address();
  options.sdk_key = "test-key";
  options.max_in_flight = 2;
  sdk::Calls calls(options);
  Outcomes held;
  calls.EnrollBeta(v1::SdkBetaRequest(), held.Callback());
  calls.EnrollBeta(v1::SdkBetaRequest(), held.Callback());
  ASSERT_TRUE(service_.WaitForCalls(2, kTimeout));
  std::optional<CallStatus> refused;
  calls.WithdrawBeta(v1::SdkBetaRequest(), [&](const CallStatus& s) { refused = s; });
  ASSERT_TRUE(refused.has_value());  // before the call returned
  EXPECT_EQ(refused->code, StatusCode::kResourceExhausted);
  EXPECT_EQ(refused->message, "more than 2 calls to the server in flight");
  service_.ReleaseCalls();
  ASSERT_TRUE(held.Wait(2).has_value());
  EXPECT_EQ(service_.calls().size(), 2u);
}

TEST(StatusCodeNameTest, SpellsGrpcsNames) {
  EXPECT_STREQ(StatusCodeName(StatusCode::kOk), "OK");
  EXPECT_STREQ(StatusCodeName(StatusCode::kUnavailable), "UNAVAILABLE");
  EXPECT_STREQ(StatusCodeName(StatusCode::kUnauthenticated), "UNAUTHENTICATED");
  EXPECT_STREQ(StatusCodeName(static_cast<StatusCode>(99)), "UNKNOWN");
}

}  // namespace
}  // namespace rampart
