// The Rampart C++ SDK: evaluates feature flags locally, inside your app.
//
//   rampart::ClientOptions options;
//   options.server_address = "rampart.internal:7311";
//   options.sdk_key = getenv("RAMPART_SDK_KEY");
//   options.cache_file = "/var/cache/myapp/rampart.snapshot";
//   rampart::Client client(options);
//   client.WaitForReady(std::chrono::seconds(2));
//
//   rampart::Context ctx("acme-accounting");        // the account (B2B client)
//   ctx.SetUser("u-42").Set("plan", "enterprise");  // optional
//   if (client.GetBoolean("new-invoice-editor", ctx, false)) { ... }
//
// The client keeps a live copy of the flags from rampartd's Watch stream and
// evaluates with the same engine as the server (same inputs, same result).
//
// Guarantees (domain promise 4): the Get* calls never block, never throw,
// take no lock and, for a bool flag, allocate nothing; they read an immutable
// snapshot that a background thread swaps atomically on every update. Without
// a server the client serves the last known flags (also from its cache file
// after a restart), else the caller's default, and the reason says which.
//
// The app can also talk back to the ramp, without waiting: ReportProblem,
// EnrollBeta and WithdrawBeta send their call in the background and return
// at once; an optional callback gets the outcome.
//
// Thread-safety: every method may be called from any thread. Listeners run on
// the client's background thread, one at a time; they must not block long.
#ifndef RAMPART_CLIENT_H_
#define RAMPART_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

// The library is built with hidden symbols; only what is marked here is
// exported from librampart_sdk.so.
#if defined(__GNUC__) || defined(__clang__)
#define RAMPART_SDK_EXPORT __attribute__((visibility("default")))
#else
#define RAMPART_SDK_EXPORT
#endif

namespace rampart {

// Why a value was served: OpenFeature's reasons, then Rampart's own.
enum class Reason {
  kUnknown,
  kStatic,          // the flag has no targeting: its default
  kDefault,         // targeting ran and nothing matched
  kTargetingMatch,  // a rule matched
  kSplit,           // a percentage rollout picked the variant
  kCached,          // from the cache file; the server has not been reached yet
  kDisabled,        // the flag is off (kill switch)
  kStale,           // the server was reached before but the stream is down now
  kError,           // see error_code; the caller's default was served
  kOverride,        // the account is pinned to a variant
  kDeferred,        // the account is deferred
  kStage,           // a ramp stage included the account
  kFrozen,          // a freeze window holds the account's value
};

enum class ErrorCode {
  kNone,
  kProviderNotReady,  // no flags yet: no server reached and no usable cache
  kFlagNotFound,
  kParseError,
  kTypeMismatch,      // the flag's type is not the getter's
  kTargetingKeyMissing,
  kInvalidContext,
  kGeneral,
};

// "TARGETING_MATCH", "FLAG_NOT_FOUND", ...: the OpenFeature spellings.
RAMPART_SDK_EXPORT const char* ReasonName(Reason reason);
RAMPART_SDK_EXPORT const char* ErrorCodeName(ErrorCode code);

// The outcome of a call to the server (ReportProblem, EnrollBeta,
// WithdrawBeta): gRPC's canonical status codes, with the same numbers.
enum class StatusCode {
  kOk = 0,
  kCancelled = 1,          // the client was destroyed before the answer came
  kUnknown = 2,
  kInvalidArgument = 3,    // the message names the field
  kDeadlineExceeded = 4,   // no answer within ClientOptions::call_timeout
  kNotFound = 5,           // e.g. no such flag, or it has no ramp
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,  // too many calls in flight (see ReportProblem)
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,     // a server without ramps
  kInternal = 13,
  kUnavailable = 14,       // the server could not be reached
  kDataLoss = 15,
  kUnauthenticated = 16,   // the SDK key is missing or unknown
};

// "OK", "INVALID_ARGUMENT", ...: gRPC's spellings.
RAMPART_SDK_EXPORT const char* StatusCodeName(StatusCode code);

struct CallStatus {
  StatusCode code = StatusCode::kOk;
  std::string message;  // why, when not OK (the server's message names the field)
  bool ok() const { return code == StatusCode::kOk; }
};

// Gets the outcome of one call, exactly once.
using CallCallback = std::function<void(const CallStatus&)>;

// What the app passes to an evaluation: the account (B2B client) key, an
// optional user key and attributes. Attributes given here win over the
// account's attributes from the registry. Build it once per request and reuse
// it across evaluations; copying is cheap (shared, copy-on-write).
class RAMPART_SDK_EXPORT Context {
 public:
  Context();
  explicit Context(std::string account_key);
  Context(const Context&);
  Context& operator=(const Context&);
  Context(Context&&) noexcept;
  Context& operator=(Context&&) noexcept;
  ~Context();

