// Per-link liveness: which links (peer node x medium) are hearing authenticated packets, for
// hb-linkd. Pure: no clock reads, no I/O. The shell passes steady_clock time points in, arms ONE
// timer at next_deadline(), and calls advance() when it fires.
//
// Contract between the two layers (issue 4 / issue 5):
//  * THIS layer owns every timer: warntime, deadtime, a peer's advertised `dt`, deadping for ping
//    nodes and initdead before first contact. Its output is link transitions.
//  * hb::membership (core/membership/tracker.hpp) owns no timer at all: it folds these link
//    transitions, plus generation and shutdown announcements, into node states. It never
//    re-runs deadtime, so the two can never disagree about when something died.
//
// Rules (all times measured on the monotonic clock; comparisons are "at or after", so a timer
// that fires exactly at next_deadline() always makes progress):
//  * A link starts `init`. The first packet on it makes it `up`.
//  * `up` -> `late` when nothing was heard on that link for warntime; reported once per silence,
//    carrying the warntime that expired. Skipped when warntime >= the link's dead timer.
//  * `up`/`late` -> `dead` when nothing was heard for the peer's dead timer: deadtime (deadping
//    for ping peers), or the peer's own advertised deadtime (heartbeat's `dt`) once it sent one.
//  * `late`/`dead` -> `up` on the next packet; the transition carries the silence ("recovered
//    after N ms").
//  * `init` -> `dead`: while the PEER has never been heard on any link, at start + initdead
//    (heartbeat's initdead, per peer). Once the peer was heard on some link, a link still `init`
//    gets one dead timer from that first contact. (heartbeat applies initdead to every node until
//    comm is up for all; per peer is as safe at start and does not delay a second failure.)
//  * comm_up(): every peer has been heard on some link or has had all its links declared dead
//    (heartbeat's check_comm_isup). Once true it stays true.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hb::liveness {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Millis = std::chrono::milliseconds;

struct Timing {
  Millis keepalive{1000};  // not a timer here: the shell's send interval, kept for reference
  Millis warntime{15000};
  Millis deadtime{30000};
  Millis initdead{60000};
  Millis deadping{0};  // dead timer of ping peers; 0 = same as deadtime
};

// Exported on D-Bus and in the journal by to_string(): "init", "up", "late", "dead".
// parse_link_state() reads them back (hb-membershipd, from hb-linkd's signals); nullopt for any
// other text.
enum class LinkState { init, up, late, dead };
std::string_view to_string(LinkState state);
std::optional<LinkState> parse_link_state(std::string_view text);

// A cluster node (`node` in ha.cf) or a ping pseudo-node (`ping`, `ping_group`).
enum class PeerKind { node, ping };
std::string_view to_string(PeerKind kind);

struct Peer {
  std::string name;
  PeerKind kind = PeerKind::node;
  // Link names this peer is expected on, as heartbeat names links: the interface or device
  // ("eth0", "/dev/ttyS0"); for ping peers the address pinged.
  std::vector<std::string> media;
};

struct Transition {
  std::string peer;
  std::string medium;
  LinkState from = LinkState::init;
  LinkState to = LinkState::init;
  // How long the link had been silent when this happened: since its last packet, or since the
  // tracker's start for a link that never heard anything. For `late`/`dead` this is the timer
  // that expired; for `-> up` it is the gap that just ended.
  Millis silence{0};

  bool operator==(const Transition&) const = default;
};

struct LinkInfo {
  std::string peer;
  std::string medium;
  LinkState state = LinkState::init;
  std::optional<TimePoint> last_heard;
};

class Tracker {
 public:
  // `peers` excludes the local node. A peer with no media can never be declared dead, so it does
  // not hold comm_up() back; list its media (peers_from_config does). Names are matched
  // case-insensitively (heartbeat does), but transitions always use the spelling given here.
  Tracker(Timing timing, std::span<const Peer> peers, TimePoint start);

  // One authenticated packet from `peer` arrived on `medium` (the caller has verified it).
  // Returns the link's transition when this packet changes its state (init/late/dead -> up).
  // An unknown peer is ignored (nullopt; the caller counts it as "unknown node" -- except the
  // local node's own looped-back packets, which are not peers). A known peer on
  // a medium not listed for it gets a new link (heartbeat creates links as they are heard).
  std::optional<Transition> on_packet(std::string_view peer, std::string_view medium,
                                      TimePoint now);

  // The peer advertised its own deadtime (heartbeat's `dt`): from now on its links die after
  // `deadtime` of silence instead of ours. A zero value is ignored. Returns false for an unknown
  // peer. Call it for each status message that carries `dt`; an unchanged value costs nothing.
  bool set_peer_deadtime(std::string_view peer, Millis deadtime);

  // A medium added by a reload: `peer`'s link on it starts `init` at `now`, as at a fresh start
  // (up at its first packet; dead after one dead timer from `now` if it never speaks, or after
  // initdead from the start if later). False for an unknown peer or a link it already has.
  bool add_link(std::string_view peer, std::string_view medium, TimePoint now);
  // A medium removed by a reload: `peer`'s link on it is forgotten, with no transition (a
  // removed link is not a failed one). False when there was no such link.
  bool remove_link(std::string_view peer, std::string_view medium);

  // ha.cf's timings changed on a running node (hbctl reload): every timer runs on the new values
  // from now on, still measured from when each link was last heard, so a shorter deadtime can
  // make a link due at once. Re-read next_deadline() afterwards.
  void set_timing(const Timing& timing) { timing_ = timing; }

  // Every transition due at `now`, in the order they became due (ties: configured order).
  std::vector<Transition> advance(TimePoint now);

  // When advance() next has something to report: exactly the earliest due transition, so after
  // advance(now) it is always later than `now`. nullopt when nothing is pending (every link
  // dead). Re-read it after every on_packet/set_peer_deadtime/advance and re-arm the timer.
  std::optional<TimePoint> next_deadline() const;

  bool comm_up() const { return comm_up_; }
  bool knows(std::string_view peer) const { return find_peer(peer) != npos; }

  std::optional<LinkState> state(std::string_view peer, std::string_view medium) const;
  // The most recent packet from `peer` on any link.
  std::optional<TimePoint> last_heard(std::string_view peer) const;
  std::vector<LinkInfo> links() const;
  const Timing& timing() const { return timing_; }

 private:
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  struct Link {
    std::string medium;
    LinkState state = LinkState::init;
    std::optional<TimePoint> last_heard;
    std::optional<TimePoint> added;  // added by a reload: its init timer runs from here
  };
  struct PeerState {
    Peer spec;
    std::vector<Link> links;
    std::optional<TimePoint> first_contact;
    std::optional<TimePoint> last_heard;
    Millis advertised_deadtime{0};
    bool settled = false;  // heard, or all links dead: counts towards comm_up
  };

  std::size_t find_peer(std::string_view name) const;
  Millis dead_timer(const PeerState& peer) const;
  // When `link` of `peer` next changes on its own (late/dead), if ever.
  std::optional<TimePoint> due(const PeerState& peer, const Link& link) const;
  void update_comm_up();

  Timing timing_;
  TimePoint start_;
  std::vector<PeerState> peers_;
  bool comm_up_ = false;
};

}  // namespace hb::liveness
