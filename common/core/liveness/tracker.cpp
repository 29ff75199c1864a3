#include "core/liveness/tracker.hpp"

#include <algorithm>
#include <utility>

#include "core/config/node_name.hpp"
#include "core/util/enum_names.hpp"

namespace hb::liveness {

namespace {

constexpr auto link_state_names = std::to_array<util::EnumName<LinkState>>({
    {LinkState::init, "init"},
    {LinkState::up, "up"},
    {LinkState::late, "late"},
    {LinkState::dead, "dead"},
});
static_assert(util::names_are_complete(link_state_names));

constexpr auto peer_kind_names = std::to_array<util::EnumName<PeerKind>>({
    {PeerKind::node, "node"},
    {PeerKind::ping, "ping"},
});
static_assert(util::names_are_complete(peer_kind_names));

}  // namespace

std::string_view to_string(LinkState state) {
  return util::to_string(link_state_names, state);
}

std::optional<LinkState> parse_link_state(std::string_view text) {
  return util::parse(link_state_names, text);
}

std::string_view to_string(PeerKind kind) {
  return util::to_string(peer_kind_names, kind);
}

Tracker::Tracker(Timing timing, std::span<const Peer> peers, TimePoint start)
    : timing_(timing), start_(start) {
  peers_.reserve(peers.size());
  for (const Peer& p : peers) {
    // A peer listed twice (e.g. `node` and `ping` with the same name) is tracked once: the
    // first listing wins, its media are merged.
    std::size_t i = find_peer(p.name);
    if (i == npos) {
      PeerState state;
      state.spec.name = p.name;
      state.spec.kind = p.kind;
      peers_.push_back(std::move(state));
      i = peers_.size() - 1;
    }
    for (const std::string& m : p.media) {
      auto& links = peers_[i].links;
      if (std::none_of(links.begin(), links.end(), [&](const Link& l) { return l.medium == m; })) {
        links.push_back(Link{m, LinkState::init, std::nullopt, std::nullopt});
        peers_[i].spec.media.push_back(m);
      }
    }
  }
  update_comm_up();
}

std::size_t Tracker::find_peer(std::string_view name) const {
  for (std::size_t i = 0; i < peers_.size(); ++i) {
    if (config::same_node_name(peers_[i].spec.name, name)) return i;
  }
  return npos;
}

Millis Tracker::dead_timer(const PeerState& peer) const {
  if (peer.spec.kind == PeerKind::ping) {
    return timing_.deadping.count() > 0 ? timing_.deadping : timing_.deadtime;
  }
  return peer.advertised_deadtime.count() > 0 ? peer.advertised_deadtime : timing_.deadtime;
}

std::optional<TimePoint> Tracker::due(const PeerState& peer, const Link& link) const {
  const Millis dead = dead_timer(peer);
  switch (link.state) {
    case LinkState::init:
      // Before first contact the whole peer gets initdead (boot-time slack); after it, a link
      // that still has not spoken is given one ordinary dead timer from that contact.
      // A link a reload added gets at least one dead timer of its own.
      if (!peer.first_contact) {
        const TimePoint initial = start_ + timing_.initdead;
        return link.added ? std::max(initial, *link.added + dead) : initial;
      }
      return link.added ? std::max(*peer.first_contact, *link.added) + dead
                        : *peer.first_contact + dead;
    case LinkState::up:
      if (timing_.warntime < dead) return *link.last_heard + timing_.warntime;
      return *link.last_heard + dead;
    case LinkState::late:
      return *link.last_heard + dead;
    case LinkState::dead:
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<Transition> Tracker::on_packet(std::string_view peer, std::string_view medium,
                                             TimePoint now) {
  const std::size_t i = find_peer(peer);
  if (i == npos) return std::nullopt;
  PeerState& p = peers_[i];
  auto it = std::find_if(p.links.begin(), p.links.end(),
                         [&](const Link& l) { return l.medium == medium; });
  if (it == p.links.end()) {
    p.links.push_back(Link{std::string(medium), LinkState::init, std::nullopt, std::nullopt});
    p.spec.media.emplace_back(medium);
    it = p.links.end() - 1;
  }
  Link& link = *it;
  const LinkState from = link.state;
  const TimePoint since = link.last_heard.value_or(link.added.value_or(start_));
  link.state = LinkState::up;
  link.last_heard = now;
  if (!p.last_heard || *p.last_heard < now) p.last_heard = now;
  if (!p.first_contact) p.first_contact = now;
  if (!p.settled) {
    p.settled = true;
    update_comm_up();
  }
  if (from == LinkState::up) return std::nullopt;
  const Millis silence = now > since ? std::chrono::duration_cast<Millis>(now - since) : Millis{0};
  return Transition{p.spec.name, link.medium, from, LinkState::up, silence};
}

bool Tracker::set_peer_deadtime(std::string_view peer, Millis deadtime) {
  const std::size_t i = find_peer(peer);
  if (i == npos) return false;
  if (deadtime.count() > 0) peers_[i].advertised_deadtime = deadtime;
  return true;
}

bool Tracker::add_link(std::string_view peer, std::string_view medium, TimePoint now) {
  const std::size_t i = find_peer(peer);
  if (i == npos) return false;
  PeerState& p = peers_[i];
  if (std::any_of(p.links.begin(), p.links.end(),
                  [&](const Link& l) { return l.medium == medium; }))
    return false;
  p.links.push_back(Link{std::string(medium), LinkState::init, std::nullopt, now});
  p.spec.media.emplace_back(medium);
  return true;
}

bool Tracker::remove_link(std::string_view peer, std::string_view medium) {
  const std::size_t i = find_peer(peer);
  if (i == npos) return false;
  PeerState& p = peers_[i];
  auto it = std::find_if(p.links.begin(), p.links.end(),
                         [&](const Link& l) { return l.medium == medium; });
  if (it == p.links.end()) return false;
  p.links.erase(it);
  std::erase(p.spec.media, std::string(medium));
  // A peer never heard whose remaining links are all dead no longer holds comm_up() back.
  if (!p.settled && !p.links.empty() &&
      std::all_of(p.links.begin(), p.links.end(),
                  [](const Link& l) { return l.state == LinkState::dead; }))
    p.settled = true;
  update_comm_up();
  return true;
}

std::vector<Transition> Tracker::advance(TimePoint now) {
  struct Due {
    TimePoint at;
    std::size_t order;
    Transition transition;
  };
  std::vector<Due> fired;
  std::size_t order = 0;
  for (PeerState& p : peers_) {
    bool changed = false;
    for (Link& link : p.links) {
      // A link can owe more than one step (up -> late -> dead) if the shell ran late.
      for (auto at = due(p, link); at && *at <= now; at = due(p, link)) {
        const TimePoint reference =
            link.last_heard.value_or(link.added.value_or(p.first_contact.value_or(start_)));
        const LinkState from = link.state;
        const LinkState to = (from == LinkState::up && timing_.warntime < dead_timer(p))
                                 ? LinkState::late
                                 : LinkState::dead;
        link.state = to;
        changed = true;
        const Millis silence = std::chrono::duration_cast<Millis>(*at - reference);
        fired.push_back(Due{*at, order++, Transition{p.spec.name, link.medium, from, to, silence}});
      }
    }
    if (changed && !p.settled && std::all_of(p.links.begin(), p.links.end(), [](const Link& l) {
          return l.state == LinkState::dead;
        })) {
      p.settled = true;
    }
  }
  update_comm_up();
  std::stable_sort(fired.begin(), fired.end(), [](const Due& a, const Due& b) {
    return a.at < b.at || (a.at == b.at && a.order < b.order);
  });
  std::vector<Transition> out;
  out.reserve(fired.size());
  for (Due& d : fired) out.push_back(std::move(d.transition));
  return out;
}

std::optional<TimePoint> Tracker::next_deadline() const {
  std::optional<TimePoint> best;
  for (const PeerState& p : peers_) {
    for (const Link& link : p.links) {
      const auto at = due(p, link);
      if (at && (!best || *at < *best)) best = at;
    }
  }
  return best;
}

void Tracker::update_comm_up() {
  if (comm_up_) return;
  comm_up_ = std::all_of(peers_.begin(), peers_.end(),
                         [](const PeerState& p) { return p.settled || p.links.empty(); });
}

std::optional<LinkState> Tracker::state(std::string_view peer, std::string_view medium) const {
  const std::size_t i = find_peer(peer);
  if (i == npos) return std::nullopt;
  for (const Link& l : peers_[i].links) {
    if (l.medium == medium) return l.state;
  }
  return std::nullopt;
}

std::optional<TimePoint> Tracker::last_heard(std::string_view peer) const {
  const std::size_t i = find_peer(peer);
  if (i == npos) return std::nullopt;
  return peers_[i].last_heard;
}

std::vector<LinkInfo> Tracker::links() const {
  std::vector<LinkInfo> out;
  for (const PeerState& p : peers_) {
    for (const Link& l : p.links)
      out.push_back(LinkInfo{p.spec.name, l.medium, l.state, l.last_heard});
  }
  return out;
}

}  // namespace hb::liveness
