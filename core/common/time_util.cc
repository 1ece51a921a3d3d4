#include "core/common/time_util.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace rampart {

absl::Time FromProto(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

google::protobuf::Timestamp ToProto(absl::Time t) {
  google::protobuf::Timestamp ts;
  const int64_t secs = absl::ToUnixSeconds(t);
  ts.set_seconds(secs);
  ts.set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(secs))));
  return ts;
}

bool IsSet(const google::protobuf::Timestamp& ts) {
  return ts.seconds() != 0 || ts.nanos() != 0;
}

absl::StatusOr<absl::Time> ParseTime(absl::string_view field, absl::string_view text,
                                     absl::TimeZone zone) {
  const std::string s = absl::StrReplaceAll(text, {{" ", "T"}});
  absl::Time t;
  std::string err;
  // With an explicit offset or Z.
  if (absl::ParseTime(absl::RFC3339_full, s, &t, &err)) return t;
  // Civil forms, read in `zone`.
  for (const char* fmt : {"%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d"}) {
    if (absl::ParseTime(fmt, s, zone, &t, &err)) return t;
  }
  return absl::InvalidArgumentError(absl::StrCat(
      field, " \"", text,
      "\": not a time (use RFC 3339 such as 2026-12-15T09:00:00+07:00, or "
      "2026-12-15 09:00, or 2026-12-15)"));
}

std::string FormatTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

}  // namespace rampart
