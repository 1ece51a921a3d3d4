#include "sdk/src/publisher.h"

#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace rampart::sdk {
namespace {

std::shared_ptr<const Published> At(int64_t version) {
  auto p = std::make_shared<Published>();
  p->version = version;
  return p;
}

TEST(Publisher, ReadersSeeTheLatest) {
  Publisher publisher;
  EXPECT_EQ(publisher.Current().source, Source::kNone);
  publisher.Publish(At(1));
  EXPECT_EQ(publisher.Current().version, 1);
  EXPECT_EQ(publisher.Current().version, 1);
  publisher.Publish(At(2));
  EXPECT_EQ(publisher.Current().version, 2);
}

TEST(Publisher, ANewPublisherAtAReusedAddressIsNotConfusedWithTheOld) {
  for (int i = 0; i < 50; ++i) {
    auto a = std::make_unique<Publisher>();
    a->Publish(At(1));
    EXPECT_EQ(a->Current().version, 1);
    a.reset();
    auto b = std::make_unique<Publisher>();  // often at a's address
    EXPECT_EQ(b->Current().version, 0);
  }
}

TEST(Publisher, ConcurrentReadersNeverSeeAVersionGoBackwards) {
  Publisher publisher;
  publisher.Publish(At(0));
  std::atomic<bool> done{false};
  std::vector<std::thread> readers;
  std::atomic<int> regressions{0};
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      int64_t last = 0;
      while (!done.load()) {
        const int64_t v = publisher.Current().version;
        if (v < last) regressions++;
        last = v;
      }
    });
  }
  for (int v = 1; v <= 2000; ++v) publisher.Publish(At(v));
  done = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(regressions.load(), 0);
  EXPECT_EQ(publisher.Current().version, 2000);
}

}  // namespace
}  // namespace rampart::sdk
