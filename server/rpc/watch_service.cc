#include "server/rpc/watch_service.h"

#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "rampart/v1/sdk.pb.h"
#include "server/rpc/status.h"

namespace rampart::rpc {
namespace {

constexpr absl::string_view kMethod = "SdkService.Watch";

// Compares in time independent of where the strings differ, so that the
// answer's timing does not reveal how much of a guessed key was right.
bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

// The key of `authorization: Bearer <key>`, or "" when absent or malformed.
std::string BearerKey(const grpc::CallbackServerContext& ctx) {
  const auto& md = ctx.client_metadata();
  auto it = md.find("authorization");
  if (it == md.end()) return "";
  absl::string_view value(it->second.data(), it->second.size());
  constexpr absl::string_view kScheme = "bearer ";
  if (value.size() <= kScheme.size() ||
      !absl::EqualsIgnoreCase(value.substr(0, kScheme.size()), kScheme)) {
    return "";
  }
  return std::string(absl::StripAsciiWhitespace(value.substr(kScheme.size())));
}

bool ParseRequest(const grpc::ByteBuffer& buffer, v1::WatchRequest* request) {
  std::vector<grpc::Slice> slices;
  if (!buffer.Dump(&slices).ok()) return false;
  std::string bytes;
  for (const grpc::Slice& s : slices) {
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return request->ParseFromString(bytes);
}

absl::Status ToAbslStatus(const grpc::Status& s) {
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
}

// One Watch stream.
//
// Locking: mu_ serializes the reactions gRPC calls (OnWriteDone, OnCancel)
// with Wake(), which the publisher calls from the thread that commits a
// change. StartWrite and Finish are called with mu_ held, which is what makes
// "one write in flight" and "nothing after Finish" exact. That cannot
// deadlock: gRPC never runs a server reactor's reactions inline from
// StartWrite or Finish (their tags are not inlineable; OnWriteDone and OnDone
// run on gRPC's executor), which grpc's own DefaultHealthCheckService
// WatchReactor relies on the same way. Lock order: mu_ -> the publisher's
// locks (Next, Subscribe); the publisher calls Wake() holding none of its
// own, and Unsubscribe (from OnDone, without mu_) waits for a Wake() in
// progress, so the reactor is never deleted under it.
class WatchReactor final : public grpc::ServerWriteReactor<grpc::ByteBuffer>,
                           public stream::Subscriber {
 public:
  WatchReactor(grpc::CallbackServerContext* ctx, const grpc::ByteBuffer& raw,
               const WatchService& service, stream::Publisher& publisher, const RequestLog& log)
      : publisher_(publisher),
        authorized_(service.Accepts(BearerKey(*ctx))),
        parsed_(authorized_ && ParseRequest(raw, &request_)),
        entry_(log, kMethod, ctx->peer(), request_.client_name()) {
    absl::MutexLock lock(&mu_);
    if (!authorized_) {
      // Nothing is sent, not even whether the request parses.
      FinishLocked(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "sdk key missing or unknown"));
      return;
    }
    if (!parsed_) {
      FinishLocked(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                "request: not a rampart.v1.WatchRequest"));
      return;
    }
    if (request_.from_version() < 0) {
      FinishLocked(
          grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "from_version: must not be negative"));
      return;
    }
    version_ = request_.from_version();
    needs_snapshot_ = version_ == 0;
    publisher_.Subscribe(this);
    subscribed_ = true;
    SendNextLocked();
  }

  // stream::Subscriber: a new version, or the publisher shut down.
  void Wake() override {
    absl::MutexLock lock(&mu_);
    if (finished_) return;
    if (write_in_flight_) {
      // OnWriteDone will ask for the next message; only a shutdown cannot
      // wait for it (a client that does not read would hold it forever).
      if (publisher_.is_shut_down()) {
        FinishLocked(grpc::Status(grpc::StatusCode::UNAVAILABLE, "server shutting down"));
      }
      return;
    }
    SendNextLocked();
  }

  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    write_in_flight_ = false;
    if (!ok) {
      FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "write failed: the client went away"));
      return;
    }
    SendNextLocked();
  }

  void OnCancel() override {
    absl::MutexLock lock(&mu_);
    FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled by the client"));
  }

  void OnDone() override {
    // After this no Wake() runs or will run.
    if (subscribed_) publisher_.Unsubscribe(this);
    grpc::Status status;
    {
      absl::MutexLock lock(&mu_);
      status = status_;
    }
    entry_.Write(ToAbslStatus(status));
    delete this;
  }

 private:
  // Starts the write of the next message for version_, if any and if none is
  // in flight; else the publisher wakes us at the next commit.
  void SendNextLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_ || write_in_flight_) return;
    absl::StatusOr<std::optional<stream::Update>> next;
    if (needs_snapshot_) {
      // An SDK with nothing gets a snapshot first, even of version 0.
      needs_snapshot_ = false;
      next = publisher_.Snapshot();
    } else {
      next = publisher_.Next(this, version_);
    }
    if (!next.ok()) {
      FinishLocked(ToGrpcStatus(next.status()));
      return;
    }
    if (next->has_value()) {
      out_ = std::move((*next)->bytes);
      version_ = (*next)->version;
    } else if (!sent_any_) {
      // Up to date from the start: say so, with an empty delta from the
      // SDK's version to itself, so it knows the stream is live (and its
      // flags are not stale) before the next change.
      v1::WatchResponse current;
      current.mutable_delta()->set_from_version(version_);
      current.mutable_delta()->set_version(version_);
      const std::string bytes = current.SerializeAsString();
      grpc::Slice slice(bytes);
      out_ = grpc::ByteBuffer(&slice, 1);
    } else {
      return;  // up to date; the publisher wakes us at the next commit
    }
    sent_any_ = true;
    write_in_flight_ = true;
    StartWrite(&out_);
  }

  void FinishLocked(grpc::Status status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    finished_ = true;
    status_ = status;
    Finish(std::move(status));
  }

  stream::Publisher& publisher_;
  v1::WatchRequest request_;
  const bool authorized_;
  const bool parsed_;
  RequestLog::Entry entry_;
  bool subscribed_ = false;  // set in the constructor only

  absl::Mutex mu_;
  // The version the SDK has once the write in flight (if any) is done.
  int64_t version_ ABSL_GUARDED_BY(mu_) = 0;
  // from_version was 0: the first message is the snapshot, whatever the
  // current version.
  bool needs_snapshot_ ABSL_GUARDED_BY(mu_) = false;
  bool write_in_flight_ ABSL_GUARDED_BY(mu_) = false;
  // Whether any message was written: the first one always is, so the SDK
  // learns the stream is up even when it already has the latest version.
  bool sent_any_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status status_ ABSL_GUARDED_BY(mu_);
  // The message being written; shares its slice with every other stream.
  grpc::ByteBuffer out_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

