// What hb-linkd does with every packet a medium hands it, and with time: decode -> authenticate
// with the index the packet names -> drop our own -> unknown node -> replay/duplicate/stale rules
// -> peer restart -> link liveness -> in-order delivery. No I/O and no clock: the shell (linkd.cpp)
// passes time in and acts on the events returned, so the benchmark runs exactly this code.
//
// Rules worth knowing:
//  * Nothing about an unauthenticated packet changes any state; it is only counted.
//  * A packet that authenticates refreshes the link it came in on, even when it is a duplicate
//    (the same packet heard first on another medium: delivered once, but proof this link
//    works). A duplicate of what was already heard ON THE SAME LINK is a replay: a sender never
//    sends one seq twice on a medium unless asked to resend it, and a resent message fills a gap.
//  * A new generation is reported (restart) before the link transition the same packet causes.
//  * The wire rules of docs/wire-rules.md: liveness only from t=status; a peer's generation is
//    adopted only from a status, within a bound, and never below the one persisted for it; a
//    seq may not run ahead of the last by more than the silence allows; NS_* packets count only
//    with the peer's current generation; the advertised deadtime is clamped.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/config/config.hpp"
#include "core/liveness/tracker.hpp"
#include "core/proto/limits.hpp"
#include "core/proto/packet.hpp"
#include "core/proto/receiver.hpp"
#include "core/proto/wire_rules.hpp"

namespace hb::linkd {

using TimePoint = std::chrono::steady_clock::time_point;

// Why a packet was dropped; the keys of a Link's Rejected property.
enum class Reject {
  malformed,
  oversized,
  auth,
  unknown_node,
  replay,
  stale,
  old_generation,           // older than the peer's current (or persisted) generation
  generation_out_of_bound,  // a jump beyond proto::generation_bound()
  unconfirmed_generation,   // not a status, and its generation is not yet confirmed by one
  seq_too_far_ahead,        // beyond proto::seq_allowance() of the last accepted seq
  rexmit_rate,              // (the shell's) an NS_rexmit held back by the retransmission rate rules
};
std::string_view to_string(Reject reason);

struct PipelineOptions {
  std::string local_node;
  config::AuthKeys keys;
  liveness::Timing timing;
  std::vector<liveness::Peer> peers;  // cluster nodes other than us
  proto::Limits limits;
  proto::WireRules rules;  // rules.keepalive is taken from timing
  // The highest generation persisted for each peer (hb_peer_generations): older is refused.
  std::map<std::string, proto::Generation> known_generations;
  // The wall clock (unix seconds) for the generation bound (hb-linkd passes time()); nullptr:
  // no clock, the bound is then current + 1000 or one day's seconds, whichever is more.
  std::function<std::int64_t()> unix_clock;
};

struct PacketEvents {
  std::optional<Reject> rejected;
  std::string detail;  // what exactly was wrong (for the rate-limited log)
  std::string peer;    // the sender as configured (or as claimed, when rejected)
  bool own = false;    // our own packet looped back: ignored
  // Our own status packet, authenticated, came back (bcast, mcast with loop): its generation.
  // Nothing else uses it; the watchdog is fed on it (heartbeat's rule).
  std::optional<std::uint64_t> own_status;
  bool heard = false;                       // authenticated and accepted
  bool status = false;                      // a status packet: the link's liveness was refreshed
  bool duplicate = false;                   // already heard on another link: not delivered again
  std::optional<std::uint64_t> restarted;   // the peer's new generation (it restarted)
  std::optional<std::uint64_t> generation;  // the peer's generation when first heard / changed
  std::optional<liveness::Transition> transition;
  std::vector<proto::Message> deliver;           // in order, addressed to us, never t=status
  std::optional<proto::Message> rexmit_request;  // an NS_rexmit addressed to us
  std::vector<proto::Seq> lost;
  bool healed_partition = false;
  bool lost_a_lot = false;
  // A generation newer than the one persisted for this peer was adopted: persist
  // known_generations().
  std::optional<std::uint64_t> adopted;
  // The peer advertised this deadtime (ms) outside our range; the clamped value is used.
  std::optional<std::uint64_t> deadtime_clamped_from;
  // An accepted status packet's hb_config (the peer's cluster-wide configuration digest);
  // none from a heartbeat peer, or an hb that does not send it.
  std::optional<std::string> config_digest;
};

struct TimerEvents {
  std::vector<liveness::Transition> transitions;
  std::vector<proto::Message> requests;  // NS_rexmit to seal and send
  std::vector<proto::Message> deliver;   // released after a gap was given up
  std::vector<std::pair<std::string, proto::Seq>> lost;
};

class PacketPipeline {
 public:
  PacketPipeline(PipelineOptions options, TimePoint start);

  PacketEvents on_packet(std::string_view bytes, std::string_view link, TimePoint now);
  // Everything due at `now`: link transitions, rexmit requests, given-up gaps.
  TimerEvents advance(TimePoint now, const proto::ControlFields& control);
  std::optional<TimePoint> next_deadline() const;
  // New timings from a reload (keepalive, warntime, deadtime...): the liveness timers, the
  // clamp on advertised deadtimes and the seq allowance use them from now on.
  void set_timing(const liveness::Timing& timing);
  // New keys from a reload (authkeys): packets are checked with them from now on.
  void set_keys(config::AuthKeys keys) { options_.keys = std::move(keys); }
  // A medium a reload added: each peer's link on it starts as at a fresh start.
  void add_link(std::string_view link, TimePoint now);
  // A medium a reload removed: each peer's link on it is forgotten without a transition. Should
  // that leave a peer with dead links only, the peer is dead as after its last link's death:
  // what it held back is released (deliver, lost) as advance() would.
  TimerEvents remove_link(std::string_view link);

  const liveness::Tracker& liveness() const { return tracker_; }
  // The highest seq accepted from `peer` (0 before its first sequenced message).
  std::uint64_t last_seq(std::string_view peer) const;
  // Each peer's highest generation (persisted, or adopted since), for hb_peer_generations.
  std::map<std::string, proto::Generation> known_generations() const;
  // Forgets everything about `peer`'s generation and sequence (a peer whose disk was replaced):
  // its next status starts over. False for a node that is not a peer.
  bool forget_generation(std::string_view peer);

 private:
  struct PeerState {
    std::string name;
    proto::PeerReceiver receiver;
    // link -> the newest (generation, seq) heard on it, for replay detection
    std::map<std::string, std::pair<proto::Generation, proto::Seq>, std::less<>> newest;
    bool dead = false;
    proto::Generation floor = 0;  // the highest generation persisted or adopted: older refused
    std::optional<TimePoint> last_accepted;  // the last accepted sequenced packet
  };
  std::optional<Reject> admit(PeerState& peer, const proto::Message& m, TimePoint now,
                              std::string& detail);
  proto::ReceiverOptions receiver_options() const;
  PeerState* find(std::string_view name);
  const PeerState* find(std::string_view name) const;
  bool all_links_dead(std::string_view peer) const;

  PipelineOptions options_;
  liveness::Tracker tracker_;
  std::vector<PeerState> peers_;
  std::uint32_t seed_ = 1;
};

}  // namespace hb::linkd
