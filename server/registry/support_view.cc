#include "server/registry/support_view.h"

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "core/common/status_macros.h"
#include "core/common/time_util.h"
#include "core/eval/ramp_serving.h"
#include "server/registry/history.h"
#include "server/registry/registry.h"
#include "server/registry/transaction.h"

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

}  // namespace

void Compile(FlagSet& set) {
  eval::Snapshot::Builder b;
  for (const v1::Segment& s : set.segments) b.AddSegment(s);
  for (const auto& f : set.flags) b.AddFlag(f);  // shared, not copied
  b.SetFreezeSchedule(*set.schedule);
  set.snapshot = std::move(b).Build();
}

std::shared_ptr<const eval::Snapshot> StateSnapshot(std::shared_ptr<const v1::Flag> flag,
                                                    const std::vector<v1::Segment>& segments) {
  absl::flat_hash_set<std::string> keys = eval::SegmentsNamedBy(flag->ramp());
  for (const auto& rule : flag->rules())
    keys.insert(rule.segments().begin(), rule.segments().end());
  for (const auto& pin : flag->freeze_pins()) keys.insert(pin.segment());
  eval::Snapshot::Builder b;
  for (const v1::Segment& s : segments) {
    if (keys.contains(s.key())) b.AddSegment(s);
  }
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

  auto set = std::make_shared<FlagSet>();
  set->revision = revision;
  set->schedule = std::move(schedule);
  RETURN_IF_ERROR(ForEachObject<v1::Segment>(store_, "", [&](v1::Segment& s) {
    set->segments.push_back(std::move(s));
    return true;
  }));
  RETURN_IF_ERROR(ForEachObject<v1::Flag>(store_, "", [&](v1::Flag& f) {
    if (Shown(f)) set->flags.push_back(std::make_shared<const v1::Flag>(std::move(f)));
    return true;
  }));
  Compile(*set);

  // Previous states: those of the kept set where the flag and the segments
  // (compiled into the state's snapshot) are unchanged, else read. The
  // audit log below a flag's revision never changes.
  absl::flat_hash_map<absl::string_view, size_t> kept_index;
  if (kept != nullptr && !kept->previous.empty() && SameSegments(kept->segments, set->segments)) {
    kept_index.reserve(kept->flags.size());
    for (size_t i = 0; i < kept->flags.size(); ++i) kept_index.emplace(kept->flags[i]->key(), i);
  }
  set->previous.reserve(set->flags.size());
  for (const auto& flag : set->flags) {
    std::shared_ptr<const PreviousState>& previous = set->previous.emplace_back();
    if (FromProto(flag->created_at()) == FromProto(flag->updated_at())) continue;  // no walk
    if (auto it = kept_index.find(flag->key()); it != kept_index.end()) {
      if (kept->flags[it->second]->revision() == flag->revision()) {
        previous = kept->previous[it->second];
        continue;
      }
    }
    ASSIGN_OR_RETURN(PreviousState read, ReadPrevious(store_, *flag, set->segments));
    previous = std::make_shared<const PreviousState>(std::move(read));
  }

  absl::MutexLock lock(&flag_set_mu_);
  // Calls racing after a commit may each build it; any of them will do, but
  // an older one never replaces a newer one.
  if (flag_set_ == nullptr || flag_set_->revision <= set->revision) flag_set_ = set;
  return set;
}

}  // namespace rampart::registry
