#include "sdk/src/cache_file.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstring>
#include <limits>

#include "absl/strings/str_cat.h"

namespace rampart::sdk {
namespace {

constexpr std::array<uint32_t, 256> MakeCrcTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}
constexpr std::array<uint32_t, 256> kCrcTable = MakeCrcTable();

void PutLe(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

uint64_t GetLe(absl::string_view in, size_t offset, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) {
    v |= static_cast<uint64_t>(static_cast<unsigned char>(in[offset + i])) << (8 * i);
  }
  return v;
}

absl::Status ErrnoStatus(absl::string_view what, const std::string& path) {
  const int e = errno;
  std::string message = absl::StrCat("cache file ", path, ": ", what, ": ", std::strerror(e));
  return e == ENOENT ? absl::NotFoundError(message) : absl::UnavailableError(message);
}

// Writes all of `data` to `fd`, retrying short writes.
bool WriteAll(int fd, absl::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

uint32_t Crc32(absl::string_view data) {
  uint32_t c = 0xFFFFFFFFu;
  for (const char ch : data) c = kCrcTable[(c ^ static_cast<unsigned char>(ch)) & 0xff] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

std::string EncodeCacheFile(const v1::SdkSnapshot& snapshot) {
  return EncodeCachePayload(snapshot.SerializeAsString());
}

std::string EncodeCachePayload(absl::string_view payload) {
  std::string out(kCacheMagic, sizeof(kCacheMagic));
  PutLe(&out, kCacheFormatVersion, 4);
  PutLe(&out, payload.size(), 8);
  PutLe(&out, Crc32(payload), 4);
  out.append(payload.data(), payload.size());
  return out;
}

absl::StatusOr<v1::SdkSnapshot> DecodeCacheFile(absl::string_view bytes) {
  if (bytes.size() < sizeof(kCacheMagic) ||
      bytes.substr(0, sizeof(kCacheMagic)) != absl::string_view(kCacheMagic, 4)) {
    return absl::DataLossError("not a Rampart cache file (bad magic)");
  }
  if (bytes.size() < kCacheHeaderSize) {
    return absl::DataLossError(
        absl::StrCat("truncated: ", bytes.size(), " bytes, the header alone is ", kCacheHeaderSize));
  }
  const uint64_t format = GetLe(bytes, 4, 4);
  if (format != kCacheFormatVersion) {
    return absl::DataLossError(absl::StrCat("format version ", format, " is not supported (only ",
                                            kCacheFormatVersion, ")"));
  }
  const uint64_t length = GetLe(bytes, 8, 8);
  if (length > static_cast<uint64_t>(std::numeric_limits<int>::max())) {
    return absl::DataLossError(absl::StrCat("snapshot length ", length, " is not plausible"));
  }
  const absl::string_view payload = bytes.substr(kCacheHeaderSize);
  if (payload.size() != length) {
    return absl::DataLossError(absl::StrCat(payload.size() < length ? "truncated" : "trailing bytes",
                                            ": the header says ", length,
                                            " bytes of snapshot, the file has ", payload.size()));
  }
  const uint32_t expected = static_cast<uint32_t>(GetLe(bytes, 16, 4));
  if (Crc32(payload) != expected) return absl::DataLossError("checksum mismatch");
  v1::SdkSnapshot snapshot;
  if (!snapshot.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return absl::DataLossError("the snapshot does not parse");
  }
  return snapshot;
}

absl::Status WriteCacheFile(const std::string& path, const v1::SdkSnapshot& snapshot) {
  return WriteCachePayload(path, snapshot.SerializeAsString());
}

absl::Status WriteCachePayload(const std::string& path, absl::string_view payload) {
  const std::string bytes = EncodeCachePayload(payload);
  // Unique per process and call: two clients sharing one cache file (two
  // processes, or two Clients in one) never write into each other's file.
  static std::atomic<uint64_t> sequence{0};
  const std::string tmp = absl::StrCat(path, ".tmp.", ::getpid(), ".", sequence.fetch_add(1));
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("cannot create " + tmp, path);
  if (!WriteAll(fd, bytes) || ::fsync(fd) != 0) {
    absl::Status s = ErrnoStatus("cannot write " + tmp, path);
    ::close(fd);
    ::unlink(tmp.c_str());
    return s;
  }
  if (::close(fd) != 0) return ErrnoStatus("cannot close " + tmp, path);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    absl::Status s = ErrnoStatus("cannot rename " + tmp, path);
    ::unlink(tmp.c_str());
    return s;
  }
  // Make the rename itself durable.
  const int dir = ::open(DirectoryOf(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::SdkSnapshot> ReadCacheFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("cannot open", path);
  std::string bytes;
  char buf[64 * 1024];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      absl::Status s = ErrnoStatus("cannot read", path);
      ::close(fd);
      return s;
    }
    if (n == 0) break;
    bytes.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  absl::StatusOr<v1::SdkSnapshot> snapshot = DecodeCacheFile(bytes);
  if (!snapshot.ok()) {
    return absl::DataLossError(absl::StrCat("cache file ", path, ": ", snapshot.status().message()));
  }
  return snapshot;
}

}  // namespace rampart::sdk
