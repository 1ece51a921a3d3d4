#include "server/registry/support_view.h"

#include <algorithm>
#include <cassert>
#include <map>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "core/common/status_macros.h"
#include "core/common/time_util.h"
#include "core/eval/ramp_serving.h"
#include "server/registry/history.h"
#include "server/registry/registry.h"
#include "server/registry/transaction.h"
#include "server/storage/encoding.h"

namespace rampart::registry {
namespace {

// A schedule made of a flag state's own pins (the windows that held a change
// to it): what an SDK enforced for this flag then.
v1::FreezeSchedule PinSchedule(const v1::Flag& flag) {
  v1::FreezeSchedule out;
  for (const v1::FreezePin& p : flag.freeze_pins()) {
    v1::SegmentFreezeWindows* list = out.add_segments();
    list->set_segment(p.segment());
    list->set_time_zone(p.time_zone());
    v1::FreezeWindow* w = list->add_windows();
    *w->mutable_start() = p.window_start();
    *w->mutable_end() = p.window_end();
    *w->mutable_accounts() = p.accounts();
    w->set_calendar(p.calendar());
    w->set_rule(p.rule());
  }
  return out;
}

// The state of `flag` before its current one. A transaction writes a flag
// once, so that is its newest entry below the flag's revision.
absl::StatusOr<PreviousState> ReadPrevious(const storage::Store& store, const v1::Flag& flag,
                                           const std::vector<v1::Segment>& segments) {
  PreviousState out;
  RETURN_IF_ERROR(ForEachObjectEntry(
      store, v1::OBJECT_KIND_FLAG, flag.key(), flag.revision() - 1, [&](v1::AuditEntry& entry) {
        out.found = true;
        out.time = FromProto(entry.time());
        out.revision = entry.revision();
        v1::Flag state;
        bool present = false;
        out.error = ParseState(entry, &state, &present);
        if (out.error.ok() && present && Shown(state)) {
          out.flag = std::make_shared<const v1::Flag>(std::move(state));
        }
        return false;
      }));
  if (out.flag != nullptr) out.snapshot = StateSnapshot(out.flag, segments);
  return out;
}

// The segments are the same objects (each records the revision of its last
// change).
bool SameSegments(const std::vector<v1::Segment>& a, const std::vector<v1::Segment>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const v1::Segment& x, const v1::Segment& y) {
                      return x.key() == y.key() && x.revision() == y.revision();
                    });
}

// The previous state of a flag of the current set: none for a flag never
// changed since its creation (its "since" needs no walk), else read.
absl::StatusOr<std::shared_ptr<const PreviousState>> PreviousOf(
    const storage::Store& store, const v1::Flag& flag, const std::vector<v1::Segment>& segments) {
  if (FromProto(flag.created_at()) == FromProto(flag.updated_at())) return nullptr;
  ASSIGN_OR_RETURN(PreviousState read, ReadPrevious(store, flag, segments));
  return std::make_shared<const PreviousState>(std::move(read));
}

// The set of `revision` read from the store and compiled whole. The
// previous states are taken from `kept` (null: none) where the flag and the
// segments (compiled into the state's snapshot) are unchanged, else read:
// the audit log below a flag's revision never changes.
absl::StatusOr<std::shared_ptr<const FlagSet>> ReadFlagSet(
    const storage::Store& store, const FlagSet* kept, int64_t revision,
    std::shared_ptr<const v1::FreezeSchedule> schedule) {
  auto set = std::make_shared<FlagSet>();
  set->revision = revision;
  set->schedule = std::move(schedule);
  RETURN_IF_ERROR(ForEachObject<v1::Segment>(store, "", [&](v1::Segment& s) {
    set->segments.push_back(std::move(s));
    return true;
  }));
  RETURN_IF_ERROR(ForEachObject<v1::Flag>(store, "", [&](v1::Flag& f) {
    if (Shown(f)) set->flags.push_back(std::make_shared<const v1::Flag>(std::move(f)));
    return true;
  }));
  Compile(*set);
  const bool same_segments = kept != nullptr && SameSegments(kept->segments, set->segments);
  if (same_segments) {
    set->segment_history = kept->segment_history;
  } else {
    ASSIGN_OR_RETURN(set->segment_history, LoadSegmentHistory(store, set->segments, revision));
  }

  absl::flat_hash_map<absl::string_view, size_t> kept_index;
  if (same_segments && !kept->previous.empty()) {
    kept_index.reserve(kept->flags.size());
    for (size_t i = 0; i < kept->flags.size(); ++i) kept_index.emplace(kept->flags[i]->key(), i);
  }
  set->previous.reserve(set->flags.size());
  for (const auto& flag : set->flags) {
    if (auto it = kept_index.find(flag->key());
        it != kept_index.end() && kept->flags[it->second]->revision() == flag->revision()) {
      set->previous.push_back(kept->previous[it->second]);
      continue;
    }
    ASSIGN_OR_RETURN(std::shared_ptr<const PreviousState> previous,
                     PreviousOf(store, *flag, set->segments));
    set->previous.push_back(std::move(previous));
  }
  return set;
}

