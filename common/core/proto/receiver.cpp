#include "core/proto/receiver.hpp"

namespace hb::proto {

PeerReceiver::PeerReceiver(std::string peer, ReceiverOptions options, std::uint32_t seed)
    : peer_(std::move(peer)),
      options_(std::move(options)),
      tracker_(options_.limits),
      scheduler_(options_.requests, seed),
      ordered_(options_.max_hold, options_.limits.max_missing + 1) {}

void PeerReceiver::absorb(Inbound& in, Delivery d) {
  for (auto& m : d.messages) in.deliver.push_back(std::move(m));
  in.lost.insert(in.lost.end(), d.lost.begin(), d.lost.end());
}

Inbound PeerReceiver::on_message(const Message& message, TimePoint now) {
  Inbound in;
  in.for_us = addressed_to(message, options_.local_node);
  auto fields = seq_fields(message);
  if (!fields) {
    in.malformed = true;
    return in;
  }
  if (!fields->sequenced) {
    in.verdict = SeqVerdict::unsequenced;
    if (!in.for_us) return in;
    std::string_view type = message.type();
    if (type == msgtype::nak_rexmit) {
      auto seq = parse_hex(message.value_or_empty(field::first_seq));
      if (seq && tracker_.on_nak(*seq)) {
        scheduler_.cancel(*seq);
        absorb(in, ordered_.give_up({*seq}));
      }
    } else if (type == msgtype::rexmit) {
      in.requests_for_us = message;
    } else {
      in.deliver.push_back(message);
    }
    return in;
  }

  SeqOutcome outcome = tracker_.on_message(*fields);
  in.verdict = outcome.verdict;
  in.restart = outcome.restart;
  in.lost_a_lot = outcome.lost_a_lot;
  in.healed_partition = outcome.healed_partition;
  if (in.restart || in.lost_a_lot) {
    // The old run's gaps will never be filled: release what waited for them.
    scheduler_.clear();
    for (Seq s : outcome.forgotten) in.lost.push_back(s);
    absorb(in, ordered_.flush());
  } else if (!outcome.forgotten.empty()) {
    for (Seq s : outcome.forgotten) scheduler_.cancel(s);
    absorb(in, ordered_.give_up(outcome.forgotten));
  }
  if (!accepted(outcome.verdict)) return in;
  if (outcome.verdict == SeqVerdict::fill) scheduler_.cancel(fields->seq);
  if (outcome.verdict == SeqVerdict::accept_gap) {
    scheduler_.schedule(outcome.missing_first, outcome.missing_last, now);
  }
  Delivery d = ordered_.offer(fields->seq, message, in.for_us, now);
  absorb(in, std::move(d));
  return in;
}

Inbound PeerReceiver::on_peer_dead() {
  Inbound in;
  tracker_.on_peer_dead();
  std::vector<Seq> gaps(tracker_.missing().begin(), tracker_.missing().end());
  scheduler_.clear();
  absorb(in, ordered_.give_up(gaps));
  return in;
}

std::vector<Message> PeerReceiver::due_requests(TimePoint now, bool peer_up,
                                                const ControlFields& control) {
  std::vector<Message> out;
  for (const auto& r : scheduler_.due(now, peer_up)) {
    out.push_back(build_rexmit_request(peer_, r.first, r.last, control));
  }
  return out;
}

Inbound PeerReceiver::advance(TimePoint now) {
  Inbound in;
  Delivery d = ordered_.expire(now);
  for (Seq s : d.lost) scheduler_.cancel(s);
  absorb(in, std::move(d));
  return in;
}

std::optional<TimePoint> PeerReceiver::next_deadline() const {
  auto a = scheduler_.next_deadline();
  auto b = ordered_.next_deadline();
  if (!a) return b;
  if (!b) return a;
  return std::min(*a, *b);
}

}  // namespace hb::proto
