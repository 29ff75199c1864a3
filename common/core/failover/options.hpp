// What the failover engine is configured with: this node, ha.cf's nodes, the resource groups,
// auto_failback and the timings (from_config.hpp builds them from the /etc/ha.d files).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace hb::failover {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Millis = std::chrono::milliseconds;

enum class AutoFailback { on, off, legacy };
std::string_view to_string(AutoFailback mode);

struct Group {
  std::string key;        // heartbeat's key: the first resource token of the haresources line
  std::string preferred;  // the first field of the line
};

struct Timing {
  Millis initdead{60000};
  Millis deadtime{30000};
  // How long a giver waits for the taker's info=other before cancelling (heartbeat: 10 s).
  Millis standby_timeout{10000};
  // How long a taker waits for the giver's info=done once it said info=other (heartbeat: 1 h).
  Millis handover_timeout{3600000};
  // Own hb-linkd gone or hung this long => release everything. 0 = deadtime / 2. It must end,
  // with the groups stopped, before the peers' deadtime runs out: grace + stop time <
  // deadtime - keepalive.
  Millis daemon_grace{0};
  // ha.cf's keepalive: this node's last heartbeat may have left up to this long before its
  // hb-linkd last worked, so its peers may declare it dead that much sooner than deadtime after.
  Millis keepalive{1000};
};

// Fencing (fencing.hpp): whether a fence device can cut a dead peer's power, and its timings.
struct FenceOptions {
  bool configured = false;
  // A failed fence is tried again this much later, forever (heartbeat: 5 s).
  Millis retry{5000};
  // The two-node race: the node that served less waits this long before fencing the other, so
  // the serving one wins. Longer than a fence device takes to cut the power.
  Millis race_delay{5000};
};

struct Options {
  std::string me;                  // this node, as in ha.cf
  std::vector<std::string> nodes;  // ha.cf `node` order (must include me)
  std::vector<Group> groups;
  AutoFailback auto_failback = AutoFailback::legacy;
  Timing timing;
  std::vector<std::string> adopted;  // group keys found already running here at start
  // This run of the node: drawn at each start (field::run), never the same twice. Empty: not
  // sent, and every info=done to this node is taken as meant for it (tests of heartbeat's ways).
  std::string run;
  // Whether membership news flows from the start (tests); hb-resourced starts without it and
  // calls set_membership(true) once it has read hb-membershipd's nodes.
  bool membership = true;
  // With fencing configured a dead peer is fenced before anything starts here, and a peer never
  // heard since this engine started is never written off (it may hold the shared disk).
  FenceOptions fencing;
};

// The group keyed `key`, or nullptr.
inline const Group* find_group(const std::vector<Group>& groups, const std::string& key) {
  for (const auto& g : groups) {
    if (g.key == key) return &g;
  }
  return nullptr;
}

}  // namespace hb::failover
