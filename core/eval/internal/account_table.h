// Internal to core/eval: how a Snapshot keeps its accounts. At 100 000
// accounts the Account messages would be most of an SDK's memory, so a
// snapshot holds them compact: strings interned in a pool, attributes as
// small arrays of views, attribute names as integer ids that conditions are
// resolved to when the snapshot is built. Immutable once sealed, so
// snapshots share one table (Builder::ShareAccountsWith).
#ifndef RAMPART_CORE_EVAL_INTERNAL_ACCOUNT_TABLE_H_
#define RAMPART_CORE_EVAL_INTERNAL_ACCOUNT_TABLE_H_

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/string_view.h"
#include "core/eval/internal/attribute.h"
#include "rampart/v1/model.pb.h"

namespace rampart::eval::internal {

// An account as a Snapshot keeps it: views into the table's string pool, and
// its attributes sorted by name in the table's attribute array. A fraction of
// the memory of an Account message, which matters at 100 000 accounts.
struct CompactAccount {
  absl::string_view key;
  absl::string_view name;
  absl::string_view time_zone;
  uint32_t attributes_begin = 0;
  uint32_t attribute_count = 0;
};

struct CompactAttribute {
  absl::string_view name;
  int32_t name_id = 0;  // the table's id of `name` (see AccountTable::IdOf)
  Attribute value;      // items, when a list, point into the table's item array
};

// A condition's attribute, resolved once when the snapshot is built, so an
// evaluation compares small integers instead of names.
struct AttributeRef {
  enum class Kind : uint8_t { kKey, kName, kTimeZone, kAttribute };
  static constexpr int32_t kUnresolved = -2;  // compare compact names as text
  static constexpr int32_t kNoAccountHasIt = -1;

  static AttributeRef For(absl::string_view name) {
    AttributeRef ref;
    ref.name = name;
    if (name == "key") ref.kind = Kind::kKey;
    if (name == "name") ref.kind = Kind::kName;
    if (name == "time_zone") ref.kind = Kind::kTimeZone;
    return ref;
  }

  Kind kind = Kind::kAttribute;
  absl::string_view name;
  int32_t id = kUnresolved;
};

// Owns the bytes that a table's views point into. Attribute names and values
// repeat across accounts ("industry", "accounting"), so they are stored once.
class StringPool {
 public:
  absl::string_view Intern(absl::string_view s, bool dedup) {
    if (dedup) {
      auto it = seen_.find(s);
      if (it != seen_.end()) return *it;
    }
    absl::string_view stored = Copy(s);
    if (dedup) seen_.insert(stored);
    return stored;
  }

  void Seal() { seen_ = {}; }  // dedup is only needed while adding

 private:
  static constexpr size_t kChunk = 64 << 10;

  absl::string_view Copy(absl::string_view s) {
    if (s.empty()) return {};
    char* at;
    if (s.size() > kChunk / 4) {  // a large string gets a chunk of its own
      chunks_.push_back(std::make_unique<char[]>(s.size()));
      at = chunks_.back().get();
    } else {
      if (block_ == nullptr || used_ + s.size() > kChunk) {
        chunks_.push_back(std::make_unique<char[]>(kChunk));
        block_ = chunks_.back().get();
        used_ = 0;
      }
      at = block_ + used_;
      used_ += s.size();
    }
    std::memcpy(at, s.data(), s.size());
    return absl::string_view(at, s.size());
  }

  std::vector<std::unique_ptr<char[]>> chunks_;
  char* block_ = nullptr;  // the chunk small strings go to
  size_t used_ = 0;
  absl::flat_hash_set<absl::string_view> seen_;
};

// The accounts of a snapshot, compact, and their index by key. Immutable once
// sealed, so snapshots may share one (Builder::ShareAccountsWith).
class AccountTable {
 public:
  void Add(const v1::Account& a) {
    Begin(a.key(), a.name(), a.time_zone());
    for (const auto& [name, value] : a.attributes()) AddAttribute(name, ViewOf(value));
    End();
  }

  // Copies account `c` of table `from`.
  void AddFrom(const AccountTable& from, const CompactAccount& c) {
    Begin(c.key, c.name, c.time_zone);
    const CompactAttribute* begin = from.attributes_.data() + c.attributes_begin;
    for (const CompactAttribute* a = begin; a != begin + c.attribute_count; ++a) {
      AddAttribute(a->name, a->value);
    }
    End();
  }

  // Calls fn(account) for each account (the later of two with one key).
  template <typename Fn>
  void ForEach(Fn fn) const {
    for (size_t i = 0; i < accounts_.size(); ++i) {
      if (index_.at(accounts_[i].key) == i) fn(accounts_[i]);
    }
  }

