#include "server/stream/publisher.h"

#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "grpcpp/support/slice.h"
#include "gtest/gtest.h"
#include "rampart/v1/sdk.pb.h"
#include "rocksdb/env.h"
#include "server/registry/testing/in_memory_registry.h"
#include "tests/testing/simulated_clock.h"
#include "tests/testing/status_matchers.h"

namespace rampart::stream {
namespace {

using ::rampart::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class PublisherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, rampart::testing::InMemoryRegistry::Open(clock_, "/mem/publisher"));
    store_ = db_->store();
    registry_ = db_->registry();
  }

  void TearDown() override { registry_->SetChangeListener(nullptr); }

  // The publisher over the store as it is now, listening to the registry.
  void StartPublisher(const PublisherOptions& options = {}) {
    auto publisher = Publisher::Create(*store_, registry_->revision(), options);
    ASSERT_OK(publisher);
    publisher_ = std::move(*publisher);
    registry_->SetChangeListener(publisher_.get());
  }

  static v1::WriteMeta Meta(int64_t revision = 0) {
    v1::WriteMeta m;
    m.set_actor("alice");
    m.set_reason("testing");
    m.set_expected_revision(revision);
    return m;
  }

  v1::Flag PutFlag(const std::string& key, int64_t expected = 0,
                   const std::string& description = "") {
    v1::PutFlagRequest req;
    *req.mutable_meta() = Meta(expected);
    v1::Flag& f = *req.mutable_flag();
    f.set_key(key);
    f.set_type(v1::FLAG_TYPE_BOOL);
    f.set_description(description);
    auto* on = f.add_variants();
    on->set_name("on");
    on->mutable_value()->set_bool_value(true);
    auto* off = f.add_variants();
    off->set_name("off");
    off->mutable_value()->set_bool_value(false);
    f.set_default_variant("off");
    f.set_off_variant("off");
    f.set_enabled(true);
    auto flag = registry_->PutFlag(req);
    EXPECT_OK(flag);
    return flag.ok() ? *flag : v1::Flag();
  }

  v1::Flag Archive(const std::string& key, bool archived) {
    auto current = registry_->GetFlag(key);
    EXPECT_OK(current);
    v1::ArchiveFlagRequest req;
    *req.mutable_meta() = Meta(current->revision());
    req.set_key(key);
    req.set_archived(archived);
    auto flag = registry_->ArchiveFlag(req);
    EXPECT_OK(flag);
    return flag.ok() ? *flag : v1::Flag();
  }

  void PutAccount(const std::string& key) {
    v1::PutAccountRequest req;
    *req.mutable_meta() = Meta();
    req.mutable_account()->set_key(key);
    req.mutable_account()->set_name(key + " Ltd");
    EXPECT_OK(registry_->PutAccount(req));
  }

  void PutSegment(const std::string& key) {
    v1::PutSegmentRequest req;
    *req.mutable_meta() = Meta();
    req.mutable_segment()->set_key(key);
    req.mutable_segment()->set_name(key);
    EXPECT_OK(registry_->PutSegment(req));
  }

  // Publisher::Next for no subscriber, expecting a message.
  Update NextUpdate(int64_t version) {
    auto next = publisher_->Next(nullptr, version);
    EXPECT_OK(next);
    if (!next.ok() || !next->has_value()) {
      ADD_FAILURE() << "no message for version " << version;
      return Update{};
    }
    return **next;
  }

  // Publisher::Snapshot, for a subscriber that has nothing.
  Update CurrentSnapshot() {
    auto snapshot = publisher_->Snapshot();
    EXPECT_OK(snapshot);
    return snapshot.ok() ? *snapshot : Update{};
  }

  static std::vector<grpc::Slice> Slices(const Update& u) {
    std::vector<grpc::Slice> slices;
    EXPECT_TRUE(u.bytes.Dump(&slices).ok());
    return slices;
  }

  static v1::WatchResponse Parse(const Update& u) {
    std::string bytes;
    for (const grpc::Slice& s : Slices(u)) {
      bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
    v1::WatchResponse response;
    EXPECT_TRUE(response.ParseFromString(bytes));
    return response;
  }

  template <typename T>
  static std::vector<std::string> Keys(const google::protobuf::RepeatedPtrField<T>& objects) {
    std::vector<std::string> keys;
    for (const T& o : objects) keys.push_back(o.key());
    return keys;
  }

  testing::SimulatedClock clock_{absl::FromUnixSeconds(1795430400)};  // 2026-11-23 UTC
  std::unique_ptr<rampart::testing::InMemoryRegistry> db_;
  storage::Store* store_ = nullptr;
  registry::Registry* registry_ = nullptr;
  std::unique_ptr<Publisher> publisher_;
};

// Counts its wake-ups.
class CountingSubscriber final : public Subscriber {
 public:
  void Wake() override { ++wakes; }
  int wakes = 0;
};

