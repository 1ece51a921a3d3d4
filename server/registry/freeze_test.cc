// The freeze calls of the registry on a simulated clock, in real zones
// (Europe/Moscow, Asia/Novosibirsk, Asia/Vladivostok): calendars and their
// bad input, the windows and checks at exact instants, whom a change
// reaches, the kill switch breaking a freeze, a ramp stage that waits while
// its audience is frozen, and a simulated month of ramp steps and manual
// changes against ru-accounting in which no frozen account ever changes
// inside a window and every one of them gets the change right after.
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/common/time_util.h"
#include "core/eval/engine.h"
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
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

absl::Time At(const char* zone, int y, int m, int d, int h, int min = 0) {
  absl::TimeZone tz;
  EXPECT_TRUE(absl::LoadTimeZone(zone, &tz)) << zone;
  return absl::FromCivil(absl::CivilMinute(y, m, d, h, min), tz);
}
absl::Time Msk(int y, int m, int d, int h, int min = 0) {
  return At("Europe/Moscow", y, m, d, h, min);
}

constexpr char kEditor[] = "new-editor";  // ramped by the scheduler
constexpr char kVat[] = "vat-mode";       // changed by hand

v1::WriteMeta Meta(const std::string& actor, const std::string& reason = "testing") {
  v1::WriteMeta m;
  m.set_actor(actor);
  m.set_reason(reason);
  return m;
}

class RegistryFreezeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.SetTime(Msk(2026, 12, 1, 0));
    auto store = storage::Store::Open({dir_.path()});
    ASSERT_OK(store);
    store_ = std::move(*store);
    auto registry = Registry::Open(*store_, clock_);
    ASSERT_OK(registry);
    registry_ = std::move(*registry);

    // 24 accounting clients in Moscow (the segment's zone), 4 with their own
    // zone in Novosibirsk, 4 in Vladivostok, and 8 shops nobody freezes.
    AddAccounts("msk", 24, "accounting", "");
    AddAccounts("nsk", 4, "accounting", "Asia/Novosibirsk");
    AddAccounts("vvo", 4, "accounting", "Asia/Vladivostok");
    AddAccounts("shop", 8, "retail", "");
    v1::PutSegmentRequest seg;
    *seg.mutable_meta() = Meta("alice");
    *seg.mutable_segment() =
        rampart::testing::AttributeSegment("accounting", "industry", "accounting", "Europe/Moscow");
    ASSERT_OK(registry_->PutSegment(seg));

    PutFlag(kEditor, v1::FLAG_TYPE_BOOL, {"on", "off"}, "off");
    PutFlag(kVat, v1::FLAG_TYPE_STRING, {"a", "b", "c"}, "a");
  }

  void AddAccounts(const std::string& prefix, int n, const std::string& industry,
                   const std::string& zone) {
    for (int i = 0; i < n; ++i) {
      v1::PutAccountRequest req;
      *req.mutable_meta() = Meta("crm");
      v1::Account& a = *req.mutable_account();
      a.set_key(absl::StrFormat("%s-%02d", prefix, i));
      a.set_time_zone(zone);
      (*a.mutable_attributes())["industry"].set_string_value(industry);
      ASSERT_OK(registry_->PutAccount(req));
      accounts_.push_back(a.key());
    }
  }

  void PutFlag(const std::string& key, v1::FlagType type, const std::vector<std::string>& variants,
               const std::string& default_variant) {
    v1::PutFlagRequest req;
    *req.mutable_meta() = Meta("alice");
    v1::Flag& f = *req.mutable_flag();
    f.set_key(key);
    f.set_type(type);
    for (const std::string& name : variants) {
      v1::Variant* v = f.add_variants();
      v->set_name(name);
      if (type == v1::FLAG_TYPE_BOOL) {
        v->mutable_value()->set_bool_value(name == "on");
      } else {
        v->mutable_value()->set_string_value(name);
      }
    }
    f.set_default_variant(default_variant);
    f.set_off_variant(variants.back());
    f.set_enabled(true);
    ASSERT_OK(registry_->PutFlag(req));
  }

  absl::Status SetDefault(const std::string& key, const std::string& variant, bool brk = false) {
    absl::StatusOr<v1::Flag> flag = registry_->GetFlag(key);
    if (!flag.ok()) return flag.status();
    v1::PutFlagRequest req;
    *req.mutable_meta() = Meta("alice");
    req.mutable_meta()->set_break_freeze(brk);
    req.mutable_meta()->set_expected_revision(flag->revision());
    *req.mutable_flag() = *flag;
    req.mutable_flag()->set_default_variant(variant);
    return registry_->PutFlag(req).status();
  }

  absl::StatusOr<v1::FreezeCalendar> AddRuAccounting() {
    v1::AddFreezeRulesRequest add;
    *add.mutable_meta() = Meta("rm", "reporting days");
    add.set_calendar("ru-acc");
    add.set_time_zone("Europe/Moscow");
    add.set_preset("ru-accounting");
    if (auto s = registry_->AddFreezeRules(add); !s.ok()) return s.status();
    v1::AttachFreezeCalendarRequest attach;
    *attach.mutable_meta() = Meta("rm", "reporting days");
    attach.set_calendar("ru-acc");
    attach.add_segments("accounting");
    return registry_->AttachFreezeCalendar(attach);
  }

  v1::FreezeCheck Check(const std::string& account, absl::Time at) {
    v1::CheckFreezeRequest req;
    req.set_account(account);
    *req.mutable_at() = ToProto(at);
    absl::StatusOr<v1::FreezeCheck> check = registry_->CheckFreeze(req);
    EXPECT_OK(check);
    return check.ok() ? *check : v1::FreezeCheck();
  }

  // Every account's value of every flag at the clock's instant: `served` as
  // an SDK computes it (the flags with their pins and the schedule), `truth`
  // as it would be with no freeze at all (pins dropped, no schedule).
  struct Values {
    std::map<std::pair<std::string, std::string>, std::string> served, truth;
  };
  Values Evaluate() {
    eval::Snapshot::Builder with, without;
    for (const char* key : {kEditor, kVat}) {
      absl::StatusOr<v1::Flag> flag = registry_->GetFlag(key);
      EXPECT_OK(flag);
      with.AddFlag(*flag);
      flag->clear_freeze_pins();
      without.AddFlag(*flag);
    }
    absl::StatusOr<v1::Segment> seg = registry_->GetSegment("accounting");
    EXPECT_OK(seg);
    with.AddSegment(*seg);
    without.AddSegment(*seg);
    for (const std::string& key : accounts_) {
      absl::StatusOr<v1::Account> a = registry_->GetAccount(key);
      EXPECT_OK(a);
      with.AddAccount(*a);
      without.AddAccount(*a);
    }
    absl::StatusOr<v1::FreezeSchedule> schedule = registry_->GetFreezeScheduleCopy();
    EXPECT_OK(schedule);
    with.SetFreezeSchedule(*schedule);
    const auto sdk = std::move(with).Build();
    const auto bare = std::move(without).Build();
    Values out;
    const absl::Time now = clock_.Now();
    for (const std::string& account : accounts_) {
      const eval::Context context{account, "", nullptr};
      for (const char* key : {kEditor, kVat}) {
        const eval::Evaluation s = eval::Evaluate(*sdk, key, context, now);
        const eval::Evaluation t = eval::Evaluate(*bare, key, context, now);
        out.served[{account, key}] = s.value ? s.value->ShortDebugString() : "error";
        out.truth[{account, key}] = t.value ? t.value->ShortDebugString() : "error";
      }
    }
    return out;
  }

  // The server's own Evaluate for one account and flag.
  std::string ServerValue(const std::string& account, const std::string& flag) {
    v1::EvaluateRequest req;
    req.set_flag_key(flag);
    req.mutable_context()->set_account_key(account);
    absl::StatusOr<v1::EvaluationResult> r = registry_->Evaluate(req);
    EXPECT_OK(r);
    return r.ok() ? r->value().ShortDebugString() : "error";
  }

  rampart::testing::TempDir dir_;
  rampart::testing::SimulatedClock clock_{absl::UnixEpoch()};
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<Registry> registry_;
  std::vector<std::string> accounts_;
};

