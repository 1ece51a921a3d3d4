// Ramps as a release manager drives them with the CLI against the real
// rampartd: a whole b2b-default ramp from the internal stage to all (beta
// enrollment, sticky cohorts, a problem gate, four-eyes approval), rollbacks,
// the kill switch, the scheduler and pause, and bad plans. Who gets the
// feature is checked with `rampart eval` (reason STAGE / DEFAULT / DISABLED),
// the cohort sizes with `ramp status` and `ramp preview`.
#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "rampart/v1/eval.pb.h"
#include "rampart/v1/model.pb.h"
#include "rampart/v1/ramp.pb.h"
#include "tests/e2e/e2e_fixture.h"

namespace rampart::e2e {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsSupersetOf;

constexpr char kFlag[] = "new-editor";
constexpr int kAccounts = 300;
// acct-280 .. acct-299 have the highest LTV (segment top-ltv, protected).
constexpr int kFirstTopLtv = 280;

std::string Account(int i) { return absl::StrFormat("acct-%03d", i); }

int IndexOf(const std::string& account) { return std::stoi(account.substr(5)); }

class RampTest : public E2eTest {
 protected:
  void SetUp() override {
    E2eTest::SetUp();
    std::string csv = "key,name,ltv\n";
    for (int i = 0; i < kAccounts; ++i) {
      absl::StrAppend(&csv, Account(i), ",Client ", i, ",", i * 1000, "\n");
    }
    CliOk({"account", "import", WriteFile("crm.csv", csv), "--reason", "CRM sync"});
    CliOk({"segment", "create", "internal", "--include", Account(0), "--include", Account(1),
           "--include", Account(2), "--reason", "our own tenants"});
    std::vector<std::string> beta = {"segment", "create", "closed-beta", "--reason", "pilots"};
    for (int i = 10; i < 15; ++i) beta.insert(beta.end(), {"--include", Account(i)});
    CliOk(beta);
    CliOk({"segment", "create", "top-ltv", "--where", absl::StrCat("ltv >= ", kFirstTopLtv * 1000),
           "--reason", "protected"});
    CliOk({"flag", "create", kFlag, "--type", "bool", "--reason", "INV-812"});
  }