  Context& SetAccount(std::string account_key);
  Context& SetUser(std::string user_key);
  Context& Set(const std::string& name, std::string value);
  Context& Set(const std::string& name, const char* value);
  Context& Set(const std::string& name, double value);
  Context& Set(const std::string& name, int value);
  Context& Set(const std::string& name, bool value);
  Context& Set(const std::string& name, std::vector<std::string> values);

  const std::string& account_key() const;
  const std::string& user_key() const;

  struct Data;  // internal
  const Data& data() const { return *data_; }

 private:
  Data& Mutable();
  std::shared_ptr<Data> data_;
};

// A value with the reason it was served, in OpenFeature's shape.
template <typename T>
struct EvaluationDetails {
  std::string flag_key;
  T value{};
  std::string variant;  // empty when the default was served on an error
  Reason reason = Reason::kUnknown;
  ErrorCode error_code = ErrorCode::kNone;
  std::string error_message;
  // The engine's reason when `reason` is kCached or kStale (it says why the
  // cached or stale value is what it is).
  Reason evaluation_reason = Reason::kUnknown;
  // The rule id (kTargetingMatch), the override's reason (kOverride,
  // kDeferred) or the ramp stage's name, "stage N" when it has none (kStage).
  std::string detail;
  // The snapshot version the value came from; 0 when none.
  int64_t version = 0;
};

struct ClientOptions {
  // HOST:PORT of rampartd.
  std::string server_address = "127.0.0.1:7311";
  // Sent as `authorization: Bearer <sdk_key>`: one of rampartd's
  // --sdk-keys, or an API token of role sdk (docs/access.md).
  std::string sdk_key;
  // Connect with TLS (rampartd run with --tls-cert-file), trusting
  // `tls_root_certs` (PEM; empty: the system's roots).
  bool tls = false;
  std::string tls_root_certs;
  // Where the last snapshot is kept (written atomically: write, fsync,
  // rename). Empty: no cache file.
  std::string cache_file;
  // Shown in the server's log.
  std::string client_name = "rampart-cpp-sdk";
  // Reconnection: exponential backoff with full jitter between these bounds.
  std::chrono::milliseconds initial_backoff{100};
  std::chrono::milliseconds max_backoff{30'000};
  // Keepalive on the stream: a ping after this much silence, and the stream
  // counts as lost (STALE, then reconnect) when no answer comes within
  // keepalive_timeout. It notices a server that hangs or a network that
  // silently drops the connection, which no error would report. rampartd
  // accepts pings every second or more.
  std::chrono::milliseconds keepalive_time{30'000};
  std::chrono::milliseconds keepalive_timeout{10'000};
  // ReportProblem, EnrollBeta, WithdrawBeta: the callback gets
  // DEADLINE_EXCEEDED when the server has not answered within this.
  std::chrono::milliseconds call_timeout{10'000};
};

// Status of the connection, for health pages and logs.
struct ClientStatus {
  bool connected = false;      // the Watch stream is up
  bool from_cache = false;     // the flags in use came from the cache file
  int64_t version = 0;         // the snapshot version in use; 0: none
  std::string last_error;      // why the last connection or cache load failed
};

// A flag's value changed for one account (OnValueChange).
struct ValueChange {
  std::string flag_key;
  std::string account_key;
  std::string old_value_json;  // the value as JSON text ("true", "\"xml-2026\"", "25")
  std::string new_value_json;
  int64_t version = 0;
};

class RAMPART_SDK_EXPORT Client {
 public:
  // Loads the cache file if there is one (a corrupt one is ignored and
  // reported in status().last_error), then connects in the background. Never
  // blocks on the network and never throws.
  explicit Client(ClientOptions options);
  // Stops the background thread and closes the stream.
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Waits until flags from the server are in use, up to `timeout`. Returns
  // false on timeout (the client still serves the cache or the defaults).
  bool WaitForReady(std::chrono::milliseconds timeout);

  bool GetBoolean(std::string_view flag_key, const Context& context, bool default_value) const noexcept;
  std::string GetString(std::string_view flag_key, const Context& context,
                        std::string default_value) const noexcept;
  int64_t GetInt(std::string_view flag_key, const Context& context, int64_t default_value) const noexcept;
  double GetDouble(std::string_view flag_key, const Context& context, double default_value) const noexcept;
  // The value as JSON text.
  std::string GetJson(std::string_view flag_key, const Context& context,
                      std::string default_json) const noexcept;

  EvaluationDetails<bool> GetBooleanDetails(std::string_view flag_key, const Context& context,
                                            bool default_value) const noexcept;
  EvaluationDetails<std::string> GetStringDetails(std::string_view flag_key, const Context& context,
                                                  std::string default_value) const noexcept;
  EvaluationDetails<int64_t> GetIntDetails(std::string_view flag_key, const Context& context,
                                           int64_t default_value) const noexcept;
  EvaluationDetails<double> GetDoubleDetails(std::string_view flag_key, const Context& context,
                                             double default_value) const noexcept;
  EvaluationDetails<std::string> GetJsonDetails(std::string_view flag_key, const Context& context,
                                                std::string default_json) const noexcept;

  // Every flag for `context`, values as JSON text, in key order.
  std::vector<EvaluationDetails<std::string>> AllFlags(const Context& context) const noexcept;

  // Listeners. Each returns an id for RemoveListener.
  using ListenerId = uint64_t;
  // After any update is applied (the argument is the new version).
  ListenerId OnChange(std::function<void(int64_t version)> listener);
  // When the definition of `flag_key` changed (or it was added or removed).
  ListenerId OnFlagChange(std::string flag_key, std::function<void(const std::string&)> listener);
  // When the value of `flag_key` for `context` changed: "what is new for
  // this client".
  ListenerId OnValueChange(std::string flag_key, Context context,
                           std::function<void(const ValueChange&)> listener);
  void RemoveListener(ListenerId id);

  // Calls to the server (SdkService, with the SDK key). Each returns at once,
  // never blocks and never throws; the call runs in the background and
  // `done`, when given, gets its outcome exactly once: on a gRPC thread when
  // the server answers, fails to be reached (UNAVAILABLE) or exceeds
  // `call_timeout`, and at the latest in ~Client, which cancels the calls
  // still in flight (CANCELLED) and waits for their callbacks. Only a call
  // the client refuses outright (more than 1000 in flight: RESOURCE_EXHAUSTED)
  // runs `done` before returning. `done` must not block long and must not
  // destroy the client; an exception it throws is caught and ignored.
  // Nothing is retried: a report or an enrollment that matters should be
  // sent again by the app when `done` says it failed.

  // Reports a problem with `flag_key` seen by `context`'s account (and
  // user): what went wrong, in at most 1000 bytes. Ramp status lists the
  // reports, and a stage can wait while there are too many. The reporter is
  // "sdk:<client_name>".
  void ReportProblem(std::string_view flag_key, const Context& context, std::string_view text,
                     CallCallback done = nullptr) noexcept;
  // Enrolls `account_key` into the beta of `flag_key` (ramp stages whose
  // audience is the beta serve it), or withdraws it. Doing it twice is not
  // an error. The audit log shows the actor "sdk:<client_name>".
  void EnrollBeta(std::string_view flag_key, std::string_view account_key,
                  CallCallback done = nullptr) noexcept;
  void WithdrawBeta(std::string_view flag_key, std::string_view account_key,
                    CallCallback done = nullptr) noexcept;

  ClientStatus status() const;

  struct Impl;  // internal

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace rampart

#endif  // RAMPART_CLIENT_H_