TEST_F(RegistryFreezeTest, BadCalendarsAreRefusedNamingTheFieldAndChangeNothing) {
  ASSERT_OK(AddRuAccounting());
  const int64_t revision = registry_->revision();
  const auto refused = [&](v1::AddFreezeRulesRequest req, absl::StatusCode code,
                           const std::string& message) {
    *req.mutable_meta() = Meta("rm");
    if (req.calendar().empty()) req.set_calendar("tenders");
    EXPECT_THAT(registry_->AddFreezeRules(req), StatusIs(code, HasSubstr(message)));
    EXPECT_EQ(registry_->revision(), revision) << message;
  };
  v1::AddFreezeRulesRequest req;
  req.set_preset("weekend-evening");
  refused(req, absl::StatusCode::kInvalidArgument, "time_zone: required");
  req.set_time_zone("Europe/Atlantis");
  refused(req, absl::StatusCode::kInvalidArgument, "unknown time zone \"Europe/Atlantis\"");
  req.set_time_zone("Asia/Novosibirsk");
  req.set_preset("ru-cinema");
  refused(req, absl::StatusCode::kInvalidArgument, "ru-cinema");

  req.clear_preset();
  v1::FreezeRule& r = *req.add_rules();
  r.set_name("day-32");
  r.mutable_monthly_day()->set_day(32);
  refused(req, absl::StatusCode::kInvalidArgument, "rules[0].monthly_day.day: 32 is outside 1..31");
  r.mutable_monthly_day()->set_day(28);
  r.mutable_monthly_day()->mutable_window()->set_start("18:00");
  r.mutable_monthly_day()->mutable_window()->set_end("09:00");
  refused(req, absl::StatusCode::kInvalidArgument,
          "rules[0].monthly_day.window.end: 09:00 is before window.start 18:00");
  r.Clear();
  r.set_name("tender");
  r.mutable_one_off()->set_start("2026-12-15T09:00");
  r.mutable_one_off()->set_end("2026-12-14T09:00");
  refused(req, absl::StatusCode::kInvalidArgument,
          "rules[0].one_off.end: 2026-12-14T09:00:00 is before");
  r.Clear();
  r.set_name("evening");
  r.mutable_weekly()->set_weekday("saturday");
  r.mutable_weekly()->set_start("18:00");
  r.mutable_weekly()->set_end("20:00");
  r.mutable_weekly()->set_end_days_after(7);
  refused(req, absl::StatusCode::kInvalidArgument, "end_days_after");
  // Two rules of one name contradict each other.
  r.mutable_weekly()->set_end_days_after(0);
  *req.add_rules() = r;
  refused(req, absl::StatusCode::kInvalidArgument, "rules[1].name: \"evening\" is also the name");
  // ru-accounting added twice to one calendar clashes with itself.
  v1::AddFreezeRulesRequest again;
  again.set_calendar("ru-acc");
  again.set_preset("ru-accounting");
  refused(again, absl::StatusCode::kInvalidArgument, "is also the name of");

  v1::AttachFreezeCalendarRequest attach;
  *attach.mutable_meta() = Meta("rm");
  attach.set_calendar("ru-acc");
  attach.add_segments("cinemas");
  EXPECT_THAT(registry_->AttachFreezeCalendar(attach),
              StatusIs(absl::StatusCode::kNotFound,
                       HasSubstr("segments[0]: segment \"cinemas\" not found")));
  attach.set_calendar("nope");
  EXPECT_THAT(registry_->AttachFreezeCalendar(attach),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("\"nope\" not found")));
  EXPECT_EQ(registry_->revision(), revision);
  ASSERT_OK_AND_ASSIGN(v1::FreezeCalendar cal, registry_->GetFreezeCalendar("ru-acc"));
  EXPECT_THAT(cal.rules(), SizeIs(5));
  EXPECT_THAT(cal.segments(), ElementsAre("accounting"));
}

