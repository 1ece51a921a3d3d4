// Key encoding for RocksDB: big-endian integers (so numbers sort as bytes)
// and length-prefixed strings (so a composite key has one parse). Every
// stored key format is built here, and encoding_test.cc round-trips each.
// Pure functions; thread-safe.
#ifndef RAMPART_SERVER_STORAGE_ENCODING_H_
#define RAMPART_SERVER_STORAGE_ENCODING_H_

#include <cstdint>
#include <optional>
#include <string>
#include "absl/strings/string_view.h"

namespace rampart::storage {

void PutBigEndian32(std::string* out, uint32_t v);
void PutBigEndian64(std::string* out, uint64_t v);
// A 4-byte big-endian length, then the bytes.
void PutLengthPrefixed(std::string* out, absl::string_view s);

// Readers consume from the front of `in`; nullopt when `in` is too short.
std::optional<uint32_t> GetBigEndian32(absl::string_view* in);
std::optional<uint64_t> GetBigEndian64(absl::string_view* in);
std::optional<absl::string_view> GetLengthPrefixed(absl::string_view* in);

// The position of one audit entry: the store revision of its change, and its
// sequence number inside that change (an import changes many objects at one
// revision).
struct AuditPosition {
  uint64_t revision = 0;
  uint32_t seq = 0;
  friend bool operator==(const AuditPosition&, const AuditPosition&) = default;
};

// Key in the audit column family: revision (BE64) + seq (BE32).
std::string AuditKey(AuditPosition pos);
std::optional<AuditPosition> ParseAuditKey(absl::string_view key);

// Keys in the audit_index column family, which point back to audit keys.
//   by object: 'O' + kind (1 byte) + length-prefixed object key + position
//   by actor:  'A' + length-prefixed actor + position
// The *Prefix functions return the part shared by all entries of one object
// or actor, for prefix scans.
std::string AuditObjectIndexPrefix(int kind, absl::string_view object_key);
std::string AuditActorIndexPrefix(absl::string_view actor);
std::string AuditIndexKey(absl::string_view prefix, AuditPosition pos);
// The position at the end of an index key.
std::optional<AuditPosition> ParseAuditIndexKey(absl::string_view key);

// Keys in the problems column family: length-prefixed flag key + report time
// in microseconds since the epoch (BE64) + a sequence number (BE32), so that
// one flag's reports scan in time order. ProblemPrefix is the flag's part.
std::string ProblemPrefix(absl::string_view flag_key);
std::string ProblemKey(absl::string_view flag_key, int64_t unix_micros, uint32_t seq);

}  // namespace rampart::storage

#endif  // RAMPART_SERVER_STORAGE_ENCODING_H_
