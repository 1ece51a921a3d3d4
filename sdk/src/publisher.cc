#include "sdk/src/publisher.h"

#include <utility>

namespace rampart::sdk {
namespace {

// Process-wide, so that (publisher address, generation) never repeats.
std::atomic<uint64_t> next_generation{1};

struct ThreadCache {
  const Publisher* owner = nullptr;
  uint64_t generation = 0;
  std::shared_ptr<const Published> published;
};

thread_local ThreadCache thread_cache;

}  // namespace

Publisher::Publisher() : generation_(next_generation.fetch_add(1)) {
  current_ = std::make_shared<const Published>();
}

void Publisher::Publish(std::shared_ptr<const Published> published) {
  absl::MutexLock lock(&mu_);
  current_ = std::move(published);
  generation_.store(next_generation.fetch_add(1), std::memory_order_release);
}

const Published& Publisher::Current() const noexcept {
  ThreadCache& cache = thread_cache;
  const uint64_t generation = generation_.load(std::memory_order_acquire);
  if (cache.owner != this || cache.generation != generation) {
    absl::MutexLock lock(&mu_);
    cache.owner = this;
    // Read under the lock: the pair (current_, generation_) is consistent.
    cache.generation = generation_.load(std::memory_order_relaxed);
    cache.published = current_;
  }
  return *cache.published;
}

std::shared_ptr<const Published> Publisher::Load() const {
  absl::MutexLock lock(&mu_);
  return current_;
}

}  // namespace rampart::sdk
