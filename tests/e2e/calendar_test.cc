// The working-day calendar through the real CLI and rampartd: the built-in
// official 2026 data, a provisional 2027, an official 2027 imported from an
// xmlcalendar file (kept across a restart), and malformed files refused
// with the line and the field, changing nothing.
#include <signal.h>

#include <string>

#include "gmock/gmock.h"
#include "rampart/v1/calendar.pb.h"
#include "tests/e2e/e2e_fixture.h"

namespace rampart::e2e {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// A 2027 decree as a test fixture (not the real one, which does not exist
// yet): art. 112's days off, and Saturday Jan 2 moved to Friday Dec 31.
// Weekdays off: Jan 1, 4-8, Feb 23, Mar 8, May 3, May 10, Jun 14, Nov 4,
// Dec 31 = 13; 2027 has 261 weekdays, so 248 working days.
constexpr char kDecree2027[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<calendar year="2027" lang="ru" date="2026.09.28" country="ru">
  <days>
    <day d="01.01" t="1"/><day d="01.02" t="1"/><day d="01.03" t="1"/>
    <day d="01.04" t="1"/><day d="01.05" t="1"/><day d="01.06" t="1"/>
    <day d="01.07" t="1"/><day d="01.08" t="1"/>
    <day d="02.22" t="2"/><day d="02.23" t="1"/>
    <day d="03.08" t="1"/>
    <day d="04.30" t="2"/><day d="05.01" t="1"/><day d="05.03" t="1" f="05.01"/>
    <day d="05.09" t="1"/><day d="05.10" t="1" f="05.09"/>
    <day d="06.11" t="2"/><day d="06.12" t="1"/><day d="06.14" t="1" f="06.12"/>
    <day d="11.03" t="2"/><day d="11.04" t="1"/>
    <day d="12.31" t="1" f="01.02"/>
  </days>
</calendar>
)";

v1::CalendarYearSummary Year(const v1::CalendarView& view, int year) {
  for (const auto& y : view.years()) {
    if (y.year() == year) return y;
  }
  ADD_FAILURE() << "no year " << year;
  return {};
}

TEST_F(E2eTest, CalendarOfficialProvisionalAndImportedYears) {
  auto view = CliJson<v1::CalendarView>({"calendar", "show", "--from", "2026", "--to", "2027"});
  v1::CalendarYearSummary y2026 = Year(view, 2026);
  EXPECT_TRUE(y2026.official());
  EXPECT_EQ(y2026.working_days(), 247);
  EXPECT_EQ(y2026.days_off(), 118);
  EXPECT_THAT(y2026.working_days_by_quarter(), ElementsAre(55, 62, 66, 64));
  EXPECT_THAT(y2026.source(), HasSubstr("1466"));
  EXPECT_FALSE(Year(view, 2027).official());
  EXPECT_THAT(CliOk({"calendar", "show", "--from", "2026", "--to", "2027"}),
              AllOf(HasSubstr("55 / 62 / 66 / 64"), HasSubstr("provisional")));

  // A malformed file: refused, with the line and the field; nothing changes.
  const std::string bad = WriteFile(
      "bad-2027.xml",
      "<calendar year=\"2027\" country=\"ru\">\n<days>\n<day d=\"02.30\" t=\"1\"/>\n</days>\n"
      "</calendar>\n");
  testing::CommandResult r = Cli({"calendar", "import", bad, "--reason", "decree 2027"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, AllOf(HasSubstr("bad-2027.xml:3"), HasSubstr("02.30")));
  EXPECT_FALSE(Year(CliJson<v1::CalendarView>({"calendar", "show", "--from", "2027", "--to",
                                               "2027"}),
                    2027)
                   .official());

  // The decree for 2027, the day it is published.
  const std::string file = WriteFile("calendar-2027.xml", kDecree2027);
  EXPECT_THAT(CliOk({"calendar", "import", file, "--reason", "decree 2027"}),
              HasSubstr("calendar year 2027 imported: 248 working days"));
  server().Stop(SIGTERM);
  StartServer();
  const v1::CalendarYearSummary y2027 =
      Year(CliJson<v1::CalendarView>({"calendar", "show", "--from", "2027", "--to", "2027"}),
           2027);
  EXPECT_TRUE(y2027.official());
  EXPECT_TRUE(y2027.imported());
  EXPECT_EQ(y2027.working_days(), 248);
  EXPECT_EQ(y2027.shortened_days(), 4);
  // The import is in the audit log with its actor and reason.
  EXPECT_THAT(CliOk({"audit", "list"}), AllOf(HasSubstr("calendar.import"),
                                              HasSubstr("decree 2027")));
  // A range of years that goes backwards is refused.
  r = Cli({"calendar", "show", "--from", "2030", "--to", "2020"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("from_year, to_year"));
}

}  // namespace
}  // namespace rampart::e2e
