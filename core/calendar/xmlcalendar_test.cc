#include "core/calendar/xmlcalendar.h"

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "core/calendar/art112.h"
#include "core/calendar/production_calendar.h"
#include "core/calendar/ru_calendar.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace rampart::calendar {
namespace {

using ::rampart::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Optional;
using ::testing::StartsWith;

absl::CivilDay D(int y, int m, int d) { return absl::CivilDay(y, m, d); }

// The days without their basis, which the format does not carry.
std::vector<DayRecord> WithoutBasis(std::vector<DayRecord> days) {
  for (DayRecord& r : days) r.basis.clear();
  return days;
}

// The official 2026 calendar laid out as the published files are: tabs, a
// comment, the file's own date.
constexpr absl::string_view kPublished2026 = R"(<?xml version="1.0" encoding="UTF-8"?>
<calendar year="2026" lang="ru" date="2025.09.30" country="ru">
	<holidays>
		<holiday id="1" title="Новогодние каникулы" />
		<holiday id="2" title="Рождество Христово" />
		<holiday id="3" title="День защитника Отечества" />
		<holiday id="4" title="Международный женский день" />
		<holiday id="5" title="Праздник Весны и Труда" />
		<holiday id="6" title="День Победы" />
		<holiday id="7" title="День России" />
		<holiday id="8" title="День народного единства" />
	</holidays>
	<!-- t: 1 day off, 2 shortened working day, 3 working weekend day -->
	<days>
		<day d="01.01" t="1" h="1" />
		<day d="01.02" t="1" h="1" />
		<day d="01.03" t="1" h="1" />
		<day d="01.04" t="1" h="1" />
		<day d="01.05" t="1" h="1" />
		<day d="01.06" t="1" h="1" />
		<day d="01.07" t="1" h="2" />
		<day d="01.08" t="1" h="1" />
		<day d="01.09" t="1" f="01.03" />
		<day d="02.23" t="1" h="3" />
		<day d="03.08" t="1" h="4" />
		<day d="03.09" t="1" f="03.08" />
		<day d="04.30" t="2" />
		<day d="05.01" t="1" h="5" />
		<day d="05.08" t="2" />
		<day d="05.09" t="1" h="6" />
		<day d="05.11" t="1" f="05.09" />
		<day d="06.11" t="2" />
		<day d="06.12" t="1" h="7" />
		<day d="11.03" t="2" />
		<day d="11.04" t="1" h="8" />
		<day d="12.31" t="1" f="01.04" />
	</days>
</calendar>
)";

TEST(XmlCalendarTest, ReadsThePublished2026File) {
  ASSERT_OK_AND_ASSIGN(const YearData y, ParseXmlCalendar(kPublished2026, "calendar.xml"));
  const YearData builtin = RussianFederal2026();
  EXPECT_EQ(y.year, 2026);
  EXPECT_EQ(y.provenance, Provenance::kOfficial);
  EXPECT_EQ(y.source, "xmlcalendar file calendar.xml (dated 2025.09.30)");
  EXPECT_EQ(y.country, "ru");
  EXPECT_EQ(y.lang, "ru");
  EXPECT_EQ(y.date, "2025.09.30");
  EXPECT_EQ(y.holidays, builtin.holidays);
  EXPECT_EQ(y.days, WithoutBasis(builtin.days));
}

