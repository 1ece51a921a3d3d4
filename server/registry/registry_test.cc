#include "server/registry/registry.h"

#include <memory>

#include "core/common/time_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/env.h"
#include "server/registry/testing/in_memory_registry.h"
#include "tests/testing/simulated_clock.h"
#include "tests/testing/status_matchers.h"

namespace rampart::registry {
namespace {

using ::rampart::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, rampart::testing::InMemoryRegistry::Open(clock_, "/mem/registry"));
    store_ = db_->store();
    registry_ = db_->registry();
  }

  static v1::WriteMeta Meta(int64_t revision = 0, std::string reason = "testing") {
    v1::WriteMeta m;
    m.set_actor("alice");
    m.set_reason(std::move(reason));
    m.set_expected_revision(revision);
    return m;
  }

  v1::Account PutAccount(const std::string& key, const std::string& industry) {
    v1::PutAccountRequest req;
    *req.mutable_meta() = Meta();
    req.mutable_account()->set_key(key);
    req.mutable_account()->set_name(key + " Ltd");
    req.mutable_account()->set_time_zone("Europe/Moscow");
    (*req.mutable_account()->mutable_attributes())["industry"].set_string_value(industry);
    auto a = registry_->PutAccount(req);
    EXPECT_OK(a);
    return a.ok() ? *a : v1::Account();
  }

  static v1::Flag BoolFlag(const std::string& key) {
    v1::Flag f;
    f.set_key(key);
    f.set_type(v1::FLAG_TYPE_BOOL);
    auto* on = f.add_variants();
    on->set_name("on");
    on->mutable_value()->set_bool_value(true);
    auto* off = f.add_variants();
    off->set_name("off");
    off->mutable_value()->set_bool_value(false);
    f.set_default_variant("off");
    f.set_off_variant("off");
    f.set_enabled(true);
    return f;
  }

  absl::StatusOr<v1::Flag> PutFlag(const v1::Flag& flag, int64_t expected) {
    v1::PutFlagRequest req;
    *req.mutable_meta() = Meta(expected);
    *req.mutable_flag() = flag;
    return registry_->PutFlag(req);
  }

  std::vector<v1::AuditEntry> Audit(v1::ObjectKind kind = v1::OBJECT_KIND_UNSPECIFIED,
                                    const std::string& key = "") {
    v1::ListAuditRequest req;
    req.set_kind(kind);
    req.set_object_key(key);
    req.set_oldest_first(true);
    req.mutable_page()->set_page_size(1000);
    auto resp = registry_->ListAudit(req);
    EXPECT_OK(resp);
    return {resp->entries().begin(), resp->entries().end()};
  }

  testing::SimulatedClock clock_{absl::FromUnixSeconds(1795430400)};  // 2026-11-23 UTC
  std::unique_ptr<rampart::testing::InMemoryRegistry> db_;
  storage::Store* store_ = nullptr;
  Registry* registry_ = nullptr;
};

TEST_F(RegistryTest, CreateStampsRevisionTimesAndAudit) {
  ASSERT_OK_AND_ASSIGN(v1::Flag f, PutFlag(BoolFlag("new-editor"), 0));
  EXPECT_EQ(f.revision(), 1);
  EXPECT_EQ(registry_->revision(), 1);
  EXPECT_EQ(FromProto(f.created_at()), clock_.Now());
  const auto audit = Audit(v1::OBJECT_KIND_FLAG, "new-editor");
  ASSERT_THAT(audit, SizeIs(1));
  EXPECT_EQ(audit[0].actor(), "alice");
  EXPECT_EQ(audit[0].reason(), "testing");
  EXPECT_EQ(audit[0].action(), v1::AUDIT_ACTION_CREATE);
  EXPECT_THAT(audit[0].before_json(), IsEmpty());
  EXPECT_THAT(audit[0].after_json(), HasSubstr("\"new-editor\""));
}

TEST_F(RegistryTest, StaleRevisionIsAbortedAndChangesNothing) {
  ASSERT_OK_AND_ASSIGN(v1::Flag f, PutFlag(BoolFlag("x"), 0));
  v1::Flag mine = f;
  mine.set_description("mine");
  ASSERT_OK(PutFlag(mine, f.revision()));  // revision 2
  v1::Flag theirs = f;
  theirs.set_description("theirs");
  EXPECT_THAT(PutFlag(theirs, f.revision()),
              StatusIs(absl::StatusCode::kAborted, HasSubstr("revision 1 is stale")));
  ASSERT_OK_AND_ASSIGN(v1::Flag now, registry_->GetFlag("x"));
  EXPECT_EQ(now.description(), "mine");
  EXPECT_EQ(registry_->revision(), 2);
  EXPECT_THAT(Audit(v1::OBJECT_KIND_FLAG, "x"), SizeIs(2));
}

