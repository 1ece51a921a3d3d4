#include "core/eval/freeze_view.h"

#include <algorithm>

#include "core/common/time_util.h"

namespace rampart::eval {

CompiledFreezes::CompiledFreezes(const v1::FreezeSchedule& schedule) {
  absl::flat_hash_set<absl::string_view> zones;  // views of the schedule's strings
  for (const v1::SegmentFreezeWindows& list : schedule.segments()) {
    for (const v1::FreezeWindow& w : list.windows()) {
      const absl::Time start = FromProto(w.start());
      const absl::Time end = FromProto(w.end());
      if (!(start < end)) continue;  // empty: never open
      int column = -1;
      if (!list.segment().empty()) {
        column = columns_.try_emplace(list.segment(), static_cast<int>(columns_.size()))
                     .first->second;
      }
      const absl::string_view zone = *zones.insert(list.time_zone()).first;
      entries_.push_back(Entry{&list, &w, column, list.segment(), zone, start, end,
                               {w.accounts().begin(), w.accounts().end()}});
    }
  }
  // Sweep the starts and ends in time order, recording after each boundary
  // which windows are open until the next one.
  for (const Entry& e : entries_) {
    boundaries_.push_back(e.start);
    boundaries_.push_back(e.end);
  }
  std::sort(boundaries_.begin(), boundaries_.end());
  boundaries_.erase(std::unique(boundaries_.begin(), boundaries_.end()), boundaries_.end());
  std::vector<uint32_t> by_start(entries_.size());
  for (uint32_t i = 0; i < by_start.size(); ++i) by_start[i] = i;
  std::sort(by_start.begin(), by_start.end(),
            [&](uint32_t a, uint32_t b) { return entries_[a].start < entries_[b].start; });
  std::vector<uint32_t> active;  // earliest start first
  size_t next = 0;
  open_begin_.reserve(boundaries_.size() + 1);
  for (const absl::Time b : boundaries_) {
    active.erase(std::remove_if(active.begin(), active.end(),
                                [&](uint32_t i) { return entries_[i].end <= b; }),
                 active.end());
    while (next < by_start.size() && entries_[by_start[next]].start <= b) {
      active.push_back(by_start[next++]);
    }
    open_begin_.push_back(static_cast<uint32_t>(open_.size()));
    open_.insert(open_.end(), active.begin(), active.end());
  }
  open_begin_.push_back(static_cast<uint32_t>(open_.size()));
}

const void* CompiledFreezes::IdOf(absl::string_view segment, absl::string_view zone,
                                  absl::Time start) const {
  for (const Entry& e : entries_) {
    if (e.list->segment() != segment || e.list->time_zone() != zone) continue;
    if (e.start == start) return &e;
    for (const google::protobuf::Timestamp& t : e.window->pin_starts()) {
      if (FromProto(t) == start) return &e;
    }
  }
  return nullptr;
}

std::vector<absl::string_view> CompiledFreezes::ColumnKeys() const {
  std::vector<absl::string_view> keys(columns_.size());
  for (const auto& [key, column] : columns_) keys[column] = key;
  return keys;
}

std::pair<uint32_t, uint32_t> CompiledFreezes::OpenAt(absl::Time at) const {
  auto it = std::upper_bound(boundaries_.begin(), boundaries_.end(), at);
  if (it == boundaries_.begin()) return {0, 0};
  const size_t k = static_cast<size_t>(it - boundaries_.begin()) - 1;
  return {open_begin_[k], open_begin_[k + 1]};
}

}  // namespace rampart::eval
