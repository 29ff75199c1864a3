// Assembling a Snapshot from the daemons' objects (snapshot.hpp): the one place that knows which
// D-Bus property means what (dbus/*.xml), so the renderers only see plain values.
#include <algorithm>

#include "core/config/node_name.hpp"
#include "core/status/snapshot.hpp"

namespace hb::status {
namespace {

using nlohmann::json;
constexpr const char* link_iface = "io.github.hbcluster.link1.Link";
constexpr const char* peer_iface = "io.github.hbcluster.link1.Peer";
constexpr const char* node_iface = "io.github.hbcluster.membership1.Node";
constexpr const char* group_iface = "io.github.hbcluster.resource1.Group";
constexpr const char* ping_iface = "io.github.hbcluster.ipfail1.PingNode";

std::string str(const json& props, const char* name) {
  auto it = props.find(name);
  return it != props.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<std::uint64_t> uint(const json& props, const char* name) {
  auto it = props.find(name);
  if (it == props.end() || !it->is_number_unsigned()) return std::nullopt;
  return it->get<std::uint64_t>();
}

// Every object of `source` that has `iface`: its properties.
std::vector<const json*> objects_with(const Source& source, const char* iface) {
  std::vector<const json*> out;
  if (!source.read || !source.objects.is_object()) return out;
  for (const auto& [path, interfaces] : source.objects.items()) {
    if (!interfaces.is_object()) continue;
    auto it = interfaces.find(iface);
    if (it != interfaces.end() && it->is_object()) out.push_back(&*it);
  }
  return out;
}

// A daemon's CLOCK_MONOTONIC µs (0 = never) as wall-clock milliseconds.
std::optional<std::int64_t> wall_ms(std::optional<std::uint64_t> monotonic_usec, Clocks now) {
  if (!monotonic_usec || *monotonic_usec == 0) return std::nullopt;
  const std::uint64_t at = std::min(*monotonic_usec, now.monotonic_usec);
  return now.unix_ms - static_cast<std::int64_t>((now.monotonic_usec - at) / 1000);
}

std::vector<Warning> warnings_of(const Source& s) {
  std::vector<Warning> out;
  auto it = s.manager.find("Warnings");
  if (it == s.manager.end() || !it->is_array()) return out;
  for (const auto& w : *it) {
    if (w.is_array() && w.size() == 2 && w[0].is_string() && w[1].is_string())
      out.push_back(Warning{w[0].get<std::string>(), w[1].get<std::string>()});
  }
  return out;
}

Node& node_named(std::vector<Node>& nodes, const std::string& name, const std::string& type) {
  for (Node& n : nodes)
    if (config::same_node_name(n.name, name)) return n;
  nodes.push_back(Node{});
  nodes.back().name = name;
  nodes.back().type = type;
  return nodes.back();
}

std::map<std::string, std::uint64_t> counts(const json& props, const char* name) {
  std::map<std::string, std::uint64_t> out;
  auto it = props.find(name);
  if (it == props.end() || !it->is_object()) return out;
  for (const auto& [k, v] : it->items())
    if (v.is_number_unsigned()) out[k] = v.get<std::uint64_t>();
  return out;
}

void add_nodes(Snapshot& s, const Sources& src, const config::Config& c, Clocks now) {
  // ha.cf's order: the cluster nodes, then ping nodes and ping groups (as hb-membershipd lists).
  for (const auto& n : c.ha_cf.nodes) node_named(s.nodes, n, "normal");
  for (const auto& p : c.ha_cf.ping_nodes) node_named(s.nodes, p, "ping");
  for (const auto& g : c.ha_cf.ping_groups) node_named(s.nodes, g.name, "ping");

  for (const json* p : objects_with(src.membership, node_iface)) {
    const std::string name = str(*p, "Name");
    if (name.empty()) continue;
    Node& n = node_named(s.nodes, name, "normal");
    if (auto t = str(*p, "Type"); !t.empty()) n.type = t;
    if (auto st = str(*p, "State"); !st.empty()) n.state = st;
    n.reason = str(*p, "Reason");
    n.incarnation = uint(*p, "Incarnation");
    n.last_heard_unix_ms = wall_ms(uint(*p, "LastHeardUSec"), now);
    // hb-membershipd's view of the links, used when hb-linkd cannot be read.
    if (!src.link.read) {
      if (auto it = p->find("Links"); it != p->end() && it->is_object()) {
        for (const auto& [medium, state] : it->items())
          if (state.is_string())
            n.links.push_back(Link{medium, state.get<std::string>(), {}, {}, {}, {}});
      }
    }
  }
  for (const json* p : objects_with(src.link, link_iface)) {
    const std::string name = str(*p, "Node"), medium = str(*p, "Medium");
    if (name.empty() || medium.empty()) continue;
    Node& n = node_named(s.nodes, name, "normal");
    Link l;
    l.medium = medium;
    l.state = str(*p, "State");
    if (l.state.empty()) l.state = "unknown";
    l.last_heard_unix_ms = wall_ms(uint(*p, "LastHeardUSec"), now);
    l.packets_received = uint(*p, "PacketsReceived");
    l.packets_sent = uint(*p, "PacketsSent");
    l.rejected = counts(*p, "Rejected");
    n.links.push_back(std::move(l));
  }
  for (const json* p : objects_with(src.link, peer_iface)) {
    const std::string name = str(*p, "Name");
    if (name.empty()) continue;
    node_named(s.nodes, name, "normal").generation = uint(*p, "Generation");
  }
  for (Node& n : s.nodes) {
    std::sort(n.links.begin(), n.links.end(),
              [](const Link& a, const Link& b) { return a.medium < b.medium; });
  }
}

// The local node runs hb (this daemon is part of it); a peer speaks what hb-resourced last heard.
void add_protocols(Snapshot& s, const Sources& src, const config::Config& c) {
  auto protocols = src.resource.manager.find("PeerProtocols");
  const bool known =
      src.resource.read && protocols != src.resource.manager.end() && protocols->is_object();
  for (Node& n : s.nodes) {
    if (n.type != "normal") continue;
    if (n.name == c.local_node) {
      n.protocol = "hb";
    } else if (known) {
      auto it = protocols->find(n.name);
      if (it != protocols->end() && it->is_string()) n.protocol = it->get<std::string>();
    }
  }
}

void add_groups(Snapshot& s, const Sources& src, const config::Config& c, const Snapshot* prev,
                Clocks now) {
  for (const auto& g : c.groups) {
    if (g.resources.empty()) continue;
    Group x;
    x.key = g.key();
    x.preferred_node = g.preferred_node;
    for (const auto& r : g.resources) x.resources.push_back(Resource{r.token, "", "unknown"});
    s.groups.push_back(std::move(x));
  }
  for (const json* p : objects_with(src.resource, group_iface)) {
    const std::string key = str(*p, "Key");
    if (key.empty()) continue;
    auto it = std::find_if(s.groups.begin(), s.groups.end(),
                           [&](const Group& g) { return g.key == key; });
    if (it == s.groups.end()) {
      s.groups.push_back(Group{});
      it = s.groups.end() - 1;
      it->key = key;
    }
    if (auto pn = str(*p, "PreferredNode"); !pn.empty()) it->preferred_node = pn;
    it->owner = str(*p, "Owner");
    if (auto st = str(*p, "State"); !st.empty()) it->state = st;
    if (auto t = uint(*p, "Takeovers"); t && *t <= UINT32_MAX)
      it->takeovers = static_cast<std::uint32_t>(*t);
    it->last_takeover_usec = uint(*p, "LastTakeoverUSec");
    if (auto r = p->find("Resources"); r != p->end() && r->is_array()) {
      it->resources.clear();
      for (const auto& t : *r) {
        if (t.is_array() && t.size() == 3 && t[0].is_string() && t[1].is_string() &&
            t[2].is_string())
          it->resources.push_back(
              Resource{t[0].get<std::string>(), t[1].get<std::string>(), t[2].get<std::string>()});
      }
    }
  }
  for (Group& g : s.groups) {
    const Group* before = prev ? prev->group(g.key) : nullptr;
    if (before && before->owner == g.owner && before->state == g.state)
      g.since_unix_ms = before->since_unix_ms;
    else if (g.state != "unknown")
      g.since_unix_ms = now.unix_ms;
  }
}

void add_ping_nodes(Snapshot& s, const Sources& src, const config::Config& c) {
  auto pings = objects_with(src.ipfail, ping_iface);
  if (!pings.empty()) {
    for (const json* p : pings) {
      PingNode n{str(*p, "Address"), str(*p, "State")};
      if (n.address.empty()) continue;
      if (n.state.empty()) n.state = "unknown";
      s.ping_nodes.push_back(std::move(n));
    }
  } else {
    for (const auto& a : c.ha_cf.ping_nodes) s.ping_nodes.push_back(PingNode{a, "unknown"});
    for (const auto& g : c.ha_cf.ping_groups)
      for (const auto& a : g.addresses) s.ping_nodes.push_back(PingNode{a, "unknown"});
  }
  if (src.ipfail.read) {
    if (auto v = uint(src.ipfail.manager, "LocalCount"))
      s.ping_local_count = static_cast<std::uint32_t>(*v);
    if (auto v = uint(src.ipfail.manager, "PeerCount"))
      s.ping_peer_count = static_cast<std::uint32_t>(*v);
  }
}

}  // namespace

const Node* Snapshot::node(const std::string& name) const {
  for (const Node& n : nodes)
    if (config::same_node_name(n.name, name)) return &n;
  return nullptr;
}

const Group* Snapshot::group(const std::string& key) const {
  for (const Group& g : groups)
    if (g.key == key) return &g;
  return nullptr;
}

Snapshot assemble(const Sources& sources, const AssembleInput& in, const Snapshot* previous) {
  static const config::Config no_config;
  const config::Config& c = in.config ? *in.config : no_config;
  Snapshot s;
  s.version = in.version;
  s.local_node = c.local_node;
  s.epoch = in.epoch;
  s.generation = in.generation;
  s.built_unix_ms = in.now.unix_ms;
  s.built_monotonic_usec = in.now.monotonic_usec;
  const config::HaCf& h = c.ha_cf;
  s.timings = Timings{h.keepalive.count(), h.warntime.count(), h.deadtime.count(),
                      h.initdead.count(), h.deadping.count()};
  add_nodes(s, sources, c, in.now);
  add_protocols(s, sources, c);
  add_groups(s, sources, c, previous, in.now);
  add_ping_nodes(s, sources, c);
  for (const Source* src : sources.all()) {
    s.daemons.push_back(Daemon{src->daemon, src->bus_name, src->expected, src->up, src->read,
                               src->read_at_usec, src->error, warnings_of(*src)});
  }
  return s;
}

}  // namespace hb::status
