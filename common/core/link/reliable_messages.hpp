// The sending half of heartbeat's reliable protocol: every sequenced message we send (cluster
// messages from SendMessage and our own status heartbeats alike, as heartbeat numbers both) gets
// the next seq and the control fields, and is kept in the retransmission history so a peer that
// missed it can ask for it again (NS_rexmit); what the history no longer holds is answered with
// NS_nak_rexmit. Pure: time and the control fields are passed in.
//
// Answers are bounded (docs/wire-rules.md, "Retransmission answers"): a message is resent at
// most once a second and at most 3 times in all, and one peer's requests get at most 50
// packets (resends and NAKs) a second, so replayed or forged NS_rexmit cannot turn one packet
// into hundreds.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/proto/control.hpp"
#include "core/proto/message.hpp"
#include "core/proto/rexmit.hpp"
#include "core/proto/wire_rules.hpp"

namespace hb::linkd {

class ReliableSender {
 public:
  ReliableSender() : ReliableSender(wire_policy(), 50) {}
  ReliableSender(proto::HistoryPolicy policy, std::size_t answers_per_second)
      : history_(policy), budget_(answers_per_second) {}
  // heartbeat's history (500 messages, 50 per request) with hb's stricter resend rules.
  static proto::HistoryPolicy wire_policy();

  // A cluster message of `type` to `destination` ("" = every node), with the caller's fields
  // (their names are checked by the caller). Returns it complete with its seq.
  proto::Message cluster_message(const std::string& destination, const std::string& type,
                                 const std::map<std::string, std::string>& fields,
                                 const proto::ControlFields& control);
  // Our keepalive (t=status).
  proto::Message status(const proto::StatusOptions& options, const proto::ControlFields& control);
  // An unsequenced protocol message (NS_*): control fields only, not kept.
  static proto::Message unsequenced(proto::Message message, const proto::ControlFields& control);

  // Answers an NS_rexmit addressed to us: the messages to resend (as first sent) and the NAKs.
  // `limited` (when given) tells whether the rate rules held any of it back.
  std::vector<proto::Message> answer(const proto::Message& request, proto::TimePoint now,
                                     const proto::ControlFields& control, bool* limited = nullptr);

  proto::Seq last_seq() const { return next_seq_ - 1; }

 private:
  proto::Message sequenced(proto::Message message, const proto::ControlFields& control);

  proto::SendHistory history_;
  proto::RexmitBudget budget_;
  proto::Seq next_seq_ = 1;  // heartbeat starts every run at 1
};

}  // namespace hb::linkd
