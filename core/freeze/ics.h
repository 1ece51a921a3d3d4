// iCalendar (RFC 5545) export: a release manager subscribes from a calendar
// app to a segment's freeze windows and the planned ramp steps
// (`rampart freeze ics`, FreezeService.ExportFreezeIcs).
//
// WriteIcs writes one VCALENDAR (VERSION 2.0, METHOD PUBLISH, X-WR-CALNAME)
// with one VEVENT per event: UID, DTSTAMP, DTSTART and DTEND in UTC
// (YYYYMMDDTHHMMSSZ), SUMMARY, DESCRIPTION and CATEGORIES when not empty,
// TRANSP OPAQUE. An event whose end is not after its start (a planned step,
// an instant) gets DTEND = DTSTART. Text is escaped (backslash, semicolon,
// comma, newline; RFC 5545 3.3.11), lines end with CRLF and are folded at 75
// octets without splitting a UTF-8 sequence (3.1).
//
// UIDs are the caller's: derive them from what identifies the event
// (calendar, rule, segment, start) so that a calendar app refreshing the feed
// updates events rather than duplicating them.
//
// Thread-safety: a pure function.
#ifndef RAMPART_CORE_FREEZE_ICS_H_
#define RAMPART_CORE_FREEZE_ICS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace rampart::freeze {

struct IcsEvent {
  std::string uid;
  absl::Time start;
  absl::Time end;
  std::string summary;
  std::string description;
  std::vector<std::string> categories;
};

std::string WriteIcs(absl::string_view calendar_name, const std::vector<IcsEvent>& events,
                     absl::Time stamp);

// RFC 5545 TEXT escaping, and folding of one content line (without its
// CRLF) into lines of at most 75 octets; exposed for tests.
std::string EscapeIcsText(absl::string_view text);
std::string FoldIcsLine(absl::string_view line);

}  // namespace rampart::freeze

#endif  // RAMPART_CORE_FREEZE_ICS_H_
