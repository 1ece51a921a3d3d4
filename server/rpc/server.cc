#include "server/rpc/server.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "core/common/status_macros.h"
#include "core/common/time_util.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "server/http/gateway.h"
#include "server/rpc/services.h"
#include "server/rpc/watch_service.h"

namespace rampart::rpc {
namespace {

absl::StatusOr<std::string> ReadPem(absl::string_view flag, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  if (!in || content.str().find("-----BEGIN") == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, " ", path, ": cannot read a PEM file there"));
  }
  return content.str();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> TlsCredentials(
    const ServerOptions& options) {
  if (options.tls_cert_file.empty() || options.tls_key_file.empty()) {
    return absl::InvalidArgumentError(
        "--tls-cert-file and --tls-key-file: give both (PEM certificate chain and its key)");
  }
  grpc::SslServerCredentialsOptions ssl;
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  ASSIGN_OR_RETURN(pair.cert_chain, ReadPem("--tls-cert-file", options.tls_cert_file));
  ASSIGN_OR_RETURN(pair.private_key, ReadPem("--tls-key-file", options.tls_key_file));
  ssl.pem_key_cert_pairs.push_back(std::move(pair));
  return grpc::SslServerCredentials(ssl);
}

}  // namespace

absl::StatusOr<std::unique_ptr<Server>> Server::Start(registry::Registry& registry, Clock& clock,
                                                      const ServerOptions& options) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  std::unique_ptr<Server> server(new Server());
  server->log_ = std::make_unique<RequestLog>(clock, options.log_requests);
  // Without require_tokens, sdk_keys guard SdkService alone, as before
  // stored tokens existed, and the other services are open.
  auth::AuthOptions sdk_auth{.enabled = options.require_tokens || !options.sdk_keys.empty(),
                             .sdk_keys = options.sdk_keys};
  auth::AuthOptions api_auth{.enabled = options.require_tokens, .sdk_keys = options.sdk_keys};
  server->sdk_auth_ = std::make_unique<auth::Authenticator>(&registry, clock, sdk_auth);
  server->api_auth_ = std::make_unique<auth::Authenticator>(&registry, clock, api_auth);
  server->services_ = MakeServices(ServiceDeps{registry, *server->log_, *server->api_auth_});
  if (options.publisher != nullptr) {
    server->publisher_ = options.publisher;
    server->services_.push_back(std::make_unique<WatchService>(registry, *options.publisher,
                                                               *server->log_, *server->sdk_auth_));
  }

  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
  if (!options.tls_cert_file.empty() || !options.tls_key_file.empty()) {
    ASSIGN_OR_RETURN(credentials, TlsCredentials(options));
  }
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, credentials, &server->port_);
  for (auto& service : server->services_) builder.RegisterService(service.get());
  // Imports stream up to ~2M rows in batches; a batch of 1000 rows is far
  // below this, but a single definition file may be large.
  builder.SetMaxReceiveMessageSize(64 << 20);
  // SDK streams are idle between changes and ping to detect a dead peer
  // (ClientOptions::keepalive_time): accept pings on idle connections every
  // second or more, instead of answering them with GOAWAY too_many_pings.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 1000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || server->port_ == 0) {
    return absl::UnavailableError(
        absl::StrCat("--listen ", options.listen, ": cannot listen there (address in use, or not "
                     "a HOST:PORT this machine has)"));
  }
  server->server_->GetHealthCheckService()->SetServingStatus(true);
  if (!options.http_listen.empty()) {
    http::GatewayOptions http_options;
    http_options.listen = options.http_listen;
    http_options.console_dir = options.console_dir;
    http_options.tls_cert_file = options.tls_cert_file;
    http_options.tls_key_file = options.tls_key_file;
    ASSIGN_OR_RETURN(server->http_, http::Gateway::Start(
                                        server->server_->InProcessChannel(grpc::ChannelArguments()),
                                        http_options));
  }
  return server;
}

Server::~Server() { Shutdown(absl::ZeroDuration()); }

int Server::http_port() const { return http_ == nullptr ? 0 : http_->port(); }

void Server::Shutdown(absl::Duration grace) {
  if (shut_down_ || server_ == nullptr) return;
  shut_down_ = true;
  // HTTP first: its calls go through the gRPC server.
  if (http_ != nullptr) http_->Shutdown();
  server_->GetHealthCheckService()->SetServingStatus(false);
  // Before grpc::Server::Shutdown, which waits for every call to end: Watch
  // streams end only when told to. A stream whose client does not read (its
  // final status cannot be sent) is cancelled when `grace` runs out.
  if (publisher_ != nullptr) publisher_->Shutdown();
  server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  server_->Wait();
}

}  // namespace rampart::rpc
