// What whois evaluates an account against (issue 6): the flags, the
// segments and the freeze windows, compiled into one eval::Snapshot that
// holds no account (whois passes its account in eval::Context::account).
// So the set of the current revision is read, parsed and compiled once and
// shared by every whois until the next commit (Registry::CurrentFlagSet),
// instead of once per call: at 10 000 flags that was most of a whois. After
// a commit, the new set is the last one plus the flags the audit log says
// changed (only those parsed and compiled, the rest shared), unless a
// segment or the schedule changed: then it is read and compiled whole. The
// current set also keeps, for each flag changed since its creation, the
// state before (its previous audit entry), compiled: "since" walks a flag
// back through it without reading the log, and most walks end there.
// Internal to server/registry.
//
// Thread-safety: a FlagSet is immutable once compiled; any number of
// threads may read and evaluate it.
#ifndef RAMPART_SERVER_REGISTRY_SUPPORT_VIEW_H_
#define RAMPART_SERVER_REGISTRY_SUPPORT_VIEW_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "core/eval/engine.h"
#include "rampart/v1/freeze.pb.h"
#include "rampart/v1/model.pb.h"
#include "server/registry/history.h"
#include "server/storage/store.h"

namespace rampart::registry {

// Parallel to a set's segments: the states of each one changed since its
// creation, oldest first (empty for one never changed). What a segment was
// at a past instant decides whether an account was in it then; whois and
// history walk this for every account, so the current set keeps it.
using SegmentHistory = std::vector<std::vector<ObjectState<v1::Segment>>>;

// The history of `segments` (the segments at `revision`) up to `revision`.
absl::StatusOr<std::shared_ptr<const SegmentHistory>> LoadSegmentHistory(
    const storage::Store& store, const std::vector<v1::Segment>& segments, int64_t revision);

// The state of a flag before a given one: its audit entry just older.
struct PreviousState {
  // DATA_LOSS when the entry does not parse (the walk reports it if it
  // gets that far).
  absl::Status error;
  bool found = false;  // false: no older entry
  absl::Time time;     // when it took effect (the entry's time)
  int64_t revision = 0;
  // Null when the flag was archived (without pins) or absent then.
  std::shared_ptr<const v1::Flag> flag;
  std::shared_ptr<const eval::Snapshot> snapshot;  // StateSnapshot(flag)
};

struct FlagSet {
  // The store revision the set was read at (it may hold a commit made
  // while it was read, as any scan of the store may).
  int64_t revision = 0;
  std::vector<v1::Segment> segments;  // key order
  std::shared_ptr<const SegmentHistory> segment_history;  // never null
  // Key order. Archived flags only while they have freeze pins (a frozen
  // account may still be served one), as in the SDK's snapshot.
  std::vector<std::shared_ptr<const v1::Flag>> flags;
  std::shared_ptr<const v1::FreezeSchedule> schedule;  // never null
  // All of the above, without accounts. Set by Compile.
  std::shared_ptr<const eval::Snapshot> snapshot;
  // Parallel to `flags` in the current set (empty in one built for a past
  // revision): each flag's previous state, null for a flag never changed
  // since its creation (its "since" needs no walk).
  std::vector<std::shared_ptr<const PreviousState>> previous;
};

// Whether whois shows `flag` (see FlagSet::flags).
inline bool Shown(const v1::Flag& flag) { return !flag.archived() || flag.freeze_pins_size() > 0; }

// Builds `set.snapshot` from its flags, segments and schedule.
void Compile(FlagSet& set);

// What one state of a flag is evaluated against for the since-walk and
// the history: the flag, the segments it names (its rules', its ramp's, its
// pins') among `segments`, and its own pins' windows, so a change a window
// held counts from the window's end, when the account saw it. No account:
// the context brings it.
std::shared_ptr<const eval::Snapshot> StateSnapshot(std::shared_ptr<const v1::Flag> flag,
                                                    const std::vector<v1::Segment>& segments);

}  // namespace rampart::registry

#endif  // RAMPART_SERVER_REGISTRY_SUPPORT_VIEW_H_
