#include "sdk/src/state.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/wire_format_lite.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/message_differencer.h"

namespace rampart::sdk {
namespace {

using google::protobuf::util::MessageDifferencer;

template <typename T>
std::map<std::string, T> ByKey(const google::protobuf::RepeatedPtrField<T>& objects) {
  std::map<std::string, T> out;
  for (const T& o : objects) out.insert_or_assign(o.key(), o);
  return out;
}

// The account's bytes, map entries in a stable order.
std::string AccountBytes(const v1::Account& account) {
  std::string bytes;
  google::protobuf::io::StringOutputStream out(&bytes);
  google::protobuf::io::CodedOutputStream coded(&out);
  coded.SetSerializationDeterministic(true);
  account.SerializeToCodedStream(&coded);
  coded.Trim();
  return bytes;
}

std::map<std::string, std::string> AccountsByKey(
    const google::protobuf::RepeatedPtrField<v1::Account>& accounts) {
  std::map<std::string, std::string> out;
  for (const v1::Account& a : accounts) out.insert_or_assign(a.key(), AccountBytes(a));
  return out;
}

bool SameObject(const std::string& a, const std::string& b) { return a == b; }
template <typename T>
bool SameObject(const T& a, const T& b) {
  return MessageDifferencer::Equals(a, b);
}

// Keys present in one map and not the other, or whose objects differ.
template <typename T>
std::vector<std::string> Differences(const std::map<std::string, T>& before,
                                     const std::map<std::string, T>& after) {
  std::vector<std::string> keys;
  auto b = before.begin();
  auto a = after.begin();
  while (b != before.end() || a != after.end()) {
    if (a == after.end() || (b != before.end() && b->first < a->first)) {
      keys.push_back((b++)->first);
    } else if (b == before.end() || a->first < b->first) {
      keys.push_back((a++)->first);
    } else {
      if (!SameObject(b->second, a->second)) keys.push_back(a->first);
      ++a;
      ++b;
    }
  }
  return keys;
}

}  // namespace

AppliedChange FlagState::ApplySnapshot(const v1::SdkSnapshot& snapshot) {
  std::map<std::string, v1::Flag> flags = ByKey(snapshot.flags());
  std::map<std::string, std::string> accounts = AccountsByKey(snapshot.accounts());

  AppliedChange change;
  change.version = snapshot.version();
  change.changed_flags = Differences(flags_, flags);
  change.accounts_changed = !has_data_ || !Differences(accounts_, accounts).empty();

  flags_ = std::move(flags);
  segments_ = ByKey(snapshot.segments());
  accounts_ = std::move(accounts);
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
    const bool differs = it == flags_.end() || !MessageDifferencer::Equals(it->second, f);
    if (differs) touched[f.key()] = true;
    flags_.insert_or_assign(f.key(), f);
  }
  for (const std::string& key : delta.removed_flags()) {
    if (flags_.erase(key) > 0) touched[key] = true;
  }
  for (auto& [key, changed] : touched) change.changed_flags.push_back(key);

  for (const v1::Segment& s : delta.put_segments()) segments_.insert_or_assign(s.key(), s);
  for (const std::string& key : delta.removed_segments()) segments_.erase(key);

  change.accounts_changed = false;
  for (const v1::Account& a : delta.put_accounts()) {
    accounts_.insert_or_assign(a.key(), AccountBytes(a));
    change.accounts_changed = true;
  }
  for (const std::string& key : delta.removed_accounts()) {
    if (accounts_.erase(key) > 0) change.accounts_changed = true;
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

std::shared_ptr<const eval::Snapshot> FlagState::Build(const eval::Snapshot* previous,
                                                       bool accounts_changed) const {
  eval::Snapshot::Builder builder;
  for (const auto& [key, flag] : flags_) builder.AddFlag(flag);
  for (const auto& [key, segment] : segments_) builder.AddSegment(segment);
  // A message that did not touch accounts (most: a flag changed) reuses the
  // previous snapshot's account table instead of copying every account.
  if (previous != nullptr && !accounts_changed) {
    builder.ShareAccountsWith(*previous);
  } else {
    for (const auto& [key, bytes] : accounts_) {
      v1::Account account;
      // The bytes were produced by AccountBytes from a parsed message.
      account.ParseFromString(bytes);
      builder.AddAccount(std::move(account));
    }
  }
  return std::move(builder).Build();
}

v1::SdkSnapshot FlagState::ToProto() const {
  v1::SdkSnapshot s;
  s.set_version(version_);
  for (const auto& [key, flag] : flags_) *s.add_flags() = flag;
  for (const auto& [key, segment] : segments_) *s.add_segments() = segment;
  for (const auto& [key, bytes] : accounts_) s.add_accounts()->ParseFromString(bytes);
  return s;
}

std::string FlagState::SerializeSnapshot() const {
  v1::SdkSnapshot head;
  head.set_version(version_);
  for (const auto& [key, flag] : flags_) *head.add_flags() = flag;
  for (const auto& [key, segment] : segments_) *head.add_segments() = segment;
  std::string out = head.SerializeAsString();
  // Each account as field 4 (SdkSnapshot.accounts), length-delimited: the
  // wire form ToProto().SerializeAsString() would produce.
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  for (const auto& [key, bytes] : accounts_) {
    coded.WriteTag(google::protobuf::internal::WireFormatLite::MakeTag(
        v1::SdkSnapshot::kAccountsFieldNumber,
        google::protobuf::internal::WireFormatLite::WIRETYPE_LENGTH_DELIMITED));
    coded.WriteVarint32(static_cast<uint32_t>(bytes.size()));
    coded.WriteString(bytes);
  }
  coded.Trim();
  return out;
}

}  // namespace rampart::sdk
