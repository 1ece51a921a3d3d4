// The support view on a simulated clock, at exact instants in
// Europe/Moscow: whois now and as of moments before, during and after a
// scheduled ramp step, an override's end and an ru-accounting freeze; since
// when each value was seen; and the history of what the account saw.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "core/common/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/registry/registry.h"
#include "server/registry/support_view.h"
#include "server/registry/testing/objects.h"
#include "server/registry/transaction.h"
#include "tests/testing/simulated_clock.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace rampart::registry {

// The set whois evaluates against now (Registry::CurrentFlagSet).
class SupportViewPeer {
 public:
  static std::shared_ptr<const FlagSet> CurrentFlagSet(const Registry& registry) {
    auto set = registry.CurrentFlagSet();
    EXPECT_OK(set);
    return set.ok() ? *set : nullptr;
  }
};

namespace {

using ::rampart::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::SizeIs;

absl::Time Msk(int y, int m, int d, int h, int min = 0) {
  absl::TimeZone tz;
  EXPECT_TRUE(absl::LoadTimeZone("Europe/Moscow", &tz));
  return absl::FromCivil(absl::CivilMinute(y, m, d, h, min), tz);
}

v1::WriteMeta Meta(const std::string& actor, const std::string& reason) {
  v1::WriteMeta m;
  m.set_actor(actor);
  m.set_reason(reason);
  return m;
}

class RegistrySupportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = storage::Store::Open({dir_.path()});
    ASSERT_OK(store);
    store_ = std::move(*store);
    auto registry = Registry::Open(*store_, clock_);
    ASSERT_OK(registry);
    registry_ = std::move(*registry);
    for (int i = 0; i < 6; ++i) {
      v1::PutAccountRequest req;
      *req.mutable_meta() = Meta("crm", "import");
      req.mutable_account()->set_key(absl::StrFormat("acc-%d", i));
      (*req.mutable_account()->mutable_attributes())["industry"].set_string_value("accounting");
      ASSERT_OK(registry_->PutAccount(req));
    }
    v1::PutSegmentRequest seg;
    *seg.mutable_meta() = Meta("alice", "segments");
    *seg.mutable_segment() =
        rampart::testing::AttributeSegment("accounting", "industry", "accounting", "Europe/Moscow");
    ASSERT_OK(registry_->PutSegment(seg));
    v1::PutFlagRequest flag;
    *flag.mutable_meta() = Meta("alice", "INV-812");
    *flag.mutable_flag() = rampart::testing::OnOffFlag("editor");
    ASSERT_OK(registry_->PutFlag(flag));
  }

  v1::WhoisView Whois(const std::string& account, std::optional<absl::Time> at = std::nullopt) {
    v1::WhoisRequest req;
    req.set_account(account);
    if (at) *req.mutable_at() = ToProto(*at);
    auto w = registry_->Whois(req);
    EXPECT_OK(w);
    return w.ok() ? *w : v1::WhoisView();
  }

  static const v1::WhoisFlag& Editor(const v1::WhoisView& w) {
    static const v1::WhoisFlag none;
    return w.flags().empty() ? none : w.flags(0);
  }

  // acc-9, a retailer, created at 09:00; at 10:00 the editor goes on for
  // the accounting segment (by a rule), as alice's "accounting first".
  void AddRetailerAndRuleForAccounting() {
    v1::PutAccountRequest put;
    *put.mutable_meta() = Meta("crm", "import");
    put.mutable_account()->set_key("acc-9");
    (*put.mutable_account()->mutable_attributes())["industry"].set_string_value("retail");
    ASSERT_OK(registry_->PutAccount(put));
    clock_.SetTime(Msk(2026, 12, 21, 10));
    ASSERT_OK_AND_ASSIGN(v1::Flag flag, registry_->GetFlag("editor"));
    v1::PutFlagRequest rule;
    *rule.mutable_meta() = Meta("alice", "accounting first");
    rule.mutable_meta()->set_expected_revision(flag.revision());
    *rule.mutable_flag() = flag;
    rule.mutable_flag()->add_rules()->add_segments("accounting");
    rule.mutable_flag()->mutable_rules(0)->set_variant("on");
    ASSERT_OK(registry_->PutFlag(rule));
  }

  void SetDefault(const std::string& variant, const std::string& reason) {
    auto flag = registry_->GetFlag("editor");
    ASSERT_OK(flag);
    v1::PutFlagRequest req;
    *req.mutable_meta() = Meta("alice", reason);
    req.mutable_meta()->set_expected_revision(flag->revision());
    *req.mutable_flag() = *flag;
    req.mutable_flag()->set_default_variant(variant);
    ASSERT_OK(registry_->PutFlag(req));
  }

  rampart::testing::TempDir dir_;
  rampart::testing::SimulatedClock clock_{Msk(2026, 12, 21, 9)};
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<Registry> registry_;
};

