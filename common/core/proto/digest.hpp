// Message digests and HMACs (MD5, SHA-1, SHA-256) over libgcrypt, which every daemon already
// maps through libsystemd: OpenSSL's libcrypto would add about 3.5 MiB of resident pages to
// each process that touches it, for three hash functions.
#pragma once

#include <string>
#include <string_view>

namespace hb::proto {

enum class DigestAlgorithm { md5, sha1, sha256 };

// The raw digest bytes of `data`; empty when the library cannot compute it (never for these
// three algorithms in practice).
std::string digest(DigestAlgorithm algorithm, std::string_view data);

// The raw HMAC bytes of `data` under `key` (any length, empty included); empty when the library
// cannot compute it. Keyed contexts are kept per thread for the last few keys, so the packet
// path does not key a new context for every packet.
std::string hmac(DigestAlgorithm algorithm, std::string_view key, std::string_view data);

// Lowercase hex of raw bytes.
std::string to_hex(std::string_view bytes);

// Whether a and b are equal, in a time that depends on their length only, not on where the
// first difference is.
bool equal_in_constant_time(std::string_view a, std::string_view b);

}  // namespace hb::proto
