#include "cli/import/account_reader.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "core/common/keys.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

// Decisions the header leaves open:
//  - A parse_error does not repeat the line number: it is in ImportRow.line,
//    and the server's RowError and the CLI's "line N: ..." output carry it.
//    File-level errors, which have no row, start with "line N: ".
//  - Number inference accepts plain decimals only: optional '-', no leading
//    zero ("0123" stays a string), optional fraction, at most 15 digits (so the
//    double holds the text exactly; longer digit strings are IDs, not amounts).
//    "1e6", "+5", ".5" and "5." stay strings; a `:number` column accepts
//    anything absl::SimpleAtod reads whole, except inf and nan.
//  - CSV: spaces around unquoted cells are trimmed, quoted cells are kept as
//    written; line breaks inside quotes become "\n" whatever the file used.
//    A row whose cells are all empty (a blank line, or ",,," as spreadsheets
//    write) is skipped. `key`, `name`, `time_zone`/`timezone`/`tz` match
//    case-insensitively; attribute names are case-sensitive keys, checked in
//    the header so a bad name fails the file once rather than every row.
//  - A header type is the text after the last ':', so an attribute whose name
//    contains ':' needs one: `crm:id:string`.
//  - The account key is checked with ValidateKey; time zones and attribute
//    values are left to the server, which validates every account it writes.

namespace rampart::cli {
namespace {

constexpr absl::string_view kBom = "\xEF\xBB\xBF";

// Physical lines without their "\r\n" / "\n" and without a leading BOM.
class LineReader {
 public:
  explicit LineReader(std::istream& in) : in_(in) {}

  bool Next(std::string& line) {
    if (!std::getline(in_, line)) return false;
    ++number_;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (number_ == 1 && absl::StartsWith(line, kBom)) line.erase(0, kBom.size());
    return true;
  }

  int64_t number() const { return number_; }
  bool failed() const { return in_.bad(); }

 private:
  std::istream& in_;
  int64_t number_ = 0;
};

// ---------------------------------------------------------------------------
// CSV

struct CsvRecord {
  int64_t line = 0;  // Where the record starts.
  std::vector<std::string> cells;
  std::string error;  // Set for a malformed record; cells are then best effort.
};

// Splits the input into RFC 4180 records, joining the physical lines of a
// quoted field that spans them. Reads one line at a time.
class CsvRecordReader {
 public:
  explicit CsvRecordReader(std::istream& in) : lines_(in) {}

  // Fills `record`; false at the end of the input.
  bool Next(CsvRecord& record) {
    record.cells.clear();
    record.error.clear();
    if (!lines_.Next(line_)) return false;
    record.line = lines_.number();
    std::string cell;
    State state = State::kStart;
    int64_t quote_line = 0;
    for (;;) {
      for (char c : line_) {
        switch (state) {
          case State::kStart:
            if (c == ',') {
              record.cells.emplace_back();
            } else if (c == '"') {
              state = State::kQuoted;
              quote_line = lines_.number();
            } else if (c != ' ' && c != '\t') {
              cell.push_back(c);
              state = State::kUnquoted;
            }
            break;
          case State::kUnquoted:
            if (c == ',') {
              EndCell(record, cell, state);
            } else {
              cell.push_back(c);  // A stray quote here is kept as text.
            }
            break;
          case State::kQuoted:
            if (c == '"') {
              state = State::kQuoteInQuoted;
            } else {
              cell.push_back(c);
            }
            break;
          case State::kQuoteInQuoted:  // Either "" (a quote) or the closing quote.
            if (c == '"') {
              cell.push_back('"');
              state = State::kQuoted;
            } else if (c == ',') {
              EndCell(record, cell, state);
            } else if (c == ' ' || c == '\t') {
              state = State::kAfterQuoted;
            } else {
              StrayAfterQuote(record, c, cell, state);
            }
            break;
          case State::kAfterQuoted:
            if (c == ',') {
              EndCell(record, cell, state);
            } else if (c != ' ' && c != '\t') {
              StrayAfterQuote(record, c, cell, state);
            }
            break;
        }
      }
      if (state != State::kQuoted) break;
      if (!lines_.Next(line_)) {
        if (record.error.empty()) {
          record.error =
              absl::StrCat("column ", record.cells.size() + 1, ": the quote opened on line ",
                           quote_line, " is never closed");
        }
        break;
      }
      cell.push_back('\n');
    }
    EndCell(record, cell, state);
    return true;
  }

