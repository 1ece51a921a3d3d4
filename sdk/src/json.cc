#include "sdk/src/json.h"

#include <charconv>
#include <cmath>

#include "absl/strings/str_cat.h"

namespace rampart::sdk {

std::string JsonQuote(absl::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('"');
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out.push_back(kHex[(c >> 4) & 0xf]);
          out.push_back(kHex[c & 0xf]);
        } else {
          out.push_back(c);  // UTF-8 passes through unchanged
        }
    }
  }
  out.push_back('"');
  return out;
}

namespace {

std::string DoubleToJson(double d) {
  if (!std::isfinite(d)) return "null";
  char buf[32];
  const auto result = std::to_chars(buf, buf + sizeof(buf), d);  // shortest round trip
  return std::string(buf, result.ptr);
}

}  // namespace

std::string ValueToJson(const v1::FlagValue& value) {
  switch (value.kind_case()) {
    case v1::FlagValue::kBoolValue:
      return value.bool_value() ? "true" : "false";
    case v1::FlagValue::kStringValue:
      return JsonQuote(value.string_value());
    case v1::FlagValue::kIntValue:
      return absl::StrCat(value.int_value());
    case v1::FlagValue::kDoubleValue:
      return DoubleToJson(value.double_value());
    case v1::FlagValue::kJsonValue:
      return value.json_value().empty() ? "null" : value.json_value();
    case v1::FlagValue::KIND_NOT_SET:
      break;
  }
  return "null";
}

}  // namespace rampart::sdk
