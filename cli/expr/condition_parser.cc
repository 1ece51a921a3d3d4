#include "cli/expr/condition_parser.h"

#include <cmath>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "core/common/keys.h"
#include "core/model/validate.h"

// Grammar (whitespace is spaces or tabs, optional around symbolic operators):
//
//   condition := attribute op [values]
//   attribute := every character up to whitespace, a quote or one of = ! < >,
//                then checked with ValidateKey
//   op        := == | = | != | < | <= | > | >= | in | not in | exists |
//                not exists | starts_with | prefix   (words case-insensitive)
//   values    := value                       for ==, !=, starts_with, numerics
//              | value {, value}             for in, not in
//   value     := "quoted, with \" and \\ escapes" | unquoted text (trimmed)
//
// An unquoted single value is the rest of the line verbatim, so
// `name == ACME Inc` means "ACME Inc"; only lists split on commas.

namespace rampart::cli {
namespace {

constexpr absl::string_view kOperatorList =
    "==, !=, <, <=, >, >=, in, not in, exists, not exists, starts_with";

bool IsSpace(char c) { return c == ' ' || c == '\t'; }
bool IsSymbolChar(char c) { return c == '=' || c == '!' || c == '<' || c == '>'; }

enum class Arity { kNone, kOne, kList };

Arity ArityOf(v1::Operator op) {
  switch (op) {
    case v1::OPERATOR_EXISTS:
    case v1::OPERATOR_NOT_EXISTS:
      return Arity::kNone;
    case v1::OPERATOR_IN:
    case v1::OPERATOR_NOT_IN:
      return Arity::kList;
    default:
      return Arity::kOne;
  }
}

bool IsNumeric(v1::Operator op) {
  return op == v1::OPERATOR_LESS || op == v1::OPERATOR_LESS_OR_EQUAL ||
         op == v1::OPERATOR_GREATER || op == v1::OPERATOR_GREATER_OR_EQUAL;
}

// The spelling FormatCondition prints and error messages quote.
absl::string_view OperatorText(v1::Operator op) {
  const absl::string_view name = model::OperatorName(op);
  return name.empty() ? "<unspecified operator>" : name;
}

// A cursor over the condition text; every error names the field and the
// whole text, so the user sees which of several --where flags is wrong.
class Parser {
 public:
  Parser(absl::string_view field, absl::string_view text) : field_(field), text_(text) {}

  absl::StatusOr<v1::Condition> Parse() {
    v1::Condition condition;
    SkipSpaces();
    absl::string_view attribute = ReadAttribute();
    if (attribute.empty()) {
      return Error("missing attribute (e.g. industry == accounting)");
    }
    absl::Status key_status =
        ValidateKey(absl::StrCat(field_, " \"", text_, "\": attribute"), attribute);
    if (!key_status.ok()) return key_status;
    condition.set_attribute(std::string(attribute));

    SkipSpaces();
    absl::StatusOr<v1::Operator> op = ReadOperator(attribute);
    if (!op.ok()) return op.status();
    condition.set_op(*op);

    SkipSpaces();
    switch (ArityOf(*op)) {
      case Arity::kNone:
        if (!AtEnd()) {
          return Error(absl::StrCat(OperatorText(*op), " takes no value, got \"", Rest(), "\""));
        }
        break;
      case Arity::kOne: {
        if (AtEnd()) return Error(absl::StrCat("missing value after \"", OperatorText(*op), "\""));
        absl::StatusOr<std::string> value = ReadSingleValue();
        if (!value.ok()) return value.status();
        if (IsNumeric(*op)) {
          double number;
          if (!absl::SimpleAtod(*value, &number) || !std::isfinite(number)) {
            return Error(absl::StrCat(OperatorText(*op), " needs a number, got \"", *value, "\""));
          }
        }
        condition.add_values(*std::move(value));
        break;
      }
      case Arity::kList: {
        if (AtEnd()) return Error(absl::StrCat("missing value after \"", OperatorText(*op), "\""));
        absl::Status s = ReadList(*op, condition);
        if (!s.ok()) return s;
        break;
      }
    }
    return condition;
  }

 private:
  absl::Status Error(absl::string_view problem) const {
    return absl::InvalidArgumentError(absl::StrCat(field_, " \"", text_, "\": ", problem));
  }

  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return text_[pos_]; }
  absl::string_view Rest() const { return absl::StripTrailingAsciiWhitespace(text_.substr(pos_)); }
  void SkipSpaces() {
    while (!AtEnd() && IsSpace(Peek())) ++pos_;
  }

  absl::string_view ReadAttribute() {
    size_t start = pos_;
    while (!AtEnd() && !IsSpace(Peek()) && !IsSymbolChar(Peek()) && Peek() != '"') ++pos_;
    return text_.substr(start, pos_ - start);
  }

