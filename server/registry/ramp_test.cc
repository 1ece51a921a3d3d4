// The ramp calls of the registry on a simulated clock: templates, steps with
// sticky cohorts, approvals, problem gates, pause, rollback, the kill switch,
// the scheduler's catch-up across a restart of the store, and bad plans.
#include <memory>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/common/time_util.h"
#include "core/ramp/planner.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/registry/registry.h"
#include "server/registry/testing/objects.h"
#include "tests/testing/simulated_clock.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace rampart::registry {
namespace {

using ::rampart::testing::IsOkAndHolds;
using ::rampart::testing::StatusIs;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr int kAccounts = 300;
constexpr char kFlag[] = "new-editor";

absl::Time Moscow(int y, int m, int d, int h) {
  absl::TimeZone tz;
  EXPECT_TRUE(absl::LoadTimeZone("Europe/Moscow", &tz));
  return absl::FromCivil(absl::CivilHour(y, m, d, h), tz);
}

class RegistryRampTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Open();
    v1::ImportOptions options;
    options.mutable_meta()->set_actor("crm");
    options.mutable_meta()->set_reason("import");
    std::vector<v1::ImportRow> rows;
    for (int i = 0; i < kAccounts; ++i) {
      v1::ImportRow row;
      v1::Account& a = *row.mutable_account();
      a.set_key(absl::StrFormat("acc-%03d", i));
      a.set_name(absl::StrCat("Client ", i));
      // Five staff accounts; ten with the highest lifetime value.
      (*a.mutable_attributes())["staff"].set_bool_value(i < 5);
      (*a.mutable_attributes())["ltv"].set_number_value(i >= kAccounts - 10 ? 5e6 : 1000.0 * i);
      row.set_line(i + 1);
      rows.push_back(row);
    }
    ASSERT_OK(registry_->ImportAccounts(options, rows));
    PutSegment("internal", "staff", v1::OPERATOR_EQUALS, "true");
    PutSegment("top-ltv", "ltv", v1::OPERATOR_GREATER_OR_EQUAL, "1000000");
    v1::PutFlagRequest req;
    *req.mutable_meta() = Meta("alice");
    *req.mutable_flag() = rampart::testing::OnOffFlag(kFlag);
    ASSERT_OK(registry_->PutFlag(req));
  }

  // (Re)opens the store in the temp dir: a restart of rampartd's state.
  void Open() {
    registry_.reset();
    store_.reset();
    auto store = storage::Store::Open({dir_.path()});
    ASSERT_OK(store);
    store_ = std::move(*store);
    auto registry = Registry::Open(*store_, clock_);
    ASSERT_OK(registry);
    registry_ = std::move(*registry);
  }

  static v1::WriteMeta Meta(const std::string& actor, const std::string& reason = "testing") {
    v1::WriteMeta m;
    m.set_actor(actor);
    m.set_reason(reason);
    return m;
  }

  void PutSegment(const std::string& key, const std::string& attribute, v1::Operator op,
                  const std::string& value) {
    v1::PutSegmentRequest req;
    *req.mutable_meta() = Meta("alice");
    req.mutable_segment()->set_key(key);
    v1::Condition* c = req.mutable_segment()->add_conditions();
    c->set_attribute(attribute);
    c->set_op(op);
    c->add_values(value);
    ASSERT_OK(registry_->PutSegment(req));
  }

  absl::StatusOr<v1::Ramp> CreateFromTemplate() {
    v1::CreateRampRequest req;
    *req.mutable_meta() = Meta("alice");
    req.set_flag_key(kFlag);
    req.set_template_("b2b-default");
    return registry_->CreateRamp(req);
  }

  absl::StatusOr<v1::Ramp> CreateFromPlan(const v1::RampPlan& plan) {
    v1::CreateRampRequest req;
    *req.mutable_meta() = Meta("alice");
    req.set_flag_key(kFlag);
    *req.mutable_plan() = plan;
    return registry_->CreateRamp(req);
  }

  v1::RampActionRequest Action(const std::string& actor) {
    v1::RampActionRequest req;
    *req.mutable_meta() = Meta(actor);
    req.set_flag_key(kFlag);
    return req;
  }

  absl::StatusOr<v1::StepResponse> Advance(const std::string& actor, bool force = false) {
    v1::AdvanceRampRequest req;
    *req.mutable_meta() = Meta(actor, force ? "the reports are a known display glitch" : "next");
    req.set_flag_key(kFlag);
    req.set_force(force);
    return registry_->AdvanceRamp(req);
  }

  void ReportProblems(int n) {
    for (int i = 0; i < n; ++i) {
      v1::ReportProblemRequest req;
      req.set_flag_key(kFlag);
      req.set_account_key("acc-100");
      req.set_text(absl::StrCat("totals wrong #", i));
      ASSERT_OK(registry_->ReportProblem(req));
    }
  }

  // The registry accounts the ramp serves now, through the stored flag's
  // serving view and the engine's matcher.
  std::set<std::string> Served() {
    auto flag = registry_->GetFlag(kFlag);
    EXPECT_OK(flag);
    std::vector<v1::Account> accounts;
    v1::ListAccountsRequest lr;
    lr.mutable_page()->set_page_size(1000);
    auto list = registry_->ListAccounts(lr);
    EXPECT_OK(list);
    accounts.assign(list->accounts().begin(), list->accounts().end());
    absl::flat_hash_map<std::string, v1::Segment> segments;
    for (const char* key : {"internal", "top-ltv"}) segments[key] = *registry_->GetSegment(key);
    const std::vector<int> index =
        ramp::ServingIndexes(flag->ramp(), ramp::RegistryView{accounts, &segments});
    std::set<std::string> out;
    for (size_t i = 0; i < accounts.size(); ++i) {
      if (index[i] >= 0) out.insert(accounts[i].key());
    }
    return out;
  }

  static bool IsTopLtv(const std::string& key) {
    return std::stoi(key.substr(4)) >= kAccounts - 10;
  }

  std::vector<v1::AuditEntry> RampAudit() {
    v1::ListAuditRequest req;
    req.set_kind(v1::OBJECT_KIND_RAMP);
    req.set_object_key(kFlag);
    req.set_oldest_first(true);
    req.mutable_page()->set_page_size(1000);
    auto resp = registry_->ListAudit(req);
    EXPECT_OK(resp);
    return {resp->entries().begin(), resp->entries().end()};
  }

  rampart::testing::TempDir dir_;
  rampart::testing::SimulatedClock clock_{Moscow(2026, 11, 23, 9)};
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<Registry> registry_;
};

