// SdkService.Watch: the long-lived stream that keeps every SDK's copy of the
// flags, segments and accounts up to date (proto/rampart/v1/sdk.proto).
//
// Registered as the generated raw callback variant
// (v1::SdkService::WithRawCallbackMethod_Watch<v1::SdkService::Service>), so
// the request arrives and the responses leave as grpc::ByteBuffer: each
// message is serialized once by the stream::Publisher and the same bytes go
// to every subscriber.
//
// One reactor a stream. It checks the token (metadata
// `authorization: Bearer <token>`, server/auth: UNAUTHENTICATED when missing
// or unknown, PERMISSION_DENIED for a role without the right), parses the WatchRequest
// (INVALID_ARGUMENT when it does not parse), subscribes to the publisher and then loops: at most
// one write in flight; when it completes, ask the publisher for the next message for the version
// the SDK now has; when up to date, wait to be woken by the next commit. A slow SDK only delays
// itself: the publisher never waits for a stream, and since the stream's state is just its version,
// nothing piles up for it while it does not read. OnCancel finishes the call
// (CANCELLED) once; OnDone unsubscribes, logs one line and deletes the
// reactor. Publisher::Shutdown() finishes every stream with UNAVAILABLE
// "server shutting down".
//
// The same service answers the calls a client app makes back (issue 4),
// as unary callback handlers with the same token check: ReportProblem (the
// request as sent, reporter "sdk" when empty), EnrollBeta and WithdrawBeta
// (as the registry's BetaEnrollmentRequest, actor "sdk:<client_name>", or
// "sdk:unknown" without one, reason "enrolled by the app" / "withdrawn by
// the app"). Each forwards to the registry, maps its status with
// ToGrpcStatus and logs one line.
//
// Thread-safety: gRPC calls the reactor's reactions and the publisher calls
// Wake() from the committing thread, concurrently; each reactor serializes
// them with its own mutex (see watch_service.cc for the lock order). The
// unary handlers hold no state; the registry is thread-safe.
#ifndef RAMPART_SERVER_RPC_WATCH_SERVICE_H_
#define RAMPART_SERVER_RPC_WATCH_SERVICE_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "grpcpp/grpcpp.h"
#include "rampart/v1/sdk.grpc.pb.h"
#include "server/auth/authenticator.h"
#include "server/registry/registry.h"
#include "server/rpc/request_log.h"
#include "server/stream/publisher.h"

namespace rampart::rpc {

// Watch raw (ByteBuffers), the other methods as ordinary callback handlers.
using SdkServiceBase = v1::SdkService::WithRawCallbackMethod_Watch<
    v1::SdkService::WithCallbackMethod_ReportProblem<v1::SdkService::WithCallbackMethod_EnrollBeta<
        v1::SdkService::WithCallbackMethod_WithdrawBeta<v1::SdkService::Service>>>>;

class WatchService final : public SdkServiceBase {
 public:
  // All four must outlive the service.
  WatchService(registry::Registry& registry, stream::Publisher& publisher, const RequestLog& log,
               const auth::Authenticator& auth);

  grpc::ServerWriteReactor<grpc::ByteBuffer>* Watch(grpc::CallbackServerContext* context,
                                                    const grpc::ByteBuffer* request) override;

  grpc::ServerUnaryReactor* ReportProblem(grpc::CallbackServerContext* context,
                                          const v1::ReportProblemRequest* request,
                                          v1::ProblemReport* response) override;
  grpc::ServerUnaryReactor* EnrollBeta(grpc::CallbackServerContext* context,
                                       const v1::SdkBetaRequest* request,
                                       v1::BetaEnrollmentResponse* response) override;
  grpc::ServerUnaryReactor* WithdrawBeta(grpc::CallbackServerContext* context,
                                         const v1::SdkBetaRequest* request,
                                         v1::BetaEnrollmentResponse* response) override;

  const auth::Authenticator& auth() const { return auth_; }

 private:
  registry::Registry& registry_;
  stream::Publisher& publisher_;
  const RequestLog& log_;
  const auth::Authenticator& auth_;
};

}  // namespace rampart::rpc

#endif  // RAMPART_SERVER_RPC_WATCH_SERVICE_H_
