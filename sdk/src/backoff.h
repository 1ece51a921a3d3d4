// Reconnection delays: exponential backoff with full jitter. The n-th delay
// since the last Reset() is uniform in [0, min(max, initial * 2^n)], so a
// fleet of clients that lost one server does not come back in lockstep.
//
// Thread-safety: none (the background thread owns it).
#ifndef RAMPART_SDK_SRC_BACKOFF_H_
#define RAMPART_SDK_SRC_BACKOFF_H_

#include <cstdint>

#include "absl/random/random.h"
#include "absl/time/time.h"

namespace rampart::sdk {

class Backoff {
 public:
  // `seed` makes the jitter reproducible in tests.
  Backoff(absl::Duration initial, absl::Duration max, uint64_t seed);

  // The delay before the next attempt; grows the bound for the one after.
  absl::Duration Next();
  // After a successful message: the next delay starts from `initial` again.
  void Reset() { attempt_ = 0; }
  // The bound the next delay is drawn under.
  absl::Duration Ceiling() const;

 private:
  absl::Duration initial_;
  absl::Duration max_;
  int attempt_ = 0;
  absl::BitGen bitgen_;
};

}  // namespace rampart::sdk

#endif  // RAMPART_SDK_SRC_BACKOFF_H_
