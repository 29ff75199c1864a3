// Message digests and HMACs over libgcrypt (digest.hpp).
#include "core/proto/digest.hpp"

#include <gcrypt.h>

#include <memory>
#include <vector>

namespace hb::proto {
namespace {

// libgcrypt wants one initialisation per process before use. libsystemd initialises it the same
// way when it needs it and, like this, leaves it alone when it is already done; secure memory
// stays off, as in libsystemd: nothing here asks for it, and it would lock a pool of its own.
bool library_ready() {
  static const bool ready = [] {
    if (gcry_control(GCRYCTL_INITIALIZATION_FINISHED_P)) return true;
    if (gcry_check_version(GCRYPT_VERSION) == nullptr) return false;
    gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
    gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
    return true;
  }();
  return ready;
}

int gcrypt_id(DigestAlgorithm algorithm) {
  switch (algorithm) {
    case DigestAlgorithm::md5:
      return GCRY_MD_MD5;
    case DigestAlgorithm::sha1:
      return GCRY_MD_SHA1;
    case DigestAlgorithm::sha256:
      return GCRY_MD_SHA256;
  }
  return GCRY_MD_NONE;
}

struct HandleClose {
  void operator()(gcry_md_hd_t h) const { gcry_md_close(h); }
};
using Handle = std::unique_ptr<std::remove_pointer_t<gcry_md_hd_t>, HandleClose>;

// An HMAC handle keyed once; gcry_md_reset brings it back to "key set, no data" for the next
// message. A node signs with one key, verifies with one or two while keys rotate: the last few
// are kept, per thread, as a handle may not be shared between threads.
struct KeyedHandle {
  DigestAlgorithm algorithm;
  std::string key;
  Handle handle;
};
constexpr std::size_t kKeyedHandles = 4;

gcry_md_hd_t keyed_handle(DigestAlgorithm algorithm, std::string_view key) {
  thread_local std::vector<KeyedHandle> cache;
  for (auto& k : cache) {
    if (k.algorithm == algorithm && k.key == key) {
      gcry_md_reset(k.handle.get());
      return k.handle.get();
    }
  }
  gcry_md_hd_t raw = nullptr;
  if (gcry_md_open(&raw, gcrypt_id(algorithm), GCRY_MD_FLAG_HMAC) != 0) return nullptr;
  Handle handle(raw);
  if (gcry_md_setkey(raw, key.data(), key.size()) != 0) return nullptr;
  if (cache.size() == kKeyedHandles) cache.erase(cache.begin());  // the oldest key goes
  cache.push_back(KeyedHandle{algorithm, std::string(key), std::move(handle)});
  return raw;
}

}  // namespace

std::string digest(DigestAlgorithm algorithm, std::string_view data) {
  if (!library_ready()) return {};
  const int id = gcrypt_id(algorithm);
  std::string out(gcry_md_get_algo_dlen(id), '\0');
  if (out.empty()) return {};
  gcry_md_hash_buffer(id, out.data(), data.data(), data.size());
  return out;
}

std::string hmac(DigestAlgorithm algorithm, std::string_view key, std::string_view data) {
  if (!library_ready()) return {};
  gcry_md_hd_t h = keyed_handle(algorithm, key);
  if (h == nullptr) return {};
  gcry_md_write(h, data.data(), data.size());
  const unsigned char* bytes = gcry_md_read(h, 0);
  if (bytes == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(bytes),
                     gcry_md_get_algo_dlen(gcrypt_id(algorithm)));
}

std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0xf];
  }
  return out;
}

bool equal_in_constant_time(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  // volatile: the compiler may not stop at the first difference.
  volatile unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff = diff | static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace hb::proto