TEST_F(RegistryFreezeTest, WindowsAndChecksAtExactInstantsInEachZone) {
  ASSERT_OK(AddRuAccounting());
  // December 2026: the 3rd is a Thursday; the 5th a Saturday, rolled to
  // Monday the 7th; the 25th a Friday and the 28th a Monday, whose window
  // opens at 15:00 on Friday the 25th.
  v1::ListFreezeWindowsRequest list;
  list.set_account("vvo-00");
  *list.mutable_from() = ToProto(Msk(2026, 12, 1, 0));
  *list.mutable_to() = ToProto(Msk(2026, 12, 10, 0));
  ASSERT_OK_AND_ASSIGN(v1::ListFreezeWindowsResponse windows, registry_->ListFreezeWindows(list));
  ASSERT_THAT(windows.windows(), SizeIs(2));
  EXPECT_EQ(windows.windows(0).rule(), "ru-accounting.3");
  EXPECT_EQ(windows.windows(0).time_zone(), "Asia/Vladivostok");
  EXPECT_EQ(windows.windows(0).local_start(), "2026-12-02 15:00");
  EXPECT_EQ(windows.windows(0).local_end(), "2026-12-04 00:00");
  EXPECT_EQ(FromProto(windows.windows(0).start()), At("Asia/Vladivostok", 2026, 12, 2, 15));
  EXPECT_EQ(windows.windows(1).rule(), "ru-accounting.5");
  EXPECT_THAT(windows.windows(1).days(), ElementsAre("2026-12-07"));
  EXPECT_EQ(FromProto(windows.windows(1).start()), At("Asia/Vladivostok", 2026, 12, 4, 15));
  EXPECT_EQ(FromProto(windows.windows(1).end()), At("Asia/Vladivostok", 2026, 12, 8, 0));

  // The same window opens at 15:00 local in each zone: 08:00, 11:00 and
  // 15:00 in Moscow.
  const absl::Time vvo_open = At("Asia/Vladivostok", 2026, 12, 24, 15);
  EXPECT_EQ(vvo_open, Msk(2026, 12, 24, 8));
  EXPECT_FALSE(Check("vvo-00", vvo_open - absl::Seconds(1)).frozen());
  v1::FreezeCheck check = Check("vvo-00", vvo_open);
  EXPECT_TRUE(check.frozen());
  EXPECT_EQ(FromProto(check.since()), vvo_open);
  // The 25th's and the 28th's windows touch: frozen until the 28th ends.
  EXPECT_EQ(FromProto(check.until()), At("Asia/Vladivostok", 2026, 12, 29, 0));
  ASSERT_THAT(check.by(), SizeIs(1));
  EXPECT_EQ(check.by(0).rule(), "ru-accounting.25");
  EXPECT_FALSE(Check("nsk-00", Msk(2026, 12, 24, 11) - absl::Seconds(1)).frozen());
  EXPECT_TRUE(Check("nsk-00", Msk(2026, 12, 24, 11)).frozen());
  EXPECT_FALSE(Check("msk-00", Msk(2026, 12, 24, 15) - absl::Seconds(1)).frozen());
  EXPECT_TRUE(Check("msk-00", Msk(2026, 12, 24, 15)).frozen());
  EXPECT_TRUE(Check("msk-00", Msk(2026, 12, 28, 23, 59)).frozen());
  check = Check("msk-00", Msk(2026, 12, 29, 0));
  EXPECT_FALSE(check.frozen());
  // Next: the last working day of 2026 is Wednesday the 30th (the 31st is a
  // day off by the 2026 decree).
  EXPECT_EQ(check.next().rule(), "ru-accounting.year-end");
  EXPECT_THAT(check.next().days(), ElementsAre("2026-12-30"));
  EXPECT_EQ(FromProto(check.next().start()), Msk(2026, 12, 29, 15));
  // A shop is never frozen.
  EXPECT_FALSE(Check("shop-00", Msk(2026, 12, 25, 12)).frozen());

  // The schedule the SDKs get holds the same instants, per zone.
  ASSERT_OK_AND_ASSIGN(v1::FreezeSchedule schedule, registry_->GetFreezeScheduleCopy());
  std::set<std::string> zones;
  for (const auto& l : schedule.segments()) {
    EXPECT_EQ(l.segment(), "accounting");
    zones.insert(l.time_zone());
  }
  EXPECT_EQ(zones,
            (std::set<std::string>{"", "Asia/Novosibirsk", "Asia/Vladivostok", "Europe/Moscow"}));
}