  absl::StatusOr<v1::Operator> ReadOperator(absl::string_view attribute) {
    if (AtEnd()) {
      return Error(
          absl::StrCat("missing operator after \"", attribute, "\" (use ", kOperatorList, ")"));
    }
    if (IsSymbolChar(Peek())) {
      size_t start = pos_;
      while (!AtEnd() && IsSymbolChar(Peek())) ++pos_;
      absl::string_view symbol = text_.substr(start, pos_ - start);
      if (symbol == "==" || symbol == "=") return v1::OPERATOR_EQUALS;
      if (symbol == "!=") return v1::OPERATOR_NOT_EQUALS;
      if (symbol == "<") return v1::OPERATOR_LESS;
      if (symbol == "<=") return v1::OPERATOR_LESS_OR_EQUAL;
      if (symbol == ">") return v1::OPERATOR_GREATER;
      if (symbol == ">=") return v1::OPERATOR_GREATER_OR_EQUAL;
      return UnknownOperator(symbol);
    }
    absl::string_view word = ReadWord();
    if (absl::EqualsIgnoreCase(word, "in")) return v1::OPERATOR_IN;
    if (absl::EqualsIgnoreCase(word, "exists")) return v1::OPERATOR_EXISTS;
    if (absl::EqualsIgnoreCase(word, "starts_with") || absl::EqualsIgnoreCase(word, "prefix")) {
      return v1::OPERATOR_STARTS_WITH;
    }
    if (absl::EqualsIgnoreCase(word, "not")) {
      SkipSpaces();
      absl::string_view second = ReadWord();
      if (absl::EqualsIgnoreCase(second, "in")) return v1::OPERATOR_NOT_IN;
      if (absl::EqualsIgnoreCase(second, "exists")) return v1::OPERATOR_NOT_EXISTS;
      return UnknownOperator(second.empty() ? word : absl::StrCat(word, " ", second));
    }
    return UnknownOperator(word);
  }

  absl::Status UnknownOperator(absl::string_view op) const {
    return Error(absl::StrCat("unknown operator \"", op, "\" (use ", kOperatorList, ")"));
  }

  absl::string_view ReadWord() {
    size_t start = pos_;
    while (!AtEnd() && !IsSpace(Peek()) && Peek() != '"') ++pos_;
    return text_.substr(start, pos_ - start);
  }

  // At an opening quote: reads up to the closing one, undoing \" and \\.
  absl::StatusOr<std::string> ReadQuoted() {
    std::string out;
    ++pos_;  // The opening quote.
    while (!AtEnd()) {
      char c = text_[pos_++];
      if (c == '"') return out;
      if (c == '\\' && !AtEnd() && (Peek() == '"' || Peek() == '\\')) c = text_[pos_++];
      out.push_back(c);
    }
    return Error("a quoted value is not closed (missing '\"')");
  }

  absl::StatusOr<std::string> ReadSingleValue() {
    if (Peek() != '"') {
      std::string value(Rest());
      pos_ = text_.size();
      return value;
    }
    absl::StatusOr<std::string> value = ReadQuoted();
    if (!value.ok()) return value;
    SkipSpaces();
    if (!AtEnd()) {
      return Error(absl::StrCat("unexpected text after the quoted value: \"", Rest(), "\""));
    }
    return value;
  }

  absl::Status ReadList(v1::Operator op, v1::Condition& condition) {
    for (int item = 1;; ++item) {
      SkipSpaces();
      std::string value;
      bool quoted = !AtEnd() && Peek() == '"';
      if (quoted) {
        absl::StatusOr<std::string> q = ReadQuoted();
        if (!q.ok()) return q.status();
        value = *std::move(q);
        SkipSpaces();
        if (!AtEnd() && Peek() != ',') {
          return Error(absl::StrCat("unexpected text after the quoted value: \"", Rest(), "\""));
        }
      } else {
        size_t start = pos_;
        while (!AtEnd() && Peek() != ',') ++pos_;
        value = std::string(absl::StripAsciiWhitespace(text_.substr(start, pos_ - start)));
        if (value.empty()) {
          return Error(absl::StrCat("item ", item, " of the list after \"", OperatorText(op),
                                    "\" is empty"));
        }
      }
      condition.add_values(std::move(value));
      if (AtEnd()) return absl::OkStatus();
      ++pos_;  // The comma.
    }
  }

  absl::string_view field_;
  absl::string_view text_;
  size_t pos_ = 0;
};

// Quotes what the parser would otherwise split, trim or take as a quote.
std::string FormatValue(absl::string_view value) {
  bool needs_quotes = value.empty() || value.front() == '"';
  for (char c : value) {
    if (c == ',' || absl::ascii_isspace(static_cast<unsigned char>(c))) needs_quotes = true;
  }
  if (!needs_quotes) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

}  // namespace

absl::StatusOr<v1::Condition> ParseCondition(absl::string_view field, absl::string_view text) {
  return Parser(field, text).Parse();
}

std::string FormatCondition(const v1::Condition& condition) {
  std::string out = absl::StrCat(condition.attribute(), " ", OperatorText(condition.op()));
  if (condition.values_size() > 0) {
    absl::StrAppend(&out, " ",
                    absl::StrJoin(condition.values(), ",", [](std::string* o, const auto& v) {
                      o->append(FormatValue(v));
                    }));
  }
  return out;
}

}  // namespace rampart::cli
