// Times a benchmark's calls in batches so it can report the median time per
// call (of the batches) beside Google Benchmark's mean, and counts heap
// allocations per call. Each benchmark binary that uses it defines the global
// operator new that feeds AllocationCount().
#ifndef RAMPART_BENCH_BATCH_TIMER_H_
#define RAMPART_BENCH_BATCH_TIMER_H_

#include <algorithm>
#include <atomic>
#include <chrono>
#include <vector>

#include "benchmark/benchmark.h"

namespace rampart::bench {

// Calls of operator new so far (defined by the benchmark binary).
std::atomic<long>& AllocationCount();

class BatchTimer {
 public:
  static constexpr int kBatch = 64;

  BatchTimer() { batch_ns_.reserve(1 << 20); }

  // Runs `call(i)` kBatch times for each benchmark iteration, with a running
  // index i, and records the batch's time and allocations.
  template <typename Call>
  void Run(benchmark::State& state, size_t first_index, Call call) {
    size_t i = first_index;
    for (auto _ : state) {
      const long before = AllocationCount().load(std::memory_order_relaxed);
      const auto start = std::chrono::steady_clock::now();
      for (int b = 0; b < kBatch; ++b) call(i++);
      const auto end = std::chrono::steady_clock::now();
      allocations_ += AllocationCount().load(std::memory_order_relaxed) - before;
      if (batch_ns_.size() < batch_ns_.capacity()) {
        batch_ns_.push_back(std::chrono::duration<double, std::nano>(end - start).count() / kBatch);
      }
    }
    Report(state);
  }

 private:
  void Report(benchmark::State& state) {
    std::nth_element(batch_ns_.begin(), batch_ns_.begin() + batch_ns_.size() / 2, batch_ns_.end());
    const double median = batch_ns_.empty() ? 0 : batch_ns_[batch_ns_.size() / 2];
    const double calls = static_cast<double>(state.iterations()) * kBatch;
    // Per thread: averaged over threads, not summed.
    state.counters["median_ns"] = benchmark::Counter(median, benchmark::Counter::kAvgThreads);
    state.counters["allocs_per_call"] = benchmark::Counter(
        calls > 0 ? static_cast<double>(allocations_) / calls : 0, benchmark::Counter::kAvgThreads);
    state.SetItemsProcessed(state.iterations() * kBatch);
  }

  std::vector<double> batch_ns_;
  long allocations_ = 0;
};

}  // namespace rampart::bench

#define RAMPART_BENCH_COUNT_ALLOCATIONS()                                   \
  namespace rampart::bench {                                               \
  std::atomic<long>& AllocationCount() {                                   \
    static std::atomic<long> count{0};                                     \
    return count;                                                          \
  }                                                                        \
  }                                                                        \
  void* operator new(std::size_t size) {                                   \
    rampart::bench::AllocationCount().fetch_add(1, std::memory_order_relaxed); \
    if (void* p = std::malloc(size == 0 ? 1 : size)) return p;             \
    throw std::bad_alloc();                                                \
  }                                                                        \
  void operator delete(void* p) noexcept { std::free(p); }                 \
  void operator delete(void* p, std::size_t) noexcept { std::free(p); }

#endif  // RAMPART_BENCH_BATCH_TIMER_H_
