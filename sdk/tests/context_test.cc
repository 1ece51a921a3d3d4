#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rampart/client.h"
#include "sdk/src/context_data.h"

namespace rampart {
namespace {

TEST(Context, CopiesShareUntilOneChanges) {
  Context a("acme-accounting");
  a.SetUser("u-1").Set("plan", "enterprise");
  Context b = a;
  EXPECT_EQ(&a.data(), &b.data());  // shared, not copied

  b.Set("plan", "free").SetUser("u-2");
  EXPECT_NE(&a.data(), &b.data());
  EXPECT_EQ(a.data().proto.attributes().at("plan").string_value(), "enterprise");
  EXPECT_EQ(b.data().proto.attributes().at("plan").string_value(), "free");
  EXPECT_EQ(a.user_key(), "u-1");
  EXPECT_EQ(b.user_key(), "u-2");
  EXPECT_EQ(b.account_key(), "acme-accounting");

  // Sole owner: changed in place.
  const Context::Data* before = &b.data();
  b.Set("seats", 12);
  EXPECT_EQ(&b.data(), before);
}

TEST(Context, AttributeTypes) {
  Context c;
  c.SetAccount("k").Set("s", "x").Set("n", 2.5).Set("i", 3).Set("b", true).Set(
      "l", std::vector<std::string>{"a", "b"});
  const auto& attrs = c.data().proto.attributes();
  EXPECT_EQ(attrs.at("s").string_value(), "x");
  EXPECT_EQ(attrs.at("n").number_value(), 2.5);
  EXPECT_EQ(attrs.at("i").number_value(), 3);
  EXPECT_TRUE(attrs.at("b").bool_value());
  EXPECT_THAT(attrs.at("l").list_value().values(), ::testing::ElementsAre("a", "b"));
}

TEST(Context, DefaultAndMovedFromAreEmptyAndUsable) {
  Context a;
  Context b;
  EXPECT_EQ(a.account_key(), "");
  a.SetAccount("x");
  EXPECT_EQ(b.account_key(), "");  // the shared empty data was not changed
  Context c = std::move(a);
  EXPECT_EQ(c.account_key(), "x");
  EXPECT_EQ(a.account_key(), "");  // NOLINT: moved-from is valid and empty
  a.SetAccount("y");
  EXPECT_EQ(a.account_key(), "y");
}

}  // namespace
}  // namespace rampart
