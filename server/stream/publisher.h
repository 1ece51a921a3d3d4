// The SDK's view of the release model, versioned by store revision, and the
// messages that bring an SDK from any version to the current one
// (SdkService.Watch in proto/rampart/v1/sdk.proto).
//
// The registry tells the Publisher about every commit (it is the registry's
// ChangeListener). The Publisher applies the change to its in-memory view
// (flags without the archived ones that have no freeze pins, segments,
// accounts, the freeze schedule), encodes ONE
// WatchResponse{delta} for it, serialized once into a grpc::ByteBuffer whose
// slice every subscriber shares, keeps it in a bounded history, and wakes the
// subscribers that were up to date. The full WatchResponse{snapshot} is built
// lazily, once per version, when a subscriber needs one, and cached until the
// next commit.
//
// What a subscriber at version v gets from Next():
//   v == current                       nothing (it is registered to be woken)
//   the history has the delta from v   that delta (one at a time, in order)
//   anything else                      the snapshot (v older than the history,
//                                      v newer than current: e.g. the server's
//                                      data was reset)
// A subscriber that has nothing yet (WatchRequest.from_version 0) starts with
// Snapshot() instead: here 0 is a real version, that of an empty store, whose
// snapshot an SDK may hold.
//
// History: the last `max_history_deltas` deltas, and no more than
// `max_history_bytes` of them in total (the newest delta is always kept,
// whatever its size). A subscriber further behind gets a snapshot, which is
// never larger than the state itself, whereas the deltas it missed could be.
//
// Thread-safety: all methods may be called concurrently. Lock order:
// (a subscriber's own lock) -> snapshot_mu_ -> mu_. The Publisher never calls
// a Subscriber while holding a lock of its own, and never waits for a
// subscriber: OnCommit (which runs under the registry's writer lock) takes mu_
// only for O(size of the change + number of waiting subscribers) work, then
// calls Wake() on the subscribers that were waiting. The snapshot is encoded
// outside mu_ (from shared, immutable object bytes), so a snapshot being built
// never holds up a commit.
#ifndef RAMPART_SERVER_STREAM_PUBLISHER_H_
#define RAMPART_SERVER_STREAM_PUBLISHER_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/support/byte_buffer.h"
#include "server/registry/registry.h"
#include "server/storage/store.h"

namespace rampart::stream {

struct PublisherOptions {
  // At most this many recent deltas are kept for resuming subscribers...
  size_t max_history_deltas = 4096;
  // ...and at most this many bytes of them (the newest is always kept).
  size_t max_history_bytes = size_t{64} << 20;
};

// One serialized WatchResponse. Copies of `bytes` share the same slice.
struct Update {
  grpc::ByteBuffer bytes;
  // The version the subscriber is at once it has this message.
  int64_t version = 0;
  bool is_snapshot = false;
};

// A stream that follows the publisher (a Watch reactor).
class Subscriber {
 public:
  // Called, without any Publisher lock held, when the subscriber may have
  // something to do: a new version after Next() said "up to date", or the
  // publisher was shut down (Next() then returns UNAVAILABLE, whatever the
  // subscriber's state). Must be quick and must not block on the network;
  // it may call Next().
  virtual void Wake() = 0;

 protected:
  ~Subscriber() = default;
};

class Publisher final : public registry::ChangeListener {
 public:
  // Loads the SDK's view from `store` as of `revision` (the registry's
  // current revision). No write may happen between reading `revision` and
  // SetChangeListener(publisher): create it before serving. DATA_LOSS when a
  // stored flag does not parse; errors of Store::Scan as they are.
  static absl::StatusOr<std::unique_ptr<Publisher>> Create(const storage::Store& store,
                                                           int64_t revision,
                                                           const PublisherOptions& options = {});
  ~Publisher() override;

  // registry::ChangeListener: applies the commit to the view, encodes its
  // delta once, adds it to the history and wakes the waiting subscribers.
  // `revision` must be greater than version().
  void OnCommit(int64_t revision, const std::vector<registry::ObjectChange>& changes) override;

