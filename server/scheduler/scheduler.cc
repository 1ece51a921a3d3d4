#include "server/scheduler/scheduler.h"

#include <cstdio>

namespace rampart::scheduler {

Scheduler::Scheduler(registry::Registry& registry, Clock& clock, SchedulerOptions options)
    : registry_(registry), clock_(clock), options_(options) {}

Scheduler::~Scheduler() { Stop(); }

absl::StatusOr<int> Scheduler::RunOnce() {
  const absl::Time now = clock_.Now();
  // The freeze windows first: a step that waits while its audience is
  // frozen reads them.
  if (absl::StatusOr<bool> refreshed = registry_.RefreshFreezeScheduleIfDue(now); !refreshed.ok()) {
    return refreshed.status();
  }
  return registry_.RunDueSteps(now);
}

void Scheduler::Start() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = false;
  }
  thread_ = std::thread([this] { Loop(); });
}

void Scheduler::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void Scheduler::Loop() {
  while (true) {
    if (absl::StatusOr<int> steps = RunOnce(); !steps.ok()) {
      std::fprintf(stderr, "rampartd: scheduler: %s\n", steps.status().ToString().c_str());
    }
    absl::Duration sleep = options_.max_sleep;
    // A step still due after the round is held by a gate: check again after
    // max_sleep rather than spin.
    const absl::Time now = clock_.Now();
    if (auto next = registry_.NextDueTime(); next.ok() && next->has_value() && **next > now) {
      sleep = std::min(sleep, **next - now);
    }
    absl::MutexLock lock(&mu_);
    // The clock may be simulated: sleep in real time, at most max_sleep.
    mu_.AwaitWithTimeout(absl::Condition(&stop_), sleep);
    if (stop_) return;
  }
}

}  // namespace rampart::scheduler