TEST_F(RegistrySupportTest, ARampStepAndAnOverrideAsOfEachMoment) {
  // Two accounts at once, then everyone on Dec 22 at 12:00 by the scheduler.
  v1::CreateRampRequest create;
  *create.mutable_meta() = Meta("alice", "rollout");
  create.set_flag_key("editor");
  create.mutable_plan()->add_stages()->set_count(2);
  *create.mutable_plan()->mutable_stages(0)->mutable_advance()->mutable_at() =
      ToProto(Msk(2026, 12, 22, 12));
  create.mutable_plan()->add_stages()->set_all(true);
  ASSERT_OK(registry_->CreateRamp(create));
  clock_.SetTime(Msk(2026, 12, 21, 10));
  v1::RampActionRequest start;
  *start.mutable_meta() = Meta("alice", "3.4 released");
  start.set_flag_key("editor");
  ASSERT_OK_AND_ASSIGN(v1::Ramp ramp, registry_->StartRamp(start));
  const std::string member = ramp.entered(0).cohort(0);
  std::string other;
  for (int i = 0; i < 6 && other.empty(); ++i) {
    const std::string key = absl::StrFormat("acc-%d", i);
    if (key != ramp.entered(0).cohort(0) && key != ramp.entered(0).cohort(1)) other = key;
  }
  v1::WhoisView w = Whois(other);
  ASSERT_THAT(Editor(w).next(), SizeIs(1));
  EXPECT_EQ(FromProto(Editor(w).next(0).at()), Msk(2026, 12, 22, 12));
  EXPECT_THAT(Editor(w).next(0).what(), HasSubstr("the ramp's next step is due"));

  clock_.SetTime(Msk(2026, 12, 22, 12));
  ASSERT_OK(registry_->RunDueSteps(clock_.Now()));
  clock_.SetTime(Msk(2026, 12, 23, 9));
  v1::SetOverrideRequest o;
  *o.mutable_meta() = Meta("bob", "asked on a call");
  o.set_flag_key("editor");
  o.mutable_override()->set_account_key(other);
  o.mutable_override()->set_variant("off");
  *o.mutable_override()->mutable_ends_at() = ToProto(Msk(2026, 12, 24, 0));
  o.mutable_meta()->set_expected_revision(registry_->GetFlag("editor")->revision());
  ASSERT_OK(registry_->SetOverride(o));
  clock_.SetTime(Msk(2026, 12, 25, 9));

  w = Whois(member);
  EXPECT_EQ(Editor(w).reason(), v1::REASON_STAGE);
  EXPECT_EQ(FromProto(Editor(w).since()), Msk(2026, 12, 21, 10));
  w = Whois(other);
  EXPECT_EQ(Editor(w).reason(), v1::REASON_STAGE);
  // Stage 2 at 12:00 on the 22nd, an override to off, which ended at
  // midnight on the 24th: on since then.
  EXPECT_EQ(FromProto(Editor(w).since()), Msk(2026, 12, 24, 0));

  EXPECT_EQ(Editor(Whois(other, Msk(2026, 12, 22, 11, 59))).reason(), v1::REASON_DEFAULT);
  EXPECT_EQ(Editor(Whois(other, Msk(2026, 12, 22, 12))).reason(), v1::REASON_STAGE);
  w = Whois(other, Msk(2026, 12, 23, 12));
  EXPECT_EQ(Editor(w).reason(), v1::REASON_OVERRIDE);
  EXPECT_EQ(FromProto(Editor(w).since()), Msk(2026, 12, 23, 9));
  EXPECT_THAT(Editor(w).why(), HasSubstr("override by bob until"));
  EXPECT_TRUE(Whois(other, Msk(2026, 12, 23, 12)).historical());

  v1::HistoryRequest h;
  h.set_account(other);
  ASSERT_OK_AND_ASSIGN(v1::HistoryResponse history, registry_->History(h));
  std::vector<std::pair<absl::Time, bool>> seen;
  for (const auto& e : history.events()) {
    if (e.flag_key() == "editor") seen.push_back({FromProto(e.at()), e.after().bool_value()});
  }
  EXPECT_EQ(seen, (std::vector<std::pair<absl::Time, bool>>{{Msk(2026, 12, 21, 9), false},
                                                            {Msk(2026, 12, 22, 12), true},
                                                            {Msk(2026, 12, 23, 9), false},
                                                            {Msk(2026, 12, 24, 0), true}}));
  EXPECT_THAT(registry_->Whois([] {
    v1::WhoisRequest r;
    r.set_account("acc-0");
    *r.mutable_at() = ToProto(Msk(2026, 12, 20, 0));
    return r;
  }()),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("did not exist at")));
}

