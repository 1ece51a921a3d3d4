// Registry: the support view (issue 6; support.proto). `Whois`: every flag
// for one account with its value, why, since when and what comes next, now
// or as of a past instant (the flags, the account, the segments and the
// freeze calendars as the audit log says they were). `History`: the changes
// an account saw, when it saw them (a change held by a freeze: when the
// window closed), with who made them and why. Both evaluate through the one
// engine (core/eval), as an SDK would.
#include <algorithm>
#include <map>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "core/common/keys.h"
#include "core/common/status_macros.h"
#include "core/common/time_util.h"
#include "core/eval/engine.h"
#include "core/eval/ramp_serving.h"
#include "core/ramp/planner.h"
#include "server/registry/freeze_internal.h"
#include "server/registry/history.h"
#include "server/registry/ramp_internal.h"
#include "server/registry/registry.h"
#include "server/registry/support_view.h"
#include "server/registry/transaction.h"

namespace rampart::registry {
namespace {

constexpr int kDefaultHistoryLimit = 100;
constexpr int kMaxHistoryLimit = 10000;

// What decides which segments the account is in, as it was at each
// instant: the account (its attributes, its zone) and the segments (their
// rules and member lists). A change of either, a CRM import moving the
// account or an edit of a segment, changes its values as much as a change
// of the flag does. Only what changed since its creation has a history: an
// account and segments never edited are as they are today.
class AccountWorld {
 public:
  // `latest` and its states up to `revision`, read from its audit entries;
  // `segments`, the segments at `revision`, and their `history` (which both
  // must outlive the world).
  static absl::StatusOr<AccountWorld> Load(const storage::Store& store, const v1::Account& latest,
                                           const std::vector<v1::Segment>& segments,
                                           std::shared_ptr<const SegmentHistory> history,
                                           int64_t revision) {
    AccountWorld world;
    world.latest_account_ = std::make_shared<const v1::Account>(latest);
    world.latest_segments_ = &segments;
    world.history_ = std::move(history);
    if (FromProto(latest.updated_at()) != FromProto(latest.created_at())) {
      ASSIGN_OR_RETURN(world.accounts_, ObjectStates<v1::Account>(store, v1::OBJECT_KIND_ACCOUNT,
                                                                  latest.key(), revision));
    }
    const SegmentHistory& states = *world.history_;
    for (size_t i = 0; i < states.size(); ++i) {
      for (size_t k = 1; k < states[i].size(); ++k) {
        world.segment_changes_.push_back({states[i][k].time, i, k});
      }
    }
    std::sort(world.segment_changes_.begin(), world.segment_changes_.end(),
              [](const SegmentChange& a, const SegmentChange& b) { return a.time < b.time; });
    // The segment changes that moved the account in or out.
    for (const SegmentChange& c : world.segment_changes_) {
      const v1::Account& account = world.AccountAt(c.time);
      const auto contains = [&](const ObjectState<v1::Segment>& s) {
        return s.object != nullptr &&
               eval::SegmentContains(*s.object, latest.key(), &account, nullptr);
      };
      const bool before = contains(states[c.segment][c.state - 1]);
      const bool after = contains(states[c.segment][c.state]);
      if (before != after) {
        world.moves_by_segment_[segments[c.segment].key()].push_back(world.moves_.size());
        world.moves_.push_back(
            {c.time, &states[c.segment][c.state].entry, segments[c.segment].key(), after});
      }
    }
    return world;
  }

  // Nothing changed since its creation: the world is as it is today.
  bool Unchanged() const { return accounts_.empty() && segment_changes_.empty(); }

  // The account in effect at `t` (before its first entry: the first state;
  // a deleted state: the latest, which evaluates the same as absent).
  const v1::Account& AccountAt(absl::Time t) const {
    const ObjectState<v1::Account>* state = StateAt(accounts_, t);
    return state != nullptr && state->object != nullptr ? *state->object : *latest_account_;
  }

