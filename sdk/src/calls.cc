#include "sdk/src/calls.h"

#include <functional>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "sdk/src/watcher.h"

namespace rampart::sdk {

CallStatus ToCallStatus(const grpc::Status& status) {
  CallStatus out;
  const int code = static_cast<int>(status.error_code());
  out.code = code >= 0 && code <= static_cast<int>(StatusCode::kUnauthenticated)
                 ? static_cast<StatusCode>(code)
                 : StatusCode::kUnknown;
  out.message = status.error_message();
  return out;
}

void RunCallback(const CallCallback& done, const CallStatus& status) noexcept {
  if (!done) return;
  try {
    done(status);
  } catch (...) {
    // The app's callback threw: there is nobody to tell on a gRPC thread,
    // and letting it escape would terminate the process.
  }
}

Calls::Calls(Options options) : options_(std::move(options)) {}

Calls::~Calls() {
  InFlight& in_flight = *in_flight_;
  absl::MutexLock lock(&in_flight.mu);
  in_flight.shutting_down = true;
  // gRPC runs the callbacks on its own threads, never inline from
  // TryCancel, so holding mu here cannot deadlock with them.
  for (grpc::ClientContext* context : in_flight.contexts) context->TryCancel();
  in_flight.mu.Await(absl::Condition(
      +[](size_t* pending) { return *pending == 0; }, &in_flight.pending));
  // stub_ (and the channel) go after this: no context refers to them now.
}

template <typename Request, typename Response, typename Method>
void Calls::Start(Request request, CallCallback done, Method method) noexcept {
  // One call's state, deleted by its completion callback.
  struct Call {
    grpc::ClientContext context;
    Request request;
    Response response;
    CallCallback done;
  };
  std::unique_ptr<Call> call;
  std::function<void(grpc::Status)> on_done;
  try {
    // Everything that can throw (allocations) happens before the call is
    // registered, so a failure leaves nothing for ~Calls to wait on.
    call = std::make_unique<Call>();
    call->request = std::move(request);
    call->done = std::move(done);
    call->context.AddMetadata("authorization", absl::StrCat("Bearer ", options_.sdk_key));
    call->context.set_deadline(absl::ToChronoTime(absl::Now() + options_.timeout));
    on_done = [in_flight = in_flight_, c = call.get()](grpc::Status status) {
      RunCallback(c->done, ToCallStatus(status));
      {
        absl::MutexLock lock(&in_flight->mu);
        in_flight->contexts.erase(&c->context);
      }
      // Before the call counts as done: the context holds the channel, whose
      // last reference must not go on this gRPC thread (see calls.h).
      delete c;
      absl::MutexLock lock(&in_flight->mu);
      --in_flight->pending;
    };
  } catch (...) {
    if (call != nullptr) {
      RunCallback(call->done, CallStatus{StatusCode::kResourceExhausted, "out of memory"});
    }
    return;
  }

  v1::SdkService::Stub* stub = nullptr;
  CallStatus refused;
  {
    absl::MutexLock lock(&in_flight_->mu);
    if (in_flight_->shutting_down) {
      refused = {StatusCode::kCancelled, "the client is shutting down"};
    } else if (in_flight_->pending >= options_.max_in_flight) {
      refused = {StatusCode::kResourceExhausted, absl::StrCat("more than ", options_.max_in_flight,
                                                              " calls to the server in flight")};
    } else {
      if (stub_ == nullptr) stub_ = NewStub();
      stub = stub_.get();
      ++in_flight_->pending;
      in_flight_->contexts.insert(&call->context);
    }
  }
  if (stub == nullptr) {
    RunCallback(call->done, refused);  // outside the lock: it may start another call
    return;
  }
  // Without wait_for_ready a server that cannot be reached fails the call
  // (UNAVAILABLE) as soon as the connection attempt does, instead of holding
  // it until the deadline.
  Call* c = call.release();
  method(stub->async(), &c->context, &c->request, &c->response, std::move(on_done));
}

std::unique_ptr<v1::SdkService::Stub> Calls::NewStub() {
  // As the Watch stream's channel: gRPC's own reconnection backoff (up to
  // 120 s) would otherwise fail calls long after the server is back.
  grpc::ChannelArguments args =
      ReconnectBackoffArgs(options_.initial_backoff, options_.max_backoff);
  return v1::SdkService::NewStub(grpc::CreateCustomChannel(
      options_.server_address,
      options_.credentials != nullptr ? options_.credentials : grpc::InsecureChannelCredentials(),
      args));
}

// The generated async stub's method, called with moved arguments (moving the
// completion std::function cannot throw; copying it could).
#define RAMPART_ASYNC_METHOD(NAME) \
  [](auto* async, auto&&... args) { async->NAME(std::forward<decltype(args)>(args)...); }

void Calls::ReportProblem(v1::ReportProblemRequest request, CallCallback done) noexcept {
  Start<v1::ReportProblemRequest, v1::ProblemReport>(std::move(request), std::move(done),
                                                     RAMPART_ASYNC_METHOD(ReportProblem));
}

void Calls::EnrollBeta(v1::SdkBetaRequest request, CallCallback done) noexcept {
  Start<v1::SdkBetaRequest, v1::BetaEnrollmentResponse>(std::move(request), std::move(done),
                                                        RAMPART_ASYNC_METHOD(EnrollBeta));
}

void Calls::WithdrawBeta(v1::SdkBetaRequest request, CallCallback done) noexcept {
  Start<v1::SdkBetaRequest, v1::BetaEnrollmentResponse>(std::move(request), std::move(done),
                                                        RAMPART_ASYNC_METHOD(WithdrawBeta));
}

#undef RAMPART_ASYNC_METHOD

}  // namespace rampart::sdk
