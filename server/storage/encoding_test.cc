#include "server/storage/encoding.h"

#include <algorithm>
#include <vector>

#include "gtest/gtest.h"

namespace rampart::storage {
namespace {

TEST(EncodingTest, IntegersRoundTripAndSortAsBytes) {
  std::vector<uint64_t> values = {0, 1, 255, 256, 65535, 1ull << 32, ~0ull};
  std::vector<std::string> encoded;
  for (uint64_t v : values) {
    std::string s;
    PutBigEndian64(&s, v);
    absl::string_view view = s;
    ASSERT_EQ(GetBigEndian64(&view), v);
    EXPECT_TRUE(view.empty());
    encoded.push_back(s);
  }
  EXPECT_TRUE(std::is_sorted(encoded.begin(), encoded.end()));

  std::string s;
  PutBigEndian32(&s, 0xdeadbeef);
  absl::string_view view = s;
  EXPECT_EQ(GetBigEndian32(&view), 0xdeadbeefu);
}

TEST(EncodingTest, ShortInputIsRejected) {
  absl::string_view view("\x01\x02", 2);
  EXPECT_FALSE(GetBigEndian32(&view).has_value());
  EXPECT_FALSE(GetBigEndian64(&view).has_value());
  EXPECT_EQ(view.size(), 2u);  // nothing consumed
  std::string s;
  PutBigEndian32(&s, 10);
  s += "abc";
  view = s;
  EXPECT_FALSE(GetLengthPrefixed(&view).has_value());
}

TEST(EncodingTest, LengthPrefixedRoundTripsAnyBytes) {
  std::string s;
  const std::string binary("a\0b\xff", 4);
  PutLengthPrefixed(&s, binary);
  PutLengthPrefixed(&s, "");
  absl::string_view view = s;
  EXPECT_EQ(GetLengthPrefixed(&view), binary);
  EXPECT_EQ(GetLengthPrefixed(&view), "");
  EXPECT_TRUE(view.empty());
}

TEST(EncodingTest, AuditKeysRoundTripAndSortByRevisionThenSeq) {
  std::vector<AuditPosition> positions = {{1, 0}, {1, 1}, {1, 70000}, {2, 0}, {300, 5}};
  std::vector<std::string> keys;
  for (const auto& p : positions) {
    keys.push_back(AuditKey(p));
    EXPECT_EQ(ParseAuditKey(keys.back()), p);
  }
  EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end()));
  EXPECT_FALSE(ParseAuditKey("short").has_value());
}

TEST(EncodingTest, AuditIndexKeysKeepObjectsApart) {
  // "ab" must not be a prefix-match of "a" + something: the length prefix
  // separates them.
  const std::string a = AuditObjectIndexPrefix(3, "a");
  const std::string ab = AuditObjectIndexPrefix(3, "ab");
  EXPECT_NE(ab.substr(0, a.size()), a);
  EXPECT_NE(AuditObjectIndexPrefix(1, "x"), AuditObjectIndexPrefix(3, "x"));
  EXPECT_NE(AuditActorIndexPrefix("x").substr(0, 1), AuditObjectIndexPrefix(1, "x").substr(0, 1));

  const AuditPosition pos{42, 7};
  const std::string key = AuditIndexKey(ab, pos);
  EXPECT_EQ(key.substr(0, ab.size()), ab);
  EXPECT_EQ(ParseAuditIndexKey(key), pos);
  absl::string_view rest = absl::string_view(key).substr(2);
  EXPECT_EQ(GetLengthPrefixed(&rest), "ab");
}

}  // namespace
}  // namespace rampart::storage
