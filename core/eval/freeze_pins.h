// Keeping Flag.freeze_pins as a flag changes (issue 5; the server calls
// these on every write of a flag, the engine reads the pins through
// core/eval/freeze_view.h). Pure functions of their arguments.
//
// A pin is the flag as it was when a window opened. A change at `now` pins,
// for every window of the schedule open at `now` that has no pin yet, the
// flag as it was just before the change (an absent pin when the flag did not
// exist or was archived): it has not changed since the window opened, or it
// would have a pin already. A pin belongs to a window by its start, or by
// one of the window's pin_starts when a recomputation moved the start of the
// open window (core/freeze/schedule.h, CarryPinStarts); a write moves such
// a pin to the window as it is now (its end), keeping the flag it holds and
// the start it was taken at. Pins of windows that have closed are then
// dropped.
//
// A change that breaks the freeze (the kill switch, a rollback, with a
// reason) reaches the frozen accounts at once, and only it: the top-level
// fields it changes are copied into the pins of the open windows, leaving
// the pinned state of the other fields (changes made earlier in the window
// still wait for its end). A flag created with a break gets no absent pin.
#ifndef RAMPART_CORE_EVAL_FREEZE_PINS_H_
#define RAMPART_CORE_EVAL_FREEZE_PINS_H_

#include "absl/time/time.h"
#include "rampart/v1/model.pb.h"

namespace rampart::eval {

// Sets after.freeze_pins for `after` replacing `before` (null: created) at
// `now`, from before's pins and the windows of `schedule`.
void UpdatePins(const v1::Flag* before, v1::Flag& after, const v1::FreezeSchedule& schedule,
                absl::Time now, bool break_freeze);

// Drops the pins whose window ended at or before `now`. True when any was.
bool DropClosedPins(v1::Flag& flag, absl::Time now);

}  // namespace rampart::eval

#endif  // RAMPART_CORE_EVAL_FREEZE_PINS_H_
