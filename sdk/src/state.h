// FlagState: the SDK's copy of what the server streams (flags, segments,
// accounts at one version), changed by Watch messages, from which each
// immutable eval::Snapshot is built.
//
// Thread-safety: none; the client's background thread owns it (and the
// constructor, before that thread starts).
#ifndef RAMPART_SDK_SRC_STATE_H_
#define RAMPART_SDK_SRC_STATE_H_

#include <cstdint>
#include <map>
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
  // False when the accounts are exactly those of the previous version, so
  // the new eval::Snapshot may share them.
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

  // An immutable, indexed snapshot of the current objects. `previous` (may
  // be null) must be the one built from this state before the last change;
  // its accounts are shared (not copied) when `accounts_changed` is false.
  std::shared_ptr<const eval::Snapshot> Build(const eval::Snapshot* previous,
                                              bool accounts_changed) const;

  // Everything, as the server would send it (what the cache file keeps).
  v1::SdkSnapshot ToProto() const;
  // The same, serialized, without parsing the accounts (cheaper than
  // ToProto().SerializeAsString() at 100 000 accounts).
  std::string SerializeSnapshot() const;

 private:
  std::map<std::string, v1::Flag> flags_;
  std::map<std::string, v1::Segment> segments_;
  // Accounts stay serialized (deterministically, so equal accounts have equal
  // bytes): the engine's snapshot keeps them in compact form, and a second
  // parsed copy here would cost more memory than both (docs/benchmarks.md).
  std::map<std::string, std::string> accounts_;
  int64_t version_ = 0;
  bool has_data_ = false;
  bool trusted_ = true;
};

}  // namespace rampart::sdk

#endif  // RAMPART_SDK_SRC_STATE_H_
