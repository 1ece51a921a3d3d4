// Conversions between absl::Time, google.protobuf.Timestamp and text.
// Pure functions; thread-safe.
#ifndef RAMPART_CORE_COMMON_TIME_UTIL_H_
#define RAMPART_CORE_COMMON_TIME_UTIL_H_

#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace rampart {

absl::Time FromProto(const google::protobuf::Timestamp& ts);
google::protobuf::Timestamp ToProto(absl::Time t);
// An unset Timestamp (0 seconds, 0 nanos) means "no time".
bool IsSet(const google::protobuf::Timestamp& ts);

// Parses a time a person typed: RFC 3339 with an offset or Z
// ("2026-12-15T09:00:00+07:00"), or a civil date-time / date in `zone`
// ("2026-12-15T09:00", "2026-12-15 09:00", "2026-12-15" = its midnight).
// INVALID_ARGUMENT naming `field` on anything else.
absl::StatusOr<absl::Time> ParseTime(absl::string_view field, absl::string_view text,
                                     absl::TimeZone zone = absl::UTCTimeZone());

// RFC 3339 in UTC with seconds, e.g. "2026-12-15T02:00:00Z".
std::string FormatTime(absl::Time t);

}  // namespace rampart

#endif  // RAMPART_CORE_COMMON_TIME_UTIL_H_
