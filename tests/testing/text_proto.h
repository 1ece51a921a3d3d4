// Test-only: a protobuf message from its text format, the readable way to
// write a flag, a segment or a plan in a test. A text that does not parse
// fails the test (and names the text).
#ifndef RAMPART_TESTS_TESTING_TEXT_PROTO_H_
#define RAMPART_TESTS_TESTING_TEXT_PROTO_H_

#include <string>

#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"

namespace rampart::testing {

template <typename T>
T ParseTextProto(const std::string& text) {
  T message;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &message)) << text;
  return message;
}

}  // namespace rampart::testing

#endif  // RAMPART_TESTS_TESTING_TEXT_PROTO_H_
