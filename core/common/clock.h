// The injected clock. Nothing in Rampart reads the wall clock except
// RealClock; everything that schedules, expires or freezes takes a Clock&.
// Tests use SimulatedClock (tests/testing/simulated_clock.h) and move it by
// hand. Implementations are thread-safe.
#ifndef RAMPART_CORE_COMMON_CLOCK_H_
#define RAMPART_CORE_COMMON_CLOCK_H_

#include "absl/time/time.h"

namespace rampart {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

// The wall clock. Process-wide singleton; never destroyed.
class RealClock final : public Clock {
 public:
  static RealClock& Get();
  absl::Time Now() const override;
};

}  // namespace rampart

#endif  // RAMPART_CORE_COMMON_CLOCK_H_
