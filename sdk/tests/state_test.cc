#include "sdk/src/state.h"

#include "core/common/time_util.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "sdk/tests/test_data.h"
#include "tests/testing/status_matchers.h"

namespace rampart::sdk {
namespace {

using ::rampart::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using namespace ::rampart::sdk::testing;  // NOLINT: test data builders

eval::Context Account(absl::string_view key) {
  eval::Context c;
  c.account_key = key;
  return c;
}

bool On(FlagState& state, absl::string_view flag, absl::string_view account) {
  auto snapshot = state.Build();
  eval::Evaluation e = eval::Evaluate(*snapshot, flag, Account(account), absl::Now());
  return e.value != nullptr && e.value->bool_value();
}

TEST(FlagState, SnapshotThenDeltas) {
  FlagState state;
  EXPECT_FALSE(state.has_data());
  AppliedChange first = state.ApplySnapshot(DemoSnapshot(3));
  EXPECT_TRUE(state.has_data());
  EXPECT_EQ(state.version(), 3);
  EXPECT_THAT(first.changed_flags, ElementsAre("new-invoice-editor"));
  EXPECT_TRUE(On(state, "new-invoice-editor", "acme-accounting"));
  EXPECT_FALSE(On(state, "new-invoice-editor", "kino-mir"));

  // Turn it on for everyone, add a flag.
  absl::StatusOr<AppliedChange> d = state.Apply(
      DeltaMessage(3, 5, {BoolFlag("new-invoice-editor", true), BoolFlag("bulk-export", true)}));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(state.version(), 5);
  EXPECT_THAT(d->changed_flags, ElementsAre("bulk-export", "new-invoice-editor"));
  EXPECT_FALSE(d->accounts_changed);
  EXPECT_TRUE(On(state, "new-invoice-editor", "kino-mir"));
  EXPECT_TRUE(On(state, "bulk-export", "kino-mir"));

  // Remove one; a put of an unchanged flag is not a change.
  d = state.Apply(DeltaMessage(5, 6, {BoolFlag("bulk-export", true)}, {"new-invoice-editor"}));
  ASSERT_TRUE(d.ok());
  EXPECT_THAT(d->changed_flags, ElementsAre("new-invoice-editor"));
  EXPECT_EQ(state.ToProto().flags_size(), 1);

  // Accounts in a delta.
  v1::WatchResponse accounts = DeltaMessage(6, 7, {});
  *accounts.mutable_delta()->add_put_accounts() = AccountIn("new-client", "accounting");
  d = state.Apply(accounts);
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->accounts_changed);
  EXPECT_THAT(d->changed_flags, IsEmpty());
  EXPECT_EQ(state.ToProto().accounts_size(), 3);
}

TEST(FlagState, SnapshotReportsWhatChanged) {
  FlagState state;
  state.ApplySnapshot(DemoSnapshot(1, {BoolFlag("a", true), BoolFlag("b", true)}));
  AppliedChange c = state.ApplySnapshot(DemoSnapshot(2, {BoolFlag("a", false), BoolFlag("c", true)}));
  EXPECT_THAT(c.changed_flags, ElementsAre("a", "b", "c"));
  EXPECT_TRUE(c.accounts_changed);  // a full snapshot always counts
}

TEST(FlagState, DeltaFromAnotherVersionIsRefusedAndForcesASnapshot) {
  FlagState state;
  state.ApplySnapshot(DemoSnapshot(3));
  EXPECT_EQ(state.resume_version(), 3);
  EXPECT_THAT(state.Apply(DeltaMessage(4, 5, {BoolFlag("x", true)})),
              StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::HasSubstr("version 4")));
  // Nothing changed; the caller distrusts the state and resumes from 0.
  EXPECT_EQ(state.version(), 3);
  EXPECT_EQ(state.ToProto().flags_size(), 1);
  state.Distrust();
  EXPECT_EQ(state.resume_version(), 0);
  EXPECT_EQ(state.version(), 3);  // still served
  // Even a delta that follows is refused until a snapshot comes.
  EXPECT_FALSE(state.Apply(DeltaMessage(3, 4, {BoolFlag("x", true)})).ok());
  state.ApplySnapshot(DemoSnapshot(9));
  EXPECT_EQ(state.resume_version(), 9);
  EXPECT_TRUE(state.Apply(DeltaMessage(9, 10, {BoolFlag("x", true)})).ok());
}

