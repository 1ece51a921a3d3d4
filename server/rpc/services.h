// The gRPC services of rampartd (rampart.v1), on the callback (reactor) API.
// Each handler is a thin adapter: it asks the authenticator whether the
// caller's token may call the method (server/auth; the audit actor becomes
// the token's name), calls the registry, maps the status with ToGrpcStatus
// and logs one line. No business rule lives here.
//
// Thread-safety: gRPC calls handlers concurrently; the registry and the
// authenticator are thread-safe, and the services hold no state of their own.
#ifndef RAMPART_SERVER_RPC_SERVICES_H_
#define RAMPART_SERVER_RPC_SERVICES_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "grpcpp/grpcpp.h"
#include "server/auth/authenticator.h"
#include "server/registry/registry.h"
#include "server/rpc/request_log.h"

namespace rampart::rpc {

// What every service works with; all must outlive the services.
struct ServiceDeps {
  registry::Registry& registry;
  const RequestLog& log;
  const auth::Authenticator& auth;
};

// Builds every rampart.v1 service but SdkService (watch_service.h).
std::vector<std::unique_ptr<grpc::Service>> MakeServices(const ServiceDeps& deps);

// The value of the call's `authorization` metadata ("" when absent).
absl::string_view AuthorizationOf(const grpc::CallbackServerContext& ctx);

// The peer for the request log: the HTTP gateway's client (metadata
// x-forwarded-for, trusted only on the in-process channel), else the call's.
std::string PeerOf(const grpc::CallbackServerContext& ctx);

}  // namespace rampart::rpc

#endif  // RAMPART_SERVER_RPC_SERVICES_H_