  v1::EvaluationResult Eval(const std::string& account, const std::string& flag = kFlag) {
    return CliJson<v1::EvaluationResult>({"eval", flag, "--account", account});
  }
  // The reason `account` gets `flag` for, with the value it implies checked.
  std::string ReasonFor(int account, const std::string& flag = kFlag) {
    const v1::EvaluationResult r = Eval(Account(account), flag);
    const std::string reason = v1::Reason_Name(r.reason());
    EXPECT_EQ(r.value().bool_value(), r.reason() == v1::REASON_STAGE) << Account(account);
    return reason;
  }
  v1::RampStatusView Status(const std::string& flag = kFlag) {
    return CliJson<v1::RampStatusView>({"ramp", "status", flag});
  }
  v1::Ramp Show(const std::string& flag = kFlag) {
    return CliJson<v1::Ramp>({"ramp", "show", flag});
  }
  v1::RampPreview Preview() {
    return CliJson<v1::RampPreview>({"ramp", "preview", kFlag, "--limit", "0"});
  }
  // Runs the CLI as `actor`, with a release manager's token of that name
  // (the fixture's actor is "e2e-tester").
  testing::CommandResult As(const std::string& actor, const std::vector<std::string>& args) {
    std::string& token = tokens_[actor];
    if (token.empty()) token = CreateToken(actor, "release-manager");
    return CliAs(token, args);
  }
  std::map<std::string, std::string> tokens_;
  std::string Advance() { return CliOk({"ramp", "advance", kFlag, "--reason", "looks good"}); }
};

std::vector<std::string> Keys(const google::protobuf::RepeatedPtrField<v1::PreviewAccount>& in) {
  std::vector<std::string> keys;
  for (const v1::PreviewAccount& a : in) keys.push_back(a.key());
  return keys;
}

TEST_F(RampTest, AWholeB2bDefaultRampFromInternalToAll) {
  CliOk({"ramp", "create", kFlag, "--template", "b2b-default", "--reason", "INV-812"});
  v1::Ramp ramp = Show();
  EXPECT_EQ(ramp.status(), v1::RAMP_STATUS_DRAFT);
  EXPECT_EQ(ramp.template_(), "b2b-default");
  ASSERT_EQ(ramp.plan().stages_size(), 8);
  EXPECT_THAT(ramp.plan().stages(0).audience().segments(), ElementsAre("internal"));
  EXPECT_EQ(ramp.plan().stages(0).variant(), "on");  // the bool flag's true variant
  EXPECT_THAT(ramp.plan().protected_segments(), ElementsAre("top-ltv"));
  EXPECT_EQ(ReasonFor(0), "REASON_STATIC") << "a draft serves nobody: no targeting yet";

  // Stage 1: our own staff.
  EXPECT_THAT(CliOk({"ramp", "start", kFlag, "--reason", "3.4 released"}),
              HasSubstr("started: stage 1 (\"internal\") serving, running"));
  EXPECT_EQ(ReasonFor(0), "REASON_STAGE");
  EXPECT_EQ(Eval(Account(0)).variant(), "on");
  EXPECT_EQ(ReasonFor(100), "REASON_DEFAULT");
  v1::RampStatusView status = Status();
  EXPECT_EQ(status.served(), 3u);
  EXPECT_EQ(status.next_stage(), 2);
  ASSERT_EQ(status.stages_size(), 8);
  EXPECT_TRUE(status.stages(0).current());
  EXPECT_EQ(status.stages(0).accounts(), 3u);

  // Stage 2: the closed beta, the accounts enrolled in the flag's beta.
  auto enrolled = CliJson<v1::BetaEnrollmentResponse>(
      {"ramp", "enroll", kFlag, Account(10), "--reason", "asked on a call"});
  EXPECT_TRUE(enrolled.changed());
  CliOk({"ramp", "enroll", kFlag, Account(11), "--reason", "asked on a call"});
  enrolled = CliJson<v1::BetaEnrollmentResponse>(
      {"ramp", "enroll", kFlag, Account(11), "--reason", "asked twice"});
  EXPECT_FALSE(enrolled.changed());
  EXPECT_THAT(enrolled.enrolled(), ElementsAre(Account(10), Account(11)));
  const std::string table = CliOk({"ramp", "preview", kFlag});
  EXPECT_EQ(table.substr(0, table.find('\n')),
            "stage 2 (\"closed beta\") adds 2 accounts, drops 0; served 3 -> 5");
  EXPECT_THAT(table, AllOf(HasSubstr("added   acct-010  Client 10"),
                           HasSubstr("added   acct-011  Client 11")));
  EXPECT_THAT(Advance(), HasSubstr("stepped: entered stage 2 (\"closed beta\")"));
  EXPECT_EQ(ReasonFor(10), "REASON_STAGE");
  EXPECT_EQ(ReasonFor(12), "REASON_DEFAULT") << "in closed-beta, but not enrolled";

  // Stage 3: 20 accounts, never a protected one; the preview names them.
  v1::RampPreview preview = Preview();
  EXPECT_EQ(preview.stage(), 3);
  EXPECT_EQ(preview.added_count(), 20u);
  EXPECT_EQ(preview.served_before(), 5u);
  EXPECT_EQ(preview.served_after(), 25u);
  const std::vector<std::string> first20 = Keys(preview.added());
  ASSERT_EQ(first20.size(), 20u);
  for (const std::string& key : first20) {
    EXPECT_LT(IndexOf(key), kFirstTopLtv) << key << " is protected";
  }
  Advance();
  for (const std::string& key : first20) {
    EXPECT_EQ(Eval(key).reason(), v1::REASON_STAGE) << key;
  }
  EXPECT_EQ(ReasonFor(kAccounts - 1), "REASON_DEFAULT");
  status = Status();
  EXPECT_EQ(status.served(), 25u);
  EXPECT_EQ(status.stages(2).accounts(), 20u);

  // The problem gate of stage 3 holds the step past 3 reports; --force passes.
  for (int i = 0; i < 4; ++i) {
    CliOk({"ramp", "problem", "report", kFlag, "--account", first20[i], "--user", "anna", "--text",
           absl::StrCat("totals off by one kopeck, #", i)});
  }
  EXPECT_EQ(CliJson<v1::ListProblemsResponse>({"ramp", "problem", "list", kFlag}).total(), 4u);
  testing::CommandResult held = Cli({"ramp", "advance", kFlag, "--reason", "on schedule"});
  EXPECT_EQ(held.exit_code, 1);
  EXPECT_THAT(held.err, AllOf(HasSubstr("FAILED_PRECONDITION"),
                              HasSubstr("problem gate of stage 3 (\"20\")")));
  status = Status();
  EXPECT_EQ(status.ramp().current_stage(), 3);
  EXPECT_EQ(status.stages(2).problem_reports(), 4u);
  EXPECT_THAT(status.blocked_by(), Contains(HasSubstr("problem gate")));
  EXPECT_THAT(CliOk({"ramp", "advance", kFlag, "--force", "--reason", "known: fixed in 3.4.1"}),
              HasSubstr("stepped: entered stage 4 (\"100\")"));

  // Stage 4: 100 accounts, the 20 among them (cohorts are sticky).
  ramp = Show();
  ASSERT_EQ(ramp.entered_size(), 4);
  EXPECT_EQ(ramp.entered(3).cohort_size(), 100);
  EXPECT_THAT(ramp.entered(3).cohort(), IsSupersetOf(first20));
  EXPECT_EQ(Status().served(), 105u);

  // Stage 5: 500, but only 275 accounts are eligible (300 less 20 protected,
  // 3 internal and 2 in the beta, served by their own stages).
  preview = Preview();
  EXPECT_EQ(preview.added_count(), 175u);
  EXPECT_EQ(preview.shortfall(), 225u);
  EXPECT_EQ(preview.served_after(), 280u);
  Advance();
  status = Status();
  EXPECT_EQ(status.served(), 280u);
  EXPECT_EQ(status.stages(4).accounts(), 275u);
  // Stages 6 (1000) and 7 (25 %) add nobody: everyone eligible has it.
  EXPECT_EQ(Preview().added_count(), 0u);
  Advance();
  Advance();
  EXPECT_EQ(Status().served(), 280u);
  EXPECT_EQ(ReasonFor(kAccounts - 1), "REASON_DEFAULT") << "protected until the final stage";

  // Stage 8 (all) needs an approval by someone other than who asked.
  testing::CommandResult asked = As("alice", {"ramp", "advance", kFlag, "--reason", "all now"});
  EXPECT_EQ(asked.exit_code, 0) << asked.err;
  EXPECT_THAT(asked.out, AllOf(HasSubstr("waits"), HasSubstr("someone other than alice")));
  status = Status();
  EXPECT_EQ(status.ramp().current_stage(), 7);
  EXPECT_EQ(status.ramp().pending().requested_by(), "alice");
  testing::CommandResult self = As("alice", {"ramp", "approve", kFlag, "--reason", "me"});
  EXPECT_EQ(self.exit_code, 1);
  EXPECT_THAT(self.err, AllOf(HasSubstr("PERMISSION_DENIED"), HasSubstr("four eyes")));
  EXPECT_EQ(Status().ramp().current_stage(), 7);
  testing::CommandResult approved = As("bob", {"ramp", "approve", kFlag, "--reason", "reviewed"});
  EXPECT_EQ(approved.exit_code, 0) << approved.err;
  EXPECT_THAT(approved.out, HasSubstr("stepped"));
  status = Status();
  EXPECT_EQ(status.ramp().status(), v1::RAMP_STATUS_COMPLETED);
  EXPECT_EQ(status.served(), static_cast<uint64_t>(kAccounts));
  EXPECT_EQ(ReasonFor(kAccounts - 1), "REASON_STAGE");
  EXPECT_THAT(status.ramp().entered(7).rule(), HasSubstr("approved by bob"));

  // Rollback to stage 3: the 20 keep it, the later ones lose it; paused.
  EXPECT_THAT(CliOk({"ramp", "rollback", kFlag, "--to-stage", "3", "--reason", "totals wrong"}),
              HasSubstr("rolled back: stage 3 (\"20\") serving, paused"));
  status = Status();
  EXPECT_EQ(status.ramp().status(), v1::RAMP_STATUS_PAUSED);
  EXPECT_EQ(status.served(), 25u);
  EXPECT_EQ(Eval(first20[0]).reason(), v1::REASON_STAGE);
  EXPECT_EQ(ReasonFor(0), "REASON_STAGE");
  EXPECT_EQ(ReasonFor(kAccounts - 1), "REASON_DEFAULT");
  for (const std::string& key : ramp.entered(3).cohort()) {
    if (std::find(first20.begin(), first20.end(), key) == first20.end()) {
      EXPECT_EQ(Eval(key).reason(), v1::REASON_DEFAULT) << key << " was only in the 100";
      break;
    }
  }

  // Rollback to off: nobody.
  CliOk({"ramp", "rollback", kFlag, "--off", "--reason", "worse than we thought"});
  status = Status();
  EXPECT_EQ(status.ramp().status(), v1::RAMP_STATUS_ROLLED_BACK);
  EXPECT_EQ(status.served(), 0u);
  EXPECT_EQ(ReasonFor(0), "REASON_DEFAULT");
  EXPECT_EQ(Eval(first20[0]).reason(), v1::REASON_DEFAULT);

  // Started over, then the kill switch: off for everyone, at once, and back.
  CliOk({"ramp", "start", kFlag, "--reason", "3.4.1 released"});
  EXPECT_EQ(ReasonFor(0), "REASON_STAGE");
  EXPECT_THAT(CliOk({"flag", "kill", kFlag, "--reason", "incident 42"}),
              HasSubstr("killed, serves \"off\" to everyone"));
  EXPECT_EQ(ReasonFor(0), "REASON_DISABLED");
  EXPECT_EQ(ReasonFor(100), "REASON_DISABLED");
  EXPECT_FALSE(CliJson<v1::Flag>({"flag", "get", kFlag}).enabled());
  CliOk({"flag", "unkill", kFlag, "--reason", "incident 42 fixed"});
  EXPECT_EQ(ReasonFor(0), "REASON_STAGE");
  EXPECT_EQ(ReasonFor(100), "REASON_DEFAULT");
}

// rampartd's scheduler takes a step when it falls due, unless the ramp is
// paused. The real server runs on the real clock, so the step is due at a
// time already past, and the test waits (a few seconds at most) for the
// scheduler, which looks at least once a second.
TEST_F(RampTest, APausedRampTakesNoScheduledStepUntilResumed) {
  const std::string plan = WriteFile("plan.json", R"({
    "stages": [
      {"name": "internal", "audience": {"segments": ["internal"]}, "all": true},
      {"name": "pilot", "count": "5", "advance": {"at": "2000-01-01T00:00:00Z"}},
      {"name": "all", "all": true}
    ],
    "protected_segments": ["top-ltv"]
  })");
  CliOk({"ramp", "create", kFlag, "--file", plan, "--reason", "quick fix"});
  CliOk({"ramp", "start", kFlag, "--reason", "go"});
  CliOk({"ramp", "pause", kFlag, "--reason", "quarter close"});
  // By hand a paused ramp still steps, and stays paused.
  EXPECT_THAT(Advance(), HasSubstr("entered stage 2 (\"pilot\")"));
  v1::RampStatusView status = Status();
  EXPECT_EQ(status.ramp().status(), v1::RAMP_STATUS_PAUSED);
  EXPECT_EQ(status.served(), 8u);
  EXPECT_THAT(status.blocked_by(), Contains(HasSubstr("paused")));

  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  EXPECT_EQ(Status().ramp().current_stage(), 2) << "a paused ramp stepped by itself";

