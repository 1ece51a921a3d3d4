// Freeze calendars through the real CLI and rampartd: ru-accounting attached
// to a segment, its windows listed in local time and UTC, `freeze check` at
// exact instants in Moscow and Novosibirsk (exit 4 when frozen), the .ics
// feed parsed back by a real iCalendar parser (python3-icalendar), a tender
// window open now holding a change back while the CLI says whom it reached,
// the kill switch breaking the freeze (audited), and bad input refused.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "rampart/v1/eval.pb.h"
#include "rampart/v1/freeze.pb.h"
#include "tests/e2e/e2e_fixture.h"

namespace rampart::e2e {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

class FreezeTest : public E2eTest {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    CliOk({"account", "create", "acme", "--name", "Acme", "--tz", "Europe/Moscow", "--attr",
           "industry=accounting", "--reason", "crm"});
    CliOk({"account", "create", "books", "--name", "Books", "--tz", "Asia/Novosibirsk", "--attr",
           "industry=accounting", "--reason", "crm"});
    CliOk({"account", "create", "kino", "--name", "Kino", "--attr", "industry=cinema", "--reason",
           "crm"});
    CliOk({"segment", "create", "accounting", "--where", "industry == accounting", "--reason",
           "crm"});
    CliOk({"flag", "create", "new-editor", "--type", "bool", "--reason", "INV-812"});
  }

  // The .ics written by `freeze ics`, parsed by tests/ics/parse_ics.py: one
  // line per event, "UID|DTSTART|DTEND|SUMMARY|CATEGORIES".
  std::vector<std::string> ParseIcs(const std::string& path) {
    testing::CommandResult r = testing::RunCommand({"/usr/bin/python3", PARSE_ICS_PATH, path});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return absl::StrSplit(r.out, '\n', absl::SkipEmpty());
  }
};

TEST_F(FreezeTest, RuAccountingWindowsChecksAndTheIcsFeed) {
  EXPECT_THAT(CliOk({"freeze", "add", "ru-acc", "--preset", "ru-accounting", "--zone",
                     "Europe/Moscow", "--reason", "reporting days"}),
              HasSubstr("now has 5 rules"));
  CliOk({"freeze", "attach", "ru-acc", "--segment", "accounting", "--reason", "reporting days"});
  EXPECT_THAT(CliOk({"freeze", "calendars"}),
              AllOf(HasSubstr("ru-acc"), HasSubstr("ru-accounting.28"), HasSubstr("accounting")));

  // December 2026 in Moscow, local and UTC side by side.
  const std::vector<std::string> range = {"--segment",  "accounting", "--from",
                                          "2026-12-01", "--to",       "2026-12-31"};
  std::vector<std::string> list = {"freeze", "list"};
  list.insert(list.end(), range.begin(), range.end());
  EXPECT_THAT(CliOk(list), AllOf(HasSubstr("2026-12-24 15:00"), HasSubstr("2026-12-24 12:00"),
                                 HasSubstr("ru-acc/ru-accounting.25")));
  auto windows = CliJson<v1::ListFreezeWindowsResponse>(list);
  std::vector<std::string> rules;
  for (const auto& w : windows.windows()) rules.push_back(w.rule());
  EXPECT_THAT(rules, ElementsAre("ru-accounting.3", "ru-accounting.5", "ru-accounting.25",
                                 "ru-accounting.28", "ru-accounting.year-end"));
  EXPECT_EQ(windows.windows(1).local_start(), "2026-12-04 15:00");  // the 5th is a Saturday
  EXPECT_THAT(windows.windows(1).days(), ElementsAre("2026-12-07"));

  // Checks at exact instants: the window opens at 15:00 local in each zone.
  auto check = Cli({"freeze", "check", "--account", "books", "--at", "2026-12-24T07:59:59Z"});
  EXPECT_EQ(check.exit_code, 0) << check.err;
  EXPECT_THAT(check.out, HasSubstr("frozen"));
  check = Cli({"freeze", "check", "--account", "books", "--at", "2026-12-24T08:00:00Z"});
  EXPECT_EQ(check.exit_code, 4) << check.err;
  EXPECT_THAT(check.out,
              AllOf(HasSubstr("yes, since 2026-12-24 15:00 +07:00"),
                    HasSubstr("ru-acc/ru-accounting.25"), HasSubstr("Asia/Novosibirsk")));
  check = Cli({"freeze", "check", "--account", "acme", "--at", "2026-12-24T15:00:00+03:00"});
  EXPECT_EQ(check.exit_code, 4);
  check = Cli({"freeze", "check", "--account", "kino", "--at", "2026-12-24T15:00:00+03:00"});
  EXPECT_EQ(check.exit_code, 0);
  EXPECT_THAT(check.out, Not(HasSubstr("yes")));

  // The feed, read back by a real iCalendar parser.
  std::vector<std::string> ics = {"freeze", "ics", "-o", data_dir() + "-acc.ics"};
  ics.insert(ics.end(), range.begin(), range.end());
  EXPECT_THAT(CliOk(ics), HasSubstr("5 events written"));
  std::vector<std::string> events = ParseIcs(data_dir() + "-acc.ics");
  ASSERT_EQ(events.size(), 5u);
  EXPECT_THAT(events,
              ::testing::Contains(HasSubstr("|20261224T120000Z|20261225T210000Z|Freeze: accounting "
                                            "(ru-acc/ru-accounting.25)|freeze,accounting")));
  EXPECT_THAT(events,
              ::testing::Contains(HasSubstr("|20261204T120000Z|20261207T210000Z|Freeze: accounting "
                                            "(ru-acc/ru-accounting.5)|freeze,accounting")));
}