TEST_F(RegistryTest, CreatingAnExistingFlagIsRefused) {
  ASSERT_OK(PutFlag(BoolFlag("x"), 0));
  EXPECT_THAT(PutFlag(BoolFlag("x"), 0), StatusIs(absl::StatusCode::kAlreadyExists, ::testing::_));
}

TEST_F(RegistryTest, BadInputNamesTheFieldAndChangesNothing) {
  v1::Flag f = BoolFlag("x");
  f.set_default_variant("blue");
  EXPECT_THAT(PutFlag(f, 0), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("blue")));
  v1::PutFlagRequest req;
  *req.mutable_flag() = BoolFlag("y");
  *req.mutable_meta() = Meta(0, "  ");
  EXPECT_THAT(registry_->PutFlag(req),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("meta.reason")));
  req.mutable_meta()->set_reason("ok");
  req.mutable_meta()->clear_actor();
  EXPECT_THAT(registry_->PutFlag(req),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("meta.actor")));
  v1::Flag r = BoolFlag("z");
  r.add_rules()->add_segments("ghost");
  r.mutable_rules(0)->set_variant("on");
  EXPECT_THAT(PutFlag(r, 0), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("ghost")));
  EXPECT_EQ(registry_->revision(), 0);
  EXPECT_THAT(Audit(), IsEmpty());
  EXPECT_THAT(registry_->GetFlag("x"), StatusIs(absl::StatusCode::kNotFound, HasSubstr("\"x\"")));
}

TEST_F(RegistryTest, OverrideAppliesUntilItsEnd) {
  PutAccount("acme", "accounting");
  ASSERT_OK_AND_ASSIGN(v1::Flag f, PutFlag(BoolFlag("x"), 0));
  v1::SetOverrideRequest req;
  *req.mutable_meta() = Meta(f.revision(), "beta customer");
  req.set_flag_key("x");
  req.mutable_override()->set_account_key("acme");
  req.mutable_override()->set_variant("on");
  const absl::Time end = clock_.Now() + absl::Hours(24);
  *req.mutable_override()->mutable_ends_at() = ToProto(end);
  ASSERT_OK_AND_ASSIGN(f, registry_->SetOverride(req));
  EXPECT_EQ(f.overrides(0).reason(), "beta customer");
  EXPECT_EQ(f.overrides(0).actor(), "alice");
  // The override is in the account's history as well as the flag's.
  const auto history = Audit(v1::OBJECT_KIND_ACCOUNT, "acme");
  ASSERT_THAT(history, SizeIs(2));
  EXPECT_EQ(history[1].operation(), "flag.override.set");
  EXPECT_EQ(history[1].object_key(), "x");

  v1::EvaluateRequest eval;
  eval.set_flag_key("x");
  eval.mutable_context()->set_account_key("acme");
  *eval.mutable_at() = ToProto(end - absl::Seconds(1));
  ASSERT_OK_AND_ASSIGN(auto before, registry_->Evaluate(eval));
  EXPECT_EQ(before.variant(), "on");
  EXPECT_EQ(before.reason(), v1::REASON_OVERRIDE);
  *eval.mutable_at() = ToProto(end);
  ASSERT_OK_AND_ASSIGN(auto after, registry_->Evaluate(eval));
  EXPECT_EQ(after.variant(), "off");
  EXPECT_EQ(after.reason(), v1::REASON_DEFAULT);
}

TEST_F(RegistryTest, OverrideForUnknownAccountOrPastEndIsRefused) {
  PutAccount("acme", "accounting");
  ASSERT_OK_AND_ASSIGN(v1::Flag f, PutFlag(BoolFlag("x"), 0));
  v1::SetOverrideRequest req;
  *req.mutable_meta() = Meta(f.revision());
  req.set_flag_key("x");
  req.mutable_override()->set_account_key("ghost");
  req.mutable_override()->set_variant("on");
  EXPECT_THAT(registry_->SetOverride(req),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("account \"ghost\"")));
  req.mutable_override()->set_account_key("acme");
  *req.mutable_override()->mutable_ends_at() = ToProto(clock_.Now() - absl::Hours(1));
  EXPECT_THAT(registry_->SetOverride(req),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("override.ends_at")));
  EXPECT_EQ(registry_->revision(), f.revision() + 0);
}

