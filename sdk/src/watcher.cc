#include "sdk/src/watcher.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "sdk/src/backoff.h"

namespace rampart::sdk {

absl::Status FromGrpc(const grpc::Status& status) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

Watcher::Watcher(Options options, Handler* handler)
    : options_(std::move(options)), handler_(handler), thread_([this] { Run(); }) {}

Watcher::~Watcher() {
  stop_.Notify();
  {
    absl::MutexLock lock(&mu_);
    if (active_ != nullptr) active_->TryCancel();
  }
  thread_.join();
}

// The largest snapshot or delta the client accepts.
constexpr int kMaxMessageBytes = 512 << 20;

grpc::ChannelArguments ReconnectBackoffArgs(absl::Duration initial, absl::Duration max) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS,
              static_cast<int>(absl::ToInt64Milliseconds(initial)));
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS,
              static_cast<int>(absl::ToInt64Milliseconds(initial)));
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, static_cast<int>(absl::ToInt64Milliseconds(max)));
  return args;
}

std::shared_ptr<grpc::ChannelCredentials> ChannelCredentialsFor(bool tls,
                                                                const std::string& roots) {
  if (!tls) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = roots;
  return grpc::SslCredentials(ssl);
}

void Watcher::Run() {
  grpc::ChannelArguments args =
      ReconnectBackoffArgs(options_.initial_backoff, options_.max_backoff);
  // Pings on an idle stream, so a hung server or a dead network is noticed.
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS,
              static_cast<int>(absl::ToInt64Milliseconds(options_.keepalive_time)));
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
              static_cast<int>(absl::ToInt64Milliseconds(options_.keepalive_timeout)));
  args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);  // the stream is idle between changes
  // A full snapshot of 100 000 accounts is ~10 MB, past gRPC's 4 MB default.
  args.SetMaxReceiveMessageSize(kMaxMessageBytes);
  std::shared_ptr<grpc::Channel> channel = grpc::CreateCustomChannel(
      options_.server_address,
      options_.credentials != nullptr ? options_.credentials : grpc::InsecureChannelCredentials(),
      args);
  std::unique_ptr<v1::SdkService::Stub> stub = v1::SdkService::NewStub(channel);
  Backoff backoff(options_.initial_backoff, options_.max_backoff, options_.jitter_seed);

  while (!stop_.HasBeenNotified()) {
    bool applied = false;
    absl::Status why = RunStream(*stub, &applied);
    if (stop_.HasBeenNotified()) break;
    // A stream that brought at least one good message was a success: the
    // next failure starts the backoff over.
    if (applied) backoff.Reset();
    handler_->OnDisconnected(why);
    if (stop_.WaitForNotificationWithTimeout(backoff.Next())) break;
  }
}

absl::Status Watcher::RunStream(v1::SdkService::Stub& stub, bool* applied) {
  grpc::ClientContext context;
  context.AddMetadata("authorization", absl::StrCat("Bearer ", options_.sdk_key));
  {
    absl::MutexLock lock(&mu_);
    // Checked under the lock the destructor cancels under: either it sees
    // this stream, or this sees its stop.
    if (stop_.HasBeenNotified()) return absl::CancelledError("client stopped");
    active_ = &context;
  }
  v1::WatchRequest request;
  request.set_from_version(handler_->ResumeVersion());
  request.set_client_name(options_.client_name);
  std::unique_ptr<grpc::ClientReader<v1::WatchResponse>> reader = stub.Watch(&context, request);

  absl::Status why;
  for (;;) {
    // A fresh message each time: a reused one would keep the capacity of the
    // largest snapshot ever received (protobuf's Clear() keeps it).
    v1::WatchResponse response;
    if (!reader->Read(&response)) break;
    why = handler_->OnMessage(response);
    if (!why.ok()) {
      context.TryCancel();
      break;
    }
    *applied = true;
  }
  const grpc::Status finished = reader->Finish();
  {
    absl::MutexLock lock(&mu_);
    active_ = nullptr;
  }
  if (!why.ok()) return why;
  if (finished.ok()) return absl::UnavailableError("the server ended the stream");
  return FromGrpc(finished);
}

}  // namespace rampart::sdk
