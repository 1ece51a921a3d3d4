// rampartd serves the standard gRPC health service and server reflection, so
// load balancers, orchestrators and generic tools (grpcurl) work with it.
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "reflection_subset.grpc.pb.h"
#include "standard_services.grpc.pb.h"
#include "tests/e2e/e2e_fixture.h"

namespace rampart::e2e {
namespace {

using ::testing::Contains;

TEST_F(E2eTest, ServesGrpcHealth) {
  auto channel = grpc::CreateChannel(server().address(), grpc::InsecureChannelCredentials());
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext ctx;
  grpc::health::v1::HealthCheckRequest req;
  grpc::health::v1::HealthCheckResponse resp;
  grpc::Status s = stub->Check(&ctx, req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

TEST_F(E2eTest, ServesReflectionListingTheRampartServices) {
  auto channel = grpc::CreateChannel(server().address(), grpc::InsecureChannelCredentials());
  auto stub = grpc::reflection::v1alpha::ServerReflection::NewStub(channel);
  grpc::ClientContext ctx;
  auto stream = stub->ServerReflectionInfo(&ctx);
  grpc::reflection::v1alpha::ServerReflectionRequest req;
  req.set_list_services("");
  ASSERT_TRUE(stream->Write(req));
  stream->WritesDone();
  grpc::reflection::v1alpha::ServerReflectionResponse resp;
  ASSERT_TRUE(stream->Read(&resp));
  std::vector<std::string> names;
  for (const auto& s : resp.list_services_response().service()) names.push_back(s.name());
  EXPECT_THAT(names, Contains("rampart.v1.FlagService"));
  EXPECT_THAT(names, Contains("rampart.v1.AccountService"));
  EXPECT_THAT(names, Contains("rampart.v1.EvaluationService"));
  EXPECT_THAT(names, Contains("grpc.health.v1.Health"));
  EXPECT_TRUE(stream->Finish().ok());
}

}  // namespace
}  // namespace rampart::e2e
