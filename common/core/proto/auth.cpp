#include "core/proto/auth.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <array>
#include <cstdio>
#include <memory>
#include <vector>

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

std::string to_hex(const unsigned char* bytes, std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(n * 2);
  for (std::size_t i = 0; i < n; ++i) {
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 0xf];
  }
  return out;
}

const char* digest_name(AuthMethod method) {
  switch (method) {
    case AuthMethod::md5:
      return "MD5";
    case AuthMethod::sha1:
      return "SHA1";
    case AuthMethod::sha256:
      return "SHA256";
    case AuthMethod::crc:
      break;
  }
  return nullptr;
}

struct MacCtxFree {
  void operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }
};
using MacCtx = std::unique_ptr<EVP_MAC_CTX, MacCtxFree>;

// One HMAC context per key in use, keyed once and re-initialised for each packet. OpenSSL 3's
// one-shot HMAC() looks the algorithms up by name and keys a new context on every call, which
// was most of hb-linkd's user time at rest (two digests per packet sent or received). A node
// uses one key, two while keys rotate: the cache keeps the last few and is per thread, as an
// EVP_MAC_CTX may not be shared between threads.
struct KeyedMac {
  AuthMethod method;
  std::string secret;
  MacCtx ctx;
};
constexpr std::size_t kKeyedMacs = 4;

EVP_MAC_CTX* keyed_mac(AuthMethod method, std::string_view secret) {
  thread_local std::vector<KeyedMac> cache;
  for (auto& k : cache) {
    if (k.method == method && k.secret == secret) {
      // A null key re-initialises the context with the key it already holds.
      return EVP_MAC_init(k.ctx.get(), nullptr, 0, nullptr) == 1 ? k.ctx.get() : nullptr;
    }
  }
  static EVP_MAC* const hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);  // lives with the process
  if (hmac == nullptr) return nullptr;
  MacCtx ctx(EVP_MAC_CTX_new(hmac));
  if (!ctx) return nullptr;
  std::string name = digest_name(method);
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, name.data(), 0),
      OSSL_PARAM_construct_end()};
  // A non-null key pointer even for an empty secret: a null one means "keep the current key".
  static const unsigned char kEmpty = 0;
  const auto* key =
      secret.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(secret.data());
  if (EVP_MAC_init(ctx.get(), key, secret.size(), params) != 1) return nullptr;
  if (cache.size() == kKeyedMacs) cache.erase(cache.begin());  // the oldest key goes
  cache.push_back(KeyedMac{method, std::string(secret), std::move(ctx)});
  return cache.back().ctx.get();
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
  unsigned char out[EVP_MAX_MD_SIZE];
  std::size_t out_len = 0;
  EVP_MAC_CTX* mac = keyed_mac(method, secret);
  if (mac == nullptr ||
      EVP_MAC_update(mac, reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
      EVP_MAC_final(mac, out, &out_len, sizeof out) != 1) {
    return {};  // matches nothing: verification fails closed
  }
  return to_hex(out, out_len);
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
  if (expected.empty() || expected.size() != value->digest.size() ||
      CRYPTO_memcmp(expected.data(), value->digest.data(), expected.size()) != 0) {
    return Error{Problem::bad_digest, "digest mismatch for index " + std::to_string(value->index)};
  }
  return value->index;
}

}  // namespace hb::proto
