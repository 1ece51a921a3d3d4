// The durable store: RocksDB with the column families of the release model.
// The registry (server/registry) is its only writer. Every Write() is synced
// to the WAL before it returns, so an acknowledged write survives kill -9, and
// a WriteBatch is applied whole or not at all.
//
// Layout (the one place column families are declared, see kColumnFamilies):
//   meta         schema version, store revision
//   accounts     account key  -> rampart.v1.Account
//   segments     segment key  -> rampart.v1.Segment
//   flags        flag key     -> rampart.v1.Flag
//   audit        AuditKey     -> rampart.v1.AuditEntry
//   audit_index  see encoding.h -> empty
//   ramps        flag key     -> rampart.v1.Ramp
//   ramp_templates template key -> rampart.v1.RampTemplate
//   problems     ProblemKey (encoding.h) -> rampart.v1.ProblemReport
//   calendars    "<country>-<year>" -> rampart.v1.CalendarYear
//   freeze_calendars calendar key -> rampart.v1.FreezeCalendar
//   tokens       token key (its public id) -> rampart.v1.ApiToken
// The meta family also holds the computed FreezeSchedule (kMetaFreezeSchedule),
// written with the change that altered it so that it has a store revision.
//
// Thread-safety: all methods may be called concurrently (RocksDB is).
#ifndef RAMPART_SERVER_STORAGE_STORE_H_
#define RAMPART_SERVER_STORAGE_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace rocksdb {
class DB;
class ColumnFamilyHandle;
class Env;
class WriteBatch;
}  // namespace rocksdb

namespace rampart::storage {

// Stored numbers: never renumber.
enum class Cf : int {
  kMeta = 0,
  kAccounts = 1,
  kSegments = 2,
  kFlags = 3,
  kAudit = 4,
  kAuditIndex = 5,
  kRamps = 6,
  kRampTemplates = 7,
  kProblems = 8,
  kCalendars = 9,
  kFreezeCalendars = 10,
  kTokens = 11,
};

struct ColumnFamilySpec {
  Cf cf;
  const char* name;
};
inline constexpr ColumnFamilySpec kColumnFamilies[] = {
    {Cf::kMeta, "meta"},
    {Cf::kAccounts, "accounts"},
    {Cf::kSegments, "segments"},
    {Cf::kFlags, "flags"},
    {Cf::kAudit, "audit"},
    {Cf::kAuditIndex, "audit_index"},
    {Cf::kRamps, "ramps"},
    {Cf::kRampTemplates, "ramp_templates"},
    {Cf::kProblems, "problems"},
    {Cf::kCalendars, "calendars"},
    {Cf::kFreezeCalendars, "freeze_calendars"},
    {Cf::kTokens, "tokens"},
};

// The schema this binary writes. Bump it with a migration in store.cc.
inline constexpr uint32_t kSchemaVersion = 5;

struct StoreOptions {
  std::string path;
  // Tests pass rocksdb::NewMemEnv() or a fault-injecting wrapper; null: the
  // default (disk) env.
  rocksdb::Env* env = nullptr;
};

// A set of changes applied atomically by Store::Write.
class WriteBatch {
 public:
  WriteBatch();
  ~WriteBatch();
  void Put(Cf cf, absl::string_view key, absl::string_view value);
  void Delete(Cf cf, absl::string_view key);
  size_t Count() const;

 private:
  friend class Store;
  struct Op {
    Cf cf;
    bool is_delete;
    std::string key;
    std::string value;
  };
  std::vector<Op> ops_;
};

class Store {
 public:
  // Opens (creating if needed) the store at options.path. Errors:
  // FAILED_PRECONDITION when another process holds the directory's lock, or
  // the data was written by a newer schema; INTERNAL for other RocksDB errors.
  static absl::StatusOr<std::unique_ptr<Store>> Open(const StoreOptions& options);
  ~Store();

  // The value at `key`, nullopt when absent; INTERNAL on a read error.
  absl::StatusOr<std::optional<std::string>> Get(Cf cf, absl::string_view key) const;

  // Calls `fn(key, value)` for keys starting with `prefix`, from `start`
  // (inclusive; empty: the first such key) upwards, or with `reverse` from
  // `start` (inclusive; empty: the last such key) downwards, until `fn`
  // returns false. Sees a consistent snapshot.
  using ScanFn = std::function<bool(absl::string_view key, absl::string_view value)>;
  absl::Status Scan(Cf cf, absl::string_view prefix, absl::string_view start, bool reverse,
                    const ScanFn& fn) const;

  // Applies `batch` atomically and syncs the WAL before returning.
  absl::Status Write(const WriteBatch& batch);

  uint32_t schema_version() const { return schema_version_; }
  // True when Open() created the store (a new data dir).
  bool created() const { return created_; }

 private:
  Store() = default;
  rocksdb::ColumnFamilyHandle* Handle(Cf cf) const;

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;  // indexed by Cf
  uint32_t schema_version_ = 0;
  bool created_ = false;
};

// The meta key of the schema version (BE32) and of the store revision (BE64).
inline constexpr absl::string_view kMetaSchemaVersion = "schema_version";
inline constexpr absl::string_view kMetaRevision = "revision";
// The meta key of the computed rampart.v1.FreezeSchedule (issue 5).
inline constexpr absl::string_view kMetaFreezeSchedule = "freeze_schedule";

}  // namespace rampart::storage

#endif  // RAMPART_SERVER_STORAGE_STORE_H_
