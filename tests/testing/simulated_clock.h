// A Clock that tests move by hand, so a month of schedules runs in
// milliseconds and every instant is exact. Thread-safe.
#ifndef RAMPART_TESTS_TESTING_SIMULATED_CLOCK_H_
#define RAMPART_TESTS_TESTING_SIMULATED_CLOCK_H_

#include "absl/synchronization/mutex.h"
#include "core/common/clock.h"

namespace rampart::testing {

class SimulatedClock final : public Clock {
 public:
  explicit SimulatedClock(absl::Time start) : now_(start) {}
  absl::Time Now() const override {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void AdvanceTime(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }
  void SetTime(absl::Time t) {
    absl::MutexLock lock(&mu_);
    now_ = t;
  }

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace rampart::testing

#endif  // RAMPART_TESTS_TESTING_SIMULATED_CLOCK_H_
