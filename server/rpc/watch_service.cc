#include "server/rpc/watch_service.h"

#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "rampart/v1/sdk.pb.h"
#include "server/rpc/services.h"
#include "server/rpc/status.h"

namespace rampart::rpc {
namespace {

constexpr absl::string_view kMethod = "SdkService.Watch";

bool ParseRequest(const grpc::ByteBuffer& buffer, v1::WatchRequest* request) {
  std::vector<grpc::Slice> slices;
  if (!buffer.Dump(&slices).ok()) return false;
  std::string bytes;
  for (const grpc::Slice& s : slices) {
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return request->ParseFromString(bytes);
}

// The log's actor of a stream: the token's name and the app's own.
std::string LogActor(const absl::StatusOr<auth::Caller>& caller, absl::string_view client_name) {
  if (!caller.ok() || !caller->authenticated) return std::string(client_name);
  return client_name.empty() ? caller->name : absl::StrCat(caller->name, " ", client_name);
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
        caller_(service.auth().Authorize(AuthorizationOf(*ctx), kMethod)),
        parsed_(caller_.ok() && ParseRequest(raw, &request_)),
        entry_(log, kMethod, PeerOf(*ctx), LogActor(caller_, request_.client_name())) {
    absl::MutexLock lock(&mu_);
    if (!caller_.ok()) {
      // Nothing is sent, not even whether the request parses.
      FinishLocked(ToGrpcStatus(caller_.status()));
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
  const absl::StatusOr<auth::Caller> caller_;
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
                           const RequestLog& log, const auth::Authenticator& auth)
    : registry_(registry), publisher_(publisher), log_(log), auth_(auth) {}

grpc::ServerWriteReactor<grpc::ByteBuffer>* WatchService::Watch(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request) {
  return new WatchReactor(context, *request, *this, publisher_, log_);
}

namespace {

// One unary call from a client app: the token check, then `fn` (returning
// absl::StatusOr<Resp>) when the token may make the call; fills the
// response, finishes with the mapped status, logs the line with `actor`.
template <typename Resp, typename Fn>
grpc::ServerUnaryReactor* Unary(grpc::CallbackServerContext* ctx, const WatchService& service,
                                const RequestLog& log, absl::string_view method, std::string actor,
                                Resp* resp, Fn fn) {
  RequestLog::Entry entry(log, method, PeerOf(*ctx), std::move(actor));
  absl::Status status = service.auth().Authorize(AuthorizationOf(*ctx), method).status();
  if (status.ok()) {
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

}  // namespace rampart::rpc