TEST_F(RegistryRampTest, TemplateRampGrowsStickyCohortsAndKeepsTopLtvForLast) {
  ASSERT_OK_AND_ASSIGN(v1::Ramp ramp, CreateFromTemplate());
  EXPECT_EQ(ramp.status(), v1::RAMP_STATUS_DRAFT);
  ASSERT_THAT(ramp.plan().stages(), SizeIs(8));
  EXPECT_EQ(ramp.plan().stages(0).audience().segments(0), "internal");
  EXPECT_EQ(ramp.plan().protected_segments(0), "top-ltv");
  EXPECT_EQ(ramp.plan().stages(2).variant(), "on");  // the bool flag's true variant
  EXPECT_THAT(Served(), IsEmpty());  // a draft serves nobody

  ASSERT_OK_AND_ASSIGN(ramp, registry_->StartRamp(Action("alice")));
  EXPECT_EQ(ramp.current_stage(), 1);
  std::set<std::string> served = Served();
  EXPECT_EQ(served, (std::set<std::string>{"acc-000", "acc-001", "acc-002", "acc-003", "acc-004"}));

  // Closed beta: enrolled accounts, but never a protected one before the end.
  for (const char* key : {"acc-050", "acc-051", "acc-295"}) {
    v1::BetaEnrollmentRequest req;
    *req.mutable_meta() = Meta("billing-app");
    req.set_flag_key(kFlag);
    req.set_account_key(key);
    ASSERT_OK(registry_->EnrollBeta(req));
  }
  ASSERT_OK_AND_ASSIGN(v1::StepResponse step, Advance("alice"));
  EXPECT_TRUE(step.stepped());
  std::set<std::string> before = served;
  served = Served();
  EXPECT_THAT(served, SizeIs(7));
  EXPECT_TRUE(served.contains("acc-050") && !served.contains("acc-295"));

  // 20, 100, 500: previews list exactly what the step adds; cohorts nest.
  std::vector<std::string> previous_cohort;
  for (int stage = 3; stage <= 5; ++stage) {
    v1::PreviewRampRequest pr;
    pr.set_flag_key(kFlag);
    ASSERT_OK_AND_ASSIGN(v1::RampPreview preview, registry_->PreviewRamp(pr));
    EXPECT_EQ(preview.stage(), stage);
    before = Served();
    ASSERT_OK_AND_ASSIGN(step, Advance("alice"));
    ASSERT_TRUE(step.stepped()) << step.message();
    served = Served();
    std::set<std::string> added;
    for (const auto& key : served) {
      if (!before.contains(key)) added.insert(key);
    }
    std::set<std::string> previewed;
    for (const auto& a : preview.added()) previewed.insert(a.key());
    EXPECT_EQ(previewed, added) << "stage " << stage;
    EXPECT_EQ(preview.added_count(), added.size());
    for (const auto& key : before) EXPECT_TRUE(served.contains(key)) << key << " lost it";

    const v1::EnteredStage& entered = *step.ramp().entered().rbegin();
    const uint64_t count = step.ramp().plan().stages(stage - 1).count();
    // Eligible: not staff-served, not beta-served, not protected: 300 - 5 - 2 - 10 = 283.
    EXPECT_EQ(entered.cohort_size(), std::min<uint64_t>(count, 283)) << "stage " << stage;
    for (size_t i = 0; i < previous_cohort.size(); ++i) {
      EXPECT_EQ(entered.cohort(i), previous_cohort[i]) << "cohort " << stage << " is not sticky";
    }
    for (const auto& key : entered.cohort()) {
      EXPECT_FALSE(IsTopLtv(key)) << key;
      EXPECT_FALSE(key <= "acc-004") << key << " is staff, served already";
    }
    previous_cohort.assign(entered.cohort().begin(), entered.cohort().end());
  }
  // Past stage 5 every eligible account is in: the rest wait for the end.
  EXPECT_THAT(Served(), SizeIs(290));
  ASSERT_OK(Advance("alice"));  // 1000: none left to add
  ASSERT_OK(Advance("alice"));  // 25 %
  EXPECT_THAT(Served(), SizeIs(290));

  // The step to "all" needs four eyes.
  ASSERT_OK_AND_ASSIGN(step, Advance("alice"));
  EXPECT_FALSE(step.stepped());
  EXPECT_THAT(step.message(), HasSubstr("awaits approval by someone other than alice"));
  EXPECT_THAT(registry_->ApproveRamp(Action("alice")),
              StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("four eyes")));
  ASSERT_OK_AND_ASSIGN(step, registry_->ApproveRamp(Action("bob")));
  EXPECT_TRUE(step.stepped());
  EXPECT_EQ(step.ramp().status(), v1::RAMP_STATUS_COMPLETED);
  EXPECT_THAT(Served(), SizeIs(kAccounts));
  EXPECT_THAT(RampAudit().back().reason(), HasSubstr("testing"));
  EXPECT_EQ(step.ramp().entered().rbegin()->rule(), "approved by bob, asked by alice");
}