  // The account as a message again.
  v1::Account ToMessage(const CompactAccount& c) const {
    v1::Account a;
    a.set_key(std::string(c.key));
    a.set_name(std::string(c.name));
    a.set_time_zone(std::string(c.time_zone));
    const CompactAttribute* begin = attributes_.data() + c.attributes_begin;
    for (const CompactAttribute* it = begin; it != begin + c.attribute_count; ++it) {
      v1::AttributeValue& v = (*a.mutable_attributes())[std::string(it->name)];
      switch (it->value.kind) {
        case Attribute::Kind::kString:
          v.set_string_value(std::string(it->value.text));
          break;
        case Attribute::Kind::kNumber:
          v.set_number_value(it->value.number);
          break;
        case Attribute::Kind::kBool:
          v.set_bool_value(it->value.boolean);
          break;
        case Attribute::Kind::kList:
          v.mutable_list_value();
          it->value.AnyItem([&](absl::string_view item) {
            v.mutable_list_value()->add_values(std::string(item));
            return false;
          });
          break;
        case Attribute::Kind::kAbsent:
          break;
      }
    }
    return a;
  }

  void Seal() {
    // Shrink first: list attributes point into items_ from here on.
    accounts_.shrink_to_fit();
    attributes_.shrink_to_fit();
    items_.shrink_to_fit();
    for (const auto& [attribute, begin] : list_begins_) {
      attributes_[attribute].value.items = items_.data() + begin;
    }
    list_begins_ = {};
    strings_.Seal();
  }

  // The position of `c` (an account of this table) in [0, size()).
  size_t IndexOf(const CompactAccount* c) const {
    return static_cast<size_t>(c - accounts_.data());
  }
  size_t size() const { return accounts_.size(); }

  const CompactAccount* Find(absl::string_view key) const {
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : &accounts_[it->second];
  }
  const CompactAttribute* attributes() const { return attributes_.data(); }

  // `name` resolved for conditions over this table's accounts.
  AttributeRef Resolve(absl::string_view name) const {
    AttributeRef ref = AttributeRef::For(name);
    auto it = name_ids_.find(name);
    ref.id = it == name_ids_.end() ? AttributeRef::kNoAccountHasIt : it->second;
    return ref;
  }

 private:
  void Begin(absl::string_view key, absl::string_view name, absl::string_view time_zone) {
    current_ = CompactAccount();
    current_.key = strings_.Intern(key, /*dedup=*/false);
    current_.name = strings_.Intern(name, /*dedup=*/false);
    current_.time_zone = strings_.Intern(time_zone, /*dedup=*/true);
    current_.attributes_begin = static_cast<uint32_t>(attributes_.size());
  }

  void AddAttribute(absl::string_view name, const Attribute& value) {
    if (!value.present()) return;
    CompactAttribute attribute;
    attribute.value = value;
    attribute.name = strings_.Intern(name, /*dedup=*/true);
    attribute.name_id =
        name_ids_.try_emplace(attribute.name, static_cast<int32_t>(name_ids_.size())).first->second;
    if (value.kind == Attribute::Kind::kString) {
      attribute.value.text = strings_.Intern(value.text, /*dedup=*/true);
    } else if (value.kind == Attribute::Kind::kList) {
      // Items are stored by position until Seal() fixes the pointers (the
      // item array still grows).
      attribute.value.proto_items = nullptr;
      attribute.value.items = nullptr;
      list_begins_.emplace_back(attributes_.size(), items_.size());
      value.AnyItem([&](absl::string_view item) {
        items_.push_back(strings_.Intern(item, /*dedup=*/true));
        return false;
      });
      attribute.value.item_count = static_cast<uint32_t>(items_.size() - list_begins_.back().second);
    }
    attributes_.push_back(attribute);
  }

  void End() {
    current_.attribute_count = static_cast<uint32_t>(attributes_.size() - current_.attributes_begin);
    index_.insert_or_assign(current_.key, static_cast<uint32_t>(accounts_.size()));  // later wins
    accounts_.push_back(current_);
  }

  CompactAccount current_;
  StringPool strings_;
  std::vector<CompactAccount> accounts_;
  std::vector<CompactAttribute> attributes_;
  std::vector<absl::string_view> items_;
  std::vector<std::pair<size_t, size_t>> list_begins_;  // (attribute, first item)
  absl::flat_hash_map<absl::string_view, uint32_t> index_;
  // Attribute names (views into strings_) and their ids; few and kept.
  absl::flat_hash_map<absl::string_view, int32_t> name_ids_;
};

}  // namespace rampart::eval::internal

#endif  // RAMPART_CORE_EVAL_INTERNAL_ACCOUNT_TABLE_H_
