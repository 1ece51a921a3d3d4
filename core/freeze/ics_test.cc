#include "core/freeze/ics.h"

#include <string>
#include <vector>

#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace rampart::freeze {
namespace {

absl::Time At(const char* rfc3339) {
  absl::Time t;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, rfc3339, &t, nullptr)) << rfc3339;
  return t;
}

TEST(IcsTest, ExactCalendar) {
  IcsEvent e{"freeze-x@rampart", At("2026-11-24T12:00:00Z"), At("2026-11-25T21:00:00Z"),
             "Freeze: accounting", "", {"freeze", "accounting"}};
  IcsEvent step{"ramp-y@rampart", At("2026-11-26T09:00:00Z"), At("2026-11-26T09:00:00Z"),
                "Ramp y", "planned", {}};
  EXPECT_EQ(WriteIcs("Rampart", {e, step}, At("2026-11-23T00:00:00Z")),
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Rampart//Rampart freeze calendar//EN\r\n"
            "CALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\nX-WR-CALNAME:Rampart\r\n"
            "BEGIN:VEVENT\r\nUID:freeze-x@rampart\r\nDTSTAMP:20261123T000000Z\r\n"
            "DTSTART:20261124T120000Z\r\nDTEND:20261125T210000Z\r\nSUMMARY:Freeze: accounting\r\n"
            "CATEGORIES:freeze,accounting\r\nTRANSP:OPAQUE\r\nEND:VEVENT\r\n"
            "BEGIN:VEVENT\r\nUID:ramp-y@rampart\r\nDTSTAMP:20261123T000000Z\r\n"
            "DTSTART:20261126T090000Z\r\nDTEND:20261126T090000Z\r\nSUMMARY:Ramp y\r\n"
            "DESCRIPTION:planned\r\nTRANSP:OPAQUE\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
}

TEST(IcsTest, EscapesText) {
  EXPECT_EQ(EscapeIcsText("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
}

TEST(IcsTest, FoldsAtSeventyFiveOctetsKeepingUtf8Whole) {
  std::string summary = "SUMMARY:";
  for (int i = 0; i < 40; ++i) summary += "Заморозка ";  // 2-byte letters
  const std::string folded = FoldIcsLine(summary);
  for (absl::string_view line : absl::StrSplit(folded, "\r\n")) {
    EXPECT_LE(line.size(), 75u);
    // No line starts inside a UTF-8 sequence (after the fold's space).
    absl::string_view body = line;
    if (!body.empty() && body[0] == ' ') body.remove_prefix(1);
    ASSERT_FALSE(body.empty());
    EXPECT_NE(static_cast<unsigned char>(body[0]) & 0xC0, 0x80) << line;
  }
  EXPECT_EQ(absl::StrReplaceAll(folded, {{"\r\n ", ""}}), summary);
}

}  // namespace
}  // namespace rampart::freeze
