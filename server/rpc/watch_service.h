// SdkService.Watch: the long-lived stream that keeps every SDK's copy of the
// flags, segments and accounts up to date (proto/rampart/v1/sdk.proto).
//
// Registered as the generated raw callback variant
// (v1::SdkService::WithRawCallbackMethod_Watch<v1::SdkService::Service>), so
// the request arrives and the responses leave as grpc::ByteBuffer: each
// message is serialized once by the stream::Publisher and the same bytes go
// to every subscriber.
//
// One reactor a stream. It checks the SDK key (metadata
// `authorization: Bearer <key>`; UNAUTHENTICATED when missing or unknown,
// unless no keys are configured), parses the WatchRequest (INVALID_ARGUMENT
// when it does not parse), subscribes to the publisher and then loops:
// at most one write in flight; when it completes, ask the publisher for the
// next message for the version the SDK now has; when up to date, wait to be
// woken by the next commit. A slow SDK only delays itself: the publisher
// never waits for a stream, and since the stream's state is just its version,
// nothing piles up for it while it does not read. OnCancel finishes the call
// (CANCELLED) once; OnDone unsubscribes, logs one line and deletes the
// reactor. Publisher::Shutdown() finishes every stream with UNAVAILABLE
// "server shutting down".
//
// Thread-safety: gRPC calls the reactor's reactions and the publisher calls
// Wake() from the committing thread, concurrently; each reactor serializes
// them with its own mutex (see watch_service.cc for the lock order).
#ifndef RAMPART_SERVER_RPC_WATCH_SERVICE_H_
#define RAMPART_SERVER_RPC_WATCH_SERVICE_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "grpcpp/grpcpp.h"
#include "rampart/v1/sdk.grpc.pb.h"
#include "server/rpc/request_log.h"
#include "server/stream/publisher.h"

namespace rampart::rpc {

class WatchService final
    : public v1::SdkService::WithRawCallbackMethod_Watch<v1::SdkService::Service> {
 public:
  // `sdk_keys` empty: Watch is open to anyone (rampartd warns at startup).
  // `publisher` and `log` must outlive the service.
  WatchService(stream::Publisher& publisher, const RequestLog& log,
               std::vector<std::string> sdk_keys);

  grpc::ServerWriteReactor<grpc::ByteBuffer>* Watch(grpc::CallbackServerContext* context,
                                                    const grpc::ByteBuffer* request) override;

  // True when `key` is one of the accepted SDK keys (or none are configured).
  bool Accepts(absl::string_view key) const;

 private:
  stream::Publisher& publisher_;
  const RequestLog& log_;
  const std::vector<std::string> sdk_keys_;
};

}  // namespace rampart::rpc

#endif  // RAMPART_SERVER_RPC_WATCH_SERVICE_H_