  int64_t line_number() const { return lines_.number(); }
  bool failed() const { return lines_.failed(); }

 private:
  enum class State { kStart, kUnquoted, kQuoted, kQuoteInQuoted, kAfterQuoted };

  static void EndCell(CsvRecord& record, std::string& cell, State& state) {
    if (state == State::kUnquoted) {
      cell.erase(
          std::find_if(cell.rbegin(), cell.rend(), [](char c) { return c != ' ' && c != '\t'; })
              .base(),
          cell.end());
    }
    record.cells.push_back(std::move(cell));
    cell.clear();
    state = State::kStart;
  }

  // `"abc"def`: most likely a quote that should have been doubled. The row is
  // rejected; reading on as unquoted text finds where the record ends.
  static void StrayAfterQuote(CsvRecord& record, char c, std::string& cell, State& state) {
    if (record.error.empty()) {
      record.error =
          absl::StrCat("column ", record.cells.size() + 1, ": '", absl::string_view(&c, 1),
                       "' after a closing quote (write a quote inside a quoted "
                       "field as \"\")");
    }
    cell.push_back(c);
    state = State::kUnquoted;
  }

  LineReader lines_;
  std::string line_;
};

bool AllEmpty(const std::vector<std::string>& cells) {
  return std::all_of(cells.begin(), cells.end(), [](const std::string& c) { return c.empty(); });
}

enum class Role { kKey, kName, kTimeZone, kAttribute };
enum class Type { kInfer, kString, kNumber, kBool, kList };

struct Column {
  std::string name;  // Without the type.
  Role role = Role::kAttribute;
  Type type = Type::kInfer;
};

std::optional<Type> TypeFromName(absl::string_view name) {
  std::string lower = absl::AsciiStrToLower(name);
  if (lower == "string") return Type::kString;
  if (lower == "number") return Type::kNumber;
  if (lower == "bool") return Type::kBool;
  if (lower == "list") return Type::kList;
  return std::nullopt;
}

Role RoleFromName(absl::string_view name) {
  std::string lower = absl::AsciiStrToLower(name);
  if (lower == "key") return Role::kKey;
  if (lower == "name") return Role::kName;
  if (lower == "time_zone" || lower == "timezone" || lower == "tz") return Role::kTimeZone;
  return Role::kAttribute;
}

absl::StatusOr<std::vector<Column>> ParseHeader(const CsvRecord& header) {
  const std::string where = absl::StrCat("line ", header.line);
  if (!header.error.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": ", header.error));
  }
  std::vector<Column> columns;
  // Name (lowercased for the account's own fields) -> 1-based column.
  absl::flat_hash_map<std::string, size_t> seen;
  bool has_key = false;
  for (size_t i = 0; i < header.cells.size(); ++i) {
    const std::string column_at = absl::StrCat(where, ": column ", i + 1);
    absl::string_view text = absl::StripAsciiWhitespace(header.cells[i]);
    Column column;
    absl::string_view name = text;
    if (size_t colon = text.rfind(':'); colon != absl::string_view::npos) {
      name = absl::StripAsciiWhitespace(text.substr(0, colon));
      absl::string_view type = absl::StripAsciiWhitespace(text.substr(colon + 1));
      std::optional<Type> parsed = TypeFromName(type);
      if (!parsed.has_value()) {
        return absl::InvalidArgumentError(
            absl::StrCat(column_at, " \"", text, "\": unknown type \"", type,
                         "\" (use string, number, bool or list; a name with ':' needs a type, e.g. "
                         "crm:id:string)"));
      }
      column.type = *parsed;
    }
    if (name.empty()) return absl::InvalidArgumentError(absl::StrCat(column_at, ": no name"));
    column.role = RoleFromName(name);
    if (column.role != Role::kAttribute && column.type != Type::kInfer &&
        column.type != Type::kString) {
      return absl::InvalidArgumentError(absl::StrCat(
          column_at, " \"", text, "\": the account's key, name and time zone are strings"));
    }
    if (column.role == Role::kAttribute) {
      absl::Status valid = ValidateKey(column_at, name);
      if (!valid.ok()) return valid;
    }
    has_key = has_key || column.role == Role::kKey;
    column.name = std::string(name);
    std::string identity = column.role == Role::kAttribute
                               ? column.name
                               : absl::StrCat("\1", static_cast<int>(column.role));
    auto [it, inserted] = seen.emplace(identity, i + 1);
    if (!inserted) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": duplicate column \"", name, "\" (columns ", it->second, " and ", i + 1, ")"));
    }
    columns.push_back(std::move(column));
  }
  if (!has_key) {
    return absl::InvalidArgumentError(absl::StrCat(
        where, ": the header has no `key` column (found: ", absl::StrJoin(header.cells, ", "),
        ")"));
  }
  return columns;
}