TEST_F(FreezeTest, TheIcsFeedAlsoHoldsThePlannedRampSteps) {
  CliOk({"freeze", "add", "evenings", "--preset", "weekend-evening", "--zone", "Asia/Vladivostok",
         "--reason", "cinemas"});
  CliOk({"freeze", "attach", "evenings", "--segment", "accounting", "--reason", "x"});
  CliOk({"ramp", "create", "new-editor", "--file", WriteFile("plan.json", R"({
    "stages": [
      {"name": "pilot", "count": "1", "advance": {"after": "259200s"}},
      {"name": "all", "all": true}
    ]})"),
         "--reason", "INV-812"});
  CliOk({"ramp", "start", "new-editor", "--reason", "go"});
  const absl::Time started = absl::Now();
  EXPECT_THAT(CliOk({"freeze", "ics", "--segment", "accounting", "--ramps", "-o",
                     data_dir() + "-ramps.ics"}),
              HasSubstr("events written"));
  std::vector<std::string> events = ParseIcs(data_dir() + "-ramps.ics");
  int freezes = 0, ramps = 0;
  for (const std::string& e : events) {
    std::vector<std::string> f = absl::StrSplit(e, '|');
    ASSERT_EQ(f.size(), 5u) << e;
    if (f[4] == "freeze,accounting") {
      ++freezes;
      EXPECT_THAT(f[1], HasSubstr("T080000Z"));  // Saturday 18:00 in Vladivostok
    } else {
      ++ramps;
      EXPECT_EQ(f[4], "ramp,new-editor");
      EXPECT_EQ(f[3], "Ramp new-editor: stage 2 (\"all\") (planned)");
      absl::Time due;
      std::string err;
      // absl's %Y reads every digit: put the basic format's separators back.
      const std::string rfc3339 =
          absl::StrCat(f[1].substr(0, 4), "-", f[1].substr(4, 2), "-", f[1].substr(6, 5), ":",
                       f[1].substr(11, 2), ":", f[1].substr(13));
      ASSERT_TRUE(absl::ParseTime(absl::RFC3339_full, rfc3339, &due, &err)) << err << " " << f[1];
      EXPECT_LE(absl::AbsDuration(due - (started + absl::Hours(72))), absl::Seconds(30)) << f[1];
    }
  }
  EXPECT_EQ(ramps, 1);
  EXPECT_GE(freezes, 12);  // 90 days of Saturdays
}

