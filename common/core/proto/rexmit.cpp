#include "core/proto/rexmit.hpp"

#include <algorithm>

namespace hb::proto {

void SendHistory::add(Seq seq, Message message) {
  entries_.push_back(Entry{seq, std::move(message), std::nullopt});
  while (entries_.size() > policy_.capacity) {
    low_seq_ = entries_.front().seq;
    entries_.pop_front();
  }
}

RexmitAnswer SendHistory::on_request(Seq first, Seq last, TimePoint now, std::size_t limit) {
  RexmitAnswer answer;
  if (first == 0 || first > last) return answer;
  const Seq high = high_seq();
  // resends and naks together: bounded work
  std::size_t budget = std::min(policy_.max_batch, limit);
  Seq s = first;
  for (; s <= last && s <= high && budget > 0; ++s) {
    if (s <= low_seq_) {
      answer.naks.push_back(Nak{s, "seqno too low"});
      --budget;
      continue;
    }
    auto it = std::lower_bound(entries_.begin(), entries_.end(), s,
                               [](const Entry& e, Seq v) { return e.seq < v; });
    if (it == entries_.end() || it->seq != s) {
      answer.naks.push_back(Nak{s, "seqno not found"});
      --budget;
      continue;
    }
    if (it->last_resent && now - *it->last_resent < policy_.min_interval) continue;
    if (policy_.max_resends != 0 && it->resends >= policy_.max_resends) {
      ++answer.limited;
      continue;
    }
    it->last_resent = now;
    ++it->resends;
    answer.resend.push_back(it->message);
    --budget;
  }
  // The caller's limit (a rate) cut the answer short: what was left is counted once.
  if (limit < policy_.max_batch && budget == 0 && s <= last && s <= high) ++answer.limited;
  return answer;
}

RexmitAnswer SendHistory::on_request(const Message& request, TimePoint now, std::size_t limit) {
  auto first = parse_decimal(request.value_or_empty(field::first_seq));
  auto last = parse_decimal(request.value_or_empty(field::last_seq));
  if (!first || !last) return {};
  return on_request(*first, *last, now, limit);
}

void RexmitScheduler::schedule(Seq first, Seq last, TimePoint now) {
  if (first == 0 || first > last) return;
  const auto lo = policy_.max_delay < Millis(100) ? Millis(0) : policy_.min_delay;
  std::uniform_int_distribution<long long> delay(lo.count(),
                                                 std::max(lo, policy_.max_delay).count());
  for (Seq s = first; s <= last; ++s) due_.emplace(s, now + Millis(delay(random_)));
}

std::vector<RexmitRange> RexmitScheduler::due(TimePoint now, bool peer_up) {
  std::vector<RexmitRange> ranges;
  for (auto it = due_.begin(); it != due_.end();) {
    if (it->second > now) {
      ++it;
      continue;
    }
    if (!peer_up) {
      it = due_.erase(it);
      continue;
    }
    const Seq s = it->first;
    if (!ranges.empty() && ranges.back().last + 1 == s &&
        s - ranges.back().first < policy_.max_range) {
      ranges.back().last = s;
    } else {
      ranges.push_back(RexmitRange{s, s});
    }
    it->second = now + policy_.max_delay;
    ++it;
  }
  return ranges;
}

std::optional<TimePoint> RexmitScheduler::next_deadline() const {
  std::optional<TimePoint> next;
  for (const auto& [seq, when] : due_) {
    if (!next || when < *next) next = when;
  }
  return next;
}

}  // namespace hb::proto
