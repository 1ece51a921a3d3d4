// Shared by the registry's freeze files (freezes.cc, reach.cc) and
// calendars.cc. Internal to server/registry.
#ifndef RAMPART_SERVER_REGISTRY_FREEZE_INTERNAL_H_
#define RAMPART_SERVER_REGISTRY_FREEZE_INTERNAL_H_

#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/calendar/production_calendar.h"
#include "rampart/v1/model.pb.h"
#include "server/registry/ramp_internal.h"
#include "server/storage/store.h"

namespace rampart::registry {

// The Russian federal working-day calendar with the imported years applied;
// `imported` (may be null) gets their years.
absl::StatusOr<calendar::ProductionCalendar> LoadWorkingCalendar(const storage::Store& store,
                                                                 std::set<int>* imported);

// The FreezeSchedule of `calendars` over [from, to) (freeze::BuildSchedule):
// for each attached segment, lists for each of `zones` (the accounts' own),
// the segment's zone and "". DATA_LOSS when a stored calendar does not load.
absl::StatusOr<v1::FreezeSchedule> ScheduleOf(const calendar::ProductionCalendar& working_days,
                                               const std::vector<v1::FreezeCalendar>& calendars,
                                               const std::vector<v1::Segment>& segments,
                                               std::vector<std::string> zones, absl::Time from,
                                               absl::Time to);

// An account frozen at an instant, and the window that holds it.
struct HeldBy {
  const v1::SegmentFreezeWindows* list = nullptr;
  const v1::FreezeWindow* window = nullptr;
  absl::Time end;
};

// The accounts of `world` (only those in `only`, when given) that `schedule`
// freezes at `now`, as the engine decides it (core/eval/freeze_view.h).
// Pointers into `schedule`.
absl::flat_hash_map<std::string, HeldBy> FrozenAccounts(
    const v1::FreezeSchedule& schedule, const RegistryWorld& world, absl::Time now,
    const std::vector<std::string>* only = nullptr);

}  // namespace rampart::registry

#endif  // RAMPART_SERVER_REGISTRY_FREEZE_INTERNAL_H_
