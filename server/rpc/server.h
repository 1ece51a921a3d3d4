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
#include "server/auth/authenticator.h"
#include "server/registry/registry.h"
#include "server/rpc/request_log.h"
#include "server/stream/publisher.h"

namespace rampart::http {
class Gateway;
}  // namespace rampart::http

namespace rampart::rpc {

struct ServerOptions {
  // HOST:PORT; port 0 picks a free port (see Server::port()).
  std::string listen = "127.0.0.1:7311";
  bool log_requests = true;
  // Serves SdkService: Watch from this publisher, ReportProblem, EnrollBeta
  // and WithdrawBeta from the registry (null: the service is not served).
  // It must outlive the server; Shutdown() shuts it down.
  stream::Publisher* publisher = nullptr;
  // Static tokens of role sdk (`authorization: Bearer <key>`).
  std::vector<std::string> sdk_keys;
  // Every call needs a token: a stored API token or one of sdk_keys
  // (server/auth). False: with sdk_keys, only SdkService needs one (of
  // them); without, nobody needs one and every caller is an admin.
  bool require_tokens = false;
  // The HTTP/JSON gateway and the console (server/http): HOST:PORT, port 0
  // picks a free one; empty: not served.
  std::string http_listen;
  // Serve the console's files from this directory instead of the copies
  // compiled in (for working on the console).
  std::string console_dir;
  // PEM files: both set, gRPC and HTTP are served over TLS.
  std::string tls_cert_file;
  std::string tls_key_file;
};

class Server {
 public:
  // Starts serving. UNAVAILABLE when the address cannot be bound.
  static absl::StatusOr<std::unique_ptr<Server>> Start(registry::Registry& registry, Clock& clock,
                                                       const ServerOptions& options);
  ~Server();

  // The port actually bound.
  int port() const { return port_; }
  // The HTTP port bound (0: HTTP not served).
  int http_port() const;

  // Stops accepting calls, lets calls in flight finish for up to `grace`,
  // then cancels the rest. Open Watch streams are finished at once
  // (UNAVAILABLE "server shutting down", see Publisher::Shutdown): they never
  // end by themselves, so waiting for them would only burn the grace period.
  // Idempotent.
  void Shutdown(absl::Duration grace);

 private:
  Server() = default;
  std::unique_ptr<RequestLog> log_;
  std::unique_ptr<auth::Authenticator> sdk_auth_;  // SdkService's
  std::unique_ptr<auth::Authenticator> api_auth_;  // every other service's
  std::unique_ptr<http::Gateway> http_;
  std::vector<std::unique_ptr<grpc::Service>> services_;
  stream::Publisher* publisher_ = nullptr;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  bool shut_down_ = false;
};

}  // namespace rampart::rpc

#endif  // RAMPART_SERVER_RPC_SERVER_H_
