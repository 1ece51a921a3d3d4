// Watcher: the client's background thread. It keeps one SdkService.Watch
// stream open to rampartd, hands every message to a Handler, and reopens the
// stream with exponential backoff and full jitter when it fails or ends.
//
// Thread-safety: the Handler is called on the watcher's thread only, one
// call at a time. The destructor may be called from any other thread; it
// returns promptly (the stream is cancelled, a backoff wait is interrupted)
// once the Handler call in progress, if any, returns.
#ifndef RAMPART_SDK_SRC_WATCHER_H_
#define RAMPART_SDK_SRC_WATCHER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "grpcpp/client_context.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "rampart/v1/sdk.grpc.pb.h"

namespace rampart::sdk {

// Channel arguments that keep gRPC's own reconnection backoff (1 s up to
// 120 s by default) within the client's bounds, so a channel is not held in
// TRANSIENT_FAILURE long after the server is back. The Watch stream's
// channel and the calls' channel (calls.h) both start from these.
grpc::ChannelArguments ReconnectBackoffArgs(absl::Duration initial, absl::Duration max);

// TLS trusting `roots` (PEM; empty: the system's) when `tls`, else plain
// text: ClientOptions::tls for both channels.
std::shared_ptr<grpc::ChannelCredentials> ChannelCredentialsFor(bool tls, const std::string& roots);

class Watcher {
 public:
  class Handler {
   public:
    virtual ~Handler() = default;
    // The version to send as WatchRequest.from_version on (re)connection.
    virtual int64_t ResumeVersion() = 0;
    // Applies one message. A non-OK status drops the stream; it is reopened
    // after a backoff (with ResumeVersion(), which the handler may have
    // reset to 0 to get a full snapshot).
    virtual absl::Status OnMessage(const v1::WatchResponse& response) = 0;
    // The stream failed, ended, or could not be opened; `why` says how.
    virtual void OnDisconnected(const absl::Status& why) = 0;
  };

  struct Options {
    std::string server_address;
    std::string sdk_key;
    std::string client_name;
    // Null: plain text.
    std::shared_ptr<grpc::ChannelCredentials> credentials;
    absl::Duration initial_backoff = absl::Milliseconds(100);
    absl::Duration max_backoff = absl::Seconds(30);
    absl::Duration keepalive_time = absl::Seconds(30);
    absl::Duration keepalive_timeout = absl::Seconds(10);
    uint64_t jitter_seed = 0;
  };

  // Starts the thread. `handler` must outlive the Watcher.
  Watcher(Options options, Handler* handler);
  // Stops the thread: cancels the stream or the backoff wait, then joins.
  ~Watcher();
  Watcher(const Watcher&) = delete;
  Watcher& operator=(const Watcher&) = delete;

 private:
  void Run();
  // One stream, from opening to its end; returns why it ended and sets
  // `*applied` when the handler accepted at least one message.
  absl::Status RunStream(v1::SdkService::Stub& stub, bool* applied);

  const Options options_;
  Handler* const handler_;
  absl::Notification stop_;
  absl::Mutex mu_;
  // The stream in progress, for the destructor's TryCancel.
  grpc::ClientContext* active_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::thread thread_;
};

// "UNAVAILABLE: failed to connect to all addresses" as an absl::Status.
absl::Status FromGrpc(const grpc::Status& status);

}  // namespace rampart::sdk

#endif  // RAMPART_SDK_SRC_WATCHER_H_
