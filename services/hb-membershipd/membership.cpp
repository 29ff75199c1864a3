#include "membership.hpp"

#include <algorithm>
#include <chrono>
#include <set>

#include "core/liveness/names.hpp"
#include "core/liveness/peers.hpp"
#include "journal_events.hpp"
#include "sys/log.hpp"

namespace hb::membershipd {
namespace {

liveness::TimePoint now() {
  return liveness::Clock::now();
}

// CLOCK_MONOTONIC in µs, the clock of LastHeardUSec (libstdc++'s steady_clock is that clock).
std::uint64_t now_usec() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(now().time_since_epoch()).count());
}

}  // namespace

Membership::Membership(const config::Config& config, State& state, BusObjects& bus,
                       std::function<void(const std::string&)> set_status)
    : state_(state),
      bus_(bus),
      set_status_(std::move(set_status)),
      tracker_(config.local_node, liveness::peers_from_config(config.ha_cf, config.local_node),
               now()) {
  // Before the name is ours: just copy the tracker's starting point (local node up, the others
  // init with every expected link init), nobody is listening yet.
  for (const membership::Node& t : tracker_.nodes()) {
    Node* n = find(t.name);
    if (n == nullptr) continue;
    n->state = std::string(membership::to_string(t.state));
    n->incarnation = t.incarnation;
    n->reason = std::string(membership::to_string(t.reason));
    for (const auto& [medium, link] : t.links)
      n->links[medium] = std::string(liveness::to_string(link));
  }
  for (const auto& g : config.ha_cf.ping_groups) ping_groups_[g.name] = g.addresses;
  last_status_ = status();
}

Node* Membership::find(const std::string& name) {
  for (Node& n : state_.nodes)
    if (liveness::same_name(n.name, name)) return &n;
  return nullptr;
}

void Membership::set_link(Node& node, const std::string& medium, const std::string& new_state,
                          const std::string& old_state, bool& links_changed) {
  auto it = node.links.find(medium);
  const std::string before = it == node.links.end() ? old_state : it->second;
  if (before == new_state && it != node.links.end()) return;
  node.links[medium] = new_state;
  links_changed = true;
  if (new_state == "up") node.last_heard_usec = std::max(node.last_heard_usec, now_usec());
  // The link's own entry ("Link ha2:eth0 dead.") is hb-linkd's, which owns links; this daemon
  // logs what it decides from them, the node's.
}

void Membership::link_changed(const std::string& node, const std::string& medium,
                              const std::string& old_state, const std::string& new_state) {
  const auto to = liveness::parse_link_state(new_state);
  Node* n = find(node);
  if (!to || n == nullptr || liveness::same_name(node, state_.local_node)) {
    log::debug("", "ignoring link " + node + ":" + medium + " -> " + new_state +
                       " (unknown node or state)");
    return;
  }
  bool links_changed = false;
  set_link(*n, medium, new_state, old_state, links_changed);
  auto event = tracker_.on_link(n->name, medium, *to, now());
  if (event) {
    apply(event);
  } else if (links_changed) {
    publish_links(*n);
  }
}

void Membership::link_removed(const std::string& node, const std::string& medium) {
  Node* n = find(node);
  if (n == nullptr || liveness::same_name(node, state_.local_node)) return;
  const bool known = n->links.erase(medium) > 0;
  auto event = tracker_.on_link_removed(n->name, medium, now());
  if (event) {
    apply(event);
  } else if (known) {
    publish_links(*n);
  }
}

void Membership::peer_restarted(const std::string& node, std::uint64_t generation) {
  apply(tracker_.on_restart(node, generation, now()));
}

void Membership::shutdown(const std::string& node) {
  apply(tracker_.on_shutdown(node, now()));
}

void Membership::snapshot(const LinkSnapshot& snap) {
  if (!linkd_present_)
    log::info(msgid::linkd_present, "hb-linkd is on the bus again; following its links");
  linkd_present_ = true;
  absent_logged_ = false;
  // Generations first: hb-linkd reports a restart before the link change it causes.
  for (const auto& p : snap.peers) apply(tracker_.on_generation(p.name, p.generation, now()));
  for (const auto& l : snap.links) {
    Node* n = find(l.node);
    if (n == nullptr || liveness::same_name(l.node, state_.local_node)) continue;
    n->last_heard_usec = std::max(n->last_heard_usec, l.last_heard_usec);
    auto it = n->links.find(l.medium);
    if (it != n->links.end() && it->second == l.state) continue;
    link_changed(n->name, l.medium, it == n->links.end() ? "init" : it->second, l.state);
  }
  update_status();
}

void Membership::linkd_absent() {
  linkd_present_ = false;
  if (!absent_logged_) {
    absent_logged_ = true;
    log::warning(msgid::linkd_absent,
                 "hb-linkd is not on the bus: node states stay as they are until it returns");
  }
  update_status();
}

std::string Membership::mirrored_state(const Node& n) const {
  auto group = ping_groups_.find(n.name);
  if (group == ping_groups_.end()) {
    auto it = ping_states_.find(n.name);
    return it == ping_states_.end() ? std::string() : it->second;
  }
  // heartbeat's ping_group is one pseudo-node, up while any member answers.
  bool any_up = false, all_dead = true, known = false;
  for (const auto& a : group->second) {
    auto it = ping_states_.find(a);
    const std::string s = it == ping_states_.end() ? "init" : it->second;
    known = known || it != ping_states_.end();
    any_up = any_up || s == "up";
    all_dead = all_dead && s == "dead";
  }
  if (!known) return "";
  return any_up ? "up" : all_dead ? "dead" : "init";
}