  // The segments in effect at `t` are version SegmentsVersionAt(t): equal
  // versions, equal segments; the latest is the `segments` loaded from.
  int SegmentsVersionAt(absl::Time t) const {
    return static_cast<int>(
        std::upper_bound(segment_changes_.begin(), segment_changes_.end(), t,
                         [](absl::Time x, const SegmentChange& c) { return x < c.time; }) -
        segment_changes_.begin());
  }
  // Built on first use (a world serves one call, on one thread).
  const std::vector<v1::Segment>& Segments(int version) const {
    if (version == static_cast<int>(segment_changes_.size())) return *latest_segments_;
    std::unique_ptr<std::vector<v1::Segment>>& built = built_[version];
    if (built == nullptr) {
      const absl::Time t = version == 0 ? absl::InfinitePast() : segment_changes_[version - 1].time;
      built = std::make_unique<std::vector<v1::Segment>>();
      for (size_t i = 0; i < latest_segments_->size(); ++i) {
        const ObjectState<v1::Segment>* s = StateAt((*history_)[i], t);
        if (s == nullptr) {
          built->push_back((*latest_segments_)[i]);  // never changed
        } else if (s->object != nullptr) {
          built->push_back(*s->object);
        }
      }
    }
    return *built;
  }

  // The instants in (from, to) at which the account changed, or a change of
  // a segment `flag` names moved it in or out.
  std::vector<absl::Time> ChangesIn(absl::Time from, absl::Time to, const v1::Flag& flag) const {
    std::vector<absl::Time> out;
    for (const auto& s : accounts_) {
      if (from < s.time && s.time < to) out.push_back(s.time);
    }
    if (!moves_.empty()) {
      eval::ForEachSegmentNamedBy(flag, [&](const std::string& segment) {
        const auto it = moves_by_segment_.find(segment);
        if (it == moves_by_segment_.end()) return;
        for (const size_t i : it->second) {
          if (from < moves_[i].time && moves_[i].time < to) out.push_back(moves_[i].time);
        }
      });
    }
    return out;
  }

  // The change made at `t` that bears on the account's value of `flag`, if
  // any: a segment's that moved it in or out of one the flag names, or its
  // own.
  const v1::AuditEntry* ChangeAt(absl::Time t, const v1::Flag& flag) const {
    for (const Move& m : moves_) {
      if (m.time == t && eval::NamesSegment(flag, m.segment)) return m.entry;
    }
    const ObjectState<v1::Account>* state = StateAt(accounts_, t);
    return state != nullptr && state->time == t ? &state->entry : nullptr;
  }

  // A change of a segment that moved the account in (joined) or out.
  struct Move {
    absl::Time time;
    const v1::AuditEntry* entry;
    std::string segment;
    bool joined;
  };
  const std::vector<Move>& moves() const { return moves_; }

 private:
  // The state in effect at `t`: the last at or before it, else the first
  // (null: no states).
  template <typename T>
  static const ObjectState<T>* StateAt(const std::vector<ObjectState<T>>& states, absl::Time t) {
    const ObjectState<T>* found = states.empty() ? nullptr : &states.front();
    for (const ObjectState<T>& s : states) {
      if (s.time <= t) found = &s;
    }
    return found;
  }
  struct SegmentChange {
    absl::Time time;
    size_t segment;  // index in the segments and their history
    size_t state;    // index in its history, > 0
  };

