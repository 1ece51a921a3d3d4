// A bool evaluation allocates nothing (client.h's promise): the global
// operator new is replaced in this binary to count allocations, while a
// flag says so, on the thread that set it.
#include <atomic>
#include <cstdlib>
#include <new>

#include "gtest/gtest.h"
#include "rampart/client.h"
#include "sdk/tests/fake_sdk_service.h"
#include "sdk/tests/test_data.h"

namespace {
thread_local bool counting = false;
thread_local long allocations = 0;
}  // namespace

void* operator new(std::size_t size) {
  if (counting) ++allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  if (counting) ++allocations;
  return std::malloc(size == 0 ? 1 : size);
}
void* operator new[](std::size_t size, const std::nothrow_t& t) noexcept {
  return operator new(size, t);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace rampart {
namespace {

using namespace ::rampart::sdk::testing;  // NOLINT

// Counts the allocations `fn` makes on this thread.
template <typename Fn>
long AllocationsOf(Fn fn) {
  allocations = 0;
  counting = true;
  fn();
  counting = false;
  return allocations;
}

TEST(Allocation, TheCounterWorks) {
  // Explicit calls: a new-expression may be elided by the compiler.
  EXPECT_EQ(AllocationsOf([] { ::operator delete(::operator new(16)); }), 1);
}

TEST(Allocation, GetBooleanOnABoolFlagWithASegmentRuleAllocatesNothing) {
  FakeSdkService service;
  FakeServer server(&service);
  // Rules over a segment (account attribute condition), a context attribute
  // condition, and an override for another account.
  v1::Flag flag = BoolFlagForSegment("new-invoice-editor", "accounting");
  v1::Rule* by_plan = flag.add_rules();
  by_plan->set_id("enterprise");
  v1::Condition* c = by_plan->add_conditions();
  c->set_attribute("plan");
  c->set_op(v1::OPERATOR_IN);
  c->add_values("enterprise");
  c->add_values("premium");
  by_plan->set_variant("on");
  v1::Override* o = flag.add_overrides();
  o->set_account_key("kino-mir");
  o->set_variant("on");
  v1::SdkSnapshot snapshot = DemoSnapshot(1);
  *snapshot.mutable_flags(0) = flag;
  service.SetOnWatch([snapshot](const v1::WatchRequest&) {
    return std::vector<v1::WatchResponse>{SnapshotMessage(snapshot)};
  });

  ClientOptions options;
  options.server_address = server.address();
  Client client(options);
  ASSERT_TRUE(client.WaitForReady(std::chrono::seconds(20)));

  Context acme("acme-accounting");  // in the segment
  Context other("globex");          // not in the registry
  other.Set("plan", "free").SetUser("u-7");
  Context kino("kino-mir");  // overridden
  // The first call on this thread refreshes its snapshot cache (and
  // registers the thread_local): not counted.
  ASSERT_TRUE(client.GetBoolean("new-invoice-editor", acme, false));

  bool results[4] = {};
  const long n = AllocationsOf([&] {
    for (int i = 0; i < 1000; ++i) {
      results[0] = client.GetBoolean("new-invoice-editor", acme, false);
      results[1] = client.GetBoolean("new-invoice-editor", other, true);
      results[2] = client.GetBoolean("new-invoice-editor", kino, false);
      results[3] = client.GetBoolean("no-such-flag", acme, true);
    }
  });
  EXPECT_EQ(n, 0);
  EXPECT_TRUE(results[0]);
  EXPECT_FALSE(results[1]);
  EXPECT_TRUE(results[2]);
  EXPECT_TRUE(results[3]);  // the default
}

}  // namespace
}  // namespace rampart