// A plain decimal: -?(0|[1-9][0-9]*)(\.[0-9]+)? with at most 15 digits.
bool LooksLikeNumber(absl::string_view s) {
  size_t i = 0;
  if (i < s.size() && s[i] == '-') ++i;
  const size_t int_start = i;
  while (i < s.size() && absl::ascii_isdigit(static_cast<unsigned char>(s[i]))) ++i;
  const size_t int_digits = i - int_start;
  if (int_digits == 0 || (int_digits > 1 && s[int_start] == '0')) return false;
  size_t frac_digits = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    const size_t frac_start = i;
    while (i < s.size() && absl::ascii_isdigit(static_cast<unsigned char>(s[i]))) ++i;
    frac_digits = i - frac_start;
    if (frac_digits == 0) return false;
  }
  return i == s.size() && int_digits + frac_digits <= 15;
}

std::optional<bool> ParseBool(absl::string_view s) {
  if (absl::EqualsIgnoreCase(s, "true")) return true;
  if (absl::EqualsIgnoreCase(s, "false")) return false;
  return std::nullopt;
}

std::optional<double> ParseNumber(absl::string_view s) {
  double d;
  if (!absl::SimpleAtod(s, &d) || !std::isfinite(d)) return std::nullopt;
  return d;
}

// Fills `value` from a non-empty cell; else returns the problem.
std::optional<std::string> CellToValue(const Column& column, const std::string& cell,
                                       v1::AttributeValue& value) {
  switch (column.type) {
    case Type::kInfer:
      if (std::optional<bool> b = ParseBool(cell)) {
        value.set_bool_value(*b);
      } else if (LooksLikeNumber(cell)) {
        value.set_number_value(*ParseNumber(cell));
      } else {
        value.set_string_value(cell);
      }
      return std::nullopt;
    case Type::kString:
      value.set_string_value(cell);
      return std::nullopt;
    case Type::kNumber:
      if (std::optional<double> d = ParseNumber(cell)) {
        value.set_number_value(*d);
        return std::nullopt;
      }
      return absl::StrCat(column.name, ": \"", cell, "\" is not a number");
    case Type::kBool:
      if (std::optional<bool> b = ParseBool(absl::StripAsciiWhitespace(cell))) {
        value.set_bool_value(*b);
        return std::nullopt;
      }
      return absl::StrCat(column.name, ": \"", cell, "\" is not a bool (use true or false)");
    case Type::kList: {
      v1::StringList& list = *value.mutable_list_value();
      for (absl::string_view item : absl::StrSplit(cell, ';')) {
        item = absl::StripAsciiWhitespace(item);
        if (!item.empty()) list.add_values(std::string(item));
      }
      return std::nullopt;
    }
  }
  return std::nullopt;
}

