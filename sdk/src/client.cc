// rampart::Client: its lifecycle (cache file, background thread), status,
// listeners, the calls to the server, and what the background thread does
// with each message. The Get* methods are in evaluate.cc.
#include <utility>

#include "absl/strings/str_cat.h"
#include "rampart/client.h"
#include "sdk/src/cache_file.h"
#include "sdk/src/client_impl.h"
#include "sdk/src/context_data.h"
#include "sdk/src/json.h"

namespace rampart {

using sdk::Published;
using sdk::Source;

Client::Impl::Impl(ClientOptions options, const Clock& clock)
    : options_(std::move(options)), clock_(clock) {}

Client::Impl::~Impl() {
  calls_.reset();
  watcher_.reset();
}

void Client::Impl::Start() {
  if (options_.cache_file.empty()) {
    cache_problem_ = "no cache file configured";
  } else {
    absl::StatusOr<v1::SdkSnapshot> cached = sdk::ReadCacheFile(options_.cache_file);
    if (cached.ok()) {
      state_.ApplySnapshot(*cached);
      snapshot_ = state_.Build();
      Publish(Source::kCache);
      absl::MutexLock lock(&status_mu_);
      status_.from_cache = true;
      status_.version = state_.version();
    } else if (absl::IsNotFound(cached.status())) {
      cache_problem_ = absl::StrCat("cache file ", options_.cache_file, " does not exist");
    } else {
      cache_problem_ = absl::StrCat("cache file ignored: ", cached.status().message());
      absl::MutexLock lock(&status_mu_);
      status_.last_error = cache_problem_;
    }
  }
  if (!snapshot_) Publish(Source::kNone, absl::StrCat("no flags yet: ", cache_problem_,
                                                      "; the server has not been reached"));

  const std::shared_ptr<grpc::ChannelCredentials> credentials =
      sdk::ChannelCredentialsFor(options_.tls, options_.tls_root_certs);
  sdk::Calls::Options c;
  c.server_address = options_.server_address;
  c.sdk_key = options_.sdk_key;
  c.credentials = credentials;
  c.initial_backoff = absl::FromChrono(options_.initial_backoff);
  c.max_backoff = absl::FromChrono(options_.max_backoff);
  c.timeout = absl::FromChrono(options_.call_timeout);
  calls_ = std::make_unique<sdk::Calls>(std::move(c));

  sdk::Watcher::Options w;
  w.server_address = options_.server_address;
  w.sdk_key = options_.sdk_key;
  w.client_name = options_.client_name;
  w.credentials = credentials;
  w.initial_backoff = absl::FromChrono(options_.initial_backoff);
  w.max_backoff = absl::FromChrono(options_.max_backoff);
  w.keepalive_time = absl::FromChrono(options_.keepalive_time);
  w.keepalive_timeout = absl::FromChrono(options_.keepalive_timeout);
  w.jitter_seed = static_cast<uint64_t>(absl::ToUnixNanos(clock_.Now())) ^
                  reinterpret_cast<uintptr_t>(this);
  watcher_ = std::make_unique<sdk::Watcher>(std::move(w), this);
}

void Client::Impl::Publish(Source source, std::string not_ready) {
  auto p = std::make_shared<Published>();
  p->snapshot = snapshot_;
  p->version = snapshot_ ? state_.version() : 0;
  p->source = snapshot_ ? source : Source::kNone;
  p->not_ready = std::move(not_ready);
  publisher_.Publish(std::move(p));
}

int64_t Client::Impl::ResumeVersion() { return state_.resume_version(); }

absl::Status Client::Impl::OnMessage(const v1::WatchResponse& response) {
  absl::StatusOr<sdk::AppliedChange> applied = state_.Apply(response);
  if (!applied.ok()) {
    // A delta that does not follow our version: the state can no longer be
    // trusted to match the server's. Keep serving it, and ask for a full
    // snapshot on the next stream.
    state_.Distrust();
    return absl::Status(applied.status().code(),
                        absl::StrCat("resynchronizing: ", applied.status().message()));
  }
  snapshot_ = state_.Build();
  reached_server_ = true;
  stream_up_ = true;
  Publish(Source::kLive);

  std::string cache_error;
  if (!options_.cache_file.empty()) {
    absl::Status written = sdk::WriteCachePayload(options_.cache_file, state_.SerializeSnapshot());
    if (!written.ok()) cache_error = std::string(written.message());
  }
  {
    absl::MutexLock lock(&status_mu_);
    status_.connected = true;
    status_.from_cache = false;
    status_.version = state_.version();
    if (!cache_error.empty()) status_.last_error = cache_error;
    ready_ = true;
  }

  const std::shared_ptr<const Published> published = publisher_.Load();
  const absl::Time now = clock_.Now();
  listeners_.Notify(applied->version, applied->changed_flags,
                    [&](const std::string& flag_key, const Context& context) {
                      return ValueJson(*published, now, flag_key, context);
                    });
  return absl::OkStatus();
}

void Client::Impl::OnDisconnected(const absl::Status& why) {
  const std::string error = why.ToString();
  if (snapshot_) {
    // Flags from the server become STALE when their stream goes down; the
    // cache file's flags stay CACHED until the server is reached.
    if (stream_up_) Publish(Source::kStale);
  } else {
    Publish(Source::kNone, absl::StrCat("no flags yet: ", cache_problem_,
                                        "; the server has not been reached (", error, ")"));
  }
  stream_up_ = false;
  absl::MutexLock lock(&status_mu_);
  status_.connected = false;
  status_.last_error = error;
}

std::string Client::Impl::ValueJson(const Published& published, absl::Time at,
                                    absl::string_view flag_key, const Context& context) {
  if (!published.snapshot) return "null";
  const eval::Evaluation e =
      eval::Evaluate(*published.snapshot, flag_key, sdk::EngineContext(context), at);
  return e.value == nullptr ? "null" : sdk::ValueToJson(*e.value);
}

// ---------------------------------------------------------------------------
// Client

Client::Client(ClientOptions options)
    : impl_(std::make_unique<Impl>(std::move(options), RealClock::Get())) {
  impl_->Start();
}

Client::~Client() = default;

bool Client::WaitForReady(std::chrono::milliseconds timeout) {
  absl::MutexLock lock(&impl_->status_mu_);
  return impl_->status_mu_.AwaitWithTimeout(absl::Condition(&impl_->ready_),
                                            absl::FromChrono(timeout));
}

ClientStatus Client::status() const {
  absl::MutexLock lock(&impl_->status_mu_);
  return impl_->status_;
}

Client::ListenerId Client::OnChange(std::function<void(int64_t version)> listener) {
  return impl_->listeners_.AddChange(std::move(listener));
}

Client::ListenerId Client::OnFlagChange(std::string flag_key,
                                        std::function<void(const std::string&)> listener) {
  return impl_->listeners_.AddFlagChange(std::move(flag_key), std::move(listener));
}

Client::ListenerId Client::OnValueChange(std::string flag_key, Context context,
                                         std::function<void(const ValueChange&)> listener) {
  const std::string key = flag_key;
  const Context ctx = context;
  return impl_->listeners_.AddValueChange(
      std::move(flag_key), std::move(context), std::move(listener),
      [&]() -> std::optional<std::string> {
        // With flags in use, the baseline is the value now; without, the
        // first update sets it.
        const std::shared_ptr<const Published> published = impl_->publisher_.Load();
        if (!published->snapshot) return std::nullopt;
        return Impl::ValueJson(*published, impl_->clock_.Now(), key, ctx);
      });
}

void Client::RemoveListener(ListenerId id) { impl_->listeners_.Remove(id); }

// The requests are built here, where a failed allocation can still be
// reported through `done` instead of thrown.

void Client::ReportProblem(std::string_view flag_key, const Context& context, std::string_view text,
                           CallCallback done) noexcept {
  v1::ReportProblemRequest request;
  try {
    request.set_flag_key(std::string(flag_key));
    request.set_account_key(context.account_key());
    request.set_user_key(context.user_key());
    request.set_text(std::string(text));
    request.set_reporter(absl::StrCat("sdk:", impl_->options_.client_name));
  } catch (...) {
    sdk::RunCallback(done, CallStatus{StatusCode::kResourceExhausted, "out of memory"});
    return;
  }
  impl_->calls_->ReportProblem(std::move(request), std::move(done));
}

namespace {

bool BetaRequest(std::string_view flag_key, std::string_view account_key,
                 const std::string& client_name, v1::SdkBetaRequest* request,
                 const CallCallback& done) noexcept {
  try {
    request->set_flag_key(std::string(flag_key));
    request->set_account_key(std::string(account_key));
    request->set_client_name(client_name);
    return true;
  } catch (...) {
    sdk::RunCallback(done, CallStatus{StatusCode::kResourceExhausted, "out of memory"});
    return false;
  }
}

}  // namespace

void Client::EnrollBeta(std::string_view flag_key, std::string_view account_key,
                        CallCallback done) noexcept {
  v1::SdkBetaRequest request;
  if (!BetaRequest(flag_key, account_key, impl_->options_.client_name, &request, done)) return;
  impl_->calls_->EnrollBeta(std::move(request), std::move(done));
}

void Client::WithdrawBeta(std::string_view flag_key, std::string_view account_key,
                          CallCallback done) noexcept {
  v1::SdkBetaRequest request;
  if (!BetaRequest(flag_key, account_key, impl_->options_.client_name, &request, done)) return;
  impl_->calls_->WithdrawBeta(std::move(request), std::move(done));
}

}  // namespace rampart
