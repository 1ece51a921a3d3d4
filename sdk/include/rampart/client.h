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
  // The rule id (kTargetingMatch) or the override's reason.
  std::string detail;
  // The snapshot version the value came from; 0 when none.
  int64_t version = 0;
};

struct ClientOptions {
  // HOST:PORT of rampartd.
  std::string server_address = "127.0.0.1:7311";
  // Sent as `authorization: Bearer <sdk_key>`.
  std::string sdk_key;
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

  ClientStatus status() const;

  struct Impl;  // internal

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace rampart

#endif  // RAMPART_CLIENT_H_