// Past this many audit entries since the kept set, reading the whole set
// is cheaper than applying them (a bulk import of accounts, say).
size_t MaxEntriesToApply(const FlagSet& kept) {
  return std::max<size_t>(64, kept.flags.size() / 8);
}

// The set of `revision` made from `kept`, an older current set of the same
// schedule, and the flags the audit log changed after it (each entry holds
// the object after it): the other flags, their compiled form
// (eval::Snapshot::Builder from kept's snapshot) and their previous states
// are kept's, shared, and only the changed ones are compiled and have their
// previous state read. So a whois after a commit reads and compiles a few
// flags, not 10 000, and dropping `kept` frees little. Null when the set is
// to be read afresh instead: a segment changed (every flag and previous
// state is compiled against the segments), too many entries, or an entry
// that does not parse (the store is the truth; reading it reports damage).
absl::StatusOr<std::shared_ptr<const FlagSet>> UpdatedFlagSet(const storage::Store& store,
                                                              const FlagSet& kept,
                                                              int64_t revision) {
  assert(kept.previous.size() == kept.flags.size());
  const size_t max_entries = MaxEntriesToApply(kept);
  if (static_cast<uint64_t>(revision - kept.revision) > max_entries) return nullptr;
  // Each changed flag as the last entry left it; null: not shown any more
  // (archived without pins, or deleted). Key order, as the set's flags.
  std::map<std::string, std::shared_ptr<const v1::Flag>> changed;
  size_t entries = 0;
  bool read_afresh = false;
  RETURN_IF_ERROR(store.Scan(
      storage::Cf::kAudit, "", storage::AuditKey({static_cast<uint64_t>(kept.revision + 1), 0}),
      false, [&](absl::string_view, absl::string_view value) {
        v1::AuditEntry entry;
        if (!entry.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          read_afresh = true;
          return false;
        }
        if (entry.revision() > revision) return false;  // committed since we looked
        if (++entries > max_entries || entry.kind() == v1::OBJECT_KIND_SEGMENT) {
          read_afresh = true;
          return false;
        }
        if (entry.kind() != v1::OBJECT_KIND_FLAG) return true;
        v1::Flag flag;
        bool present = false;
        if (!ParseState(entry, &flag, &present).ok()) {
          read_afresh = true;
          return false;
        }
        changed[entry.object_key()] =
            present && Shown(flag) ? std::make_shared<const v1::Flag>(std::move(flag)) : nullptr;
        return true;
      }));
  if (read_afresh) return nullptr;

  auto set = std::make_shared<FlagSet>();
  set->revision = revision;
  set->schedule = kept.schedule;
  set->segments = kept.segments;
  set->segment_history = kept.segment_history;
  set->flags.reserve(kept.flags.size() + changed.size());
  set->previous.reserve(kept.flags.size() + changed.size());
  eval::Snapshot::Builder builder(*kept.snapshot);
  auto next = changed.begin();
  // Merges the next changed flag in (key order).
  const auto merge_next = [&]() -> absl::Status {
    const auto& [key, flag] = *next++;
    if (flag == nullptr) {
      builder.RemoveFlag(key);
      return absl::OkStatus();
    }
    builder.AddFlag(flag);
    set->flags.push_back(flag);
    ASSIGN_OR_RETURN(std::shared_ptr<const PreviousState> previous,
                     PreviousOf(store, *flag, set->segments));
    set->previous.push_back(std::move(previous));
    return absl::OkStatus();
  };
  for (size_t i = 0; i < kept.flags.size(); ++i) {
    const std::string& key = kept.flags[i]->key();
    while (next != changed.end() && next->first < key) RETURN_IF_ERROR(merge_next());
    if (next != changed.end() && next->first == key) {
      RETURN_IF_ERROR(merge_next());
    } else {
      set->flags.push_back(kept.flags[i]);
      set->previous.push_back(kept.previous[i]);
    }
  }
  while (next != changed.end()) RETURN_IF_ERROR(merge_next());
  set->snapshot = std::move(builder).Build();
  return set;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const SegmentHistory>> LoadSegmentHistory(
    const storage::Store& store, const std::vector<v1::Segment>& segments, int64_t revision) {
  auto history = std::make_shared<SegmentHistory>(segments.size());
  for (size_t i = 0; i < segments.size(); ++i) {
    const v1::Segment& s = segments[i];
    if (FromProto(s.updated_at()) == FromProto(s.created_at())) continue;
    ASSIGN_OR_RETURN((*history)[i],
                     ObjectStates<v1::Segment>(store, v1::OBJECT_KIND_SEGMENT, s.key(), revision));
  }
  return history;
}

void Compile(FlagSet& set) {
  eval::Snapshot::Builder b;
  for (const v1::Segment& s : set.segments) b.AddSegment(s);
  for (const auto& f : set.flags) b.AddFlag(f);  // shared, not copied
  b.SetFreezeSchedule(*set.schedule);
  set.snapshot = std::move(b).Build();
}

std::shared_ptr<const eval::Snapshot> StateSnapshot(std::shared_ptr<const v1::Flag> flag,
                                                    const std::vector<v1::Segment>& segments) {
  eval::Snapshot::Builder b;
  // By key: `segments` is in key order. Each once (a flag names few).
  std::vector<const v1::Segment*> added;
  eval::ForEachSegmentNamedBy(*flag, [&](const std::string& key) {
    const auto it =
        std::lower_bound(segments.begin(), segments.end(), key,
                         [](const v1::Segment& s, const std::string& k) { return s.key() < k; });
    if (it == segments.end() || it->key() != key ||
        std::find(added.begin(), added.end(), &*it) != added.end()) {
      return;
    }
    added.push_back(&*it);
    b.AddSegment(*it);
  });
  b.SetFreezeSchedule(PinSchedule(*flag));
  b.AddFlag(std::move(flag));
  return std::move(b).Build();
}

absl::StatusOr<std::shared_ptr<const FlagSet>> Registry::CurrentFlagSet() const {
  // Both read before the store, so the set holds at least this revision's
  // objects; a set kept for them is still the registry's current one.
  const int64_t revision = this->revision();
  std::shared_ptr<const v1::FreezeSchedule> schedule = freeze_schedule();
  std::shared_ptr<const FlagSet> kept;
  {
    absl::MutexLock lock(&flag_set_mu_);
    kept = flag_set_;
  }
  if (kept != nullptr && kept->revision == revision && kept->schedule == schedule) return kept;

  std::shared_ptr<const FlagSet> set;
  // Most commits change a few flags or none of them (issue 6: rebuilding
  // all 10 000 took a whois from 12 to 43 ms).
  if (kept != nullptr && kept->revision < revision && kept->schedule == schedule) {
    ASSIGN_OR_RETURN(set, UpdatedFlagSet(store_, *kept, revision));
  }
  if (set == nullptr) {
    ASSIGN_OR_RETURN(set, ReadFlagSet(store_, kept.get(), revision, std::move(schedule)));
  }

  absl::MutexLock lock(&flag_set_mu_);
  // Calls racing after a commit may each build it; any of them will do, but
  // an older one never replaces a newer one.
  if (flag_set_ == nullptr || flag_set_->revision <= set->revision) flag_set_ = set;
  return set;
}

}  // namespace rampart::registry
