// The cluster-wide configuration's canonical text and digest (cluster_digest.hpp).
#include "core/config/cluster_digest.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <sstream>

#include "core/config/authkeys.hpp"
#include "core/config/ha_cf.hpp"
#include "core/config/node_name.hpp"
#include "core/proto/digest.hpp"

namespace hb::config {
namespace {

std::string sha256_hex(const std::string& data) {
  std::string bytes = proto::digest(proto::DigestAlgorithm::sha256, data);
  return bytes.empty() ? "unavailable" : proto::to_hex(bytes);
}

// Every key, index by index, hashed: a node that lists another key (or another secret under
// the same index) differs. `auth N` is left out: heartbeat's rotation switches it on one node
// at a time, and any listed index verifies. The digest tells nothing a signed packet does not
// already let an eavesdropper test a guessed secret against.
std::string keys_digest(const std::optional<AuthKeys>& keys) {
  if (!keys) return "not-read";
  std::string text;
  for (const auto& [index, key] : keys->keys) {
    text += std::to_string(index) + " " + to_string(key.method) + " " +
            std::to_string(key.secret.size()) + ":" + key.secret + "\n";
  }
  return sha256_hex("hb authkeys\n" + text);
}

std::string lower(std::string s) {
  for (char& c : s) c = ascii_lower(c);
  return s;
}

std::string millis(Millis m) {
  return std::to_string(m.count()) + "ms";
}

}  // namespace

std::string cluster_config_text(const Config& config) {
  const HaCf& cf = config.ha_cf;
  std::ostringstream out;
  out << "keepalive " << millis(cf.keepalive) << "\n";
  out << "deadtime " << millis(cf.deadtime) << "\n";
  out << "deadping " << millis(cf.deadping) << "\n";
  for (const auto& n : cf.nodes) out << "node " << lower(n) << "\n";

  std::vector<std::string> pings = cf.ping_nodes;
  std::sort(pings.begin(), pings.end());
  pings.erase(std::unique(pings.begin(), pings.end()), pings.end());
  for (const auto& p : pings) out << "ping " << p << "\n";
  std::vector<std::string> groups;
  for (const auto& g : cf.ping_groups) {
    std::vector<std::string> addresses = g.addresses;
    std::sort(addresses.begin(), addresses.end());
    std::string line = "ping_group " + g.name;
    for (const auto& a : addresses) line += " " + a;
    groups.push_back(line);
  }
  std::sort(groups.begin(), groups.end());
  for (const auto& g : groups) out << g << "\n";

  for (const auto& d : cf.stonith_devices) {
    // The parameters often hold the device's password: hashed, like the keys.
    out << "stonith from=" << lower(d.from) << " type=" << d.type
        << " params=" << sha256_hex("hb stonith parameters\n" + d.params)
        << " file=" << d.config_file << "\n";
  }
  out << "auto_failback " << to_string(cf.auto_failback) << "\n";

  for (const auto& g : config.groups) {
    out << "group " << lower(g.preferred_node);
    for (const auto& r : g.resources) out << " " << r.token;
    out << "\n";
  }
  out << "authkeys " << keys_digest(config.authkeys) << "\n";

  const FencingSettings& f = config.hb_conf.fencing;
  out << "fencing.race_delay " << millis(f.race_delay) << "\n";
  out << "fencing.retry " << millis(f.retry) << "\n";
  out << "fencing.timeout " << millis(f.timeout) << "\n";
  return out.str();
}

std::string cluster_digest(const Config& config) {
  return sha256_hex("hb cluster config 1\n" + cluster_config_text(config)).substr(0, 16);
}

}  // namespace hb::config