TEST(FlagState, DeltaBeforeAnySnapshotIsRefused) {
  FlagState state;
  EXPECT_THAT(state.Apply(DeltaMessage(0, 1, {BoolFlag("x", true)})),
              StatusIs(absl::StatusCode::kFailedPrecondition, ::testing::HasSubstr("no snapshot")));
  EXPECT_FALSE(state.has_data());
}

TEST(FlagState, MalformedMessagesDoNotCrash) {
  FlagState state;
  EXPECT_THAT(state.Apply(v1::WatchResponse()), StatusIs(absl::StatusCode::kInvalidArgument,
                                                         ::testing::HasSubstr("neither")));
  state.ApplySnapshot(DemoSnapshot(1));
  // A version going backwards.
  EXPECT_THAT(state.Apply(DeltaMessage(1, 0, {})),
              StatusIs(absl::StatusCode::kInvalidArgument, ::testing::HasSubstr("before")));

  // Unknown keys removed, a rule naming an unknown segment, a flag without
  // the variants it names, a flag with no key.
  v1::Flag dangling = BoolFlagForSegment("dangling", "no-such-segment");
  v1::Flag no_variants = BoolFlag("no-variants", true);
  no_variants.clear_variants();
  v1::WatchResponse m = DeltaMessage(1, 2, {dangling, no_variants, v1::Flag()},
                                     {"never-existed"});
  m.mutable_delta()->add_removed_segments("never-existed");
  m.mutable_delta()->add_removed_accounts("never-existed");
  ASSERT_TRUE(state.Apply(m).ok());

  auto snapshot = state.Build();
  eval::Evaluation e = eval::Evaluate(*snapshot, "dangling", Account("acme-accounting"), absl::Now());
  ASSERT_NE(e.value, nullptr);
  EXPECT_FALSE(e.value->bool_value());  // the rule never matches
  e = eval::Evaluate(*snapshot, "no-variants", Account("acme-accounting"), absl::Now());
  EXPECT_EQ(e.value, nullptr);
  EXPECT_EQ(e.error, v1::ERROR_CODE_GENERAL);
}

}  // namespace
}  // namespace rampart::sdk

namespace rampart::sdk {
namespace {

TEST(FlagState, AFlagOnlyChangeSharesThePreviousAccounts) {
  FlagState state;
  state.ApplySnapshot(testing::DemoSnapshot(1));
  std::shared_ptr<const eval::Snapshot> first = state.Build();
  absl::StatusOr<AppliedChange> d =
      state.Apply(testing::DeltaMessage(1, 2, {testing::BoolFlagForSegment("x", "accounting")}));
  ASSERT_TRUE(d.ok());
  ASSERT_FALSE(d->accounts_changed);
  std::shared_ptr<const eval::Snapshot> second = state.Build();
  first.reset();  // the shared accounts outlive the snapshot they came from
  ASSERT_TRUE(second->HasAccount("acme-accounting"));
  eval::Context acme;
  acme.account_key = "acme-accounting";
  eval::Evaluation e = eval::Evaluate(*second, "x", acme, absl::Now());
  ASSERT_NE(e.value, nullptr);
  EXPECT_TRUE(e.value->bool_value());  // the segment rule read the shared account
}

}  // namespace
}  // namespace rampart::sdk