TEST(XmlCalendarTest, RoundTripOf2026) {
  const YearData builtin = RussianFederal2026();
  const std::string xml = WriteXmlCalendar(builtin);
  EXPECT_THAT(xml, HasSubstr("<calendar year=\"2026\" lang=\"ru\" date=\"2025.09.24\" "
                             "country=\"ru\">"));
  EXPECT_THAT(xml, HasSubstr("<day d=\"01.09\" t=\"1\" f=\"01.03\"/>"));
  EXPECT_THAT(xml, HasSubstr("<day d=\"12.31\" t=\"1\" f=\"01.04\"/>"));
  EXPECT_THAT(xml, HasSubstr("<day d=\"04.30\" t=\"2\"/>"));
  EXPECT_THAT(xml, HasSubstr("official: Government Decree No. 1466 of 2025-09-24"));

  ASSERT_OK_AND_ASSIGN(YearData back, ParseXmlCalendar(xml, "export.xml"));
  EXPECT_EQ(back.year, builtin.year);
  EXPECT_EQ(back.country, builtin.country);
  EXPECT_EQ(back.lang, builtin.lang);
  EXPECT_EQ(back.date, builtin.date);
  EXPECT_EQ(back.holidays, builtin.holidays);
  EXPECT_EQ(back.days, WithoutBasis(builtin.days));
  EXPECT_EQ(WriteXmlCalendar(back), absl::StrReplaceAll(xml, {{"official: Government Decree "
                                                               "No. 1466 of 2025-09-24",
                                                               "official: xmlcalendar file "
                                                               "export.xml (dated 2025.09.24)"}}));

  // Loaded into a calendar without data, it gives the decree's totals.
  ProductionCalendar cal;
  ASSERT_OK(cal.SetYear(std::move(back)));
  EXPECT_EQ(cal.WorkingDaysInYear(2026), 247);
  EXPECT_EQ(cal.WorkingDaysInQuarter(2026, 1), 55);
  EXPECT_EQ(cal.WorkingDaysInQuarter(2026, 2), 62);
  EXPECT_EQ(cal.WorkingDaysInQuarter(2026, 3), 66);
  EXPECT_EQ(cal.WorkingDaysInQuarter(2026, 4), 64);
}

TEST(XmlCalendarTest, TitlesWithMarkupCharactersRoundTrip) {
  YearData y = RussianFederal2026();
  y.holidays[0].title = "A & B <\"quoted\"> 'x'\ttab\nline";
  ASSERT_OK_AND_ASSIGN(const YearData back, ParseXmlCalendar(WriteXmlCalendar(y), "t.xml"));
  EXPECT_EQ(back.holidays[0].title, y.holidays[0].title);
}

// Whatever a hand edit or another generator may produce, as long as it is
// well-formed XML of this shape.
TEST(XmlCalendarTest, ToleratesTheVariationsOfXml) {
  const std::string xml =
      absl::StrCat("\xEF\xBB\xBF<?xml version='1.0' encoding='utf-8' standalone='yes'?>\r\n",
                   "<!DOCTYPE calendar>\n", "<?xml-stylesheet href=\"cal.xsl\"?>\n",
                   "<!-- a comment before the root -->\n",
                   "<calendar country = 'ru'\n    year='2027' extra=\"ignored\" >\n", "  <days>\n",
                   "    <day t='1' h='1' d='01.01'></day>\n",
                   "    <!-- <day d=\"01.02\" t=\"1\"/> commented out -->\n",
                   "    <day\n      f=\"05.09\"\n      t=\"1\"\n      d=\" 05.10 \"\n    />\n",
                   "    <![CDATA[  ]]>\n", "  </days>\n",
                   "  <holidays><holiday title=\"&#1053;&#x43E;&quot;&amp;&lt;&gt;&apos;\" "
                   "id=\"1\"/></holidays>\n",
                   "</calendar >\n", "<!-- after the root -->\n");
  ASSERT_OK_AND_ASSIGN(const YearData y, ParseXmlCalendar(xml, "hand.xml"));
  EXPECT_EQ(y.year, 2027);
  EXPECT_EQ(y.country, "ru");
  ASSERT_EQ(y.days.size(), 2u);
  EXPECT_EQ(y.days[0].day, D(2027, 1, 1));
  EXPECT_EQ(y.days[0].holiday, 1);
  EXPECT_EQ(y.days[1].day, D(2027, 5, 10));
  EXPECT_THAT(y.days[1].moved_from, Optional(D(2027, 5, 9)));
  ASSERT_EQ(y.holidays.size(), 1u);
  EXPECT_EQ(y.holidays[0].title, "Но\"&<>'");
  EXPECT_EQ(y.source, "xmlcalendar file hand.xml");
}

// A 2027 file whose <days> holds `days` after one good line; the first line
// of `days` is line 8.
std::string File2027(absl::string_view days,
                     absl::string_view calendar = R"(year="2027" lang="ru" country="ru")") {
  return absl::StrCat("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<calendar ", calendar,
                      ">\n<holidays>\n<holiday id=\"1\" title=\"Новогодние каникулы\"/>\n"
                      "</holidays>\n<days>\n<day d=\"01.01\" t=\"1\" h=\"1\"/>\n",
                      days, "</days>\n</calendar>\n");
}

TEST(XmlCalendarTest, AGoodFileParses) {
  ASSERT_OK_AND_ASSIGN(const YearData y,
                       ParseXmlCalendar(File2027("<day d=\"02.20\" t=\"3\"/>\n"), "ok.xml"));
  EXPECT_EQ(y.days.size(), 2u);
  EXPECT_EQ(y.days[1].type, DayType::kWorkingWeekend);  // Saturday Feb 20, 2027
}

