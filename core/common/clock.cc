#include "core/common/clock.h"

#include "absl/time/clock.h"

namespace rampart {

RealClock& RealClock::Get() {
  static RealClock* clock = new RealClock();
  return *clock;
}

absl::Time RealClock::Now() const { return absl::Now(); }

}  // namespace rampart
