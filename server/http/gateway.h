// The HTTP/JSON API and the web console (issue 6; docs/http.md).
//
// Every unary method of the rampart.v1 services is served at
// `POST /rampart.v1.<Service>/<Method>` with the request and the response in
// protobuf's JSON mapping, as the Connect protocol's unary calls are, so
// curl, scripts and CRMs without gRPC can use Rampart. The gateway holds no
// handler of its own: it turns the JSON into the request message, calls the
// very gRPC method over the server's in-process channel (so the token check,
// the policy, the audit actor, the request log and the handlers are the
// gRPC ones) and turns the answer back into JSON. An error is the HTTP
// status of its gRPC code and `{"code":"permission_denied","message":...}`.
//
// `GET /` and `GET /console/<file>` serve the console (server/http/console,
// compiled in; or from a directory, for working on it). `GET /healthz`
// answers "ok".
//
// Thread-safety: cpp-httplib serves each connection on a thread of its
// pool; the channel is thread-safe and the gateway holds no other state.
#ifndef RAMPART_SERVER_HTTP_GATEWAY_H_
#define RAMPART_SERVER_HTTP_GATEWAY_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/grpcpp.h"

namespace httplib {
class Server;
}  // namespace httplib

namespace rampart::http {

struct GatewayOptions {
  // HOST:PORT; port 0 picks a free port.
  std::string listen = "127.0.0.1:7312";
  // Serve the console from this directory instead of the compiled-in files.
  std::string console_dir;
  // PEM files: both set, HTTPS.
  std::string tls_cert_file;
  std::string tls_key_file;
};

class Gateway {
 public:
  // Binds and starts serving on its own threads; calls go to `channel`
  // (the gRPC server's in-process channel). UNAVAILABLE when the address
  // cannot be bound, INVALID_ARGUMENT when the TLS files do not load.
  static absl::StatusOr<std::unique_ptr<Gateway>> Start(std::shared_ptr<grpc::Channel> channel,
                                                        const GatewayOptions& options);
  ~Gateway();

  int port() const { return port_; }
  // Stops accepting and waits for the serving thread. Idempotent.
  void Shutdown();

 private:
  Gateway() = default;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

// The HTTP status of a gRPC code, as the Connect protocol maps them
// (INVALID_ARGUMENT 400, UNAUTHENTICATED 401, PERMISSION_DENIED 403,
// NOT_FOUND 404, ALREADY_EXISTS and ABORTED 409, FAILED_PRECONDITION 400, ...).
int HttpStatusOf(grpc::StatusCode code);
// "permission_denied": the code's name in Connect's error body.
std::string CodeName(grpc::StatusCode code);

}  // namespace rampart::http

#endif  // RAMPART_SERVER_HTTP_GATEWAY_H_
