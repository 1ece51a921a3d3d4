#include "core/eval/engine.h"

#include <algorithm>
#include <atomic>
#include <cassert>
#include <deque>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/common/time_util.h"
#include "core/eval/bucketing.h"
#include "core/eval/freeze_view.h"
#include "core/eval/internal/account_table.h"
#include "core/eval/internal/attribute.h"
#include "core/eval/ramp_serving.h"

namespace rampart::eval {
namespace {

using internal::AccountTable;
using internal::Attribute;
using internal::AttributeRef;
using internal::CompactAccount;
using internal::CompactAttribute;
using internal::FindIn;
using internal::kNotANumber;
using internal::ParseNumber;
using internal::StringAttribute;

// Whose attributes the conditions read: an Account message (the server's
// listings) or a compact account (a Snapshot), plus the context's extras.
struct Subject {
  absl::string_view account_key;
  const v1::Account* account = nullptr;                  // null: not a message
  const CompactAccount* compact = nullptr;               // null: not compact
  const CompactAttribute* compact_attributes = nullptr;  // the table's array
  const AttributeMap* extra = nullptr;                   // null: none

  Attribute Find(const AttributeRef& ref) const {
    // The reserved names always mean the account's own fields (validation
    // keeps them out of registry attributes); context attributes so named
    // are ignored, so a context cannot pose as another account.
    switch (ref.kind) {
      case AttributeRef::Kind::kKey:
        return StringAttribute(account_key);
      case AttributeRef::Kind::kName:
        return StringAttribute(Name());
      case AttributeRef::Kind::kTimeZone:
        return StringAttribute(TimeZone());
      case AttributeRef::Kind::kAttribute:
        break;
    }
    if (extra != nullptr) {
      if (Attribute a = FindIn(*extra, ref.name); a.present()) return a;
    }
    if (account != nullptr) return FindIn(account->attributes(), ref.name);
    if (compact != nullptr && ref.id != AttributeRef::kNoAccountHasIt) {
      const CompactAttribute* begin = compact_attributes + compact->attributes_begin;
      const CompactAttribute* end = begin + compact->attribute_count;
      for (const CompactAttribute* it = begin; it != end; ++it) {
        if (ref.id >= 0 ? it->name_id == ref.id : it->name == ref.name) return it->value;
      }
    }
    return {};
  }

