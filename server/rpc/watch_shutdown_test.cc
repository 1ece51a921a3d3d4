// rampartd as a process, with SDK watchers connected: --sdk-keys, the token
// Watch needs (none with --auth=false, and the warning that says so), the
// log line of a stream, and SIGTERM ending
// the streams at once instead of waiting for them.
#include <signal.h>

#include <memory>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "rampart/v1/sdk.grpc.pb.h"
#include "tests/testing/process.h"
#include "tests/testing/temp_dir.h"

namespace rampart::rpc {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class WatchShutdownTest : public ::testing::Test {
 protected:
  void Start(const std::vector<std::string>& args) {
    auto server = testing::ServerProcess::Start(RAMPARTD_PATH, tmp_.path() + "/data", args);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    stub_ = v1::SdkService::NewStub(
        grpc::CreateChannel(server_->address(), grpc::InsecureChannelCredentials()));
  }

  testing::TempDir tmp_;
  std::unique_ptr<testing::ServerProcess> server_;
  std::unique_ptr<v1::SdkService::Stub> stub_;
};

TEST_F(WatchShutdownTest, SigtermWithAWatcherConnectedExitsPromptly) {
  Start({"--sdk-keys", "key-a,key-b", "--shutdown-grace-seconds", "30"});
  EXPECT_THAT(server_->Stderr(), Not(HasSubstr("warning")));

  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
  ctx->AddMetadata("authorization", "Bearer key-b");
  v1::WatchRequest req;
  req.set_client_name("billing-service/1.4.2");
  auto reader = stub_->Watch(ctx.get(), req);
  v1::WatchResponse first;
  ASSERT_TRUE(reader->Read(&first));
  EXPECT_TRUE(first.has_snapshot());  // of the empty store, version 0

  // An SDK waits in Read() for the next change; there it learns of the end.
  grpc::Status status;
  std::thread sdk([&] {
    v1::WatchResponse r;
    while (reader->Read(&r)) {
    }
    status = reader->Finish();
    // And lets the connection go (a gRPC client that polls nothing would
    // read the server's GOAWAY only at its backup poll, every 5 s).
    reader.reset();
    ctx.reset();
    stub_.reset();
  });
  const absl::Time start = absl::Now();
  EXPECT_EQ(server_->Stop(SIGTERM), 0);
  // Not the 30 s of grace (nor the 5 s an idle client takes to notice).
  EXPECT_LT(absl::Now() - start, absl::Seconds(4));
  sdk.join();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_EQ(status.error_message(), "server shutting down");

  // One line for the stream, naming the client.
  EXPECT_THAT(server_->Stderr(), HasSubstr("\"method\":\"SdkService.Watch\""));
  EXPECT_THAT(server_->Stderr(), HasSubstr("\"actor\":\"sdk-key-2 billing-service/1.4.2\""));
}

TEST_F(WatchShutdownTest, WatchNeedsATokenUnlessAuthIsOff) {
  Start({});
  {
    grpc::ClientContext ctx;
    auto reader = stub_->Watch(&ctx, v1::WatchRequest());  // no token
    v1::WatchResponse first;
    EXPECT_FALSE(reader->Read(&first));
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  {
    // Any role may read the stream: here the admin token rampartd wrote.
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", "Bearer " + server_->admin_token());
    auto reader = stub_->Watch(&ctx, v1::WatchRequest());
    v1::WatchResponse first;
    EXPECT_TRUE(reader->Read(&first));
    ctx.TryCancel();
    reader->Finish();
  }
  stub_.reset();
  EXPECT_EQ(server_->Stop(SIGTERM), 0);
}

TEST_F(WatchShutdownTest, WithAuthOffWatchIsOpenAndTheServerSaysSo) {
  Start({"--auth=false"});
  EXPECT_THAT(server_->Stderr(), HasSubstr("warning: --auth=false"));
  {
    grpc::ClientContext ctx;
    ctx.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
    auto reader = stub_->Watch(&ctx, v1::WatchRequest());  // no key
    v1::WatchResponse first;
    EXPECT_TRUE(reader->Read(&first));
    EXPECT_TRUE(first.has_snapshot());
    ctx.TryCancel();
    reader->Finish();
  }
  stub_.reset();
  EXPECT_EQ(server_->Stop(SIGTERM), 0);
}

}  // namespace
}  // namespace rampart::rpc
