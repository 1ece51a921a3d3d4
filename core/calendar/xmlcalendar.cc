#include "core/calendar/xmlcalendar.h"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/string_view.h"

namespace rampart::calendar {
namespace {

constexpr int kMinYear = 1990;
constexpr int kMaxYear = 2100;

constexpr absl::string_view kMonthNames[12] = {"January",   "February", "March",    "April",
                                               "May",       "June",     "July",     "August",
                                               "September", "October",  "November", "December"};
constexpr absl::string_view kWeekdayNames[7] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                                "Friday", "Saturday", "Sunday"};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsNameStart(char c) { return absl::ascii_isalpha(c) || c == '_' || c == ':'; }
bool IsNameChar(char c) {
  return absl::ascii_isalnum(c) || c == '_' || c == ':' || c == '.' || c == '-';
}

// "text" in a message, cut short and with control characters escaped.
std::string Quote(absl::string_view s) {
  constexpr size_t kMax = 24;
  std::string shown(s.substr(0, kMax));
  return absl::StrCat("\"", absl::CEscape(shown), s.size() > kMax ? "...\"" : "\"");
}

bool ValidUtf8(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = s[i];
    int extra;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;  // truncated
    for (int k = 1; k <= extra; ++k) {
      const unsigned char cc = s[i + k];
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates, beyond Unicode.
    if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

void AppendUtf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

struct Attr {
  std::string name;
  std::string value;  // entities decoded
  size_t pos = 0;     // of the value's first character
};

struct Tag {
  bool end = false;    // </name>
  bool empty = false;  // <name/>
  std::string name;
  std::vector<Attr> attrs;
  size_t pos = 0;  // of '<'

  const Attr* Find(absl::string_view attr) const {
    for (const Attr& a : attrs) {
      if (a.name == attr) return &a;
    }
    return nullptr;
  }
};

// The markup of the file, tag by tag; skips what carries no data.
class Lexer {
 public:
  Lexer(absl::string_view in, absl::string_view file_name) : in_(in), file_name_(file_name) {
    if (absl::StartsWith(in_, "\xEF\xBB\xBF")) pos_ = 3;  // UTF-8 byte-order mark
  }

  absl::Status Error(size_t pos, absl::string_view what) const {
    int line = 1;
    size_t line_start = 0;
    for (size_t i = 0; i < pos && i < in_.size(); ++i) {
      if (in_[i] == '\n') ++line, line_start = i + 1;
    }
    return absl::InvalidArgumentError(
        absl::StrCat(file_name_, ":", line, ":", pos - line_start + 1, ": ", what));
  }
  int LineOf(size_t pos) const {
    return 1 + static_cast<int>(std::count(in_.begin(), in_.begin() + pos, '\n'));
  }

  // The next tag into `tag`, or false at the end of the input.
  absl::StatusOr<bool> Next(Tag& tag) {
    while (true) {
      const size_t text_start = pos_;
      while (pos_ < in_.size() && in_[pos_] != '<') ++pos_;
      if (absl::Status s = CheckBlank(text_start, pos_); !s.ok()) return s;
      if (pos_ == in_.size()) return false;
      const absl::string_view rest = in_.substr(pos_);
      if (absl::StartsWith(rest, "<!--")) {
        if (absl::Status s = SkipPast("-->", "comment"); !s.ok()) return s;
      } else if (absl::StartsWith(rest, "<![CDATA[")) {
        const size_t start = pos_;
        if (absl::Status s = SkipPast("]]>", "CDATA section"); !s.ok()) return s;
        if (absl::Status s = CheckBlank(start + 9, pos_ - 3); !s.ok()) return s;
      } else if (absl::StartsWith(rest, "<!DOCTYPE")) {
        const size_t start = pos_;
        const size_t close = in_.find_first_of("[>", pos_);
        if (close == absl::string_view::npos) return Error(start, "unterminated DOCTYPE");
        if (in_[close] == '[') {
          return Error(start, "a DOCTYPE with an internal subset is not supported");
        }
        pos_ = close + 1;
      } else if (absl::StartsWith(rest, "<!")) {
        return Error(pos_, "unexpected markup \"<!\"");
      } else if (absl::StartsWith(rest, "<?")) {
        if (absl::Status s = ProcessingInstruction(); !s.ok()) return s;
      } else {
        if (absl::Status s = ReadTag(tag); !s.ok()) return s;
        return true;
      }
    }
  }

 private:
  // Character data must be whitespace: the format has none.
  absl::Status CheckBlank(size_t from, size_t to) const {
    for (size_t i = from; i < to; ++i) {
      if (!IsSpace(in_[i])) {
        size_t end = i;
        while (end < to && in_[end] != '\n') ++end;
        return Error(i, absl::StrCat("unexpected text ", Quote(in_.substr(i, end - i))));
      }
    }
    return absl::OkStatus();
  }

  absl::Status SkipPast(absl::string_view terminator, absl::string_view what) {
    const size_t end = in_.find(terminator, pos_);
    if (end == absl::string_view::npos) return Error(pos_, absl::StrCat("unterminated ", what));
    pos_ = end + terminator.size();
    return absl::OkStatus();
  }

  // <?xml ...?> is the declaration: only UTF-8 (or its subset ASCII) is read.
  // Other processing instructions are skipped.
  absl::Status ProcessingInstruction() {
    const size_t start = pos_;
    const size_t end = in_.find("?>", pos_);
    if (end == absl::string_view::npos) return Error(start, "unterminated processing instruction");
    size_t p = start + 2;
    while (p < end && IsNameChar(in_[p])) ++p;
    const absl::string_view target = in_.substr(start + 2, p - start - 2);
    pos_ = end + 2;
    if (!absl::EqualsIgnoreCase(target, "xml")) return absl::OkStatus();
    const size_t enc = in_.substr(0, end).find("encoding", p);
    if (enc == absl::string_view::npos) return absl::OkStatus();
    size_t q = enc + 8;
    while (q < end && (IsSpace(in_[q]) || in_[q] == '=')) ++q;
    if (q >= end || (in_[q] != '"' && in_[q] != '\'')) {
      return Error(enc, "XML declaration: encoding: no quoted value");
    }
    const size_t close = in_.find(in_[q], q + 1);
    if (close == absl::string_view::npos || close > end) {
      return Error(q, "XML declaration: encoding: unterminated value");
    }
    const absl::string_view encoding = in_.substr(q + 1, close - q - 1);
    if (!absl::EqualsIgnoreCase(encoding, "utf-8") && !absl::EqualsIgnoreCase(encoding, "utf8") &&
        !absl::EqualsIgnoreCase(encoding, "us-ascii")) {
      return Error(q + 1, absl::StrCat("XML declaration: encoding: ", Quote(encoding),
                                       " is not supported; convert the file to UTF-8"));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> Name() {
    const size_t start = pos_;
    if (pos_ >= in_.size() || !IsNameStart(in_[pos_])) {
      return Error(pos_, "expected a name");
    }
    while (pos_ < in_.size() && IsNameChar(in_[pos_])) ++pos_;
    return std::string(in_.substr(start, pos_ - start));
  }

  bool SkipSpace() {
    const size_t start = pos_;
    while (pos_ < in_.size() && IsSpace(in_[pos_])) ++pos_;
    return pos_ > start;
  }

  absl::Status ReadTag(Tag& tag) {
    tag = Tag{};
    tag.pos = pos_;
    ++pos_;  // '<'
    if (pos_ < in_.size() && in_[pos_] == '/') {
      tag.end = true;
      ++pos_;
    }
    absl::StatusOr<std::string> name = Name();
    if (!name.ok()) return name.status();
    tag.name = *std::move(name);
    const std::string where = absl::StrCat(tag.end ? "</" : "<", tag.name, ">");
    while (true) {
      const bool spaced = SkipSpace();
      if (pos_ >= in_.size()) {
        return Error(tag.pos, absl::StrCat("unexpected end of file inside ", where));
      }
      const char c = in_[pos_];
      if (c == '>') {
        ++pos_;
        return absl::OkStatus();
      }
      if (c == '/' && !tag.end) {
        if (pos_ + 1 >= in_.size() || in_[pos_ + 1] != '>') {
          return Error(pos_, absl::StrCat("in ", where, ": expected \"/>\""));
        }
        tag.empty = true;
        pos_ += 2;
        return absl::OkStatus();
      }
      if (tag.end) return Error(pos_, absl::StrCat("in ", where, ": expected \">\""));
      if (!spaced) {
        return Error(pos_, absl::StrCat("in ", where, ": expected whitespace before an attribute"));
      }
      if (absl::Status s = ReadAttr(tag, where); !s.ok()) return s;
    }
  }

  absl::Status ReadAttr(Tag& tag, absl::string_view where) {
    const size_t name_pos = pos_;
    absl::StatusOr<std::string> name = Name();
    if (!name.ok()) {
      return Error(pos_, absl::StrCat("in ", where, ": unexpected ", Quote(in_.substr(pos_, 1))));
    }
    SkipSpace();
    if (pos_ >= in_.size() || in_[pos_] != '=') {
      return Error(pos_, absl::StrCat("in ", where, ": attribute ", *name, ": expected \"=\""));
    }
    ++pos_;
    SkipSpace();
    if (pos_ >= in_.size() || (in_[pos_] != '"' && in_[pos_] != '\'')) {
      return Error(
          pos_, absl::StrCat("in ", where, ": attribute ", *name, ": expected a value in quotes"));
    }
    const char quote = in_[pos_];
    const size_t value_pos = pos_ + 1;
    const size_t close = in_.find(quote, value_pos);
    if (close == absl::string_view::npos) {
      return Error(pos_, absl::StrCat("in ", where, ": attribute ", *name, ": unterminated value"));
    }
    pos_ = close + 1;
    if (tag.Find(*name) != nullptr) {
      return Error(name_pos, absl::StrCat("in ", where, ": attribute ", *name, " given twice"));
    }
    absl::StatusOr<std::string> value =
        Decode(in_.substr(value_pos, close - value_pos), value_pos, *name, where);
    if (!value.ok()) return value.status();
    tag.attrs.push_back(Attr{*std::move(name), *std::move(value), value_pos});
    return absl::OkStatus();
  }

  // An attribute value with its references replaced and whitespace
  // normalised, as XML defines.
  absl::StatusOr<std::string> Decode(absl::string_view raw, size_t at, absl::string_view attr,
                                     absl::string_view where) const {
    const std::string prefix = absl::StrCat("in ", where, ": attribute ", attr, ": ");
    std::string out;
    for (size_t i = 0; i < raw.size(); ++i) {
      const char c = raw[i];
      if (c == '<') return Error(at + i, absl::StrCat(prefix, "\"<\" in a value"));
      if (c == '\t' || c == '\n' || c == '\r') {
        out += ' ';
        continue;
      }
      if (c != '&') {
        out += c;
        continue;
      }
      const size_t semi = raw.find(';', i);
      if (semi == absl::string_view::npos) {
        return Error(at + i, absl::StrCat(prefix, "\"&\" without \";\""));
      }
      const absl::string_view ref = raw.substr(i + 1, semi - i - 1);
      if (ref == "lt") {
        out += '<';
      } else if (ref == "gt") {
        out += '>';
      } else if (ref == "amp") {
        out += '&';
      } else if (ref == "quot") {
        out += '"';
      } else if (ref == "apos") {
        out += '\'';
      } else if (absl::StartsWith(ref, "#")) {
        uint32_t cp = 0;
        const bool hex = absl::StartsWith(ref, "#x");
        const absl::string_view digits = ref.substr(hex ? 2 : 1);
        const bool parsed =
            !digits.empty() && digits.size() <= 8 &&
            (hex ? absl::SimpleHexAtoi(digits, &cp) : absl::SimpleAtoi(digits, &cp)) &&
            absl::ascii_isxdigit(digits[0]);
        if (!parsed || cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
          return Error(at + i, absl::StrCat(prefix, "bad character reference &", ref, ";"));
        }
        AppendUtf8(cp, out);
      } else {
        return Error(at + i, absl::StrCat(prefix, "unknown entity &", ref, ";"));
      }
      i = semi;
    }
    if (!ValidUtf8(out)) return Error(at, absl::StrCat(prefix, "not valid UTF-8"));
    return out;
  }

  absl::string_view in_;
  std::string file_name_;
  size_t pos_ = 0;
};

int DaysInMonth(int year, int month) {
  const absl::CivilMonth m(year, month);
  return static_cast<int>(absl::CivilDay(m + 1) - absl::CivilDay(m));
}

// "MM.DD" in `year`, or the reason it is not one.
absl::StatusOr<absl::CivilDay> ParseMonthDay(absl::string_view text, int year) {
  const absl::string_view s = absl::StripAsciiWhitespace(text);
  if (s.size() != 5 || s[2] != '.' || !absl::ascii_isdigit(s[0]) || !absl::ascii_isdigit(s[1]) ||
      !absl::ascii_isdigit(s[3]) || !absl::ascii_isdigit(s[4])) {
    return absl::InvalidArgumentError(absl::StrCat(Quote(text), " is not MM.DD"));
  }
  const int month = (s[0] - '0') * 10 + (s[1] - '0');
  const int day = (s[3] - '0') * 10 + (s[4] - '0');
  if (month < 1 || month > 12) {
    return absl::InvalidArgumentError(
        absl::StrCat("no such day: month ", month, " does not exist"));
  }
  const int days = DaysInMonth(year, month);
  if (day < 1 || day > days) {
    return absl::InvalidArgumentError(
        absl::StrCat("no such day: ", kMonthNames[month - 1], " ", year, " has ", days, " days"));
  }
  return absl::CivilDay(year, month, day);
}

// A decimal number without sign, of at most `max_digits` digits.
std::optional<int> ParseNumber(absl::string_view text, size_t max_digits) {
  const absl::string_view s = absl::StripAsciiWhitespace(text);
  if (s.empty() || s.size() > max_digits) return std::nullopt;
  int n = 0;
  for (char c : s) {
    if (!absl::ascii_isdigit(c)) return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

std::string FormatMonthDay(absl::CivilDay day) {
  return absl::StrFormat("%02d.%02d", day.month(), day.day());
}

// Builds the YearData from the tags, checking the structure and each value.
class Parser {
 public:
  Parser(absl::string_view xml, absl::string_view file_name) : lex_(xml, file_name) {}

  absl::StatusOr<YearData> Parse(absl::string_view file_name) {
    std::vector<std::string> open;  // element names, outermost first
    bool root_done = false;
    size_t days_pos = 0;
    Tag tag;
    while (true) {
      absl::StatusOr<bool> more = lex_.Next(tag);
      if (!more.ok()) return more.status();
      if (!*more) break;
      if (tag.end) {
        if (open.empty() || open.back() != tag.name) {
          return lex_.Error(
              tag.pos, open.empty()
                           ? absl::StrCat("unexpected </", tag.name, ">")
                           : absl::StrCat("</", tag.name, "> does not close <", open.back(), ">"));
        }
        open.pop_back();
        root_done = open.empty();
        continue;
      }
      absl::Status s;
      const std::string parent = open.empty() ? "" : open.back();
      if (parent.empty()) {
        if (root_done) return lex_.Error(tag.pos, "another element after </calendar>");
        if (tag.name != "calendar") {
          return lex_.Error(tag.pos,
                            absl::StrCat("the root element is <", tag.name, ">, not <calendar>"));
        }
        s = Calendar(tag);
      } else if (parent == "calendar" && (tag.name == "holidays" || tag.name == "days")) {
        bool& seen = tag.name == "days" ? seen_days_ : seen_holidays_;
        if (seen) return lex_.Error(tag.pos, absl::StrCat("a second <", tag.name, ">"));
        seen = true;
        if (tag.name == "days") days_pos = tag.pos;
      } else if (parent == "holidays" && tag.name == "holiday") {
        s = Holiday(tag);
      } else if (parent == "days" && tag.name == "day") {
        s = Day(tag);
      } else {
        return lex_.Error(tag.pos,
                          absl::StrCat("unexpected element <", tag.name, "> in <", parent, ">"));
      }
      if (!s.ok()) return s;
      if (!tag.empty) {
        open.push_back(tag.name);
      } else if (open.empty()) {
        root_done = true;  // <calendar/>
      }
    }
    if (!open.empty()) {
      return lex_.Error(tag.pos + 1,
                        absl::StrCat("unexpected end of file: <", open.back(), "> is not closed"));
    }
    if (!root_done) return lex_.Error(0, "no <calendar> element");
    if (!seen_days_) return lex_.Error(0, "calendar: no <days> element");
    if (data_.days.empty()) {
      return lex_.Error(days_pos, "days: no <day> elements (a year has at least its holidays)");
    }
    for (const HolidayRef& ref : holiday_refs_) {
      if (!holiday_ids_.contains(ref.id)) {
        return lex_.Error(ref.pos, absl::StrCat(ref.where, ": h: ", ref.id,
                                                " names no <holiday id=\"", ref.id, "\">"));
      }
    }
    std::sort(data_.days.begin(), data_.days.end(),
              [](const DayRecord& a, const DayRecord& b) { return a.day < b.day; });
    std::sort(data_.holidays.begin(), data_.holidays.end(),
              [](const HolidayName& a, const HolidayName& b) { return a.id < b.id; });
    data_.provenance = Provenance::kOfficial;
    data_.source = absl::StrCat("xmlcalendar file ", file_name);
    if (!data_.date.empty()) absl::StrAppend(&data_.source, " (dated ", data_.date, ")");
    return std::move(data_);
  }

 private:
  absl::Status Calendar(const Tag& tag) {
    const Attr* year = tag.Find("year");
    if (year == nullptr) return lex_.Error(tag.pos, "calendar: year: missing");
    const std::optional<int> y = ParseNumber(year->value, 4);
    if (!y || *y < kMinYear || *y > kMaxYear) {
      return lex_.Error(year->pos, absl::StrCat("calendar: year: ", Quote(year->value),
                                                " is not a year in ", kMinYear, "..", kMaxYear));
    }
    data_.year = *y;
    if (const Attr* date = tag.Find("date")) {
      const absl::string_view d = absl::StripAsciiWhitespace(date->value);
      absl::StatusOr<absl::CivilDay> md = absl::InvalidArgumentError("");
      const std::optional<int> dy = ParseNumber(d.substr(0, 4), 4);
      if (d.size() == 10 && d[4] == '.' && dy) md = ParseMonthDay(d.substr(5), *dy);
      if (!md.ok()) {
        return lex_.Error(date->pos, absl::StrCat("calendar: date: ", Quote(date->value),
                                                  " is not a date YYYY.MM.DD"));
      }
      data_.date = std::string(d);
    }
    if (const Attr* country = tag.Find("country")) {
      data_.country = std::string(absl::StripAsciiWhitespace(country->value));
    }
    if (const Attr* lang = tag.Find("lang")) {
      data_.lang = std::string(absl::StripAsciiWhitespace(lang->value));
    }
    if (const Attr* provisional = tag.Find("provisional")) {
      return lex_.Error(provisional->pos,
                        "calendar: provisional: the file holds a provisional calendar Rampart "
                        "computed from Labour Code art. 112, not official data");
    }
    return absl::OkStatus();
  }

  absl::Status Holiday(const Tag& tag) {
    const Attr* id = tag.Find("id");
    if (id == nullptr) return lex_.Error(tag.pos, "holiday: id: missing");
    const std::optional<int> n = ParseNumber(id->value, 6);
    if (!n || *n < 1) {
      return lex_.Error(
          id->pos, absl::StrCat("holiday: id: ", Quote(id->value), " is not a positive number"));
    }
    if (!holiday_ids_.insert(*n).second) {
      return lex_.Error(id->pos, absl::StrCat("holiday id=\"", *n, "\": listed twice"));
    }
    const Attr* title = tag.Find("title");
    data_.holidays.push_back(HolidayName{*n, title != nullptr ? title->value : ""});
    return absl::OkStatus();
  }

  absl::Status Day(const Tag& tag) {
    const Attr* d = tag.Find("d");
    if (d == nullptr) return lex_.Error(tag.pos, "day: d: missing");
    const std::string where = absl::StrCat("day d=\"", d->value, "\"");
    absl::StatusOr<absl::CivilDay> day = ParseMonthDay(d->value, data_.year);
    if (!day.ok()) {
      return lex_.Error(d->pos, absl::StrCat(where, ": d: ", day.status().message()));
    }
    DayRecord r;
    r.day = *day;

    const Attr* t = tag.Find("t");
    if (t == nullptr) return lex_.Error(tag.pos, absl::StrCat(where, ": t: missing"));
    const absl::string_view tv = absl::StripAsciiWhitespace(t->value);
    if (tv != "1" && tv != "2" && tv != "3") {
      return lex_.Error(t->pos, absl::StrCat(where, ": t: ", Quote(t->value),
                                             " is not 1 (day off), 2 (shortened working day) or 3 "
                                             "(working weekend day)"));
    }
    r.type = static_cast<DayType>(tv[0] - '0');
    const int wd = static_cast<int>(absl::GetWeekday(r.day));
    if (r.type == DayType::kWorkingWeekend && wd < 5) {
      return lex_.Error(
          t->pos,
          absl::StrFormat("%s: t: 3 (working weekend day) on %s %04d-%02d-%02d; the format "
                          "allows it only on a Saturday or Sunday",
                          where, kWeekdayNames[wd], r.day.year(), r.day.month(), r.day.day()));
    }

    if (const Attr* h = tag.Find("h")) {
      const std::optional<int> n = ParseNumber(h->value, 6);
      if (!n || *n < 1) {
        return lex_.Error(
            h->pos, absl::StrCat(where, ": h: ", Quote(h->value), " is not a positive holiday id"));
      }
      r.holiday = *n;
      holiday_refs_.push_back(HolidayRef{h->pos, *n, where});
    }
    if (const Attr* f = tag.Find("f")) {
      if (r.type != DayType::kDayOff) {
        return lex_.Error(f->pos, absl::StrCat(where,
                                               ": f: only a day off (t=1) is moved from "
                                               "another date; this day has t=",
                                               static_cast<int>(r.type)));
      }
      absl::StatusOr<absl::CivilDay> from = ParseMonthDay(f->value, data_.year);
      if (!from.ok()) {
        return lex_.Error(f->pos, absl::StrCat(where, ": f: ", from.status().message()));
      }
      if (*from == r.day) {
        return lex_.Error(f->pos, absl::StrCat(where, ": f: a day off moved from its own date"));
      }
      r.moved_from = *from;
    }

    auto [it, inserted] = first_line_.emplace(r.day - absl::CivilDay(), lex_.LineOf(tag.pos));
    if (!inserted) {
      return lex_.Error(tag.pos,
                        absl::StrCat(where, ": listed twice (first at line ", it->second, ")"));
    }
    data_.days.push_back(std::move(r));
    return absl::OkStatus();
  }

  Lexer lex_;
  YearData data_;
  bool seen_days_ = false;
  bool seen_holidays_ = false;
  absl::flat_hash_set<int> holiday_ids_;
  // Checked at the end: <holidays> may come after <days>.
  struct HolidayRef {
    size_t pos;  // of the h value
    int id;
    std::string where;
  };
  std::vector<HolidayRef> holiday_refs_;
  absl::flat_hash_map<absl::civil_diff_t, int> first_line_;  // day -> line it was listed on
};

// An attribute value in double quotes, escaped so that it reads back the
// same (tabs and newlines too, which XML would turn into spaces).
std::string AttrValue(absl::string_view s) {
  return absl::StrCat("\"",
                      absl::StrReplaceAll(s, {{"&", "&amp;"},
                                              {"<", "&lt;"},
                                              {">", "&gt;"},
                                              {"\"", "&quot;"},
                                              {"\t", "&#9;"},
                                              {"\n", "&#10;"},
                                              {"\r", "&#13;"}}),
                      "\"");
}

// Text for a comment: no "--" and no trailing "-", which XML forbids there.
std::string CommentText(absl::string_view s) {
  std::string out(s);
  while (out.find("--") != std::string::npos) out = absl::StrReplaceAll(out, {{"--", "-"}});
  if (!out.empty() && out.back() == '-') out.pop_back();
  return out;
}

}  // namespace

absl::StatusOr<YearData> ParseXmlCalendar(absl::string_view xml, absl::string_view file_name) {
  if (xml.size() > kMaxXmlCalendarBytes) {
    return absl::InvalidArgumentError(absl::StrCat(file_name, ": ", xml.size(),
                                                   " bytes, more than an xmlcalendar file has (",
                                                   kMaxXmlCalendarBytes, " at most)"));
  }
  if (absl::StartsWith(xml, "\x1f\x8b")) {
    return absl::InvalidArgumentError(
        absl::StrCat(file_name, ": gzip-compressed; decompress it (gunzip) first"));
  }
  return Parser(xml, file_name).Parse(file_name);
}

absl::StatusOr<YearData> ReadXmlCalendarFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat(path, ": cannot open: ", std::strerror(errno)));
  }
  std::string text(kMaxXmlCalendarBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.bad()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": cannot read: ", std::strerror(errno)));
  }
  text.resize(static_cast<size_t>(in.gcount()));
  return ParseXmlCalendar(text, path);
}

std::string WriteXmlCalendar(const YearData& data) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  absl::StrAppend(&out, "<!-- ", data.year, ", ", ProvenanceName(data.provenance), ": ",
                  CommentText(data.source), " -->\n");
  absl::StrAppend(&out, "<calendar year=\"", data.year, "\"");
  if (!data.lang.empty()) absl::StrAppend(&out, " lang=", AttrValue(data.lang));
  if (!data.date.empty()) absl::StrAppend(&out, " date=", AttrValue(data.date));
  if (!data.country.empty()) absl::StrAppend(&out, " country=", AttrValue(data.country));
  if (data.provenance == Provenance::kProvisional) absl::StrAppend(&out, " provisional=\"1\"");
  out += ">\n";
  std::vector<HolidayName> holidays = data.holidays;
  std::sort(holidays.begin(), holidays.end(),
            [](const HolidayName& a, const HolidayName& b) { return a.id < b.id; });
  if (!holidays.empty()) {
    out += "  <holidays>\n";
    for (const HolidayName& h : holidays) {
      absl::StrAppend(&out, "    <holiday id=\"", h.id, "\" title=", AttrValue(h.title), "/>\n");
    }
    out += "  </holidays>\n";
  }
  std::vector<DayRecord> days = data.days;
  std::sort(days.begin(), days.end(),
            [](const DayRecord& a, const DayRecord& b) { return a.day < b.day; });
  out += "  <days>\n";
  for (const DayRecord& r : days) {
    absl::StrAppend(&out, "    <day d=\"", FormatMonthDay(r.day), "\" t=\"",
                    static_cast<int>(r.type), "\"");
    if (r.holiday > 0) absl::StrAppend(&out, " h=\"", r.holiday, "\"");
    if (r.moved_from) absl::StrAppend(&out, " f=\"", FormatMonthDay(*r.moved_from), "\"");
    out += "/>\n";
  }
  out += "  </days>\n</calendar>\n";
  return out;
}

}  // namespace rampart::calendar
