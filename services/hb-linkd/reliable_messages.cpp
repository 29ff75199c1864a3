#include "reliable_messages.hpp"

namespace hb::linkd {

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
                                                   const proto::ControlFields& control) {
  proto::RexmitAnswer a = history_.on_request(request, now);
  std::vector<proto::Message> out = std::move(a.resend);
  const std::string peer(request.value_or_empty(proto::field::source));
  for (const auto& nak : a.naks)
    out.push_back(proto::build_nak(peer, nak.seq, nak.reason, control));
  return out;
}

}  // namespace hb::linkd
