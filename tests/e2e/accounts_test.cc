// Accounts from a CRM export (CSV and JSON lines), segments over them, and
// the lookups support uses.
#include "gmock/gmock.h"
#include "rampart/v1/admin.pb.h"
#include "tests/e2e/e2e_fixture.h"

namespace rampart::e2e {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

constexpr char kCsv[] =
    "key,name,time_zone,industry,ltv:number,tags:list\n"
    "acme,\"ACME, Inc\",Europe/Moscow,accounting,4200000,beta;vip\n"
    "books,Books,Asia/Novosibirsk,accounting,650000,\n"
    "bad tz,Broken,Mars/Olympus,retail,1,\n"       // line 4: invalid key
    "kino,Kino,Europe/Moscow,cinema,notanumber,\n"  // line 5: ltv is not a number
    "short,row\n"                                  // line 6: too few cells
    "zakupki,Zakupki,Asia/Yekaterinburg,procurement,2500000,\n";

std::vector<std::string> Keys(const v1::ListAccountsResponse& r) {
  std::vector<std::string> keys;
  for (const auto& a : r.accounts()) keys.push_back(a.key());
  return keys;
}

TEST_F(E2eTest, CsvImportRejectsBadRowsWithLineNumbersAndKeepsGoodOnes) {
  const std::string path = WriteFile("crm.csv", kCsv);
  auto strict = Cli({"account", "import", path, "--strict", "--reason", "CRM sync"});
  EXPECT_EQ(strict.exit_code, 3) << strict.err;
  EXPECT_THAT(CliJson<v1::ListAccountsResponse>({"account", "list"}).accounts(), SizeIs(0));

  auto r = Cli({"--output", "json", "account", "import", path, "--reason", "CRM sync"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"created\": \"3\""));
  EXPECT_THAT(r.out, HasSubstr("\"rejected\": \"3\""));
  auto table = Cli({"account", "import", path, "--reason", "CRM sync again"});
  EXPECT_THAT(table.out + table.err, HasSubstr("line 4"));
  EXPECT_THAT(table.out + table.err, HasSubstr("line 5"));
  EXPECT_THAT(table.out + table.err, HasSubstr("line 6"));

  EXPECT_THAT(Keys(CliJson<v1::ListAccountsResponse>({"account", "list"})),
              ElementsAre("acme", "books", "zakupki"));
  auto acme = CliJson<v1::Account>({"account", "get", "acme"});
  EXPECT_EQ(acme.name(), "ACME, Inc");
  EXPECT_EQ(acme.time_zone(), "Europe/Moscow");
  EXPECT_EQ(acme.attributes().at("ltv").number_value(), 4200000);
  EXPECT_THAT(acme.attributes().at("tags").list_value().values(), ElementsAre("beta", "vip"));
}

TEST_F(E2eTest, ReimportUpsertsAndCountsUnchanged) {
  CliOk({"account", "import", WriteFile("a.csv", "key,name,plan\na,A,pro\nb,B,free\n"),
         "--reason", "first sync"});
  const std::string jsonl =
      "{\"key\":\"a\",\"name\":\"A\",\"plan\":\"pro\"}\n"
      "{\"key\":\"b\",\"name\":\"B\",\"plan\":\"pro\"}\n"
      "{\"key\":\"c\",\"name\":\"C\",\"attributes\":{\"plan\":\"free\"},\"tags\":[\"x\"]}\n";
  auto out = CliOk({"--output", "json", "account", "import", WriteFile("b.jsonl", jsonl),
                    "--reason", "second sync"});
  EXPECT_THAT(out, HasSubstr("\"created\": \"1\""));
  EXPECT_THAT(out, HasSubstr("\"updated\": \"1\""));
  EXPECT_THAT(out, HasSubstr("\"unchanged\": \"1\""));
  EXPECT_EQ(CliJson<v1::Account>({"account", "get", "b"}).attributes().at("plan").string_value(),
            "pro");
  // History: b was created by the first sync and updated by the second.
  auto audit = CliJson<v1::ListAuditResponse>({"audit", "list", "--account", "b"});
  ASSERT_THAT(audit.entries(), SizeIs(2));
  EXPECT_EQ(audit.entries(0).reason(), "second sync");
}

TEST_F(E2eTest, SegmentsByRulesAndMembersAndLookups) {
  EXPECT_EQ(Cli({"account", "import", WriteFile("crm.csv", kCsv), "--reason", "CRM sync"}).exit_code,
            3);
  CliOk({"segment", "create", "top-ltv", "--where", "ltv >= 2000000", "--reason", "protect"});
  CliOk({"segment", "create", "pilot", "--include", "books", "--where", "tags in beta,pilot",
         "--match", "any", "--reason", "pilot group"});
  EXPECT_THAT(Keys(CliJson<v1::ListAccountsResponse>({"segment", "members", "top-ltv"})),
              ElementsAre("acme", "zakupki"));
  EXPECT_THAT(Keys(CliJson<v1::ListAccountsResponse>({"segment", "members", "pilot"})),
              ElementsAre("acme", "books"));
  auto segs = CliJson<v1::ListSegmentsResponse>({"account", "segments", "acme"});
  ASSERT_THAT(segs.segments(), SizeIs(2));
  EXPECT_EQ(segs.segments(0).key(), "pilot");
  EXPECT_EQ(segs.segments(1).key(), "top-ltv");
  EXPECT_THAT(Keys(CliJson<v1::ListAccountsResponse>(
                  {"account", "list", "--where", "industry == accounting"})),
              ElementsAre("acme", "books"));

  CliOk({"account", "set", "books", "--attr", "ltv=3000000", "--reason", "renewal"});
  EXPECT_THAT(Keys(CliJson<v1::ListAccountsResponse>({"segment", "members", "top-ltv"})),
              ElementsAre("acme", "books", "zakupki"));
  CliOk({"account", "delete", "zakupki", "--reason", "churned"});
  auto gone = Cli({"account", "get", "zakupki"});
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_THAT(gone.err, HasSubstr("account \"zakupki\" not found"));
}

}  // namespace
}  // namespace rampart::e2e