  absl::string_view Name() const {
    if (account != nullptr) return account->name();
    return compact != nullptr ? compact->name : absl::string_view();
  }
  absl::string_view TimeZone() const {
    if (account != nullptr) return account->time_zone();
    return compact != nullptr ? compact->time_zone : absl::string_view();
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
  switch (a.kind) {
    case Attribute::Kind::kString:
      return a.text == ops.text(i);
    case Attribute::Kind::kNumber:
      return a.number == ops.number(i);
    case Attribute::Kind::kBool:
      return ops.text(i) == (a.boolean ? "true" : "false");
    case Attribute::Kind::kList:
      return a.AnyItem([&](absl::string_view item) { return item == ops.text(i); });
    case Attribute::Kind::kAbsent:
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
  switch (a.kind) {
    case Attribute::Kind::kNumber:
      return a.number;
    case Attribute::Kind::kString:
      return ParseNumber(a.text);
    default:
      return kNotANumber;
  }
}

bool StartsWith(const Attribute& a, const Operands& ops) {
  if (!a.present() || ops.size() == 0) return false;
  const absl::string_view prefix = ops.text(0);
  switch (a.kind) {
    case Attribute::Kind::kString:
      return absl::StartsWith(a.text, prefix);
    case Attribute::Kind::kList:
      return a.AnyItem([&](absl::string_view item) { return absl::StartsWith(item, prefix); });
    default:
      return false;
  }
}

bool Holds(const v1::Condition& c, const Operands& ops, const Subject& subject,
           const AttributeRef& ref) {
  const Attribute a = subject.Find(ref);
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
// and its attribute resolved against the snapshot's accounts.
struct CompiledCondition {
  CompiledCondition(const v1::Condition& c, const AccountTable& accounts)
      : condition(&c), attribute(accounts.Resolve(c.attribute())) {
    numbers.reserve(c.values_size());
    for (const std::string& v : c.values()) numbers.push_back(ParseNumber(v));
  }

  bool HoldsFor(const Subject& subject) const {
    return Holds(*condition, Operands(*condition, numbers.data()), subject, attribute);
  }

  const v1::Condition* condition;
  AttributeRef attribute;
  std::vector<double> numbers;
};

std::vector<CompiledCondition> Compile(
    const google::protobuf::RepeatedPtrField<v1::Condition>& conditions,
    const AccountTable& accounts) {
  std::vector<CompiledCondition> out;
  out.reserve(conditions.size());
  for (const v1::Condition& c : conditions) out.emplace_back(c, accounts);
  return out;
}

// Views in the sets point into *segment, which the Snapshot owns.
struct CompiledSegment {
  CompiledSegment(const v1::Segment& s, const AccountTable& accounts)
      : segment(&s),
        included(s.included().begin(), s.included().end()),
        excluded(s.excluded().begin(), s.excluded().end()),
        conditions(Compile(s.conditions(), accounts)) {}

  bool Contains(const Subject& subject) const {
    // absl hashes the key even to search an empty set: skip those.
    if (!included.empty() && included.contains(subject.account_key)) return true;
    if (!excluded.empty() && excluded.contains(subject.account_key)) return false;
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
  CompiledRule(const v1::Rule& r, const VariantIndex& variants, const SegmentIndex& segment_index,
               const AccountTable& accounts)
      : rule(&r),
        variant(Resolve(r.variant(), variants)),
        conditions(Compile(r.conditions(), accounts)) {
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

// A started ramp (Flag.ramp, written by the server): the stage matcher
// shared with the server's planner, plus what evaluation needs per stage,
// resolved once: the variant and the detail (its name, else "stage N"), and
// the segments the stages name.
struct CompiledFlagRamp {
  CompiledFlagRamp(const v1::RampServing& serving, const VariantIndex& variants,
                   const SegmentIndex& segment_index)
      : matcher(serving) {
    variants_by_stage.reserve(serving.stages_size());
    labels.reserve(serving.stages_size());
    for (int i = 0; i < serving.stages_size(); ++i) {
      const v1::ServingStage& s = serving.stages(i);
      variants_by_stage.push_back(Resolve(s.variant(), variants));
      labels.push_back(s.name().empty() ? absl::StrCat("stage ", s.stage() > 0 ? s.stage() : i + 1)
                                        : s.name());
    }
    // Only the segments a stage can ask about, so a lookup hashes into a
    // small table. A segment the snapshot lacks is left out: not a member.
    for (const std::string& key : SegmentsNamedBy(serving)) {
      auto it = segment_index.find(key);
      if (it != segment_index.end()) segments.try_emplace(it->first, it->second);
    }
  }

  bool InSegment(absl::string_view key, const Subject& subject) const {
    auto it = segments.find(key);
    return it != segments.end() && it->second->Contains(subject);
  }

  CompiledRamp matcher;
  // Parallel to serving.stages(), as CompiledRamp::MatchIndex counts them.
  std::vector<VariantRef> variants_by_stage;
  // Never resized after construction: Evaluation::detail views point here.
  std::vector<std::string> labels;
  SegmentIndex segments;
};

struct CompiledFlag;

// The flag as it was when a freeze window opened (Flag.freeze_pins).
struct CompiledPin {
  const v1::FreezePin* source;
  // The window it belongs to (CompiledFreezes::IdOf); null when the
  // snapshot's schedule has no such window (the pin never applies).
  const void* window_id;
  // When it was taken: the start of its window then (a recomputation may
  // have moved the window's start since).
  absl::Time start;
  // Null when the flag did not exist then (`absent`).
  std::unique_ptr<const CompiledFlag> flag;
};

struct CompiledFlag {
  CompiledFlag(const v1::Flag& f, const SegmentIndex& segment_index, const AccountTable& accounts,
               const CompiledFreezes* freezes = nullptr)
      : CompiledFlag(f, segment_index, accounts, IndexVariants(f), freezes) {}

  CompiledFlag(const v1::Flag& f, const SegmentIndex& segment_index, const AccountTable& accounts,
               const VariantIndex& variants, const CompiledFreezes* freezes)
      : flag(&f), rollout(f, variants) {
    // Compiled only when started: a draft ramp serves nothing, and a flag
    // without a started ramp pays one null test on the evaluation path.
    if (f.ramp().active()) {
      ramp = std::make_unique<const CompiledFlagRamp>(f.ramp(), variants, segment_index);
    }
    default_variant = Resolve(f.default_variant(), variants);
    off_variant = Resolve(f.off_variant(), variants);
    for (const v1::Override& o : f.overrides()) {
      // One override per account (validated); were there two, the first wins.
      overrides.try_emplace(o.account_key(),
                            CompiledOverride{&o, Resolve(o.variant(), variants), IsSet(o.ends_at()),
                                             FromProto(o.ends_at())});
    }
    rules.reserve(f.rules_size());
    for (const v1::Rule& r : f.rules()) rules.emplace_back(r, variants, segment_index, accounts);
    if (freezes == nullptr) return;  // pins apply only within windows
    pins.reserve(f.freeze_pins_size());
    for (const v1::FreezePin& p : f.freeze_pins()) {
      const absl::Time start = FromProto(p.window_start());
      pins.push_back(CompiledPin{
          &p, freezes->IdOf(p.segment(), p.time_zone(), start), start,
          p.absent() ? nullptr
                     : std::make_unique<const CompiledFlag>(p.flag(), segment_index, accounts)});
    }
  }

  // The pin of the window `freeze` names, or null: the flag has not changed
  // since that window opened.
  const CompiledPin* PinFor(const ActiveFreeze& freeze) const {
    for (const CompiledPin& pin : pins) {
      if (pin.window_id == freeze.id) return &pin;
    }
    return nullptr;
  }

  static VariantIndex IndexVariants(const v1::Flag& f) {
    VariantIndex variants;
    for (const v1::Variant& v : f.variants()) variants.try_emplace(v.name(), &v);
    return variants;
  }

  const v1::Flag* flag;
  CompiledRollout rollout;
  // Null unless the flag's ramp is active; behind a pointer, so flags
  // without one stay small.
  std::unique_ptr<const CompiledFlagRamp> ramp;
  VariantRef default_variant;
  VariantRef off_variant;
  absl::flat_hash_map<absl::string_view, CompiledOverride> overrides;
  std::vector<CompiledRule> rules;
  std::vector<CompiledPin> pins;
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

// The subject of conditions for `context`: the context's account, else its
// account from the snapshot's table (null when unknown to the registry), and
// its extra attributes.
Subject SubjectFor(const AccountTable& accounts, const Context& context) {
  Subject subject;
  subject.account_key = context.account_key;
  if (context.account != nullptr) {
    subject.account = context.account;
  } else {
    subject.compact = accounts.Find(context.account_key);
    subject.compact_attributes = accounts.attributes();
  }
  subject.extra = context.attributes;
  return subject;
}

// `now()` gives the instant of the evaluation; it is called only when the
// result can depend on it (an override with an end). `known`: the subject
// when the caller has looked the account up already.
template <typename Now>
Evaluation EvaluateTargeting(const CompiledFlag& compiled, const AccountTable& accounts,
                             const Context& context, const Now& now,
                             const Subject* known = nullptr) {
  const v1::Flag& flag = *compiled.flag;
  if (flag.archived()) return Error(v1::ERROR_CODE_FLAG_NOT_FOUND);
  if (!flag.enabled()) return Serve(compiled.off_variant, v1::REASON_DISABLED);

  if (!compiled.overrides.empty() && !context.account_key.empty()) {
    auto it = compiled.overrides.find(context.account_key);
    if (it != compiled.overrides.end()) {
      const CompiledOverride& o = it->second;
      // The override ends at ends_at: at that very instant it no longer applies.
      if (!o.has_end || now() < o.ends_at) {
        return Serve(o.variant, o.source->deferral() ? v1::REASON_DEFERRED : v1::REASON_OVERRIDE,
                     o.source->reason());
      }
    }
  }

  if (!compiled.rules.empty()) {
    const Subject subject = known != nullptr ? *known : SubjectFor(accounts, context);
    for (const CompiledRule& rule : compiled.rules) {
      if (rule.Matches(subject)) {
        return Serve(rule.variant, v1::REASON_TARGETING_MATCH, rule.rule->id());
      }
    }
  }

  // A started ramp takes the rollout's place: an account no entered stage
  // serves gets the default, never the rollout's split (which would hand
  // the feature to accounts the plan keeps for later stages).
  if (compiled.ramp != nullptr) {
    const CompiledFlagRamp& ramp = *compiled.ramp;
    // The account is looked up only if a stage asks about a segment (count
    // stages do not), and once.
    Subject subject;
    bool have_subject = known != nullptr;
    if (have_subject) subject = *known;
    const auto in_segment = [&](absl::string_view segment) {
      if (!have_subject) {
        subject = SubjectFor(accounts, context);
        have_subject = true;
      }
      return ramp.InSegment(segment, subject);
    };
    const int stage = ramp.matcher.MatchIndex(context.account_key, context.user_key, in_segment);
    if (stage < 0) return Serve(compiled.default_variant, v1::REASON_DEFAULT);
    return Serve(ramp.variants_by_stage[stage], v1::REASON_STAGE, ramp.labels[stage]);
  }

  if (!compiled.rollout.empty()) {
    if (const VariantRef* variant = compiled.rollout.Pick(context)) {
      return Serve(*variant, v1::REASON_SPLIT);
    }
  }

  // STATIC tells callers the value cannot differ by account, so they may
  // cache it. (A flag with a started ramp never gets here.)
  const bool targeted =
      flag.overrides_size() > 0 || flag.rules_size() > 0 || !compiled.rollout.empty();
  return Serve(compiled.default_variant, targeted ? v1::REASON_DEFAULT : v1::REASON_STATIC);
}

// What a snapshot adds around the targeting of one flag: its freeze windows.
struct Frame {
  const AccountTable& accounts;
  const SegmentIndex& segments;
  const CompiledFreezes* freezes;  // null: no windows
  // Which registry account is in which of the schedule's segments, learnt as
  // evaluations ask: accounts.size() x freezes->segment_count() cells, 0
  // unknown, 1 in, 2 out. The snapshot is immutable, so an answer never
  // changes; racing threads compute the same one. Null without freezes.
  std::atomic<uint8_t>* membership;
  // Each of the schedule's segments' own zone, by column (empty for a
  // segment the snapshot lacks). Null without freezes.
  const absl::string_view* column_zones;
};

// The flag's answer for `context`, frozen where a freeze window holds the
// account (domain promise 3): a frozen account evaluates the flag as it was
// when the window opened (its pin, when it changed since; reason FROZEN, the
// rule as detail), at the window's start, so nothing scheduled meanwhile (an
// override's end) reaches it either.
template <typename Now>
Evaluation EvaluateCompiled(const CompiledFlag& compiled, const Frame& frame,
                            const Context& context, const Now& now) {
  if (frame.freezes == nullptr) return EvaluateTargeting(compiled, frame.accounts, context, now);
  // Looked up once, for the freeze and for targeting.
  const Subject subject = SubjectFor(frame.accounts, context);
  const CompactAccount* account = subject.compact;
  // Context attributes can change membership: only the snapshot's accounts
  // evaluated without any are remembered (a context's own account has no
  // row in the table).
  std::atomic<uint8_t>* memo =
      account != nullptr && (context.attributes == nullptr || context.attributes->empty())
          ? frame.membership + frame.accounts.IndexOf(account) * frame.freezes->segment_count()
          : nullptr;
  const auto in_segment = [&](absl::string_view key, int column) {
    if (memo != nullptr) {
      const uint8_t known = memo[column].load(std::memory_order_relaxed);
      if (known != 0) return known == 1;
    }
    auto it = frame.segments.find(key);
    bool in = false;
    if (it != frame.segments.end()) in = it->second->Contains(subject);
    if (memo != nullptr) memo[column].store(in ? 1 : 2, std::memory_order_relaxed);
    return in;
  };
  const auto segment_zone = [&](absl::string_view, int column) {
    return frame.column_zones[column];
  };
  const std::optional<ActiveFreeze> freeze =
      frame.freezes->Find(context.account_key, subject.TimeZone(), segment_zone, in_segment, now());
  if (!freeze) return EvaluateTargeting(compiled, frame.accounts, context, now, &subject);
  const absl::Time start = freeze->start;
  const auto at_start = [start] { return start; };
  const CompiledPin* pin = compiled.PinFor(*freeze);
  if (pin == nullptr) {
    return EvaluateTargeting(compiled, frame.accounts, context, at_start, &subject);
  }
  if (pin->flag == nullptr) return Error(v1::ERROR_CODE_FLAG_NOT_FOUND);
  const absl::Time pinned_at = pin->start;
  const auto at_pin = [pinned_at] { return pinned_at; };
  Evaluation e = EvaluateTargeting(*pin->flag, frame.accounts, context, at_pin, &subject);
  if (e.error == v1::ERROR_CODE_UNSPECIFIED) {
    e.reason = v1::REASON_FROZEN;
    e.detail = freeze->window->rule();
  }
  return e;
}

// What a snapshot's flags are compiled against: its segments, its accounts
// and its freeze windows. Immutable once indexed; a snapshot derived from
// another (Snapshot::Builder(const Snapshot&)) shares it, and with it the
// other's compiled flags, which point into it.
struct Base {
  // Compiles the segments and the freeze windows over `new_accounts` (null:
  // none), unless accounts were shared; the later of two segments with one
  // key wins.
  void Index(std::shared_ptr<AccountTable> new_accounts) {
    if (accounts == nullptr) {
      if (new_accounts == nullptr) new_accounts = std::make_shared<AccountTable>();
      new_accounts->Seal();
      accounts = std::move(new_accounts);
    }

    for (const v1::Segment& s : segment_store) segments.insert_or_assign(s.key(), &s);
    for (const auto& [key, segment] : segments) {
      compiled_segments.insert_or_assign(key,
                                         &compiled_segment_store.emplace_back(*segment, *accounts));
    }

    // Before the flags: their pins are matched to the windows.
    auto compiled_freezes = std::make_unique<const CompiledFreezes>(freeze_schedule);
    if (!compiled_freezes->empty()) {
      freezes = std::move(compiled_freezes);
      // Value-initialized: every cell 0, unknown.
      freeze_membership = std::make_unique<std::atomic<uint8_t>[]>(
          std::max<size_t>(1, accounts->size() * freezes->segment_count()));
      for (const absl::string_view key : freezes->ColumnKeys()) {
        auto it = segments.find(key);
        freeze_column_zones.push_back(it == segments.end() ? absl::string_view()
                                                           : it->second->time_zone());
      }
    }
  }

  Frame frame() const {
    return Frame{*accounts, compiled_segments, freezes.get(), freeze_membership.get(),
                 freeze_column_zones.data()};
  }

  // Deques keep every address stable while objects are added; the indexes
  // below hold views and pointers into them.
  std::deque<v1::Segment> segment_store;
  std::deque<CompiledSegment> compiled_segment_store;
  absl::flat_hash_map<absl::string_view, const v1::Segment*> segments;
  SegmentIndex compiled_segments;
  // Never null after Index(); maybe shared with other snapshots.
  std::shared_ptr<const AccountTable> accounts;

  v1::FreezeSchedule freeze_schedule;
  // Null when the schedule has no window.
  std::unique_ptr<const CompiledFreezes> freezes;
  // See Frame::membership. Shared by derived snapshots: they have the same
  // accounts, segments and windows, so the same answers.
  std::unique_ptr<std::atomic<uint8_t>[]> freeze_membership;
  std::vector<absl::string_view> freeze_column_zones;
};

// A snapshot's flag and its compiled form, shared by the snapshots derived
// from it.
struct IndexedFlag {
  IndexedFlag(std::shared_ptr<const v1::Flag> f, const Base& base)
      : flag(std::move(f)),
        compiled(*flag, base.compiled_segments, *base.accounts, base.freezes.get()) {}

  std::shared_ptr<const v1::Flag> flag;  // what `compiled` points into
  CompiledFlag compiled;
};

}  // namespace

// ---------------------------------------------------------------------------
// Snapshot

struct Snapshot::Impl {
  // Compiles what was added: the base (unless derived from another
  // snapshot), then the added flags, which replace those of their keys; the
  // later of two flags with one key wins.
  void Index() {
    if (base == nullptr) {
      new_base->Index(std::move(new_accounts));
      base = std::move(new_base);
    }
    frame.emplace(base->frame());

    absl::flat_hash_map<absl::string_view, std::shared_ptr<const v1::Flag>*> latest;
    for (auto& f : flag_store) latest.insert_or_assign(f->key(), &f);
    // The previous snapshot's list less the flags removed or replaced,
    // merged with the added ones: no sort of the whole list. Filtered before
    // `flags` drops them, while the pointers are valid.
    if (!flag_list.empty() && (!latest.empty() || !removed.empty())) {
      flag_list.erase(std::remove_if(flag_list.begin(), flag_list.end(),
                                     [&](const v1::Flag* f) {
                                       return latest.contains(f->key()) ||
                                              removed.contains(f->key());
                                     }),
                      flag_list.end());
    }
    for (const std::string& key : removed) flags.erase(key);
    std::vector<const v1::Flag*> added;
    added.reserve(latest.size());
    for (const auto& [key, flag] : latest) {
      // Erased, not assigned: the key of a replaced flag views the old flag.
      flags.erase(key);
      auto indexed = std::make_shared<const IndexedFlag>(std::move(*flag), *base);
      added.push_back(indexed->flag.get());
      flags.emplace(indexed->flag->key(), std::move(indexed));
    }
    flag_store.clear();
    const auto by_key = [](const v1::Flag* a, const v1::Flag* b) { return a->key() < b->key(); };
    std::sort(added.begin(), added.end(), by_key);
    if (flag_list.empty()) {
      flag_list = std::move(added);
    } else if (!added.empty()) {
      std::vector<const v1::Flag*> merged;
      merged.reserve(flag_list.size() + added.size());
      std::merge(flag_list.begin(), flag_list.end(), added.begin(), added.end(),
                 std::back_inserter(merged), by_key);
      flag_list = std::move(merged);
    }
  }

  // While building: the flags added, the accounts added, the keys removed
  // (RemoveFlag), and the base being filled (null when derived).
  std::vector<std::shared_ptr<const v1::Flag>> flag_store;
  std::shared_ptr<AccountTable> new_accounts;
  absl::flat_hash_set<std::string> removed;
  std::shared_ptr<Base> new_base;

  // Never null after Index().
  std::shared_ptr<const Base> base;
  // base->frame(), kept here: evaluation reads it without going through
  // `base` (the SDK's hot path).
  std::optional<Frame> frame;
  absl::flat_hash_map<absl::string_view, std::shared_ptr<const IndexedFlag>> flags;
  std::vector<const v1::Flag*> flag_list;  // key order
};

Snapshot::Snapshot() : impl_(std::make_unique<Impl>()) {}
Snapshot::~Snapshot() = default;

Snapshot::Builder::Builder() : snapshot_(new Snapshot()) {
  snapshot_->impl_->new_base = std::make_shared<Base>();
}

Snapshot::Builder::Builder(const Snapshot& previous) : snapshot_(new Snapshot()) {
  Impl& impl = *snapshot_->impl_;
  // Copies of pointers only: every compiled flag is shared, so `previous`
  // may go while this builds.
  impl.base = previous.impl_->base;
  impl.flags = previous.impl_->flags;
  impl.flag_list = previous.impl_->flag_list;
}

Snapshot::Builder::~Builder() = default;

void Snapshot::Builder::AddFlag(v1::Flag flag) {
  snapshot_->impl_->flag_store.push_back(std::make_shared<const v1::Flag>(std::move(flag)));
}

void Snapshot::Builder::AddFlag(std::shared_ptr<const v1::Flag> flag) {
  snapshot_->impl_->flag_store.push_back(std::move(flag));
}

void Snapshot::Builder::RemoveFlag(absl::string_view key) {
  Impl& impl = *snapshot_->impl_;
  impl.flag_store.erase(
      std::remove_if(impl.flag_store.begin(), impl.flag_store.end(),
                     [&](const std::shared_ptr<const v1::Flag>& f) { return f->key() == key; }),
      impl.flag_store.end());
  impl.removed.emplace(key);
}

void Snapshot::Builder::CopyAccountsFrom(const Snapshot& previous,
                                         const std::function<bool(absl::string_view)>& keep) {
  Impl& impl = *snapshot_->impl_;
  assert(impl.new_base != nullptr && "CopyAccountsFrom on a derived snapshot");
  if (impl.new_base == nullptr) return;
  assert(impl.new_base->accounts == nullptr && "CopyAccountsFrom after ShareAccountsWith");
  if (impl.new_accounts == nullptr) impl.new_accounts = std::make_shared<AccountTable>();
  const AccountTable& from = *previous.impl_->base->accounts;
  from.ForEach([&](const CompactAccount& c) {
    if (keep(c.key)) impl.new_accounts->AddFrom(from, c);
  });
}

void Snapshot::Builder::AddSegment(v1::Segment segment) {
  Impl& impl = *snapshot_->impl_;
  assert(impl.new_base != nullptr && "AddSegment on a derived snapshot");
  if (impl.new_base == nullptr) return;
  impl.new_base->segment_store.push_back(std::move(segment));
}

void Snapshot::Builder::AddAccount(v1::Account account) {
  Impl& impl = *snapshot_->impl_;
  assert(impl.new_base != nullptr && "AddAccount on a derived snapshot");
  if (impl.new_base == nullptr) return;
  assert(impl.new_base->accounts == nullptr && "AddAccount after ShareAccountsWith");
  if (impl.new_accounts == nullptr) impl.new_accounts = std::make_shared<AccountTable>();
  impl.new_accounts->Add(account);
}

void Snapshot::Builder::ShareAccountsWith(const Snapshot& previous) {
  Impl& impl = *snapshot_->impl_;
  assert(impl.new_base != nullptr && "ShareAccountsWith on a derived snapshot");
  if (impl.new_base == nullptr) return;
  assert(impl.new_accounts == nullptr && "ShareAccountsWith after AddAccount");
  impl.new_base->accounts = previous.impl_->base->accounts;
}

void Snapshot::Builder::SetFreezeSchedule(v1::FreezeSchedule schedule) {
  Impl& impl = *snapshot_->impl_;
  assert(impl.new_base != nullptr && "SetFreezeSchedule on a derived snapshot");
  if (impl.new_base == nullptr) return;
  impl.new_base->freeze_schedule = std::move(schedule);
}

std::shared_ptr<const Snapshot> Snapshot::Builder::Build() && {
  snapshot_->impl_->Index();
  return std::shared_ptr<const Snapshot>(std::move(snapshot_));
}

const v1::Flag* Snapshot::FindFlag(absl::string_view key) const {
  auto it = impl_->flags.find(key);
  return it == impl_->flags.end() ? nullptr : it->second->flag.get();
}

const v1::Segment* Snapshot::FindSegment(absl::string_view key) const {
  const Base& base = *impl_->base;
  auto it = base.segments.find(key);
  return it == base.segments.end() ? nullptr : it->second;
}

void Snapshot::ForEachAccount(const std::function<void(const v1::Account&)>& fn) const {
  const AccountTable& table = *impl_->base->accounts;
  table.ForEach([&](const CompactAccount& c) { fn(table.ToMessage(c)); });
}

bool Snapshot::HasAccount(absl::string_view key) const {
  return impl_->base->accounts->Find(key) != nullptr;
}

const std::vector<const v1::Flag*>& Snapshot::flags() const { return impl_->flag_list; }

const v1::FreezeSchedule& Snapshot::freeze_schedule() const { return impl_->base->freeze_schedule; }

// ---------------------------------------------------------------------------
// Public functions

Evaluation Evaluate(const Snapshot& snapshot, absl::string_view flag_key, const Context& context,
                    absl::Time at) {
  const Snapshot::Impl& impl = *snapshot.impl_;
  auto it = impl.flags.find(flag_key);
  if (it == impl.flags.end()) return Error(v1::ERROR_CODE_FLAG_NOT_FOUND);
  return EvaluateCompiled(it->second->compiled, *impl.frame, context, [at] { return at; });
}

Evaluation Evaluate(const Snapshot& snapshot, absl::string_view flag_key, const Context& context,
                    const Clock& clock) {
  const Snapshot::Impl& impl = *snapshot.impl_;
  auto it = impl.flags.find(flag_key);
  if (it == impl.flags.end()) return Error(v1::ERROR_CODE_FLAG_NOT_FOUND);
  return EvaluateCompiled(it->second->compiled, *impl.frame, context,
                          [&clock] { return clock.Now(); });
}

Evaluation EvaluateFlag(const Snapshot& snapshot, const v1::Flag& flag, const Context& context,
                        absl::Time at) {
  const Snapshot::Impl& impl = *snapshot.impl_;
  auto it = impl.flags.find(flag.key());
  // A flag from elsewhere has no compiled index here; refuse rather than guess.
  if (it == impl.flags.end() || it->second->flag.get() != &flag) {
    return Error(v1::ERROR_CODE_GENERAL);
  }
  return EvaluateCompiled(it->second->compiled, *impl.frame, context, [at] { return at; });
}

void ForEachSegmentNamedBy(const v1::Flag& flag, absl::FunctionRef<void(const std::string&)> fn) {
  ForEachSegmentNamedBy(flag.ramp(), fn);
  for (const v1::Rule& rule : flag.rules()) {
    for (const std::string& key : rule.segments()) fn(key);
  }
  for (const v1::FreezePin& pin : flag.freeze_pins()) fn(pin.segment());
}

absl::flat_hash_set<std::string> SegmentsNamedBy(const v1::Flag& flag) {
  absl::flat_hash_set<std::string> keys;
  ForEachSegmentNamedBy(flag, [&](const std::string& key) { keys.insert(key); });
  return keys;
}

bool NamesSegment(const v1::Flag& flag, absl::string_view segment) {
  bool named = false;
  ForEachSegmentNamedBy(flag, [&](const std::string& key) { named = named || key == segment; });
  return named;
}

bool SegmentContains(const v1::Segment& segment, absl::string_view account_key,
                     const v1::Account* account, const AttributeMap* extra) {
  // Uncompiled: linear scans and on-demand number parsing, still no allocation.
  const auto listed = [&](const google::protobuf::RepeatedPtrField<std::string>& keys) {
    return std::find(keys.begin(), keys.end(), account_key) != keys.end();
  };
  if (listed(segment.included())) return true;
  if (listed(segment.excluded())) return false;
  Subject subject;
  subject.account_key = account_key;
  subject.account = account;
  subject.extra = extra;
  return ConditionsMatch(segment.match(), segment.conditions_size(), [&](int i) {
    const v1::Condition& c = segment.conditions(i);
    return Holds(c, Operands(c), subject, AttributeRef::For(c.attribute()));
  });
}

bool ConditionHolds(const v1::Condition& condition, absl::string_view account_key,
                    const v1::Account* account, const AttributeMap* extra) {
  Subject subject;
  subject.account_key = account_key;
  subject.account = account;
  subject.extra = extra;
  return Holds(condition, Operands(condition), subject, AttributeRef::For(condition.attribute()));
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
