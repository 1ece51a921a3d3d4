// The rules for keys (of accounts, segments, flags, variants, rule ids) and the
// shared field validators. Called by the server before it writes anything and
// by the CLI before it sends. Pure functions; thread-safe.
//
// A key is 1 to 128 characters: ASCII letters, digits, '.', '_', ':' and '-',
// starting with a letter or a digit. Keys are case-sensitive.
#ifndef RAMPART_CORE_COMMON_KEYS_H_
#define RAMPART_CORE_COMMON_KEYS_H_

#include <string_view>

#include "absl/status/status.h"

namespace rampart {

inline constexpr size_t kMaxKeyLength = 128;

// OK, or INVALID_ARGUMENT naming `field` and the problem, e.g.
// `flag.key "Bad Key": character ' ' at position 4 is not allowed (...)`.
absl::Status ValidateKey(std::string_view field, std::string_view key);

// OK for an IANA zone name the machine's tz database knows, or for an empty
// name when `allow_empty`; else INVALID_ARGUMENT naming `field`.
absl::Status ValidateTimeZone(std::string_view field, std::string_view zone,
                              bool allow_empty = true);

// INVALID_ARGUMENT naming `field` when `value` is empty or only spaces.
absl::Status RequireNonEmpty(std::string_view field, std::string_view value);

}  // namespace rampart

#endif  // RAMPART_CORE_COMMON_KEYS_H_