  std::shared_ptr<const v1::Account> latest_account_;
  std::vector<ObjectState<v1::Account>> accounts_;  // oldest first; empty: never changed
  const std::vector<v1::Segment>* latest_segments_ = nullptr;
  std::shared_ptr<const SegmentHistory> history_;
  std::vector<SegmentChange> segment_changes_;                              // by time
  std::vector<Move> moves_;                                                 // by time
  absl::flat_hash_map<std::string, std::vector<size_t>> moves_by_segment_;  // into moves_
  mutable std::map<int, std::unique_ptr<std::vector<v1::Segment>>> built_;
};

// `instants` and the changes in (from, to) that bear on the account's value
// of `flag` (AccountWorld::ChangesIn), sorted, unique.
std::vector<absl::Time> WithAccountChanges(std::vector<absl::Time> instants,
                                           const AccountWorld* world, const v1::Flag& flag,
                                           absl::Time from, absl::Time to) {
  if (world == nullptr) return instants;
  const std::vector<absl::Time> changes = world->ChangesIn(from, to, flag);
  instants.insert(instants.end(), changes.begin(), changes.end());
  std::sort(instants.begin(), instants.end());
  instants.erase(std::unique(instants.begin(), instants.end()), instants.end());
  return instants;
}

// What evaluating one account needs, now or as of a past revision. The
// account is evaluated as the context's (eval::Context::account): the set's
// snapshot holds none, so the current one is shared by every whois.
struct AccountView {
  v1::Account account;
  // Set when the account or a segment changed since its creation.
  std::optional<AccountWorld> world;
  // Now: the registry's current set; as of a past revision: built for the call.
  std::shared_ptr<const FlagSet> set;
};

std::string Bytes(const eval::Evaluation& e) {
  return e.value == nullptr ? std::string() : e.value->SerializeAsString();
}

std::string Text(const v1::FlagValue* v) {
  if (v == nullptr) return "nothing";
  switch (v->kind_case()) {
    case v1::FlagValue::kBoolValue:
      return v->bool_value() ? "true" : "false";
    case v1::FlagValue::kStringValue:
      return absl::StrCat("\"", v->string_value(), "\"");
    default:
      return v->ShortDebugString();
  }
}

const v1::Override* OverrideFor(const v1::Flag& flag, absl::string_view account) {
  for (const v1::Override& o : flag.overrides()) {
    if (o.account_key() == account) return &o;
  }
  return nullptr;
}

// The flag's states up to `revision`, oldest first; one archived (shown to
// nobody) as absent.
absl::StatusOr<std::vector<ObjectState<v1::Flag>>> FlagStates(const storage::Store& store,
                                                              absl::string_view key,
                                                              int64_t revision) {
  ASSIGN_OR_RETURN(std::vector<ObjectState<v1::Flag>> states,
                   ObjectStates<v1::Flag>(store, v1::OBJECT_KIND_FLAG, key, revision));
  for (ObjectState<v1::Flag>& s : states) {
    if (s.object != nullptr && !Shown(*s.object)) s.object = nullptr;
  }
  return states;
}

// The instants inside [from, to) at which a state's value for `account` can
// change without a write: its override's end, its freeze pins' ends.
std::vector<absl::Time> InnerInstants(const v1::Flag& flag, absl::string_view account,
                                      absl::Time from, absl::Time to) {
  std::vector<absl::Time> out;
  const auto add = [&](absl::Time t) {
    if (from < t && t < to) out.push_back(t);
  };
  if (const v1::Override* o = OverrideFor(flag, account); o != nullptr && IsSet(o->ends_at())) {
    add(FromProto(o->ends_at()));
  }
  for (const v1::FreezePin& p : flag.freeze_pins()) add(FromProto(p.window_end()));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// One state of a flag as evaluated at instants: compiled with the
// segments of each instant (StateSnapshot), once per version of them; most
// states see one.
class StateEvaluator {
 public:
  // `latest`: the state compiled with the world's latest segments, if
  // already done. `world` null: the segments are `segments` all through.
  StateEvaluator(std::shared_ptr<const v1::Flag> flag, const AccountWorld* world,
                 const std::vector<v1::Segment>& segments,
                 std::shared_ptr<const eval::Snapshot> latest)
      : flag_(std::move(flag)), world_(world), segments_(segments) {
    if (latest != nullptr) snapshots_[Version(absl::InfiniteFuture())] = std::move(latest);
  }

  // The account's evaluation at `t`, as the account and the segments were.
  eval::Evaluation At(const v1::Account& account, absl::string_view user_key, absl::Time t) {
    std::shared_ptr<const eval::Snapshot>& snapshot = snapshots_[Version(t)];
    if (snapshot == nullptr) {
      snapshot = StateSnapshot(flag_, world_ != nullptr ? world_->Segments(Version(t)) : segments_);
    }
    const v1::Account& then = world_ != nullptr ? world_->AccountAt(t) : account;
    const eval::Context context{account.key(), user_key, nullptr, &then};
    return eval::Evaluate(*snapshot, flag_->key(), context, t);
  }

 private:
  int Version(absl::Time t) const { return world_ != nullptr ? world_->SegmentsVersionAt(t) : 0; }

  std::shared_ptr<const v1::Flag> flag_;
  const AccountWorld* world_;
  const std::vector<v1::Segment>& segments_;
  std::map<int, std::shared_ptr<const eval::Snapshot>> snapshots_;
};

// Since when the account has had `value` (serialized) from the flag,
// walking its states back from `at`. Each state is evaluated with its own
// freeze pins (PinSchedule), so a change held by a window counts from the
// window's end, when the account saw it; and with the account and the
// segments as they were at each instant (view.world), so joining a segment
// counts from the change that made it join: the account's or the
// segment's.
// At most this many of a flag's states are walked back; beyond, `since` is
// the oldest one walked and `at_least` is set.
constexpr int kMaxSinceWalk = 32;

absl::StatusOr<std::optional<absl::Time>> SinceOf(const storage::Store& store,
                                                  const std::shared_ptr<const v1::Flag>& current,
                                                  const PreviousState* previous,
                                                  const AccountView& view, const std::string& value,
                                                  absl::Time at, bool* at_least) {
  *at_least = false;
  const absl::Time account_since = IsSet(view.account.created_at())
                                       ? FromProto(view.account.created_at())
                                       : absl::InfinitePast();
  const AccountWorld* world = view.world ? &*view.world : nullptr;
  // Neither the flag nor the account's segments changed since the flag was
  // created: no walk.
  if (FromProto(current->created_at()) == FromProto(current->updated_at()) &&
      (world == nullptr ||
       world->ChangesIn(FromProto(current->created_at()), at, *current).empty())) {
    return std::max(FromProto(current->created_at()), account_since);
  }
  std::optional<absl::Time> since;
  int walked = 0;
  absl::Time end = at;  // the state walked covers [time, end)
  // The state `flag` in effect from `time` (`snapshot`: StateSnapshot(flag)
  // when already compiled): true when the account had `value` all through
  // it (`since` is then `time`).
  const auto had_value = [&](const std::shared_ptr<const v1::Flag>& flag, absl::Time time,
                             std::shared_ptr<const eval::Snapshot> snapshot) {
    std::vector<absl::Time> instants = WithAccountChanges(
        InnerInstants(*flag, view.account.key(), time, end), world, *flag, time, end);
    if (flag == current && instants.empty()) {
      // The flag as it is: `value` is its answer at `at` by definition, and
      // nothing inside [time, at) can change it.
      since = time;
      end = time;
      return true;
    }
    instants.insert(instants.begin(), time);
    StateEvaluator state(flag, world, view.set->segments, std::move(snapshot));
    for (auto t = instants.rbegin(); t != instants.rend(); ++t) {
      if (Bytes(state.At(view.account, "", *t)) != value) return false;
      since = *t;
    }
    end = time;
    return true;
  };
  absl::Status error;
  // One state, from the newest back: true to walk on to the one before.
  const auto walk = [&](absl::Time time, const absl::Status& status,
                        const std::shared_ptr<const v1::Flag>& flag,
                        std::shared_ptr<const eval::Snapshot> snapshot) {
    if (time > at) return true;
    if (++walked > kMaxSinceWalk) {
      *at_least = true;  // had it at least since the oldest state walked
      return false;
    }
    if (!status.ok()) {
      error = status;
      return false;
    }
    if (flag == nullptr) return false;  // before it the account had nothing or an archived flag
    if (!had_value(flag, time, std::move(snapshot))) return false;
    // A flag's first state (created then) has none before it.
    return FromProto(flag->created_at()) != FromProto(flag->updated_at());
  };
  // The flag as it is is the state its last audit entry left, stamped with
  // that entry's time (Transaction::Put): no need to read the entry. Then
  // the state before, when the set keeps it. Most walks end there.
  bool older = walk(FromProto(current->updated_at()), absl::OkStatus(), current, nullptr);
  int64_t up_to = current->revision() - 1;
  if (older && previous != nullptr) {
    older = previous->found &&
            walk(previous->time, previous->error, previous->flag, previous->snapshot);
    up_to = previous->revision - 1;
  }
  // The older states, newest first, read lazily. A transaction writes a
  // flag once, so the states below a revision are the entries below it.
  if (older) {
    RETURN_IF_ERROR(ForEachObjectEntry(
        store, v1::OBJECT_KIND_FLAG, current->key(), up_to, [&](v1::AuditEntry& entry) {
          v1::Flag flag;
          bool present = false;
          const absl::Status parsed = ParseState(entry, &flag, &present);
          std::shared_ptr<const v1::Flag> state;
          if (parsed.ok() && present && Shown(flag)) {
            state = std::make_shared<const v1::Flag>(std::move(flag));
          }
          return walk(FromProto(entry.time()), parsed, state, nullptr);
        }));
  }
  RETURN_IF_ERROR(error);
  if (since) since = std::max(*since, account_since);
  return since;
}

std::string WhenText(absl::Time t) { return rampart::FormatTime(t); }

// The account's view as of `revision`, from the audit log; the freeze
// windows recomputed from the freeze calendars of then around `at`.
absl::Status LoadAsOf(const storage::Store& store, absl::string_view account_key, int64_t revision,
                      absl::Time at, AccountView& view) {
  auto set = std::make_shared<FlagSet>();
  set->revision = revision;
  ASSIGN_OR_RETURN(std::optional<v1::Account> account,
                   ObjectAt<v1::Account>(store, v1::OBJECT_KIND_ACCOUNT, account_key, revision));
  if (!account) {
    return absl::NotFoundError(
        absl::StrCat(Describe<v1::Account>(account_key), " did not exist at ", WhenText(at)));
  }
  view.account = std::move(*account);
  ASSIGN_OR_RETURN(const std::vector<std::string> segment_keys,
                   KeysEver(store, v1::OBJECT_KIND_SEGMENT));
  for (const std::string& key : segment_keys) {
    ASSIGN_OR_RETURN(std::optional<v1::Segment> s,
                     ObjectAt<v1::Segment>(store, v1::OBJECT_KIND_SEGMENT, key, revision));
    if (s) set->segments.push_back(std::move(*s));
  }
  // Flags are archived, never deleted: today's keys are every key.
  std::vector<std::string> flag_keys;
  RETURN_IF_ERROR(ForEachObject<v1::Flag>(store, "", [&](const v1::Flag& f) {
    flag_keys.push_back(f.key());
    return true;
  }));
  for (const std::string& key : flag_keys) {
    ASSIGN_OR_RETURN(std::optional<v1::Flag> f,
                     ObjectAt<v1::Flag>(store, v1::OBJECT_KIND_FLAG, key, revision));
    if (f && Shown(*f)) set->flags.push_back(std::make_shared<const v1::Flag>(std::move(*f)));
  }
  ASSIGN_OR_RETURN(const std::vector<std::string> calendar_keys,
                   KeysEver(store, v1::OBJECT_KIND_FREEZE_CALENDAR));
  std::vector<v1::FreezeCalendar> calendars;
  for (const std::string& key : calendar_keys) {
    ASSIGN_OR_RETURN(
        std::optional<v1::FreezeCalendar> c,
        ObjectAt<v1::FreezeCalendar>(store, v1::OBJECT_KIND_FREEZE_CALENDAR, key, revision));
    if (c) calendars.push_back(std::move(*c));
  }
  v1::FreezeSchedule schedule;
  if (!calendars.empty()) {
    ASSIGN_OR_RETURN(const calendar::ProductionCalendar working_days,
                     LoadWorkingCalendar(store, nullptr));
    std::vector<std::string> zones;
    if (!view.account.time_zone().empty()) zones.push_back(view.account.time_zone());
    ASSIGN_OR_RETURN(schedule, ScheduleOf(working_days, calendars, set->segments, zones,
                                          at - absl::Hours(24), at + absl::Hours(24 * 56)));
  }
  set->schedule = std::make_shared<const v1::FreezeSchedule>(std::move(schedule));
  ASSIGN_OR_RETURN(set->segment_history, LoadSegmentHistory(store, set->segments, revision));
  Compile(*set);
  view.set = std::move(set);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::WhoisView> Registry::Whois(const v1::WhoisRequest& req) const {
  RETURN_IF_ERROR(ValidateKey("account", req.account()));
  const absl::Time now = clock_.Now();
  const absl::Time at = IsSet(req.at()) ? FromProto(req.at()) : now;
  if (at > now) {
    return absl::InvalidArgumentError(absl::StrCat(
        "at: ", WhenText(at), " is in the future (whois answers for now or the past)"));
  }
  const bool historical = at < now;
  AccountView view;
  if (historical) {
    ASSIGN_OR_RETURN(const int64_t revision, RevisionAt(store_, at));
    RETURN_IF_ERROR(LoadAsOf(store_, req.account(), revision, at, view));
  } else {
    ASSIGN_OR_RETURN(view.account, GetObject<v1::Account>(store_, req.account()));
    ASSIGN_OR_RETURN(view.set, CurrentFlagSet());
  }
  const FlagSet& set = *view.set;
  ASSIGN_OR_RETURN(AccountWorld loaded,
                   AccountWorld::Load(store_, view.account, set.segments, set.segment_history,
                                      historical ? set.revision : revision()));
  if (!loaded.Unchanged()) view.world = std::move(loaded);

  v1::WhoisView out;
  *out.mutable_account() = view.account;
  *out.mutable_at() = rampart::ToProto(at);
  out.set_historical(historical);
  out.set_revision(set.revision);
  for (const v1::Segment& s : set.segments) {
    if (eval::SegmentContains(s, view.account.key(), &view.account, nullptr)) {
      out.add_segments(s.key());
    }
  }
  // Frozen at `at`?
  RegistryWorld world;
  world.accounts.push_back(view.account);
  for (const v1::Segment& s : set.segments) world.segments[s.key()] = s;
  const auto frozen = FrozenAccounts(*set.schedule, world, at);
  std::optional<HeldBy> held;
  if (auto it = frozen.find(view.account.key()); it != frozen.end()) {
    held = it->second;
    out.set_frozen(true);
    out.set_frozen_by(absl::StrCat(held->window->calendar(), "/", held->window->rule()));
    *out.mutable_frozen_until() = rampart::ToProto(held->end);
  }

  // Frozen: the flags without pins, for the value once the window closes.
  std::shared_ptr<const eval::Snapshot> bare;
  if (held) {
    eval::Snapshot::Builder b;
    for (const v1::Segment& s : set.segments) b.AddSegment(s);
    for (const auto& f : set.flags) {
      v1::Flag flag = *f;
      flag.clear_freeze_pins();
      b.AddFlag(std::move(flag));
    }
    bare = std::move(b).Build();
  }
  const eval::Context context{view.account.key(), req.user_key(), nullptr, &view.account};
  for (size_t i = 0; i < set.flags.size(); ++i) {
    const std::shared_ptr<const v1::Flag>& flag_ptr = set.flags[i];
    const v1::Flag& flag = *flag_ptr;
    const eval::Evaluation e = eval::Evaluate(*set.snapshot, flag.key(), context, at);
    v1::WhoisFlag* w = out.add_flags();
    w->set_flag_key(flag.key());
    if (e.value != nullptr) *w->mutable_value() = *e.value;
    w->set_variant(std::string(e.variant));
    w->set_reason(e.reason);
    w->set_error_code(e.error);
    const v1::Override* o = OverrideFor(flag, view.account.key());
    switch (e.reason) {
      case v1::REASON_DISABLED:
        w->set_why("the flag is killed (its off variant for everyone)");
        break;
      case v1::REASON_OVERRIDE:
      case v1::REASON_DEFERRED:
        if (o != nullptr) {
          w->set_why(absl::StrCat(o->deferral() ? "deferred" : "override", " by ",
                                  o->actor().empty() ? "?" : o->actor(),
                                  IsSet(o->ends_at())
                                      ? absl::StrCat(" until ", WhenText(FromProto(o->ends_at())))
                                      : std::string(),
                                  ": ", o->reason()));
        }
        break;
      case v1::REASON_STAGE:
        w->set_why(absl::StrCat("in ramp stage ", e.detail));
        break;
      case v1::REASON_TARGETING_MATCH:
        w->set_why(absl::StrCat("targeting rule ", e.detail, " matched"));
        break;
      case v1::REASON_SPLIT:
        w->set_why("in its bucket of the percentage rollout");
        break;
      case v1::REASON_FROZEN:
        break;  // below
      default:
        w->set_why(flag.ramp().active() ? "the flag's default (not in an entered ramp stage)"
                                        : "the flag's default");
    }
    if (held) {
      w->set_why(absl::StrCat("frozen since ", WhenText(FromProto(held->window->start())), " by ",
                              out.frozen_by(), " until ", WhenText(held->end),
                              e.reason == v1::REASON_FROZEN
                                  ? ": the flag as it was then"
                                  : absl::StrCat(w->why().empty() ? "" : "; ", w->why())));
    }
    // What comes next.
    std::vector<v1::WhoisNext> next;
    const auto add_next = [&](absl::Time t, std::string what) {
      v1::WhoisNext n;
      *n.mutable_at() = rampart::ToProto(t);
      n.set_what(std::move(what));
      next.push_back(std::move(n));
    };
    if (held) {
      const eval::Evaluation after = eval::Evaluate(*bare, flag.key(), context, held->end);
      if (Bytes(after) != Bytes(e)) {
        add_next(held->end, absl::StrCat("the freeze window ends: ", Text(after.value)));
      }
    }
    if (o != nullptr && IsSet(o->ends_at()) && FromProto(o->ends_at()) > at) {
      add_next(FromProto(o->ends_at()), o->deferral() ? "the deferral ends" : "the override ends");
    }
    if (!historical && flag.ramp().active() && e.reason != v1::REASON_STAGE) {
      ASSIGN_OR_RETURN(std::optional<v1::Ramp> ramp, LoadObject<v1::Ramp>(store_, flag.key()));
      if (ramp) {
        if (std::optional<absl::Time> due = DueAt(*ramp)) {
          add_next(*due, absl::StrCat("the ramp's next step is due: ",
                                      ramp::StageLabel(ramp->plan(), ramp->current_stage() + 1),
                                      " (it may or may not take this account)"));
        }
      }
    }
    std::sort(next.begin(), next.end(), [](const v1::WhoisNext& a, const v1::WhoisNext& b) {
      return FromProto(a.at()) < FromProto(b.at());
    });
    for (auto& n : next) *w->add_next() = std::move(n);
    if (e.error == v1::ERROR_CODE_UNSPECIFIED) {
      bool at_least = false;
      ASSIGN_OR_RETURN(
          std::optional<absl::Time> since,
          SinceOf(store_, flag_ptr, set.previous.empty() ? nullptr : set.previous[i].get(), view,
                  Bytes(e), at, &at_least));
      if (since) *w->mutable_since() = rampart::ToProto(*since);
      w->set_since_at_least(at_least);
    }
  }
  return out;
}

absl::StatusOr<v1::HistoryResponse> Registry::History(const v1::HistoryRequest& req) const {
  RETURN_IF_ERROR(ValidateKey("account", req.account()));
  if (!req.flag().empty()) RETURN_IF_ERROR(ValidateKey("flag", req.flag()));
  if (req.limit() < 0 || req.limit() > kMaxHistoryLimit) {
    return absl::InvalidArgumentError(
        absl::StrCat("limit: ", req.limit(), " is outside 0..", kMaxHistoryLimit));
  }
  const int limit = req.limit() == 0 ? kDefaultHistoryLimit : req.limit();
  const absl::Time now = clock_.Now();
  const absl::Time from = IsSet(req.from()) ? FromProto(req.from()) : absl::InfinitePast();
  const absl::Time to = IsSet(req.to()) ? FromProto(req.to()) : now;
  if (to <= from) return absl::InvalidArgumentError("to: must be after from");

  ASSIGN_OR_RETURN(const v1::Account account, GetObject<v1::Account>(store_, req.account()));
  // The segments and their history as whois has them now.
  ASSIGN_OR_RETURN(const std::shared_ptr<const FlagSet> set, CurrentFlagSet());
  const int64_t revision = set->revision;
  const std::vector<v1::Segment>& segments = set->segments;
  std::vector<std::string> keys;
  if (!req.flag().empty()) {
    RETURN_IF_ERROR(GetObject<v1::Flag>(store_, req.flag()).status());
    keys.push_back(req.flag());
  } else {
    RETURN_IF_ERROR(ForEachObject<v1::Flag>(store_, "", [&](const v1::Flag& f) {
      keys.push_back(f.key());
      return true;
    }));
  }

  ASSIGN_OR_RETURN(const AccountWorld loaded,
                   AccountWorld::Load(store_, account, segments, set->segment_history, revision));
  const AccountWorld* world = loaded.Unchanged() ? nullptr : &loaded;
  std::vector<v1::HistoryEvent> events;
  for (const std::string& key : keys) {
    ASSIGN_OR_RETURN(const std::vector<ObjectState<v1::Flag>> states,
                     FlagStates(store_, key, revision));
    std::string before_bytes;
    std::optional<v1::FlagValue> before;
    std::string before_variant;
    for (size_t k = 0; k < states.size(); ++k) {
      const ObjectState<v1::Flag>& s = states[k];
      const absl::Time end = k + 1 < states.size() ? states[k + 1].time : to;
      std::vector<absl::Time> instants;
      instants.push_back(s.time);
      std::optional<StateEvaluator> state;
      if (s.object) {
        const std::vector<absl::Time> inner = InnerInstants(*s.object, account.key(), s.time, end);
        instants.insert(instants.end(), inner.begin(), inner.end());
        instants = WithAccountChanges(std::move(instants), world, *s.object, s.time, end);
        state.emplace(s.object, world, segments, nullptr);
      }
      for (const absl::Time t : instants) {
        if (t >= to) break;
        eval::Evaluation e;
        if (state) e = state->At(account, req.user_key(), t);
        const std::string bytes = Bytes(e);
        if (bytes == before_bytes) continue;
        v1::HistoryEvent ev;
        *ev.mutable_at() = rampart::ToProto(t);
        ev.set_flag_key(key);
        if (before) *ev.mutable_before() = *before;
        ev.set_variant_before(before_variant);
        if (e.value != nullptr) *ev.mutable_after() = *e.value;
        ev.set_variant_after(std::string(e.variant));
        ev.set_reason(e.reason);
        // The change behind it: the flag's, or the one that moved the
        // account at that instant (its own, or a segment's).
        const v1::AuditEntry* moved =
            world != nullptr && s.object ? world->ChangeAt(t, *s.object) : nullptr;
        const v1::AuditEntry& cause = t > s.time && moved != nullptr ? *moved : s.entry;
        ev.set_revision(cause.revision());
        *ev.mutable_changed_at() = cause.time();
        ev.set_actor(cause.actor());
        ev.set_change_reason(cause.reason());
        ev.set_operation(cause.operation());
        ev.set_break_freeze(cause.break_freeze());
        // Seen later than made: a freeze held it (or an override ended).
        ev.set_held(
            t > s.time && &cause == &s.entry && s.object &&
            std::any_of(s.object->freeze_pins().begin(), s.object->freeze_pins().end(),
                        [&](const v1::FreezePin& p) { return FromProto(p.window_end()) == t; }));
        if (t >= from) events.push_back(std::move(ev));
        before_bytes = bytes;
        before = e.value != nullptr ? std::optional<v1::FlagValue>(*e.value) : std::nullopt;
        before_variant = std::string(e.variant);
      }
    }
  }
  if (req.flag().empty()) {
    // Changes to the account itself (attributes, zone), and changes of
    // segments that moved it in or out.
    const auto add = [&](const v1::AuditEntry& entry) -> v1::HistoryEvent* {
      const absl::Time t = FromProto(entry.time());
      if (t < from || t >= to) return nullptr;
      v1::HistoryEvent& ev = events.emplace_back();
      *ev.mutable_at() = entry.time();
      ev.set_revision(entry.revision());
      *ev.mutable_changed_at() = entry.time();
      ev.set_actor(entry.actor());
      ev.set_change_reason(entry.reason());
      ev.set_operation(entry.operation());
      return &ev;
    };
    ASSIGN_OR_RETURN(const std::vector<v1::AuditEntry> entries,
                     ObjectEntries(store_, v1::OBJECT_KIND_ACCOUNT, account.key(), revision, 0));
    for (const v1::AuditEntry& entry : entries) add(entry);
    for (const AccountWorld::Move& move : loaded.moves()) {
      if (v1::HistoryEvent* ev = add(*move.entry); ev != nullptr) {
        ev->set_segment_key(move.segment);
        ev->set_joined_segment(move.joined);
      }
    }
  }
  std::stable_sort(events.begin(), events.end(),
                   [](const v1::HistoryEvent& a, const v1::HistoryEvent& b) {
                     return std::make_tuple(FromProto(a.at()), a.revision(), a.flag_key()) <
                            std::make_tuple(FromProto(b.at()), b.revision(), b.flag_key());
                   });
  v1::HistoryResponse resp;
  const size_t first = events.size() > static_cast<size_t>(limit) ? events.size() - limit : 0;
  resp.set_truncated(first > 0);
  for (size_t i = first; i < events.size(); ++i) *resp.add_events() = std::move(events[i]);
  return resp;
}

}  // namespace rampart::registry