TEST_F(PublisherTest, SnapshotAtStartHoldsTheViewWithoutArchivedFlags) {
  PutAccount("acme");
  PutSegment("accounting");
  PutFlag("new-editor");
  PutFlag("old-editor");
  Archive("old-editor", true);
  StartPublisher();
  ASSERT_EQ(publisher_->version(), 5);

  const Update update = CurrentSnapshot();
  EXPECT_TRUE(update.is_snapshot);
  EXPECT_EQ(update.version, 5);
  const v1::WatchResponse r = Parse(update);
  ASSERT_TRUE(r.has_snapshot());
  EXPECT_EQ(r.snapshot().version(), 5);
  EXPECT_THAT(Keys(r.snapshot().flags()), ElementsAre("new-editor"));
  EXPECT_THAT(Keys(r.snapshot().segments()), ElementsAre("accounting"));
  EXPECT_THAT(Keys(r.snapshot().accounts()), ElementsAre("acme"));
  // Whole objects, as stored.
  EXPECT_EQ(r.snapshot().flags(0).default_variant(), "off");
  EXPECT_EQ(r.snapshot().flags(0).revision(), 3);
  EXPECT_EQ(r.snapshot().accounts(0).name(), "acme Ltd");
}

TEST_F(PublisherTest, SnapshotIsSerializedLazilyOncePerVersion) {
  PutFlag("a");
  StartPublisher();
  EXPECT_EQ(publisher_->snapshots_serialized(), 0);
  const Update first = CurrentSnapshot();
  const Update second = CurrentSnapshot();
  EXPECT_EQ(publisher_->snapshots_serialized(), 1);
  EXPECT_EQ(Slices(first)[0].begin(), Slices(second)[0].begin());

  PutFlag("b");  // a commit does no snapshot work...
  EXPECT_EQ(publisher_->snapshots_serialized(), 1);
  const Update third = CurrentSnapshot();  // ...the next subscriber that needs one does
  EXPECT_EQ(publisher_->snapshots_serialized(), 2);
  EXPECT_EQ(third.version, 2);
  EXPECT_THAT(Keys(Parse(third).snapshot().flags()), ElementsAre("a", "b"));
}

TEST_F(PublisherTest, CommitProducesOneDeltaFromThePreviousVersion) {
  PutFlag("a");
  StartPublisher();
  PutAccount("acme");

  const Update update = NextUpdate(1);
  EXPECT_FALSE(update.is_snapshot);
  EXPECT_EQ(update.version, 2);
  const v1::WatchResponse r = Parse(update);
  ASSERT_TRUE(r.has_delta());
  EXPECT_EQ(r.delta().from_version(), 1);
  EXPECT_EQ(r.delta().version(), 2);
  EXPECT_THAT(Keys(r.delta().put_accounts()), ElementsAre("acme"));
  EXPECT_THAT(r.delta().put_flags(), IsEmpty());
  EXPECT_EQ(publisher_->deltas_serialized(), 1);

  // Up to date: nothing to send.
  auto next = publisher_->Next(nullptr, 2);
  ASSERT_OK(next);
  EXPECT_FALSE(next->has_value());
}

TEST_F(PublisherTest, DeltasAreServedInOrderFromAnOldVersion) {
  StartPublisher();
  for (const char* key : {"a", "b", "c", "d"}) PutFlag(key);
  PutFlag("b", 2, "changed");

  std::vector<std::string> seen;
  int64_t version = 1;  // the SDK has version 1 (flag "a")
  for (;;) {
    auto next = publisher_->Next(nullptr, version);
    ASSERT_OK(next);
    if (!next->has_value()) break;
    const v1::WatchResponse r = Parse(**next);
    ASSERT_TRUE(r.has_delta()) << "expected only deltas";
    EXPECT_EQ(r.delta().from_version(), version);
    EXPECT_EQ(r.delta().version(), version + 1);
    ASSERT_EQ(r.delta().put_flags_size(), 1);
    seen.push_back(r.delta().put_flags(0).key() + ":" + r.delta().put_flags(0).description());
    version = (*next)->version;
  }
  EXPECT_EQ(version, 5);
  EXPECT_THAT(seen, ElementsAre("b:", "c:", "d:", "b:changed"));
}

TEST_F(PublisherTest, VersionOlderThanTheHistoryOrUnknownGetsTheSnapshot) {
  PublisherOptions options;
  options.max_history_deltas = 2;
  StartPublisher(options);
  for (const char* key : {"a", "b", "c", "d", "e"}) PutFlag(key);  // versions 1..5

  EXPECT_FALSE(NextUpdate(4).is_snapshot);  // the history has 3->4 and 4->5
  EXPECT_FALSE(NextUpdate(3).is_snapshot);
  // 0 to 2: older than the history; 6, 1000: newer than the server has.
  for (int64_t version : {int64_t{0}, int64_t{1}, int64_t{2}, int64_t{6}, int64_t{1000}}) {
    const Update u = NextUpdate(version);
    EXPECT_TRUE(u.is_snapshot) << version;
    EXPECT_EQ(u.version, 5) << version;
    EXPECT_THAT(Keys(Parse(u).snapshot().flags()), ElementsAre("a", "b", "c", "d", "e"));
  }
}