TEST_F(RegistrySupportTest, AChangeHeldByRuAccountingIsSeenWhenTheWindowCloses) {
  v1::AddFreezeRulesRequest add;
  *add.mutable_meta() = Meta("rm", "reporting days");
  add.set_calendar("ru-acc");
  add.set_time_zone("Europe/Moscow");
  add.set_preset("ru-accounting");
  ASSERT_OK(registry_->AddFreezeRules(add));
  v1::AttachFreezeCalendarRequest attach;
  *attach.mutable_meta() = Meta("rm", "reporting days");
  attach.set_calendar("ru-acc");
  attach.add_segments("accounting");
  ASSERT_OK(registry_->AttachFreezeCalendar(attach));

  clock_.SetTime(Msk(2026, 12, 24, 16));  // the 25th's window opened at 15:00
  SetDefault("on", "GA");
  v1::WhoisView w = Whois("acc-1");
  EXPECT_TRUE(w.frozen());
  EXPECT_EQ(w.frozen_by(), "ru-acc/ru-accounting.25");
  EXPECT_EQ(FromProto(w.frozen_until()), Msk(2026, 12, 29, 0));  // joined with the 28th's
  EXPECT_EQ(Editor(w).reason(), v1::REASON_FROZEN);
  EXPECT_FALSE(Editor(w).value().bool_value());
  ASSERT_THAT(Editor(w).next(), SizeIs(1));
  EXPECT_EQ(FromProto(Editor(w).next(0).at()), Msk(2026, 12, 29, 0));
  EXPECT_EQ(Editor(w).next(0).what(), "the freeze window ends: true");
  EXPECT_EQ(FromProto(Editor(w).since()), Msk(2026, 12, 21, 9));

  clock_.SetTime(Msk(2026, 12, 29, 10));  // before the year-end window (15:00)
  w = Whois("acc-1");
  EXPECT_FALSE(w.frozen());
  EXPECT_TRUE(Editor(w).value().bool_value());
  EXPECT_EQ(FromProto(Editor(w).since()), Msk(2026, 12, 29, 0));
  w = Whois("acc-1", Msk(2026, 12, 28, 23, 59));
  EXPECT_TRUE(w.frozen());
  EXPECT_FALSE(Editor(w).value().bool_value());
  EXPECT_TRUE(Editor(Whois("acc-1", Msk(2026, 12, 29, 0))).value().bool_value());

  v1::HistoryRequest h;
  h.set_account("acc-1");
  h.set_flag("editor");
  ASSERT_OK_AND_ASSIGN(v1::HistoryResponse history, registry_->History(h));
  ASSERT_THAT(history.events(), SizeIs(2));
  EXPECT_EQ(FromProto(history.events(1).at()), Msk(2026, 12, 29, 0));
  EXPECT_EQ(FromProto(history.events(1).changed_at()), Msk(2026, 12, 24, 16));
  EXPECT_TRUE(history.events(1).held());
  EXPECT_EQ(history.events(1).change_reason(), "GA");
  h.set_limit(1);
  ASSERT_OK_AND_ASSIGN(history, registry_->History(h));
  EXPECT_TRUE(history.truncated());
  EXPECT_THAT(history.events(), SizeIs(1));
  h.set_limit(-1);
  EXPECT_THAT(registry_->History(h),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("limit: -1")));
}

