// The rules for keys (of accounts, segments, flags, variants, rule ids) and the
// shared field validators. Called by the server before it writes anything and
// by the CLI before it sends. Pure functions; thread-safe.
//
// Strings are passed as absl::string_view throughout Rampart: Debian's Abseil
// is built with its own string_view type (ABSL_OPTION_USE_STD_STRING_VIEW 0),
// which std::string_view does not convert to.
//
// A key is 1 to 128 characters: ASCII letters, digits, '.', '_', ':' and '-',
// starting with a letter or a digit. Keys are case-sensitive.
#ifndef RAMPART_CORE_COMMON_KEYS_H_
#define RAMPART_CORE_COMMON_KEYS_H_

#include "absl/strings/string_view.h"

#include "absl/status/status.h"

namespace rampart {

inline constexpr size_t kMaxKeyLength = 128;

// OK, or INVALID_ARGUMENT naming `field` and the problem, e.g.
// `flag.key "Bad Key": character ' ' at position 4 is not allowed (...)`.
absl::Status ValidateKey(absl::string_view field, absl::string_view key);

// OK for an IANA zone name the machine's tz database knows, or for an empty
// name when `allow_empty`; else INVALID_ARGUMENT naming `field`.
absl::Status ValidateTimeZone(absl::string_view field, absl::string_view zone,
                              bool allow_empty = true);

// INVALID_ARGUMENT naming `field` when `value` is empty or only spaces.
absl::Status RequireNonEmpty(absl::string_view field, absl::string_view value);

}  // namespace rampart

#endif  // RAMPART_CORE_COMMON_KEYS_H_
