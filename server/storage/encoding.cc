#include "server/storage/encoding.h"

namespace rampart::storage {

void PutBigEndian32(std::string* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

void PutBigEndian64(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

void PutLengthPrefixed(std::string* out, absl::string_view s) {
  PutBigEndian32(out, static_cast<uint32_t>(s.size()));
  out->append(s.data(), s.size());
}

std::optional<uint32_t> GetBigEndian32(absl::string_view* in) {
  if (in->size() < 4) return std::nullopt;
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>((*in)[i]);
  in->remove_prefix(4);
  return v;
}

std::optional<uint64_t> GetBigEndian64(absl::string_view* in) {
  if (in->size() < 8) return std::nullopt;
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>((*in)[i]);
  in->remove_prefix(8);
  return v;
}

std::optional<absl::string_view> GetLengthPrefixed(absl::string_view* in) {
  absl::string_view rest = *in;
  auto len = GetBigEndian32(&rest);
  if (!len || rest.size() < *len) return std::nullopt;
  absl::string_view s = rest.substr(0, *len);
  rest.remove_prefix(*len);
  *in = rest;
  return s;
}

std::string AuditKey(AuditPosition pos) {
  std::string k;
  PutBigEndian64(&k, pos.revision);
  PutBigEndian32(&k, pos.seq);
  return k;
}

std::string ProblemPrefix(absl::string_view flag_key) {
  std::string k;
  PutLengthPrefixed(&k, flag_key);
  return k;
}

std::string ProblemKey(absl::string_view flag_key, int64_t unix_micros, uint32_t seq) {
  std::string k = ProblemPrefix(flag_key);
  PutBigEndian64(&k, static_cast<uint64_t>(unix_micros));
  PutBigEndian32(&k, seq);
  return k;
}

std::optional<AuditPosition> ParseAuditKey(absl::string_view key) {
  auto rev = GetBigEndian64(&key);
  auto seq = GetBigEndian32(&key);
  if (!rev || !seq || !key.empty()) return std::nullopt;
  return AuditPosition{*rev, *seq};
}

std::string AuditObjectIndexPrefix(int kind, absl::string_view object_key) {
  std::string k = "O";
  k.push_back(static_cast<char>(kind));
  PutLengthPrefixed(&k, object_key);
  return k;
}

std::string AuditActorIndexPrefix(absl::string_view actor) {
  std::string k = "A";
  PutLengthPrefixed(&k, actor);
  return k;
}

std::string AuditIndexKey(absl::string_view prefix, AuditPosition pos) {
  std::string k(prefix);
  k += AuditKey(pos);
  return k;
}

std::optional<AuditPosition> ParseAuditIndexKey(absl::string_view key) {
  constexpr size_t kPosSize = 12;
  if (key.size() < kPosSize) return std::nullopt;
  return ParseAuditKey(key.substr(key.size() - kPosSize));
}

}  // namespace rampart::storage
