// The support view through the real CLI and rampartd (issue 6): `whois`
// gives each flag's value, reason, why, since when and what comes next for
// every kind (ramp cohort, override, deferral, freeze, kill switch,
// default), `whois --at` answers as of moments before, during and after a
// ramp step, an override and a freeze, and `history` lists what the account
// saw, when, by whom and why.
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "rampart/v1/ramp.pb.h"
#include "rampart/v1/support.pb.h"
#include "tests/e2e/e2e_fixture.h"

namespace rampart::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

absl::Time FromTs(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", t, absl::UTCTimeZone());
}

class SupportTest : public E2eTest {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    for (const char* key : {"acme", "books", "kino", "c1", "c2", "c3", "c4"}) {
      CliOk({"account", "create", key, "--name", key, "--tz", "Europe/Moscow", "--attr",
             std::string(key) == "kino" ? "industry=cinema" : "industry=accounting", "--reason",
             "crm"});
    }
    CliOk({"segment", "create", "accounting", "--where", "industry == accounting", "--reason",
           "crm"});
  }

  v1::WhoisView Whois(const std::string& account, const std::string& at = "") {
    std::vector<std::string> args = {"whois", account};
    if (!at.empty()) args.insert(args.end(), {"--at", at});
    return CliJson<v1::WhoisView>(args);
  }

  static const v1::WhoisFlag& Flag(const v1::WhoisView& w, const std::string& key) {
    for (const auto& f : w.flags()) {
      if (f.flag_key() == key) return f;
    }
    ADD_FAILURE() << "no flag " << key;
    static const v1::WhoisFlag none;
    return none;
  }

  // An instant strictly between two CLI calls.
  static absl::Time Tick() {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const absl::Time t = absl::Now();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return t;
  }
};

