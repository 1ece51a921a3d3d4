// Client::Impl: what a rampart::Client owns. The background thread (the
// Watcher) applies Watch messages to `state_`, builds and publishes an
// immutable snapshot, writes the cache file and notifies listeners; the Get*
// methods (evaluate.cc) read the published snapshot without a lock.
#ifndef RAMPART_SDK_SRC_CLIENT_IMPL_H_
#define RAMPART_SDK_SRC_CLIENT_IMPL_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "core/common/clock.h"
#include "core/eval/engine.h"
#include "rampart/client.h"
#include "sdk/src/calls.h"
#include "sdk/src/listeners.h"
#include "sdk/src/publisher.h"
#include "sdk/src/state.h"
#include "sdk/src/watcher.h"

namespace rampart {

// Hidden: nested in an exported class, it would be exported by default.
struct __attribute__((visibility("hidden"))) Client::Impl final : public sdk::Watcher::Handler {
  Impl(ClientOptions options, const Clock& clock);
  ~Impl() override;

  // Loads the cache file, then starts the background thread.
  void Start();

  // sdk::Watcher::Handler, on the background thread.
  int64_t ResumeVersion() override;
  absl::Status OnMessage(const v1::WatchResponse& response) override;
  void OnDisconnected(const absl::Status& why) override;

  // The value of `flag_key` for `context` in `published`, as JSON text;
  // "null" when it has none (no flags, unknown flag, error).
  static std::string ValueJson(const sdk::Published& published, absl::Time at,
                               absl::string_view flag_key, const Context& context);

  const ClientOptions options_;
  const Clock& clock_;
  sdk::Publisher publisher_;
  sdk::Listeners listeners_;

  // Owned by the background thread once it runs (by the constructor before).
  sdk::FlagState state_;
  std::shared_ptr<const eval::Snapshot> snapshot_;
  // Whether the server was ever reached: decides STALE (yes) or CACHED (no)
  // while the stream is down.
  bool reached_server_ = false;
  bool stream_up_ = false;
  // Why there are no flags, for PROVIDER_NOT_READY ("cache file: ...").
  std::string cache_problem_;

  mutable absl::Mutex status_mu_;
  ClientStatus status_ ABSL_GUARDED_BY(status_mu_);
  bool ready_ ABSL_GUARDED_BY(status_mu_) = false;  // flags from the server in use

  // ReportProblem, EnrollBeta, WithdrawBeta. Reset first by ~Impl: it
  // waits for the callbacks in flight, which may still use the client.
  std::unique_ptr<sdk::Calls> calls_;

  // Last: destroyed first, so the thread stops before what it uses goes.
  std::unique_ptr<sdk::Watcher> watcher_;

 private:
  void Publish(sdk::Source source, std::string not_ready = "");
};

}  // namespace rampart

#endif  // RAMPART_SDK_SRC_CLIENT_IMPL_H_
