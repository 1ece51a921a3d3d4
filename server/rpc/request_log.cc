#include "server/rpc/request_log.h"

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace rampart::rpc {
namespace {

// A JSON string literal, escaping what JSON requires.
std::string Quote(absl::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += absl::StrFormat("\\u%04x", c);
        } else {
          out += c;
        }
    }
  }
  out += "\"";
  return out;
}

}  // namespace

std::string FormatRequestLine(absl::Time at, absl::string_view method, absl::string_view peer,
                              absl::string_view actor, const absl::Status& status,
                              absl::Duration took) {
  std::string line = absl::StrCat(
      "{\"ts\":", Quote(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", at, absl::UTCTimeZone())),
      ",\"method\":", Quote(method), ",\"peer\":", Quote(peer));
  if (!actor.empty()) absl::StrAppend(&line, ",\"actor\":", Quote(actor));
  absl::StrAppend(&line, ",\"code\":", Quote(absl::StatusCodeToString(status.code())),
                  ",\"ms\":", absl::StrFormat("%.3f", absl::ToDoubleMilliseconds(took)));
  if (!status.ok()) absl::StrAppend(&line, ",\"error\":", Quote(status.message()));
  line += "}\n";
  return line;
}

RequestLog::Entry::Entry(const RequestLog& log, absl::string_view method, std::string peer,
                         std::string actor)
    : log_(log),
      method_(method),
      peer_(std::move(peer)),
      actor_(std::move(actor)),
      start_(log.clock_.Now()) {}

void RequestLog::Entry::Write(const absl::Status& status) const {
  if (!log_.enabled_) return;
  const absl::Time now = log_.clock_.Now();
  const std::string line = FormatRequestLine(now, method_, peer_, actor_, status, now - start_);
  (void)!::write(STDERR_FILENO, line.data(), line.size());
}

}  // namespace rampart::rpc
