// The evaluation path: Client::Get*. Each call reads the published snapshot
// through Publisher::Current() (an atomic load and a thread_local compare;
// a mutex only once per update per thread) and runs the engine on it.
//
// Nothing here throws (the engine does not, the lookups do not) and a bool
// evaluation allocates nothing: the flag key is looked up as a view, the
// Context's proto is read in place, the value is read from the snapshot.
// The *Details and string getters allocate only for the strings they return.
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "rampart/client.h"
#include "sdk/src/client_impl.h"
#include "sdk/src/context_data.h"
#include "sdk/src/json.h"
#include "sdk/src/reasons.h"

namespace rampart {
namespace {

using sdk::Published;
using sdk::Source;

absl::string_view View(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// Reads a value of the getter's type; false on a type mismatch.
bool Extract(const v1::FlagValue& v, bool* out) {
  if (v.kind_case() != v1::FlagValue::kBoolValue) return false;
  *out = v.bool_value();
  return true;
}
bool Extract(const v1::FlagValue& v, int64_t* out) {
  if (v.kind_case() != v1::FlagValue::kIntValue) return false;
  *out = v.int_value();
  return true;
}
bool Extract(const v1::FlagValue& v, double* out) {
  if (v.kind_case() != v1::FlagValue::kDoubleValue) return false;
  *out = v.double_value();
  return true;
}
bool Extract(const v1::FlagValue& v, std::string* out) {
  if (v.kind_case() != v1::FlagValue::kStringValue) return false;
  *out = v.string_value();
  return true;
}
// GetJson: every value has a JSON form.
struct AsJson {
  std::string* out;
};
bool Extract(const v1::FlagValue& v, AsJson out) {
  *out.out = sdk::ValueToJson(v);
  return true;
}

const char* TypeName(const v1::FlagValue& v) {
  switch (v.kind_case()) {
    case v1::FlagValue::kBoolValue: return "bool";
    case v1::FlagValue::kStringValue: return "string";
    case v1::FlagValue::kIntValue: return "int";
    case v1::FlagValue::kDoubleValue: return "double";
    case v1::FlagValue::kJsonValue: return "JSON";
    default: return "untyped";
  }
}

template <typename T>
const char* GetterType();
template <> const char* GetterType<bool>() { return "bool"; }
template <> const char* GetterType<int64_t>() { return "int"; }
template <> const char* GetterType<double>() { return "double"; }
template <> const char* GetterType<std::string>() { return "string"; }

// The fast path of the plain getters: the value, or `fallback`.
template <typename T>
T Value(const Client::Impl& impl, std::string_view flag_key, const Context& context,
        T fallback) noexcept {
  const Published& p = impl.publisher_.Current();
  if (!p.snapshot) return fallback;
  const eval::Evaluation e =
      eval::Evaluate(*p.snapshot, View(flag_key), sdk::EngineContext(context), impl.clock_);
  if (e.value == nullptr) return fallback;
  T out;
  return Extract(*e.value, &out) ? out : fallback;
}

// Fills `d` from one evaluation against `p`. `extract` reads the value.
template <typename T, typename Extractor>
void Fill(const Published& p, absl::Time at, std::string_view flag_key, const Context& context,
          EvaluationDetails<T>& d, Extractor extract, const char* getter_type) {
  d.flag_key = std::string(flag_key);
  if (!p.snapshot) {
    d.reason = Reason::kError;
    d.error_code = ErrorCode::kProviderNotReady;
    d.error_message = p.not_ready;
    return;
  }
  d.version = p.version;
  const eval::Evaluation e =
      eval::Evaluate(*p.snapshot, View(flag_key), sdk::EngineContext(context), at);
  d.detail = std::string(e.detail);
  if (e.error != v1::ERROR_CODE_UNSPECIFIED || e.value == nullptr) {
    d.reason = Reason::kError;
    d.error_code = e.error == v1::ERROR_CODE_UNSPECIFIED ? ErrorCode::kGeneral
                                                         : sdk::FromProto(e.error);
    d.error_message = eval::ToProto(View(flag_key), e, 0).error_message();
    return;
  }
  T value{};
  if (!extract(*e.value, &value)) {
    d.reason = Reason::kError;
    d.error_code = ErrorCode::kTypeMismatch;
    d.error_message = absl::StrCat("flag \"", View(flag_key), "\": is a ", TypeName(*e.value),
                                   " flag, read as ", getter_type);
    return;
  }
  d.value = std::move(value);
  d.variant = std::string(e.variant);
  d.evaluation_reason = sdk::FromProto(e.reason);
  switch (p.source) {
    case Source::kCache: d.reason = Reason::kCached; break;
    case Source::kStale: d.reason = Reason::kStale; break;
    default: d.reason = d.evaluation_reason; break;
  }
}

template <typename T>
EvaluationDetails<T> Details(const Client::Impl& impl, std::string_view flag_key,
                             const Context& context, T default_value) noexcept {
  EvaluationDetails<T> d;
  d.value = std::move(default_value);
  Fill(
      impl.publisher_.Current(), impl.clock_.Now(), flag_key, context, d,
      [](const v1::FlagValue& v, T* out) { return Extract(v, out); }, GetterType<T>());
  return d;
}

EvaluationDetails<std::string> JsonDetails(const Published& p, absl::Time at,
                                           std::string_view flag_key, const Context& context,
                                           std::string default_json) {
  EvaluationDetails<std::string> d;
  d.value = std::move(default_json);
  Fill(
      p, at, flag_key, context, d,
      [](const v1::FlagValue& v, std::string* out) { return Extract(v, AsJson{out}); }, "JSON");
  return d;
}

}  // namespace

bool Client::GetBoolean(std::string_view flag_key, const Context& context,
                        bool default_value) const noexcept {
  return Value(*impl_, flag_key, context, default_value);
}

std::string Client::GetString(std::string_view flag_key, const Context& context,
                              std::string default_value) const noexcept {
  const Published& p = impl_->publisher_.Current();
  if (!p.snapshot) return default_value;
  const eval::Evaluation e = eval::Evaluate(*p.snapshot, View(flag_key),
                                            sdk::EngineContext(context), impl_->clock_);
  if (e.value == nullptr || e.value->kind_case() != v1::FlagValue::kStringValue) {
    return default_value;
  }
  return e.value->string_value();
}

int64_t Client::GetInt(std::string_view flag_key, const Context& context,
                       int64_t default_value) const noexcept {
  return Value(*impl_, flag_key, context, default_value);
}

double Client::GetDouble(std::string_view flag_key, const Context& context,
                         double default_value) const noexcept {
  return Value(*impl_, flag_key, context, default_value);
}

std::string Client::GetJson(std::string_view flag_key, const Context& context,
                            std::string default_json) const noexcept {
  const Published& p = impl_->publisher_.Current();
  if (!p.snapshot) return default_json;
  const eval::Evaluation e = eval::Evaluate(*p.snapshot, View(flag_key),
                                            sdk::EngineContext(context), impl_->clock_);
  return e.value == nullptr ? default_json : sdk::ValueToJson(*e.value);
}

EvaluationDetails<bool> Client::GetBooleanDetails(std::string_view flag_key, const Context& context,
                                                  bool default_value) const noexcept {
  return Details(*impl_, flag_key, context, default_value);
}

EvaluationDetails<std::string> Client::GetStringDetails(std::string_view flag_key,
                                                        const Context& context,
                                                        std::string default_value) const noexcept {
  return Details(*impl_, flag_key, context, std::move(default_value));
}

EvaluationDetails<int64_t> Client::GetIntDetails(std::string_view flag_key, const Context& context,
                                                 int64_t default_value) const noexcept {
  return Details(*impl_, flag_key, context, default_value);
}

EvaluationDetails<double> Client::GetDoubleDetails(std::string_view flag_key,
                                                   const Context& context,
                                                   double default_value) const noexcept {
  return Details(*impl_, flag_key, context, default_value);
}

EvaluationDetails<std::string> Client::GetJsonDetails(std::string_view flag_key,
                                                      const Context& context,
                                                      std::string default_json) const noexcept {
  return JsonDetails(impl_->publisher_.Current(), impl_->clock_.Now(), flag_key, context,
                     std::move(default_json));
}

std::vector<EvaluationDetails<std::string>> Client::AllFlags(const Context& context) const noexcept {
  std::vector<EvaluationDetails<std::string>> out;
  // `p` stays valid: nothing below calls Current() again on this thread.
  const Published& p = impl_->publisher_.Current();
  if (!p.snapshot) return out;
  const absl::Time at = impl_->clock_.Now();
  out.reserve(p.snapshot->flags().size());
  for (const v1::Flag* flag : p.snapshot->flags()) {
    if (flag->archived()) continue;
    out.push_back(JsonDetails(p, at, flag->key(), context, "null"));
  }
  return out;
}

}  // namespace rampart
