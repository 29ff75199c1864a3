#include "core/membership/tracker.hpp"

#include <algorithm>

#include "core/config/node_name.hpp"
#include "core/util/enum_names.hpp"

namespace hb::membership {

namespace {

constexpr auto node_state_names = std::to_array<util::EnumName<NodeState>>({
    {NodeState::init, "init"},
    {NodeState::up, "up"},
    {NodeState::dead, "dead"},
});
static_assert(util::names_are_complete(node_state_names));

constexpr auto reason_names = std::to_array<util::EnumName<Reason>>({
    {Reason::none, "none"},
    {Reason::local, "local"},
    {Reason::first_contact, "first-contact"},
    {Reason::returned, "returned"},
    {Reason::restarted, "restarted"},
    {Reason::links_dead, "links-dead"},
    {Reason::never_heard, "never-heard"},
    {Reason::shutdown, "shutdown"},
});
static_assert(util::names_are_complete(reason_names));

}  // namespace

std::string_view to_string(NodeState state) {
  return util::to_string(node_state_names, state);
}

std::string_view to_string(Reason reason) {
  return util::to_string(reason_names, reason);
}

namespace {

bool alive(LinkState s) {
  return s == LinkState::up || s == LinkState::late;
}

bool any_alive(const Node& n) {
  return std::any_of(n.links.begin(), n.links.end(), [](const auto& l) { return alive(l.second); });
}

bool all_dead(const Node& n) {
  return !n.links.empty() && std::all_of(n.links.begin(), n.links.end(),
                                         [](const auto& l) { return l.second == LinkState::dead; });
}

// The node's entry for `medium` in its links (end() when it has none).
auto link_of(Node& n, std::string_view medium) {
  return std::find_if(n.links.begin(), n.links.end(),
                      [&](const auto& l) { return l.first == medium; });
}

}  // namespace

Tracker::Tracker(std::string_view local_node, std::span<const liveness::Peer> peers,
                 TimePoint start) {
  nodes_.reserve(peers.size() + 1);
  nodes_.push_back(Node{.name = std::string(local_node),
                        .kind = PeerKind::node,
                        .local = true,
                        .state = NodeState::up,
                        .reason = Reason::local,
                        .incarnation = 1,
                        .generation = 0,
                        .ever_heard = true,
                        .since = start,
                        .links = {}});
  for (const liveness::Peer& p : peers) {
    Node* n = find_mut(p.name, nullptr);
    if (n == nullptr) {
      Node node;
      node.name = p.name;
      node.kind = p.kind;
      node.since = start;
      nodes_.push_back(std::move(node));
      n = &nodes_.back();
    }
    if (n->local) continue;
    for (const std::string& m : p.media) {
      if (std::none_of(n->links.begin(), n->links.end(),
                       [&](const auto& l) { return l.first == m; })) {
        n->links.emplace_back(m, LinkState::init);
      }
    }
  }
  extra_.resize(nodes_.size());
}

Node* Tracker::find_mut(std::string_view node, Extra** extra) {
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (config::same_node_name(nodes_[i].name, node)) {
      if (extra != nullptr) *extra = &extra_[i];
      return &nodes_[i];
    }
  }
  return nullptr;
}

const Node* Tracker::find(std::string_view node) const {
  for (const Node& n : nodes_) {
    if (config::same_node_name(n.name, node)) return &n;
  }
  return nullptr;
}

bool Tracker::comm_up() const {
  return std::none_of(nodes_.begin(), nodes_.end(),
                      [](const Node& n) { return n.state == NodeState::init; });
}

std::size_t Tracker::count(NodeState state) const {
  return static_cast<std::size_t>(
      std::count_if(nodes_.begin(), nodes_.end(), [&](const Node& n) { return n.state == state; }));
}

Event Tracker::transition(Node& n, NodeState to, Reason reason, std::string_view medium,
                          TimePoint now) {
  const NodeState from = n.state;
  if (to == NodeState::up) ++n.incarnation;
  n.state = to;
  n.reason = reason;
  n.since = now;  // a restart (up -> up) starts a new "up since" too
  return Event{n.name, from, to, n.incarnation, reason, std::string(medium), now};
}

