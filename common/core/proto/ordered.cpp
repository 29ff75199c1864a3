#include "core/proto/ordered.hpp"

namespace hb::proto {

void OrderedDelivery::drain(Delivery& out) {
  while (next_) {
    if (auto it = held_.find(*next_); it != held_.end()) {
      if (it->second.deliver) out.messages.push_back(std::move(it->second.message));
      held_.erase(it);
      ++*next_;
    } else if (given_up_.erase(*next_) > 0) {
      ++*next_;
    } else {
      break;
    }
  }
  // Give-ups below the delivery point are moot.
  while (next_ && !given_up_.empty() && *given_up_.begin() < *next_) {
    given_up_.erase(given_up_.begin());
  }
}

Delivery OrderedDelivery::offer(Seq seq, Message message, bool deliver, TimePoint now) {
  Delivery out;
  if (!next_) next_ = seq;
  if (seq < *next_) {
    out.too_late = true;
    return out;
  }
  held_.insert_or_assign(seq, Held{std::move(message), deliver, now});
  given_up_.erase(seq);
  drain(out);
  // Bounded memory: past max_held, the oldest gap is given up.
  while (held_.size() > max_held_ && next_) {
    Seq upto = held_.begin()->first;
    for (Seq s = *next_; s < upto; ++s) {
      if (given_up_.count(s) == 0) out.lost.push_back(s);
    }
    next_ = upto;
    drain(out);
  }
  return out;
}

Delivery OrderedDelivery::give_up(const std::vector<Seq>& seqs) {
  Delivery out;
  for (Seq s : seqs) {
    if (next_ && s < *next_) continue;
    if (held_.count(s) == 0 && given_up_.insert(s).second) out.lost.push_back(s);
  }
  drain(out);
  return out;
}

Delivery OrderedDelivery::flush() {
  Delivery out;
  for (auto& [seq, h] : held_) {
    if (h.deliver) out.messages.push_back(std::move(h.message));
  }
  held_.clear();
  given_up_.clear();
  next_.reset();
  return out;
}

Delivery OrderedDelivery::expire(TimePoint now) {
  Delivery out;
  while (next_ && !held_.empty() && now - held_.begin()->second.since >= max_hold_) {
    Seq upto = held_.begin()->first;
    for (Seq s = *next_; s < upto; ++s) {
      if (given_up_.count(s) == 0) out.lost.push_back(s);
    }
    next_ = upto;
    drain(out);
  }
  return out;
}

std::optional<OrderedDelivery::TimePoint> OrderedDelivery::next_deadline() const {
  if (held_.empty()) return std::nullopt;
  return held_.begin()->second.since + max_hold_;
}

}  // namespace hb::proto
