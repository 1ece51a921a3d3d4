#include "core/model/validate.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/common/keys.h"
#include "core/common/status_macros.h"
#include "core/common/time_util.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace rampart::model {
namespace {

using AttributeMap = google::protobuf::Map<std::string, v1::AttributeValue>;

absl::Status Invalid(absl::string_view field, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
}

std::string Quoted(absl::string_view s) { return absl::StrCat("\"", s, "\""); }

// `object "key"`, the prefix of every message about that object.
std::string ObjectField(absl::string_view kind, absl::string_view key) {
  return absl::StrCat(kind, " ", Quoted(key));
}

absl::string_view FlagTypeName(v1::FlagType type) {
  switch (type) {
    case v1::FLAG_TYPE_BOOL:
      return "bool";
    case v1::FLAG_TYPE_STRING:
      return "string";
    case v1::FLAG_TYPE_INT:
      return "int";
    case v1::FLAG_TYPE_DOUBLE:
      return "double";
    case v1::FLAG_TYPE_JSON:
      return "json";
    default:
      return "";
  }
}

// The flag type a value kind belongs to, and how to name it in a message.
struct KindInfo {
  v1::FlagType type;
  absl::string_view name;
};

KindInfo ValueKind(const v1::FlagValue& value) {
  switch (value.kind_case()) {
    case v1::FlagValue::kBoolValue:
      return {v1::FLAG_TYPE_BOOL, "a bool"};
    case v1::FlagValue::kStringValue:
      return {v1::FLAG_TYPE_STRING, "a string"};
    case v1::FlagValue::kIntValue:
      return {v1::FLAG_TYPE_INT, "an int"};
    case v1::FlagValue::kDoubleValue:
      return {v1::FLAG_TYPE_DOUBLE, "a double"};
    case v1::FlagValue::kJsonValue:
      return {v1::FLAG_TYPE_JSON, "a JSON value"};
    case v1::FlagValue::KIND_NOT_SET:
      break;
  }
  return {v1::FLAG_TYPE_UNSPECIFIED, ""};
}

// Same reading of a number as the engine's (absl::SimpleAtod), and finite, so
// a condition that validates compares the way its author expects.
bool IsNumber(absl::string_view text) {
  double d;
  return absl::SimpleAtod(text, &d) && std::isfinite(d);
}

// Checks that `keys` are valid keys listed at most once, recording each key's
// index in `seen`. `list` names the field inside `object`, e.g. "included".
absl::Status ValidateKeyList(absl::string_view object, absl::string_view list,
                             const google::protobuf::RepeatedPtrField<std::string>& keys,
                             absl::flat_hash_map<absl::string_view, int>* seen) {
  for (int i = 0; i < keys.size(); ++i) {
    const std::string field = absl::StrCat(object, ": ", list, "[", i, "]");
    RETURN_IF_ERROR(ValidateKey(field, keys[i]));
    auto [it, inserted] = seen->try_emplace(keys[i], i);
    if (!inserted) {
      return Invalid(absl::StrCat(field, " ", Quoted(keys[i])),
                     absl::StrCat("listed twice (also ", list, "[", it->second, "])"));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateAttributeValue(absl::string_view field, const v1::AttributeValue& value) {
  switch (value.kind_case()) {
    case v1::AttributeValue::kStringValue:
    case v1::AttributeValue::kNumberValue:
    case v1::AttributeValue::kBoolValue:
      return absl::OkStatus();
    case v1::AttributeValue::kListValue: {
      const auto& items = value.list_value().values();
      for (int i = 0; i < items.size(); ++i) {
        if (items[i].empty()) {
          return Invalid(absl::StrCat(field, ".list_value[", i, "]"),
                         "empty string (a list item must have text)");
        }
      }
      return absl::OkStatus();
    }
    case v1::AttributeValue::KIND_NOT_SET:
      break;
  }
  return Invalid(field, "no value (set a string, number, bool or list)");
}

absl::Status ValidateVariantValue(absl::string_view field, const v1::FlagValue& value,
                                  v1::FlagType flag_type) {
  const KindInfo kind = ValueKind(value);
  if (kind.type == v1::FLAG_TYPE_UNSPECIFIED) {
    return Invalid(field, absl::StrCat("no value (the flag is ", FlagTypeName(flag_type), ")"));
  }
  if (kind.type != flag_type) {
    return Invalid(field, absl::StrCat(kind.name, ", but the flag is ", FlagTypeName(flag_type)));
  }
  if (kind.type == v1::FLAG_TYPE_JSON) {
    google::protobuf::Value parsed;
    const auto status = google::protobuf::util::JsonStringToMessage(value.json_value(), &parsed);
    if (!status.ok()) {
      // protobuf 3.21's status message is its own StringPiece type.
      return Invalid(field, absl::StrCat("not valid JSON: ", status.message().ToString()));
    }
  }
  return absl::OkStatus();
}

// Fails unless `name` is one of the flag's variants.
absl::Status RequireVariant(absl::string_view field, const std::string& name,
                            const absl::flat_hash_map<absl::string_view, int>& variants) {
  if (name.empty()) return Invalid(field, "required");
  if (!variants.contains(name)) {
    return Invalid(absl::StrCat(field, " ", Quoted(name)), "no such variant");
  }
  return absl::OkStatus();
}

absl::Status ValidateRule(absl::string_view field, const v1::Rule& rule,
                          const absl::flat_hash_map<absl::string_view, int>& variants,
                          const SegmentExists& segment_exists) {
  if (rule.segments().empty() && rule.conditions().empty()) {
    return Invalid(field, "needs at least one segment or condition");
  }
  for (int j = 0; j < rule.segments_size(); ++j) {
    const std::string segment_field = absl::StrCat(field, ".segments[", j, "]");
    const std::string& segment = rule.segments(j);
    RETURN_IF_ERROR(ValidateKey(segment_field, segment));
    if (segment_exists && !segment_exists(segment)) {
      return Invalid(absl::StrCat(segment_field, " ", Quoted(segment)), "no such segment");
    }
  }
  for (int j = 0; j < rule.conditions_size(); ++j) {
    RETURN_IF_ERROR(
        ValidateCondition(absl::StrCat(field, ".conditions[", j, "]"), rule.conditions(j)));
  }
  return RequireVariant(absl::StrCat(field, ".variant"), rule.variant(), variants);
}

// A rollout without variants is no rollout; its unit and salt are kept as
// they are (a later `rollout set` may reuse them).
absl::Status ValidateRollout(absl::string_view object, const v1::Rollout& rollout,
                             const absl::flat_hash_map<absl::string_view, int>& variants) {
  if (!v1::RolloutUnit_IsValid(rollout.unit())) {
    return Invalid(absl::StrCat(object, ": rollout.unit"),
                   absl::StrCat("unknown value ", static_cast<int>(rollout.unit())));
  }
  if (rollout.variants().empty()) return absl::OkStatus();
  absl::flat_hash_map<absl::string_view, int> listed;
  uint64_t sum = 0;  // 64 bits: uint32 weights cannot overflow it
  for (int i = 0; i < rollout.variants_size(); ++i) {
    const v1::WeightedVariant& w = rollout.variants(i);
    const std::string field = absl::StrCat(object, ": rollout.variants[", i, "].variant");
    RETURN_IF_ERROR(RequireVariant(field, w.variant(), variants));
    auto [it, inserted] = listed.try_emplace(w.variant(), i);
    if (!inserted) {
      return Invalid(absl::StrCat(field, " ", Quoted(w.variant())),
                     absl::StrCat("listed twice (also rollout.variants[", it->second, "])"));
    }
    sum += w.weight();
  }
  if (sum != kRolloutWeightTotal) {
    return Invalid(
        absl::StrCat(object, ": rollout"),
        absl::StrCat("weights add up to ", sum, ", must be ", kRolloutWeightTotal, " (100 %)"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::string_view OperatorName(v1::Operator op) {
  switch (op) {
    case v1::OPERATOR_EQUALS:
      return "==";
    case v1::OPERATOR_NOT_EQUALS:
      return "!=";
    case v1::OPERATOR_IN:
      return "in";
    case v1::OPERATOR_NOT_IN:
      return "not in";
    case v1::OPERATOR_LESS:
      return "<";
    case v1::OPERATOR_LESS_OR_EQUAL:
      return "<=";
    case v1::OPERATOR_GREATER:
      return ">";
    case v1::OPERATOR_GREATER_OR_EQUAL:
      return ">=";
    case v1::OPERATOR_EXISTS:
      return "exists";
    case v1::OPERATOR_NOT_EXISTS:
      return "not exists";
    case v1::OPERATOR_STARTS_WITH:
      return "starts_with";
    default:
      return "";
  }
}

absl::Status ValidateAccount(const v1::Account& account) {
  RETURN_IF_ERROR(ValidateKey("account.key", account.key()));
  const std::string object = ObjectField("account", account.key());
  RETURN_IF_ERROR(ValidateTimeZone(absl::StrCat(object, ": time_zone"), account.time_zone()));

  // Map order is unspecified; sort so the same input always reports the same error.
  std::vector<const AttributeMap::value_type*> attributes;
  attributes.reserve(account.attributes().size());
  for (const auto& entry : account.attributes()) attributes.push_back(&entry);
  std::sort(attributes.begin(), attributes.end(),
            [](const auto* a, const auto* b) { return a->first < b->first; });
  for (const auto* entry : attributes) {
    const auto& [name, value] = *entry;
    const std::string field = absl::StrCat(object, ": attributes[", Quoted(name), "]");
    RETURN_IF_ERROR(ValidateKey(absl::StrCat(object, ": attribute name"), name));
    if (name == "key" || name == "name" || name == "time_zone") {
      return Invalid(field, "reserved name (conditions use it for the account's own field)");
    }
    RETURN_IF_ERROR(ValidateAttributeValue(field, value));
  }
  return absl::OkStatus();
}

absl::Status ValidateCondition(absl::string_view field, const v1::Condition& c) {
  RETURN_IF_ERROR(ValidateKey(absl::StrCat(field, ".attribute"), c.attribute()));
  const int n = c.values_size();
  const absl::string_view op = OperatorName(c.op());
  switch (c.op()) {
    case v1::OPERATOR_EQUALS:
    case v1::OPERATOR_NOT_EQUALS:
    case v1::OPERATOR_STARTS_WITH:
      if (n != 1) {
        return Invalid(field, absl::StrCat("operator ", op, " needs exactly one value, got ", n));
      }
      return absl::OkStatus();
    case v1::OPERATOR_IN:
    case v1::OPERATOR_NOT_IN:
      if (n == 0) return Invalid(field, absl::StrCat("operator ", op, " needs at least one value"));
      return absl::OkStatus();
    case v1::OPERATOR_LESS:
    case v1::OPERATOR_LESS_OR_EQUAL:
    case v1::OPERATOR_GREATER:
    case v1::OPERATOR_GREATER_OR_EQUAL:
      if (n != 1) {
        return Invalid(field, absl::StrCat("operator ", op, " needs one number, got ", n,
                                           n == 1 ? " value" : " values"));
      }
      if (!IsNumber(c.values(0))) {
        return Invalid(
            field, absl::StrCat("operator ", op, " needs one number, got ", Quoted(c.values(0))));
      }
      return absl::OkStatus();
    case v1::OPERATOR_EXISTS:
    case v1::OPERATOR_NOT_EXISTS:
      if (n != 0) return Invalid(field, absl::StrCat("operator ", op, " takes no values, got ", n));
      return absl::OkStatus();
    case v1::OPERATOR_UNSPECIFIED:
      return Invalid(absl::StrCat(field, ".op"), "required");
    default:
      return Invalid(absl::StrCat(field, ".op"),
                     absl::StrCat("unknown operator ", static_cast<int>(c.op())));
  }
}

absl::Status ValidateSegment(const v1::Segment& segment) {
  RETURN_IF_ERROR(ValidateKey("segment.key", segment.key()));
  const std::string object = ObjectField("segment", segment.key());

  absl::flat_hash_map<absl::string_view, int> included;
  RETURN_IF_ERROR(ValidateKeyList(object, "included", segment.included(), &included));
  absl::flat_hash_map<absl::string_view, int> excluded;
  RETURN_IF_ERROR(ValidateKeyList(object, "excluded", segment.excluded(), &excluded));
  for (int i = 0; i < segment.excluded_size(); ++i) {
    if (auto it = included.find(segment.excluded(i)); it != included.end()) {
      return Invalid(absl::StrCat(object, ": excluded[", i, "] ", Quoted(segment.excluded(i))),
                     absl::StrCat("also in included[", it->second, "]"));
    }
  }

  if (!v1::Match_IsValid(segment.match())) {
    return Invalid(absl::StrCat(object, ": match"),
                   absl::StrCat("unknown value ", static_cast<int>(segment.match())));
  }
  for (int i = 0; i < segment.conditions_size(); ++i) {
    RETURN_IF_ERROR(
        ValidateCondition(absl::StrCat(object, ": conditions[", i, "]"), segment.conditions(i)));
  }
  return ValidateTimeZone(absl::StrCat(object, ": time_zone"), segment.time_zone());
}

absl::Status ValidateFlag(const v1::Flag& flag, const SegmentExists& segment_exists) {
  RETURN_IF_ERROR(ValidateKey("flag.key", flag.key()));
  const std::string object = ObjectField("flag", flag.key());

  if (flag.type() == v1::FLAG_TYPE_UNSPECIFIED) {
    return Invalid(absl::StrCat(object, ": type"), "required (bool, string, int, double or json)");
  }
  if (FlagTypeName(flag.type()).empty()) {
    return Invalid(absl::StrCat(object, ": type"),
                   absl::StrCat("unknown value ", static_cast<int>(flag.type())));
  }

  if (flag.variants().empty()) {
    return Invalid(absl::StrCat(object, ": variants"), "at least one variant is required");
  }
  absl::flat_hash_map<absl::string_view, int> variants;
  for (int i = 0; i < flag.variants_size(); ++i) {
    const v1::Variant& variant = flag.variants(i);
    const std::string field = absl::StrCat(object, ": variants[", i, "]");
    RETURN_IF_ERROR(ValidateKey(absl::StrCat(field, ".name"), variant.name()));
    auto [it, inserted] = variants.try_emplace(variant.name(), i);
    if (!inserted) {
      return Invalid(absl::StrCat(field, ".name ", Quoted(variant.name())),
                     absl::StrCat("duplicate (also variants[", it->second, "])"));
    }
    RETURN_IF_ERROR(
        ValidateVariantValue(absl::StrCat(field, ".value"), variant.value(), flag.type()));
  }
  RETURN_IF_ERROR(
      RequireVariant(absl::StrCat(object, ": default_variant"), flag.default_variant(), variants));
  RETURN_IF_ERROR(
      RequireVariant(absl::StrCat(object, ": off_variant"), flag.off_variant(), variants));

  absl::flat_hash_map<absl::string_view, int> overridden;
  for (int i = 0; i < flag.overrides_size(); ++i) {
    const v1::Override& o = flag.overrides(i);
    const std::string field = absl::StrCat(object, ": overrides[", i, "]");
    const std::string account_field = absl::StrCat(field, ".account_key");
    RETURN_IF_ERROR(ValidateKey(account_field, o.account_key()));
    auto [it, inserted] = overridden.try_emplace(o.account_key(), i);
    if (!inserted) {
      return Invalid(
          absl::StrCat(account_field, " ", Quoted(o.account_key())),
          absl::StrCat("the account already has an override (overrides[", it->second, "])"));
    }
    RETURN_IF_ERROR(RequireVariant(absl::StrCat(field, ".variant"), o.variant(), variants));
    RETURN_IF_ERROR(RequireNonEmpty(absl::StrCat(field, ".reason"), o.reason()));
  }

  absl::flat_hash_map<absl::string_view, int> rule_ids;
  for (int i = 0; i < flag.rules_size(); ++i) {
    const v1::Rule& rule = flag.rules(i);
    const std::string field = absl::StrCat(object, ": rules[", i, "]");
    if (!rule.id().empty()) {
      RETURN_IF_ERROR(ValidateKey(absl::StrCat(field, ".id"), rule.id()));
      auto [it, inserted] = rule_ids.try_emplace(rule.id(), i);
      if (!inserted) {
        return Invalid(absl::StrCat(field, ".id ", Quoted(rule.id())),
                       absl::StrCat("duplicate (also rules[", it->second, "])"));
      }
    }
    RETURN_IF_ERROR(ValidateRule(field, rule, variants, segment_exists));
  }

  RETURN_IF_ERROR(ValidateRollout(object, flag.rollout(), variants));

  if (IsSet(flag.expires_at()) && !flag.temporary()) {
    return Invalid(absl::StrCat(object, ": expires_at"),
                   "set, but the flag is not temporary (set temporary, or clear expires_at)");
  }
  return absl::OkStatus();
}

}  // namespace rampart::model