std::optional<Event> Tracker::on_link(std::string_view node, std::string_view medium, LinkState to,
                                      TimePoint now) {
  Extra* x = nullptr;
  Node* n = find_mut(node, &x);
  if (n == nullptr || n->local) return std::nullopt;
  auto it = link_of(*n, medium);
  if (it == n->links.end()) {
    n->links.emplace_back(std::string(medium), to);
  } else {
    it->second = to;
  }
  if (alive(to)) n->ever_heard = true;

  if (x->shutdown_hold) {
    // Late packets after a shutdown announcement do not resurrect the node; a full silence does
    // end the announcement's effect (what comes back afterwards is a normal return).
    if (all_dead(*n)) x->shutdown_hold = false;
    return std::nullopt;
  }
  switch (n->state) {
    case NodeState::init:
      if (any_alive(*n)) return transition(*n, NodeState::up, Reason::first_contact, medium, now);
      if (all_dead(*n)) return transition(*n, NodeState::dead, Reason::never_heard, medium, now);
      return std::nullopt;
    case NodeState::up:
      if (all_dead(*n)) {
        x->generation_at_down = n->generation;
        return transition(*n, NodeState::dead, Reason::links_dead, medium, now);
      }
      return std::nullopt;
    case NodeState::dead:
      if (any_alive(*n)) {
        const bool restarted = x->generation_at_down != 0 && n->generation > x->generation_at_down;
        return transition(*n, NodeState::up, restarted ? Reason::restarted : Reason::returned,
                          medium, now);
      }
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<Event> Tracker::on_link_removed(std::string_view node, std::string_view medium,
                                              TimePoint now) {
  Extra* x = nullptr;
  Node* n = find_mut(node, &x);
  if (n == nullptr || n->local) return std::nullopt;
  auto it = link_of(*n, medium);
  if (it == n->links.end()) return std::nullopt;
  n->links.erase(it);
  if (x->shutdown_hold) {
    if (all_dead(*n)) x->shutdown_hold = false;
    return std::nullopt;
  }
  if (n->state == NodeState::up && all_dead(*n)) {
    x->generation_at_down = n->generation;
    return transition(*n, NodeState::dead, Reason::links_dead, medium, now);
  }
  if (n->state == NodeState::init && all_dead(*n))
    return transition(*n, NodeState::dead, Reason::never_heard, medium, now);
  return std::nullopt;
}

std::optional<Event> Tracker::on_generation(std::string_view node, std::uint64_t generation,
                                            TimePoint now) {
  return generation_changed(node, generation, now, /*known_restart=*/false);
}

std::optional<Event> Tracker::on_restart(std::string_view node, std::uint64_t generation,
                                         TimePoint now) {
  return generation_changed(node, generation, now, /*known_restart=*/true);
}

std::optional<Event> Tracker::generation_changed(std::string_view node, std::uint64_t generation,
                                                 TimePoint now, bool known_restart) {
  Extra* x = nullptr;
  Node* n = find_mut(node, &x);
  if (n == nullptr || n->local || generation == 0 || generation <= n->generation) {
    return std::nullopt;
  }
  const std::uint64_t previous = n->generation;
  n->generation = generation;
  n->ever_heard = true;
  if (previous == 0 && !known_restart) {
    // First generation we learn: nothing to compare with, so not a restart. If the node is dead
    // by announcement, we cannot tell either: it stays dead until its links go silent.
    return std::nullopt;
  }
  switch (n->state) {
    case NodeState::up:
      return transition(*n, NodeState::up, Reason::restarted, {}, now);
    case NodeState::dead:
      if (x->shutdown_hold && any_alive(*n)) {
        // It announced shutdown, and came back before its links even went silent.
        x->shutdown_hold = false;
        return transition(*n, NodeState::up, Reason::restarted, {}, now);
      }
      // No link alive: the link that comes up next reports dead -> up "restarted".
      return std::nullopt;
    case NodeState::init:
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<Event> Tracker::on_shutdown(std::string_view node, TimePoint now) {
  Extra* x = nullptr;
  Node* n = find_mut(node, &x);
  if (n == nullptr || n->local || n->state == NodeState::dead) return std::nullopt;
  n->ever_heard = true;
  x->generation_at_down = n->generation;
  // If every link is already dead there is nothing to hold back.
  x->shutdown_hold = !all_dead(*n);
  return transition(*n, NodeState::dead, Reason::shutdown, {}, now);
}

}  // namespace hb::membership