namespace rampart::sdk {
namespace {

TEST(FlagState, AccountChangesAreCopiedFromThePreviousBuildAndSerializedWhole) {
  FlagState state;
  state.ApplySnapshot(testing::DemoSnapshot(1));
  std::shared_ptr<const eval::Snapshot> first = state.Build();
  const int before = state.ToProto().accounts_size();
  ASSERT_GT(before, 1);
  ASSERT_TRUE(first->HasAccount("kino-mir"));

  v1::WatchResponse m = testing::DeltaMessage(1, 2, {});
  *m.mutable_delta()->add_put_accounts() = testing::AccountIn("new-client", "accounting");
  m.mutable_delta()->add_removed_accounts("kino-mir");
  absl::StatusOr<AppliedChange> d = state.Apply(m);
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->accounts_changed);
  // Before the next build, the serialized state already has the change.
  v1::SdkSnapshot parsed;
  ASSERT_TRUE(parsed.ParseFromString(state.SerializeSnapshot()));
  EXPECT_EQ(parsed.accounts_size(), before);
  std::shared_ptr<const eval::Snapshot> second = state.Build();
  EXPECT_TRUE(second->HasAccount("new-client"));
  EXPECT_FALSE(second->HasAccount("kino-mir"));
  EXPECT_TRUE(second->HasAccount("acme-accounting"));
  EXPECT_TRUE(first->HasAccount("kino-mir"));  // the old snapshot is untouched

  // The cache file's bytes are exactly the state's message.
  ASSERT_TRUE(parsed.ParseFromString(state.SerializeSnapshot()));
  const v1::SdkSnapshot expected = state.ToProto();
  EXPECT_EQ(parsed.accounts_size(), before);
  EXPECT_EQ(parsed.version(), 2);
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(parsed, expected));
}

}  // namespace
}  // namespace rampart::sdk

namespace rampart::sdk {
namespace {

// The freeze windows reach the engine the SDK evaluates with, survive the
// cache file, and a new schedule in a delta counts as a change of every flag.
TEST(FlagState, FreezeScheduleFreezesAccountsAndTravelsWithTheSnapshot) {
  const absl::Time start = absl::FromUnixSeconds(1'800'000'000);
  const absl::Time end = start + absl::Hours(30);
  v1::SdkSnapshot snapshot = DemoSnapshot(3);
  v1::SegmentFreezeWindows* list = snapshot.mutable_freeze_schedule()->add_segments();
  list->set_segment("accounting");
  v1::FreezeWindow* w = list->add_windows();
  *w->mutable_start() = rampart::ToProto(start);
  *w->mutable_end() = rampart::ToProto(end);
  w->set_rule("the 28th");
  // new-invoice-editor changed during the window: pinned off as it was.
  for (v1::Flag& f : *snapshot.mutable_flags()) {
    if (f.key() != "new-invoice-editor") continue;
    v1::FreezePin* pin = f.add_freeze_pins();
    pin->set_segment("accounting");
    *pin->mutable_window_start() = rampart::ToProto(start);
    *pin->mutable_window_end() = rampart::ToProto(end);
    *pin->mutable_flag() = BoolFlag("new-invoice-editor", false);
  }
  FlagState state;
  state.ApplySnapshot(snapshot);
  const auto eval_at = [&](FlagState& s, absl::Time at) {
    return eval::Evaluate(*s.Build(), "new-invoice-editor", Account("acme-accounting"), at);
  };
  eval::Evaluation e = eval_at(state, start + absl::Hours(1));
  EXPECT_EQ(e.reason, v1::REASON_FROZEN);
  EXPECT_FALSE(e.value->bool_value());
  EXPECT_TRUE(eval_at(state, end).value->bool_value());

  // Through the cache file's bytes and back: still frozen.
  v1::SdkSnapshot cached;
  ASSERT_TRUE(cached.ParseFromString(state.SerializeSnapshot()));
  EXPECT_EQ(cached.freeze_schedule().segments_size(), 1);
  FlagState restarted;
  restarted.ApplySnapshot(cached);
  EXPECT_EQ(eval_at(restarted, start + absl::Hours(1)).reason, v1::REASON_FROZEN);

  // The windows withdrawn: every flag may have changed for someone.
  v1::WatchResponse delta = DeltaMessage(3, 4, {});
  *delta.mutable_delta()->mutable_freeze_schedule()->mutable_horizon() = rampart::ToProto(end);
  absl::StatusOr<AppliedChange> d = state.Apply(delta);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->changed_flags.size(), static_cast<size_t>(snapshot.flags_size()));
  EXPECT_TRUE(eval_at(state, start + absl::Hours(1)).value->bool_value());
}

}  // namespace
}  // namespace rampart::sdk
