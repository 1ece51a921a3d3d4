// Freeze rules in the API's terms (proto/rampart/v1/model.proto, "Freeze
// calendars") and in core/freeze/rule.h's: the server stores calendars as
// protos and expands them with the C++ model; the presets are made in the
// model and stored as protos.
//
// Errors are INVALID_ARGUMENT naming the field by its path in the request,
// e.g. `calendar.rules[2].monthly_day.day: 32 is outside 1..31`,
// `calendar.rules[0].time_zone: unknown time zone "Europe/Moskva" (...)`,
// `calendar.rules[1].weekly.weekday: unknown weekday "sat" (monday..sunday)`.
// Validate's reasons (docs/freezes.md) are kept word for word.
//
// Thread-safety: pure functions.
#ifndef RAMPART_CORE_FREEZE_RULE_PROTO_H_
#define RAMPART_CORE_FREEZE_RULE_PROTO_H_

#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "core/freeze/rule.h"
#include "rampart/v1/model.pb.h"

namespace rampart::freeze {

// The rule, validated (Validate); an empty time_zone is `default_zone`.
// `prefix` is the rule's path in the request ("calendar.rules[2]").
absl::StatusOr<FreezeRule> RuleFromProto(const v1::FreezeRule& rule, absl::string_view default_zone,
                                         absl::string_view prefix);

// A whole calendar's rules, validated: key, time_zone (an IANA name),
// working_calendar (empty or "ru"), every rule, names unique, segments keys
// listed once. Paths start with "calendar.".
absl::StatusOr<std::vector<FreezeRule>> CalendarRulesFromProto(const v1::FreezeCalendar& calendar);

// The rule in the API's terms; time_zone left empty when it is
// `calendar_zone`. Times "HH:MM", dates "YYYY-MM-DD", local date-times
// "YYYY-MM-DDTHH:MM" (":SS" when the seconds are not zero).
v1::FreezeRule RuleToProto(const FreezeRule& rule, absl::string_view calendar_zone);

}  // namespace rampart::freeze

#endif  // RAMPART_CORE_FREEZE_RULE_PROTO_H_
