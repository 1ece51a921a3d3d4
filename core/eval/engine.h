// The evaluation engine: one pure function from (flag snapshot, context, time)
// to a value, a variant and a reason. The same library serves rampartd (the
// Evaluate RPCs, segment listings) and the C++ SDK (local evaluation), so a
// rule is implemented exactly once (domain promise 1).
//
// Thread-safety: a Snapshot is immutable after Build(); any number of threads
// may evaluate against one concurrently. Evaluate() never throws and never
// blocks.
//
// Targeting order: archived/missing flag -> kill switch (enabled == false) ->
// account override (unless ended at `at`) -> rules in order -> the ramp,
// when it has started (Flag.ramp.active): the variant of the latest entered
// stage that serves the account (reason STAGE, detail the stage's name or
// "stage N"), else the default (reason DEFAULT; the flag's rollout is not
// used while a ramp is active) -> percentage rollout (reason SPLIT) ->
// default. A flag with no override, rule, started ramp or rollout serves its
// default with reason STATIC (the same for every context).
//
// Freezes come before all of it (issue 5, core/eval/freeze_view.h): when the
// snapshot's freeze schedule holds the account frozen at `at`, the flag is
// evaluated as it was when the window opened — its pin for that window when
// it changed since (reason FROZEN, detail the rule; a pin of a flag that did
// not exist yet: FLAG_NOT_FOUND), else the flag itself — at the window's
// start. Without a schedule this costs one pointer test.
//
// Ramp stages are matched by CompiledRamp (core/eval/ramp_serving.h), the
// one matcher the server's ramp planner uses too; segment membership is the
// rules' (the same compiled segments, an unknown segment has no members).
//
// The rollout buckets its unit (the context's user key for
// ROLLOUT_UNIT_USER when it is non-empty, else the account key) under its
// salt (the flag key when empty) with core/eval/bucketing.h, the algorithm
// docs/bucketing.md documents for every SDK.
#ifndef RAMPART_CORE_EVAL_ENGINE_H_
#define RAMPART_CORE_EVAL_ENGINE_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/common/clock.h"
#include "rampart/v1/eval.pb.h"
#include "rampart/v1/model.pb.h"

namespace rampart::eval {

using AttributeMap = google::protobuf::Map<std::string, v1::AttributeValue>;

// What the app passes. The pointers are borrowed for the call only.
struct Context {
  absl::string_view account_key;
  absl::string_view user_key;
  // Extra attributes; they win over the account's registry attributes.
  const AttributeMap* attributes = nullptr;
  // The registry account (its key must be `account_key`) when the snapshot
  // does not hold it; it is then used instead of the snapshot's. The
  // server's support view evaluates one account against a snapshot of the
  // flags compiled once per revision, without accounts. Null: the
  // snapshot's account of that key, if any.
  const v1::Account* account = nullptr;
};

// The result of one evaluation. Views point into the Snapshot (or static
// storage) and stay valid while the Snapshot lives.
struct Evaluation {
  const v1::FlagValue* value = nullptr;  // null only when error != unspecified
  absl::string_view variant;
  v1::Reason reason = v1::REASON_UNSPECIFIED;
  v1::ErrorCode error = v1::ERROR_CODE_UNSPECIFIED;
  // Rule id (TARGETING_MATCH), override reason (OVERRIDE/DEFERRED), or the
  // ramp stage's name, "stage N" when it has none (STAGE); empty for SPLIT,
  // DEFAULT, STATIC, DISABLED; with error GENERAL, the name of the variant
  // the flag lacks.
  absl::string_view detail;
};

// An immutable, indexed view of flags, segments and accounts.
class Snapshot {
 public:
  class Builder {
   public:
    Builder();
    // Starts from `previous`: its flags, segments, accounts and freeze
    // schedule, and the flags compiled, all shared (they are immutable)
    // rather than copied or compiled again. AddFlag then adds a flag or
    // replaces the one of its key, RemoveFlag drops one, and Build compiles
    // only the flags added, so a change to a few of 10 000 flags costs a
    // small fraction of a full Build (the server's support view, issue 6).
    // The segments, accounts and schedule cannot change this way (they are
    // what every flag is compiled against): AddSegment, AddAccount,
    // ShareAccountsWith, CopyAccountsFrom and SetFreezeSchedule are
    // asserted against, and ignored without asserts; build from scratch
    // instead. `previous` may be destroyed afterwards.
    explicit Builder(const Snapshot& previous);
    ~Builder();
    void AddFlag(v1::Flag flag);
    // Shares `flag` instead of copying it.
    void AddFlag(std::shared_ptr<const v1::Flag> flag);
    // Drops the flag `key`, of `previous` or added before (an unknown key is
    // ignored). A flag of that key added afterwards is kept.
    void RemoveFlag(absl::string_view key);
    void AddSegment(v1::Segment segment);
    void AddAccount(v1::Account account);
    // The built snapshot uses `previous`'s accounts and their index, shared
    // (they are immutable) rather than copied: a flag-only change to a
    // snapshot of 100 000 accounts costs no account copy. `previous` may be
    // destroyed afterwards. Use either this or AddAccount, never both
    // (asserted; without asserts the shared accounts win).
    void ShareAccountsWith(const Snapshot& previous);
    // Copies the accounts of `previous` whose key `keep` accepts (an SDK
    // applying a delta that changes some accounts); AddAccount may add more.
    // Not with ShareAccountsWith.
    void CopyAccountsFrom(const Snapshot& previous,
                          const std::function<bool(absl::string_view key)>& keep);
    // The freeze windows (issue 5; SdkSnapshot.freeze_schedule): a frozen
    // account evaluates each flag as it was when its window opened (the
    // flag's freeze pin, else the flag itself, at the window's start).
    void SetFreezeSchedule(v1::FreezeSchedule schedule);
    // Indexes what was added and compiles the flags (resolved variants and
    // segments, rollout thresholds, started ramps). Never fails on
    // well-formed input (the server validated it); a rule or ramp stage
    // naming an unknown segment simply never matches it, and a rollout or
    // stage variant the flag lacks is an evaluation error GENERAL for the
    // units it would get.
    std::shared_ptr<const Snapshot> Build() &&;

