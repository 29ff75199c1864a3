// The failover engine's settings built from the cluster configuration (ha.cf and haresources).
#include "core/failover/from_config.hpp"

#include "core/fence/commands.hpp"

namespace hb::failover {

AutoFailback auto_failback_from(config::AutoFailback mode) {
  switch (mode) {
    case config::AutoFailback::on:
      return AutoFailback::on;
    case config::AutoFailback::off:
      return AutoFailback::off;
    case config::AutoFailback::legacy:
      break;
  }
  return AutoFailback::legacy;
}

std::vector<Group> groups_from(const config::Config& config) {
  std::vector<Group> out;
  for (const auto& g : config.groups)
    if (!g.resources.empty()) out.push_back({g.key(), g.preferred_node});
  return out;
}

Timing timing_from(const config::HaCf& ha_cf) {
  Timing t;
  t.initdead = ha_cf.initdead;
  t.deadtime = ha_cf.deadtime;
  t.keepalive = ha_cf.keepalive;
  return t;
}

Options options_from(const config::Config& config) {
  Options o;
  o.me = config.local_node;
  o.nodes = config.ha_cf.nodes;
  o.groups = groups_from(config);
  o.auto_failback = auto_failback_from(config.ha_cf.auto_failback);
  o.timing = timing_from(config.ha_cf);
  o.membership = false;
  // Fencing is on when a fence device of ha.cf serves this node.
  o.fencing.configured = fence::can_fence(config.ha_cf.stonith_devices, config.local_node);
  o.fencing.race_delay = config.hb_conf.fencing.race_delay;
  o.fencing.retry = config.hb_conf.fencing.retry;
  return o;
}

}  // namespace hb::failover
