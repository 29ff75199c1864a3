#include "core/link/packet_pipeline.hpp"

#include <algorithm>

#include "core/config/node_name.hpp"
#include "core/proto/control.hpp"
#include "core/proto/message.hpp"
#include "core/util/enum_names.hpp"

namespace hb::linkd {

namespace {

constexpr auto reject_names = std::to_array<util::EnumName<Reject>>({
    {Reject::malformed, "malformed"},
    {Reject::oversized, "oversized"},
    {Reject::auth, "auth"},
    {Reject::unknown_node, "unknown-node"},
    {Reject::replay, "replay"},
    {Reject::stale, "stale"},
    {Reject::old_generation, "old-generation"},
    {Reject::generation_out_of_bound, "generation-out-of-bound"},
    {Reject::unconfirmed_generation, "unconfirmed-generation"},
    {Reject::seq_too_far_ahead, "seq-too-far-ahead"},
    {Reject::rexmit_rate, "rexmit-rate"},
});
static_assert(util::names_are_complete(reject_names));

}  // namespace

std::string_view to_string(Reject reason) {
  return util::to_string(reject_names, reason);
}

PacketPipeline::PacketPipeline(PipelineOptions options, TimePoint start)
    : options_(std::move(options)), tracker_(options_.timing, options_.peers, start) {
  options_.rules.keepalive = options_.timing.keepalive;
  for (const auto& p : options_.peers) {
    PeerState state{p.name, proto::PeerReceiver(p.name, receiver_options(), seed_++), {}, false, 0,
                    {}};
    for (const auto& [name, generation] : options_.known_generations)
      if (config::same_node_name(name, p.name)) state.floor = std::max(state.floor, generation);
    peers_.push_back(std::move(state));
  }
}

proto::ReceiverOptions PacketPipeline::receiver_options() const {
  proto::ReceiverOptions ro;
  ro.local_node = options_.local_node;
  return ro;
}

std::map<std::string, proto::Generation> PacketPipeline::known_generations() const {
  std::map<std::string, proto::Generation> out;
  for (const auto& p : peers_)
    if (p.floor != 0) out[p.name] = p.floor;
  return out;
}

bool PacketPipeline::forget_generation(std::string_view name) {
  PeerState* p = find(name);
  if (p == nullptr) return false;
  p->receiver = proto::PeerReceiver(p->name, receiver_options(), seed_++);
  p->newest.clear();
  p->floor = 0;
  p->last_accepted.reset();
  return true;
}

// docs/wire-rules.md: what heartbeat's replay rules let through and hb does not.
std::optional<Reject> PacketPipeline::admit(PeerState& peer, const proto::Message& m, TimePoint now,
                                            std::string& detail) {
  const proto::SequenceTracker& tr = peer.receiver.tracker();
  const proto::Generation current = std::max(peer.floor, tr.generation());
  // The window is open once a status of the current generation was accepted in this run.
  const bool window = tr.last_seq().has_value() && tr.generation() == current;
  proto::Generation generation = 0;  // heartbeat's default when hg is absent
  if (auto hg = m.get(proto::field::generation)) {
    auto g = proto::parse_hex(*hg);
    if (!g) {
      detail = "hg is not a hex number";
      return Reject::malformed;
    }
    generation = *g;
  }
  const std::string gen_text = "generation " + proto::to_hex(generation);
  if (generation < current) {
    detail = gen_text + " is older than " + proto::to_hex(current);
    return Reject::old_generation;
  }
  if (proto::is_unsequenced_type(m.type())) {
    if (!window || generation != current) {
      detail = "a " + std::string(m.type().substr(0, 32)) + " of " + gen_text +
               ", not confirmed by a status packet";
      return Reject::unconfirmed_generation;
    }
    return std::nullopt;
  }
  auto fields = proto::seq_fields(m);
  if (!fields) return std::nullopt;  // the receiver calls it malformed
  if (generation > current || !window) {
    if (!fields->is_status) {
      detail = "a " + std::string(m.type().substr(0, 32)) + " of " + gen_text +
               ", not confirmed by a status packet";
      return Reject::unconfirmed_generation;
    }
    if (generation > current) {
      const std::int64_t unix_now = options_.unix_clock ? options_.unix_clock() : 0;
      const proto::Generation bound = proto::generation_bound(current, unix_now, options_.rules);
      if (generation > bound) {
        detail = gen_text + " jumps beyond " + proto::to_hex(bound) + " (current " +
                 proto::to_hex(current) + ")";
        return Reject::generation_out_of_bound;
      }
      // A restart seen in this run: the new run counts from 1 since we last heard the old one.
      if (peer.last_accepted) {
        const proto::Seq allowed = proto::seq_allowance(now - *peer.last_accepted, options_.rules);
        if (fields->seq > allowed) {
          detail = "seq " + proto::to_hex(fields->seq) + " of a new run, more than " +
                   proto::to_hex(allowed) + " since it was last heard";
          return Reject::seq_too_far_ahead;
        }
      }
    }
    return std::nullopt;
  }
  const proto::Seq last = *tr.last_seq();
  if (fields->seq > last) {
    const proto::Seq allowed =
        proto::seq_allowance(now - peer.last_accepted.value_or(now), options_.rules);
    if (fields->seq - last > allowed) {
      detail = "seq " + proto::to_hex(fields->seq) + " is more than " + proto::to_hex(allowed) +
               " ahead of " + proto::to_hex(last);
      return Reject::seq_too_far_ahead;
    }
  }
  return std::nullopt;
}

PacketPipeline::PeerState* PacketPipeline::find(std::string_view name) {
  for (auto& p : peers_)
    if (config::same_node_name(p.name, name)) return &p;
  return nullptr;
}

const PacketPipeline::PeerState* PacketPipeline::find(std::string_view name) const {
  for (const auto& p : peers_)
    if (config::same_node_name(p.name, name)) return &p;
  return nullptr;
}

std::uint64_t PacketPipeline::last_seq(std::string_view peer) const {
  const PeerState* p = find(peer);
  if (p == nullptr) return 0;
  return p->receiver.tracker().last_seq().value_or(0);
}

bool PacketPipeline::all_links_dead(std::string_view peer) const {
  bool any = false;
  for (const auto& l : tracker_.links()) {
    if (!config::same_node_name(l.peer, peer)) continue;
    any = true;
    if (l.state != liveness::LinkState::dead) return false;
  }
  return any;
}

PacketEvents PacketPipeline::on_packet(std::string_view bytes, std::string_view link,
                                       TimePoint now) {
  PacketEvents ev;
  auto opened = proto::open(bytes, options_.keys, options_.limits);
  if (!opened) {
    const proto::Error& e = opened.error();
    switch (proto::classify(e.problem)) {
      case proto::ProblemClass::oversized:
        ev.rejected = Reject::oversized;
        break;
      case proto::ProblemClass::bad_auth:
        ev.rejected = Reject::auth;
        break;
      case proto::ProblemClass::malformed:
        ev.rejected = Reject::malformed;
        break;
    }
    ev.detail =
        std::string(proto::to_string(e.problem)) + (e.detail.empty() ? "" : ": ") + e.detail;
    if (ev.rejected == Reject::auth) {
      // Only for attributing the count: who the packet CLAIMS to be from.
      if (auto d = proto::decode(bytes, options_.limits)) {
        std::string_view src = d->message.value_or_empty(proto::field::source);
        if (config::same_node_name(src, options_.local_node)) {
          ev.own = true;  // e.g. our own packet signed before an authkeys change: not a peer's
          ev.rejected.reset();
          return ev;
        }
        if (const PeerState* p = find(src)) ev.peer = p->name;
      }
    }
    return ev;
  }
  const proto::Message& m = opened->message;
  std::string_view src = m.value_or_empty(proto::field::source);
  if (config::same_node_name(src, options_.local_node)) {
    ev.own = true;
    if (m.type() == proto::msgtype::status)
      ev.own_status = proto::parse_hex(m.value_or_empty(proto::field::generation)).value_or(0);
    return ev;
  }
  PeerState* peer = find(src);
  if (peer == nullptr) {
    ev.rejected = Reject::unknown_node;
    ev.detail = "from node \"" + std::string(src.substr(0, 64)) + "\" not in ha.cf";
    return ev;
  }
  ev.peer = peer->name;
  if (auto why = admit(*peer, m, now, ev.detail)) {
    ev.rejected = why;
    return ev;
  }

  const proto::Generation old_generation = peer->receiver.tracker().generation();
  const bool was_heard = peer->receiver.tracker().last_seq().has_value();
  proto::Inbound in = peer->receiver.on_message(m, now);
  if (in.malformed) {
    ev.rejected = Reject::malformed;
    ev.detail = "a sequenced message without a valid seq/hg";
    return ev;
  }
  switch (in.verdict) {
    case proto::SeqVerdict::replay:
      ev.rejected = Reject::replay;
      ev.detail = "generation " + std::string(m.value_or_empty(proto::field::generation)) +
                  " is older than " + proto::to_hex(old_generation);
      return ev;
    case proto::SeqVerdict::stale:
      ev.rejected = Reject::stale;
      ev.detail = "an old status from a node declared dead";
      return ev;
    default:
      break;
  }
  auto fields = proto::seq_fields(m);  // valid: the receiver checked it
  if (fields && fields->sequenced) {
    auto key = std::make_pair(fields->generation, fields->seq);
    auto it = peer->newest.find(link);
    if (in.verdict == proto::SeqVerdict::duplicate) {
      if (it != peer->newest.end() && key <= it->second) {
        ev.rejected = Reject::replay;
        ev.detail = "seq " + proto::to_hex(fields->seq) + " was already heard on this link";
        return ev;
      }
      ev.duplicate = true;
    }
    if (it == peer->newest.end())
      peer->newest.emplace(std::string(link), key);
    else if (key > it->second)
      it->second = key;
    if (in.restart) ev.restarted = fields->generation;
    if (in.restart || !was_heard || fields->generation != old_generation)
      ev.generation = fields->generation;
    peer->last_accepted = now;
    if (fields->generation > peer->floor) {
      peer->floor = fields->generation;
      ev.adopted = fields->generation;
    }
  }

  ev.heard = true;
  ev.status = m.type() == proto::msgtype::status;
  ev.healed_partition = in.healed_partition;
  ev.lost_a_lot = in.lost_a_lot;
  ev.lost = std::move(in.lost);
  if (in.requests_for_us) ev.rexmit_request = std::move(in.requests_for_us);
  for (auto& d : in.deliver) {
    // Keepalives and NS_* protocol messages are the link layer's own business.
    if (d.type() == proto::msgtype::status || proto::is_unsequenced_type(d.type())) continue;
    ev.deliver.push_back(std::move(d));
  }
  // Any authenticated, sequence-checked message of the peer's current run means it talks to us
  // again: its gaps may be asked for at once (a partition heals with a cluster message as often
  // as with a status, and what follows waits in order for those gaps).
  if (fields && fields->sequenced) peer->dead = false;
  // Liveness only from status packets (heartbeat's rule): a replayed or forged NS_rexmit, or a
  // cluster message, never keeps a link up.
  if (!ev.status) return ev;
  if (auto digest = m.get(proto::field::config_digest)) ev.config_digest = std::string(*digest);
  if (auto dt = proto::parse_hex(m.value_or_empty(proto::field::deadtime))) {
    const auto advertised = liveness::Millis(
        static_cast<std::int64_t>(std::min<std::uint64_t>(*dt, std::uint64_t{1} << 40)));
    const auto used = proto::clamp_peer_deadtime(advertised, options_.timing.deadtime);
    if (used != advertised) ev.deadtime_clamped_from = *dt;
    tracker_.set_peer_deadtime(peer->name, used);
  }
  ev.transition = tracker_.on_packet(peer->name, link, now);
  peer->dead = false;
  return ev;
}

void PacketPipeline::set_timing(const liveness::Timing& timing) {
  options_.timing = timing;
  options_.rules.keepalive = timing.keepalive;
  tracker_.set_timing(timing);
}

void PacketPipeline::add_link(std::string_view link, TimePoint now) {
  for (const auto& p : peers_) tracker_.add_link(p.name, link, now);
}

TimerEvents PacketPipeline::remove_link(std::string_view link) {
  TimerEvents out;
  for (auto& p : peers_) {
    if (!tracker_.remove_link(p.name, link)) continue;
    if (auto it = p.newest.find(link); it != p.newest.end()) p.newest.erase(it);
    if (p.dead || !all_links_dead(p.name)) continue;
    p.dead = true;
    proto::Inbound in = p.receiver.on_peer_dead();
    for (auto& d : in.deliver)
      if (d.type() != proto::msgtype::status) out.deliver.push_back(std::move(d));
    for (auto s : in.lost) out.lost.emplace_back(p.name, s);
  }
  return out;
}

TimerEvents PacketPipeline::advance(TimePoint now, const proto::ControlFields& control) {
  TimerEvents out;
  out.transitions = tracker_.advance(now);
  for (const auto& t : out.transitions) {
    if (t.to != liveness::LinkState::dead) continue;
    PeerState* p = find(t.peer);
    if (p == nullptr || p->dead || !all_links_dead(t.peer)) continue;
    p->dead = true;
    proto::Inbound in = p->receiver.on_peer_dead();
    for (auto& d : in.deliver)
      if (d.type() != proto::msgtype::status) out.deliver.push_back(std::move(d));
    for (auto s : in.lost) out.lost.emplace_back(p->name, s);
  }
  for (auto& p : peers_) {
    auto due = p.receiver.next_deadline();
    if (!due || *due > now) continue;
    for (auto& r : p.receiver.due_requests(now, !p.dead, control))
      out.requests.push_back(std::move(r));
    proto::Inbound in = p.receiver.advance(now);
    for (auto& d : in.deliver)
      if (d.type() != proto::msgtype::status) out.deliver.push_back(std::move(d));
    for (auto s : in.lost) out.lost.emplace_back(p.name, s);
  }
  return out;
}

std::optional<TimePoint> PacketPipeline::next_deadline() const {
  std::optional<TimePoint> best = tracker_.next_deadline();
  for (const auto& p : peers_) {
    auto d = p.receiver.next_deadline();
    if (d && (!best || *d < *best)) best = d;
  }
  return best;
}

}  // namespace hb::linkd
