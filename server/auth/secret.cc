#include "server/auth/secret.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdlib>
#include <iostream>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace rampart::auth {
namespace {

constexpr absl::string_view kPrefix = "rpt_";
constexpr size_t kKeyBytes = 8;
constexpr size_t kSecretBytes = 32;

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
    // Without randomness no token may be made; this never happens on Linux.
    std::cerr << "rampartd: RAND_bytes failed: no random source" << std::endl;
    std::abort();
  }
  return absl::BytesToHexString(raw);
}

bool IsLowerHex(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isdigit(c) && !(c >= 'a' && c <= 'f')) return false;
  }
  return !s.empty();
}

}  // namespace

GeneratedToken GenerateToken() {
  GeneratedToken t;
  t.key = RandomHex(kKeyBytes);
  t.token = absl::StrCat(kPrefix, t.key, "_", RandomHex(kSecretBytes));
  return t;
}

std::optional<std::string> KeyOfToken(absl::string_view token) {
  if (!absl::ConsumePrefix(&token, kPrefix)) return std::nullopt;
  const size_t sep = token.find('_');
  if (sep != kKeyBytes * 2) return std::nullopt;
  absl::string_view key = token.substr(0, sep);
  absl::string_view secret = token.substr(sep + 1);
  if (!IsLowerHex(key) || secret.size() != kSecretBytes * 2 || !IsLowerHex(secret)) {
    return std::nullopt;
  }
  return std::string(key);
}

std::string Sha256Hex(absl::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_sha256(), nullptr);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), size));
}

bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace rampart::auth
