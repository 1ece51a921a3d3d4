// A fake rampartd for SDK tests: an in-process gRPC server on a free
// loopback port serving SdkService.Watch with the messages a test pushes,
// malformed ones included. Test-only.
//
// Each Watch stream first gets what `on_watch` returns for its request (by
// default: nothing), then every message Push()ed while it is open. One
// stream at a time is expected (one client per fake); Push() with no stream
// open queues the message for the next one.
//
// ReportProblem, EnrollBeta and WithdrawBeta record their requests (and
// authorization) and answer with the status SetCallStatus gave (OK by
// default); HoldCalls() keeps them from answering until ReleaseCalls().
#ifndef RAMPART_SDK_TESTS_FAKE_SDK_SERVICE_H_
#define RAMPART_SDK_TESTS_FAKE_SDK_SERVICE_H_

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/server.h"
#include "rampart/v1/sdk.grpc.pb.h"

namespace rampart::sdk::testing {

class FakeSdkService final : public v1::SdkService::Service {
 public:
  // `sdk_key`: the key a client must send (authorization: Bearer <key>);
  // empty accepts any.
  explicit FakeSdkService(std::string sdk_key = "") : sdk_key_(std::move(sdk_key)) {}

  grpc::Status Watch(grpc::ServerContext* context, const v1::WatchRequest* request,
                     grpc::ServerWriter<v1::WatchResponse>* writer) override;

  grpc::Status ReportProblem(grpc::ServerContext* context, const v1::ReportProblemRequest* request,
                             v1::ProblemReport* response) override;
  grpc::Status EnrollBeta(grpc::ServerContext* context, const v1::SdkBetaRequest* request,
                          v1::BetaEnrollmentResponse* response) override;
  grpc::Status WithdrawBeta(grpc::ServerContext* context, const v1::SdkBetaRequest* request,
                            v1::BetaEnrollmentResponse* response) override;

  // The first messages of every stream, from its request.
  void SetOnWatch(std::function<std::vector<v1::WatchResponse>(const v1::WatchRequest&)> on_watch);
  // Sends `response` on the open stream (or the next one).
  void Push(v1::WatchResponse response);
  // Ends the open stream with `status` (the next one is served normally).
  void EndStream(grpc::Status status);

  // The requests received so far, in order.
  std::vector<v1::WatchRequest> requests() const;
  // The authorization metadata of each request, in order.
  std::vector<std::string> authorizations() const;
  // Waits until `n` requests were received; false on timeout.
  bool WaitForRequests(size_t n, absl::Duration timeout) const;
  // Waits until every pushed message was written; false on timeout.
  bool WaitForDrained(absl::Duration timeout) const;

  // The status the unary calls answer with (OK: a response is filled in).
  void SetCallStatus(grpc::Status status);
  // While held, the unary calls wait (up to 60 s, or until cancelled) before
  // answering.
  void HoldCalls();
  void ReleaseCalls();
  // What a unary call received.
  struct Call {
    std::string method;                // "ReportProblem", "EnrollBeta", "WithdrawBeta"
    v1::ReportProblemRequest problem;  // ReportProblem
    v1::SdkBetaRequest beta;           // EnrollBeta, WithdrawBeta
    std::string authorization;
  };
  // The unary calls received so far, in order.
  std::vector<Call> calls() const;
  // Waits until `n` unary calls were received; false on timeout.
  bool WaitForCalls(size_t n, absl::Duration timeout) const;

 private:
  const std::string sdk_key_;
  mutable absl::Mutex mu_;
  std::function<std::vector<v1::WatchResponse>(const v1::WatchRequest&)> on_watch_
      ABSL_GUARDED_BY(mu_);
  std::deque<v1::WatchResponse> pending_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<grpc::Status> end_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::WatchRequest> requests_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> authorizations_ ABSL_GUARDED_BY(mu_);

  // Records `call`, waits while held, and returns the status to answer with.
  grpc::Status Answer(grpc::ServerContext* context, Call call);
  std::vector<Call> calls_ ABSL_GUARDED_BY(mu_);
  grpc::Status call_status_ ABSL_GUARDED_BY(mu_);
  bool hold_ ABSL_GUARDED_BY(mu_) = false;
};

// The fake served by a real gRPC server on 127.0.0.1.
class FakeServer {
 public:
  // Listens on `port` (0: a free one).
  explicit FakeServer(FakeSdkService* service, int port = 0);
  ~FakeServer();
  // "127.0.0.1:PORT".
  std::string address() const;
  int port() const { return port_; }
  // Stops serving: open streams are cancelled, connections refused.
  void Shutdown();

 private:
  FakeSdkService* service_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace rampart::sdk::testing

#endif  // RAMPART_SDK_TESTS_FAKE_SDK_SERVICE_H_