void CsvRecordToRow(const std::vector<Column>& columns, CsvRecord& record, v1::ImportRow& row) {
  row.set_line(record.line);
  if (!record.error.empty()) {
    row.set_parse_error(std::move(record.error));
    return;
  }
  if (record.cells.size() != columns.size()) {
    row.set_parse_error(
        absl::StrCat(record.cells.size(), " cells, the header has ", columns.size()));
    return;
  }
  v1::Account account;
  // The key is checked first, then the cells left to right.
  std::optional<std::string> problem;
  for (size_t i = 0; i < columns.size(); ++i) {
    const Column& column = columns[i];
    std::string& cell = record.cells[i];
    switch (column.role) {
      case Role::kKey:
        account.set_key(std::move(cell));
        break;
      case Role::kName:
        account.set_name(std::move(cell));
        break;
      case Role::kTimeZone:
        account.set_time_zone(std::move(cell));
        break;
      case Role::kAttribute: {
        if (cell.empty() || problem.has_value()) break;  // Empty: "no such attribute".
        v1::AttributeValue value;
        problem = CellToValue(column, cell, value);
        if (!problem.has_value()) (*account.mutable_attributes())[column.name] = std::move(value);
        break;
      }
    }
  }
  if (absl::Status key = ValidateKey("key", account.key()); !key.ok()) {
    row.set_parse_error(std::string(key.message()));
  } else if (problem.has_value()) {
    row.set_parse_error(*std::move(problem));
  } else {
    *row.mutable_account() = std::move(account);
  }
}

