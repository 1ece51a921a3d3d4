// FlagState: the SDK's copy of what the server streams (flags, segments,
// accounts at one version), changed by Watch messages, from which each
// immutable eval::Snapshot is built.
//
// Memory: flags are held once, shared with the snapshots built from them;
// accounts are held only in the last built snapshot's compact table (the
// engine's), plus the account changes applied since then. At 100 000
// accounts a parsed copy of every account would cost more than the snapshot
// itself (docs/benchmarks.md).
//
// Thread-safety: none; the client's background thread owns it (and the
// constructor, before that thread starts).
#ifndef RAMPART_SDK_SRC_STATE_H_
#define RAMPART_SDK_SRC_STATE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/eval/engine.h"
#include "rampart/v1/sdk.pb.h"

namespace rampart::sdk {

// What one applied message changed.
struct AppliedChange {
  int64_t version = 0;
  // Keys of flags added, changed or removed, in key order.
  std::vector<std::string> changed_flags;
  // False when the message did not touch accounts (a full snapshot always
  // counts as a change), so the new eval::Snapshot shares the previous one's.
  bool accounts_changed = true;
};

class FlagState {
 public:
  // Replaces everything with `snapshot`. Never fails: objects are kept as
  // sent (the engine copes with dangling references), the last of two
  // objects with one key wins.
  AppliedChange ApplySnapshot(const v1::SdkSnapshot& snapshot);

  // Applies `delta` on top of the current version. FAILED_PRECONDITION, and
  // nothing changes, when its from_version is not version(), when no
  // snapshot came before, or when the state was distrusted (then only a
  // snapshot is accepted); INVALID_ARGUMENT when
  // its version goes backwards. Removing an unknown key is a no-op.
  absl::StatusOr<AppliedChange> ApplyDelta(const v1::SdkDelta& delta);

  // Either of the above; INVALID_ARGUMENT for a message with neither.
  absl::StatusOr<AppliedChange> Apply(const v1::WatchResponse& response);

  // True once a snapshot has been applied (from the server or the cache).
  bool has_data() const { return has_data_; }
  int64_t version() const { return version_; }

  // The version to resume the stream from: version() while the state
  // follows the server's sequence, 0 once it was distrusted (the server then
  // sends a full snapshot). The flags stay in use meanwhile.
  int64_t resume_version() const { return trusted_ ? version_ : 0; }
  void Distrust() { trusted_ = false; }

  // An immutable, indexed snapshot of the current objects. Unchanged flags
  // are shared with the previous build; accounts are shared when no message
  // touched them since, else copied from it with the changes applied.
  std::shared_ptr<const eval::Snapshot> Build();

  // Everything, as the server would send it (what the cache file keeps).
  v1::SdkSnapshot ToProto() const;
  // The same, serialized, one account at a time (at 100 000 accounts,
  // cheaper than ToProto().SerializeAsString()).
  std::string SerializeSnapshot() const;

 private:
  // Calls fn with every current account, as a message.
  void ForEachAccount(const std::function<void(const v1::Account&)>& fn) const;

  std::map<std::string, std::shared_ptr<const v1::Flag>> flags_;
  std::map<std::string, v1::Segment> segments_;
  // The freeze windows of the coming weeks (replaced whole when they change).
  v1::FreezeSchedule freeze_schedule_;
  // The last built snapshot: where the accounts live.
  std::shared_ptr<const eval::Snapshot> built_;
  // Account changes since `built_`: with `pending_all_`, the whole set (a
  // full snapshot arrived); else puts (a value) and removals (nullopt).
  bool pending_all_ = false;
  std::map<std::string, std::optional<v1::Account>> pending_;
  int64_t version_ = 0;
  bool has_data_ = false;
  bool trusted_ = true;
};

}  // namespace rampart::sdk

#endif  // RAMPART_SDK_SRC_STATE_H_
