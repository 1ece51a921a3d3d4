// API token secrets (issue 6): how a token is made, recognised and hashed.
// A token is "rpt_<key>_<secret>": the key (16 hex digits) finds the stored
// record in one read, the secret (256 random bits, 64 hex digits) proves it.
// Only the SHA-256 of the whole token is stored, so a copy of the data dir
// does not hand out working tokens. Used by the registry (which stores the
// hash) and the authenticator (which checks it).
#ifndef RAMPART_SERVER_AUTH_SECRET_H_
#define RAMPART_SERVER_AUTH_SECRET_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace rampart::auth {

struct GeneratedToken {
  std::string key;    // the public id
  std::string token;  // the whole token, shown once
};

// From the operating system's random source (OpenSSL's RAND_bytes).
GeneratedToken GenerateToken();

// The key of a well-formed "rpt_<key>_<secret>", else nullopt.
std::optional<std::string> KeyOfToken(absl::string_view token);

// Lower-case hex SHA-256.
std::string Sha256Hex(absl::string_view data);

// Compares in a time that does not depend on where the strings differ, so
// that an answer's timing does not tell how much of a guess was right.
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

}  // namespace rampart::auth

#endif  // RAMPART_SERVER_AUTH_SECRET_H_
