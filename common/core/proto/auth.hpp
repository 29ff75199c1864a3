// Packet authentication as heartbeat does it (auth.c, HBauth plugins), keyed by authkeys.
//  * crc: CRC-32, polynomial 0x04C11DB7, MSB first, initial 0, no length appended, inverted;
//    a checksum, not security (it only catches corruption and mismatched configs).
//  * md5 / sha1: HMAC-MD5 / HMAC-SHA1 (libgcrypt, digest.hpp), key = the secret's bytes.
//  * sha256: HMAC-SHA256, an hb-only extension heartbeat peers cannot verify.
// Digests are lowercase hex; crc is printed "%lx" (no leading zeros).
// An auth value is "<index> <digest>": we sign with authkeys' active index and verify with
// whichever index the packet names, so keys rotate by adding an index first.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/config/config.hpp"
#include "core/proto/result.hpp"

namespace hb::proto {

using AuthMethod = config::AuthKey::Method;

std::uint32_t heartbeat_crc32(std::string_view data);

// The digest text of `data` under one method and secret (the secret is ignored for crc).
std::string compute_digest(AuthMethod method, std::string_view secret, std::string_view data);

struct AuthValue {
  int index = 0;
  std::string digest;
};

// Parses "<index> <digest>" (heartbeat writes "%d %s").
std::optional<AuthValue> parse_auth_value(std::string_view text);
std::string format_auth_value(const AuthValue& value);

// Signs with the active index; error no_signing_key when authkeys has none usable.
Result<AuthValue> sign(const config::AuthKeys& keys, std::string_view data);

// Verifies `auth_text` ("<index> <digest>") over `data` with the key the text names. Returns the
// index that verified, or missing_auth / bad_auth / unknown_key / bad_digest. The digest
// comparison takes the same time wherever the first difference is.
Result<int> verify(const config::AuthKeys& keys, std::string_view data,
                   std::optional<std::string_view> auth_text);

}  // namespace hb::proto
