#include "core/common/keys.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace rampart {
namespace {

bool IsKeyChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' ||
         c == '_' || c == ':' || c == '-';
}

}  // namespace

absl::Status ValidateKey(absl::string_view field, absl::string_view key) {
  if (key.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
  }
  if (key.size() > kMaxKeyLength) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " \"", key.substr(0, 32), "...\": ", key.size(),
                     " characters, at most ", kMaxKeyLength, " allowed"));
  }
  if (!absl::ascii_isalnum(static_cast<unsigned char>(key[0]))) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, " \"", key, "\": must start with a letter or a digit"));
  }
  for (size_t i = 0; i < key.size(); ++i) {
    if (!IsKeyChar(key[i])) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, " \"", key, "\": character '", key.substr(i, 1),
          "' at position ", i + 1,
          " is not allowed (letters, digits, '.', '_', ':', '-')"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateTimeZone(absl::string_view field, absl::string_view zone,
                              bool allow_empty) {
  if (zone.empty()) {
    if (allow_empty) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
  }
  absl::TimeZone tz;
  if (!absl::LoadTimeZone(std::string(zone), &tz)) {
    return absl::InvalidArgumentError(absl::StrCat(
        field, " \"", zone,
        "\": unknown time zone (use an IANA name such as Europe/Moscow)"));
  }
  return absl::OkStatus();
}

absl::Status RequireNonEmpty(absl::string_view field, absl::string_view value) {
  if (absl::StripAsciiWhitespace(value).empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": required, must not be empty"));
  }
  return absl::OkStatus();
}

}  // namespace rampart