TEST_F(RegistryRampTest, ProblemGateHoldsAdvanceUntilForced) {
  ASSERT_OK(CreateFromTemplate());
  ASSERT_OK(registry_->StartRamp(Action("alice")));
  ASSERT_OK(Advance("alice"));
  ASSERT_OK(Advance("alice"));  // "20": gate of 3 reports
  ReportProblems(3);
  ASSERT_OK_AND_ASSIGN(v1::RampStatusView status, registry_->GetRampStatus(kFlag));
  EXPECT_THAT(status.blocked_by(), IsEmpty());
  EXPECT_EQ(status.stages(2).problem_reports(), 3u);
  ReportProblems(1);
  ASSERT_OK_AND_ASSIGN(status, registry_->GetRampStatus(kFlag));
  ASSERT_THAT(status.blocked_by(), SizeIs(1));
  EXPECT_THAT(status.blocked_by(0), HasSubstr("4 reports"));
  const int64_t revision = status.ramp().revision();
  EXPECT_THAT(Advance("alice"), StatusIs(absl::StatusCode::kFailedPrecondition,
                                         HasSubstr("problem gate of stage 3 (\"20\")")));
  EXPECT_EQ(registry_->GetRamp(kFlag)->revision(), revision);  // changed nothing
  // The scheduler waits too, even once the dwell is over.
  clock_.AdvanceTime(absl::Hours(49));
  EXPECT_THAT(registry_->RunDueSteps(clock_.Now()), IsOkAndHolds(0));
  ASSERT_OK_AND_ASSIGN(v1::StepResponse step, Advance("alice", /*force=*/true));
  EXPECT_TRUE(step.stepped());
  EXPECT_THAT(step.ramp().entered().rbegin()->rule(), HasSubstr("forced past the problem gate"));
}

