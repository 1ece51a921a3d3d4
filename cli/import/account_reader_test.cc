#include "cli/import/account_reader.h"

#include <chrono>
#include <sstream>
#include <stdexcept>
#include <streambuf>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace rampart::cli {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::rampart::testing::StatusIs;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;
using ::testing::StartsWith;

absl::StatusOr<std::vector<v1::ImportRow>> ReadAll(const std::string& text, ImportFormat format) {
  std::istringstream in(text);
  std::vector<v1::ImportRow> rows;
  absl::Status status = ReadAccounts(in, format, [&](v1::ImportRow row) {
    rows.push_back(std::move(row));
    return true;
  });
  if (!status.ok()) return status;
  return rows;
}

absl::StatusOr<std::vector<v1::ImportRow>> ReadCsv(const std::string& text) {
  return ReadAll(text, ImportFormat::kCsv);
}
absl::StatusOr<std::vector<v1::ImportRow>> ReadJson(const std::string& text) {
  return ReadAll(text, ImportFormat::kJsonLines);
}

v1::Account AccountFromText(const std::string& text) {
  v1::Account account;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &account)) << text;
  return account;
}

MATCHER_P(EqualsAccount, text, "") {
  if (arg.row_case() != v1::ImportRow::kAccount) {
    *result_listener << "row has parse_error: " << arg.parse_error();
    return false;
  }
  if (MessageDifferencer::Equals(arg.account(), AccountFromText(text))) return true;
  *result_listener << "account is " << arg.account().ShortDebugString();
  return false;
}

MATCHER_P(HasParseError, message_matcher, "") {
  if (arg.row_case() != v1::ImportRow::kParseError) {
    *result_listener << "row is an account: " << arg.ShortDebugString();
    return false;
  }
  return ::testing::ExplainMatchResult(message_matcher, arg.parse_error(), result_listener);
}

MATCHER_P(OnLine, line, "") {
  *result_listener << "line is " << arg.line();
  return arg.line() == line;
}

// The one attribute `a` of a one-row CSV with the given header and cell.
v1::AttributeValue CsvAttribute(const std::string& column, const std::string& cell) {
  auto rows = ReadCsv(absl::StrCat("key,", column, "\nacme,", cell, "\n"));
  EXPECT_OK(rows);
  if (!rows.ok() || rows->size() != 1 || !(*rows)[0].has_account()) {
    ADD_FAILURE() << "no account for " << column << "=" << cell;
    return {};
  }
  const auto& attributes = (*rows)[0].account().attributes();
  auto it = attributes.begin();
  if (attributes.size() != 1) {
    ADD_FAILURE() << "attributes: " << (*rows)[0].account().ShortDebugString();
    return {};
  }
  return it->second;
}

// ---------------------------------------------------------------------------
// FormatFromPath

TEST(FormatFromPathTest, ByExtensionIgnoringCase) {
  EXPECT_EQ(FormatFromPath("accounts.jsonl"), ImportFormat::kJsonLines);
  EXPECT_EQ(FormatFromPath("/tmp/x/ACCOUNTS.JSONL"), ImportFormat::kJsonLines);
  EXPECT_EQ(FormatFromPath("a.ndjson"), ImportFormat::kJsonLines);
  EXPECT_EQ(FormatFromPath("a.NdJson"), ImportFormat::kJsonLines);
  EXPECT_EQ(FormatFromPath("a.json"), ImportFormat::kJsonLines);
  EXPECT_EQ(FormatFromPath("a.Json"), ImportFormat::kJsonLines);
  EXPECT_EQ(FormatFromPath("a.csv"), ImportFormat::kCsv);
  EXPECT_EQ(FormatFromPath("a.CSV"), ImportFormat::kCsv);
  EXPECT_EQ(FormatFromPath("accounts"), ImportFormat::kCsv);
  EXPECT_EQ(FormatFromPath("export.json.csv"), ImportFormat::kCsv);
  EXPECT_EQ(FormatFromPath("dir.json/accounts.csv"), ImportFormat::kCsv);
  EXPECT_EQ(FormatFromPath(""), ImportFormat::kCsv);
}

// ---------------------------------------------------------------------------
// CSV: structure