  // The current version (the last revision applied).
  int64_t version() const;

  // Registers `subscriber` (not waiting yet); Unsubscribe() before it dies.
  void Subscribe(Subscriber* subscriber);
  // Forgets `subscriber`; waits for a Wake() of it in progress to return, so
  // after this the publisher never touches it again. Idempotent.
  void Unsubscribe(Subscriber* subscriber);

  // The next message for a subscriber at `version` (see the table above), or
  // nullopt when it is up to date: then, if it is subscribed, it will be
  // woken at the next commit (no lost wake-up: the check and the
  // registration are atomic). UNAVAILABLE after Shutdown().
  absl::StatusOr<std::optional<Update>> Next(Subscriber* subscriber, int64_t version);

  // The snapshot of the current version (built once per version, cached).
  // For a subscriber that has nothing (WatchRequest.from_version 0): unlike
  // Next(), it answers even when the current version is 0 (an empty store),
  // so that an SDK's first message always comes. UNAVAILABLE after
  // Shutdown().
  absl::StatusOr<Update> Snapshot() ABSL_LOCKS_EXCLUDED(mu_, snapshot_mu_);

  // Ends the stream: every subscriber is woken and from now on Next()
  // returns UNAVAILABLE "server shutting down". Idempotent.
  void Shutdown();
  bool is_shut_down() const;

  // For tests: how many snapshots and deltas were serialized so far.
  int64_t snapshots_serialized() const;
  int64_t deltas_serialized() const;

 private:
  using Bytes = std::shared_ptr<const std::string>;
  // key -> the serialized object; ordered so that snapshots are deterministic.
  using ObjectMap = absl::btree_map<std::string, Bytes>;

  struct Delta {
    int64_t from_version;
    int64_t version;
    grpc::ByteBuffer bytes;
    size_t size;
  };
  struct SubscriberState {
    // Up to date, to be woken at the next commit.
    bool waiting = false;
    // Wake() calls in progress (Unsubscribe waits for 0).
    int wakes_in_progress = 0;
  };

  Publisher(int64_t revision, const PublisherOptions& options);
  ObjectMap* MapOf(v1::ObjectKind kind) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  Update BuildSnapshot() ABSL_LOCKS_EXCLUDED(mu_, snapshot_mu_);
  // Calls Wake() on `subscribers` (pinned by the caller) and unpins them.
  void WakeAll(const std::vector<Subscriber*>& subscribers) ABSL_LOCKS_EXCLUDED(mu_);

  const PublisherOptions options_;

  // Serializes snapshot builds so that each version is serialized once.
  absl::Mutex snapshot_mu_ ABSL_ACQUIRED_BEFORE(mu_);

  mutable absl::Mutex mu_;
  int64_t version_ ABSL_GUARDED_BY(mu_);
  ObjectMap flags_ ABSL_GUARDED_BY(mu_);
  ObjectMap segments_ ABSL_GUARDED_BY(mu_);
  ObjectMap accounts_ ABSL_GUARDED_BY(mu_);
  // The serialized FreezeSchedule (null: none yet), in snapshots whole and in
  // the delta of the commit that changed it.
  Bytes schedule_ ABSL_GUARDED_BY(mu_);
  // Contiguous: history_[i].from_version == history_[i-1].version.
  std::deque<Delta> history_ ABSL_GUARDED_BY(mu_);
  size_t history_bytes_ ABSL_GUARDED_BY(mu_) = 0;
  // The snapshot of `version_`, once a subscriber asked for it.
  std::optional<Update> snapshot_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<Subscriber*, SubscriberState> subscribers_ ABSL_GUARDED_BY(mu_);
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  int64_t snapshots_serialized_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t deltas_serialized_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace rampart::stream

#endif  // RAMPART_SERVER_STREAM_PUBLISHER_H_