TEST_F(RegistryRampTest, SchedulerStepsAfterTheDwellOnceAndPauseHoldsIt) {
  ASSERT_OK(CreateFromTemplate());
  ASSERT_OK(registry_->StartRamp(Action("alice")));
  ASSERT_OK(Advance("alice"));
  ASSERT_OK(Advance("alice"));  // "20", 48 h dwell
  const absl::Time entered = clock_.Now();
  EXPECT_THAT(registry_->NextDueTime(),
              IsOkAndHolds(::testing::Optional(entered + absl::Hours(48))));
  clock_.AdvanceTime(absl::Hours(48) - absl::Seconds(1));
  EXPECT_THAT(registry_->RunDueSteps(clock_.Now()), IsOkAndHolds(0));
  ASSERT_OK(registry_->PauseRamp(Action("carol")));
  clock_.AdvanceTime(absl::Hours(1));
  EXPECT_THAT(registry_->RunDueSteps(clock_.Now()), IsOkAndHolds(0));
  ASSERT_OK(registry_->ResumeRamp(Action("carol")));
  EXPECT_THAT(registry_->RunDueSteps(clock_.Now()), IsOkAndHolds(1));
  EXPECT_THAT(registry_->RunDueSteps(clock_.Now()), IsOkAndHolds(0));
  ASSERT_OK_AND_ASSIGN(v1::Ramp ramp, registry_->GetRamp(kFlag));
  EXPECT_EQ(ramp.current_stage(), 4);
  const v1::AuditEntry last = RampAudit().back();
  EXPECT_EQ(last.actor(), "scheduler");
  EXPECT_EQ(last.reason(),
            absl::StrCat("dwell of 48h since ", rampart::FormatTime(entered),
                         " elapsed: stage 3 (\"20\") -> stage 4 (\"100\")"));
}

TEST_F(RegistryRampTest, SchedulerCatchesUpAfterRestartOnceAndInOrder) {
  v1::RampPlan plan;
  const absl::Time t1 = Moscow(2026, 11, 24, 10);
  const absl::Time t2 = Moscow(2026, 11, 25, 10);
  for (int n : {10, 20, 30}) plan.add_stages()->set_count(n);
  *plan.mutable_stages(0)->mutable_advance()->mutable_at() = ToProto(t1);
  *plan.mutable_stages(1)->mutable_advance()->mutable_at() = ToProto(t2);
  ASSERT_OK(CreateFromPlan(plan));
  ASSERT_OK(registry_->StartRamp(Action("alice")));

  // The server is down from before t1 until after t2.
  registry_.reset();
  store_.reset();
  clock_.SetTime(t2 + absl::Hours(3));
  Open();
  ASSERT_OK_AND_ASSIGN(int steps, registry_->RunDueSteps(clock_.Now()));
  EXPECT_EQ(steps, 2);
  // A second round, and a second restart, change nothing.
  EXPECT_THAT(registry_->RunDueSteps(clock_.Now()), IsOkAndHolds(0));
  Open();
  EXPECT_THAT(registry_->RunDueSteps(clock_.Now()), IsOkAndHolds(0));

  ASSERT_OK_AND_ASSIGN(v1::Ramp ramp, registry_->GetRamp(kFlag));
  EXPECT_EQ(ramp.current_stage(), 3);
  EXPECT_EQ(ramp.status(), v1::RAMP_STATUS_COMPLETED);
  ASSERT_THAT(ramp.entered(), SizeIs(3));
  EXPECT_THAT(ramp.entered(2).cohort(), SizeIs(30));
  std::vector<std::string> reasons;
  for (const v1::AuditEntry& e : RampAudit()) {
    if (e.actor() == "scheduler") reasons.push_back(e.reason());
  }
  EXPECT_THAT(reasons, ElementsAreArray({
                           absl::StrCat("scheduled step at ", rampart::FormatTime(t1),
                                        ": stage 1 -> stage 2"),
                           absl::StrCat("scheduled step at ", rampart::FormatTime(t2),
                                        ": stage 2 -> stage 3"),
                       }));
}

