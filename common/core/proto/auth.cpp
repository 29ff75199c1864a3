#include "core/proto/auth.hpp"

#include <array>
#include <cstdio>

#include "core/proto/digest.hpp"

namespace hb::proto {
namespace {

constexpr std::array<std::uint32_t, 256> make_crc_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i << 24;
    for (int k = 0; k < 8; ++k) c = (c & 0x80000000u) ? (c << 1) ^ 0x04C11DB7u : c << 1;
    table[i] = c;
  }
  return table;
}
constexpr auto kCrcTable = make_crc_table();

DigestAlgorithm algorithm_of(AuthMethod method) {
  switch (method) {
    case AuthMethod::md5:
      return DigestAlgorithm::md5;
    case AuthMethod::sha256:
      return DigestAlgorithm::sha256;
    case AuthMethod::sha1:
    case AuthMethod::crc:
      break;
  }
  return DigestAlgorithm::sha1;
}

}  // namespace

std::uint32_t heartbeat_crc32(std::string_view data) {
  std::uint32_t crc = 0;
  for (char c : data) {
    crc = (crc << 8) ^ kCrcTable[((crc >> 24) ^ static_cast<unsigned char>(c)) & 0xff];
  }
  return ~crc;
}

std::string compute_digest(AuthMethod method, std::string_view secret, std::string_view data) {
  if (method == AuthMethod::crc) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%lx", static_cast<unsigned long>(heartbeat_crc32(data)));
    return buf;
  }
  // An empty result matches nothing: verification fails closed.
  return to_hex(hmac(algorithm_of(method), secret, data));
}

std::optional<AuthValue> parse_auth_value(std::string_view text) {
  std::size_t i = 0;
  int index = 0;
  std::size_t digits = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    if (++digits > 3) return std::nullopt;
    index = index * 10 + (text[i] - '0');
    ++i;
  }
  if (digits == 0 || i >= text.size() || text[i] != ' ') return std::nullopt;
  while (i < text.size() && text[i] == ' ') ++i;
  std::string_view digest = text.substr(i);
  while (!digest.empty() && (digest.back() == ' ' || digest.back() == '\n'))
    digest.remove_suffix(1);
  if (digest.empty() || digest.size() > 128) return std::nullopt;
  for (char c : digest) {
    if (c <= 0x20 || c >= 0x7f) return std::nullopt;
  }
  return AuthValue{index, std::string(digest)};
}

std::string format_auth_value(const AuthValue& value) {
  return std::to_string(value.index) + " " + value.digest;
}

Result<AuthValue> sign(const config::AuthKeys& keys, std::string_view data) {
  auto it = keys.keys.find(keys.active_index);
  if (it == keys.keys.end()) {
    return Error{Problem::no_signing_key,
                 "authkeys has no key for index " + std::to_string(keys.active_index)};
  }
  return AuthValue{keys.active_index, compute_digest(it->second.method, it->second.secret, data)};
}

Result<int> verify(const config::AuthKeys& keys, std::string_view data,
                   std::optional<std::string_view> auth_text) {
  if (!auth_text) return Error{Problem::missing_auth, "no auth"};
  auto value = parse_auth_value(*auth_text);
  if (!value) return Error{Problem::bad_auth, "unparseable auth value"};
  auto it = keys.keys.find(value->index);
  if (it == keys.keys.end()) {
    return Error{Problem::unknown_key, "auth index " + std::to_string(value->index)};
  }
  std::string expected = compute_digest(it->second.method, it->second.secret, data);
  if (expected.empty() || !equal_in_constant_time(expected, value->digest)) {
    return Error{Problem::bad_digest, "digest mismatch for index " + std::to_string(value->index)};
  }
  return value->index;
}

}  // namespace hb::proto