TEST_F(SupportTest, WhoisSaysWhyAndSinceForEachKindAndAnswersAsOfAnyMoment) {
  CliOk({"flag", "create", "plain", "--type", "bool", "--reason", "x"});
  CliOk({"flag", "create", "killed", "--type", "bool", "--default", "on", "--reason", "x"});
  CliOk({"flag", "create", "over", "--type", "bool", "--reason", "x"});
  CliOk({"flag", "create", "deferred", "--type", "bool", "--reason", "x"});
  CliOk({"flag", "rule", "add", "deferred", "--segment", "accounting", "--variant", "on",
         "--reason", "accounting first"});
  CliOk({"flag", "create", "ramped", "--type", "bool", "--reason", "x"});
  CliOk({"ramp", "create", "ramped", "--file", WriteFile("plan.json", R"({"stages": [
      {"name": "pilot", "count": "2"}, {"name": "all", "all": true}]})"),
         "--reason", "x"});
  const absl::Time before = Tick();

  CliOk({"ramp", "start", "ramped", "--reason", "3.4 released"});
  const absl::Time started = Tick();
  CliOk({"flag", "override", "set", "over", "kino", "on", "--until", "2030-01-01", "--reason",
         "asked on a call"});
  CliOk({"flag", "override", "set", "deferred", "books", "off", "--deferral", "--until",
         "2030-01-01", "--reason", "ERP connector"});
  CliOk({"flag", "kill", "killed", "--reason", "incident 42"});
  const absl::Time after = Tick();

  const auto status = CliJson<v1::RampStatusView>({"ramp", "status", "ramped"});
  ASSERT_THAT(status.ramp().entered(), SizeIs(1));
  ASSERT_THAT(status.ramp().entered(0).cohort(), SizeIs(2));
  const std::string member = status.ramp().entered(0).cohort(0);

  // Now: every kind, its why and since.
  v1::WhoisView w = Whois(member);
  EXPECT_FALSE(w.historical());
  EXPECT_THAT(w.segments(), ::testing::ElementsAre("accounting"));
  const v1::WhoisFlag& ramped = Flag(w, "ramped");
  EXPECT_EQ(ramped.reason(), v1::REASON_STAGE);
  EXPECT_TRUE(ramped.value().bool_value());
  EXPECT_THAT(ramped.why(), HasSubstr("pilot"));
  EXPECT_GT(FromTs(ramped.since()), before);
  EXPECT_LT(FromTs(ramped.since()), started);
  EXPECT_EQ(Flag(w, "killed").reason(), v1::REASON_DISABLED);
  EXPECT_GT(FromTs(Flag(w, "killed").since()), started);
  EXPECT_LT(FromTs(Flag(w, "killed").since()), after);
  EXPECT_EQ(Flag(w, "plain").reason(), v1::REASON_STATIC);
  EXPECT_LT(FromTs(Flag(w, "plain").since()), before);

  w = Whois("kino");
  const v1::WhoisFlag& over = Flag(w, "over");
  EXPECT_EQ(over.reason(), v1::REASON_OVERRIDE);
  EXPECT_THAT(over.why(), HasSubstr("override by e2e-tester until 2030-01-01T00:00:00Z: asked on a call"));
  ASSERT_THAT(over.next(), SizeIs(1));
  EXPECT_EQ(over.next(0).what(), "the override ends");
  EXPECT_GT(FromTs(over.since()), started);
  EXPECT_EQ(Flag(w, "ramped").reason(), v1::REASON_DEFAULT);

  w = Whois("books");
  EXPECT_EQ(Flag(w, "deferred").reason(), v1::REASON_DEFERRED);
  EXPECT_THAT(Flag(w, "deferred").why(), HasSubstr("deferred by e2e-tester until 2030-01-01"));
  EXPECT_EQ(Flag(w, "deferred").next(0).what(), "the deferral ends");
  w = Whois("acme");
  EXPECT_EQ(Flag(w, "deferred").reason(), v1::REASON_TARGETING_MATCH);

  // As of before the ramp started and the override was set: defaults (a
  // draft ramp does not serve: the flag has no targeting yet).
  w = Whois(member, Rfc3339(before));
  EXPECT_TRUE(w.historical());
  EXPECT_EQ(Flag(w, "ramped").reason(), v1::REASON_STATIC);
  EXPECT_FALSE(Flag(w, "ramped").value().bool_value());
  EXPECT_EQ(Flag(w, "killed").reason(), v1::REASON_STATIC);
  EXPECT_TRUE(Flag(w, "killed").value().bool_value());
  // Between the ramp's start and the override.
  w = Whois(member, Rfc3339(started));
  EXPECT_EQ(Flag(w, "ramped").reason(), v1::REASON_STAGE);
  EXPECT_EQ(Flag(Whois("kino", Rfc3339(started)), "over").reason(), v1::REASON_STATIC);
  EXPECT_EQ(Flag(Whois("kino", Rfc3339(after)), "over").reason(), v1::REASON_OVERRIDE);

  // The table names every flag with its reason.
  EXPECT_THAT(CliOk({"whois", "kino"}), HasSubstr("override by e2e-tester"));
  // Bad input.
  auto bad = Cli({"whois", "ghost"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("account \"ghost\" not found"));
  bad = Cli({"whois", "kino", "--at", "2099-01-01T00:00:00Z"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("at: "));
  bad = Cli({"whois", "kino", "--at", "2000-01-01T00:00:00Z"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("did not exist at 2000-01-01"));
}

TEST_F(SupportTest, ASegmentEditThatMovesTheAccountIsInItsSinceAndHistory) {
  CliOk({"flag", "create", "editor", "--type", "bool", "--reason", "x"});
  CliOk({"flag", "rule", "add", "editor", "--segment", "accounting", "--variant", "on", "--reason",
         "accounting first"});
  const absl::Time before = Tick();
  CliOk({"segment", "update", "accounting", "--include", "kino", "--reason", "kino's pilot"});
  const absl::Time joined = Tick();
  CliOk({"segment", "update", "accounting", "--description", "Books", "--reason", "wording"});

  const v1::WhoisView kino = Whois("kino");
  const v1::WhoisFlag& now = Flag(kino, "editor");
  EXPECT_TRUE(now.value().bool_value());
  EXPECT_GT(FromTs(now.since()), before) << "from the segment's edit, not the rule";
  EXPECT_LT(FromTs(now.since()), joined);
  EXPECT_FALSE(Flag(Whois("kino", Rfc3339(before)), "editor").value().bool_value());

  auto history = CliJson<v1::HistoryResponse>({"history", "--account", "kino"});
  std::vector<std::string> seen;
  for (const v1::HistoryEvent& e : history.events()) {
    seen.push_back(absl::StrCat(e.flag_key(), "|", e.segment_key(), "|", e.change_reason()));
  }
  // Its creation, the flag's, then the edit: the move and what it changed.
  EXPECT_THAT(seen, ::testing::ElementsAre("||crm", "editor||x", "|accounting|kino's pilot",
                                           "editor||kino's pilot"));
  const std::string table = CliOk({"history", "--account", "kino"});
  EXPECT_THAT(table, HasSubstr("(segment accounting)"));
  EXPECT_THAT(table, HasSubstr("joined"));
  EXPECT_THAT(table, ::testing::Not(HasSubstr("wording")));
}

TEST_F(SupportTest, AFreezeInWhoisAsOfAndHistory) {
  CliOk({"flag", "create", "editor", "--type", "bool", "--reason", "x"});
  // Frozen from an hour ago until 6 seconds from now.
  const absl::Time end =
      absl::FromUnixMillis(absl::ToUnixMillis(absl::Now() + absl::Seconds(6)));
  const std::string rules = WriteFile(
      "drill.json",
      absl::StrCat(R"({"rules": [{"name": "drill", "oneOff": {"at": ")",
                   absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", end, absl::UTCTimeZone()),
                   R"(", "marginBefore": "3600s", "marginAfter": "0s"}}]})"));
  CliOk({"freeze", "add", "drill", "--zone", "Europe/Moscow", "--file", rules, "--reason", "x"});
  CliOk({"freeze", "attach", "drill", "--segment", "accounting", "--reason", "x"});
  const absl::Time before = Tick();
  CliOk({"flag", "update", "editor", "--default", "on", "--reason", "GA"});
  const absl::Time during = Tick();

  v1::WhoisView w = Whois("acme");
  ASSERT_LT(absl::Now(), end) << "the machine was too slow for the window";
  EXPECT_TRUE(w.frozen());
  EXPECT_EQ(w.frozen_by(), "drill/drill");
  const v1::WhoisFlag& held = Flag(w, "editor");
  EXPECT_EQ(held.reason(), v1::REASON_FROZEN);
  EXPECT_FALSE(held.value().bool_value());
  EXPECT_THAT(held.why(), HasSubstr("frozen since"));
  ASSERT_THAT(held.next(), SizeIs(1));
  EXPECT_EQ(held.next(0).what(), "the freeze window ends: true");
  EXPECT_EQ(FromTs(held.next(0).at()), end);
  EXPECT_LT(FromTs(held.since()), before);  // it has had false since before the change
  EXPECT_TRUE(Flag(Whois("kino"), "editor").value().bool_value());

  while (absl::Now() < end + absl::Milliseconds(200)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  w = Whois("acme");
  EXPECT_FALSE(w.frozen());
  EXPECT_TRUE(Flag(w, "editor").value().bool_value());
  EXPECT_EQ(FromTs(Flag(w, "editor").since()), end);  // seen when the window closed
  // As of a moment inside the window: frozen, the old value.
  w = Whois("acme", Rfc3339(during));
  EXPECT_TRUE(w.frozen());
  EXPECT_EQ(Flag(w, "editor").reason(), v1::REASON_FROZEN);
  EXPECT_FALSE(Flag(w, "editor").value().bool_value());

  // The history: created false, then true when the window closed, held.
  auto history = CliJson<v1::HistoryResponse>({"history", "--account", "acme", "--flag", "editor"});
  ASSERT_THAT(history.events(), SizeIs(2));
  EXPECT_FALSE(history.events(0).after().bool_value());
  EXPECT_TRUE(history.events(1).after().bool_value());
  EXPECT_EQ(FromTs(history.events(1).at()), end);
  EXPECT_TRUE(history.events(1).held());
  EXPECT_EQ(history.events(1).change_reason(), "GA");
  EXPECT_EQ(history.events(1).actor(), "e2e-tester");
  // kino saw it at once.
  history = CliJson<v1::HistoryResponse>({"history", "--account", "kino", "--flag", "editor"});
  ASSERT_THAT(history.events(), SizeIs(2));
  EXPECT_FALSE(history.events(1).held());
  EXPECT_LT(FromTs(history.events(1).at()), during);
  EXPECT_THAT(CliOk({"history", "--account", "acme"}), HasSubstr("(held by a freeze)"));
}

}  // namespace
}  // namespace rampart::e2e