struct BadInput {
  std::string name;
  std::string xml;
  std::string error;  // expected in the message, after "bad.xml:"
};

TEST(XmlCalendarTest, MalformedInputIsRejectedWithThePositionTheFieldAndTheReason) {
  const std::vector<BadInput> cases = {
      // Days.
      {"day 02.30", File2027("<day d=\"02.30\" t=\"1\"/>\n"),
       "8:9: day d=\"02.30\": d: no such day: February 2027 has 28 days"},
      {"Feb 29 of a common year", File2027("<day d=\"02.29\" t=\"1\"/>\n"),
       "8:9: day d=\"02.29\": d: no such day: February 2027 has 28 days"},
      {"month 13", File2027("<day d=\"13.01\" t=\"1\"/>\n"),
       "8:9: day d=\"13.01\": d: no such day: month 13 does not exist"},
      {"day 00", File2027("<day d=\"01.00\" t=\"1\"/>\n"),
       "day d=\"01.00\": d: no such day: January 2027 has 31 days"},
      {"not MM.DD", File2027("<day d=\"1.1\" t=\"1\"/>\n"),
       "8:9: day d=\"1.1\": d: \"1.1\" is not MM.DD"},
      {"a full date", File2027("<day d=\"2027-01-02\" t=\"1\"/>\n"), "is not MM.DD"},
      {"d missing", File2027("<day t=\"1\"/>\n"), "8:1: day: d: missing"},
      {"t missing", File2027("<day d=\"01.02\"/>\n"), "8:1: day d=\"01.02\": t: missing"},
      {"t 4", File2027("<day d=\"01.02\" t=\"4\"/>\n"),
       "8:19: day d=\"01.02\": t: \"4\" is not 1 (day off), 2 (shortened working day) or 3 "
       "(working weekend day)"},
      {"t 0", File2027("<day d=\"01.02\" t=\"0\"/>\n"), "t: \"0\" is not 1"},
      {"t empty", File2027("<day d=\"01.02\" t=\"\"/>\n"), "t: \"\" is not 1"},
      {"t=3 on a weekday", File2027("<day d=\"03.02\" t=\"3\"/>\n"),
       "8:19: day d=\"03.02\": t: 3 (working weekend day) on Tuesday 2027-03-02; the format "
       "allows it only on a Saturday or Sunday"},
      {"t=1 twice", File2027("<day d=\"01.02\" t=\"1\"/>\n<day d=\"01.02\" t=\"1\"/>\n"),
       "9:1: day d=\"01.02\": listed twice (first at line 8)"},
      {"a day twice with other types",
       File2027("<day d=\"01.02\" t=\"1\"/>\n\n<day d=\"01.02\" t=\"2\"/>\n"),
       "10:1: day d=\"01.02\": listed twice (first at line 8)"},
      {"f on a shortened day", File2027("<day d=\"04.30\" t=\"2\" f=\"05.01\"/>\n"),
       "8:25: day d=\"04.30\": f: only a day off (t=1) is moved from another date; this day "
       "has t=2"},
      {"f on a working weekend day", File2027("<day d=\"02.20\" t=\"3\" f=\"05.01\"/>\n"),
       "f: only a day off (t=1) is moved from another date; this day has t=3"},
      {"f not MM.DD", File2027("<day d=\"05.10\" t=\"1\" f=\"5.9\"/>\n"),
       "day d=\"05.10\": f: \"5.9\" is not MM.DD"},
      {"f no such day", File2027("<day d=\"05.10\" t=\"1\" f=\"04.31\"/>\n"),
       "day d=\"05.10\": f: no such day: April 2027 has 30 days"},
      {"f its own date", File2027("<day d=\"05.10\" t=\"1\" f=\"05.10\"/>\n"),
       "day d=\"05.10\": f: a day off moved from its own date"},
      {"h unknown", File2027("<day d=\"05.10\" t=\"1\" h=\"9\"/>\n"),
       "8:25: day d=\"05.10\": h: 9 names no <holiday id=\"9\">"},
      {"h zero", File2027("<day d=\"05.10\" t=\"1\" h=\"0\"/>\n"),
       "day d=\"05.10\": h: \"0\" is not a positive holiday id"},
      {"h negative", File2027("<day d=\"05.10\" t=\"1\" h=\"-1\"/>\n"),
       "h: \"-1\" is not a positive holiday id"},
      {"no day elements", "<calendar year=\"2027\">\n<days>\n</days>\n</calendar>\n",
       "2:1: days: no <day> elements"},
      {"no days element", "<calendar year=\"2027\"/>", "1:1: calendar: no <days> element"},
      // The calendar element.
      {"year missing", File2027("", "lang=\"ru\""), "2:1: calendar: year: missing"},
      {"year 27", File2027("", "year=\"27\""),
       "2:17: calendar: year: \"27\" is not a year in 1990..2100"},
      {"year 2101", File2027("", "year=\"2101\""), "year: \"2101\" is not a year in 1990..2100"},
      {"year 1989", File2027("", "year=\"1989\""), "year: \"1989\" is not a year in 1990..2100"},
      {"year with letters", File2027("", "year=\"20x7\""), "year: \"20x7\" is not a year"},
      {"date malformed", File2027("", "year=\"2027\" date=\"30.09.2026\""),
       "calendar: date: \"30.09.2026\" is not a date YYYY.MM.DD"},
      {"provisional export", File2027("", "year=\"2027\" provisional=\"1\""),
       "calendar: provisional: the file holds a provisional calendar"},
      // Holidays.
      {"holiday id twice",
       "<calendar year=\"2027\"><holidays><holiday id=\"1\"/><holiday id=\"1\"/></holidays>"
       "<days><day d=\"01.01\" t=\"1\"/></days></calendar>",
       "holiday id=\"1\": listed twice"},
      {"holiday id missing",
       "<calendar year=\"2027\"><holidays><holiday title=\"x\"/></holidays></calendar>",
       "holiday: id: missing"},
      // Structure and XML.
      {"unknown element", File2027("<dya d=\"01.02\" t=\"1\"/>\n"),
       "8:1: unexpected element <dya> in <days>"},
      {"day outside days", "<calendar year=\"2027\"><day d=\"01.01\" t=\"1\"/></calendar>",
       "1:23: unexpected element <day> in <calendar>"},
      {"a child of day", File2027("<day d=\"01.02\" t=\"1\"><x/></day>\n"),
       "unexpected element <x> in <day>"},
      {"root not calendar", "<kalendar year=\"2027\"/>",
       "1:1: the root element is <kalendar>, not <calendar>"},
      {"text", File2027("garbage\n"), "8:1: unexpected text \"garbage\""},
      {"mismatched end tag", File2027("<day d=\"01.02\" t=\"1\"></days>\n"),
       "8:22: </days> does not close <day>"},
      {"unclosed", "<calendar year=\"2027\"><days><day d=\"01.01\" t=\"1\"/>",
       "unexpected end of file: <days> is not closed"},
      {"a second root", absl::StrCat(File2027(""), "<calendar year=\"2028\"/>\n"),
       "another element after </calendar>"},
      {"empty file", "", "1:1: no <calendar> element"},
      {"two days elements", File2027("</days><days>\n"), "a second <days>"},
      {"unquoted value", File2027("<day d=01.02 t=\"1\"/>\n"),
       "8:8: in <day>: attribute d: expected a value in quotes"},
      {"no space between attributes", File2027("<day d=\"01.02\"t=\"1\"/>\n"),
       "8:15: in <day>: expected whitespace before an attribute"},
      {"attribute twice", File2027("<day d=\"01.02\" t=\"1\" t=\"2\"/>\n"),
       "8:22: in <day>: attribute t given twice"},
      {"unknown entity", File2027("<day d=\"01.02\" t=\"1&nbsp;\"/>\n"),
       "in <day>: attribute t: unknown entity &nbsp;"},
      {"unterminated comment", File2027("<!-- no end\n"), "8:1: unterminated comment"},
      {"not UTF-8",
       "<calendar year=\"2027\"><holidays><holiday id=\"1\" title=\"\xcd\xee\xe2\xfb\xe9\"/>"
       "</holidays></calendar>",
       "in <holiday>: attribute title: not valid UTF-8"},
      {"windows-1251", "<?xml version=\"1.0\" encoding=\"windows-1251\"?>\n<calendar/>",
       "1:31: XML declaration: encoding: \"windows-1251\" is not supported; convert the file to "
       "UTF-8"},
      {"gzip", "\x1f\x8b\x08\x00", "bad.xml: gzip-compressed; decompress it (gunzip) first"},
      {"internal DTD subset", "<!DOCTYPE calendar [ <!ENTITY x \"y\"> ]><calendar/>",
       "a DOCTYPE with an internal subset is not supported"},
  };
  for (const BadInput& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_THAT(ParseXmlCalendar(c.xml, "bad.xml"),
                StatusIs(absl::StatusCode::kInvalidArgument,
                         AllOf(StartsWith("bad.xml:"), HasSubstr(c.error))));
  }
}

