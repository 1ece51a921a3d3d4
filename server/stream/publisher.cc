#include "server/stream/publisher.h"

#include <algorithm>
#include <cassert>
#include <utility>

#include "absl/strings/str_cat.h"
#include "grpcpp/support/slice.h"
#include "rampart/v1/model.pb.h"
#include "rampart/v1/sdk.pb.h"

namespace rampart::stream {
namespace {

// --- Protobuf wire format, for messages assembled from stored bytes --------
//
// The view keeps every object as the bytes the registry stored, so a message
// that embeds them (a snapshot of 100k accounts, a delta of an import) is
// assembled by copying bytes, never by parsing and re-serializing objects.
// A length-delimited field is: tag (field << 3 | 2), length, bytes.

constexpr uint32_t kLengthDelimited = 2;

size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

void AppendVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

uint64_t Tag(int field) { return (static_cast<uint64_t>(field) << 3) | kLengthDelimited; }

size_t FieldSize(int field, size_t length) {
  return VarintSize(Tag(field)) + VarintSize(length) + length;
}

// One embedded object: `field` of the inner message, with `bytes`.
struct Part {
  int field;
  absl::string_view bytes;
};

// Serializes WatchResponse{<outer_field>: head + parts} into a ByteBuffer of
// one slice that owns the bytes; copies of the buffer share the slice. Repeated
// message fields may come in any order on the wire, and `head` holds only the
// scalar and string fields, so head followed by the parts is the same message
// as one with every field set. Returns the byte size in *size.
grpc::ByteBuffer EncodeResponse(int outer_field, const google::protobuf::MessageLite& head,
                                const std::vector<Part>& parts, size_t* size) {
  const std::string head_bytes = head.SerializeAsString();
  size_t inner = head_bytes.size();
  for (const Part& p : parts) inner += FieldSize(p.field, p.bytes.size());

  auto* out = new std::string();
  out->reserve(FieldSize(outer_field, inner));
  AppendVarint(out, Tag(outer_field));
  AppendVarint(out, inner);
  out->append(head_bytes);
  for (const Part& p : parts) {
    AppendVarint(out, Tag(p.field));
    AppendVarint(out, p.bytes.size());
    out->append(p.bytes.data(), p.bytes.size());
  }
  *size = out->size();
  grpc::Slice slice(
      out->data(), out->size(), [](void* s) { delete static_cast<std::string*>(s); }, out);
  return grpc::ByteBuffer(&slice, 1);
}

// The fields of SdkDelta that carry one kind of object.
struct DeltaFields {
  int put;
  google::protobuf::RepeatedPtrField<std::string>* (v1::SdkDelta::*removed)();
};

DeltaFields DeltaFieldsOf(v1::ObjectKind kind) {
  switch (kind) {
    case v1::OBJECT_KIND_FLAG:
      return {v1::SdkDelta::kPutFlagsFieldNumber, &v1::SdkDelta::mutable_removed_flags};
    case v1::OBJECT_KIND_SEGMENT:
      return {v1::SdkDelta::kPutSegmentsFieldNumber, &v1::SdkDelta::mutable_removed_segments};
    default:
      return {v1::SdkDelta::kPutAccountsFieldNumber, &v1::SdkDelta::mutable_removed_accounts};
  }
}

// An archived flag is not part of the SDK's view, unless it has freeze pins:
// the accounts of a frozen segment still evaluate it as it was when their
// window opened (issue 5). False too for bytes that do not parse (the
// registry has just serialized them: cannot happen).
bool IsVisible(const v1::Flag& flag) { return !flag.archived() || flag.freeze_pins_size() > 0; }
bool FlagIsVisible(absl::string_view bytes) {
  v1::Flag flag;
  return flag.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) && IsVisible(flag);
}

}  // namespace