TEST_F(PublisherTest, HistoryIsBoundedInBytesButKeepsTheNewestDelta) {
  PublisherOptions options;
  options.max_history_bytes = 1;  // smaller than any delta
  StartPublisher(options);
  PutFlag("a");
  PutFlag("b");
  PutFlag("c");
  // 2 -> 3, the newest delta, is kept whatever its size; the older are gone.
  EXPECT_FALSE(NextUpdate(2).is_snapshot);
  EXPECT_TRUE(NextUpdate(1).is_snapshot);
}

TEST_F(PublisherTest, EverySubscriberGetsTheSameDeltaBytes) {
  StartPublisher();
  PutFlag("a");
  PutFlag("b");
  EXPECT_EQ(publisher_->deltas_serialized(), 2);
  const Update one = NextUpdate(1);
  const Update two = NextUpdate(1);
  const auto s1 = Slices(one);
  const auto s2 = Slices(two);
  ASSERT_EQ(s1.size(), 1u);
  ASSERT_EQ(s2.size(), 1u);
  // The same bytes, not a copy: serialized once, shared by reference.
  EXPECT_EQ(s1[0].begin(), s2[0].begin());
  EXPECT_EQ(publisher_->deltas_serialized(), 2);
}

TEST_F(PublisherTest, ArchivingAFlagIsARemovalAndRestoringItAPut) {
  PutFlag("x");
  PutFlag("y");
  StartPublisher();    // version 2
  Archive("x", true);  // 3
  v1::WatchResponse r = Parse(NextUpdate(2));
  EXPECT_THAT(r.delta().removed_flags(), ElementsAre("x"));
  EXPECT_THAT(r.delta().put_flags(), IsEmpty());
  EXPECT_THAT(Keys(Parse(CurrentSnapshot()).snapshot().flags()), ElementsAre("y"));

  Archive("x", false);  // 4
  r = Parse(NextUpdate(3));
  EXPECT_THAT(Keys(r.delta().put_flags()), ElementsAre("x"));
  EXPECT_THAT(r.delta().removed_flags(), IsEmpty());
  EXPECT_THAT(Keys(Parse(CurrentSnapshot()).snapshot().flags()), ElementsAre("x", "y"));
}

TEST_F(PublisherTest, DeletesAreRemovals) {
  PutAccount("acme");
  PutSegment("accounting");
  StartPublisher();  // version 2
  v1::DeleteAccountRequest del_account;
  *del_account.mutable_meta() = Meta(1);
  del_account.set_key("acme");
  ASSERT_OK(registry_->DeleteAccount(del_account));
  v1::DeleteSegmentRequest del_segment;
  *del_segment.mutable_meta() = Meta(2);
  del_segment.set_key("accounting");
  ASSERT_OK(registry_->DeleteSegment(del_segment));

  EXPECT_THAT(Parse(NextUpdate(2)).delta().removed_accounts(), ElementsAre("acme"));
  EXPECT_THAT(Parse(NextUpdate(3)).delta().removed_segments(), ElementsAre("accounting"));
  const v1::WatchResponse snapshot = Parse(CurrentSnapshot());
  EXPECT_THAT(snapshot.snapshot().accounts(), IsEmpty());
  EXPECT_THAT(snapshot.snapshot().segments(), IsEmpty());
}

TEST_F(PublisherTest, AnEmptyStoreHasASnapshotAndDeltasFromVersionZero) {
  StartPublisher();
  const Update empty = CurrentSnapshot();
  EXPECT_EQ(empty.version, 0);
  EXPECT_THAT(Parse(empty).snapshot().flags(), IsEmpty());
  auto next = publisher_->Next(nullptr, 0);  // holding that snapshot: up to date
  ASSERT_OK(next);
  EXPECT_FALSE(next->has_value());

  PutFlag("a");
  const Update delta = NextUpdate(0);
  EXPECT_FALSE(delta.is_snapshot);
  EXPECT_EQ(Parse(delta).delta().from_version(), 0);
}

TEST_F(PublisherTest, WaitingSubscribersAreWokenOncePerWait) {
  StartPublisher();
  CountingSubscriber sub;
  publisher_->Subscribe(&sub);
  PutFlag("a");  // not waiting yet: it has not been told it is up to date
  EXPECT_EQ(sub.wakes, 0);

  auto next = publisher_->Next(&sub, 1);
  ASSERT_OK(next);
  EXPECT_FALSE(next->has_value());  // up to date: now waiting
  PutFlag("b");
  EXPECT_EQ(sub.wakes, 1);
  PutFlag("c");  // woken already; it has not asked again
  EXPECT_EQ(sub.wakes, 1);

  publisher_->Shutdown();
  EXPECT_EQ(sub.wakes, 2);
  EXPECT_THAT(publisher_->Next(&sub, 1),
              StatusIs(absl::StatusCode::kUnavailable, "server shutting down"));
  EXPECT_THAT(publisher_->Snapshot(), StatusIs(absl::StatusCode::kUnavailable, ::testing::_));
  publisher_->Unsubscribe(&sub);
  publisher_->Unsubscribe(&sub);  // idempotent
}

}  // namespace
}  // namespace rampart::stream