TEST_F(RegistryFreezeTest, ChangesWaitForTheWindowAndBreakFreezeReachesAtOnceAudited) {
  ASSERT_OK(AddRuAccounting());
  clock_.SetTime(Msk(2026, 12, 24, 16));  // Moscow and the east are frozen
  ASSERT_OK(SetDefault(kVat, "b"));
  EXPECT_EQ(ServerValue("msk-00", kVat), "string_value: \"a\"");
  EXPECT_EQ(ServerValue("vvo-00", kVat), "string_value: \"a\"");
  EXPECT_EQ(ServerValue("shop-00", kVat), "string_value: \"b\"");

  // Whom the change reached: the shops now, the accounting clients when
  // their windows close (all three zones' windows end with the 28th).
  v1::ReachRequest rr;
  rr.set_revision(registry_->revision());
  ASSERT_OK_AND_ASSIGN(v1::Reach reach, registry_->DescribeReach(rr));
  EXPECT_THAT(reach.flags(), ElementsAre(kVat));
  EXPECT_EQ(reach.now(), 8);
  EXPECT_EQ(reach.held(), 32);
  ASSERT_THAT(reach.held_by_window(), SizeIs(3));
  EXPECT_EQ(FromProto(reach.held_by_window(0).until()), At("Asia/Vladivostok", 2026, 12, 29, 0));
  EXPECT_EQ(reach.held_by_window(0).accounts(), 4);
  EXPECT_EQ(FromProto(reach.held_by_window(2).until()), Msk(2026, 12, 29, 0));
  EXPECT_EQ(reach.held_by_window(2).accounts(), 24);

  // The kill switch with --break-freeze reaches everyone now; the earlier
  // change still waits.
  v1::KillFlagRequest kill;
  *kill.mutable_meta() = Meta("oncall", "incident 7: VAT totals wrong");
  kill.mutable_meta()->set_break_freeze(true);
  kill.set_key(kVat);
  kill.set_killed(true);
  ASSERT_OK(registry_->KillFlag(kill));
  for (const char* account : {"msk-00", "vvo-00", "shop-00"}) {
    EXPECT_EQ(ServerValue(account, kVat), "string_value: \"c\"") << account;
  }
  v1::ListAuditRequest audit;
  audit.set_kind(v1::OBJECT_KIND_FLAG);
  audit.set_object_key(kVat);
  ASSERT_OK_AND_ASSIGN(v1::ListAuditResponse log, registry_->ListAudit(audit));
  ASSERT_GE(log.entries_size(), 2);
  EXPECT_TRUE(log.entries(0).break_freeze());
  EXPECT_EQ(log.entries(0).reason(), "incident 7: VAT totals wrong");
  EXPECT_FALSE(log.entries(1).break_freeze());

  // Unkilled without a break: the frozen accounts stay killed until the end.
  kill.mutable_meta()->set_break_freeze(false);
  kill.set_killed(false);
  ASSERT_OK(registry_->KillFlag(kill));
  EXPECT_EQ(ServerValue("msk-00", kVat), "string_value: \"c\"");
  EXPECT_EQ(ServerValue("shop-00", kVat), "string_value: \"b\"");
  clock_.SetTime(Msk(2026, 12, 29, 0) - absl::Seconds(1));
  EXPECT_EQ(ServerValue("msk-00", kVat), "string_value: \"c\"");
  clock_.SetTime(Msk(2026, 12, 29, 0));
  EXPECT_EQ(ServerValue("msk-00", kVat), "string_value: \"b\"");
  EXPECT_EQ(ServerValue("vvo-00", kVat), "string_value: \"b\"");
}

