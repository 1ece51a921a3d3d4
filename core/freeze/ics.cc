#include "core/freeze/ics.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace rampart::freeze {
namespace {

constexpr size_t kMaxOctets = 75;

std::string UtcStamp(absl::Time t) {
  return absl::FormatTime("%Y%m%dT%H%M%SZ", t, absl::UTCTimeZone());
}

void Line(std::string& out, absl::string_view name, absl::string_view value) {
  absl::StrAppend(&out, FoldIcsLine(absl::StrCat(name, ":", value)), "\r\n");
}

}  // namespace

std::string EscapeIcsText(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case ';':
        out += "\\;";
        break;
      case ',':
        out += "\\,";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string FoldIcsLine(absl::string_view line) {
  std::string out;
  size_t budget = kMaxOctets;  // the first line; continuations lose one to the space
  while (line.size() > budget) {
    size_t cut = budget;
    // Never between the bytes of one UTF-8 character: back up over
    // continuation bytes (10xxxxxx).
    while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
    absl::StrAppend(&out, line.substr(0, cut), "\r\n ");
    line.remove_prefix(cut);
    budget = kMaxOctets - 1;
  }
  out.append(line.data(), line.size());
  return out;
}

std::string WriteIcs(absl::string_view calendar_name, const std::vector<IcsEvent>& events,
                     absl::Time stamp) {
  std::string out;
  Line(out, "BEGIN", "VCALENDAR");
  Line(out, "VERSION", "2.0");
  Line(out, "PRODID", "-//Rampart//Rampart freeze calendar//EN");
  Line(out, "CALSCALE", "GREGORIAN");
  Line(out, "METHOD", "PUBLISH");
  Line(out, "X-WR-CALNAME", EscapeIcsText(calendar_name));
  for (const IcsEvent& e : events) {
    Line(out, "BEGIN", "VEVENT");
    Line(out, "UID", EscapeIcsText(e.uid));
    Line(out, "DTSTAMP", UtcStamp(stamp));
    Line(out, "DTSTART", UtcStamp(e.start));
    Line(out, "DTEND", UtcStamp(e.end > e.start ? e.end : e.start));
    Line(out, "SUMMARY", EscapeIcsText(e.summary));
    if (!e.description.empty()) Line(out, "DESCRIPTION", EscapeIcsText(e.description));
    if (!e.categories.empty()) {
      std::vector<std::string> escaped;
      for (const std::string& c : e.categories) escaped.push_back(EscapeIcsText(c));
      Line(out, "CATEGORIES", absl::StrJoin(escaped, ","));
    }
    Line(out, "TRANSP", "OPAQUE");
    Line(out, "END", "VEVENT");
  }
  Line(out, "END", "VCALENDAR");
  return out;
}

}  // namespace rampart::freeze