TEST_F(RegistryTest, RulesTargetSegmentsAndSegmentInUseCannotBeDeleted) {
  PutAccount("acme", "accounting");
  PutAccount("cinema", "entertainment");
  v1::PutSegmentRequest seg;
  *seg.mutable_meta() = Meta();
  seg.mutable_segment()->set_key("accounting");
  auto* c = seg.mutable_segment()->add_conditions();
  c->set_attribute("industry");
  c->set_op(v1::OPERATOR_EQUALS);
  c->add_values("accounting");
  ASSERT_OK_AND_ASSIGN(v1::Segment s, registry_->PutSegment(seg));

  v1::ListSegmentMembersRequest members;
  members.set_key("accounting");
  ASSERT_OK_AND_ASSIGN(auto m, registry_->ListSegmentMembers(members));
  ASSERT_THAT(m.accounts(), SizeIs(1));
  EXPECT_EQ(m.accounts(0).key(), "acme");

  v1::Flag f = BoolFlag("x");
  auto* rule = f.add_rules();
  rule->add_segments("accounting");
  rule->set_variant("on");
  ASSERT_OK_AND_ASSIGN(f, PutFlag(f, 0));
  EXPECT_EQ(f.rules(0).id(), "rule-1");

  v1::EvaluateAllRequest all;
  all.mutable_context()->set_account_key("acme");
  ASSERT_OK_AND_ASSIGN(auto r, registry_->EvaluateAll(all));
  ASSERT_THAT(r.results(), SizeIs(1));
  EXPECT_EQ(r.results(0).reason(), v1::REASON_TARGETING_MATCH);
  EXPECT_EQ(r.results(0).detail(), "rule-1");
  all.mutable_context()->set_account_key("cinema");
  ASSERT_OK_AND_ASSIGN(r, registry_->EvaluateAll(all));
  EXPECT_EQ(r.results(0).reason(), v1::REASON_DEFAULT);

  v1::DeleteSegmentRequest del;
  *del.mutable_meta() = Meta(s.revision());
  del.set_key("accounting");
  EXPECT_THAT(registry_->DeleteSegment(del),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("flag \"x\"")));
}

TEST_F(RegistryTest, ImportUpsertsAndCounts) {
  PutAccount("a", "accounting");
  auto row = [](int line, const std::string& key, const std::string& industry) {
    v1::ImportRow r;
    r.set_line(line);
    r.mutable_account()->set_key(key);
    r.mutable_account()->set_name(key + " Ltd");
    r.mutable_account()->set_time_zone("Europe/Moscow");
    (*r.mutable_account()->mutable_attributes())["industry"].set_string_value(industry);
    return r;
  };
  std::vector<v1::ImportRow> rows = {row(2, "a", "accounting"), row(3, "b", "retail"),
                                     row(4, "a", "retail")};
  v1::ImportRow bad;
  bad.set_line(5);
  bad.set_parse_error("4 cells, the header has 3");
  rows.push_back(bad);
  v1::ImportRow bad_tz = row(6, "c", "x");
  bad_tz.mutable_account()->set_time_zone("Mars/Olympus");
  rows.push_back(bad_tz);

  v1::ImportOptions options;
  *options.mutable_meta() = Meta();
  options.set_strict(true);
  ASSERT_OK_AND_ASSIGN(auto strict, registry_->ImportAccounts(options, rows));
  EXPECT_FALSE(strict.committed());
  EXPECT_EQ(strict.rejected(), 3);
  EXPECT_THAT(registry_->GetAccount("b"), StatusIs(absl::StatusCode::kNotFound, ::testing::_));

  options.set_strict(false);
  ASSERT_OK_AND_ASSIGN(auto resp, registry_->ImportAccounts(options, rows));
  EXPECT_TRUE(resp.committed());
  EXPECT_EQ(resp.created(), 1);
  EXPECT_EQ(resp.updated(), 0);
  EXPECT_EQ(resp.unchanged(), 1);
  EXPECT_EQ(resp.rejected(), 3);
  ASSERT_THAT(resp.errors(), SizeIs(3));
  EXPECT_EQ(resp.errors(0).line(), 4);
  EXPECT_THAT(resp.errors(0).message(), HasSubstr("also on line 2"));
  EXPECT_EQ(resp.errors(1).line(), 5);
  EXPECT_EQ(resp.errors(2).line(), 6);
  EXPECT_THAT(resp.errors(2).message(), HasSubstr("Mars/Olympus"));
  EXPECT_OK(registry_->GetAccount("b"));
}

