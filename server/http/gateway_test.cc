// The gateway alone: what it answers before any call reaches gRPC (the
// console's files, unknown or streaming methods, bodies that do not parse)
// and how it maps codes. Calls through to real handlers are tested in
// tests/e2e/access_test.cc.
#include "server/http/gateway.h"

#include <httplib.h>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rampart/v1/sdk.pb.h"
#include "rampart/v1/support.pb.h"
#include "server/http/console_assets.h"

namespace rampart::http {
namespace {

using ::testing::HasSubstr;

class GatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The gateway finds the methods of the services linked in (rampartd
    // links them all); this test links these two.
    ASSERT_NE(v1::WhoisRequest::descriptor(), nullptr);
    ASSERT_NE(v1::WatchRequest::descriptor(), nullptr);
    // A channel to nowhere: nothing here may reach it.
    auto channel = grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials());
    GatewayOptions options;
    options.listen = "127.0.0.1:0";
    auto gateway = Gateway::Start(channel, options);
    ASSERT_TRUE(gateway.ok()) << gateway.status();
    gateway_ = std::move(*gateway);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", gateway_->port());
  }

  httplib::Result Post(const std::string& path, const std::string& body) {
    return client_->Post(path.c_str(), body, "application/json");
  }

  std::unique_ptr<Gateway> gateway_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(GatewayTest, ServesTheCompiledInConsole) {
  ASSERT_FALSE(ConsoleAssets().empty());
  auto index = client_->Get("/");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_THAT(index->get_header_value("Content-Type"), HasSubstr("text/html"));
  EXPECT_THAT(index->body, HasSubstr("<html"));
  EXPECT_THAT(index->get_header_value("Content-Security-Policy"),
              HasSubstr("script-src 'self'"));
  EXPECT_EQ(index->get_header_value("X-Content-Type-Options"), "nosniff");
  auto js = client_->Get("/console/app.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->status, 200);
  EXPECT_THAT(js->get_header_value("Content-Type"), HasSubstr("javascript"));
  EXPECT_EQ(client_->Get("/console/nope.js")->status, 404);
  EXPECT_EQ(client_->Get("/console/..%2Fgateway.cc")->status, 404);
  EXPECT_EQ(client_->Get("/healthz")->body, "ok\n");
}

TEST_F(GatewayTest, UnknownMethodsAreNotFound) {
  auto r = Post("/rampart.v1.SupportService/Frobnicate", "{}");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(r->body,
            "{\"code\":\"not_found\",\"message\":\"no method "
            "rampart.v1.SupportService/Frobnicate (docs/http.md lists them)\"}");
  EXPECT_EQ(Post("/rampart.v1.NoService/Whois", "{}")->status, 404);
}

TEST_F(GatewayTest, StreamingMethodsAreGrpcOnly) {
  auto r = Post("/rampart.v1.SdkService/Watch", "{}");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 501);
  EXPECT_THAT(r->body, HasSubstr("\"code\":\"unimplemented\""));
}

TEST_F(GatewayTest, ABodyThatDoesNotParseIsRefusedNamingTheField) {
  auto r = Post("/rampart.v1.SupportService/Whois", "{\"acount\":\"x\"}");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_THAT(r->body, HasSubstr("invalid_argument"));
  EXPECT_THAT(r->body, HasSubstr("acount"));
  EXPECT_THAT(r->body, HasSubstr("rampart.v1.WhoisRequest"));
  auto wrong_type = Post("/rampart.v1.SupportService/Whois", "{\"at\":42}");
  EXPECT_EQ(wrong_type->status, 400);
  auto not_json = client_->Post("/rampart.v1.SupportService/Whois", "account=x",
                                "application/x-www-form-urlencoded");
  EXPECT_EQ(not_json->status, 400);
  EXPECT_THAT(not_json->body, HasSubstr("Content-Type"));
}

TEST(GatewayCodesTest, ConnectMapping) {
  EXPECT_EQ(HttpStatusOf(grpc::StatusCode::UNAUTHENTICATED), 401);
  EXPECT_EQ(HttpStatusOf(grpc::StatusCode::PERMISSION_DENIED), 403);
  EXPECT_EQ(HttpStatusOf(grpc::StatusCode::INVALID_ARGUMENT), 400);
  EXPECT_EQ(HttpStatusOf(grpc::StatusCode::NOT_FOUND), 404);
  EXPECT_EQ(HttpStatusOf(grpc::StatusCode::ABORTED), 409);
  EXPECT_EQ(HttpStatusOf(grpc::StatusCode::UNAVAILABLE), 503);
  EXPECT_EQ(HttpStatusOf(grpc::StatusCode::INTERNAL), 500);
  EXPECT_EQ(CodeName(grpc::StatusCode::PERMISSION_DENIED), "permission_denied");
  EXPECT_EQ(CodeName(grpc::StatusCode::FAILED_PRECONDITION), "failed_precondition");
}

}  // namespace
}  // namespace rampart::http
