#include "server/rpc/server.h"

#include "absl/strings/str_cat.h"
#include "core/common/time_util.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "server/rpc/services.h"
#include "server/rpc/watch_service.h"

namespace rampart::rpc {

absl::StatusOr<std::unique_ptr<Server>> Server::Start(registry::Registry& registry, Clock& clock,
                                                      const ServerOptions& options) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();

  std::unique_ptr<Server> server(new Server());
  server->log_ = std::make_unique<RequestLog>(clock, options.log_requests);
  server->services_ = MakeServices(registry, *server->log_);
  if (options.publisher != nullptr) {
    server->publisher_ = options.publisher;
    server->services_.push_back(std::make_unique<WatchService>(registry, *options.publisher,
                                                               *server->log_, options.sdk_keys));
  }

  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.listen, grpc::InsecureServerCredentials(), &server->port_);
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
  return server;
}

Server::~Server() { Shutdown(absl::ZeroDuration()); }

void Server::Shutdown(absl::Duration grace) {
  if (shut_down_ || server_ == nullptr) return;
  shut_down_ = true;
  server_->GetHealthCheckService()->SetServingStatus(false);
  // Before grpc::Server::Shutdown, which waits for every call to end: Watch
  // streams end only when told to. A stream whose client does not read (its
  // final status cannot be sent) is cancelled when `grace` runs out.
  if (publisher_ != nullptr) publisher_->Shutdown();
  server_->Shutdown(absl::ToChronoTime(absl::Now() + grace));
  server_->Wait();
}

}  // namespace rampart::rpc
