#include "sdk/src/backoff.h"

#include <algorithm>
#include <random>

namespace rampart::sdk {

Backoff::Backoff(absl::Duration initial, absl::Duration max, uint64_t seed)
    : initial_(std::max(initial, absl::Milliseconds(1))),
      max_(std::max(max, std::max(initial, absl::Milliseconds(1)))),
      bitgen_(std::seed_seq{seed}) {}

absl::Duration Backoff::Ceiling() const {
  absl::Duration ceiling = initial_;
  for (int i = 0; i < attempt_ && ceiling < max_; ++i) ceiling *= 2;
  return std::min(ceiling, max_);
}

absl::Duration Backoff::Next() {
  const absl::Duration ceiling = Ceiling();
  if (ceiling < max_) ++attempt_;
  const int64_t ceiling_us = absl::ToInt64Microseconds(ceiling);
  return absl::Microseconds(absl::Uniform<int64_t>(absl::IntervalClosedClosed, bitgen_, 0,
                                                   ceiling_us));
}

}  // namespace rampart::sdk