TEST_F(RegistryRampTest, RollbackReturnsAtOnceAndKillSwitchTurnsTheFlagOff) {
  ASSERT_OK(CreateFromTemplate());
  ASSERT_OK(registry_->StartRamp(Action("alice")));
  for (int i = 0; i < 3; ++i) ASSERT_OK(Advance("alice"));  // at "100"
  const std::set<std::string> at_100 = Served();
  v1::RollbackRampRequest rb;
  *rb.mutable_meta() = Meta("alice", "invoices misprinted");
  rb.set_flag_key(kFlag);
  rb.set_to_stage(3);
  ASSERT_OK_AND_ASSIGN(v1::Ramp ramp, registry_->RollbackRamp(rb));
  EXPECT_EQ(ramp.status(), v1::RAMP_STATUS_PAUSED);
  EXPECT_THAT(Served(), SizeIs(5 + 20));
  for (const auto& key : Served()) EXPECT_TRUE(at_100.contains(key));
  // Paused after a rollback: the dwell that elapsed does not re-widen it.
  clock_.AdvanceTime(absl::Hours(100));
  EXPECT_THAT(registry_->RunDueSteps(clock_.Now()), IsOkAndHolds(0));
  rb.set_to_stage(0);
  ASSERT_OK_AND_ASSIGN(ramp, registry_->RollbackRamp(rb));
  EXPECT_EQ(ramp.status(), v1::RAMP_STATUS_ROLLED_BACK);
  EXPECT_THAT(Served(), IsEmpty());
  EXPECT_TRUE(registry_->GetFlag(kFlag)->ramp().active());
  rb.set_to_stage(0);
  EXPECT_THAT(registry_->RollbackRamp(rb), StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::_));

  v1::KillFlagRequest kill;
  *kill.mutable_meta() = Meta("oncall", "incident 42");
  kill.set_key(kFlag);
  kill.set_killed(true);
  ASSERT_OK_AND_ASSIGN(v1::Flag flag, registry_->KillFlag(kill));
  EXPECT_FALSE(flag.enabled());
  kill.set_killed(false);
  ASSERT_OK_AND_ASSIGN(flag, registry_->KillFlag(kill));
  EXPECT_TRUE(flag.enabled());
}

TEST_F(RegistryRampTest, SchedulerWaitsWhileTheFlagIsKilled) {
  ASSERT_OK(CreateFromTemplate());
  ASSERT_OK(registry_->StartRamp(Action("alice")));
  ASSERT_OK(Advance("alice"));
  ASSERT_OK(Advance("alice"));  // "20", 48 h dwell
  v1::KillFlagRequest kill;
  *kill.mutable_meta() = Meta("oncall", "incident 42");
  kill.set_key(kFlag);
  kill.set_killed(true);
  ASSERT_OK(registry_->KillFlag(kill));
  clock_.AdvanceTime(absl::Hours(50));
  EXPECT_THAT(registry_->RunDueSteps(clock_.Now()), IsOkAndHolds(0));
  ASSERT_OK_AND_ASSIGN(v1::RampStatusView status, registry_->GetRampStatus(kFlag));
  EXPECT_THAT(status.blocked_by(), ElementsAreArray({HasSubstr("killed")}));
  kill.set_killed(false);
  ASSERT_OK(registry_->KillFlag(kill));
  EXPECT_THAT(registry_->RunDueSteps(clock_.Now()), IsOkAndHolds(1));
}