   private:
    std::unique_ptr<Snapshot> snapshot_;
  };

  ~Snapshot();
  const v1::Flag* FindFlag(absl::string_view key) const;
  const v1::Segment* FindSegment(absl::string_view key) const;
  // True when the registry account `key` is in the snapshot. (Accounts are
  // kept compact, not as Account messages.)
  bool HasAccount(absl::string_view key) const;
  // Calls fn with each account, rebuilt as a message (for a cache file).
  void ForEachAccount(const std::function<void(const v1::Account&)>& fn) const;
  // Flags in key order, archived ones included. When several flags (or
  // segments, or accounts) with one key were added, the last one is kept.
  const std::vector<const v1::Flag*>& flags() const;
  const v1::FreezeSchedule& freeze_schedule() const;

 private:
  // They read the index Build() compiles (resolved variants and segments,
  // condition values read as numbers once, rollout thresholds).
  friend Evaluation Evaluate(const Snapshot&, absl::string_view, const Context&, absl::Time);
  friend Evaluation Evaluate(const Snapshot&, absl::string_view, const Context&, const Clock&);
  friend Evaluation EvaluateFlag(const Snapshot&, const v1::Flag&, const Context&, absl::Time);

  Snapshot();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Evaluates `flag_key` for `context` at instant `at`. Never throws.
// Unknown or archived flag: error FLAG_NOT_FOUND, reason ERROR, value null.
Evaluation Evaluate(const Snapshot& snapshot, absl::string_view flag_key, const Context& context,
                    absl::Time at);

// The same at `clock`'s now, which is read only when the result can depend on
// the time (an override with an end): the SDK's hot path saves the read.
Evaluation Evaluate(const Snapshot& snapshot, absl::string_view flag_key, const Context& context,
                    const Clock& clock);

// The same, for a flag already looked up (must belong to `snapshot`).
Evaluation EvaluateFlag(const Snapshot& snapshot, const v1::Flag& flag, const Context& context,
                        absl::Time at);

// True when `account` (with optional extra attributes) is in `segment`:
// listed in `included`; else not listed in `excluded` and its conditions
// match (all of them, or any for MATCH_ANY; none given: not a member).
// `account` may be null (an account unknown to the registry): then only
// the context attributes and the key are seen.
bool SegmentContains(const v1::Segment& segment, absl::string_view account_key,
                     const v1::Account* account, const AttributeMap* extra);

// Every segment an evaluation of `flag` may test: its rules', its ramp's
// (stage audiences, excluded and protected segments) and its freeze pins'.
// The visitor may see a key more than once.
void ForEachSegmentNamedBy(const v1::Flag& flag, absl::FunctionRef<void(const std::string&)> fn);
absl::flat_hash_set<std::string> SegmentsNamedBy(const v1::Flag& flag);
bool NamesSegment(const v1::Flag& flag, absl::string_view segment);

// True when `condition` holds for the attributes (extra wins over account's).
// The names "key", "name" and "time_zone" always read `account_key` and the
// account's name and time zone (empty = absent), never an attribute. Values
// compare by the attribute's type, as documented on v1.Condition; an absent
// attribute satisfies only NOT_EQUALS, NOT_IN and NOT_EXISTS.
bool ConditionHolds(const v1::Condition& condition, absl::string_view account_key,
                    const v1::Account* account, const AttributeMap* extra);

// Copies an Evaluation into the wire message.
v1::EvaluationResult ToProto(absl::string_view flag_key, const Evaluation& e,
                             int64_t flag_revision);

}  // namespace rampart::eval

#endif  // RAMPART_CORE_EVAL_ENGINE_H_
