// Parses the condition syntax people type in the CLI (`--where`, `--rule`,
// segment conditions) into rampart.v1.Condition. Pure; thread-safe.
//
//   industry == accounting        OPERATOR_EQUALS       (also "=")
//   plan != free                  OPERATOR_NOT_EQUALS
//   region in eu,us               OPERATOR_IN           (comma-separated)
//   region not in eu,us           OPERATOR_NOT_IN
//   ltv >= 1000000                OPERATOR_GREATER_OR_EQUAL (also <, <=, >)
//   tags exists                   OPERATOR_EXISTS
//   tags not exists               OPERATOR_NOT_EXISTS
//   name starts_with Acme         OPERATOR_STARTS_WITH  (also "prefix")
//
// Spaces around operators are optional for the symbolic ones. A value may be
// quoted with double quotes to keep spaces or commas: name == "ACME, Inc".
#ifndef RAMPART_CLI_EXPR_CONDITION_PARSER_H_
#define RAMPART_CLI_EXPR_CONDITION_PARSER_H_

#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "rampart/v1/model.pb.h"

namespace rampart::cli {

// INVALID_ARGUMENT naming `field` (e.g. "--where") and the problem.
absl::StatusOr<v1::Condition> ParseCondition(absl::string_view field, absl::string_view text);

// The inverse, for display: "ltv >= 1000000", "region in eu,us".
std::string FormatCondition(const v1::Condition& condition);

}  // namespace rampart::cli

#endif  // RAMPART_CLI_EXPR_CONDITION_PARSER_H_