absl::StatusOr<std::unique_ptr<Publisher>> Publisher::Create(const storage::Store& store,
                                                             int64_t revision,
                                                             const PublisherOptions& options) {
  std::unique_ptr<Publisher> publisher(new Publisher(revision, options));
  absl::MutexLock lock(&publisher->mu_);
  struct Load {
    storage::Cf cf;
    ObjectMap* map;
  };
  const Load loads[] = {{storage::Cf::kFlags, &publisher->flags_},
                        {storage::Cf::kSegments, &publisher->segments_},
                        {storage::Cf::kAccounts, &publisher->accounts_}};
  absl::Status bad_flag;
  for (const Load& load : loads) {
    absl::Status s =
        store.Scan(load.cf, "", "", false, [&](absl::string_view key, absl::string_view value) {
          if (load.cf == storage::Cf::kFlags) {
            v1::Flag flag;
            if (!flag.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
              bad_flag = absl::DataLossError(
                  absl::StrCat("flag \"", key, "\": stored record does not parse"));
              return false;
            }
            if (!IsVisible(flag)) return true;
          }
          load.map->emplace(std::string(key), std::make_shared<const std::string>(value));
          return true;
        });
    if (!bad_flag.ok()) return bad_flag;
    if (!s.ok()) return s;
  }
  absl::StatusOr<std::optional<std::string>> schedule =
      store.Get(storage::Cf::kMeta, storage::kMetaFreezeSchedule);
  if (!schedule.ok()) return schedule.status();
  if (schedule->has_value()) {
    publisher->schedule_ = std::make_shared<const std::string>(std::move(**schedule));
  }
  return publisher;
}

Publisher::Publisher(int64_t revision, const PublisherOptions& options)
    : options_(options), version_(revision) {}

Publisher::~Publisher() = default;

Publisher::ObjectMap* Publisher::MapOf(v1::ObjectKind kind) {
  switch (kind) {
    case v1::OBJECT_KIND_FLAG:
      return &flags_;
    case v1::OBJECT_KIND_SEGMENT:
      return &segments_;
    case v1::OBJECT_KIND_ACCOUNT:
      return &accounts_;
    default:
      return nullptr;
  }
}

void Publisher::OnCommit(int64_t revision, const std::vector<registry::ObjectChange>& changes) {
  std::vector<Subscriber*> to_wake;
  {
    absl::MutexLock lock(&mu_);
    assert(revision > version_);

    // What the commit did to each object, by (kind, key): its new bytes, or
    // removed from the view. One commit may touch a key twice (an import
    // with a repeated key); the last change wins.
    struct Outcome {
      Bytes put;  // null: removed
    };
    absl::btree_map<std::pair<v1::ObjectKind, std::string>, Outcome> touched;
    Bytes new_schedule;
    for (const registry::ObjectChange& change : changes) {
      if (change.kind == v1::OBJECT_KIND_FREEZE_SCHEDULE) {
        new_schedule = std::make_shared<const std::string>(change.after);
        continue;
      }
      ObjectMap* map = MapOf(change.kind);
      if (map == nullptr) continue;
      const bool visible =
          !change.deleted && (change.kind != v1::OBJECT_KIND_FLAG || FlagIsVisible(change.after));
      auto it = map->find(change.key);
      if (visible) {
        Bytes bytes = std::make_shared<const std::string>(change.after);
        (*map)[change.key] = bytes;
        touched[{change.kind, change.key}].put = std::move(bytes);
      } else if (it != map->end()) {
        // Removed (deleted, or a flag archived). An object the view never
        // had (a change to an archived flag) is not the SDK's business.
        map->erase(it);
        touched[{change.kind, change.key}].put = nullptr;
      }
    }

    v1::SdkDelta head;
    head.set_from_version(version_);
    head.set_version(revision);
    std::vector<Part> parts;
    parts.reserve(touched.size());
    for (const auto& [id, outcome] : touched) {
      const DeltaFields fields = DeltaFieldsOf(id.first);
      if (outcome.put != nullptr) {
        parts.push_back({fields.put, *outcome.put});
      } else {
        (head.*fields.removed)()->Add(std::string(id.second));
      }
    }
    if (new_schedule != nullptr) {
      schedule_ = new_schedule;
      parts.push_back({v1::SdkDelta::kFreezeScheduleFieldNumber, *schedule_});
    }
    size_t size = 0;
    grpc::ByteBuffer bytes =
        EncodeResponse(v1::WatchResponse::kDeltaFieldNumber, head, parts, &size);
    ++deltas_serialized_;

    history_.push_back(Delta{version_, revision, std::move(bytes), size});
    history_bytes_ += size;
    while (history_.size() > 1 && (history_.size() > options_.max_history_deltas ||
                                   history_bytes_ > options_.max_history_bytes)) {
      history_bytes_ -= history_.front().size;
      history_.pop_front();
    }
    version_ = revision;
    snapshot_.reset();

    for (auto& [subscriber, state] : subscribers_) {
      if (!state.waiting) continue;
      state.waiting = false;
      ++state.wakes_in_progress;
      to_wake.push_back(subscriber);
    }
  }
  WakeAll(to_wake);
}

