#include "sdk/tests/fake_sdk_service.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "grpcpp/server_context.h"

namespace rampart::sdk::testing {

grpc::Status FakeSdkService::Watch(grpc::ServerContext* context, const v1::WatchRequest* request,
                                   grpc::ServerWriter<v1::WatchResponse>* writer) {
  std::string authorization;
  const auto& metadata = context->client_metadata();
  if (auto it = metadata.find("authorization"); it != metadata.end()) {
    authorization.assign(it->second.data(), it->second.size());
  }
  std::vector<v1::WatchResponse> first;
  {
    absl::MutexLock lock(&mu_);
    requests_.push_back(*request);
    authorizations_.push_back(authorization);
    end_.reset();
    if (on_watch_) first = on_watch_(*request);
  }
  if (!sdk_key_.empty() && authorization != absl::StrCat("Bearer ", sdk_key_)) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "unknown SDK key");
  }
  for (const v1::WatchResponse& r : first) {
    if (!writer->Write(r)) return grpc::Status::CANCELLED;
  }
  while (!context->IsCancelled()) {
    v1::WatchResponse next;
    {
      absl::MutexLock lock(&mu_);
      const auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return !pending_.empty() || end_ != nullptr;
      };
      mu_.AwaitWithTimeout(absl::Condition(&ready), absl::Milliseconds(20));
      if (end_ != nullptr) {
        grpc::Status status = *end_;
        end_.reset();
        return status;
      }
      if (pending_.empty()) continue;
      next = std::move(pending_.front());
      pending_.pop_front();
    }
    if (!writer->Write(next)) return grpc::Status::CANCELLED;
  }
  return grpc::Status::CANCELLED;
}

namespace {

std::string AuthorizationOf(const grpc::ServerContext& context) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  return it == metadata.end() ? "" : std::string(it->second.data(), it->second.size());
}

}  // namespace

grpc::Status FakeSdkService::Answer(grpc::ServerContext* context, Call call) {
  call.authorization = AuthorizationOf(*context);
  absl::MutexLock lock(&mu_);
  calls_.push_back(std::move(call));
  // Polls for a cancelled call, so that a held call does not hold up
  // FakeServer::Shutdown.
  const absl::Time give_up = absl::Now() + absl::Seconds(60);
  while (hold_ && !context->IsCancelled() && absl::Now() < give_up) {
    const auto released = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !hold_; };
    mu_.AwaitWithTimeout(absl::Condition(&released), absl::Milliseconds(20));
  }
  return call_status_;
}

grpc::Status FakeSdkService::ReportProblem(grpc::ServerContext* context,
                                           const v1::ReportProblemRequest* request,
                                           v1::ProblemReport* response) {
  Call call;
  call.method = "ReportProblem";
  call.problem = *request;
  grpc::Status status = Answer(context, std::move(call));
  if (status.ok()) {
    response->set_flag_key(request->flag_key());
    response->set_account_key(request->account_key());
    response->set_text(request->text());
    response->set_reporter(request->reporter());
    response->set_id("p-1");
  }
  return status;
}

grpc::Status FakeSdkService::EnrollBeta(grpc::ServerContext* context,
                                        const v1::SdkBetaRequest* request,
                                        v1::BetaEnrollmentResponse* response) {
  Call call;
  call.method = "EnrollBeta";
  call.beta = *request;
  grpc::Status status = Answer(context, std::move(call));
  if (status.ok()) {
    response->add_enrolled(request->account_key());
    response->set_changed(true);
  }
  return status;
}

grpc::Status FakeSdkService::WithdrawBeta(grpc::ServerContext* context,
                                          const v1::SdkBetaRequest* request,
                                          v1::BetaEnrollmentResponse* response) {
  Call call;
  call.method = "WithdrawBeta";
  call.beta = *request;
  grpc::Status status = Answer(context, std::move(call));
  if (status.ok()) response->set_changed(true);
  return status;
}

void FakeSdkService::SetCallStatus(grpc::Status status) {
  absl::MutexLock lock(&mu_);
  call_status_ = std::move(status);
}

void FakeSdkService::HoldCalls() {
  absl::MutexLock lock(&mu_);
  hold_ = true;
}

void FakeSdkService::ReleaseCalls() {
  absl::MutexLock lock(&mu_);
  hold_ = false;
}

std::vector<FakeSdkService::Call> FakeSdkService::calls() const {
  absl::MutexLock lock(&mu_);
  return calls_;
}

bool FakeSdkService::WaitForCalls(size_t n, absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  const auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return calls_.size() >= n; };
  return mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
}

void FakeSdkService::SetOnWatch(
    std::function<std::vector<v1::WatchResponse>(const v1::WatchRequest&)> on_watch) {
  absl::MutexLock lock(&mu_);
  on_watch_ = std::move(on_watch);
}

void FakeSdkService::Push(v1::WatchResponse response) {
  absl::MutexLock lock(&mu_);
  pending_.push_back(std::move(response));
}

void FakeSdkService::EndStream(grpc::Status status) {
  absl::MutexLock lock(&mu_);
  end_ = std::make_unique<grpc::Status>(std::move(status));
}

std::vector<v1::WatchRequest> FakeSdkService::requests() const {
  absl::MutexLock lock(&mu_);
  return requests_;
}

std::vector<std::string> FakeSdkService::authorizations() const {
  absl::MutexLock lock(&mu_);
  return authorizations_;
}

bool FakeSdkService::WaitForRequests(size_t n, absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  const auto enough = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return requests_.size() >= n; };
  return mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
}

bool FakeSdkService::WaitForDrained(absl::Duration timeout) const {
  absl::MutexLock lock(&mu_);
  const auto drained = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return pending_.empty(); };
  return mu_.AwaitWithTimeout(absl::Condition(&drained), timeout);
}

FakeServer::FakeServer(FakeSdkService* service, int port) : service_(service) {
  grpc::ServerBuilder builder;
  builder.AddListeningPort(absl::StrCat("127.0.0.1:", port), grpc::InsecureServerCredentials(),
                           &port_);
  builder.RegisterService(service_);
  server_ = builder.BuildAndStart();
}

FakeServer::~FakeServer() { Shutdown(); }

std::string FakeServer::address() const { return absl::StrCat("127.0.0.1:", port_); }

void FakeServer::Shutdown() {
  if (server_ == nullptr) return;
  // Streams notice the cancellation within one wait (20 ms).
  server_->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
  server_->Wait();
  server_.reset();
}

}  // namespace rampart::sdk::testing