void Membership::ping_node(const std::string& address, const std::string& state) {
  if (state != "init" && state != "up" && state != "dead") return;  // not a state ipfail1 has
  ping_states_[address] = state;
  ipfail_watching_ = true;
  for (Node& n : state_.nodes) {
    if (n.type != "ping") continue;
    auto group = ping_groups_.find(n.name);
    if (group == ping_groups_.end()
            ? n.name != address
            : std::find(group->second.begin(), group->second.end(), address) == group->second.end())
      continue;
    if (const std::string s = mirrored_state(n); !s.empty()) set_ping_state(n, s);
  }
  update_status();
}

void Membership::set_ping_nodes(const config::Config& next) {
  ping_groups_.clear();
  for (const auto& g : next.ha_cf.ping_groups) ping_groups_[g.name] = g.addresses;
  std::vector<Node> nodes;
  for (const Node& n : state_.nodes)
    if (n.type != "ping") nodes.push_back(n);
  const State listed = initial_state(next);
  for (const Node& fresh : listed.nodes) {
    if (fresh.type != "ping") continue;
    auto kept = std::find_if(state_.nodes.begin(), state_.nodes.end(), [&](const Node& n) {
      return n.type == "ping" && n.name == fresh.name;
    });
    if (kept != state_.nodes.end()) {
      nodes.push_back(*kept);
      continue;
    }
    Node n = fresh;
    // One link per address, as at start (the tracker's ping peers).
    auto group = ping_groups_.find(n.name);
    if (group == ping_groups_.end())
      n.links[n.name] = "init";
    else
      for (const auto& a : group->second) n.links[a] = "init";
    const std::string mirrored = mirrored_state(n);
    n.state = !mirrored.empty() ? mirrored : ipfail_watching_ ? "init" : "unknown";
    log::info("", "ping node " + n.name + " added by a reload (" + n.state + ")",
              {{"HB_NODE", n.name}});
    nodes.push_back(std::move(n));
  }
  for (const Node& n : state_.nodes)
    if (n.type == "ping" &&
        std::none_of(nodes.begin(), nodes.end(), [&](const Node& m) { return m.name == n.name; }))
      log::info("", "ping node " + n.name + " removed by a reload", {{"HB_NODE", n.name}});
  // What ipfaild said of addresses no longer listed is forgotten: were one listed again, it
  // would read as ipfaild says then, not as it said before it was removed.
  std::set<std::string> addresses(next.ha_cf.ping_nodes.begin(), next.ha_cf.ping_nodes.end());
  for (const auto& g : next.ha_cf.ping_groups)
    addresses.insert(g.addresses.begin(), g.addresses.end());
  std::erase_if(ping_states_, [&](const auto& e) { return addresses.count(e.first) == 0; });
  // A kept ping_group whose members changed reads as its new members say.
  for (Node& n : nodes)
    if (n.type == "ping" && ping_groups_.count(n.name))
      if (const std::string s = mirrored_state(n); !s.empty()) n.state = s;
  bus_.set_nodes(std::move(nodes));
  update_status();
}

void Membership::ping_nodes_unwatched() {
  ping_states_.clear();
  ipfail_watching_ = false;
  for (Node& n : state_.nodes)
    if (n.type == "ping") set_ping_state(n, "unknown");
  update_status();
}

void Membership::set_ping_state(Node& node, const std::string& state) {
  if (node.state == state) return;
  const std::string old_state = node.state;
  node.state = state;
  // ipfaild logs the ping node's transition (the one owner logs it); this is only its mirror.
  bus_.node_changed(node, old_state);
}

void Membership::apply(const std::optional<membership::Event>& event) {
  if (!event) return;
  Node* n = find(event->node);
  if (n == nullptr) return;
  const std::string old_state = n->state;
  n->state = std::string(membership::to_string(event->to));
  n->incarnation = event->incarnation;
  n->reason = std::string(membership::to_string(event->reason));
  log_node_event(*event);
  bus_.node_changed(*n, old_state);
  update_status();
}

void Membership::publish_links(Node& node) {
  bus_.links_changed(node);
}

std::string Membership::status() const {
  std::size_t nodes = 0, up = 0, pings = 0, pings_up = 0;
  for (const Node& n : state_.nodes) {
    const bool is_up = n.state == "up";
    if (n.type == "ping") {
      ++pings;
      pings_up += is_up;
    } else {
      ++nodes;
      up += is_up;
    }
  }
  std::string s = std::to_string(up) + "/" + std::to_string(nodes) + " nodes up";
  if (pings > 0)
    s += ", " + std::to_string(pings_up) + "/" + std::to_string(pings) + " ping nodes up";
  if (!linkd_present_) s += "; degraded: hb-linkd not on the bus, cannot take over";
  return s;
}

void Membership::update_status() {
  // Without hb-linkd nobody tells this node that a peer died: it cannot take anything over.
  if (state_.warnings.assign(
          "no-link-source",
          linkd_present_ ? std::nullopt
                         : std::optional<std::string>(
                               "hb-linkd is not running: node states are frozen, so this node "
                               "would not notice a peer's death and cannot take over")))
    bus_.warnings_changed();
  std::string s = status();
  if (s == last_status_) return;
  last_status_ = s;
  if (set_status_) set_status_(s);
}

}  // namespace hb::membershipd
