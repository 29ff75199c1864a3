#include "core/liveness/peers.hpp"

#include <algorithm>

#include "core/config/node_name.hpp"

namespace hb::liveness {

Timing timing_from_config(const config::HaCf& ha_cf) {
  return Timing{.keepalive = ha_cf.keepalive,
                .warntime = ha_cf.warntime,
                .deadtime = ha_cf.deadtime,
                .initdead = ha_cf.initdead,
                .deadping = ha_cf.deadping};
}

std::vector<Peer> peers_from_config(const config::HaCf& ha_cf, std::string_view local_node) {
  std::vector<std::string> media;
  for (const config::Medium& m : ha_cf.media) {
    if (std::find(media.begin(), media.end(), m.interface) == media.end()) {
      media.push_back(m.interface);
    }
  }
  std::vector<Peer> peers;
  for (const std::string& node : ha_cf.nodes) {
    if (config::same_node_name(node, local_node)) continue;
    peers.push_back(Peer{.name = node, .kind = PeerKind::node, .media = media});
  }
  for (const std::string& address : ha_cf.ping_nodes) {
    peers.push_back(Peer{.name = address, .kind = PeerKind::ping, .media = {address}});
  }
  for (const config::PingGroup& group : ha_cf.ping_groups) {
    peers.push_back(Peer{.name = group.name, .kind = PeerKind::ping, .media = group.addresses});
  }
  return peers;
}

}  // namespace hb::liveness