TEST_F(RegistryFreezeTest, AFreezeExtendedBackwardsWhileOpenKeepsWhatItHeld) {
  ASSERT_OK(AddRuAccounting());
  // Moscow's ru-accounting window is open from Dec 24 15:00 to Dec 29
  // 00:00; at 16:00 a change is held for the accounting clients.
  clock_.SetTime(Msk(2026, 12, 24, 16));
  ASSERT_OK(SetDefault(kVat, "b"));
  EXPECT_EQ(ServerValue("msk-00", kVat), "string_value: \"a\"");
  // At 17:00 the release manager freezes accounting for the whole year end,
  // from Dec 20: the open window now starts on the 20th and ends on Jan 10.
  clock_.SetTime(Msk(2026, 12, 24, 17));
  v1::AddFreezeRulesRequest add;
  *add.mutable_meta() = Meta("rm", "year-end freeze");
  add.set_calendar("year-end");
  add.set_time_zone("Europe/Moscow");
  v1::FreezeRule* rule = add.add_rules();
  rule->set_name("year-end");
  rule->mutable_one_off()->set_start("2026-12-20T00:00");
  rule->mutable_one_off()->set_end("2027-01-10T00:00");
  ASSERT_OK(registry_->AddFreezeRules(add));
  v1::AttachFreezeCalendarRequest attach;
  *attach.mutable_meta() = Meta("rm", "year-end freeze");
  attach.set_calendar("year-end");
  attach.add_segments("accounting");
  ASSERT_OK(registry_->AttachFreezeCalendar(attach));
  EXPECT_EQ(FromProto(Check("msk-00", clock_.Now()).since()), Msk(2026, 12, 20, 0));

  // The change held since 16:00 still waits, in the server and in an SDK's
  // snapshot, through the old window's end and a later change (also in
  // Vladivostok, whose year-end window ends 7 hours before Moscow's).
  const auto held = [&](const std::string& expected) {
    EXPECT_EQ(ServerValue("msk-00", kVat), expected);
    const Values v = Evaluate();
    EXPECT_EQ((v.served.at({"msk-00", kVat})), expected);
  };
  EXPECT_EQ(ServerValue("vvo-00", kVat), "string_value: \"a\"");
  held("string_value: \"a\"");
  clock_.SetTime(Msk(2026, 12, 30, 12));
  held("string_value: \"a\"");
  EXPECT_EQ(ServerValue("vvo-00", kVat), "string_value: \"a\"");
  ASSERT_OK(SetDefault(kVat, "c"));
  held("string_value: \"a\"");
  EXPECT_EQ(ServerValue("shop-00", kVat), "string_value: \"c\"");
  clock_.SetTime(Msk(2027, 1, 10, 0) - absl::Seconds(1));
  held("string_value: \"a\"");
  clock_.SetTime(Msk(2027, 1, 10, 0));
  EXPECT_EQ(ServerValue("msk-00", kVat), "string_value: \"c\"");
}