// Whois keeps the current flags, segments and each flag's previous state
// compiled between calls (support_view.h); every commit must show at once.
// An account the CRM moves into a segment gets the segment's value from
// that change: "since" and the history say so, with the CRM's entry as the
// cause, and whois as of before the move says the old value.
TEST_F(RegistrySupportTest, JoiningASegmentCountsFromTheAccountsChange) {
  // acc-9: a retailer at first.
  AddRetailerAndRuleForAccounting();
  // At 11:30 the CRM says acc-9 keeps books now; at 12:00 its name changes.
  clock_.SetTime(Msk(2026, 12, 21, 11, 30));
  v1::PatchAccountRequest patch;
  *patch.mutable_meta() = Meta("crm", "weekly sync");
  patch.set_key("acc-9");
  patch.mutable_meta()->set_expected_revision(registry_->GetAccount("acc-9")->revision());
  (*patch.mutable_set_attributes())["industry"].set_string_value("accounting");
  ASSERT_OK(registry_->PatchAccount(patch));
  clock_.SetTime(Msk(2026, 12, 21, 12));
  v1::PatchAccountRequest rename;
  *rename.mutable_meta() = Meta("crm", "renamed");
  rename.set_key("acc-9");
  rename.mutable_meta()->set_expected_revision(registry_->GetAccount("acc-9")->revision());
  rename.set_name("Nine Books");
  ASSERT_OK(registry_->PatchAccount(rename));
  clock_.SetTime(Msk(2026, 12, 21, 15));

  v1::WhoisView now = Whois("acc-9");
  EXPECT_TRUE(Editor(now).value().bool_value());
  EXPECT_EQ(Editor(now).reason(), v1::REASON_TARGETING_MATCH);
  EXPECT_EQ(FromProto(Editor(now).since()), Msk(2026, 12, 21, 11, 30))
      << "from the CRM's change, not the rule's (10:00) nor the rename (12:00)";
  // An account in the segment all along has had it since the rule.
  EXPECT_EQ(FromProto(Editor(Whois("acc-1")).since()), Msk(2026, 12, 21, 10));
  // As of 11:00 it was a retailer, off since it was created (09:00).
  v1::WhoisView before = Whois("acc-9", Msk(2026, 12, 21, 11));
  EXPECT_FALSE(Editor(before).value().bool_value());
  EXPECT_EQ(FromProto(Editor(before).since()), Msk(2026, 12, 21, 9));

  v1::HistoryRequest req;
  req.set_account("acc-9");
  req.set_flag("editor");
  ASSERT_OK_AND_ASSIGN(v1::HistoryResponse history, registry_->History(req));
  ASSERT_THAT(history.events(), SizeIs(2));
  EXPECT_EQ(FromProto(history.events(0).at()), Msk(2026, 12, 21, 9));
  EXPECT_FALSE(history.events(0).after().bool_value());
  const v1::HistoryEvent& joined = history.events(1);
  EXPECT_EQ(FromProto(joined.at()), Msk(2026, 12, 21, 11, 30));
  EXPECT_TRUE(joined.after().bool_value());
  EXPECT_EQ(joined.actor(), "crm");
  EXPECT_EQ(joined.change_reason(), "weekly sync");
  EXPECT_FALSE(joined.held());
}

