// The cache file: the last full SdkSnapshot on disk, so a client restarted
// while the server is unreachable serves the last known flags.
//
// Format (all integers little-endian):
//   offset 0   4 bytes  magic "RMPC"
//   offset 4   4 bytes  format version (1)
//   offset 8   8 bytes  payload length in bytes
//   offset 16  4 bytes  CRC-32 (IEEE 802.3, as zlib's crc32) of the payload
//   offset 20  payload  a serialized rampart.v1.SdkSnapshot
// A file with another magic, another format version, a length that does not
// match the file, a bad checksum or a payload that does not parse is refused
// as a whole.
//
// Writes go to "<path>.tmp.<pid>.<n>", are fsync'ed, then renamed over
// `path` (and the directory fsync'ed), so a reader sees the old file or the
// new one, never a torn one, even when several clients share the file.
#ifndef RAMPART_SDK_SRC_CACHE_FILE_H_
#define RAMPART_SDK_SRC_CACHE_FILE_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "rampart/v1/sdk.pb.h"

namespace rampart::sdk {

inline constexpr char kCacheMagic[4] = {'R', 'M', 'P', 'C'};
inline constexpr uint32_t kCacheFormatVersion = 1;
inline constexpr size_t kCacheHeaderSize = 20;

// CRC-32 (IEEE, reflected, polynomial 0xEDB88320) of `data`.
uint32_t Crc32(absl::string_view data);

// The file's bytes for `snapshot` (or for its serialized `payload`), and the
// snapshot back from them.
std::string EncodeCacheFile(const v1::SdkSnapshot& snapshot);
std::string EncodeCachePayload(absl::string_view payload);
// DATA_LOSS naming the problem ("not a Rampart cache file", "truncated",
// "checksum mismatch", ...) when the bytes are not a valid cache file.
absl::StatusOr<v1::SdkSnapshot> DecodeCacheFile(absl::string_view bytes);

// Writes `snapshot` (or its serialized `payload`) to `path` atomically (tmp
// file, fsync, rename).
absl::Status WriteCacheFile(const std::string& path, const v1::SdkSnapshot& snapshot);
absl::Status WriteCachePayload(const std::string& path, absl::string_view payload);
// Reads `path`: NOT_FOUND when it does not exist, DATA_LOSS when it is not a
// valid cache file, other codes for I/O errors. Every message names the path.
absl::StatusOr<v1::SdkSnapshot> ReadCacheFile(const std::string& path);

}  // namespace rampart::sdk

#endif  // RAMPART_SDK_SRC_CACHE_FILE_H_