WatchService::WatchService(registry::Registry& registry, stream::Publisher& publisher,
                           const RequestLog& log, std::vector<std::string> sdk_keys)
    : registry_(registry), publisher_(publisher), log_(log), sdk_keys_(std::move(sdk_keys)) {}

grpc::ServerWriteReactor<grpc::ByteBuffer>* WatchService::Watch(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request) {
  return new WatchReactor(context, *request, *this, publisher_, log_);
}

namespace {

// One unary call from a client app: the key check, then `fn` (returning
// absl::StatusOr<Resp>) when the key is good; fills the response, finishes
// with the mapped status, logs the line with `actor`.
template <typename Resp, typename Fn>
grpc::ServerUnaryReactor* Unary(grpc::CallbackServerContext* ctx, const WatchService& service,
                                const RequestLog& log, absl::string_view method, std::string actor,
                                Resp* resp, Fn fn) {
  RequestLog::Entry entry(log, method, ctx->peer(), std::move(actor));
  absl::Status status;
  if (!service.Accepts(BearerKey(*ctx))) {
    status = absl::UnauthenticatedError("sdk key missing or unknown");
  } else {
    absl::StatusOr<Resp> result = fn();
    status = result.status();
    if (result.ok()) *resp = std::move(*result);
  }
  entry.Write(status);
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

// The audit actor of an app's call.
std::string SdkActor(absl::string_view client_name) {
  return absl::StrCat("sdk:", client_name.empty() ? "unknown" : client_name);
}

v1::BetaEnrollmentRequest BetaRequest(const v1::SdkBetaRequest& request, absl::string_view reason) {
  v1::BetaEnrollmentRequest out;
  out.mutable_meta()->set_actor(SdkActor(request.client_name()));
  out.mutable_meta()->set_reason(std::string(reason));
  out.set_flag_key(request.flag_key());
  out.set_account_key(request.account_key());
  return out;
}

}  // namespace

grpc::ServerUnaryReactor* WatchService::ReportProblem(grpc::CallbackServerContext* context,
                                                      const v1::ReportProblemRequest* request,
                                                      v1::ProblemReport* response) {
  // The report says who sent it; an app that did not say is "sdk" (the
  // admin API's anonymous reports are "anonymous").
  v1::ReportProblemRequest req = *request;
  if (req.reporter().empty()) req.set_reporter("sdk");
  const std::string actor = req.reporter();
  return Unary(context, *this, log_, "SdkService.ReportProblem", actor, response,
               [&] { return registry_.ReportProblem(req); });
}

grpc::ServerUnaryReactor* WatchService::EnrollBeta(grpc::CallbackServerContext* context,
                                                   const v1::SdkBetaRequest* request,
                                                   v1::BetaEnrollmentResponse* response) {
  const v1::BetaEnrollmentRequest req = BetaRequest(*request, "enrolled by the app");
  return Unary(context, *this, log_, "SdkService.EnrollBeta", req.meta().actor(), response,
               [&] { return registry_.EnrollBeta(req); });
}

grpc::ServerUnaryReactor* WatchService::WithdrawBeta(grpc::CallbackServerContext* context,
                                                     const v1::SdkBetaRequest* request,
                                                     v1::BetaEnrollmentResponse* response) {
  const v1::BetaEnrollmentRequest req = BetaRequest(*request, "withdrawn by the app");
  return Unary(context, *this, log_, "SdkService.WithdrawBeta", req.meta().actor(), response,
               [&] { return registry_.WithdrawBeta(req); });
}

bool WatchService::Accepts(absl::string_view key) const {
  if (sdk_keys_.empty()) return true;
  if (key.empty()) return false;
  bool found = false;
  for (const std::string& k : sdk_keys_) found |= ConstantTimeEquals(key, k);
  return found;
}

}  // namespace rampart::rpc
