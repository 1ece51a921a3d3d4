// The xmlcalendar format (issue 5): how the Russian production calendar is
// published machine-readably, one file a country and year, so a release
// manager can load next year's official calendar (`rampart calendar import
// FILE`) the day its decree appears, and the server can store and show a
// year as the same text. docs/calendars.md describes the format for users.
//
//   <?xml version="1.0" encoding="UTF-8"?>
//   <calendar year="2027" lang="ru" date="2026.09.30" country="ru">
//     <holidays>
//       <holiday id="1" title="Новогодние каникулы"/>
//     </holidays>
//     <days>
//       <day d="01.01" t="1" h="1"/>    t=1: a day off; h: a holiday id
//       <day d="04.30" t="2"/>          t=2: a shortened working day
//       <day d="02.20" t="3"/>          t=3: a working Saturday or Sunday
//       <day d="05.10" t="1" f="05.09"/> f: the date the day off moved from
//     </days>
//   </calendar>
//
// Days not listed are working days Monday to Friday and days off on Saturday
// and Sunday.
//
// No XML library: the format is a handful of empty elements, and a small
// parser can name the line, column and attribute of every problem, which is
// what a release manager needs when a hand-edited file is refused. It reads
// well-formed XML of this shape: an XML declaration (UTF-8 or ASCII), a
// byte-order mark, comments, processing instructions, a DOCTYPE without an
// internal subset, whitespace anywhere between markup, attributes in any
// order with single or double quotes, the five predefined entities and
// character references. Unknown attributes are ignored (newer files may add
// some); unknown elements, text, and CDATA with text are refused (a typo
// like <dya> must not silently drop a day).
//
// Thread-safety: pure functions.
#ifndef RAMPART_CORE_CALENDAR_XMLCALENDAR_H_
#define RAMPART_CORE_CALENDAR_XMLCALENDAR_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/calendar/year_data.h"

namespace rampart::calendar {

// Real files are a few kilobytes; anything this big is not one.
inline constexpr size_t kMaxXmlCalendarBytes = 1 << 20;

// Parses one xmlcalendar file. `file_name` names it in errors and in the
// result's source. Returns the year as official data (it does not change
// any calendar: ProductionCalendar::SetYear replaces the year, so a refused
// file changes nothing): source "xmlcalendar file NAME (dated DATE)", the
// file's country, lang and date, its holidays by id, its days by date, no
// per-day basis.
//
// InvalidArgument "NAME:LINE:COLUMN: WHERE: REASON" for malformed XML and
// for bad data, e.g.:
//   calendar: year: missing; or not a year in 1990..2100
//   day d="02.30": d: no such day: February 2027 has 28 days
//   day d="1.1": d: "1.1" is not MM.DD
//   day d="03.02": t: "4" is not 1 (day off), 2 (shortened working day) or 3
//   day d="03.02": t: 3 (working weekend day) on Tuesday 2027-03-02
//   day d="01.01": listed twice (first at line 9)
//   day d="05.07": f: only a day off (t=1) is moved from another date
//   day d="05.10": h: 9 names no <holiday id="9">
// A file Rampart exported from provisional data (provisional="1") is
// refused too: importing it would pass a computation off as the decree.
absl::StatusOr<YearData> ParseXmlCalendar(absl::string_view xml, absl::string_view file_name);

// Reads and parses the file at `path` (named by `path` in errors).
// NotFound when it cannot be opened; InvalidArgument when it is larger than
// kMaxXmlCalendarBytes, gzip-compressed, or does not parse.
absl::StatusOr<YearData> ReadXmlCalendarFile(const std::string& path);

// `data` as an xmlcalendar file that ParseXmlCalendar reads back to the same
// year, country, lang, date, holidays and days (records sorted by date;
// per-day basis and the source are not part of the format: the source goes
// into a comment). Provisional data is written with provisional="1" on
// <calendar>, which other readers ignore and ParseXmlCalendar refuses.
// `data` should be valid (ValidateYearData).
std::string WriteXmlCalendar(const YearData& data);

}  // namespace rampart::calendar

#endif  // RAMPART_CORE_CALENDAR_XMLCALENDAR_H_