TEST_F(RegistryTest, ListsPageThroughEverything) {
  for (int i = 0; i < 25; ++i) PutAccount(absl::StrCat("acct-", 100 + i), "x");
  v1::ListAccountsRequest req;
  req.mutable_page()->set_page_size(10);
  std::vector<std::string> keys;
  for (;;) {
    ASSERT_OK_AND_ASSIGN(auto resp, registry_->ListAccounts(req));
    for (const auto& a : resp.accounts()) keys.push_back(a.key());
    if (resp.next_page_token().empty()) break;
    req.mutable_page()->set_page_token(resp.next_page_token());
  }
  EXPECT_THAT(keys, SizeIs(25));
  EXPECT_EQ(keys.front(), "acct-100");
  EXPECT_EQ(keys.back(), "acct-124");

  v1::ListAuditRequest audit;
  audit.mutable_page()->set_page_size(7);
  int entries = 0;
  for (;;) {
    ASSERT_OK_AND_ASSIGN(auto resp, registry_->ListAudit(audit));
    entries += resp.entries_size();
    if (resp.next_page_token().empty()) break;
    audit.mutable_page()->set_page_token(resp.next_page_token());
  }
  EXPECT_EQ(entries, 25);
}

TEST_F(RegistryTest, AuditFiltersByActorAndTime) {
  PutAccount("a", "x");
  clock_.AdvanceTime(absl::Hours(1));
  v1::PatchAccountRequest patch;
  *patch.mutable_meta() = Meta(1);
  patch.mutable_meta()->set_actor("bob");
  patch.set_key("a");
  patch.set_name("Renamed");
  ASSERT_OK(registry_->PatchAccount(patch));

  v1::ListAuditRequest req;
  req.set_actor("bob");
  ASSERT_OK_AND_ASSIGN(auto by_actor, registry_->ListAudit(req));
  ASSERT_THAT(by_actor.entries(), SizeIs(1));
  EXPECT_EQ(by_actor.entries(0).operation(), "account.patch");

  v1::ListAuditRequest by_time;
  *by_time.mutable_to() = ToProto(clock_.Now() - absl::Minutes(30));
  ASSERT_OK_AND_ASSIGN(auto early, registry_->ListAudit(by_time));
  ASSERT_THAT(early.entries(), SizeIs(1));
  EXPECT_EQ(early.entries(0).actor(), "alice");
}

TEST_F(RegistryTest, PatchNeedsTheRevision) {
  PutAccount("a", "x");
  v1::PatchAccountRequest patch;
  *patch.mutable_meta() = Meta(0);
  patch.set_key("a");
  patch.set_name("B");
  EXPECT_THAT(registry_->PatchAccount(patch),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("meta.expected_revision")));
  patch.set_key("nobody");
  patch.mutable_meta()->set_expected_revision(1);
  EXPECT_THAT(registry_->PatchAccount(patch),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("account \"nobody\"")));
}

}  // namespace
}  // namespace rampart::registry

namespace rampart::registry {
namespace {

class RecordingListener : public ChangeListener {
 public:
  void OnCommit(int64_t revision, const std::vector<ObjectChange>& changes) override {
    for (const auto& c : changes) seen.push_back({revision, c});
  }
  std::vector<std::pair<int64_t, ObjectChange>> seen;
};

TEST_F(RegistryTest, ListenerSeesEveryCommitInOrderAndNothingElse) {
  RecordingListener listener;
  registry_->SetChangeListener(&listener);
  PutAccount("a", "x");
  ASSERT_OK_AND_ASSIGN(v1::Flag f, PutFlag(BoolFlag("f"), 0));
  EXPECT_FALSE(PutFlag(BoolFlag("f"), 0).ok());  // refused: not seen
  v1::DeleteAccountRequest del;
  *del.mutable_meta() = Meta(1);
  del.set_key("a");
  ASSERT_OK(registry_->DeleteAccount(del));
  ASSERT_THAT(listener.seen, SizeIs(3));
  EXPECT_EQ(listener.seen[0].first, 1);
  EXPECT_EQ(listener.seen[0].second.kind, v1::OBJECT_KIND_ACCOUNT);
  EXPECT_EQ(listener.seen[1].first, 2);
  v1::Flag stored;
  ASSERT_TRUE(stored.ParseFromString(listener.seen[1].second.after));
  EXPECT_EQ(stored.revision(), f.revision());
  EXPECT_EQ(listener.seen[2].first, 3);
  EXPECT_TRUE(listener.seen[2].second.deleted);
  EXPECT_EQ(listener.seen[2].second.key, "a");
  registry_->SetChangeListener(nullptr);
}

}  // namespace
}  // namespace rampart::registry
