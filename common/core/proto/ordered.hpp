// In-order delivery of one peer's sequenced messages: a message that arrives after a gap waits
// until the gap is filled, or until the missing seqs are given up (the peer NAKed them, tracking
// was reset, or the gap was open longer than max_hold); then the waiting messages go out in
// seq order. A message that fills a gap already given up comes too late and is discarded, so
// consumers never see a sender's messages out of order.
// Entries not addressed to us still take their place in the order but are not delivered.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "core/proto/control.hpp"
#include "core/proto/message.hpp"

namespace hb::proto {

struct Delivery {
  std::vector<Message> messages;  // in seq order
  std::vector<Seq> lost;          // seqs given up on (irretrievable)
  bool too_late = false;          // the message offered filled a gap already given up
};

class OrderedDelivery {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit OrderedDelivery(std::chrono::milliseconds max_hold = std::chrono::seconds(10),
                           std::size_t max_held = 500)
      : max_hold_(max_hold), max_held_(max_held) {}

  // An accepted sequenced message; `deliver` false when it is addressed to another node.
  Delivery offer(Seq seq, Message message, bool deliver, TimePoint now);
  // The peer cannot resend these: stop waiting for them.
  Delivery give_up(const std::vector<Seq>& seqs);
  // Tracking restarted (peer restart, "lost a lot"): everything held goes out, order restarts
  // at the next message offered.
  Delivery flush();
  // Give up gaps that have been open longer than max_hold.
  Delivery expire(TimePoint now);
  std::optional<TimePoint> next_deadline() const;
  std::size_t held() const { return held_.size(); }

 private:
  struct Held {
    Message message;
    bool deliver;
    TimePoint since;
  };
  void drain(Delivery& out);

  std::chrono::milliseconds max_hold_;
  std::size_t max_held_;
  std::optional<Seq> next_;  // the seq to deliver next
  std::map<Seq, Held> held_;
  std::set<Seq> given_up_;
};

}  // namespace hb::proto