TEST_F(FreezeTest, AChangeWaitsForATenderWindowAndTheKillSwitchBreaksIt) {
  // Bids close two hours from now: frozen from 22 hours ago, for acme only.
  const std::string closes =
      absl::FormatTime("%Y-%m-%dT%H:%M:%S%Ez", absl::Now() + absl::Hours(2), absl::UTCTimeZone());
  CliOk({"freeze", "add", "tenders", "--preset", "ru-tender", "--at", closes, "--account", "acme",
         "--zone", "Europe/Moscow", "--reason", "tender 0173"});
  CliOk({"freeze", "attach", "tenders", "--segment", "accounting", "--reason", "tender 0173"});
  auto check = Cli({"freeze", "check", "--account", "acme"});
  EXPECT_EQ(check.exit_code, 4) << check.out << check.err;
  EXPECT_EQ(Cli({"freeze", "check", "--account", "books"}).exit_code, 0);

  const std::string out =
      CliOk({"flag", "update", "new-editor", "--default", "on", "--reason", "GA"});
  EXPECT_THAT(out, HasSubstr("frozen now: 1 accounts"));
  EXPECT_THAT(out, HasSubstr("reaches 2 accounts now (books, kino); 1 in frozen segments"));
  EXPECT_THAT(out, HasSubstr("accounting: 1 accounts until"));
  EXPECT_THAT(out, HasSubstr("(Europe/Moscow), tenders/ru-tender"));
  auto acme = CliJson<v1::EvaluationResult>({"eval", "new-editor", "--account", "acme"});
  EXPECT_FALSE(acme.value().bool_value());
  EXPECT_EQ(acme.reason(), v1::REASON_FROZEN);
  EXPECT_TRUE(CliJson<v1::EvaluationResult>({"eval", "new-editor", "--account", "books"})
                  .value()
                  .bool_value());

  // The kill switch breaks the freeze: everyone, acme included, at once.
  EXPECT_THAT(CliOk({"flag", "kill", "new-editor", "--break-freeze", "--reason", "incident 9"}),
              AllOf(HasSubstr("--break-freeze: this change reaches them at once"),
                    HasSubstr("reaches 3 accounts now (acme, books, kino); 0 in frozen segments")));
  for (const char* account : {"acme", "books", "kino"}) {
    EXPECT_FALSE(CliJson<v1::EvaluationResult>({"eval", "new-editor", "--account", account})
                     .value()
                     .bool_value())
        << account;
  }
  EXPECT_THAT(CliOk({"audit", "list", "--flag", "new-editor"}), HasSubstr("(broke the freeze)"));
  // Unkilled without a break: acme stays killed until the tender closes.
  CliOk({"flag", "unkill", "new-editor", "--reason", "fixed"});
  EXPECT_FALSE(CliJson<v1::EvaluationResult>({"eval", "new-editor", "--account", "acme"})
                   .value()
                   .bool_value());
}

TEST_F(FreezeTest, BadInputIsRefusedNamingTheFieldAndChangesNothing) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"freeze", "add", "x", "--preset", "ru-accounting", "--zone", "Mars/Olympus"},
       "unknown time zone \"Mars/Olympus\""},
      {{"freeze", "add", "x", "--preset", "ru-accounting"}, "time_zone: required"},
      {{"freeze", "add", "x", "--preset", "ru-tender", "--zone", "Europe/Moscow"}, "at"},
      {{"freeze", "add", "x", "--zone", "Europe/Moscow", "--file",
        WriteFile("day32.json", R"({"rules": [{"name": "d", "monthlyDay": {"day": 32}}]})")},
       "rules[0].monthly_day.day: 32 is outside 1..31"},
      {{"freeze", "add", "x", "--zone", "Europe/Moscow", "--file",
        WriteFile("back.json", R"({"rules": [{"name": "t", "oneOff":
          {"start": "2026-12-15T09:00", "end": "2026-12-14T09:00"}}]})")},
       "rules[0].one_off.end: 2026-12-14T09:00:00 is before start"},
      {{"freeze", "add", "x", "--zone", "Europe/Moscow", "--file",
        WriteFile("typo.json", R"({"rules": [{"name": "t", "weekly": {"weekday": "saturday"},
          "colour": "red"}]})")},
       "colour"},
      {{"freeze", "attach", "x", "--segment", "accounting"}, "\"x\" not found"},
      {{"freeze", "list", "--segment", "nope"}, "segment \"nope\" not found"},
      {{"freeze", "list", "--segment", "accounting", "--from", "2026-12-31", "--to", "2026-12-01"},
       "to: must be after from"},
      {{"freeze", "check", "--account", "ghost"}, "account \"ghost\" not found"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = c.args;
    if (args[1] == "add" || args[1] == "attach") {
      args.insert(args.end(), {"--reason", "test"});
    }
    testing::CommandResult r = Cli(args);
    EXPECT_EQ(r.exit_code, 1) << absl::StrJoin(args, " ") << "\n" << r.out;
    EXPECT_THAT(r.err, HasSubstr(c.message)) << absl::StrJoin(args, " ");
  }
  EXPECT_THAT(CliOk({"freeze", "calendars"}), Not(HasSubstr("x ")));
  EXPECT_EQ(Cli({"freeze", "show", "x"}).exit_code, 1);
}

}  // namespace
}  // namespace rampart::e2e