TEST_F(RegistrySupportTest, EditingASegmentCountsFromTheSegmentsChange) {
  // acc-9, a retailer, is never changed; the accounting segment is.
  AddRetailerAndRuleForAccounting();
  const auto edit_segment = [&](absl::Time t, const std::string& reason, bool with_acc9) {
    clock_.SetTime(t);
    ASSERT_OK_AND_ASSIGN(v1::Segment segment, registry_->GetSegment("accounting"));
    v1::PutSegmentRequest req;
    *req.mutable_meta() = Meta("bob", reason);
    req.mutable_meta()->set_expected_revision(segment.revision());
    segment.clear_included();
    if (with_acc9) segment.add_included("acc-9");
    *req.mutable_segment() = segment;
    ASSERT_OK(registry_->PutSegment(req));
  };
  // 11:30: bob adds acc-9 to the segment by hand; 12:00: a description
  // edit that moves nobody; 16:00: acc-9 taken out again.
  edit_segment(Msk(2026, 12, 21, 11, 30), "pilot for acc-9", true);
  {
    ASSERT_OK_AND_ASSIGN(v1::Segment segment, registry_->GetSegment("accounting"));
    clock_.SetTime(Msk(2026, 12, 21, 12));
    v1::PutSegmentRequest req;
    *req.mutable_meta() = Meta("bob", "wording");
    req.mutable_meta()->set_expected_revision(segment.revision());
    segment.set_description("Accounting firms");
    *req.mutable_segment() = segment;
    ASSERT_OK(registry_->PutSegment(req));
  }
  clock_.SetTime(Msk(2026, 12, 21, 15));

  const v1::WhoisView now = Whois("acc-9");
  EXPECT_TRUE(Editor(now).value().bool_value());
  EXPECT_EQ(FromProto(Editor(now).since()), Msk(2026, 12, 21, 11, 30))
      << "from bob's edit of the segment, not the rule (10:00) nor the wording (12:00)";
  EXPECT_EQ(FromProto(Editor(Whois("acc-1")).since()), Msk(2026, 12, 21, 10));
  // As of 11:00 the segment did not hold it yet.
  const v1::WhoisView before = Whois("acc-9", Msk(2026, 12, 21, 11));
  EXPECT_FALSE(Editor(before).value().bool_value());
  EXPECT_EQ(FromProto(Editor(before).since()), Msk(2026, 12, 21, 9));

  edit_segment(Msk(2026, 12, 21, 16), "pilot over", false);
  clock_.SetTime(Msk(2026, 12, 21, 17));
  const v1::WhoisView after = Whois("acc-9");
  EXPECT_FALSE(Editor(after).value().bool_value());
  EXPECT_EQ(FromProto(Editor(after).since()), Msk(2026, 12, 21, 16));
  const v1::WhoisView during = Whois("acc-9", Msk(2026, 12, 21, 13));
  EXPECT_TRUE(Editor(during).value().bool_value());
  EXPECT_EQ(FromProto(Editor(during).since()), Msk(2026, 12, 21, 11, 30));

  v1::HistoryRequest req;
  req.set_account("acc-9");
  req.set_flag("editor");
  ASSERT_OK_AND_ASSIGN(v1::HistoryResponse history, registry_->History(req));
  ASSERT_THAT(history.events(), SizeIs(3));
  EXPECT_FALSE(history.events(0).after().bool_value());
  const v1::HistoryEvent& joined = history.events(1);
  EXPECT_EQ(FromProto(joined.at()), Msk(2026, 12, 21, 11, 30));
  EXPECT_TRUE(joined.after().bool_value());
  EXPECT_EQ(joined.actor(), "bob");
  EXPECT_EQ(joined.change_reason(), "pilot for acc-9");
  EXPECT_EQ(joined.operation(), "segment.put");
  const v1::HistoryEvent& left = history.events(2);
  EXPECT_EQ(FromProto(left.at()), Msk(2026, 12, 21, 16));
  EXPECT_FALSE(left.after().bool_value());
  EXPECT_EQ(left.change_reason(), "pilot over");

  // The whole timeline also names the segment moves, not the wording edit.
  req.clear_flag();
  ASSERT_OK_AND_ASSIGN(history, registry_->History(req));
  std::vector<std::string> moves;
  for (const v1::HistoryEvent& e : history.events()) {
    if (!e.segment_key().empty()) {
      moves.push_back(absl::StrCat(rampart::FormatTime(FromProto(e.at())), " ", e.segment_key(),
                                   " ", e.joined_segment() ? "joined" : "left", " ", e.actor()));
    }
  }
  EXPECT_THAT(moves, ::testing::ElementsAre("2026-12-21T08:30:00Z accounting joined bob",
                                            "2026-12-21T13:00:00Z accounting left bob"));
}

