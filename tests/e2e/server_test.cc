// rampartd as a process: restart persistence, kill -9 durability, the data
// dir lock, graceful shutdown, the demo data and the request log.
#include <signal.h>

#include <atomic>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "rampart/v1/admin.pb.h"
#include "rampart/v1/freeze.pb.h"
#include "rampart/v1/ramp.pb.h"
#include "tests/e2e/e2e_fixture.h"

namespace rampart::e2e {
namespace {

using ::testing::HasSubstr;
using ::testing::SizeIs;

TEST_F(E2eTest, DataSurvivesGracefulRestart) {
  CliOk({"flag", "create", "persisted", "--type", "bool", "--reason", "restart test"});
  EXPECT_EQ(server().Stop(SIGTERM), 0);
  StartServer();
  auto flag = CliJson<v1::Flag>({"flag", "get", "persisted"});
  EXPECT_EQ(flag.key(), "persisted");
}

TEST_F(E2eTest, EveryAcknowledgedWriteSurvivesKill9AndNothingIsTorn) {
  // A writer creates accounts one by one and records each acknowledged one;
  // the server is killed with SIGKILL in the middle of the series.
  std::vector<std::string> acknowledged;
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; i < 400 && !stop; ++i) {
      const std::string key = absl::StrCat("acct-", 1000 + i);
      auto r = Cli({"account", "create", key, "--name", key, "--reason", "durability"});
      if (r.exit_code != 0) break;  // the server is gone
      acknowledged.push_back(key);
    }
  });
  // Kill once some writes are acknowledged (polling, not sleeping for time).
  for (int i = 0; i < 6000; ++i) {
    const int id = static_cast<int>(
        CliJson<v1::ListAuditResponse>({"audit", "list", "--limit", "20"}).entries_size());
    if (id >= 20) break;
  }
  server().Stop(SIGKILL);
  stop = true;
  writer.join();
  ASSERT_GE(acknowledged.size(), 10u);

  StartServer();
  auto list = CliJson<v1::ListAccountsResponse>({"account", "list", "--limit", "0"});
  std::set<std::string> present;
  for (const auto& a : list.accounts()) present.insert(a.key());
  for (const auto& key : acknowledged) EXPECT_TRUE(present.count(key)) << key;
  // At most the one write in flight at the kill went in unacknowledged.
  EXPECT_LE(present.size(), acknowledged.size() + 1);
  // Nothing torn: every account present has its audit entry, and no audit
  // entry points to an account that is missing.
  auto audit = CliJson<v1::ListAuditResponse>({"audit", "list", "--limit", "1000"});
  size_t account_entries = 0;
  for (const auto& e : audit.entries()) {
    if (e.kind() != v1::OBJECT_KIND_ACCOUNT) continue;  // the fixture's tokens
    ++account_entries;
    EXPECT_TRUE(present.count(e.object_key())) << e.object_key();
  }
  EXPECT_EQ(account_entries, present.size());
}

TEST_F(E2eTest, SecondServerOnALockedDataDirFailsAtOnce) {
  auto second = testing::RunCommand(
      {RAMPARTD_PATH, "--listen", "127.0.0.1:0", "--data-dir", data_dir()}, {}, "",
      absl::Seconds(30));
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_THAT(second.err, HasSubstr("is locked"));
  // The first server is unharmed.
  CliOk({"flag", "list"});
}

TEST_F(E2eTest, DemoDataLoadsOnlyIntoANewDataDir) {
  server().Stop(SIGTERM);
  // Not new any more (the fixture's server created it): no demo data.
  StartServer({"--demo"});
  EXPECT_THAT(CliJson<v1::ListFlagsResponse>({"flag", "list"}).flags(), SizeIs(0));
  server().Stop(SIGTERM);

  testing::TempDir fresh;
  auto demo = testing::ServerProcess::Start(RAMPARTD_PATH, fresh.path() + "/d", {"--demo"});
  ASSERT_TRUE(demo.ok()) << demo.status();
  AdoptServer(std::move(*demo));
  auto flags = CliJson<v1::ListFlagsResponse>({"flag", "list"});
  EXPECT_THAT(flags.flags(), SizeIs(4));
  // Three named accounting firms and ten of the sixty generated clients.
  auto members = CliJson<v1::ListAccountsResponse>({"segment", "members", "accounting"});
  EXPECT_THAT(members.accounts(), SizeIs(13));
  // bulk-payments is on the b2b-default ramp, at its first stage (staff).
  auto ramp = CliJson<v1::RampStatusView>({"ramp", "status", "bulk-payments"});
  EXPECT_EQ(ramp.ramp().current_stage(), 1);
  EXPECT_EQ(ramp.served(), 1u);
  // Freeze calendars: the accounting deadlines and the cinemas' evenings.
  auto calendars = CliJson<v1::ListFreezeCalendarsResponse>({"freeze", "calendars"});
  ASSERT_THAT(calendars.calendars(), SizeIs(2));
  EXPECT_EQ(calendars.calendars(0).key(), "accounting-deadlines");
  EXPECT_THAT(calendars.calendars(0).rules(), SizeIs(5));
  EXPECT_EQ(calendars.calendars(1).segments(0), "cinemas");
}

TEST_F(E2eTest, LogsOneStructuredLinePerRequest) {
  CliOk({"flag", "list"});
  Cli({"flag", "get", "ghost"});
  const std::string log = server().Stderr();
  EXPECT_THAT(log, HasSubstr("\"method\":\"FlagService.ListFlags\""));
  EXPECT_THAT(log, HasSubstr("\"method\":\"FlagService.GetFlag\""));
  EXPECT_THAT(log, HasSubstr("\"code\":\"NOT_FOUND\""));
}

}  // namespace
}  // namespace rampart::e2e
