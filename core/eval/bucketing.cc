#include "core/eval/bucketing.h"

#include <cstring>

namespace rampart::eval {
namespace {

constexpr uint32_t kC1 = 0xcc9e2d51;
constexpr uint32_t kC2 = 0x1b873593;

constexpr uint32_t RotateLeft(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

// Bytes are read as unsigned (the reference does): a signed char would change
// the hash of every key with a byte >= 0x80.
uint32_t LoadLittleEndian32(const unsigned char* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

// The per-block scramble of k, shared by the body and the tail.
constexpr uint32_t Scramble(uint32_t k) { return RotateLeft(k * kC1, 15) * kC2; }

constexpr uint32_t MixBlock(uint32_t h, uint32_t k) {
  return RotateLeft(h ^ Scramble(k), 13) * 5 + 0xe6546b64;
}

// The finalizer: forces every input bit to affect every output bit.
constexpr uint32_t Fmix32(uint32_t h) {
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return h;
}

// MurmurHash3_x86_32 over input given in pieces, for salt + ":" + key too
// long for the stack buffer. Bytes that do not fill a block wait in
// `pending_`.
class IncrementalMurmur3 {
 public:
  explicit IncrementalMurmur3(uint32_t seed) : h_(seed) {}

  void Update(absl::string_view data) {
    const auto* p = reinterpret_cast<const unsigned char*>(data.data());
    size_t n = data.size();
    length_ += n;
    while (n > 0 && pending_size_ > 0) {
      pending_[pending_size_++] = *p++;
      --n;
      if (pending_size_ == 4) {
        h_ = MixBlock(h_, LoadLittleEndian32(pending_));
        pending_size_ = 0;
      }
    }
    for (; n >= 4; n -= 4, p += 4) h_ = MixBlock(h_, LoadLittleEndian32(p));
    for (; n > 0; --n) pending_[pending_size_++] = *p++;
  }

  uint32_t Finish() const {
    uint32_t h = h_;
    uint32_t k = 0;
    for (size_t i = pending_size_; i > 0; --i) k = k << 8 | pending_[i - 1];
    if (pending_size_ > 0) h ^= Scramble(k);
    // The reference mixes in the length modulo 2^32.
    return Fmix32(h ^ static_cast<uint32_t>(length_));
  }

 private:
  uint32_t h_;
  uint64_t length_ = 0;
  unsigned char pending_[4] = {};
  size_t pending_size_ = 0;
};

}  // namespace

uint32_t Murmur3_32(absl::string_view data, uint32_t seed) {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  const size_t blocks = data.size() / 4;
  uint32_t h = seed;
  for (size_t i = 0; i < blocks; ++i) h = MixBlock(h, LoadLittleEndian32(p + 4 * i));

  // The tail: the last 1 to 3 bytes, little-endian, scrambled like a block
  // but without the rotate-multiply-add step on h.
  const unsigned char* tail = p + 4 * blocks;
  uint32_t k = 0;
  switch (data.size() & 3) {
    case 3:
      k ^= static_cast<uint32_t>(tail[2]) << 16;
      [[fallthrough]];
    case 2:
      k ^= static_cast<uint32_t>(tail[1]) << 8;
      [[fallthrough]];
    case 1:
      k ^= tail[0];
      h ^= Scramble(k);
      break;
    default:
      break;
  }
  return Fmix32(h ^ static_cast<uint32_t>(data.size()));
}

uint32_t BucketOf(absl::string_view salt, absl::string_view unit_key) {
  // Flag keys and account keys are at most 128 characters; so are the salts
  // and user keys in practice. The join fits on the stack: no allocation on
  // the evaluation path.
  char buffer[2 * kMaxUnitKeyLength + 1];
  const size_t size = salt.size() + 1 + unit_key.size();
  if (size <= sizeof(buffer)) {
    // memcpy from the null data() of an empty view is undefined, even for 0 bytes.
    if (!salt.empty()) std::memcpy(buffer, salt.data(), salt.size());
    buffer[salt.size()] = ':';
    if (!unit_key.empty()) std::memcpy(buffer + salt.size() + 1, unit_key.data(), unit_key.size());
    return Murmur3_32(absl::string_view(buffer, size), 0);
  }
  IncrementalMurmur3 hash(0);
  hash.Update(salt);
  hash.Update(":");
  hash.Update(unit_key);
  return hash.Finish();
}

size_t PickIndex(uint32_t bucket, absl::Span<const uint64_t> thresholds) {
  for (size_t i = 0; i < thresholds.size(); ++i) {
    if (bucket < thresholds[i]) return i;
  }
  return thresholds.size();
}

}  // namespace rampart::eval
