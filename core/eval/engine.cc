#include "core/eval/engine.h"

#include <algorithm>
#include <cassert>
#include <deque>
#include <functional>
#include <limits>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/common/time_util.h"
#include "core/eval/bucketing.h"

namespace rampart::eval {
namespace {

constexpr double kNotANumber = std::numeric_limits<double>::quiet_NaN();

// Debian's Abseil is built with its own absl::string_view, which protobuf's
// heterogeneous Map lookup (std::string_view) does not accept.
std::string_view ToStd(absl::string_view s) { return std::string_view(s.data(), s.size()); }

// Reads text as a number the way conditions do. NaN when it is not one, so
// every comparison with it is false ("does not parse -> EQUALS false").
double ParseNumber(absl::string_view text) {
  double d;
  return absl::SimpleAtod(text, &d) ? d : kNotANumber;
}

// ---------------------------------------------------------------------------
// Attributes

// One attribute as a condition sees it: a stored value, or one of the
// account's own fields ("key", "name", "time_zone"), which read as strings.
struct Attribute {
  const v1::AttributeValue* value = nullptr;
  absl::string_view field;
  bool is_field = false;

  bool present() const { return value != nullptr || is_field; }
};

Attribute FieldAttribute(absl::string_view text) {
  Attribute a;
  // An empty field (no name, no time zone, no account key) is absent.
  if (!text.empty()) {
    a.field = text;
    a.is_field = true;
  }
  return a;
}

Attribute StoredAttribute(const v1::AttributeValue* value) {
  Attribute a;
  a.value = value;
  return a;
}

const v1::AttributeValue* FindIn(const AttributeMap& map, absl::string_view name) {
  // Protobuf's Map<std::string, T> looks up by string_view without a copy.
  auto it = map.find(ToStd(name));
  if (it == map.end() || it->second.kind_case() == v1::AttributeValue::KIND_NOT_SET) {
    return nullptr;
  }
  return &it->second;
}

// Whose attributes the conditions read.
struct Subject {
  absl::string_view account_key;
  const v1::Account* account;  // null: unknown to the registry
  const AttributeMap* extra;   // null: none

  Attribute Find(absl::string_view name) const {
    // The reserved names always mean the account's own fields (validation
    // keeps them out of registry attributes); context attributes so named
    // are ignored, so a context cannot pose as another account.
    if (name == "key") return FieldAttribute(account_key);
    if (name == "name") return FieldAttribute(account ? account->name() : absl::string_view());
    if (name == "time_zone") {
      return FieldAttribute(account ? account->time_zone() : absl::string_view());
    }
    if (extra != nullptr) {
      if (const v1::AttributeValue* v = FindIn(*extra, name)) return StoredAttribute(v);
    }
    if (account != nullptr) {
      if (const v1::AttributeValue* v = FindIn(account->attributes(), name)) {
        return StoredAttribute(v);
      }
    }
    return {};
  }
};

// ---------------------------------------------------------------------------
// Conditions

// The values of a condition as text and as numbers. The numbers come from a
// table compiled by Build() when there is one, else are parsed on demand;
// neither allocates.
class Operands {
 public:
  explicit Operands(const v1::Condition& condition, const double* numbers = nullptr)
      : condition_(condition), numbers_(numbers) {}

  int size() const { return condition_.values_size(); }
  absl::string_view text(int i) const { return condition_.values(i); }
  double number(int i) const {
    return numbers_ != nullptr ? numbers_[i] : ParseNumber(condition_.values(i));
  }

