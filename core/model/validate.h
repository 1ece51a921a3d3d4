// Validation of the release model: the one place that decides whether an
// account, segment or flag definition is well-formed. rampartd calls it
// before every write (so bad input changes nothing); the CLI may call it to
// check a definition file before sending it. Pure functions; thread-safe.
//
// Every error is INVALID_ARGUMENT and names the field path and the problem,
// e.g. `flag "checkout-v2": variants[1].value: a string, but the flag is bool`.
#ifndef RAMPART_CORE_MODEL_VALIDATE_H_
#define RAMPART_CORE_MODEL_VALIDATE_H_

#include <cstdint>
#include <functional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "rampart/v1/model.pb.h"

namespace rampart::model {

// How people write an operator in the CLI's condition syntax ("==", "in",
// ">=", "starts_with"...), so that messages read like input. Empty for
// OPERATOR_UNSPECIFIED.
absl::string_view OperatorName(v1::Operator op);

// Key, time zone, attribute names (keys) and values (no empty list items).
absl::Status ValidateAccount(const v1::Account& account);

// One condition: attribute is a key; op set; value count fits the operator
// (EQUALS/NOT_EQUALS/STARTS_WITH: exactly one; IN/NOT_IN: at least one;
// numeric operators: exactly one number; EXISTS/NOT_EXISTS: none).
// `field` prefixes the error, e.g. "segment \"x\": conditions[2]".
absl::Status ValidateCondition(absl::string_view field, const v1::Condition& c);

// Key, included/excluded keys (no duplicates, none in both), conditions,
// time zone.
absl::Status ValidateSegment(const v1::Segment& segment);

// 100 %, in the unit of WeightedVariant.weight (thousandths of a percent).
inline constexpr uint32_t kRolloutWeightTotal = 100000;

// Returns true when a segment with that key exists. An empty function skips
// the existence check (e.g. the CLI checking a file offline).
using SegmentExists = std::function<bool(absl::string_view key)>;

// Key; type set; at least one variant; variant names are keys and unique;
// every value has the flag's type (JSON values parse as JSON); default and
// off variants exist; overrides name existing variants, valid account keys,
// one override per account, a non-empty reason; rules have unique ids (empty
// ids are allowed and filled by the server), at least one segment or
// condition, existing segments (per `segment_exists`), existing variants;
// the rollout's unit is a known value and, when it has variants, they exist,
// are listed once each and their weights add up to exactly
// kRolloutWeightTotal (a rollout without variants is no rollout); expires_at
// only on temporary flags.
absl::Status ValidateFlag(const v1::Flag& flag, const SegmentExists& segment_exists);

}  // namespace rampart::model

#endif  // RAMPART_CORE_MODEL_VALIDATE_H_