  CliOk({"ramp", "resume", kFlag, "--reason", "quarter closed"});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (Status().ramp().current_stage() != 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const v1::Ramp ramp = Show();
  ASSERT_EQ(ramp.current_stage(), 3) << "the scheduler took no step after resume";
  EXPECT_EQ(ramp.status(), v1::RAMP_STATUS_COMPLETED);
  EXPECT_EQ(ramp.entered(2).actor(), "scheduler");
  EXPECT_EQ(ReasonFor(kAccounts - 1), "REASON_STAGE");
}

TEST_F(RampTest, BadPlansAreRefusedAndCreateNothing) {
  // Caught by the CLI: an unknown field, named with the file.
  const std::string typo =
      WriteFile("typo.json", R"({"stages": [{"name": "20", "cuont": 20}, {"all": true}]})");
  testing::CommandResult r = Cli({"ramp", "create", kFlag, "--file", typo, "--reason", "x"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, AllOf(HasSubstr(typo), HasSubstr("cuont")));
  // Caught by rampartd: a size that shrinks, a protected segment too early.
  const std::string shrinks = WriteFile(
      "shrinks.json", R"({"stages": [{"count": "100"}, {"count": "20"}, {"all": true}]})");
  r = Cli({"ramp", "create", kFlag, "--file", shrinks, "--reason", "x"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("INVALID_ARGUMENT"));
  const std::string early =
      WriteFile("early.json", R"({"stages": [{"audience": {"segments": ["top-ltv"]}, "all": true},
                                   {"all": true}], "protected_segments": ["top-ltv"]})");
  r = Cli({"ramp", "create", kFlag, "--file", early, "--reason", "x"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("top-ltv"));
  // Nothing was created.
  r = Cli({"ramp", "show", kFlag});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("NOT_FOUND"));
  // A malformed command line is a usage error.
  EXPECT_EQ(Cli({"ramp", "rollback", kFlag, "--reason", "x"}).exit_code, 2);
  EXPECT_EQ(
      Cli({"ramp", "create", kFlag, "--template", "b2b-default", "--file", typo, "--reason", "x"})
          .exit_code,
      2);
}

}  // namespace
}  // namespace rampart::e2e
