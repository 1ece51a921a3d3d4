#include "core/eval/freeze_view.h"

#include <algorithm>

#include "core/common/time_util.h"

namespace rampart::eval {

CompiledFreezes::CompiledFreezes(const v1::FreezeSchedule& schedule) {
  for (const v1::SegmentFreezeWindows& source : schedule.segments()) {
    List list;
    list.source = &source;
    std::vector<const v1::FreezeWindow*> windows;
    for (const v1::FreezeWindow& w : source.windows()) windows.push_back(&w);
    // The server sends them sorted; sort anyway, so a lookup never misses.
    std::sort(windows.begin(), windows.end(), [](const auto* a, const auto* b) {
      return FromProto(a->start()) < FromProto(b->start());
    });
    list.windows = windows;
    for (const v1::FreezeWindow* w : windows) {
      list.starts.push_back(FromProto(w->start()));
      list.ends.push_back(FromProto(w->end()));
      list.accounts.emplace_back(w->accounts().begin(), w->accounts().end());
    }
    if (!list.starts.empty()) by_segment_[source.segment()].push_back(std::move(list));
  }
}

int CompiledFreezes::OpenWindow(const List& list, absl::string_view account_key, absl::Time at) {
  // Windows of one list do not overlap: only the last one starting at or
  // before `at` can hold it.
  auto it = std::upper_bound(list.starts.begin(), list.starts.end(), at);
  if (it == list.starts.begin()) return -1;
  const int i = static_cast<int>(it - list.starts.begin()) - 1;
  if (at >= list.ends[i]) return -1;
  if (!list.accounts[i].empty() && !list.accounts[i].contains(account_key)) return -1;
  return i;
}

std::optional<ActiveFreeze> CompiledFreezes::Find(absl::string_view account_key,
                                                  absl::string_view account_zone,
                                                  SegmentZone segment_zone, InSegment in_segment,
                                                  absl::Time at) const {
  std::optional<ActiveFreeze> first;
  for (const auto& [segment, lists] : by_segment_) {
    const absl::string_view zone =
        !account_zone.empty() ? account_zone
                              : (segment.empty() ? absl::string_view() : segment_zone(segment));
    bool member_checked = false;
    bool member = false;
    for (const List& list : lists) {
      if (list.source->time_zone() != zone) continue;
      const int i = OpenWindow(list, account_key, at);
      if (i < 0) continue;
      if (first && first->start <= list.starts[i]) continue;
      // Membership last: a window test is a binary search, a segment test
      // reads the account's attributes.
      if (!member_checked) {
        member = segment.empty() || in_segment(segment);
        member_checked = true;
      }
      if (!member) break;
      first = ActiveFreeze{list.source, list.windows[i], list.starts[i], list.ends[i]};
    }
  }
  return first;
}

}  // namespace rampart::eval
