// Calls: the unary SdkService calls an app makes through the client
// (ReportProblem, EnrollBeta, WithdrawBeta), sent with gRPC's callback API so
// that the caller never waits for the network.
//
// The channel is created at the first call (an app that never reports opens
// no second connection). Every call has a deadline; its callback runs on a
// gRPC thread (gRPC never runs a unary callback inline from the call), after
// which the call is forgotten. The destructor cancels the calls still in
// flight and waits until each callback has run, so no callback outlives the
// client and what it captured.
//
// Lifetimes, which gRPC makes delicate here: a call's ClientContext holds a
// reference to the channel, and the last reference to a channel must not be
// dropped on one of gRPC's callback threads (~Channel then joins those
// threads, itself included, and the process crashes). So a callback deletes
// its context first and only then forgets the call: the channel, kept by
// the stub until ~Calls, outlives every context. What the callbacks touch
// after that (the mutex and the set) is shared with them, so it outlives
// the Calls too.
//
// Thread-safety: any method from any thread. Callbacks may start new calls;
// they must not destroy the Calls.
#ifndef RAMPART_SDK_SRC_CALLS_H_
#define RAMPART_SDK_SRC_CALLS_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/client_context.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/status.h"
#include "rampart/client.h"
#include "rampart/v1/sdk.grpc.pb.h"

namespace rampart::sdk {

class Calls {
 public:
  struct Options {
    std::string server_address;
    std::string sdk_key;
    // Null: plain text.
    std::shared_ptr<grpc::ChannelCredentials> credentials;
    absl::Duration initial_backoff = absl::Milliseconds(100);
    absl::Duration max_backoff = absl::Seconds(30);
    absl::Duration timeout = absl::Seconds(10);
    // Beyond this many calls in flight, a call is refused at once
    // (RESOURCE_EXHAUSTED): a server that is down must not let an app that
    // reports in a loop pile up calls without bound.
    size_t max_in_flight = 1000;
  };

  explicit Calls(Options options);
  // Cancels the calls in flight and waits for their callbacks.
  ~Calls();
  Calls(const Calls&) = delete;
  Calls& operator=(const Calls&) = delete;

  // `done` may be empty. Never throws; refusals (shutting down, too many in
  // flight) run `done` before returning.
  void ReportProblem(v1::ReportProblemRequest request, CallCallback done) noexcept;
  void EnrollBeta(v1::SdkBetaRequest request, CallCallback done) noexcept;
  void WithdrawBeta(v1::SdkBetaRequest request, CallCallback done) noexcept;

 private:
  template <typename Request, typename Response, typename Method>
  void Start(Request request, CallCallback done, Method method) noexcept;
  std::unique_ptr<v1::SdkService::Stub> NewStub();

  // The calls in flight, shared with their callbacks.
  struct InFlight {
    absl::Mutex mu;
    // Calls whose callback has not finished.
    size_t pending ABSL_GUARDED_BY(mu) = 0;
    // Their contexts, until the callback deletes them (for TryCancel).
    absl::flat_hash_set<grpc::ClientContext*> contexts ABSL_GUARDED_BY(mu);
    bool shutting_down ABSL_GUARDED_BY(mu) = false;
  };

  const Options options_;
  const std::shared_ptr<InFlight> in_flight_ = std::make_shared<InFlight>();
  // Created at the first call; kept until the destructor.
  std::unique_ptr<v1::SdkService::Stub> stub_ ABSL_GUARDED_BY(in_flight_->mu);
};

// CallStatus from a gRPC status (the codes have the same numbers).
CallStatus ToCallStatus(const grpc::Status& status);

// Runs `done`, if any, with `status`; swallows what it throws.
void RunCallback(const CallCallback& done, const CallStatus& status) noexcept;

}  // namespace rampart::sdk

#endif  // RAMPART_SDK_SRC_CALLS_H_
