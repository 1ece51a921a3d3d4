// GoogleTest matchers for absl::Status and absl::StatusOr<T>:
//   EXPECT_OK(s); ASSERT_OK(s);
//   EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("key")));
//   EXPECT_THAT(so, IsOkAndHolds(Eq(3)));
//   ASSERT_OK_AND_ASSIGN(auto v, F());
#ifndef RAMPART_TESTS_TESTING_STATUS_MATCHERS_H_
#define RAMPART_TESTS_TESTING_STATUS_MATCHERS_H_

#include <ostream>
#include <type_traits>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace rampart::testing {

inline const absl::Status& GetStatus(const absl::Status& s) { return s; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& s) { return s.status(); }

MATCHER_P2(StatusIs, code, message_matcher, "") {
  const absl::Status& s = ::rampart::testing::GetStatus(arg);
  *result_listener << "status is " << s;
  return s.code() == code &&
         ::testing::ExplainMatchResult(message_matcher, std::string(s.message()),
                                       result_listener);
}

MATCHER_P(IsOkAndHolds, value_matcher, "") {
  if (!arg.ok()) {
    *result_listener << "status is " << arg.status();
    return false;
  }
  return ::testing::ExplainMatchResult(value_matcher, *arg, result_listener);
}

}  // namespace rampart::testing

#define EXPECT_OK(expr) EXPECT_TRUE(::rampart::testing::GetStatus(expr).ok()) \
    << ::rampart::testing::GetStatus(expr)
#define ASSERT_OK(expr) ASSERT_TRUE(::rampart::testing::GetStatus(expr).ok()) \
    << ::rampart::testing::GetStatus(expr)

#define RAMPART_TEST_CONCAT_INNER_(a, b) a##b
#define RAMPART_TEST_CONCAT_(a, b) RAMPART_TEST_CONCAT_INNER_(a, b)
#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  ASSERT_OK_AND_ASSIGN_IMPL_(RAMPART_TEST_CONCAT_(_rampart_aoa_, __LINE__), lhs, expr)
#define ASSERT_OK_AND_ASSIGN_IMPL_(so, lhs, expr) \
  auto so = (expr);                               \
  ASSERT_TRUE(so.ok()) << so.status();            \
  lhs = std::move(so).value()

#endif  // RAMPART_TESTS_TESTING_STATUS_MATCHERS_H_
