#include "sdk/src/state.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/protobuf/wire_format_lite.h"

namespace rampart::sdk {
namespace {

using google::protobuf::util::MessageDifferencer;
using FlagMap = std::map<std::string, std::shared_ptr<const v1::Flag>>;

// Keys present in one map and not the other, or whose flags differ.
std::vector<std::string> ChangedFlags(const FlagMap& before, const FlagMap& after) {
  std::vector<std::string> keys;
  auto b = before.begin();
  auto a = after.begin();
  while (b != before.end() || a != after.end()) {
    if (a == after.end() || (b != before.end() && b->first < a->first)) {
      keys.push_back((b++)->first);
    } else if (b == before.end() || a->first < b->first) {
      keys.push_back((a++)->first);
    } else {
      if (!MessageDifferencer::Equals(*b->second, *a->second)) keys.push_back(a->first);
      ++a;
      ++b;
    }
  }
  return keys;
}

}  // namespace

AppliedChange FlagState::ApplySnapshot(const v1::SdkSnapshot& snapshot) {
  FlagMap flags;
  for (const v1::Flag& f : snapshot.flags()) {
    flags.insert_or_assign(f.key(), std::make_shared<const v1::Flag>(f));
  }
  AppliedChange change;
  change.version = snapshot.version();
  change.changed_flags = ChangedFlags(flags_, flags);
  change.accounts_changed = true;

  flags_ = std::move(flags);
  segments_.clear();
  for (const v1::Segment& s : snapshot.segments()) segments_.insert_or_assign(s.key(), s);
  freeze_schedule_ = snapshot.freeze_schedule();
  pending_all_ = true;
  pending_.clear();
  for (const v1::Account& a : snapshot.accounts()) pending_.insert_or_assign(a.key(), a);
  version_ = snapshot.version();
  has_data_ = true;
  trusted_ = true;
  return change;
}

absl::StatusOr<AppliedChange> FlagState::ApplyDelta(const v1::SdkDelta& delta) {
  if (!trusted_) {
    return absl::FailedPreconditionError(
        absl::StrCat("delta to version ", delta.version(), " ignored: waiting for a full snapshot"));
  }
  if (!has_data_) {
    return absl::FailedPreconditionError(
        absl::StrCat("delta to version ", delta.version(), " ignored: no snapshot yet"));
  }
  if (delta.from_version() != version_) {
    return absl::FailedPreconditionError(absl::StrCat("delta from version ", delta.from_version(),
                                                      " does not apply to version ", version_));
  }
  if (delta.version() < delta.from_version()) {
    return absl::InvalidArgumentError(absl::StrCat("delta: version ", delta.version(),
                                                   " is before from_version ",
                                                   delta.from_version()));
  }

  AppliedChange change;
  change.version = delta.version();
  std::map<std::string, bool> touched;  // flag key -> changed (ordered, deduplicated)
  for (const v1::Flag& f : delta.put_flags()) {
    auto it = flags_.find(f.key());
    const bool differs = it == flags_.end() || !MessageDifferencer::Equals(*it->second, f);
    if (differs) touched[f.key()] = true;
    flags_.insert_or_assign(f.key(), std::make_shared<const v1::Flag>(f));
  }
  for (const std::string& key : delta.removed_flags()) {
    if (flags_.erase(key) > 0) touched[key] = true;
  }
  if (delta.has_freeze_schedule() &&
      !MessageDifferencer::Equals(delta.freeze_schedule(), freeze_schedule_)) {
    // New windows may change what frozen accounts get of any flag.
    freeze_schedule_ = delta.freeze_schedule();
    for (const auto& [key, flag] : flags_) touched[key] = true;
  }
  for (auto& [key, changed] : touched) change.changed_flags.push_back(key);

  for (const v1::Segment& s : delta.put_segments()) segments_.insert_or_assign(s.key(), s);
  for (const std::string& key : delta.removed_segments()) segments_.erase(key);

  change.accounts_changed = delta.put_accounts_size() > 0 || delta.removed_accounts_size() > 0;
  for (const v1::Account& a : delta.put_accounts()) pending_.insert_or_assign(a.key(), a);
  for (const std::string& key : delta.removed_accounts()) {
    if (pending_all_) {
      pending_.erase(key);
    } else {
      pending_.insert_or_assign(key, std::nullopt);
    }
  }

  version_ = delta.version();
  has_data_ = true;
  return change;
}

absl::StatusOr<AppliedChange> FlagState::Apply(const v1::WatchResponse& response) {
  switch (response.update_case()) {
    case v1::WatchResponse::kSnapshot:
      return ApplySnapshot(response.snapshot());
    case v1::WatchResponse::kDelta:
      return ApplyDelta(response.delta());
    case v1::WatchResponse::UPDATE_NOT_SET:
      break;
  }
  return absl::InvalidArgumentError("watch response with neither a snapshot nor a delta");
}

std::shared_ptr<const eval::Snapshot> FlagState::Build() {
  eval::Snapshot::Builder builder;
  for (const auto& [key, flag] : flags_) builder.AddFlag(flag);
  for (const auto& [key, segment] : segments_) builder.AddSegment(segment);
  builder.SetFreezeSchedule(freeze_schedule_);
  if (pending_all_ || built_ == nullptr) {
    for (const auto& [key, account] : pending_) {
      if (account) builder.AddAccount(*account);
    }
  } else if (pending_.empty()) {
    // Most messages (a flag changed) leave the accounts alone: share them.
    builder.ShareAccountsWith(*built_);
  } else {
    builder.CopyAccountsFrom(*built_, [&](absl::string_view key) {
      return !pending_.contains(std::string(key));
    });
    for (const auto& [key, account] : pending_) {
      if (account) builder.AddAccount(*account);
    }
  }
  built_ = std::move(builder).Build();
  pending_all_ = false;
  pending_.clear();
  return built_;
}

void FlagState::ForEachAccount(const std::function<void(const v1::Account&)>& fn) const {
  if (!pending_all_ && built_ != nullptr) {
    built_->ForEachAccount([&](const v1::Account& a) {
      if (!pending_.contains(a.key())) fn(a);
    });
  }
  for (const auto& [key, account] : pending_) {
    if (account) fn(*account);
  }
}

v1::SdkSnapshot FlagState::ToProto() const {
  v1::SdkSnapshot s;
  s.set_version(version_);
  for (const auto& [key, flag] : flags_) *s.add_flags() = *flag;
  for (const auto& [key, segment] : segments_) *s.add_segments() = segment;
  *s.mutable_freeze_schedule() = freeze_schedule_;
  ForEachAccount([&](const v1::Account& a) { *s.add_accounts() = a; });
  return s;
}

std::string FlagState::SerializeSnapshot() const {
  v1::SdkSnapshot head;
  head.set_version(version_);
  for (const auto& [key, flag] : flags_) *head.add_flags() = *flag;
  for (const auto& [key, segment] : segments_) *head.add_segments() = segment;
  *head.mutable_freeze_schedule() = freeze_schedule_;
  std::string out = head.SerializeAsString();
  // Each account as field 4 (SdkSnapshot.accounts), length-delimited: the
  // wire form ToProto().SerializeAsString() would produce.
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  std::string bytes;
  ForEachAccount([&](const v1::Account& a) {
    a.SerializeToString(&bytes);
    coded.WriteTag(google::protobuf::internal::WireFormatLite::MakeTag(
        v1::SdkSnapshot::kAccountsFieldNumber,
        google::protobuf::internal::WireFormatLite::WIRETYPE_LENGTH_DELIMITED));
    coded.WriteVarint32(static_cast<uint32_t>(bytes.size()));
    coded.WriteString(bytes);
  });
  coded.Trim();
  return out;
}

}  // namespace rampart::sdk