TEST_F(RegistryFreezeTest, StageThatWaitsWhileFrozenStepsWhenTheLastWindowCloses) {
  ASSERT_OK(AddRuAccounting());
  v1::CreateRampRequest create;
  *create.mutable_meta() = Meta("alice");
  create.set_flag_key(kEditor);
  v1::RampPlan& plan = *create.mutable_plan();
  plan.add_stages()->set_count(5);
  plan.mutable_stages(0)->mutable_advance()->mutable_after()->set_seconds(60 * 3600);
  plan.add_stages()->set_all(true);
  plan.mutable_stages(1)->set_wait_while_frozen(true);
  ASSERT_OK(registry_->CreateRamp(create));
  v1::RampActionRequest start;
  *start.mutable_meta() = Meta("alice");
  start.set_flag_key(kEditor);
  ASSERT_OK(registry_->StartRamp(start));
  // Due on Dec 3 at 12:00 in Moscow, inside the 3rd's windows: the step
  // waits until the last of them (Moscow's) closes at midnight.
  for (absl::Time t = clock_.Now(); t <= Msk(2026, 12, 4, 1); t += absl::Minutes(15)) {
    clock_.SetTime(t);
    ASSERT_OK(registry_->RefreshFreezeScheduleIfDue(t));
    ASSERT_OK(registry_->RunDueSteps(t));
  }
  ASSERT_OK_AND_ASSIGN(v1::Ramp ramp, registry_->GetRamp(kEditor));
  ASSERT_EQ(ramp.current_stage(), 2);
  EXPECT_EQ(FromProto(ramp.entered().rbegin()->started_at()), Msk(2026, 12, 4, 0));
}

