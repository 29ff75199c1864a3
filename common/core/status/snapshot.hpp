// What hb-statusd knows of the cluster at one moment, as plain values: the sources it read (each
// daemon's objects as the bus gave them) and the snapshot assembled from them, which HTTP threads
// share read-only. Pure: the caller supplies the clocks.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/config/config.hpp"

namespace hb::status {

// One followed daemon as last read from the bus.
struct Source {
  Source(std::string daemon_name, std::string bus)
      : daemon(std::move(daemon_name)), bus_name(std::move(bus)) {}

  std::string daemon;    // "hb-membershipd"
  std::string bus_name;  // "io.github.hbcluster.membership1"
  bool expected = true;  // this node runs it (ipfaild only with a respawn line for ipfail)
  bool up = false;       // its bus name has an owner
  bool read = false;     // the current owner's objects have been read
  std::uint64_t read_at_usec = 0;  // CLOCK_MONOTONIC of the last successful read
  // path -> interface -> property -> value (GetManagedObjects, objects below the root)
  nlohmann::json objects = nlohmann::json::object();
  nlohmann::json manager = nlohmann::json::object();  // the root Manager's properties
  std::string error;                                  // why the last read failed ("" if it did not)

  // The same data (read_at_usec aside: reading unchanged data changes nothing users see).
  bool same_data(const Source& o) const {
    return up == o.up && read == o.read && objects == o.objects && manager == o.manager &&
           error == o.error;
  }
};

// The four daemons hb-statusd follows, in this order.
struct Sources {
  Source link{"hb-linkd", "io.github.hbcluster.link1"};
  Source membership{"hb-membershipd", "io.github.hbcluster.membership1"};
  Source resource{"hb-resourced", "io.github.hbcluster.resource1"};
  Source ipfail{"ipfaild", "io.github.hbcluster.ipfail1"};

  std::vector<const Source*> all() const { return {&link, &membership, &resource, &ipfail}; }
  std::vector<Source*> all() { return {&link, &membership, &resource, &ipfail}; }
  bool same_data(const Sources& o) const {
    return link.same_data(o.link) && membership.same_data(o.membership) &&
           resource.same_data(o.resource) && ipfail.same_data(o.ipfail);
  }
};

struct Clocks {
  std::int64_t unix_ms = 0;          // wall clock (for times users read)
  std::uint64_t monotonic_usec = 0;  // CLOCK_MONOTONIC (the daemons' LastHeardUSec, ages)
};

struct Warning {
  std::string code, text;
};

struct Link {
  std::string medium;
  std::string state;  // init, up, late, dead; "unknown" without hb-linkd
  std::optional<std::int64_t> last_heard_unix_ms;  // never: nullopt
  std::optional<std::uint64_t> packets_received, packets_sent;
  std::map<std::string, std::uint64_t> rejected;  // by reason
};

struct Node {
  std::string name;
  std::string type = "normal";    // normal | ping
  std::string state = "unknown";  // init, up, dead; unknown without hb-membershipd
  std::string reason;             // why the state last changed ("" if not known)
  std::optional<std::uint64_t> incarnation;
  std::optional<std::int64_t> last_heard_unix_ms;
  std::optional<std::uint64_t> generation;  // hb-linkd's Peer
  // What it speaks in hand-overs: "hb", or "heartbeat" (a heartbeat 3.0.6 node during a rolling
  // upgrade), from hb-resourced's PeerProtocols; "" before it said anything and for ping nodes.
  std::string protocol;
  std::vector<Link> links;
};

struct Resource {
  std::string token, unit, state;
};

struct Group {
  std::string key;
  std::string preferred_node;
  std::string owner;              // "" = nobody
  std::string state = "unknown";  // stopped, starting, running, stopping, failed; unknown
  std::optional<std::int64_t> since_unix_ms;  // when hb-statusd saw owner or state change to this
  std::vector<Resource> resources;
  // hb-resourced's Takeovers and LastTakeoverUSec (nullopt: not known, hb-resourced not read).
  std::optional<std::uint32_t> takeovers;
  std::optional<std::uint64_t> last_takeover_usec;
};

struct PingNode {
  std::string address;
  std::string state = "unknown";  // init, up, dead; unknown without ipfaild
};

struct Daemon {
  std::string name, bus_name;
  bool expected = true;
  bool up = false;
  bool read = false;
  std::uint64_t read_at_usec = 0;
  std::string error;
  std::vector<Warning> warnings;
};

struct Timings {
  std::int64_t keepalive_ms = 0, warntime_ms = 0, deadtime_ms = 0, initdead_ms = 0, deadping_ms = 0;
};

struct Snapshot {
  std::string version;
  std::string local_node;
  // A per-start value and a counter that grows by one whenever what the daemons say changes:
  // together they name one state (ETag; the event stream's ids later).
  std::uint64_t epoch = 0;
  std::uint64_t generation = 0;
  std::int64_t built_unix_ms = 0;
  std::uint64_t built_monotonic_usec = 0;
  Timings timings;
  std::vector<Node> nodes;
  std::vector<Group> groups;
  std::vector<PingNode> ping_nodes;
  std::optional<std::uint32_t> ping_local_count, ping_peer_count;
  std::vector<Daemon> daemons;

  const Node* node(const std::string& name) const;
  const Group* group(const std::string& key) const;
};

using SnapshotPtr = std::shared_ptr<const Snapshot>;

struct AssembleInput {
  const config::Config* config = nullptr;
  std::string version;
  std::uint64_t epoch = 0;
  std::uint64_t generation = 0;
  Clocks now;
};

// The snapshot the sources describe. `previous` (may be null) carries each group's `since` over
// while its owner and state stay the same. Never throws on odd data: a property of the wrong
// type is taken as missing.
Snapshot assemble(const Sources& sources, const AssembleInput& input, const Snapshot* previous);

}  // namespace hb::status
