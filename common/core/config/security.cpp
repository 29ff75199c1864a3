#include "core/config/security.hpp"

namespace hb::config {

std::vector<SecurityWarning> security_warnings(const Config& config) {
  std::vector<SecurityWarning> out;
  if (!config.authkeys) return out;
  const AuthKey* crc = nullptr;
  int crc_index = -1;
  bool strong = false;
  for (const auto& [index, key] : config.authkeys->keys) {
    if (key.method == AuthKey::Method::crc) {
      if (crc == nullptr) {
        crc = &key;
        crc_index = index;
      }
    } else {
      strong = true;
    }
  }
  if (crc == nullptr) return out;
  std::string udp;
  for (const auto& m : config.ha_cf.media) {
    if (m.kind == Medium::Kind::serial) continue;
    udp = m.interface;
    break;
  }
  const std::string which = "authkeys key " + std::to_string(crc_index) + " (crc)";
  if (!udp.empty()) {
    out.push_back({"weak-auth-crc-udp",
                   which + " protects UDP medium " + udp +
                       ": crc is a checksum, anyone on the LAN can forge or replay cluster packets "
                       "(fake a node's death, its shutdown, a takeover); use sha1 (or md5) keys",
                   crc->origin});
  }
  if (strong) {
    out.push_back({"crc-beside-strong-keys",
                   which + " sits beside md5/sha1 keys: a packet names the key it is checked with, "
                           "so a forger picks the crc one and the strong keys protect nothing; "
                           "remove the crc line",
                   crc->origin});
  }
  return out;
}

}  // namespace hb::config
