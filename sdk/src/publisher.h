// How the background thread hands immutable snapshots to evaluating threads
// without a lock on the evaluation path.
//
// The writer swaps a shared_ptr<const Published> under a mutex and bumps a
// generation number. A reader compares the generation (one atomic load)
// with the one in its thread_local cache and only on a difference takes the
// mutex to copy the new shared_ptr: once per update per thread. In the
// steady state an evaluation is an atomic load and a pointer compare.
//
// Generations come from one process-wide counter, so a thread's cache can
// never mistake a new Publisher that happens to reuse a destroyed one's
// address for the old one. A thread's cache keeps the last Published it saw
// alive until that thread reads from another publisher or exits (memory
// only: nothing in it points back into the client).
#ifndef RAMPART_SDK_SRC_PUBLISHER_H_
#define RAMPART_SDK_SRC_PUBLISHER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "core/eval/engine.h"

namespace rampart::sdk {

// Where the flags in use came from, which decides the reason reported.
enum class Source {
  kNone,    // no flags: every evaluation serves the caller's default
  kCache,   // loaded from the cache file; the server not reached yet (CACHED)
  kLive,    // from the server, stream up
  kStale,   // from the server or cache, stream down after it was up (STALE)
};

// One published state. Immutable once published.
struct Published {
  std::shared_ptr<const eval::Snapshot> snapshot;  // null when source == kNone
  int64_t version = 0;
  Source source = Source::kNone;
  // With kNone: why there are no flags (for PROVIDER_NOT_READY messages).
  std::string not_ready;
};

class Publisher {
 public:
  Publisher();
  Publisher(const Publisher&) = delete;
  Publisher& operator=(const Publisher&) = delete;

  // Makes `published` what readers see from now on.
  void Publish(std::shared_ptr<const Published> published);

  // The current state. Lock-free and allocation-free unless this thread has
  // not seen the latest generation yet (then one mutex acquisition). The
  // reference stays valid until this thread calls Current() again on any
  // Publisher.
  const Published& Current() const noexcept;

  // The current state, as a shared_ptr (takes the mutex; for the background
  // thread and non-hot paths).
  std::shared_ptr<const Published> Load() const;

 private:
  mutable absl::Mutex mu_;
  std::shared_ptr<const Published> current_ ABSL_GUARDED_BY(mu_);
  std::atomic<uint64_t> generation_;
};

}  // namespace rampart::sdk

#endif  // RAMPART_SDK_SRC_PUBLISHER_H_
