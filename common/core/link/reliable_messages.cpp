#include "core/link/reliable_messages.hpp"

#include <algorithm>

namespace hb::linkd {

proto::HistoryPolicy ReliableSender::wire_policy() {
  proto::HistoryPolicy p;
  p.min_interval = std::chrono::milliseconds(1000);  // heartbeat 1.2's REXMIT_MS
  p.max_resends = 3;
  return p;
}

proto::Message ReliableSender::sequenced(proto::Message message,
                                         const proto::ControlFields& control) {
  const proto::Seq seq = next_seq_++;
  proto::add_control_fields(message, control, seq);
  history_.add(seq, message);
  return message;
}

proto::Message ReliableSender::cluster_message(const std::string& destination,
                                               const std::string& type,
                                               const std::map<std::string, std::string>& fields,
                                               const proto::ControlFields& control) {
  proto::Message m;
  m.add(std::string(proto::field::type), type);
  if (!destination.empty()) m.add(std::string(proto::field::dest), destination);
  for (const auto& [name, value] : fields) m.add(name, value);
  return sequenced(std::move(m), control);
}

proto::Message ReliableSender::status(const proto::StatusOptions& options,
                                      const proto::ControlFields& control) {
  const proto::Seq seq = next_seq_++;
  proto::Message m = proto::build_status(options, control, seq);
  history_.add(seq, m);
  return m;
}

proto::Message ReliableSender::unsequenced(proto::Message message,
                                           const proto::ControlFields& control) {
  proto::add_control_fields(message, control, 0);
  return message;
}

std::vector<proto::Message> ReliableSender::answer(const proto::Message& request,
                                                   proto::TimePoint now,
                                                   const proto::ControlFields& control,
                                                   bool* limited) {
  const std::string peer(request.value_or_empty(proto::field::source));
  const std::size_t granted = budget_.take(peer, proto::HistoryPolicy{}.max_batch, now);
  if (limited != nullptr) *limited = granted == 0;
  if (granted == 0) return {};
  proto::RexmitAnswer a = history_.on_request(request, now, granted);
  if (limited != nullptr) *limited = a.limited > 0;
  budget_.give_back(peer, granted - std::min(granted, a.resend.size() + a.naks.size()));
  std::vector<proto::Message> out = std::move(a.resend);
  for (const auto& nak : a.naks)
    out.push_back(proto::build_nak(peer, nak.seq, nak.reason, control));
  return out;
}

}  // namespace hb::linkd