TEST(CsvTest, ReadsAccountsWithOwnFieldsAndAttributes) {
  ASSERT_OK_AND_ASSIGN(auto rows, ReadCsv("key,name,time_zone,plan,ltv,beta\n"
                                          "acme,ACME,Europe/Moscow,pro,1200000,true\n"
                                          "globex,Globex,,free,0.5,false\n"));
  ASSERT_THAT(rows, SizeIs(2));
  EXPECT_THAT(rows[0], AllOf(OnLine(2), EqualsAccount(R"pb(
                               key: "acme"
                               name: "ACME"
                               time_zone: "Europe/Moscow"
                               attributes {
                                 key: "plan"
                                 value { string_value: "pro" }
                               }
                               attributes {
                                 key: "ltv"
                                 value { number_value: 1200000 }
                               }
                               attributes {
                                 key: "beta"
                                 value { bool_value: true }
                               })pb")));
  EXPECT_THAT(rows[1], AllOf(OnLine(3), EqualsAccount(R"pb(
                               key: "globex"
                               name: "Globex"
                               attributes {
                                 key: "plan"
                                 value { string_value: "free" }
                               }
                               attributes {
                                 key: "ltv"
                                 value { number_value: 0.5 }
                               }
                               attributes {
                                 key: "beta"
                                 value { bool_value: false }
                               })pb")));
}

TEST(CsvTest, OwnFieldAliasesAndCaseInTheHeader) {
  for (const char* tz : {"time_zone", "timezone", "tz", "TZ", "Time_Zone"}) {
    ASSERT_OK_AND_ASSIGN(auto rows,
                         ReadCsv(absl::StrCat("Key,Name,", tz, "\nacme,ACME,Asia/Tokyo\n")));
    ASSERT_THAT(rows, SizeIs(1));
    EXPECT_THAT(rows[0], EqualsAccount(R"pb(key: "acme" name: "ACME" time_zone: "Asia/Tokyo")pb"))
        << tz;
  }
}

TEST(CsvTest, EmptyCellMeansNoAttribute) {
  ASSERT_OK_AND_ASSIGN(auto rows, ReadCsv("key,name,plan,ltv:number,tags:list\nacme,,,,\n"));
  ASSERT_THAT(rows, SizeIs(1));
  EXPECT_THAT(rows[0], EqualsAccount(R"pb(key: "acme")pb"));
}

TEST(CsvTest, QuotedFieldsWithCommasAndEscapedQuotes) {
  ASSERT_OK_AND_ASSIGN(auto rows, ReadCsv("key,name,note\n"
                                          "acme,\"ACME, Inc\",\"say \"\"hi\"\"\"\n"
                                          "\"globex\" , \"  spaced  \" ,plain  \n"
                                          "x,\"\",\"\"\"\"\n"));
  ASSERT_THAT(rows, SizeIs(3));
  EXPECT_THAT(rows[0], EqualsAccount(R"pb(
                key: "acme"
                name: "ACME, Inc"
                attributes {
                  key: "note"
                  value { string_value: "say \"hi\"" }
                })pb"));
  // Quoted cells keep their spaces; unquoted ones and the space around quotes go.
  EXPECT_THAT(rows[1], EqualsAccount(R"pb(
                key: "globex"
                name: "  spaced  "
                attributes {
                  key: "note"
                  value { string_value: "plain" }
                })pb"));
  EXPECT_THAT(rows[2], EqualsAccount(R"pb(
                key: "x"
                attributes {
                  key: "note"
                  value { string_value: "\"" }
                })pb"));
}

TEST(CsvTest, NewlinesInsideQuotesAndLineNumbersWhereTheRowStarts) {
  ASSERT_OK_AND_ASSIGN(auto rows, ReadCsv("key,address\n"
                                          "a,\"1 Main St\n"
                                          "Springfield\n"
                                          "USA\"\n"
                                          "b,\"x\"\n"
                                          "c,\"\n\"\n"));
  ASSERT_THAT(rows, SizeIs(3));
  EXPECT_THAT(rows[0], AllOf(OnLine(2), EqualsAccount(R"pb(
                               key: "a"
                               attributes {
                                 key: "address"
                                 value { string_value: "1 Main St\nSpringfield\nUSA" }
                               })pb")));
  EXPECT_THAT(rows[1], AllOf(OnLine(5), EqualsAccount(R"pb(
                               key: "b"
                               attributes {
                                 key: "address"
                                 value { string_value: "x" }
                               })pb")));
  EXPECT_THAT(rows[2], AllOf(OnLine(6), EqualsAccount(R"pb(
                               key: "c"
                               attributes {
                                 key: "address"
                                 value { string_value: "\n" }
                               })pb")));
}

TEST(CsvTest, CrlfLineEndingsIncludingInsideQuotes) {
  ASSERT_OK_AND_ASSIGN(auto rows, ReadCsv("key,name\r\n"
                                          "a,\"two\r\nlines\"\r\n"
                                          "b,B\r\n"));
  ASSERT_THAT(rows, SizeIs(2));
  EXPECT_THAT(rows[0], AllOf(OnLine(2), EqualsAccount(R"pb(key: "a" name: "two\nlines")pb")));
  EXPECT_THAT(rows[1], AllOf(OnLine(4), EqualsAccount(R"pb(key: "b" name: "B")pb")));
}

TEST(CsvTest, SkipsTheByteOrderMark) {
  ASSERT_OK_AND_ASSIGN(auto rows, ReadCsv("\xEF\xBB\xBFkey,name\nacme,ACME\n"));
  ASSERT_THAT(rows, SizeIs(1));
  EXPECT_THAT(rows[0], AllOf(OnLine(2), EqualsAccount(R"pb(key: "acme" name: "ACME")pb")));
}

TEST(CsvTest, LastLineWithoutNewline) {
  ASSERT_OK_AND_ASSIGN(auto rows, ReadCsv("key,name\nacme,ACME"));
  ASSERT_THAT(rows, SizeIs(1));
  EXPECT_THAT(rows[0], EqualsAccount(R"pb(key: "acme" name: "ACME")pb"));
}

TEST(CsvTest, SkipsBlankLinesAndEmptyRowsButKeepsLineNumbers) {
  ASSERT_OK_AND_ASSIGN(auto rows, ReadCsv("\n"
                                          "key,name\n"
                                          "\n"
                                          "a,A\n"
                                          "   \n"
                                          ",,\n"
                                          ",\n"
                                          "\r\n"
                                          "b,B\n"
                                          "\n"));
  ASSERT_THAT(rows, SizeIs(2));
  EXPECT_THAT(rows[0], AllOf(OnLine(4), EqualsAccount(R"pb(key: "a" name: "A")pb")));
  EXPECT_THAT(rows[1], AllOf(OnLine(9), EqualsAccount(R"pb(key: "b" name: "B")pb")));
}

TEST(CsvTest, HeaderNamesAreTrimmed) {
  ASSERT_OK_AND_ASSIGN(auto rows, ReadCsv(" key , name ,\" plan \", ltv : number \na,A,pro,5\n"));
  ASSERT_THAT(rows, SizeIs(1));
  EXPECT_THAT(rows[0], EqualsAccount(R"pb(
                key: "a"
                name: "A"
                attributes {
                  key: "plan"
                  value { string_value: "pro" }
                }
                attributes {
                  key: "ltv"
                  value { number_value: 5 }
                })pb"));
}

// ---------------------------------------------------------------------------
// CSV: row errors, delivered with the row's line, reading goes on

TEST(CsvTest, WrongCellCountRejectsTheRow) {
  ASSERT_OK_AND_ASSIGN(auto rows, ReadCsv("key,name,plan,ltv\n"
                                          "a,A,pro,1\n"
                                          "b,B,pro,1\n"
                                          "c,C,pro,1\n"
                                          "d,D,pro,1\n"
                                          "e,E,pro,1\n"
                                          "f,F,pro,1,extra\n"
                                          "g,G\n"
                                          "h,H,pro,1\n"));
  ASSERT_THAT(rows, SizeIs(8));
  EXPECT_THAT(rows[5], AllOf(OnLine(7), HasParseError("5 cells, the header has 4")));
  EXPECT_THAT(rows[6], AllOf(OnLine(8), HasParseError("2 cells, the header has 4")));
  EXPECT_THAT(rows[7], AllOf(OnLine(9), EqualsAccount(R"pb(
                               key: "h"
                               name: "H"
                               attributes {
                                 key: "plan"
                                 value { string_value: "pro" }
                               }
                               attributes {
                                 key: "ltv"
                                 value { number_value: 1 }
                               })pb")));
}

TEST(CsvTest, UnterminatedQuoteAtEndOfFile) {
  ASSERT_OK_AND_ASSIGN(auto rows, ReadCsv("key,name\n"
                                          "a,A\n"
                                          "b,B\n"
                                          "c,\"never closed\n"
                                          "d,D\n"));
  ASSERT_THAT(rows, SizeIs(3));
  EXPECT_THAT(rows[1], EqualsAccount(R"pb(key: "b" name: "B")pb"));
  EXPECT_THAT(
      rows[2],
      AllOf(OnLine(4), HasParseError(AllOf(StartsWith("column 2: "),
                                           HasSubstr("quote opened on line 4 is never closed")))));
}

TEST(CsvTest, UnterminatedQuoteNamesTheLineWhereItOpened) {
  ASSERT_OK_AND_ASSIGN(auto rows, ReadCsv("key,address,note\n"
                                          "a,\"two\n"
                                          "lines\",\"open\n"
                                          "b,B,x\n"));
  ASSERT_THAT(rows, SizeIs(1));
  EXPECT_THAT(rows[0], AllOf(OnLine(2), HasParseError("column 3: the quote opened on line 3 is "
                                                      "never closed")));
}

TEST(CsvTest, TextAfterAClosingQuoteRejectsOnlyThatRow) {
  ASSERT_OK_AND_ASSIGN(auto rows, ReadCsv("key,name\n"
                                          "a,\"ACME\"Inc\n"
                                          "b,B\n"));
  ASSERT_THAT(rows, SizeIs(2));
  EXPECT_THAT(rows[0], AllOf(OnLine(2), HasParseError(AllOf(StartsWith("column 2: 'I'"),
                                                            HasSubstr("after a closing quote")))));
  EXPECT_THAT(rows[1], EqualsAccount(R"pb(key: "b" name: "B")pb"));
}

TEST(CsvTest, StrayQuoteInsideAnUnquotedCellIsText) {
  ASSERT_OK_AND_ASSIGN(auto rows, ReadCsv("key,name\na,5\" pipe\n"));
  ASSERT_THAT(rows, SizeIs(1));
  EXPECT_THAT(rows[0], EqualsAccount(R"pb(key: "a" name: "5\" pipe")pb"));
}

TEST(CsvTest, KeyIsRequiredAndMustBeValid) {
  ASSERT_OK_AND_ASSIGN(auto rows, ReadCsv("name,key,ltv:number\n"
                                          "A,,1\n"
                                          "B,\"\",abc\n"
                                          "C,bad key,1\n"
                                          "D,d,1\n"));
  ASSERT_THAT(rows, SizeIs(4));
  EXPECT_THAT(rows[0], AllOf(OnLine(2), HasParseError("key: required")));
  // The key problem is reported before a cell's.
  EXPECT_THAT(rows[1], HasParseError("key: required"));
  EXPECT_THAT(rows[2],
              HasParseError(AllOf(StartsWith("key \"bad key\": "), HasSubstr("character ' '"))));
  EXPECT_THAT(rows[3], EqualsAccount(R"pb(
                key: "d"
                name: "D"
                attributes {
                  key: "ltv"
                  value { number_value: 1 }
                })pb"));
}

TEST(CsvTest, TypedCellsThatDoNotFitNameTheColumn) {
  ASSERT_OK_AND_ASSIGN(auto rows, ReadCsv("key,ltv:number,active:bool\n"
                                          "a,abc,true\n"
                                          "b,1,yes\n"
                                          "c,inf,true\n"
                                          "d,12abc,false\n"
                                          "e,nan,false\n"));
  ASSERT_THAT(rows, SizeIs(5));
  EXPECT_THAT(rows[0], HasParseError("ltv: \"abc\" is not a number"));
  EXPECT_THAT(rows[1], HasParseError("active: \"yes\" is not a bool (use true or false)"));
  EXPECT_THAT(rows[2], HasParseError("ltv: \"inf\" is not a number"));
  EXPECT_THAT(rows[3], HasParseError("ltv: \"12abc\" is not a number"));
  EXPECT_THAT(rows[4], HasParseError("ltv: \"nan\" is not a number"));
}

// ---------------------------------------------------------------------------
// CSV: values, typed and inferred

TEST(CsvValueTest, TypedColumns) {
  EXPECT_EQ(CsvAttribute("a:number", "1e6").number_value(), 1e6);
  EXPECT_EQ(CsvAttribute("a:number", "0123").number_value(), 123);
  EXPECT_EQ(CsvAttribute("a:number", "-2.5").number_value(), -2.5);
  EXPECT_EQ(CsvAttribute("a:NUMBER", "7").number_value(), 7);
  EXPECT_TRUE(CsvAttribute("a:bool", "TRUE").bool_value());
  EXPECT_TRUE(CsvAttribute("a:bool", "True").has_bool_value());
  EXPECT_FALSE(CsvAttribute("a:bool", "false").bool_value());
  EXPECT_TRUE(CsvAttribute("a:bool", "fAlSe").has_bool_value());
  EXPECT_EQ(CsvAttribute("a:string", "0123").string_value(), "0123");
  EXPECT_EQ(CsvAttribute("a:string", "true").string_value(), "true");
  EXPECT_EQ(CsvAttribute("a:string", "5").string_value(), "5");
  EXPECT_THAT(CsvAttribute("a:list", "beta; early-access;;  vip ;").list_value().values(),
              ElementsAre("beta", "early-access", "vip"));
  EXPECT_THAT(CsvAttribute("a:list", "single").list_value().values(), ElementsAre("single"));
  EXPECT_THAT(CsvAttribute("a:list", "\"x, y;z\"").list_value().values(), ElementsAre("x, y", "z"));
  // Items dropped to nothing still give a (present, empty) list.
  EXPECT_TRUE(CsvAttribute("a:list", ";").has_list_value());
}

TEST(CsvValueTest, Inference) {
  EXPECT_TRUE(CsvAttribute("a", "true").bool_value());
  EXPECT_FALSE(CsvAttribute("a", "FALSE").bool_value());
  EXPECT_TRUE(CsvAttribute("a", "FALSE").has_bool_value());
  EXPECT_EQ(CsvAttribute("a", "0").number_value(), 0);
  EXPECT_TRUE(CsvAttribute("a", "0").has_number_value());
  EXPECT_EQ(CsvAttribute("a", "0.5").number_value(), 0.5);
  EXPECT_EQ(CsvAttribute("a", "-3").number_value(), -3);
  EXPECT_EQ(CsvAttribute("a", "1200000").number_value(), 1200000);
  EXPECT_EQ(CsvAttribute("a", "-0.25").number_value(), -0.25);
  EXPECT_EQ(CsvAttribute("a", "123456789012345").number_value(), 123456789012345.0);
  // Not plain decimals: kept as text.
  for (const char* text :
       {"0123", "00",    "-0123", "1e6",  "1E6", "+5",    ".5",  "5.",
        "-",    "1.2.3", "0x10",  "inf",  "nan", "1 000", "1,5", "1234567890123456",
        "yes",  "t",     "truex", "12abc"}) {
    v1::AttributeValue value = CsvAttribute("a", absl::StrCat("\"", text, "\""));
    EXPECT_EQ(value.string_value(), text) << value.ShortDebugString();
  }
  // Quoting does not change inference: exporters often quote every cell.
  EXPECT_EQ(CsvAttribute("a", "\"42\"").number_value(), 42);
}

// ---------------------------------------------------------------------------
// CSV: file-level errors

TEST(CsvHeaderTest, FileLevelErrors) {
  EXPECT_THAT(ReadCsv(""), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
  EXPECT_THAT(ReadCsv("\n\n"), StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
  EXPECT_THAT(ReadCsv("name,plan\nA,pro\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("line 1"), HasSubstr("no `key` column"))));
  EXPECT_THAT(ReadCsv("key,ltv,plan,ltv\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "line 1: duplicate column \"ltv\" (columns 2 and 4)"));
  EXPECT_THAT(ReadCsv("key,ltv:number,ltv\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("duplicate column \"ltv\"")));
  EXPECT_THAT(ReadCsv("key,time_zone,tz\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("duplicate column \"tz\"")));
  EXPECT_THAT(ReadCsv("key,Key\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("duplicate column")));
  EXPECT_THAT(ReadCsv("key,ltv:integer\na,1\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("line 1: column 2 \"ltv:integer\": unknown type "
                                       "\"integer\""),
                             HasSubstr("string, number, bool or list"))));
  EXPECT_THAT(ReadCsv("key,crm:id\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("crm:id:string")));
  EXPECT_THAT(ReadCsv("key,,plan\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, "line 1: column 2: no name"));
  EXPECT_THAT(ReadCsv("key,:number\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("column 2: no name")));
  EXPECT_THAT(ReadCsv("key,Annual Revenue\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("line 1: column 2 \"Annual Revenue\""),
                             HasSubstr("character ' '"))));
  EXPECT_THAT(ReadCsv("key:number,name\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("are strings")));
  EXPECT_THAT(ReadCsv("key,\"name\n"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       "line 1: column 2: the quote opened on line 1 is never closed"));
  // Blank lines before the header shift its line number.
  EXPECT_THAT(ReadCsv("\nkey,a,a\n"),
              StatusIs(absl::StatusCode::kInvalidArgument, StartsWith("line 2: duplicate")));
}

TEST(CsvHeaderTest, TypedOwnFieldsAndHeaderOnly) {
  ASSERT_OK_AND_ASSIGN(auto rows, ReadCsv("key:string,name:string,crm:id:string\na,A,007\n"));
  ASSERT_THAT(rows, SizeIs(1));
  EXPECT_THAT(rows[0], EqualsAccount(R"pb(
                key: "a"
                name: "A"
                attributes {
                  key: "crm:id"
                  value { string_value: "007" }
                })pb"));
  ASSERT_OK_AND_ASSIGN(rows, ReadCsv("key,name\n"));
  EXPECT_THAT(rows, SizeIs(0));
}

// ---------------------------------------------------------------------------
// Streaming

TEST(StreamingTest, StopsWhenTheSinkSaysSoWithoutReadingTheRest) {
  std::string text = "key,n\n";
  for (int i = 0; i < 1000; ++i) absl::StrAppend(&text, "k", i, ",", i, "\n");
  for (ImportFormat format : {ImportFormat::kCsv, ImportFormat::kJsonLines}) {
    std::string input = text;
    if (format == ImportFormat::kJsonLines) {
      input.clear();
      for (int i = 0; i < 1000; ++i) absl::StrAppend(&input, "{\"key\":\"k", i, "\"}\n");
    }
    std::istringstream in(input);
    int calls = 0;
    EXPECT_OK(ReadAccounts(in, format, [&](v1::ImportRow) { return ++calls < 2; }));
    EXPECT_EQ(calls, 2);
    std::streamoff pos = in.tellg();
    EXPECT_GT(pos, 0);
    EXPECT_LT(pos, static_cast<std::streamoff>(input.size() / 10));
  }
}

TEST(StreamingTest, HundredThousandRowsQuickly) {
  std::string text = "key,name,plan,ltv,active,tags:list,note\n";
  for (int i = 0; i < 100000; ++i) {
    absl::StrAppend(&text, "acct-", i, ",\"Account ", i, ", Inc\",pro,", i * 10,
                    ",true,beta;vip,\"multi\nline\"\n");
  }
  std::istringstream in(text);
  int64_t rows = 0;
  int64_t last_line = 0;
  auto start = std::chrono::steady_clock::now();
  ASSERT_OK(ReadAccounts(in, ImportFormat::kCsv, [&](v1::ImportRow row) {
    EXPECT_TRUE(row.has_account()) << row.parse_error();
    ++rows;
    last_line = row.line();
    return true;
  }));
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(rows, 100000);
  EXPECT_EQ(last_line, 2 + 2 * 99999);
  // Typically ~0.2 s; the bound leaves room for a loaded, shared CI machine.
  EXPECT_LT(elapsed, std::chrono::seconds(2));
}

// A stream that fails (badbit) after delivering `text`.
class FailingBuf : public std::streambuf {
 public:
  explicit FailingBuf(std::string text) : text_(std::move(text)) {
    setg(text_.data(), text_.data(), text_.data() + text_.size());
  }

 protected:
  int_type underflow() override { throw std::runtime_error("disk on fire"); }

 private:
  std::string text_;
};

TEST(StreamingTest, ReadFailureIsAFileLevelError) {
  for (ImportFormat format : {ImportFormat::kCsv, ImportFormat::kJsonLines}) {
    FailingBuf buf(format == ImportFormat::kCsv ? "key\na\n" : "{\"key\":\"a\"}\n");
    std::istream in(&buf);
    int rows = 0;
    EXPECT_THAT(ReadAccounts(in, format,
                             [&](v1::ImportRow) {
                               ++rows;
                               return true;
                             }),
                StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("cannot read")));
    EXPECT_EQ(rows, 1);
  }
  FailingBuf empty("");
  std::istream in(&empty);
  EXPECT_THAT(ReadAccounts(in, ImportFormat::kCsv, [](v1::ImportRow) { return true; }),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("cannot read")));
}

// ---------------------------------------------------------------------------
// JSON lines

TEST(JsonLinesTest, ReadsTheDocumentedShape) {
  ASSERT_OK_AND_ASSIGN(
      auto rows,
      ReadJson(R"({"key":"acme","name":"ACME","time_zone":"Europe/Moscow","ltv":1200000,)"
               R"("tags":["beta"],"attributes":{"plan":"pro","active":true,"seats":12.5}})"
               "\n"
               R"({"key":"globex"})"
               "\n"));
  ASSERT_THAT(rows, SizeIs(2));
  EXPECT_THAT(rows[0], AllOf(OnLine(1), EqualsAccount(R"pb(
                               key: "acme"
                               name: "ACME"
                               time_zone: "Europe/Moscow"
                               attributes {
                                 key: "ltv"
                                 value { number_value: 1200000 }
                               }
                               attributes {
                                 key: "tags"
                                 value { list_value { values: "beta" } }
                               }
                               attributes {
                                 key: "plan"
                                 value { string_value: "pro" }
                               }
                               attributes {
                                 key: "active"
                                 value { bool_value: true }
                               }
                               attributes {
                                 key: "seats"
                                 value { number_value: 12.5 }
                               })pb")));
  EXPECT_THAT(rows[1], AllOf(OnLine(2), EqualsAccount(R"pb(key: "globex")pb")));
}

TEST(JsonLinesTest, BlankLinesCrlfAndBomKeepLineNumbers) {
  ASSERT_OK_AND_ASSIGN(auto rows, ReadJson("\xEF\xBB\xBF{\"key\":\"a\"}\r\n"
                                           "\r\n"
                                           "   \n"
                                           "{\"key\":\"b\", \"name\":\"B\"}\r\n"
                                           "{\"key\":\"c\"}"));
  ASSERT_THAT(rows, SizeIs(3));
  EXPECT_THAT(rows[0], AllOf(OnLine(1), EqualsAccount(R"pb(key: "a")pb")));
  EXPECT_THAT(rows[1], AllOf(OnLine(4), EqualsAccount(R"pb(key: "b" name: "B")pb")));
  EXPECT_THAT(rows[2], AllOf(OnLine(5), EqualsAccount(R"pb(key: "c")pb")));
}

TEST(JsonLinesTest, NotAnObject) {
  ASSERT_OK_AND_ASSIGN(auto rows, ReadJson("{\"key\":\"a\"}\n"
                                           "[1,2]\n"
                                           "{\"key\":\n"
                                           "\"just a string\"\n"
                                           "{\"key\":\"b\"} trailing\n"
                                           "{\"key\":\"c\"}\n"));
  ASSERT_THAT(rows, SizeIs(6));
  EXPECT_THAT(rows[1], AllOf(OnLine(2), HasParseError("not a JSON object: Root element "
                                                      "must be a message.")));
  EXPECT_THAT(rows[2], AllOf(OnLine(3), HasParseError(StartsWith("not a JSON object: "))));
  EXPECT_THAT(rows[3], HasParseError(StartsWith("not a JSON object: ")));
  EXPECT_THAT(rows[4], HasParseError(StartsWith("not a JSON object: ")));
  // The parser's caret diagram is not copied into the one-line message.
  for (int i = 1; i <= 4; ++i) {
    EXPECT_THAT(rows[i].parse_error(), ::testing::Not(HasSubstr("\n")));
  }
  EXPECT_THAT(rows[5], EqualsAccount(R"pb(key: "c")pb"));
}

TEST(JsonLinesTest, OwnFieldsMustBeStrings) {
  ASSERT_OK_AND_ASSIGN(auto rows, ReadJson("{\"key\":5}\n"
                                           "{\"key\":\"a\",\"name\":true}\n"
                                           "{\"key\":\"a\",\"time_zone\":[\"x\"]}\n"
                                           "{\"name\":\"no key\"}\n"
                                           "{\"key\":\"\"}\n"
                                           "{\"key\":null}\n"
                                           "{\"key\":\"bad key\"}\n"
                                           "{\"key\":\"a\",\"name\":null,\"time_zone\":null}\n"));
  ASSERT_THAT(rows, SizeIs(8));
  EXPECT_THAT(rows[0], HasParseError("key: must be a string, got a number"));
  EXPECT_THAT(rows[1], HasParseError("name: must be a string, got a bool"));
  EXPECT_THAT(rows[2], HasParseError("time_zone: must be a string, got a list"));
  EXPECT_THAT(rows[3], HasParseError("key: required"));
  EXPECT_THAT(rows[4], HasParseError("key: required"));
  EXPECT_THAT(rows[5], HasParseError("key: required"));
  EXPECT_THAT(rows[6], HasParseError(StartsWith("key \"bad key\": character ' '")));
  EXPECT_THAT(rows[7], EqualsAccount(R"pb(key: "a")pb"));
}

TEST(JsonLinesTest, AttributeValues) {
  ASSERT_OK_AND_ASSIGN(
      auto rows,
      ReadJson(R"({"key":"a","gone":null,"empty":[],"attributes":{"also_gone":null,"n":-1}})"
               "\n"
               R"({"key":"b","attributes":null})"
               "\n"));
  ASSERT_THAT(rows, SizeIs(2));
  EXPECT_THAT(rows[0], EqualsAccount(R"pb(
                key: "a"
                attributes {
                  key: "empty"
                  value { list_value {} }
                }
                attributes {
                  key: "n"
                  value { number_value: -1 }
                })pb"));
  EXPECT_THAT(rows[1], EqualsAccount(R"pb(key: "b")pb"));
}

TEST(JsonLinesTest, BadAttributesNameTheMember) {
  ASSERT_OK_AND_ASSIGN(auto rows,
                       ReadJson(R"({"key":"a","attributes":{"address":{"city":"X"}}})"
                                "\n"
                                R"({"key":"a","address":{"city":"X"}})"
                                "\n"
                                R"({"key":"a","tags":["x",2]})"
                                "\n"
                                R"({"key":"a","attributes":{"tags":[["x"]]}})"
                                "\n"
                                R"({"key":"a","attributes":[1]})"
                                "\n"
                                R"({"key":"a","attributes":"plan=pro"})"
                                "\n"
                                R"({"key":"a","plan":"pro","attributes":{"plan":"free"}})"
                                "\n"
                                R"({"key":"a","tags":[null]})"
                                "\n"));
  ASSERT_THAT(rows, SizeIs(8));
  EXPECT_THAT(rows[0], HasParseError("attributes.address: objects are not allowed "
                                     "(string, number, bool or list of strings)"));
  EXPECT_THAT(rows[1], HasParseError("address: objects are not allowed "
                                     "(string, number, bool or list of strings)"));
  EXPECT_THAT(rows[2], HasParseError(StartsWith("tags: item 2 is a number; lists may "
                                                "hold only strings")));
  EXPECT_THAT(rows[3], HasParseError(StartsWith("attributes.tags: item 1 is a list")));
  EXPECT_THAT(rows[4], HasParseError("attributes: must be an object, got a list"));
  EXPECT_THAT(rows[5], HasParseError("attributes: must be an object, got a string"));
  EXPECT_THAT(rows[6], HasParseError("attributes.plan: given both as a member and "
                                     "inside \"attributes\""));
  EXPECT_THAT(rows[7], HasParseError(StartsWith("tags: item 1 is null")));
}

TEST(JsonLinesTest, FirstProblemIsDeterministic) {
  // Several bad members: the one first by name is reported, whatever the hashing.
  ASSERT_OK_AND_ASSIGN(auto rows, ReadJson(R"({"key":"a","zeta":{},"alpha":{},"mid":[1]})"));
  ASSERT_THAT(rows, SizeIs(1));
  EXPECT_THAT(rows[0], HasParseError(StartsWith("alpha: objects")));
}

TEST(JsonLinesTest, EmptyInputIsFine) {
  ASSERT_OK_AND_ASSIGN(auto rows, ReadJson(""));
  EXPECT_THAT(rows, SizeIs(0));
  ASSERT_OK_AND_ASSIGN(rows, ReadJson("\n\n"));
  EXPECT_THAT(rows, SizeIs(0));
}

}  // namespace
}  // namespace rampart::cli
