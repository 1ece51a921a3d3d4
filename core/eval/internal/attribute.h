// Internal to core/eval: the view of one attribute that conditions compare,
// whatever holds it (an AttributeValue message, an account's own field, a
// compact account), and number parsing as conditions do it. Header-only.
#ifndef RAMPART_CORE_EVAL_INTERNAL_ATTRIBUTE_H_
#define RAMPART_CORE_EVAL_INTERNAL_ATTRIBUTE_H_

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"
#include "core/eval/engine.h"
#include "rampart/v1/model.pb.h"

namespace rampart::eval::internal {

inline constexpr double kNotANumber = std::numeric_limits<double>::quiet_NaN();

// Debian's Abseil is built with its own absl::string_view, which protobuf's
// heterogeneous Map lookup (std::string_view) does not accept.
inline std::string_view ToStd(absl::string_view s) { return std::string_view(s.data(), s.size()); }

// Reads text as a number the way conditions do. NaN when it is not one, so
// every comparison with it is false ("does not parse -> EQUALS false").
inline double ParseNumber(absl::string_view text) {
  double d;
  return absl::SimpleAtod(text, &d) ? d : kNotANumber;
}

// ---------------------------------------------------------------------------
// Attributes

// One attribute as a condition sees it, whatever holds it: a registry or
// context AttributeValue, an account's own field ("key", "name",
// "time_zone", which read as strings), or a compact account of a Snapshot.
struct Attribute {
  enum class Kind : uint8_t { kAbsent, kString, kNumber, kBool, kList };
  Kind kind = Kind::kAbsent;
  absl::string_view text;  // kString
  double number = 0;       // kNumber
  bool boolean = false;    // kBool
  // kList: the items, from a proto or from a compact account.
  const google::protobuf::RepeatedPtrField<std::string>* proto_items = nullptr;
  const absl::string_view* items = nullptr;
  uint32_t item_count = 0;

  bool present() const { return kind != Kind::kAbsent; }

  // True when `fn` holds for any list item.
  template <typename Fn>
  bool AnyItem(Fn fn) const {
    if (proto_items != nullptr) {
      for (const std::string& item : *proto_items) {
        if (fn(absl::string_view(item))) return true;
      }
    }
    for (uint32_t i = 0; i < item_count; ++i) {
      if (fn(items[i])) return true;
    }
    return false;
  }
};

inline Attribute StringAttribute(absl::string_view text) {
  Attribute a;
  // An empty field (no name, no time zone, no account key) is absent.
  if (!text.empty()) {
    a.kind = Attribute::Kind::kString;
    a.text = text;
  }
  return a;
}

inline Attribute ViewOf(const v1::AttributeValue& v) {
  Attribute a;
  switch (v.kind_case()) {
    case v1::AttributeValue::kStringValue:
      a.kind = Attribute::Kind::kString;
      a.text = v.string_value();
      break;
    case v1::AttributeValue::kNumberValue:
      a.kind = Attribute::Kind::kNumber;
      a.number = v.number_value();
      break;
    case v1::AttributeValue::kBoolValue:
      a.kind = Attribute::Kind::kBool;
      a.boolean = v.bool_value();
      break;
    case v1::AttributeValue::kListValue:
      a.kind = Attribute::Kind::kList;
      a.proto_items = &v.list_value().values();
      break;
    case v1::AttributeValue::KIND_NOT_SET:
      break;
  }
  return a;
}

inline Attribute FindIn(const AttributeMap& map, absl::string_view name) {
  // Protobuf's Map<std::string, T> looks up by string_view without a copy.
  auto it = map.find(ToStd(name));
  return it == map.end() ? Attribute() : ViewOf(it->second);
}


}  // namespace rampart::eval::internal

#endif  // RAMPART_CORE_EVAL_INTERNAL_ATTRIBUTE_H_