TEST_F(RegistrySupportTest, WhoisSeesEveryCommitAtOnce) {
  EXPECT_FALSE(Editor(Whois("acc-1")).value().bool_value());

  clock_.SetTime(Msk(2026, 12, 21, 10));
  {
    auto flag = registry_->GetFlag("editor");
    ASSERT_OK(flag);
    v1::PutFlagRequest req;
    *req.mutable_meta() = Meta("alice", "accounting first");
    req.mutable_meta()->set_expected_revision(flag->revision());
    *req.mutable_flag() = *flag;
    v1::Rule* rule = req.mutable_flag()->add_rules();
    rule->set_id("accounting");
    rule->add_segments("accounting");
    rule->set_variant("on");
    ASSERT_OK(registry_->PutFlag(req));
  }
  v1::WhoisView w = Whois("acc-1");
  EXPECT_EQ(w.revision(), registry_->revision());
  EXPECT_EQ(Editor(w).reason(), v1::REASON_TARGETING_MATCH);
  EXPECT_TRUE(Editor(w).value().bool_value());
  EXPECT_EQ(FromProto(Editor(w).since()), Msk(2026, 12, 21, 10));

  clock_.SetTime(Msk(2026, 12, 21, 11));
  SetDefault("on", "GA");
  w = Whois("acc-1");
  EXPECT_EQ(w.revision(), registry_->revision());
  EXPECT_TRUE(Editor(w).value().bool_value());
  // On by the rule since 10:00, through the change of the default.
  EXPECT_EQ(FromProto(Editor(w).since()), Msk(2026, 12, 21, 10));

  // A segment change alone: the flag's earlier states are evaluated with
  // the segments as they were then, as whois --at does.
  clock_.SetTime(Msk(2026, 12, 21, 12));
  {
    auto segment = registry_->GetSegment("accounting");
    ASSERT_OK(segment);
    v1::PutSegmentRequest req;
    *req.mutable_meta() = Meta("alice", "not acc-1");
    req.mutable_meta()->set_expected_revision(segment->revision());
    *req.mutable_segment() = *segment;
    req.mutable_segment()->add_excluded("acc-1");
    ASSERT_OK(registry_->PutSegment(req));
  }
  clock_.SetTime(Msk(2026, 12, 21, 12, 30));
  w = Whois("acc-1");
  EXPECT_THAT(w.segments(), ::testing::IsEmpty());
  EXPECT_EQ(Editor(w).reason(), v1::REASON_DEFAULT);
  EXPECT_TRUE(Editor(w).value().bool_value());
  // On since 10:00: by the rule while acc-1 was in accounting, then by the
  // default.
  EXPECT_EQ(FromProto(Editor(w).since()), Msk(2026, 12, 21, 10));
  // The same as whois --at reads from the audit log, with nothing cached.
  const v1::WhoisView then = Whois("acc-1", Msk(2026, 12, 21, 12, 29));
  ASSERT_TRUE(then.historical());
  EXPECT_EQ(FromProto(Editor(then).since()), FromProto(Editor(w).since()));
  EXPECT_EQ(Editor(then).why(), Editor(w).why());

  // An account change needs no flag change to show.
  {
    auto account = registry_->GetAccount("acc-1");
    ASSERT_OK(account);
    v1::PutAccountRequest req;
    *req.mutable_meta() = Meta("crm", "renamed");
    req.mutable_meta()->set_expected_revision(account->revision());
    *req.mutable_account() = *account;
    req.mutable_account()->set_name("Acme");
    ASSERT_OK(registry_->PutAccount(req));
  }
  EXPECT_EQ(Whois("acc-1").account().name(), "Acme");
}

