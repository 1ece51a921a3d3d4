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

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "rampart/v1/model.pb.h"

namespace rampart::eval {

// The window holding an account frozen.
struct ActiveFreeze {
  const v1::SegmentFreezeWindows* list = nullptr;  // its segment and zone
  const v1::FreezeWindow* window = nullptr;
  // Identifies the window within the schedule (CompiledFreezes::IdOf).
  const void* id = nullptr;
  absl::Time start;
  absl::Time end;
};

class CompiledFreezes {
 public:
  // `schedule` must outlive this object.
  explicit CompiledFreezes(const v1::FreezeSchedule& schedule);

  bool empty() const { return entries_.empty(); }
  // How many distinct segments the schedule names (global lists aside).
  int segment_count() const { return static_cast<int>(columns_.size()); }


  // The schedule's segment keys, indexed by column.
  std::vector<absl::string_view> ColumnKeys() const;

  // The id an ActiveFreeze of the window of (segment, zone) starting at
  // `start` (or that a recomputation moved from `start`: pin_starts) would
  // carry; null when the schedule has no such window. Lets a flag's pins be
  // matched to windows once, when a snapshot is built.
  const void* IdOf(absl::string_view segment, absl::string_view zone, absl::Time start) const;

  // The window that froze the account first among those open at `at`.
  // `in_segment(segment_key, column)`: whether the account is in a segment
  // (called only for segments with a window open at `at`; `column` numbers
  // the schedule's segments from 0 to segment_count() - 1, for callers that
  // remember answers). `segment_zone(segment_key, column)`: a segment's own
  // zone (empty: none). Templates, so the engine's callbacks inline: this
  // runs on every evaluation while a window is open.
  template <typename SegmentZone, typename InSegment>
  std::optional<ActiveFreeze> Find(absl::string_view account_key, absl::string_view account_zone,
                                   const SegmentZone& segment_zone, const InSegment& in_segment,
                                   absl::Time at) const {
    const auto [first, last] = OpenAt(at);
    // The last comparison of an interned zone with the account's own zone:
    // windows of many segments in one zone compare it once.
    const char* compared = nullptr;
    bool matched = false;
    // Earliest start first: the first window that holds the account decides.
    for (uint32_t o = first; o < last; ++o) {
      const Entry& e = entries_[open_[o]];
      const absl::string_view segment = e.segment;
      if (!account_zone.empty()) {
        if (e.zone.data() != compared) {
          compared = e.zone.data();
          matched = e.zone == account_zone;
        }
        if (!matched) continue;
      } else {
        const absl::string_view zone =
            segment.empty() ? absl::string_view() : segment_zone(segment, e.column);
        if (e.zone != zone) continue;
      }
      if (!e.accounts.empty() && !e.accounts.contains(account_key)) continue;
      // Membership last: it reads the account's attributes.
      if (!segment.empty() && !in_segment(segment, e.column)) continue;
      return ActiveFreeze{e.list, e.window, &e, e.start, e.end};
    }
    return std::nullopt;
  }

 private:
  // One window of one list.
  struct Entry {
    const v1::SegmentFreezeWindows* list;
    const v1::FreezeWindow* window;
    int column;  // of the list's segment; -1 for a global list
    // The list's segment and zone; one copy of each distinct zone is shared
    // by every entry, so comparing ten windows' zones reads one string.
    absl::string_view segment;
    absl::string_view zone;
    absl::Time start;
    absl::Time end;
    // The accounts the window is limited to (empty: all).
    absl::flat_hash_set<absl::string_view> accounts;
  };

  // Every window, and a timeline over them: between boundaries_[k] and
  // boundaries_[k + 1] the windows open are open_[open_begin_[k] ..
  // open_begin_[k + 1]), earliest start first. A lookup is one binary
  // search plus the few windows open at that instant, however many lists
  // and windows the schedule has.
  // The range of open_ holding the windows open at `at`.
  std::pair<uint32_t, uint32_t> OpenAt(absl::Time at) const;

  std::vector<Entry> entries_;
  absl::flat_hash_map<absl::string_view, int> columns_;
  std::vector<absl::Time> boundaries_;
  std::vector<uint32_t> open_begin_;  // boundaries_.size() entries
  std::vector<uint32_t> open_;        // indexes into entries_
};

}  // namespace rampart::eval

#endif  // RAMPART_CORE_EVAL_FREEZE_VIEW_H_
