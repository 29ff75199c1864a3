// Everything hb-linkd does with one peer's authenticated messages, in one pure object:
// replay/sequence rules (sequence.hpp), retransmission requests for gaps (rexmit.hpp) and
// in-order delivery (ordered.hpp). The shell feeds it messages and time, sends the requests it
// asks for, and arms one timer at next_deadline().
//
//   auto in = peer.on_message(opened.message, now);
//   if (in.verdict is replay/stale) count and drop; duplicate: the link still heard it.
//   for (auto& m : in.deliver) hand m to the consumers (in order, only those addressed to us);
//   at next_deadline(): for (auto& r : peer.due_requests(now, up, control)) seal and send r;
//                       and deliver peer.advance(now).deliver.
// NS_rexmit requests addressed to us come back in `requests_for_us`: answer them from the
// SendHistory. NS_nak_rexmit is consumed here (the seq is given up, reported in `lost`).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/proto/control.hpp"
#include "core/proto/ordered.hpp"
#include "core/proto/rexmit.hpp"
#include "core/proto/sequence.hpp"

namespace hb::proto {

struct ReceiverOptions {
  std::string local_node;  // our node name: `dest` is compared with it
  SeqLimits limits;
  RequestPolicy requests;
  Millis max_hold{10000};  // give up a gap after this long (the peer neither resent nor NAKed)
};

struct Inbound {
  SeqVerdict verdict = SeqVerdict::duplicate;
  bool malformed = false;  // a sequenced type without a valid seq/hg: dropped
  bool restart = false;
  bool lost_a_lot = false;
  bool healed_partition = false;
  bool for_us = true;                      // no dest, or dest is us
  std::vector<Message> deliver;            // in order, addressed to us
  std::vector<Seq> lost;                   // irretrievable seqs (for the log)
  std::optional<Message> requests_for_us;  // an NS_rexmit addressed to us
};

class PeerReceiver {
 public:
  PeerReceiver(std::string peer, ReceiverOptions options, std::uint32_t seed = 1);

  Inbound on_message(const Message& message, TimePoint now);
  // liveness declared the peer dead: stop asking it, release what waits for it.
  Inbound on_peer_dead();
  // Due NS_rexmit requests to seal and send (none while the peer is not up).
  std::vector<Message> due_requests(TimePoint now, bool peer_up, const ControlFields& control);
  // Gives up gaps held too long.
  Inbound advance(TimePoint now);
  std::optional<TimePoint> next_deadline() const;

  const std::string& peer() const { return peer_; }
  const SequenceTracker& tracker() const { return tracker_; }

 private:
  void absorb(Inbound& in, Delivery d);

  std::string peer_;
  ReceiverOptions options_;
  SequenceTracker tracker_;
  RexmitScheduler scheduler_;
  OrderedDelivery ordered_;
};

}  // namespace hb::proto