// After a commit, the current set is made from the one before and the flags
// the audit log says changed (support_view.cc): a flag changed, added,
// archived or deleted shows at once, exactly as whois --at reads it from
// the log with nothing cached; a segment change reads the set afresh.
TEST_F(RegistrySupportTest, TheSetAfterACommitIsTheOneBeforeWithTheChangedFlags) {
  const auto put_flag = [&](const std::string& key, const std::string& default_variant) {
    auto current = registry_->GetFlag(key);
    v1::PutFlagRequest req;
    *req.mutable_meta() = Meta("alice", "change");
    if (current.ok()) {
      req.mutable_meta()->set_expected_revision(current->revision());
      *req.mutable_flag() = *current;
    } else {
      *req.mutable_flag() = registry_->GetFlag("editor").value();
      req.mutable_flag()->clear_revision();
      req.mutable_flag()->set_key(key);
      v1::Rule* rule = req.mutable_flag()->add_rules();
      rule->set_id("accounting");
      rule->add_segments("accounting");
      rule->set_variant("on");
    }
    req.mutable_flag()->set_default_variant(default_variant);
    ASSERT_OK(registry_->PutFlag(req));
  };
  const auto keys = [](const FlagSet& set) {
    std::vector<std::string> out;
    for (const auto& f : set.flags) out.push_back(f->key());
    return out;
  };
  // Whois now for two accounts, then --at that instant a second later: the
  // same answers, bar the instant's own fields.
  const auto expect_same_as_at = [&](const std::string& step) {
    for (const std::string account : {"acc-1", "acc-5"}) {
      v1::WhoisView now = Whois(account);
      const absl::Time at = clock_.Now();
      clock_.AdvanceTime(absl::Seconds(1));
      v1::WhoisView then = Whois(account, at);
      EXPECT_EQ(now.revision(), registry_->revision()) << step;
      for (v1::WhoisView* w : {&now, &then}) {
        w->clear_at();
        w->clear_historical();
      }
      EXPECT_EQ(now.DebugString(), then.DebugString()) << step << ", " << account;
    }
  };
  put_flag("banner", "off");
  put_flag("checkout", "off");
  clock_.AdvanceTime(absl::Minutes(1));
  put_flag("banner", "on");  // so it has a previous state to share
  expect_same_as_at("created");
  const std::shared_ptr<const FlagSet> created = SupportViewPeer::CurrentFlagSet(*registry_);
  ASSERT_THAT(keys(*created), ::testing::ElementsAre("banner", "checkout", "editor"));
  ASSERT_NE(created->previous[0], nullptr);

  // A flag changed: the others, compiled and with their previous states,
  // are the set before's.
  clock_.AdvanceTime(absl::Minutes(1));
  SetDefault("on", "GA");
  expect_same_as_at("changed");
  const std::shared_ptr<const FlagSet> changed = SupportViewPeer::CurrentFlagSet(*registry_);
  ASSERT_THAT(keys(*changed), ::testing::ElementsAre("banner", "checkout", "editor"));
  EXPECT_EQ(changed->flags[0], created->flags[0]);
  EXPECT_EQ(changed->previous[0], created->previous[0]);
  EXPECT_EQ(changed->snapshot->FindFlag("banner"), created->snapshot->FindFlag("banner"));
  EXPECT_NE(changed->flags[2], created->flags[2]);
  EXPECT_EQ(changed->flags[2]->default_variant(), "on");
  ASSERT_NE(changed->previous[2], nullptr);
  EXPECT_EQ(changed->previous[2]->flag->default_variant(), "off");

  // Added, and two commits to one flag before a whois.
  clock_.AdvanceTime(absl::Minutes(1));
  put_flag("dark-mode", "on");
  put_flag("checkout", "on");
  put_flag("checkout", "off");
  expect_same_as_at("added");
  const std::shared_ptr<const FlagSet> added = SupportViewPeer::CurrentFlagSet(*registry_);
  ASSERT_THAT(keys(*added), ::testing::ElementsAre("banner", "checkout", "dark-mode", "editor"));
  EXPECT_EQ(added->flags[0], created->flags[0]);
  EXPECT_EQ(added->flags[1]->revision(), registry_->revision());
  EXPECT_EQ(added->previous[2], nullptr);  // never changed since created

  // Archived (without pins: whois no longer shows it).
  clock_.AdvanceTime(absl::Minutes(1));
  {
    v1::ArchiveFlagRequest req;
    *req.mutable_meta() = Meta("alice", "done");
    req.mutable_meta()->set_expected_revision(registry_->GetFlag("banner")->revision());
    req.set_key("banner");
    req.set_archived(true);
    ASSERT_OK(registry_->ArchiveFlag(req));
  }
  expect_same_as_at("archived");
  const std::shared_ptr<const FlagSet> archived = SupportViewPeer::CurrentFlagSet(*registry_);
  ASSERT_THAT(keys(*archived), ::testing::ElementsAre("checkout", "dark-mode", "editor"));
  EXPECT_EQ(archived->snapshot->FindFlag("banner"), nullptr);
  EXPECT_EQ(archived->flags[1], added->flags[2]);

  // Deleted (no registry call deletes a flag, but the log can say so).
  clock_.AdvanceTime(absl::Minutes(1));
  {
    Transaction tx(*registry_, Meta("alice", "gone"), "flag.delete");
    tx.Delete(registry_->GetFlag("checkout").value());
    ASSERT_OK(tx.Commit());
  }
  expect_same_as_at("deleted");
  const std::shared_ptr<const FlagSet> deleted = SupportViewPeer::CurrentFlagSet(*registry_);
  ASSERT_THAT(keys(*deleted), ::testing::ElementsAre("dark-mode", "editor"));
  EXPECT_EQ(deleted->snapshot->FindFlag("checkout"), nullptr);
  EXPECT_EQ(deleted->flags[0], archived->flags[1]);

  // A segment changed: every flag is compiled against the segments, so the
  // set is read afresh.
  clock_.AdvanceTime(absl::Minutes(1));
  {
    auto segment = registry_->GetSegment("accounting");
    ASSERT_OK(segment);
    v1::PutSegmentRequest req;
    *req.mutable_meta() = Meta("alice", "not acc-1");
    req.mutable_meta()->set_expected_revision(segment->revision());
    *req.mutable_segment() = *segment;
    req.mutable_segment()->add_excluded("acc-1");
    ASSERT_OK(registry_->PutSegment(req));
  }
  expect_same_as_at("segment");
  const std::shared_ptr<const FlagSet> reread = SupportViewPeer::CurrentFlagSet(*registry_);
  ASSERT_THAT(keys(*reread), ::testing::ElementsAre("dark-mode", "editor"));
  EXPECT_NE(reread->flags[0], deleted->flags[0]);
  EXPECT_EQ(reread->segments[0].excluded_size(), 1);
  // acc-1 left accounting: dark-mode's rule no longer serves it.
  EXPECT_EQ(Whois("acc-1").flags(0).reason(), v1::REASON_DEFAULT);
}

}  // namespace
}  // namespace rampart::registry
