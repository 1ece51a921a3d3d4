// The scheduler's thread over a registry on a simulated clock: it makes a
// step once the clock passes its due instant, and stops cleanly. (The
// catch-up and ordering rules are pinned in server/registry/ramp_test.cc.)
#include "server/scheduler/scheduler.h"

#include "gtest/gtest.h"
#include "server/registry/testing/in_memory_registry.h"
#include "tests/testing/simulated_clock.h"
#include "tests/testing/status_matchers.h"

namespace rampart::scheduler {
namespace {

v1::WriteMeta Meta() {
  v1::WriteMeta m;
  m.set_actor("alice");
  m.set_reason("testing");
  return m;
}

TEST(SchedulerTest, ThreadStepsARampOnceTheSimulatedClockPassesItsDwell) {
  rampart::testing::SimulatedClock clock(absl::FromUnixSeconds(1'800'000'000));
  ASSERT_OK_AND_ASSIGN(auto db, rampart::testing::InMemoryRegistry::Open(clock));
  registry::Registry& registry = *db->registry();
  for (const char* key : {"a", "b", "c"}) {
    v1::PutAccountRequest req;
    *req.mutable_meta() = Meta();
    req.mutable_account()->set_key(key);
    ASSERT_OK(registry.PutAccount(req));
  }
  v1::PutFlagRequest flag;
  *flag.mutable_meta() = Meta();
  flag.mutable_flag()->set_key("f");
  flag.mutable_flag()->set_type(v1::FLAG_TYPE_BOOL);
  flag.mutable_flag()->add_variants()->set_name("on");
  flag.mutable_flag()->mutable_variants(0)->mutable_value()->set_bool_value(true);
  flag.mutable_flag()->add_variants()->set_name("off");
  flag.mutable_flag()->mutable_variants(1)->mutable_value()->set_bool_value(false);
  flag.mutable_flag()->set_default_variant("off");
  flag.mutable_flag()->set_off_variant("off");
  flag.mutable_flag()->set_enabled(true);
  ASSERT_OK(registry.PutFlag(flag));
  v1::CreateRampRequest create;
  *create.mutable_meta() = Meta();
  create.set_flag_key("f");
  create.mutable_plan()->add_stages()->set_count(1);
  create.mutable_plan()->mutable_stages(0)->mutable_advance()->mutable_after()->set_seconds(3600);
  create.mutable_plan()->add_stages()->set_count(2);
  ASSERT_OK(registry.CreateRamp(create));
  v1::RampActionRequest start;
  *start.mutable_meta() = Meta();
  start.set_flag_key("f");
  ASSERT_OK(registry.StartRamp(start));

  Scheduler scheduler(registry, clock, SchedulerOptions{absl::Milliseconds(5)});
  scheduler.Start();
  clock.AdvanceTime(absl::Minutes(59));
  // Not due: however long the thread runs, stage 1 stays.
  absl::SleepFor(absl::Milliseconds(50));
  EXPECT_EQ(registry.GetRamp("f")->current_stage(), 1);
  clock.AdvanceTime(absl::Minutes(1));
  // Due now: wait (in real time, generously) for the thread to see it.
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (registry.GetRamp("f")->current_stage() != 2 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  scheduler.Stop();
  ASSERT_OK_AND_ASSIGN(v1::Ramp ramp, registry.GetRamp("f"));
  EXPECT_EQ(ramp.current_stage(), 2);
  EXPECT_EQ(ramp.entered(1).actor(), "scheduler");
  EXPECT_EQ(ramp.status(), v1::RAMP_STATUS_COMPLETED);
  EXPECT_THAT(scheduler.RunOnce(), rampart::testing::IsOkAndHolds(0));
}

}  // namespace
}  // namespace rampart::scheduler
