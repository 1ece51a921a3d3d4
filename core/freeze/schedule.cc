#include "core/freeze/schedule.h"

#include <algorithm>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/common/time_util.h"
#include "core/freeze/windows.h"

namespace rampart::freeze {
namespace {

// One window of one rule, before the union.
struct Part {
  absl::Time start;
  absl::Time end;
  int calendar_index;  // into ScheduleInput::calendars
  int rule_index;      // into its rules
};

// (segment, zone, account set): one list.
using ListKey = std::tuple<std::string, std::string, std::vector<std::string>>;

absl::Status Prefixed(const absl::Status& s, const std::string& prefix) {
  return absl::Status(s.code(), absl::StrCat(prefix, s.message()));
}

std::vector<std::string> AccountSet(std::vector<std::string> accounts) {
  std::sort(accounts.begin(), accounts.end());
  accounts.erase(std::unique(accounts.begin(), accounts.end()), accounts.end());
  return accounts;
}

}  // namespace

absl::StatusOr<v1::FreezeSchedule> BuildSchedule(const ScheduleInput& in) {
  if (in.working_days == nullptr) {
    return absl::InvalidArgumentError("working_days: required");
  }
  if (in.to < in.from) {
    return absl::InvalidArgumentError(absl::StrCat("to: ", rampart::FormatTime(in.to),
                                                   " is before from ",
                                                   rampart::FormatTime(in.from)));
  }
  const absl::Time gen_from = in.from - kScheduleJoinMargin;
  const absl::Time gen_to = in.to + kScheduleJoinMargin;

  std::map<ListKey, std::vector<Part>> lists;
  for (int ci = 0; ci < static_cast<int>(in.calendars.size()); ++ci) {
    const AttachedCalendar& cal = in.calendars[ci];
    if (absl::Status s = ValidateRules(cal.rules); !s.ok()) {
      return Prefixed(s, absl::StrFormat("calendar \"%s\": ", cal.key));
    }
    std::vector<std::string> segments;
    if (cal.global) {
      segments.push_back("");
    } else {
      segments = cal.segments;
      std::sort(segments.begin(), segments.end());
      segments.erase(std::unique(segments.begin(), segments.end()), segments.end());
    }
    // Windows per zone, shared by the segments that have it.
    std::map<std::string, std::vector<Part>> by_zone;  // only every-account parts
    std::map<std::string, std::vector<std::pair<std::vector<std::string>, Part>>> limited_by_zone;
    for (const std::string& segment : segments) {
      auto zones_it = in.zones_by_segment.find(segment);
      if (zones_it == in.zones_by_segment.end()) continue;
      std::vector<std::string> zones = zones_it->second;
      std::sort(zones.begin(), zones.end());
      zones.erase(std::unique(zones.begin(), zones.end()), zones.end());
      for (const std::string& zone : zones) {
        if (!by_zone.contains(zone)) {
          std::vector<Part>& all = by_zone[zone];
          auto& limited = limited_by_zone[zone];
          for (int ri = 0; ri < static_cast<int>(cal.rules.size()); ++ri) {
            FreezeRule rule = cal.rules[ri];
            if (!zone.empty()) rule.zone = zone;
            absl::StatusOr<std::vector<Window>> windows =
                Windows(rule, *in.working_days, gen_from, gen_to);
            if (!windows.ok()) {
              std::string prefix =
                  absl::StrFormat("calendar \"%s\", rule \"%s\"", cal.key, cal.rules[ri].name);
              if (!zone.empty()) absl::StrAppendFormat(&prefix, ", zone \"%s\"", zone);
              return Prefixed(windows.status(), prefix + ": ");
            }
            for (const Window& w : *windows) {
              Part part{w.start, w.end, ci, ri};
              if (rule.accounts.empty()) {
                all.push_back(part);
              } else {
                limited.emplace_back(AccountSet(rule.accounts), part);
              }
            }
          }
        }
        for (const Part& p : by_zone[zone]) {
          lists[ListKey(segment, zone, {})].push_back(p);
        }
        for (const auto& [accounts, p] : limited_by_zone[zone]) {
          lists[ListKey(segment, zone, accounts)].push_back(p);
        }
      }
    }
  }

  v1::FreezeSchedule schedule;
  *schedule.mutable_computed_at() = rampart::ToProto(in.from);
  *schedule.mutable_horizon() = rampart::ToProto(in.to);
  for (auto& [key, parts] : lists) {
    const auto& [segment, zone, accounts] = key;
    std::sort(parts.begin(), parts.end(), [](const Part& a, const Part& b) {
      return std::tie(a.start, a.calendar_index, a.rule_index, a.end) <
             std::tie(b.start, b.calendar_index, b.rule_index, b.end);
    });
    // The unions: [start, end) and the part that opened each.
    std::vector<Part> unions;
    for (const Part& p : parts) {
      if (!unions.empty() && p.start <= unions.back().end) {
        unions.back().end = std::max(unions.back().end, p.end);
      } else {
        unions.push_back(p);
      }
    }
    v1::SegmentFreezeWindows* list = nullptr;
    for (const Part& u : unions) {
      if (u.start >= in.to || u.end <= in.from) continue;  // outside the horizon
      if (list == nullptr) {
        list = schedule.add_segments();
        list->set_segment(segment);
        list->set_time_zone(zone);
      }
      v1::FreezeWindow* w = list->add_windows();
      *w->mutable_start() = rampart::ToProto(u.start);
      *w->mutable_end() = rampart::ToProto(u.end);
      const AttachedCalendar& cal = in.calendars[u.calendar_index];
      w->set_calendar(cal.key);
      w->set_rule(cal.rules[u.rule_index].name);
      for (const std::string& a : accounts) w->add_accounts(a);
    }
  }
  return schedule;
}

namespace {

// The index of the window of `list` open at `now`, or -1 (a list's
// windows do not overlap).
int OpenWindow(const v1::SegmentFreezeWindows& list, absl::Time now) {
  for (int i = 0; i < list.windows_size(); ++i) {
    const v1::FreezeWindow& w = list.windows(i);
    if (rampart::FromProto(w.start()) <= now && now < rampart::FromProto(w.end())) return i;
  }
  return -1;
}

// A list's identity across recomputations: its segment, zone and accounts.
bool SameList(const v1::SegmentFreezeWindows& a, const v1::FreezeWindow& wa,
              const v1::SegmentFreezeWindows& b, const v1::FreezeWindow& wb) {
  return a.segment() == b.segment() && a.time_zone() == b.time_zone() &&
         std::equal(wa.accounts().begin(), wa.accounts().end(), wb.accounts().begin(),
                    wb.accounts().end());
}

}  // namespace

void CarryPinStarts(const v1::FreezeSchedule& previous, v1::FreezeSchedule& next, absl::Time now) {
  for (v1::SegmentFreezeWindows& list : *next.mutable_segments()) {
    const int i = OpenWindow(list, now);
    if (i < 0) continue;
    v1::FreezeWindow* open = list.mutable_windows(i);
    const absl::Time start = rampart::FromProto(open->start());
    std::vector<absl::Time> starts;
    for (const v1::SegmentFreezeWindows& old_list : previous.segments()) {
      const int k = OpenWindow(old_list, now);
      if (k < 0 || !SameList(list, *open, old_list, old_list.windows(k))) continue;
      const v1::FreezeWindow& old = old_list.windows(k);
      starts.push_back(rampart::FromProto(old.start()));
      for (const auto& t : old.pin_starts()) starts.push_back(rampart::FromProto(t));
    }
    std::sort(starts.begin(), starts.end());
    starts.erase(std::unique(starts.begin(), starts.end()), starts.end());
    open->clear_pin_starts();
    for (const absl::Time t : starts) {
      if (t != start) *open->add_pin_starts() = rampart::ToProto(t);
    }
  }
}

}  // namespace rampart::freeze
