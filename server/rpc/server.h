// Assembles rampartd's gRPC server: the rampart.v1 services (with
// SdkService when given a stream::Publisher), the standard
// grpc.health.v1 health service and server reflection (so grpcurl and other
// generic tools can list and call the services). Used by server/main.cc and
// by tests that run a server in-process.
#ifndef RAMPART_SERVER_RPC_SERVER_H_
#define RAMPART_SERVER_RPC_SERVER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "server/registry/registry.h"
#include "server/rpc/request_log.h"
#include "server/stream/publisher.h"

namespace rampart::rpc {

struct ServerOptions {
  // HOST:PORT; port 0 picks a free port (see Server::port()).
  std::string listen = "127.0.0.1:7311";
  bool log_requests = true;
  // Serves SdkService: Watch from this publisher, ReportProblem, EnrollBeta
  // and WithdrawBeta from the registry (null: the service is not served).
  // It must outlive the server; Shutdown() shuts it down.
  stream::Publisher* publisher = nullptr;
  // The SDK keys SdkService accepts (`authorization: Bearer <key>`); empty:
  // any caller, key or not.
  std::vector<std::string> sdk_keys;
};

class Server {
 public:
  // Starts serving. UNAVAILABLE when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<Server>> Start(registry::Registry& registry, Clock& clock,
                                                       const ServerOptions& options);
  ~Server();

  // The port actually bound.
  int port() const { return port_; }

  // Stops accepting calls, lets calls in flight finish for up to `grace`,
  // then cancels the rest. Open Watch streams are finished at once
  // (UNAVAILABLE "server shutting down", see Publisher::Shutdown): they never
  // end by themselves, so waiting for them would only burn the grace period.
  // Idempotent.
  void Shutdown(absl::Duration grace);

 private:
  Server() = default;
  std::unique_ptr<RequestLog> log_;
  std::vector<std::unique_ptr<grpc::Service>> services_;
  stream::Publisher* publisher_ = nullptr;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  bool shut_down_ = false;
};

}  // namespace rampart::rpc

#endif  // RAMPART_SERVER_RPC_SERVER_H_
