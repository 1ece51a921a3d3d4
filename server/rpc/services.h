// The gRPC services of rampartd (rampart.v1), on the callback (reactor) API.
// Each handler is a thin adapter: it calls the registry, maps the status with
// ToGrpcStatus and logs one line. No business rule lives here.
//
// Thread-safety: gRPC calls handlers concurrently; the registry is
// thread-safe, and the services hold no state of their own.
#ifndef RAMPART_SERVER_RPC_SERVICES_H_
#define RAMPART_SERVER_RPC_SERVICES_H_

#include <memory>
#include <vector>

#include "grpcpp/grpcpp.h"
#include "rampart/v1/admin.grpc.pb.h"
#include "rampart/v1/calendar.grpc.pb.h"
#include "rampart/v1/eval.grpc.pb.h"
#include "rampart/v1/freeze.grpc.pb.h"
#include "rampart/v1/support.grpc.pb.h"
#include "rampart/v1/ramp.grpc.pb.h"
#include "server/registry/registry.h"
#include "server/rpc/request_log.h"

namespace rampart::rpc {

// Builds every rampart.v1 service over `registry`. Both must outlive them.
std::vector<std::unique_ptr<grpc::Service>> MakeServices(registry::Registry& registry,
                                                         const RequestLog& log);

}  // namespace rampart::rpc

#endif  // RAMPART_SERVER_RPC_SERVICES_H_