TEST_F(RegistryRampTest, BadPlansAreRefusedNamingTheFieldAndChangeNothing) {
  auto expect_refused = [&](const v1::RampPlan& plan, absl::StatusCode code,
                            const std::string& message) {
    EXPECT_THAT(CreateFromPlan(plan), StatusIs(code, HasSubstr(message)));
    EXPECT_THAT(registry_->GetRamp(kFlag), StatusIs(absl::StatusCode::kNotFound, ::testing::_));
  };
  v1::RampPlan plan;
  expect_refused(plan, absl::StatusCode::kInvalidArgument, "plan.stages: a ramp needs");
  plan.add_stages()->set_count(100);
  plan.add_stages()->set_count(20);
  expect_refused(plan, absl::StatusCode::kInvalidArgument,
                 "plan: stage 2: size 20 is smaller than stage 1's 100");
  plan.mutable_stages(1)->set_count(200);
  plan.mutable_stages(1)->mutable_audience()->add_segments("nope");
  expect_refused(plan, absl::StatusCode::kNotFound,
                 "plan.stages[1].audience.segments[0]: segment \"nope\" not found");
  plan.mutable_stages(1)->mutable_audience()->set_segments(0, "top-ltv");
  plan.add_stages()->set_all(true);
  plan.add_protected_segments("top-ltv");
  expect_refused(plan, absl::StatusCode::kInvalidArgument, "includes protected segment");
  plan.mutable_stages(1)->mutable_audience()->clear_segments();
  plan.mutable_stages(2)->mutable_advance()->mutable_after()->set_seconds(60);
  expect_refused(plan, absl::StatusCode::kInvalidArgument,
                 "plan.stages[2].advance: the final stage");
  plan.mutable_stages(2)->clear_advance();
  plan.mutable_stages(0)->set_unit(v1::ROLLOUT_UNIT_USER);
  expect_refused(plan, absl::StatusCode::kInvalidArgument, "plan.stages[0].unit");
  plan.mutable_stages(0)->clear_unit();
  *plan.mutable_stages(0)->mutable_advance()->mutable_at() = ToProto(Moscow(2026, 12, 2, 9));
  *plan.mutable_stages(1)->mutable_advance()->mutable_at() = ToProto(Moscow(2026, 12, 1, 9));
  expect_refused(plan, absl::StatusCode::kInvalidArgument,
                 "plan.stages[1].advance.at: 2026-12-01T06:00:00Z is before");
  plan.mutable_stages(1)->clear_advance();
  plan.mutable_stages(2)->set_variant("maybe");
  expect_refused(plan, absl::StatusCode::kInvalidArgument,
                 "plan.stages[2].variant: flag \"new-editor\" has no variant \"maybe\"");
  plan.mutable_stages(2)->clear_variant();
  v1::CreateRampRequest from_template;
  *from_template.mutable_meta() = Meta("alice");
  from_template.set_flag_key(kFlag);
  from_template.set_template_("b2b-default");
  (*from_template.mutable_template_segments())["closed-beta"] = "internal";
  EXPECT_THAT(registry_->CreateRamp(from_template),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("template_segments: template \"b2b-default\" has no "
                                 "placeholder {closed-beta}")));
  (*from_template.mutable_template_segments())["protected"] = "nope";
  from_template.mutable_template_segments()->erase("closed-beta");
  EXPECT_THAT(registry_->CreateRamp(from_template),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("segment \"nope\" not found")));
  EXPECT_THAT(registry_->GetRamp(kFlag), StatusIs(absl::StatusCode::kNotFound, ::testing::_));
  ASSERT_OK(CreateFromPlan(plan));
  EXPECT_THAT(CreateFromPlan(plan), StatusIs(absl::StatusCode::kAlreadyExists, ::testing::_));
}

}  // namespace
}  // namespace rampart::registry
