// The freeze windows of a snapshot (v1::FreezeSchedule, computed by the
// server from the freeze calendars), indexed for evaluation: which window, if
// any, holds an account frozen at an instant (domain promise 3). The engine
// asks it before evaluating a flag, in the server and in every SDK, so both
// freeze the same accounts at the same instants (promise 1).
//
// An account is frozen at `at` when a list of a segment it is in (or a global
// list) has, for the account's effective zone (its own zone, else the
// segment's, else empty), a window with start <= at < end that names no
// accounts or names this one. When several hold it, the one that opened
// first decides: the account keeps what it had then.
//
// Thread-safety: immutable after construction; Find may run concurrently.
#ifndef RAMPART_CORE_EVAL_FREEZE_VIEW_H_
#define RAMPART_CORE_EVAL_FREEZE_VIEW_H_

#include <optional>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "rampart/v1/model.pb.h"

namespace rampart::eval {

// The window holding an account frozen.
struct ActiveFreeze {
  const v1::SegmentFreezeWindows* list = nullptr;  // its segment and zone
  const v1::FreezeWindow* window = nullptr;
  absl::Time start;
  absl::Time end;
};

class CompiledFreezes {
 public:
  // `schedule` must outlive this object.
  explicit CompiledFreezes(const v1::FreezeSchedule& schedule);

  bool empty() const { return by_segment_.empty(); }

  // Whether the account is in a segment (called only for segments with a
  // window open at `at`).
  using InSegment = absl::FunctionRef<bool(absl::string_view segment_key)>;
  // A segment's own time zone (empty: none).
  using SegmentZone = absl::FunctionRef<absl::string_view(absl::string_view segment_key)>;

  // The window that froze the account first among those open at `at`.
  std::optional<ActiveFreeze> Find(absl::string_view account_key, absl::string_view account_zone,
                                   SegmentZone segment_zone, InSegment in_segment,
                                   absl::Time at) const;

 private:
  struct List {
    const v1::SegmentFreezeWindows* source;
    std::vector<const v1::FreezeWindow*> windows;  // sorted by start
    std::vector<absl::Time> starts;
    std::vector<absl::Time> ends;
    // Parallel to starts: the accounts a window is limited to (empty: all).
    std::vector<absl::flat_hash_set<absl::string_view>> accounts;
  };
  // The window of `list` open at `at` for the account, or -1.
  static int OpenWindow(const List& list, absl::string_view account_key, absl::Time at);

  // Lists by segment key ("" for global lists).
  absl::flat_hash_map<absl::string_view, std::vector<List>> by_segment_;
};

}  // namespace rampart::eval

#endif  // RAMPART_CORE_EVAL_FREEZE_VIEW_H_
