// The ramp scheduler: makes the steps of running ramps that fall due ("at" a
// time, or "after" a dwell), as the actor "scheduler" with the rule that fired
// as the audit reason.
//
// All its state is the ramps in RocksDB: a step is one transaction that moves
// the stored ramp, so after a restart RunOnce catches up exactly (a step that
// fell due while the server was down happens once, never twice, and two due
// steps happen in order, oldest first). Time comes from the injected clock;
// tests call RunOnce on a SimulatedClock and never start the thread.
//
// Thread-safety: Start/Stop from one thread; RunOnce may be called from any.
#ifndef RAMPART_SERVER_SCHEDULER_SCHEDULER_H_
#define RAMPART_SERVER_SCHEDULER_SCHEDULER_H_

#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "core/common/clock.h"
#include "server/registry/registry.h"

namespace rampart::scheduler {

struct SchedulerOptions {
  // The longest the thread sleeps between checks: a step happens at most this
  // long after it falls due (and gates that open are seen within it).
  absl::Duration max_sleep = absl::Seconds(1);
};

class Scheduler {
 public:
  Scheduler(registry::Registry& registry, Clock& clock, SchedulerOptions options = {});
  ~Scheduler();  // Stops the thread.

  // Recomputes the freeze windows when a day has passed since they were
  // (Registry::RefreshFreezeScheduleIfDue), then makes every step due at the
  // clock's now. Returns how many steps happened.
  absl::StatusOr<int> RunOnce();

  // Runs RunOnce in a thread until Stop: after each round it sleeps until the
  // next step falls due, at most max_sleep. Errors are logged to stderr and
  // retried on the next round.
  void Start();
  void Stop();

 private:
  void Loop();

  registry::Registry& registry_;
  Clock& clock_;
  const SchedulerOptions options_;
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace rampart::scheduler

#endif  // RAMPART_SERVER_SCHEDULER_SCHEDULER_H_