TEST(XmlCalendarTest, TooLargeIsRejected) {
  const std::string big(kMaxXmlCalendarBytes + 1, ' ');
  EXPECT_THAT(ParseXmlCalendar(big, "big.xml"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("more than an xmlcalendar")));
}

// Import is parse, then SetYear: a refused file, or a good file the calendar
// refuses, changes nothing.
TEST(XmlCalendarTest, ImportReplacesAYearAndARefusedImportChangesNothing) {
  ProductionCalendar cal = RussianFederalCalendar();
  EXPECT_FALSE(cal.IsOfficial(2027));

  // A made-up official 2027: art. 112's days plus a decree moving Saturday
  // Jan 2 to Friday Dec 31 (which the rule alone shortens).
  YearData decree = ProvisionalYear(2027);
  decree.provenance = Provenance::kOfficial;
  std::erase_if(decree.days, [](const DayRecord& r) { return r.day == D(2027, 12, 31); });
  decree.days.push_back({D(2027, 12, 31), DayType::kDayOff, 0, D(2027, 1, 2), ""});
  std::string xml = WriteXmlCalendar(decree);

  ASSERT_OK_AND_ASSIGN(YearData parsed, ParseXmlCalendar(xml, "calendar-2027.xml"));
  ASSERT_OK(cal.SetYear(std::move(parsed)));
  EXPECT_TRUE(cal.IsOfficial(2027));
  EXPECT_EQ(cal.SourceOf(2027), "xmlcalendar file calendar-2027.xml");
  EXPECT_EQ(cal.KindOf(D(2027, 12, 31)), DayKind::kMovedDayOff);
  EXPECT_EQ(cal.WorkingDaysInYear(2027), 248);
  const YearData before = cal.Year(2027);

  // A broken edit of the same file: refused, the calendar keeps the import.
  const std::string broken = absl::StrReplaceAll(
      xml, {{"<day d=\"12.31\" t=\"1\" f=\"01.02\"/>", "<day d=\"12.31\" t=\"2\" f=\"01.02\"/>"}});
  ASSERT_NE(broken, xml);
  absl::StatusOr<YearData> refused = ParseXmlCalendar(broken, "calendar-2027.xml");
  EXPECT_THAT(refused,
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("f: only a day off")));
  EXPECT_EQ(cal.Year(2027), before);

  // Another country's file parses, but the Russian calendar refuses it.
  ASSERT_OK_AND_ASSIGN(
      YearData by,
      ParseXmlCalendar(absl::StrReplaceAll(xml, {{"country=\"ru\"", "country=\"by\""}}),
                       "by-2027.xml"));
  EXPECT_THAT(cal.SetYear(std::move(by)),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("country \"by\"")));
  EXPECT_EQ(cal.Year(2027), before);
}

TEST(XmlCalendarTest, ProvisionalDataExportsButDoesNotImportAsOfficial) {
  const std::string xml = WriteXmlCalendar(ProvisionalYear(2027));
  EXPECT_THAT(xml, HasSubstr("provisional=\"1\""));
  EXPECT_THAT(xml, HasSubstr("<!-- 2027, provisional: computed from Labour Code art. 112"));
  EXPECT_THAT(ParseXmlCalendar(xml, "p.xml"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("provisional")));
}

TEST(XmlCalendarTest, ReadsAFile) {
  const rampart::testing::TempDir dir;
  const std::string path = dir.path() + "/calendar.xml";
  std::ofstream(path) << kPublished2026;
  ASSERT_OK_AND_ASSIGN(const YearData y, ReadXmlCalendarFile(path));
  EXPECT_EQ(y.source, absl::StrCat("xmlcalendar file ", path, " (dated 2025.09.30)"));
  EXPECT_EQ(y.days.size(), 22u);
  EXPECT_THAT(ReadXmlCalendarFile(dir.path() + "/missing.xml"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("missing.xml: cannot open")));
}

}  // namespace
}  // namespace rampart::calendar