absl::Status ReadCsv(std::istream& in, const RowSink& sink) {
  CsvRecordReader reader(in);
  CsvRecord record;
  // Blank lines may precede the header.
  do {
    if (!reader.Next(record)) {
      if (reader.failed()) return absl::InvalidArgumentError("cannot read the file");
      return absl::InvalidArgumentError(
          "the file is empty: a CSV import needs a header row with a `key` column");
    }
  } while (record.error.empty() && AllEmpty(record.cells));
  absl::StatusOr<std::vector<Column>> columns = ParseHeader(record);
  if (!columns.ok()) return columns.status();

  while (reader.Next(record)) {
    if (record.error.empty() && AllEmpty(record.cells)) continue;
    v1::ImportRow row;
    CsvRecordToRow(*columns, record, row);
    if (!sink(std::move(row))) return absl::OkStatus();
  }
  if (reader.failed()) {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", reader.line_number() + 1, ": cannot read the file"));
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------
// JSON lines

using google::protobuf::Value;

absl::string_view KindName(const Value& v) {
  switch (v.kind_case()) {
    case Value::kNullValue:
      return "null";
    case Value::kNumberValue:
      return "a number";
    case Value::kStringValue:
      return "a string";
    case Value::kBoolValue:
      return "a bool";
    case Value::kStructValue:
      return "an object";
    case Value::kListValue:
      return "a list";
    default:
      return "empty";
  }
}

// Members of a Struct sorted by name: proto maps have no order, and the first
// problem reported should not depend on hashing.
std::vector<const google::protobuf::MapPair<std::string, Value>*> Sorted(
    const google::protobuf::Struct& s) {
  std::vector<const google::protobuf::MapPair<std::string, Value>*> members;
  members.reserve(s.fields_size());
  for (const auto& member : s.fields()) members.push_back(&member);
  std::sort(members.begin(), members.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  return members;
}

constexpr absl::string_view kAllowed = "(string, number, bool or list of strings)";

// Adds the attribute `name` (named `path` in errors) unless it is null;
// returns the problem, if any.
std::optional<std::string> AddAttribute(absl::string_view path, const std::string& name,
                                        const Value& value, v1::Account& account) {
  if (account.attributes().count(name) > 0) {
    return absl::StrCat(path, ": given both as a member and inside \"attributes\"");
  }
  v1::AttributeValue out;
  switch (value.kind_case()) {
    case Value::kNullValue:
      return std::nullopt;  // Like an empty CSV cell: no such attribute.
    case Value::kStringValue:
      out.set_string_value(value.string_value());
      break;
    case Value::kNumberValue:
      out.set_number_value(value.number_value());
      break;
    case Value::kBoolValue:
      out.set_bool_value(value.bool_value());
      break;
    case Value::kListValue: {
      v1::StringList& list = *out.mutable_list_value();
      const auto& items = value.list_value().values();
      for (int i = 0; i < items.size(); ++i) {
        if (items[i].kind_case() != Value::kStringValue) {
          return absl::StrCat(path, ": item ", i + 1, " is ", KindName(items[i]),
                              "; lists may hold only strings ", kAllowed);
        }
        list.add_values(items[i].string_value());
      }
      break;
    }
    case Value::kStructValue:
      return absl::StrCat(path, ": objects are not allowed ", kAllowed);
    default:
      return absl::StrCat(path, ": no value ", kAllowed);
  }
  (*account.mutable_attributes())[name] = std::move(out);
  return std::nullopt;
}

// Reads one of the account's own string fields; null counts as absent.
std::optional<std::string> StringMember(const std::string& name, const Value& value,
                                        std::string& out) {
  if (value.kind_case() == Value::kNullValue) return std::nullopt;
  if (value.kind_case() != Value::kStringValue) {
    return absl::StrCat(name, ": must be a string, got ", KindName(value));
  }
  out = value.string_value();
  return std::nullopt;
}

// The account on one line, or the problem.
std::optional<std::string> JsonToAccount(const std::string& line, v1::Account& account) {
  google::protobuf::Struct object;
  auto parsed = google::protobuf::util::JsonStringToMessage(line, &object);
  if (!parsed.ok()) {
    // The parser's message may repeat the input with a caret under the error
    // on further lines, and starts with ": " for a non-object root.
    std::string message(parsed.message().data(), parsed.message().size());
    absl::string_view first = absl::string_view(message).substr(0, message.find('\n'));
    first = absl::StripAsciiWhitespace(absl::StripPrefix(first, ":"));
    return absl::StrCat("not a JSON object: ", first);
  }
  // The key first, so a row with a bad key is reported as such.
  if (auto key = object.fields().find("key"); key != object.fields().end()) {
    if (std::optional<std::string> problem =
            StringMember("key", key->second, *account.mutable_key())) {
      return problem;
    }
  }
  if (absl::Status key = ValidateKey("key", account.key()); !key.ok()) {
    return std::string(key.message());
  }
  const Value* attributes = nullptr;
  for (const auto* member : Sorted(object)) {
    const std::string& name = member->first;
    const Value& value = member->second;
    std::optional<std::string> problem;
    if (name == "key") {
      continue;
    } else if (name == "name") {
      problem = StringMember(name, value, *account.mutable_name());
    } else if (name == "time_zone") {
      problem = StringMember(name, value, *account.mutable_time_zone());
    } else if (name == "attributes") {
      if (value.kind_case() != Value::kStructValue && value.kind_case() != Value::kNullValue) {
        problem = absl::StrCat("attributes: must be an object, got ", KindName(value));
      }
      attributes = &value;  // After the top level, so a clash names "attributes.x".
    } else {
      problem = AddAttribute(name, name, value, account);
    }
    if (problem) return problem;
  }
  if (attributes != nullptr && attributes->kind_case() == Value::kStructValue) {
    for (const auto* member : Sorted(attributes->struct_value())) {
      if (std::optional<std::string> problem = AddAttribute(
              absl::StrCat("attributes.", member->first), member->first, member->second, account)) {
        return problem;
      }
    }
  }
  return std::nullopt;
}

absl::Status ReadJsonLines(std::istream& in, const RowSink& sink) {
  LineReader lines(in);
  std::string line;
  while (lines.Next(line)) {
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    v1::ImportRow row;
    row.set_line(lines.number());
    v1::Account account;
    if (std::optional<std::string> problem = JsonToAccount(line, account)) {
      row.set_parse_error(*std::move(problem));
    } else {
      *row.mutable_account() = std::move(account);
    }
    if (!sink(std::move(row))) return absl::OkStatus();
  }
  if (lines.failed()) {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", lines.number() + 1, ": cannot read the file"));
  }
  return absl::OkStatus();
}

}  // namespace

ImportFormat FormatFromPath(absl::string_view path) {
  for (absl::string_view ext : {".jsonl", ".ndjson", ".json"}) {
    if (absl::EndsWithIgnoreCase(path, ext)) return ImportFormat::kJsonLines;
  }
  return ImportFormat::kCsv;
}

absl::Status ReadAccounts(std::istream& in, ImportFormat format, const RowSink& sink) {
  switch (format) {
    case ImportFormat::kCsv:
      return ReadCsv(in, sink);
    case ImportFormat::kJsonLines:
      return ReadJsonLines(in, sink);
  }
  return absl::InvalidArgumentError("unknown import format");
}

}  // namespace rampart::cli
