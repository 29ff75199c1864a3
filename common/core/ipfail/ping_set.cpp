// The digest of a node's ping set (ping_set.hpp).
#include "core/ipfail/ping_set.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <vector>

namespace hb::ipfail {

std::string ping_set_text(const config::HaCf& ha_cf) {
  std::vector<std::string> lines;
  for (const auto& a : ha_cf.ping_nodes) lines.push_back("ping " + a);
  for (const auto& g : ha_cf.ping_groups) {
    auto members = g.addresses;
    std::sort(members.begin(), members.end());
    members.erase(std::unique(members.begin(), members.end()), members.end());
    std::string line = "ping_group";
    for (const auto& a : members) line += " " + a;
    lines.push_back(line);
  }
  // "ping " sorts before "ping_group", so the single addresses come first.
  std::sort(lines.begin(), lines.end());
  lines.erase(std::unique(lines.begin(), lines.end()), lines.end());
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

std::string ping_set_digest(const config::HaCf& ha_cf) {
  std::uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a 64 offset basis
  for (unsigned char c : ping_set_text(ha_cf)) {
    h ^= c;
    h *= 0x100000001b3ULL;  // FNV-1a 64 prime
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return hex;
}

}  // namespace hb::ipfail
