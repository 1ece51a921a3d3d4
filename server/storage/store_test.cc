#include "server/storage/store.h"

#include <memory>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/env.h"
#include "server/storage/encoding.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace rampart::storage {
namespace {

using ::rampart::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(StoreTest, NewStoreIsStampedWithTheSchema) {
  testing::TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto store, Store::Open({dir.path()}));
  EXPECT_TRUE(store->created());
  EXPECT_EQ(store->schema_version(), kSchemaVersion);
  store.reset();
  ASSERT_OK_AND_ASSIGN(store, Store::Open({dir.path()}));
  EXPECT_FALSE(store->created());
}

TEST(StoreTest, WritesPersistAcrossReopen) {
  testing::TempDir dir;
  {
    ASSERT_OK_AND_ASSIGN(auto store, Store::Open({dir.path()}));
    WriteBatch batch;
    batch.Put(Cf::kFlags, "a", "1");
    batch.Put(Cf::kAccounts, "a", "2");
    ASSERT_OK(store->Write(batch));
  }
  ASSERT_OK_AND_ASSIGN(auto store, Store::Open({dir.path()}));
  EXPECT_THAT(store->Get(Cf::kFlags, "a"), testing::IsOkAndHolds(std::optional<std::string>("1")));
  EXPECT_THAT(store->Get(Cf::kAccounts, "a"),
              testing::IsOkAndHolds(std::optional<std::string>("2")));
  EXPECT_THAT(store->Get(Cf::kSegments, "a"), testing::IsOkAndHolds(std::nullopt));
}

TEST(StoreTest, ScanHonoursPrefixStartAndDirection) {
  std::unique_ptr<rocksdb::Env> env(rocksdb::NewMemEnv(rocksdb::Env::Default()));
  ASSERT_OK_AND_ASSIGN(auto store, Store::Open({"/mem/db", env.get()}));
  WriteBatch batch;
  for (const char* k : {"a1", "a2", "a3", "b1"}) batch.Put(Cf::kAuditIndex, k, "");
  ASSERT_OK(store->Write(batch));

  auto collect = [&](absl::string_view prefix, absl::string_view start, bool reverse) {
    std::vector<std::string> keys;
    EXPECT_OK(store->Scan(Cf::kAuditIndex, prefix, start, reverse, [&](auto k, auto) {
      keys.emplace_back(k);
      return true;
    }));
    return keys;
  };
  EXPECT_THAT(collect("a", "", false), ElementsAre("a1", "a2", "a3"));
  EXPECT_THAT(collect("a", "a2", false), ElementsAre("a2", "a3"));
  EXPECT_THAT(collect("a", "", true), ElementsAre("a3", "a2", "a1"));
  EXPECT_THAT(collect("a", "a2", true), ElementsAre("a2", "a1"));
  EXPECT_THAT(collect("", "", true), ElementsAre("b1", "a3", "a2", "a1"));
  EXPECT_THAT(collect("c", "", false), ElementsAre());
}

TEST(StoreTest, SecondOpenOfALockedDirFailsClearly) {
  testing::TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto store, Store::Open({dir.path()}));
  EXPECT_THAT(Store::Open({dir.path()}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("is locked")));
}

TEST(StoreTest, NewerSchemaIsRefused) {
  testing::TempDir dir;
  {
    ASSERT_OK_AND_ASSIGN(auto store, Store::Open({dir.path()}));
    WriteBatch batch;
    std::string v;
    PutBigEndian32(&v, kSchemaVersion + 1);
    batch.Put(Cf::kMeta, kMetaSchemaVersion, v);
    ASSERT_OK(store->Write(batch));
  }
  EXPECT_THAT(Store::Open({dir.path()}),
              StatusIs(absl::StatusCode::kFailedPrecondition, HasSubstr("newer rampartd")));
}

}  // namespace
}  // namespace rampart::storage