TEST_F(RegistryFreezeTest, SimulatedMonthNoFrozenAccountChangesInsideAWindow) {
  ASSERT_OK(AddRuAccounting());
  // The oracle: each account's windows, from the rules (not the schedule),
  // joined where they touch.
  std::map<std::string, std::vector<std::pair<absl::Time, absl::Time>>> frozen;
  for (const std::string& account : accounts_) {
    v1::ListFreezeWindowsRequest list;
    list.set_account(account);
    *list.mutable_from() = ToProto(Msk(2026, 11, 25, 0));
    *list.mutable_to() = ToProto(Msk(2027, 1, 5, 0));
    ASSERT_OK_AND_ASSIGN(v1::ListFreezeWindowsResponse windows, registry_->ListFreezeWindows(list));
    auto& joined = frozen[account];
    for (const auto& w : windows.windows()) {
      const absl::Time s = FromProto(w.start()), e = FromProto(w.end());
      if (!joined.empty() && s <= joined.back().second) {
        joined.back().second = std::max(joined.back().second, e);
      } else {
        joined.push_back({s, e});
      }
    }
  }
  const auto window_of = [&](const std::string& account, absl::Time t) -> const void* {
    for (const auto& w : frozen[account]) {
      if (w.first <= t && t < w.second) return &w;
    }
    return nullptr;
  };

  // The ramp steps every 60 h: inside the 3rd's and the 5th's windows.
  v1::CreateRampRequest create;
  *create.mutable_meta() = Meta("alice");
  create.set_flag_key(kEditor);
  v1::RampPlan& plan = *create.mutable_plan();
  for (int n : {5, 12, 25}) {
    v1::RampStage* s = plan.add_stages();
    s->set_count(n);
    s->mutable_advance()->mutable_after()->set_seconds(60 * 3600);
  }
  plan.add_stages()->set_all(true);
  ASSERT_OK(registry_->CreateRamp(create));
  v1::RampActionRequest start;
  *start.mutable_meta() = Meta("alice");
  start.set_flag_key(kEditor);
  ASSERT_OK(registry_->StartRamp(start));

  Values prev = Evaluate();
  std::map<std::string, const void*> in_window;                       // account -> its window
  std::map<std::pair<std::string, std::string>, std::string> pinned;  // expected inside
  std::set<std::pair<std::string, std::string>> waiting;              // held a change
  int held_ticks = 0, released = 0, broken = 0, vat_changes = 0;
  const std::string variants[] = {"a", "b", "c"};
  const absl::Time kill_at = Msk(2026, 12, 24, 16), unkill_at = Msk(2026, 12, 26, 11);
  for (absl::Time t = Msk(2026, 12, 1, 0, 15); t < Msk(2027, 1, 1, 0); t += absl::Minutes(15)) {
    clock_.SetTime(t);
    ASSERT_OK(registry_->RefreshFreezeScheduleIfDue(t));
    ASSERT_OK(registry_->RunDueSteps(t));
    const int64_t tick = (t - Msk(2026, 12, 1, 0)) / absl::Minutes(15);
    if (tick % (29 * 4) == 0) {  // every 29 h, by hand
      ++vat_changes;
      ASSERT_OK(SetDefault(kVat, variants[vat_changes % 3]));
    }
    bool break_now = false;
    if (t == kill_at || t == unkill_at) {
      v1::KillFlagRequest kill;
      *kill.mutable_meta() = Meta("oncall", "incident 9");
      kill.mutable_meta()->set_break_freeze(t == kill_at);
      kill.set_key(kEditor);
      kill.set_killed(t == kill_at);
      ASSERT_OK(registry_->KillFlag(kill));
      break_now = t == kill_at;
    }
    const Values now = Evaluate();
    for (const std::string& account : accounts_) {
      const void* w = window_of(account, t);
      for (const char* flag : {kEditor, kVat}) {
        const auto key = std::make_pair(account, std::string(flag));
        const std::string& served = now.served.at(key);
        if (w == nullptr) {
          ASSERT_EQ(served, now.truth.at(key))
              << account << " " << flag << " at " << rampart::FormatTime(t) << " is not frozen";
          if (waiting.erase(key) > 0) ++released;
          continue;
        }
        if (in_window[account] != w) {
          // The window opened since the last tick: the value of that moment
          // holds (this tick's changes came after it).
          pinned[key] = prev.truth.at(key);
        }
        if (break_now && std::string(flag) == kEditor) {
          pinned[key] = "bool_value: false";  // the kill reaches at once
          ++broken;
        }
        ASSERT_EQ(served, pinned[key])
            << account << " " << flag << " changed inside its window at " << rampart::FormatTime(t);
        if (served != now.truth.at(key)) {
          ++held_ticks;
          waiting.insert(key);
        }
      }
      in_window[account] = w;
    }
    // The server answers as the SDK does (every 2 hours, to keep it quick).
    if (tick % 8 == 0) {
      for (const char* account : {"msk-03", "nsk-01", "vvo-02", "shop-05"}) {
        for (const char* flag : {kEditor, kVat}) {
          EXPECT_EQ(ServerValue(account, flag), now.served.at({account, flag}))
              << account << " " << flag << " at " << rampart::FormatTime(t);
        }
      }
    }
    prev = now;
  }
  // The month did hold changes back and release them, the ramp ran to its
  // end, and the break reached all 32 frozen accounts.
  EXPECT_GT(held_ticks, 1000);
  EXPECT_GT(released, 60);
  EXPECT_EQ(broken, 32);
  EXPECT_GE(vat_changes, 25);
  ASSERT_OK_AND_ASSIGN(v1::Ramp ramp, registry_->GetRamp(kEditor));
  EXPECT_EQ(ramp.status(), v1::RAMP_STATUS_COMPLETED);
  // Pins of closed windows are dropped on the next write of the flag.
  ASSERT_OK(SetDefault(kVat, "a"));
  EXPECT_THAT(registry_->GetFlag(kVat)->freeze_pins(), SizeIs(0));
}

}  // namespace
}  // namespace rampart::registry
