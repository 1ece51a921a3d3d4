#include "sdk/src/json.h"

#include <limits>

#include "gtest/gtest.h"

namespace rampart::sdk {
namespace {

TEST(ValueToJson, EveryKind) {
  v1::FlagValue v;
  EXPECT_EQ(ValueToJson(v), "null");
  v.set_bool_value(true);
  EXPECT_EQ(ValueToJson(v), "true");
  v.set_int_value(-25);
  EXPECT_EQ(ValueToJson(v), "-25");
  v.set_double_value(0.1);
  EXPECT_EQ(ValueToJson(v), "0.1");
  v.set_double_value(std::numeric_limits<double>::infinity());
  EXPECT_EQ(ValueToJson(v), "null");
  v.set_string_value("xml-2026 \"q\"\n\x01");
  EXPECT_EQ(ValueToJson(v), "\"xml-2026 \\\"q\\\"\\n\\u0001\"");
  v.set_json_value("{\"a\": [1, 2]}");
  EXPECT_EQ(ValueToJson(v), "{\"a\": [1, 2]}");
}

}  // namespace
}  // namespace rampart::sdk