void Publisher::WakeAll(const std::vector<Subscriber*>& subscribers) {
  if (subscribers.empty()) return;
  // No lock held: Wake() takes the subscriber's lock and may call Next().
  for (Subscriber* s : subscribers) s->Wake();
  absl::MutexLock lock(&mu_);
  for (Subscriber* s : subscribers) {
    auto it = subscribers_.find(s);
    assert(it != subscribers_.end());  // Unsubscribe waits for us
    --it->second.wakes_in_progress;
  }
}

int64_t Publisher::version() const {
  absl::MutexLock lock(&mu_);
  return version_;
}

void Publisher::Subscribe(Subscriber* subscriber) {
  absl::MutexLock lock(&mu_);
  subscribers_.try_emplace(subscriber);
}

void Publisher::Unsubscribe(Subscriber* subscriber) {
  absl::MutexLock lock(&mu_);
  if (!subscribers_.contains(subscriber)) return;
  auto no_wake_in_progress = [this, subscriber]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return subscribers_.at(subscriber).wakes_in_progress == 0;
  };
  mu_.Await(absl::Condition(&no_wake_in_progress));
  subscribers_.erase(subscriber);
}

absl::StatusOr<std::optional<Update>> Publisher::Next(Subscriber* subscriber, int64_t version) {
  {
    absl::MutexLock lock(&mu_);
    if (shut_down_) return absl::UnavailableError("server shutting down");
    if (version == version_) {
      auto it = subscribers_.find(subscriber);
      if (it != subscribers_.end()) it->second.waiting = true;
      return std::nullopt;
    }
    if (version < version_) {
      auto it = std::lower_bound(history_.begin(), history_.end(), version,
                                 [](const Delta& d, int64_t v) { return d.from_version < v; });
      if (it != history_.end() && it->from_version == version) {
        return Update{it->bytes, it->version, false};
      }
    }
  }
  return BuildSnapshot();
}

absl::StatusOr<Update> Publisher::Snapshot() {
  if (is_shut_down()) return absl::UnavailableError("server shutting down");
  return BuildSnapshot();
}

Update Publisher::BuildSnapshot() {
  // One builder at a time: the others wait and take the cached result.
  absl::MutexLock build(&snapshot_mu_);
  int64_t version;
  std::vector<Bytes> objects[3];
  Bytes schedule;
  {
    absl::MutexLock lock(&mu_);
    if (snapshot_.has_value()) return *snapshot_;
    version = version_;
    schedule = schedule_;
    // Shared, immutable bytes: the copy is of pointers; the bytes are read
    // below without the lock while commits go on.
    const ObjectMap* maps[3] = {&flags_, &segments_, &accounts_};
    for (int i = 0; i < 3; ++i) {
      objects[i].reserve(maps[i]->size());
      for (const auto& [key, bytes] : *maps[i]) objects[i].push_back(bytes);
    }
  }

  v1::SdkSnapshot head;
  head.set_version(version);
  const int fields[3] = {v1::SdkSnapshot::kFlagsFieldNumber, v1::SdkSnapshot::kSegmentsFieldNumber,
                         v1::SdkSnapshot::kAccountsFieldNumber};
  std::vector<Part> parts;
  parts.reserve(objects[0].size() + objects[1].size() + objects[2].size());
  for (int i = 0; i < 3; ++i) {
    for (const Bytes& b : objects[i]) parts.push_back({fields[i], *b});
  }
  if (schedule != nullptr)
    parts.push_back({v1::SdkSnapshot::kFreezeScheduleFieldNumber, *schedule});
  size_t size = 0;
  Update update{EncodeResponse(v1::WatchResponse::kSnapshotFieldNumber, head, parts, &size),
                version, true};

  absl::MutexLock lock(&mu_);
  ++snapshots_serialized_;
  // A commit may have come meanwhile: the snapshot is still a valid one (of
  // `version`, followed by the deltas from there), just not worth caching.
  if (version_ == version) snapshot_ = update;
  return update;
}

void Publisher::Shutdown() {
  std::vector<Subscriber*> all;
  {
    absl::MutexLock lock(&mu_);
    if (shut_down_) return;
    shut_down_ = true;
    for (auto& [subscriber, state] : subscribers_) {
      state.waiting = false;
      ++state.wakes_in_progress;
      all.push_back(subscriber);
    }
  }
  WakeAll(all);
}

bool Publisher::is_shut_down() const {
  absl::MutexLock lock(&mu_);
  return shut_down_;
}

int64_t Publisher::snapshots_serialized() const {
  absl::MutexLock lock(&mu_);
  return snapshots_serialized_;
}

int64_t Publisher::deltas_serialized() const {
  absl::MutexLock lock(&mu_);
  return deltas_serialized_;
}

}  // namespace rampart::stream
