// Freeze presets shipped with Rampart (issue 5), documented in
// docs/freezes.md with what they generate. A preset is a function returning
// ordinary rules (core/freeze/rule.h) for a zone: once added to a calendar
// they are rules like any other, and a later version of a preset does not
// change calendars made with an earlier one.
//
// Thread-safety: pure functions.
#ifndef RAMPART_CORE_FREEZE_PRESETS_H_
#define RAMPART_CORE_FREEZE_PRESETS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "core/freeze/rule.h"

namespace rampart::freeze {

inline constexpr absl::string_view kRuAccounting = "ru-accounting";
inline constexpr absl::string_view kRuTender = "ru-tender";
inline constexpr absl::string_view kWeekendEvening = "weekend-evening";

// The Russian accounting deadlines (Tax Code art. 6.1 p. 7: a deadline on a
// day off moves to the next working day; docs/freezes.md has the sources),
// each frozen from 15:00 on the previous working day to the end of the
// deadline's day, in `zone`. Five rules, named "<prefix>.<what>":
//   .25        the 25th of every month, rolled to the next working day
//   .28        the 28th of every month, rolled
//   .3, .5     the 3rd and the 5th, rolled, except in January
//   .year-end  the last working day of the year
// Evaluate them against the federal production calendar: regional holidays do
// not move federal deadlines.
std::vector<FreezeRule> RuAccounting(absl::string_view zone,
                                     absl::string_view prefix = kRuAccounting);

// A tender's bid deadline: frozen from 24 hours before `closes` to 6 hours
// after, for `accounts` (empty: the whole segment). `closes` is an instant:
// parse it with its offset ("2026-12-15T09:00:00+07:00"); `zone` names its
// local day.
FreezeRule RuTender(absl::string_view name, absl::string_view zone, absl::Time closes,
                    std::vector<std::string> accounts = {});

// Saturday 18:00 to 24:00 in `zone`.
FreezeRule WeekendEvening(absl::string_view zone, absl::string_view name = kWeekendEvening);

// The presets by name, for the CLI and the API.
struct PresetArgs {
  std::string zone;
  // The rule name, or the prefix of ru-accounting's names; empty: the
  // preset's name.
  std::string name;
  std::optional<absl::Time> at;       // ru-tender: when bids close (required)
  std::vector<std::string> accounts;  // ru-tender only
};

// The names above, in that order.
std::vector<std::string> PresetNames();

// The rules of `preset`, validated. INVALID_ARGUMENT naming the field:
//   preset: unknown preset "ru-acounting" (ru-accounting, ru-tender, weekend-evening)
//   at: required by ru-tender (when bids close)
//   at: only ru-tender takes an instant
//   accounts: only ru-tender names accounts
// and Validate's errors (`zone: unknown time zone ...`).
absl::StatusOr<std::vector<FreezeRule>> FromPreset(absl::string_view preset,
                                                   const PresetArgs& args);

}  // namespace rampart::freeze

#endif  // RAMPART_CORE_FREEZE_PRESETS_H_
