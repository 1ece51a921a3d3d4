#include "server/storage/store.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/common/status_macros.h"
#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "rocksdb/utilities/options_util.h"
#include "rocksdb/write_batch.h"
#include "server/storage/encoding.h"

namespace rampart::storage {
namespace {

absl::Status FromRocks(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  return absl::InternalError(absl::StrCat(what, ": ", s.ToString()));
}

// A migration rewrites data of schema `from` into schema `from + 1`, adding
// its writes to the batch that also stores the new version.
struct Migration {
  uint32_t from;
  absl::Status (*run)(Store& store, WriteBatch& batch);
};
// Schema 1 is the first; migrations to later schemas are added here.
// 1 -> 2 added the ramps, ramp_templates and problems column families (issue
// 4): nothing to rewrite, RocksDB creates them; the version keeps an older
// rampartd from opening a data dir it does not understand.
// 2 -> 3 added the calendars column family (issue 5), likewise.
// 3 -> 4 added freeze_calendars and the schedule's meta key (issue 5).
// 4 -> 5 added tokens (issue 6).
absl::Status NoRewrite(Store&, WriteBatch&) { return absl::OkStatus(); }
constexpr Migration kMigrations[] = {
    {0, nullptr}, {1, &NoRewrite}, {2, &NoRewrite}, {3, &NoRewrite}, {4, &NoRewrite},
};

}  // namespace

WriteBatch::WriteBatch() = default;
WriteBatch::~WriteBatch() = default;

void WriteBatch::Put(Cf cf, absl::string_view key, absl::string_view value) {
  ops_.push_back(Op{cf, false, std::string(key), std::string(value)});
}

void WriteBatch::Delete(Cf cf, absl::string_view key) {
  ops_.push_back(Op{cf, true, std::string(key), {}});
}

size_t WriteBatch::Count() const { return ops_.size(); }

absl::StatusOr<std::unique_ptr<Store>> Store::Open(const StoreOptions& options) {
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  if (options.env != nullptr) db_options.env = options.env;

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions());
  for (const auto& spec : kColumnFamilies) {
    descriptors.emplace_back(spec.name, rocksdb::ColumnFamilyOptions());
  }

  std::unique_ptr<Store> store(new Store());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, options.path, descriptors, &handles, &db);
  if (!s.ok()) {
    if (s.IsIOError() && absl::StrContains(absl::AsciiStrToLower(s.ToString()), "lock")) {
      return absl::FailedPreconditionError(absl::StrCat(
          "data dir ", options.path,
          " is locked: another rampartd is using it (", s.ToString(), ")"));
    }
    return FromRocks(s, absl::StrCat("opening data dir ", options.path));
  }
  store->db_.reset(db);
  // handles[0] is the default family, which Rampart does not use.
  store->handles_.assign(handles.begin() + 1, handles.end());
  store->db_->DestroyColumnFamilyHandle(handles[0]);

  ASSIGN_OR_RETURN(auto version, store->Get(Cf::kMeta, kMetaSchemaVersion));
  if (!version.has_value()) {
    // A new data dir: stamp the current schema.
    store->created_ = true;
    WriteBatch batch;
    std::string v;
    PutBigEndian32(&v, kSchemaVersion);
    batch.Put(Cf::kMeta, kMetaSchemaVersion, v);
    RETURN_IF_ERROR(store->Write(batch));
    store->schema_version_ = kSchemaVersion;
    return store;
  }
  absl::string_view view = *version;
  auto stored = GetBigEndian32(&view);
  if (!stored) return absl::DataLossError("meta.schema_version: corrupt");
  if (*stored > kSchemaVersion) {
    return absl::FailedPreconditionError(absl::StrCat(
        "data dir ", options.path, " has schema ", *stored, ", written by a newer rampartd; ",
        "this binary knows schema ", kSchemaVersion));
  }
  for (uint32_t from = *stored; from < kSchemaVersion; ++from) {
    WriteBatch batch;
    for (const auto& m : kMigrations) {
      if (m.from == from && m.run != nullptr) RETURN_IF_ERROR(m.run(*store, batch));
    }
    std::string v;
    PutBigEndian32(&v, from + 1);
    batch.Put(Cf::kMeta, kMetaSchemaVersion, v);
    RETURN_IF_ERROR(store->Write(batch));
  }
  store->schema_version_ = kSchemaVersion;
  return store;
}

Store::~Store() {
  if (!db_) return;
  for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h);
  db_->Close();
}

rocksdb::ColumnFamilyHandle* Store::Handle(Cf cf) const {
  return handles_[static_cast<size_t>(cf)];
}

absl::StatusOr<std::optional<std::string>> Store::Get(Cf cf, absl::string_view key) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), Handle(cf), rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) return std::nullopt;
  RETURN_IF_ERROR(FromRocks(s, "read"));
  return value;
}

absl::Status Store::Scan(Cf cf, absl::string_view prefix, absl::string_view start, bool reverse,
                         const ScanFn& fn) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), Handle(cf)));
  const rocksdb::Slice prefix_slice(prefix.data(), prefix.size());
  if (!reverse) {
    absl::string_view from = start.empty() ? prefix : start;
    it->Seek(rocksdb::Slice(from.data(), from.size()));
    for (; it->Valid() && it->key().starts_with(prefix_slice); it->Next()) {
      if (!fn(absl::string_view(it->key().data(), it->key().size()),
              absl::string_view(it->value().data(), it->value().size()))) {
        break;
      }
    }
  } else {
    if (!start.empty()) {
      it->SeekForPrev(rocksdb::Slice(start.data(), start.size()));
    } else if (prefix.empty()) {
      it->SeekToLast();
    } else {
      // The last key with the prefix is before the prefix followed by 0xff...
      std::string upper(prefix);
      upper.append(64, '\xff');
      it->SeekForPrev(upper);
    }
    for (; it->Valid() && it->key().starts_with(prefix_slice); it->Prev()) {
      if (!fn(absl::string_view(it->key().data(), it->key().size()),
              absl::string_view(it->value().data(), it->value().size()))) {
        break;
      }
    }
  }
  return FromRocks(it->status(), "scan");
}

absl::Status Store::Write(const WriteBatch& batch) {
  rocksdb::WriteBatch wb;
  for (const auto& op : batch.ops_) {
    rocksdb::Status s = op.is_delete ? wb.Delete(Handle(op.cf), op.key)
                                     : wb.Put(Handle(op.cf), op.key, op.value);
    RETURN_IF_ERROR(FromRocks(s, "batch"));
  }
  rocksdb::WriteOptions wo;
  wo.sync = true;  // an acknowledged write survives kill -9 and power loss
  return FromRocks(db_->Write(wo, &wb), "write");
}

}  // namespace rampart::storage