 private:
  const v1::Condition& condition_;
  const double* numbers_;
};

// The attribute equals operand i, compared by the attribute's type.
bool EqualsOperand(const Attribute& a, const Operands& ops, int i) {
  if (a.is_field) return a.field == ops.text(i);
  const v1::AttributeValue& v = *a.value;
  switch (v.kind_case()) {
    case v1::AttributeValue::kStringValue:
      return v.string_value() == ops.text(i);
    case v1::AttributeValue::kNumberValue:
      return v.number_value() == ops.number(i);
    case v1::AttributeValue::kBoolValue:
      return ops.text(i) == (v.bool_value() ? "true" : "false");
    case v1::AttributeValue::kListValue:
      for (const std::string& item : v.list_value().values()) {
        if (item == ops.text(i)) return true;
      }
      return false;
    case v1::AttributeValue::KIND_NOT_SET:
      break;
  }
  return false;
}

bool Equals(const Attribute& a, const Operands& ops) {
  return a.present() && ops.size() > 0 && EqualsOperand(a, ops, 0);
}

bool In(const Attribute& a, const Operands& ops) {
  if (!a.present()) return false;
  for (int i = 0; i < ops.size(); ++i) {
    if (EqualsOperand(a, ops, i)) return true;
  }
  return false;
}

// The attribute as a number: a number attribute, or a string one whose whole
// text reads as a number. NaN otherwise.
double AsNumber(const Attribute& a) {
  if (a.is_field) return ParseNumber(a.field);
  if (a.value == nullptr) return kNotANumber;
  switch (a.value->kind_case()) {
    case v1::AttributeValue::kNumberValue:
      return a.value->number_value();
    case v1::AttributeValue::kStringValue:
      return ParseNumber(a.value->string_value());
    default:
      return kNotANumber;
  }
}

bool StartsWith(const Attribute& a, const Operands& ops) {
  if (!a.present() || ops.size() == 0) return false;
  const absl::string_view prefix = ops.text(0);
  if (a.is_field) return absl::StartsWith(a.field, prefix);
  switch (a.value->kind_case()) {
    case v1::AttributeValue::kStringValue:
      return absl::StartsWith(a.value->string_value(), prefix);
    case v1::AttributeValue::kListValue:
      for (const std::string& item : a.value->list_value().values()) {
        if (absl::StartsWith(item, prefix)) return true;
      }
      return false;
    default:
      return false;
  }
}

bool Holds(const v1::Condition& c, const Operands& ops, const Subject& subject) {
  const Attribute a = subject.Find(c.attribute());
  // NaN on either side makes every comparison below false, which is the rule
  // for absent and non-numeric attributes.
  const auto compare = [&](auto op) { return ops.size() > 0 && op(AsNumber(a), ops.number(0)); };
  switch (c.op()) {
    case v1::OPERATOR_EQUALS:
      return Equals(a, ops);
    case v1::OPERATOR_NOT_EQUALS:
      return !Equals(a, ops);
    case v1::OPERATOR_IN:
      return In(a, ops);
    case v1::OPERATOR_NOT_IN:
      return !In(a, ops);
    case v1::OPERATOR_LESS:
      return compare(std::less<double>());
    case v1::OPERATOR_LESS_OR_EQUAL:
      return compare(std::less_equal<double>());
    case v1::OPERATOR_GREATER:
      return compare(std::greater<double>());
    case v1::OPERATOR_GREATER_OR_EQUAL:
      return compare(std::greater_equal<double>());
    case v1::OPERATOR_EXISTS:
      return a.present();
    case v1::OPERATOR_NOT_EXISTS:
      return !a.present();
    case v1::OPERATOR_STARTS_WITH:
      return StartsWith(a, ops);
    default:
      return false;  // unspecified or unknown: never matches
  }
}

// `holds(i)` says whether condition i holds. No conditions: no match (a
// segment without conditions holds only its included accounts).
template <typename HoldsAt>
bool ConditionsMatch(v1::Match match, int count, HoldsAt holds) {
  if (count == 0) return false;
  if (match == v1::MATCH_ANY) {
    for (int i = 0; i < count; ++i) {
      if (holds(i)) return true;
    }
    return false;
  }
  for (int i = 0; i < count; ++i) {  // MATCH_ALL, MATCH_UNSPECIFIED
    if (!holds(i)) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------
// The compiled index

// A condition with its values read as numbers once (NaN where not a number).
struct CompiledCondition {
  explicit CompiledCondition(const v1::Condition& c) : condition(&c) {
    numbers.reserve(c.values_size());
    for (const std::string& v : c.values()) numbers.push_back(ParseNumber(v));
  }

  bool HoldsFor(const Subject& subject) const {
    return Holds(*condition, Operands(*condition, numbers.data()), subject);
  }

  const v1::Condition* condition;
  std::vector<double> numbers;
};

std::vector<CompiledCondition> Compile(
    const google::protobuf::RepeatedPtrField<v1::Condition>& conditions) {
  std::vector<CompiledCondition> out;
  out.reserve(conditions.size());
  for (const v1::Condition& c : conditions) out.emplace_back(c);
  return out;
}

// Views in the sets point into *segment, which the Snapshot owns.
struct CompiledSegment {
  explicit CompiledSegment(const v1::Segment& s)
      : segment(&s),
        included(s.included().begin(), s.included().end()),
        excluded(s.excluded().begin(), s.excluded().end()),
        conditions(Compile(s.conditions())) {}

  bool Contains(const Subject& subject) const {
    if (included.contains(subject.account_key)) return true;
    if (excluded.contains(subject.account_key)) return false;
    return ConditionsMatch(segment->match(), static_cast<int>(conditions.size()),
                           [&](int i) { return conditions[i].HoldsFor(subject); });
  }

  const v1::Segment* segment;
  absl::flat_hash_set<absl::string_view> included;
  absl::flat_hash_set<absl::string_view> excluded;
  std::vector<CompiledCondition> conditions;
};

using VariantIndex = absl::flat_hash_map<absl::string_view, const v1::Variant*>;
using SegmentIndex = absl::flat_hash_map<absl::string_view, const CompiledSegment*>;
using AccountIndex = absl::flat_hash_map<absl::string_view, const v1::Account*>;

// A variant reference resolved at Build(); `variant` is null when the flag
// lacks the named one (validation prevents it; evaluation reports GENERAL).
struct VariantRef {
  absl::string_view name;
  const v1::Variant* variant = nullptr;
};

VariantRef Resolve(absl::string_view name, const VariantIndex& variants) {
  auto it = variants.find(name);
  return {name, it == variants.end() ? nullptr : it->second};
}

struct CompiledRule {
  CompiledRule(const v1::Rule& r, const VariantIndex& variants, const SegmentIndex& segment_index)
      : rule(&r), variant(Resolve(r.variant(), variants)), conditions(Compile(r.conditions())) {
    // A segment the snapshot lacks never matches: it is simply left out.
    for (const std::string& key : r.segments()) {
      auto it = segment_index.find(key);
      if (it != segment_index.end()) segments.push_back(it->second);
    }
  }

  bool Matches(const Subject& subject) const {
    if (rule->segments_size() > 0 &&
        std::none_of(segments.begin(), segments.end(),
                     [&](const CompiledSegment* s) { return s->Contains(subject); })) {
      return false;
    }
    return std::all_of(conditions.begin(), conditions.end(),
                       [&](const CompiledCondition& c) { return c.HoldsFor(subject); });
  }

  const v1::Rule* rule;
  VariantRef variant;
  std::vector<const CompiledSegment*> segments;
  std::vector<CompiledCondition> conditions;
};

struct CompiledOverride {
  const v1::Override* source;
  VariantRef variant;
  bool has_end;
  absl::Time ends_at;
};

// A percentage rollout with its thresholds computed once (see bucketing.h).
// Empty `thresholds`: the flag has no rollout.
struct CompiledRollout {
  CompiledRollout(const v1::Flag& f, const VariantIndex& variants)
      : salt(f.rollout().salt().empty() ? f.key() : f.rollout().salt()),
        by_user(f.rollout().unit() == v1::ROLLOUT_UNIT_USER) {
    uint64_t cumulative = 0;
    thresholds.reserve(f.rollout().variants_size());
    split_variants.reserve(f.rollout().variants_size());
    for (const v1::WeightedVariant& w : f.rollout().variants()) {
      cumulative += w.weight();
      thresholds.push_back(BucketThreshold(cumulative));
      split_variants.push_back(Resolve(w.variant(), variants));
    }
  }

  bool empty() const { return thresholds.empty(); }

  // The user key for ROLLOUT_UNIT_USER when the context has one, else the
  // account key.
  absl::string_view UnitKey(const Context& context) const {
    return by_user && !context.user_key.empty() ? context.user_key : context.account_key;
  }

  // The variant the unit's bucket falls in; null when the weights add up to
  // less than 100 % and the bucket is past them (validation prevents it).
  const VariantRef* Pick(const Context& context) const {
    const size_t i = PickIndex(BucketOf(salt, UnitKey(context)), thresholds);
    return i < split_variants.size() ? &split_variants[i] : nullptr;
  }

  absl::string_view salt;  // points into the flag
  bool by_user;
  std::vector<uint64_t> thresholds;
  std::vector<VariantRef> split_variants;
};

struct CompiledFlag {
  CompiledFlag(const v1::Flag& f, const SegmentIndex& segment_index)
      : CompiledFlag(f, segment_index, IndexVariants(f)) {}

  CompiledFlag(const v1::Flag& f, const SegmentIndex& segment_index, const VariantIndex& variants)
      : flag(&f), rollout(f, variants) {
    default_variant = Resolve(f.default_variant(), variants);
    off_variant = Resolve(f.off_variant(), variants);
    for (const v1::Override& o : f.overrides()) {
      // One override per account (validated); were there two, the first wins.
      overrides.try_emplace(o.account_key(),
                            CompiledOverride{&o, Resolve(o.variant(), variants), IsSet(o.ends_at()),
                                             FromProto(o.ends_at())});
    }
    rules.reserve(f.rules_size());
    for (const v1::Rule& r : f.rules()) rules.emplace_back(r, variants, segment_index);
  }

  static VariantIndex IndexVariants(const v1::Flag& f) {
    VariantIndex variants;
    for (const v1::Variant& v : f.variants()) variants.try_emplace(v.name(), &v);
    return variants;
  }

  const v1::Flag* flag;
  CompiledRollout rollout;
  VariantRef default_variant;
  VariantRef off_variant;
  absl::flat_hash_map<absl::string_view, CompiledOverride> overrides;
  std::vector<CompiledRule> rules;
};

// ---------------------------------------------------------------------------
// Evaluation

Evaluation Error(v1::ErrorCode code, absl::string_view detail = {}) {
  Evaluation e;
  e.reason = v1::REASON_ERROR;
  e.error = code;
  e.detail = detail;
  return e;
}

Evaluation Serve(const VariantRef& ref, v1::Reason reason, absl::string_view detail = {}) {
  if (ref.variant == nullptr) return Error(v1::ERROR_CODE_GENERAL, ref.name);
  Evaluation e;
  e.value = &ref.variant->value();
  e.variant = ref.variant->name();
  e.reason = reason;
  e.detail = detail;
  return e;
}

const v1::Account* FindIn(const AccountIndex& accounts, absl::string_view key) {
  auto it = accounts.find(key);
  return it == accounts.end() ? nullptr : it->second;
}

Evaluation EvaluateCompiled(const CompiledFlag& compiled, const AccountIndex& accounts,
                            const Context& context, absl::Time at) {
  const v1::Flag& flag = *compiled.flag;
  if (flag.archived()) return Error(v1::ERROR_CODE_FLAG_NOT_FOUND);
  if (!flag.enabled()) return Serve(compiled.off_variant, v1::REASON_DISABLED);

  if (!compiled.overrides.empty() && !context.account_key.empty()) {
    auto it = compiled.overrides.find(context.account_key);
    if (it != compiled.overrides.end()) {
      const CompiledOverride& o = it->second;
      // The override ends at ends_at: at that very instant it no longer applies.
      if (!o.has_end || at < o.ends_at) {
        return Serve(o.variant, o.source->deferral() ? v1::REASON_DEFERRED : v1::REASON_OVERRIDE,
                     o.source->reason());
      }
    }
  }

  if (!compiled.rules.empty()) {
    const Subject subject{context.account_key, FindIn(accounts, context.account_key),
                          context.attributes};
    for (const CompiledRule& rule : compiled.rules) {
      if (rule.Matches(subject)) {
        return Serve(rule.variant, v1::REASON_TARGETING_MATCH, rule.rule->id());
      }
    }
  }

  if (!compiled.rollout.empty()) {
    if (const VariantRef* variant = compiled.rollout.Pick(context)) {
      return Serve(*variant, v1::REASON_SPLIT);
    }
  }

  // STATIC tells callers the value cannot differ by account, so they may cache it.
  const bool targeted =
      flag.overrides_size() > 0 || flag.rules_size() > 0 || !compiled.rollout.empty();
  return Serve(compiled.default_variant, targeted ? v1::REASON_DEFAULT : v1::REASON_STATIC);
}

}  // namespace

// ---------------------------------------------------------------------------
// Snapshot

// The accounts of a snapshot and their index. Immutable once built, so
// snapshots may share one (Builder::ShareAccountsWith).
struct AccountTable {
  std::deque<v1::Account> store;
  AccountIndex index;
};

struct Snapshot::Impl {
  // Compiles the index over what was added; the later of two objects with
  // one key wins.
  void Index() {
    if (accounts == nullptr) {
      auto table = std::make_shared<AccountTable>();
      table->store = std::move(account_store);
      for (const v1::Account& a : table->store) table->index.insert_or_assign(a.key(), &a);
      accounts = std::move(table);
    }

    for (const v1::Segment& s : segment_store) segments.insert_or_assign(s.key(), &s);
    for (const auto& [key, segment] : segments) {
      compiled_segments.insert_or_assign(key, &compiled_segment_store.emplace_back(*segment));
    }

    absl::flat_hash_map<absl::string_view, const v1::Flag*> latest;
    for (const v1::Flag& f : flag_store) latest.insert_or_assign(f.key(), &f);
    flag_list.reserve(latest.size());
    for (const auto& [key, flag] : latest) {
      flags.try_emplace(key, *flag, compiled_segments);
      flag_list.push_back(flag);
    }
    std::sort(flag_list.begin(), flag_list.end(),
              [](const v1::Flag* a, const v1::Flag* b) { return a->key() < b->key(); });
  }

  // Deques keep every address stable while objects are added; the indexes
  // below hold views and pointers into them.
  std::deque<v1::Flag> flag_store;
  std::deque<v1::Segment> segment_store;
  std::deque<v1::Account> account_store;  // moved into `accounts` by Index()
  std::deque<CompiledSegment> compiled_segment_store;

  absl::flat_hash_map<absl::string_view, CompiledFlag> flags;
  absl::flat_hash_map<absl::string_view, const v1::Segment*> segments;
  SegmentIndex compiled_segments;
  // Never null after Index(); maybe shared with other snapshots.
  std::shared_ptr<const AccountTable> accounts;
  std::vector<const v1::Flag*> flag_list;
};

Snapshot::Snapshot() : impl_(std::make_unique<Impl>()) {}
Snapshot::~Snapshot() = default;

Snapshot::Builder::Builder() : snapshot_(new Snapshot()) {}
Snapshot::Builder::~Builder() = default;

void Snapshot::Builder::AddFlag(v1::Flag flag) {
  snapshot_->impl_->flag_store.push_back(std::move(flag));
}

void Snapshot::Builder::AddSegment(v1::Segment segment) {
  snapshot_->impl_->segment_store.push_back(std::move(segment));
}

void Snapshot::Builder::AddAccount(v1::Account account) {
  assert(snapshot_->impl_->accounts == nullptr && "AddAccount after ShareAccountsWith");
  snapshot_->impl_->account_store.push_back(std::move(account));
}

void Snapshot::Builder::ShareAccountsWith(const Snapshot& previous) {
  assert(snapshot_->impl_->account_store.empty() && "ShareAccountsWith after AddAccount");
  snapshot_->impl_->account_store.clear();
  snapshot_->impl_->accounts = previous.impl_->accounts;
}

std::shared_ptr<const Snapshot> Snapshot::Builder::Build() && {
  snapshot_->impl_->Index();
  return std::shared_ptr<const Snapshot>(std::move(snapshot_));
}

const v1::Flag* Snapshot::FindFlag(absl::string_view key) const {
  auto it = impl_->flags.find(key);
  return it == impl_->flags.end() ? nullptr : it->second.flag;
}

const v1::Segment* Snapshot::FindSegment(absl::string_view key) const {
  auto it = impl_->segments.find(key);
  return it == impl_->segments.end() ? nullptr : it->second;
}

const v1::Account* Snapshot::FindAccount(absl::string_view key) const {
  return FindIn(impl_->accounts->index, key);
}

const std::vector<const v1::Flag*>& Snapshot::flags() const { return impl_->flag_list; }

// ---------------------------------------------------------------------------
// Public functions

Evaluation Evaluate(const Snapshot& snapshot, absl::string_view flag_key, const Context& context,
                    absl::Time at) {
  const Snapshot::Impl& impl = *snapshot.impl_;
  auto it = impl.flags.find(flag_key);
  if (it == impl.flags.end()) return Error(v1::ERROR_CODE_FLAG_NOT_FOUND);
  return EvaluateCompiled(it->second, impl.accounts->index, context, at);
}

Evaluation EvaluateFlag(const Snapshot& snapshot, const v1::Flag& flag, const Context& context,
                        absl::Time at) {
  const Snapshot::Impl& impl = *snapshot.impl_;
  auto it = impl.flags.find(flag.key());
  // A flag from elsewhere has no compiled index here; refuse rather than guess.
  if (it == impl.flags.end() || it->second.flag != &flag) return Error(v1::ERROR_CODE_GENERAL);
  return EvaluateCompiled(it->second, impl.accounts->index, context, at);
}

bool SegmentContains(const v1::Segment& segment, absl::string_view account_key,
                     const v1::Account* account, const AttributeMap* extra) {
  // Uncompiled: linear scans and on-demand number parsing, still no allocation.
  const auto listed = [&](const google::protobuf::RepeatedPtrField<std::string>& keys) {
    return std::find(keys.begin(), keys.end(), account_key) != keys.end();
  };
  if (listed(segment.included())) return true;
  if (listed(segment.excluded())) return false;
  const Subject subject{account_key, account, extra};
  return ConditionsMatch(segment.match(), segment.conditions_size(), [&](int i) {
    const v1::Condition& c = segment.conditions(i);
    return Holds(c, Operands(c), subject);
  });
}

bool ConditionHolds(const v1::Condition& condition, absl::string_view account_key,
                    const v1::Account* account, const AttributeMap* extra) {
  return Holds(condition, Operands(condition), Subject{account_key, account, extra});
}

v1::EvaluationResult ToProto(absl::string_view flag_key, const Evaluation& e,
                             int64_t flag_revision) {
  v1::EvaluationResult result;
  result.set_flag_key(std::string(flag_key));
  if (e.value != nullptr) *result.mutable_value() = *e.value;
  result.set_variant(std::string(e.variant));
  result.set_reason(e.reason);
  result.set_error_code(e.error);
  result.set_detail(std::string(e.detail));
  result.set_flag_revision(flag_revision);
  switch (e.error) {
    case v1::ERROR_CODE_UNSPECIFIED:
      break;
    case v1::ERROR_CODE_FLAG_NOT_FOUND:
      result.set_error_message(
          absl::StrCat("flag \"", flag_key, "\": not found (unknown or archived)"));
      break;
    case v1::ERROR_CODE_GENERAL:
      result.set_error_message(
          e.detail.empty()
              ? absl::StrCat("flag \"", flag_key, "\": not in the snapshot evaluated against")
              : absl::StrCat("flag \"", flag_key, "\": variant \"", e.detail, "\" does not exist"));
      break;
    default:
      result.set_error_message(absl::StrCat("flag \"", flag_key, "\": evaluation failed"));
      break;
  }
  return result;
}

}  // namespace rampart::eval
